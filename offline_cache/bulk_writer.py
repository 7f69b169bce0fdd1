"""The bulk-page writer: a child process that reads, checks and writes the pages of a full load.

A first load or a rebuild moves 5-10 MB pages; reading one is ~150 ms of pure Python and writing it
as long again. Done in the app's process, on any of its threads, that work holds the GIL: on a
2-core box a 5 ms ticker next to one busy Python thread sees 22-33 ms gaps, next to a busy process
~8 ms. So the cache-writer thread hands each page's raw HTTP answer (status, headers, body bytes)
to this process over a pipe, and waits for the answers with the GIL released. The child runs
`parse_pull_page`, `validate_page` and `CacheStore.apply_refetch_page` on its own connection to the
same cache.db (WAL; the parent writes nothing meanwhile, its cache-writer thread being the one
waiting), and answers twice: the page's head once it is read and checked, so the next page can be
fetched while this one is written, then the changes applied and the stream's committed state. An
error is raised again in the parent as the same type with the same fields.

Small pages (a stream of a few hundred rows) are read in the app's process when no process runs: a
few milliseconds of work there cost less than starting a process (~0.5 s). Once one runs it takes
every page of a full load, the last (small) one too, with the swap and the search index build. The
process is started with "spawn", never "fork" (the app has Qt and threads), when a full load writes
its first big page (or earlier: `start`), and stopped when the last `session()` using it ends. A
process that dies (killed, out of memory) fails the page in flight (`WriterLost`); SQLite rolls its
transaction back, and the next page starts a new process. It runs at a lower priority than the
app (`WRITER_NICENESS`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import pickle
import signal
import threading
import traceback
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Final

from offline_cache.cache_store import CacheStore, StaleCursor, StreamState
from offline_cache.protocol import parse_pull_page, validate_page
from offline_cache.remote import PullPage, RawAnswer, RemoteError

SPAWN: Final = multiprocessing.get_context("spawn")
STOP_TIMEOUT_S: Final = 10.0  # a child told to stop is idle: it closes its connection and exits
# A page this small is read in the app's process: ~8 ms of work, where a 5 MB page takes ~300 ms.
SMALLEST_PAGE_BYTES: Final = 256 * 1024
WRITER_NICENESS: Final = 5  # about a third of the CPU share of the app's threads when both want it


class WriterLost(Exception):
    """The writer process ended (killed, crashed, out of memory) or could not say why a page failed.

    The page in flight was not written: its transaction died with the process. The next page
    written starts a new process.
    """


@dataclass(frozen=True, slots=True)
class _Job:
    """One page to read and write; its body follows as a message of its own (bytes, never pickled)."""

    stream: str
    after: str | None  # the cursor the page was asked with
    limit: int  # the page size asked for
    status: int
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class _Written:
    applied: int
    state: StreamState  # the stream's row as committed with the page


@dataclass(frozen=True, slots=True)
class _Failed:
    """An exception on its way to the parent: its type, args and attributes (status, body, errno ...).

    Exceptions with more than a message (Rejected, RetryLater ...) do not survive plain pickling:
    unpickling calls ``__init__`` with ``args`` alone. This makes the same exception without it.
    """

    kind: type[Exception]
    args: tuple[object, ...]
    attributes: dict[str, object]

    def exception(self) -> Exception:
        exc = self.kind.__new__(self.kind, *self.args)
        exc.args = self.args
        exc.__dict__.update(self.attributes)
        return exc


# The child answers each job with the page's head (a PullPage without its changes), then _Written;
# or with a _Failed instead of either.
_Answer = PullPage | _Written | _Failed


class BulkWriter:
    """One writer process for one cache.db, started by the first page it takes, stopped when unused.

    `write_page` and `stop` block: they are for the cache-writer thread (or a thread of their own),
    and run one at a time. `session` is for the event loop: the process, once started, lives until
    the last session ends, so the streams of one sync pass share it.
    """

    def __init__(self, path: Path, *, smallest_page: int = SMALLEST_PAGE_BYTES) -> None:
        """``smallest_page``: answers with a shorter body are left to the caller (tests pass 0)."""
        self._path = Path(path)
        self._smallest_page = smallest_page
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._sessions = 0

    @property
    def pid(self) -> int | None:
        """The running process's id, if one runs."""
        process = self._process
        return None if process is None else process.pid

    def takes(self, answer: RawAnswer) -> bool:
        """Whether the process takes this page of a full load: a big one, or any once it runs.

        Once running it costs nothing more, and a load's last page, however small, ends with the
        swap and (for the catalog) the search index build: seconds of work better kept off the
        app's process.
        """
        return self._process is not None or len(answer[2]) >= self._smallest_page

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[None]:
        """Keep the process (once a page started it) until this and every other session ends."""
        self._sessions += 1
        try:
            yield
        finally:
            self._sessions -= 1
            if self._sessions == 0 and self._process is not None:  # a pass of deltas started none
                await asyncio.to_thread(self._stop_unless_used)

    def write_page(
        self,
        stream: str,
        answer: RawAnswer,
        after: str | None,
        limit: int,
        on_head: Callable[[PullPage], None],
    ) -> tuple[int, StreamState]:
        """Read, check and write one page of a full load; returns the changes applied and the stream's state.

        ``on_head`` gets the page without its changes as soon as it is read and checked, before it
        is written; it must not raise. Raises what reading or writing the page raised (a
        RemoteError, StaleCursor, sqlite3.Error ...), or WriterLost; either way nothing was written.
        """
        status, headers, body = answer
        with self._lock:
            conn = self._connection()
            try:
                conn.send(_Job(stream, after, limit, status, dict(headers)))
                conn.send_bytes(body)  # writes from the buffer with the GIL released
            except OSError as exc:
                self._end(kill=True)
                raise WriterLost(f"the bulk writer process is gone ({type(exc).__name__})") from None
            on_head(self._receive(conn, PullPage))
            written = self._receive(conn, _Written)
            return written.applied, written.state

    def start(self) -> None:
        """Start the process now, if none runs: a full load ahead will use it.

        Its start-up (imports, ~0.3 s of CPU) then overlaps the first fetches rather than delaying
        the first big page. Blocks only while the child is launched, not while it imports.
        """
        with self._lock:
            self._connection()

    def stop(self) -> None:
        """Stop the process, if one runs: it finishes nothing half-way, as it only works inside write_page."""
        with self._lock:
            self._end()

    def _stop_unless_used(self) -> None:
        with self._lock:
            if self._sessions == 0:
                self._end()

    def _connection(self) -> Connection:
        process = self._process
        if process is not None and not process.is_alive():
            self._end()  # died while idle: nothing was lost, start afresh
        if self._conn is None:
            ours, theirs = SPAWN.Pipe()
            process = SPAWN.Process(
                target=_serve, args=(theirs, str(self._path)), name="cache-bulk-writer", daemon=True
            )
            process.start()
            theirs.close()  # the child holds the only other end: when it dies, reads here see EOF
            _lower_priority(process.pid)
            self._process, self._conn = process, ours
        return self._conn

    def _receive[T: PullPage | _Written](self, conn: Connection, kind: type[T]) -> T:
        """The child's next answer, expected to be a ``kind``; a failure it reports is raised here."""
        try:
            answer: _Answer = conn.recv()
        except (EOFError, OSError) as exc:
            self._end(kill=True)
            raise WriterLost(f"the bulk writer process ended while writing a page ({exc!r})") from None
        if isinstance(answer, _Failed):
            raise answer.exception()
        if not isinstance(answer, kind):  # a bug: what the child does next is anyone's guess
            self._end(kill=True)
            raise WriterLost(f"the bulk writer process answered {type(answer).__name__} out of turn")
        return answer

    def _end(self, *, kill: bool = False) -> None:
        """Close our end of the pipe (the child exits on EOF) and reap the process."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return
        if kill:
            process.kill()
        process.join(STOP_TIMEOUT_S)
        if process.exitcode is None:
            process.kill()
            process.join()
        process.close()


def _lower_priority(pid: int | None) -> None:
    """Make the writer process yield the CPU to the app: a full load is background work.

    On a 2-core machine a busy writer, the server (when local) and the app's threads contend; a
    thread of the app that holds the GIL and is kept off a core stalls the event loop (100 ms gaps
    were seen while the writer imported at a load's start). Done from here, at once, so the child's
    start-up runs at the lower priority too. A process may always lower its own children's.
    """
    if pid is None:
        return
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, 0) + WRITER_NICENESS)


# -- the child process -----------------------------------------------------------------------------


def _serve(conn: Connection, path: str) -> None:
    """The child: one page at a time, until the parent closes its end of the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops us by closing the pipe
    gc.freeze()  # the modules just imported: the collector's passes over a page's objects skip them
    cache = CacheStore(Path(path))  # opened (and repaired if need be) by the parent already
    try:
        while True:
            try:
                job: _Job = conn.recv()
                body = conn.recv_bytes()
            except EOFError:
                return
            _write(cache, conn, job, body)
    finally:
        cache.close()


def _write(cache: CacheStore, conn: Connection, job: _Job, body: bytes) -> None:
    try:
        page = parse_pull_page(job.status, job.headers, body, job.stream)
        validate_page(page, job.stream, job.after, job.limit)
    except Exception as exc:
        conn.send(_failure(exc))
        return
    conn.send(replace(page, changes=()))
    try:
        applied = cache.apply_refetch_page(job.stream, page, job.after)
        conn.send(_Written(applied, cache.stream(job.stream)))
    except Exception as exc:
        conn.send(_failure(exc))


def _failure(exc: Exception) -> _Failed:
    """``exc`` as the parent can raise it again."""
    if not isinstance(exc, RemoteError | StaleCursor):
        # Not a refusal of the page but a fault here: keep where it happened for the parent's log.
        exc.add_note("in the bulk writer process:\n" + "".join(traceback.format_exception(exc)).rstrip())
    failed = _Failed(type(exc), exc.args, dict(vars(exc)))
    try:
        pickle.dumps(failed)
    except Exception:
        return _Failed(WriterLost, (f"the bulk writer failed: {type(exc).__name__}: {exc}",), {})
    return failed
