"""Pulling one stream into the cache: pipelined pages, each page and its cursor in one transaction.

While the cache-writer thread commits page N, page N+1 is already being fetched and parsed with
page N's ``next_cursor``: pages still apply strictly in order, and a page whose write fails stops
the pull before any later page is written. A stream's first load and every ``409 must_refetch``
go to shadow tables swapped in by the last page's transaction (SYNC_DESIGN 3.6), so a reader sees
the old rows, or none, until the whole stream is there: never a half catalog. Every page is
validated before anything is written.

Given a `BulkWriter` and a Remote that is a `RawPuller`, a full load's big pages are read,
validated and written by the writer process instead (``offline_cache.bulk_writer``): the
cache-writer thread only hands it each raw answer and waits, and the next page is fetched once the
child has read the page's cursor. Small pages and delta pages stay in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from typing import Final

from offline_cache.bulk_writer import BulkWriter
from offline_cache.cache_store import CacheStore, StreamState
from offline_cache.protocol import error_for, parse_pull_page_cooperatively, validate_page
from offline_cache.remote import (
    MustRefetch,
    PullPage,
    RawAnswer,
    RawPuller,
    Rejected,
    Remote,
    TerminalState,
    cursor_version,
)

log = logging.getLogger(__name__)

PAGE_SIZE: Final = 1000
# A first load, a rebuild or a delta of more than a page moves many rows: bigger pages mean fewer
# round trips, and the page parser pauses every few milliseconds, so a big page does not stall the
# event loop. Two pages are in memory at a time: one being written, the next being fetched.
BULK_PAGE_SIZE: Final = 5000
MAX_REFETCH_RESTARTS: Final = 3


@dataclass(frozen=True, slots=True)
class PullReport:
    stream: str
    pages: int
    changes: int
    refetched: bool
    server_version: int


@dataclass(frozen=True, slots=True)
class PullProgress:
    """Where a pull of one stream stands after a page was committed (for progress bars and ETAs).

    ``fraction`` compares versions: how far the cursor has come from where this pull started
    towards the stream's newest version on the server. None when the server does not say its
    stream version (an older server). ``rows_estimate`` extrapolates ``rows_done`` from it.
    """

    stream: str
    rows_done: int  # changes applied (or staged, for a first load or a rebuild) by this pull so far
    fraction: float | None  # 0.0 .. 1.0; exactly 1.0 when the stream is caught up
    rows_estimate: int | None
    bulk: bool  # a first load or a rebuild: the rows appear all at once at the end
    done: bool  # the stream is caught up
    state: StreamState  # the stream's row in the cache as committed with this page

    @staticmethod
    def of(
        state: StreamState, page: PullPage, start_version: int, rows_done: int, bulk: bool
    ) -> PullProgress:
        done = not page.has_more
        fraction: float | None
        if done:
            fraction = 1.0
        elif page.stream_version is None:
            fraction = None
        else:
            span = page.stream_version - start_version
            moved = page.cursor_version - start_version
            fraction = min(1.0, max(0.0, moved / span)) if span > 0 else None
        estimate = rows_done if done else None
        if fraction and not done:
            estimate = max(rows_done, round(rows_done / fraction))
        return PullProgress(state.stream, rows_done, fraction, estimate, bulk, done, state)


class _HeapFreeze:
    """While pages stream in, the collector leaves the objects that existed before the pull alone.

    A full load read in this process allocates millions of objects, so the collector runs its full
    passes many times; each walked the whole heap (the app, its modules, caches) and held the GIL
    for 100-150 ms: a stall of the event loop every time. Frozen objects are skipped (`gc.freeze`);
    they are handed back when the last whole load running ends, so garbage among them is still
    collected after. A load read by the writer process allocates little here, but the collection
    asked for after each of its pages (see `Puller._fetch`) is cheap only with the heap frozen.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pulls = 0

    @contextlib.contextmanager
    def during_pull(self) -> Iterator[None]:
        with self._lock:
            if self._pulls == 0:
                gc.freeze()
            self._pulls += 1
        try:
            yield
        finally:
            with self._lock:
                self._pulls -= 1
                if self._pulls == 0:
                    gc.unfreeze()


_HEAP: Final = _HeapFreeze()


class _Refetch(Exception):
    """The server refused the cursor in a way that means "rebuild the stream"."""

    def __init__(self, refusal: Rejected) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class _Unread:
    """A page's answer for the writer process to read, with the page size it was asked for."""

    answer: RawAnswer
    limit: int


@dataclass(slots=True)
class _Totals:
    pages: int = 0
    changes: int = 0
    refetched: bool = False


class Puller:
    """Pulls streams through a Remote into a CacheStore; cache work runs on ``executor`` (one thread).

    With a ``bulk_writer``, the big pages of full loads are read and written by its process when the
    Remote is a `RawPuller`; the calls into it block, so ``executor`` must then run one job at a time.
    """

    def __init__(
        self,
        remote: Remote,
        cache: CacheStore,
        *,
        page_size: int = PAGE_SIZE,
        bulk_page_size: int | None = None,
        executor: Executor | None = None,
        install_id: Callable[[], str | None] = lambda: None,
        on_terminal: Callable[[TerminalState], None] | None = None,
        on_page: Callable[[PullProgress], None] | None = None,
        bulk_writer: BulkWriter | None = None,
    ) -> None:
        self._remote = remote
        self._raw = remote if isinstance(remote, RawPuller) else None
        self._bulk_writer = bulk_writer
        self._cache = cache
        self._page_size = page_size
        # A caller that sets its own page size (tests do, to get many pages) gets it for bulk loads too.
        self._bulk_page_size = bulk_page_size or (BULK_PAGE_SIZE if page_size == PAGE_SIZE else page_size)
        self._executor = executor
        self._install_id = install_id
        self._on_terminal = on_terminal
        self._on_page = on_page

    async def _run[T](self, fn: Callable[[], T]) -> T:
        # Cache work takes tens of milliseconds a page: never on the event loop's thread.
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def pull(self, stream: str) -> PullReport:
        """Pull ``stream`` until the server has no more; a RemoteError leaves no page half-applied."""
        totals = _Totals()
        restarts = 0
        while True:
            state = await self._run(partial(self._prepare, stream))
            totals.refetched = totals.refetched or (state.needs_refetch and state.cursor is not None)
            writer = self._bulk_writer if state.needs_refetch and self._raw is not None else None
            try:
                # Only a whole load moves enough rows to matter; deltas (and long polls) leave the
                # collector as it is, so the heap is never kept frozen by a stream of live pulls.
                with _HEAP.during_pull() if state.needs_refetch else contextlib.nullcontext():
                    async with writer.session() if writer is not None else contextlib.nullcontext():
                        last = await self._pipeline(stream, state, totals, writer)
            except _Refetch as refetch:
                exc = refetch.refusal
                restarts += 1
                if restarts > MAX_REFETCH_RESTARTS:
                    raise exc from None
                reason = exc.reason if isinstance(exc, MustRefetch) else exc.code
                log.info("%s: the server asks for a full refetch (%s)", stream, reason or exc.detail)
                await self._run(partial(self._cache.begin_refetch, stream))
                totals.refetched = True
                continue
            return PullReport(stream, totals.pages, totals.changes, totals.refetched, last.server_version)

    def _prepare(self, stream: str) -> StreamState:
        """The stream's state, with shadow tables ready when it is loaded whole (cache-writer thread)."""
        state = self._cache.stream(stream)
        if state.needs_refetch:
            # Shadows that exist are continued, even empty ones: another puller of this engine
            # (the live one) may be filling them, and starting over would throw its pages away.
            if not self._cache.refetch_ready(stream):
                self._cache.begin_refetch(stream)
                state = self._cache.stream(stream)
        elif state.cursor is None:
            # The first load goes to shadow tables too: the catalog appears whole, in one commit.
            self._cache.begin_refetch(stream)
            state = self._cache.stream(stream)
        return state

    async def _fetch(
        self, stream: str, after: str | None, limit: int, writer: BulkWriter | None
    ) -> PullPage | _Unread:
        """The page after ``after``, checked; or, if ``writer`` takes it, its answer (status checked)."""
        try:
            if writer is not None and self._raw is not None:
                status, headers, body = answer = await self._raw.pull_raw(
                    stream, after, limit, install_id=self._install_id()
                )
                # The transport's leftovers may hold the body in reference cycles (httpx's do), and
                # a loop that no longer parses pages allocates too little for the collector to come
                # by soon: bodies of 5-10 MB piled up. The young generations hold this answer's cycle;
                # older garbage is left to the collector's own passes (a full pass here would also
                # finalize whatever anything else in the process leaked, on the pull's time).
                gc.collect(1)
                if not 200 <= status < 300:
                    raise error_for(status, headers, body, f"pull {stream}")
                if writer.takes(answer):
                    return _Unread(answer, limit)
                page = await parse_pull_page_cooperatively(status, headers, body, stream)
            else:
                page = await self._remote.pull(stream, after, limit, install_id=self._install_id())
        except Rejected as exc:
            # A cursor the server no longer understands (another server, another format)
            # is handled like must_refetch: rebuild the stream rather than stay stuck.
            if isinstance(exc, MustRefetch) or (exc.code == "invalid_cursor" and after):
                raise _Refetch(exc) from exc
            raise
        validate_page(page, stream, after, limit)
        return page

    def _apply(
        self,
        apply: Callable[[str, PullPage, str | None], int],
        stream: str,
        page: PullPage,
        after: str | None,
    ) -> tuple[int, StreamState]:
        """One page and its cursor in one transaction, then the state it left (cache-writer thread)."""
        return apply(stream, page, after), self._cache.stream(stream)

    async def _pipeline(
        self, stream: str, state: StreamState, totals: _Totals, writer: BulkWriter | None
    ) -> PullPage:
        """Fetch page N+1 while page N is written; returns the last page once it is committed.

        At most one page is being fetched and one written. Whatever ends the pull (an error, a
        refusal, cancellation), the write in flight finishes first, so every committed page is
        whole and matches its cursor, and no later page is written. With a ``writer``, big pages
        are fetched unread and the writer process reads them: the next fetch waits for its reading
        of the page's cursor, and such a page is returned without its changes.
        """
        bulk = state.needs_refetch
        apply = self._cache.apply_refetch_page if bulk else self._cache.apply_page
        limit = self._bulk_page_size if bulk else self._page_size
        after = state.position
        start_version = cursor_version(after)
        loop = asyncio.get_running_loop()
        rows = 0
        fetching = asyncio.create_task(self._fetch(stream, after, limit, writer), name=f"pull-{stream}")
        writing: asyncio.Future[tuple[int, StreamState]] | None = None
        try:
            while True:
                fetched = await fetching
                if isinstance(fetched, PullPage):
                    page = fetched
                else:
                    assert writer is not None  # only a pull with a writer leaves pages unread
                    head: asyncio.Future[PullPage] = loop.create_future()
                    # The write goes on in the background if we are cancelled; the finally waits for it.
                    writing = loop.run_in_executor(
                        self._executor,
                        partial(
                            writer.write_page,
                            stream,
                            fetched.answer,
                            after,
                            fetched.limit,
                            _deliver(loop, head),
                        ),
                    )
                    page = await _head(head, writing)
                if page.has_more:
                    # Asked with this page's cursor before it is committed: pages apply in order,
                    # and apply_* refuses (StaleCursor) a page that does not continue the stream.
                    # More than a page waiting: a big delta is moved in bulk pages too.
                    fetching = asyncio.create_task(
                        self._fetch(stream, page.next_cursor, self._bulk_page_size, writer),
                        name=f"pull-{stream}",
                    )
                if page.terminal is not None and self._on_terminal is not None:
                    self._on_terminal(page.terminal)
                if writing is None:
                    # The write goes on in the background if we are cancelled; the finally waits for it.
                    writing = loop.run_in_executor(
                        self._executor, partial(self._apply, apply, stream, page, after)
                    )
                applied, committed = await asyncio.shield(writing)
                writing = None
                rows += applied
                totals.pages += 1
                totals.changes += applied
                if self._on_page is not None:
                    self._on_page(PullProgress.of(committed, page, start_version, rows, bulk))
                if not page.has_more:
                    return page
                after = page.next_cursor
        finally:
            if not fetching.done():
                fetching.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await fetching  # retrieved, so a failed prefetch is never logged as unhandled
            if writing is not None and not writing.done():
                try:
                    await writing
                except Exception:
                    log.exception("%s: a page write failed while the pull was ending", stream)


def _deliver(loop: asyncio.AbstractEventLoop, head: asyncio.Future[PullPage]) -> Callable[[PullPage], None]:
    """Hands the writer process's reading of a page from the cache-writer thread to the loop; never raises."""

    def settle(page: PullPage) -> None:
        if not head.done():
            head.set_result(page)

    def deliver(page: PullPage) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits for the page any more
            loop.call_soon_threadsafe(settle, page)

    return deliver


async def _head(head: asyncio.Future[PullPage], writing: asyncio.Future[tuple[int, StreamState]]) -> PullPage:
    """The page as the writer process read it (without its changes), or what kept it from being read."""
    await asyncio.wait((head, writing), return_when=asyncio.FIRST_COMPLETED)
    if not head.done():
        writing.result()  # raises: the head comes before the write ends, and only a failure skips it
    return head.result()
