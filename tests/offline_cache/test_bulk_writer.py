"""Full loads through the bulk-writer process: the same cache as in-process, the same errors, no orphans.

The writer process reads, checks and writes a full load's pages (``offline_cache.bulk_writer``).
These tests hold it to the in-process path: the same rows and cursors from the real central, the
same refusal (type, message and fields) for a fuzzed page with nothing written, a clean failure
when it is killed mid-write and a retry that completes the load, and no process left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from central.db import Database
from offline_cache import bulk_writer, protocol
from offline_cache import engine as engine_module
from offline_cache.bulk_writer import BulkWriter, WriterLost
from offline_cache.cache_store import CacheStore, StaleCursor
from offline_cache.engine import SyncEngine
from offline_cache.puller import Puller
from offline_cache.remote import (
    MalformedResponse,
    PullPage,
    RawAnswer,
    RawPuller,
    RetryLater,
    Unreachable,
)
from tests.offline_cache.conftest import Device, PullOnlyRemote, enrol
from tests.offline_cache.test_r8_fuzz_responses import LIMIT, STORE_LEVEL, STREAM, answer, pull_document

WAIT_S = 10.0


def stock_change(n: int, version: int) -> dict[str, Any]:
    sku = f"SKU-{n}"
    data = {"sku": sku, "location_id": "CZ-PRG-01", "on_hand": n, "reserved": 0}
    return {"entity": "stock", "key": f"{sku}@CZ-PRG-01", "version": version, "op": "upsert", "data": data}


def stock_answers(pages: int, per_page: int = 3) -> list[RawAnswer]:
    """A full load of ``stock:CZ-PRG-01`` as the server sends it: versions 10, 20, 30 ..., one row each."""
    answers: list[RawAnswer] = []
    for p in range(pages):
        numbers = range(p * per_page + 1, (p + 1) * per_page + 1)
        document = {
            "stream": STREAM,
            "changes": [stock_change(n, n * 10) for n in numbers],
            "next_cursor": f"v1.{numbers[-1] * 10}",
            "has_more": p < pages - 1,
            "checksum": "crc32:0",
            "server_version": pages * per_page * 10,
            "stream_version": pages * per_page * 10,
        }
        answers.append((200, {"content-type": "application/json"}, json.dumps(document).encode()))
    return answers


async def _open(_cursor: str | None) -> None:
    return None


class RawRemote(PullOnlyRemote):
    """A `RawPuller` answering pulls from a list of raw answers; ``gate`` can hold a request."""

    def __init__(self, answers: list[RawAnswer]) -> None:
        self.answers = list(answers)
        self.cursors: list[str | None] = []
        self.gate: Callable[[str | None], Awaitable[None]] = _open

    async def pull_raw(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None
    ) -> RawAnswer:
        self.cursors.append(cursor)
        await self.gate(cursor)
        if not self.answers:
            raise Unreachable("no more pages in this test")
        return self.answers.pop(0)

    async def pull(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None
    ) -> PullPage:
        return protocol.parse_pull_page(*await self.pull_raw(stream, cursor, limit), stream)


def stock_puller(
    remote: RawRemote, cache: CacheStore, executor: ThreadPoolExecutor, writer: BulkWriter, **options: Any
) -> Puller:
    """A puller of `stock_answers` pages (3 rows each) through ``writer``."""
    return Puller(remote, cache, page_size=3, executor=executor, bulk_writer=writer, **options)


def dump(cache: CacheStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted; the sync_stream rows without their wall-clock time."""
    db = cache.reader()
    names = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
            "ORDER BY name"
        )
    ]
    tables = {name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}
    tables["sync_stream"] = sorted(
        db.execute(
            "SELECT stream, cursor, needs_refetch, refetch_cursor, checksum, caught_up_version, "
            "server_version, changes_applied FROM sync_stream"
        ).fetchall()
    )
    return tables


def writer_processes() -> list[multiprocessing.process.BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.name == "cache-bulk-writer"]


def wait_until_dead(pid: int) -> None:
    """Until ``pid`` has exited (it may still wait to be reaped)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except FileNotFoundError:
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.01)
    raise TimeoutError(f"process {pid} still runs")


def reaped(pid: int) -> bool:
    """Whether ``pid``, a child of ours, is gone for good: exited and waited for (no zombie)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return not Path(f"/proc/{pid}").exists()
    return False


def test_the_transports_give_raw_answers() -> None:
    from kiosk.api.remote import CentralRemote
    from offline_cache.http_remote import HttpRemote

    assert isinstance(CentralRemote("http://central.test"), RawPuller)
    assert isinstance(HttpRemote("http://central.test"), RawPuller)


# -- the same cache ----------------------------------------------------------------------------------


@pytest.fixture
def every_page_to_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's writer takes the small pages of the test central too."""
    monkeypatch.setattr(BulkWriter, "takes", lambda _self, _answer: True)


@pytest.mark.usefixtures("every_page_to_the_process")
async def test_a_full_sync_through_the_writer_process_gives_the_same_cache_as_in_process(
    central_db: Database, tmp_path: Path
) -> None:
    devices: list[Device] = [await enrol(central_db, tmp_path / name) for name in ("process", "inline")]
    try:
        seen: list[list[str]] = []
        in_process = devices[0].engine()
        in_process.subscribe(lambda _status: seen.append([p.name for p in writer_processes()]))
        inline = devices[1].engine(bulk_process=False)
        try:
            await in_process.run_once()
            await inline.run_once()
        finally:
            in_process.close()
            inline.close()
        assert any("cache-bulk-writer" in names for names in seen)  # the pages did go to the process
        assert writer_processes() == []  # and it ended with the pass
        through_process, read_here = dump(devices[0].cache), dump(devices[1].cache)
        assert devices[0].cache.counts()["catalog"] > 0
        assert through_process == read_here
    finally:
        for device in devices:
            device.outbox.close()
            device.cache.close()
            await device.remote.aclose()


async def test_a_load_of_many_pages_applies_them_in_order_and_reports_progress(
    cache: CacheStore, executor: ThreadPoolExecutor
) -> None:
    remote = RawRemote(stock_answers(4))
    done: list[tuple[int, bool]] = []
    writer = BulkWriter(cache.path, smallest_page=0)
    puller = stock_puller(
        remote, cache, executor, writer, on_page=lambda p: done.append((p.rows_done, p.done))
    )
    report = await puller.pull(STREAM)
    assert remote.cursors == [None, "v1.30", "v1.60", "v1.90"]
    assert (report.pages, report.changes, report.refetched, report.server_version) == (4, 12, False, 120)
    assert done == [(3, False), (6, False), (9, False), (12, True)]
    assert cache.cursor(STREAM) == "v1.120"
    assert [level.on_hand for n in range(1, 13) for level in cache.stock_for(f"SKU-{n}")] == list(
        range(1, 13)
    )
    assert writer.pid is None  # the pull's session ended: so did the process


async def test_small_pages_are_read_here_and_start_no_process(
    cache: CacheStore, executor: ThreadPoolExecutor
) -> None:
    remote = RawRemote(stock_answers(3))
    writer = BulkWriter(cache.path)  # the default: a page of 3 rows is far below it
    pids: list[int | None] = []
    puller = stock_puller(remote, cache, executor, writer, on_page=lambda _p: pids.append(writer.pid))
    report = await puller.pull(STREAM)
    assert (report.pages, report.changes) == (3, 9)
    assert pids == [None, None, None]
    assert cache.cursor(STREAM) == "v1.90"


async def test_once_the_process_runs_it_takes_every_page_the_small_last_one_and_its_swap_too(
    cache: CacheStore, executor: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = RawRemote(stock_answers(3))
    writer = BulkWriter(cache.path)  # pages of 3 rows are far below its size
    writer.start()

    def not_here(*_args: object) -> int:
        raise AssertionError("a page of the load was written in the app's process")

    monkeypatch.setattr(CacheStore, "apply_refetch_page", not_here)  # this process's only
    puller = stock_puller(remote, cache, executor, writer)
    report = await puller.pull(STREAM)
    assert (report.pages, report.changes, report.refetched) == (3, 9, False)
    assert cache.cursor(STREAM) == "v1.90"  # swapped in by the process
    assert writer.pid is None


# -- the same errors -----------------------------------------------------------------------------------


@dataclass
class FuzzCaches:
    """A cache read in-process and one written by a writer process, kept for every example of a test."""

    loop: asyncio.AbstractEventLoop
    inline: CacheStore
    child: CacheStore
    writer: BulkWriter


@pytest.fixture
def fuzz_caches() -> Iterator[FuzzCaches]:
    """On tmpfs when there is one (fsync is not the topic); one writer process serves every example,
    as it serves every page of a load: a session is open around them all."""
    shm = Path("/dev/shm")
    path = Path(
        tempfile.mkdtemp(prefix="bulk-", dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None)
    )
    loop = asyncio.new_event_loop()
    inline, child = CacheStore.open(path / "inline.db"), CacheStore.open(path / "child.db")
    writer = BulkWriter(child.path, smallest_page=0)
    session = contextlib.AsyncExitStack()
    loop.run_until_complete(session.enter_async_context(writer.session()))
    yield FuzzCaches(loop, inline, child, writer)
    loop.run_until_complete(session.aclose())
    loop.close()
    inline.close()
    child.close()
    shutil.rmtree(path, ignore_errors=True)


def _empty(cache: CacheStore) -> None:
    """Back to a cache that never pulled: no stream row, no stock, no shadow table."""
    db = cache.reader()
    shadows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'refetch_*'")
    for (name,) in shadows.fetchall():
        db.execute(f'DROP TABLE "{name}"')
    db.execute("DELETE FROM stock")
    db.execute("DELETE FROM sync_stream")


def _load_then(
    raw: RawAnswer, loop: asyncio.AbstractEventLoop, cache: CacheStore, writer: BulkWriter | None
) -> tuple[object, object]:
    """A full load whose first page is good and whose second is ``raw``: how it ended, and the cache."""
    _empty(cache)
    first = stock_answers(2)[0]  # SKU-1..3, has_more
    remote = RawRemote([first, raw])
    puller = Puller(remote, cache, page_size=LIMIT, bulk_writer=writer)
    outcome: object
    try:
        loop.run_until_complete(puller.pull(STREAM))
        outcome = "loaded"
    except Exception as exc:
        outcome = (type(exc), str(exc), exc.args, {k: v for k, v in vars(exc).items() if k != "__notes__"})
    return outcome, dump(cache)


@settings(STORE_LEVEL, max_examples=150)
@given(raw=answer(pull_document()))
def test_a_fuzzed_page_fails_in_the_writer_process_as_in_process_and_writes_nothing(
    fuzz_caches: FuzzCaches, raw: tuple[int, dict[str, str], bytes]
) -> None:
    f = fuzz_caches
    expected = _load_then(raw, f.loop, f.inline, None)
    got = _load_then(raw, f.loop, f.child, f.writer)
    assert got == expected
    if expected[0] != "loaded":
        assert f.child.cursor(STREAM) is None  # the first load is not over: the old (empty) table stays
        assert f.child.stream(STREAM).refetch_cursor == "v1.30"  # where the first page left it


async def test_an_error_comes_back_as_its_own_type_with_its_fields(
    cache: CacheStore, executor: ThreadPoolExecutor
) -> None:
    writer = BulkWriter(cache.path, smallest_page=0)
    busy = (429, {"retry-after": "7"}, b'{"code":"busy","detail":"later"}')
    loop = asyncio.get_running_loop()
    try:
        with pytest.raises(RetryLater) as raised:
            await loop.run_in_executor(executor, writer.write_page, STREAM, busy, None, 10, lambda _p: None)
        with pytest.raises(RetryLater) as here:
            protocol.parse_pull_page(*busy, STREAM)
        assert (raised.value.args, vars(raised.value)) == (here.value.args, vars(here.value))
        assert raised.value.retry_after == 7.0
        # A page that does not continue the stream's load is refused by the store, in the child.
        cache.begin_refetch(STREAM)
        with pytest.raises(StaleCursor, match=r"not 'v1\.5'"):
            await loop.run_in_executor(
                executor, writer.write_page, STREAM, stock_answers(1)[0], "v1.5", 10, lambda _p: None
            )
        with pytest.raises(MalformedResponse, match="not JSON"):
            await loop.run_in_executor(
                executor, writer.write_page, STREAM, (200, {}, b"{"), None, 10, lambda _p: None
            )
        assert cache.stream(STREAM).refetch_cursor is None
    finally:
        writer.stop()


# -- a process that dies -----------------------------------------------------------------------------


async def test_the_writer_process_killed_mid_write_fails_the_pull_and_a_retry_completes_the_load(
    cache: CacheStore, executor: ThreadPoolExecutor
) -> None:
    remote = RawRemote(stock_answers(4))
    writer = BulkWriter(cache.path, smallest_page=0)
    # Once page 1 is committed, this lock is taken: page 2's write waits for it inside its
    # transaction, where the child is killed (the fetch of page 3 starts as the child read page 2).
    blocker = sqlite3.connect(cache.path, isolation_level=None)
    page_1_committed = asyncio.Event()
    writing_page_2 = asyncio.Event()

    async def gate(cursor: str | None) -> None:
        if cursor == "v1.30":
            await page_1_committed.wait()
            blocker.execute("BEGIN IMMEDIATE")
        if cursor == "v1.60":
            writing_page_2.set()

    remote.gate = gate
    puller = stock_puller(remote, cache, executor, writer, on_page=lambda progress: page_1_committed.set())
    pulling = asyncio.create_task(puller.pull(STREAM))
    async with asyncio.timeout(WAIT_S):
        await writing_page_2.wait()
    pid = writer.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WriterLost):
        await pulling
    blocker.execute("ROLLBACK")
    blocker.close()
    assert reaped(pid)
    state = cache.stream(STREAM)
    assert (state.needs_refetch, state.refetch_cursor, state.cursor) == (True, "v1.30", None)

    remote.answers = stock_answers(4)[1:]  # the server answers page 2 again, and the rest
    remote.gate = _open
    report = await stock_puller(remote, cache, executor, writer).pull(STREAM)
    assert report.pages == 3
    assert cache.cursor(STREAM) == "v1.120"
    assert len([level for n in range(1, 13) for level in cache.stock_for(f"SKU-{n}")]) == 12
    assert writer.pid is None


async def test_a_writer_process_that_died_while_idle_is_replaced_without_failing_a_page(
    cache: CacheStore, executor: ThreadPoolExecutor
) -> None:
    remote = RawRemote(stock_answers(3)[:2])
    writer = BulkWriter(cache.path, smallest_page=0)
    puller = stock_puller(remote, cache, executor, writer)
    async with writer.session():
        with pytest.raises(Unreachable):  # the network went away after two pages
            await puller.pull(STREAM)
        pid = writer.pid
        assert pid is not None  # the session keeps the process between pulls
        os.kill(pid, signal.SIGKILL)
        await asyncio.to_thread(wait_until_dead, pid)
        remote.answers = stock_answers(3)[2:]
        await puller.pull(STREAM)
        replacement = writer.pid
    assert replacement not in (None, pid)
    assert writer.pid is None
    assert reaped(pid)
    assert cache.cursor(STREAM) == "v1.90"


# -- no process left behind ----------------------------------------------------------------------------


def raw_engine(kiosk: Device, streams: list[str], **options: Any) -> SyncEngine:
    """An engine on the device's own transport (a RawPuller, so full loads use the writer process)."""
    return SyncEngine(
        kiosk.remote,
        kiosk.cache,
        kiosk.outbox,
        terminal_id=kiosk.device_id,
        streams=streams,
        live=False,
        **options,
    )


@pytest.mark.usefixtures("every_page_to_the_process")
async def test_engine_close_stops_the_writer_process(kiosk: Device, monkeypatch: pytest.MonkeyPatch) -> None:
    held = asyncio.Event()
    release = asyncio.Event()
    remote = kiosk.remote
    real_pull_raw = remote.pull_raw

    async def pull_raw(stream: str, cursor: str | None, limit: int, **options: Any) -> RawAnswer:
        if stream == "catalog" and cursor is not None:
            held.set()
            await release.wait()  # the catalog's load stops after its first page, its process up
        return await real_pull_raw(stream, cursor, limit, **options)

    monkeypatch.setattr(remote, "pull_raw", pull_raw)
    engine = raw_engine(kiosk, ["catalog"], page_size=100)
    running = asyncio.create_task(engine.run_forever())
    try:
        async with asyncio.timeout(WAIT_S):
            await held.wait()
        [process] = writer_processes()
        pid = process.pid
        assert pid is not None
        engine.close()
        assert reaped(pid)
        assert writer_processes() == []
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        engine.close()


@pytest.mark.parametrize("big_server", [True, False])
async def test_a_full_load_on_a_big_server_starts_the_writer_process_before_its_first_page(
    kiosk: Device, monkeypatch: pytest.MonkeyPatch, big_server: bool
) -> None:
    """Its start-up overlaps the first fetches; a small server's load (a test's, a shop's) starts none."""
    if big_server:
        monkeypatch.setattr(engine_module, "EARLY_WRITER_VERSIONS", 1)
    remote = kiosk.remote
    real_pull_raw = remote.pull_raw
    running_at_first_page: list[bool] = []

    async def pull_raw(stream: str, cursor: str | None, limit: int, **options: Any) -> RawAnswer:
        if stream == "catalog" and cursor is None:
            running_at_first_page.append(bool(writer_processes()))
        return await real_pull_raw(stream, cursor, limit, **options)

    monkeypatch.setattr(remote, "pull_raw", pull_raw)
    engine = raw_engine(kiosk, ["locations", "catalog"])
    try:
        await engine.run_once()
    finally:
        engine.close()
    assert running_at_first_page == [big_server]
    assert writer_processes() == []  # ended with the pass
    assert kiosk.cache.counts()["catalog"] > 0


def test_the_writer_process_runs_below_the_apps_priority(cache: CacheStore) -> None:
    """A full load is background work: the app's threads (the event loop's) get the CPU first."""
    writer = BulkWriter(cache.path)
    writer.start()
    try:
        assert writer.pid is not None
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, writer.pid) == min(ours + bulk_writer.WRITER_NICENESS, 19)
    finally:
        writer.stop()
    assert writer.pid is None
