"""The pipelined puller: pages apply in order while the next is fetched, stop cleanly, load whole.

A fake Remote serves prepared pages and lets each test hold a request or a write at a chosen point,
so overlap, failures and cancellation land exactly between two pages.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from offline_cache import protocol
from offline_cache.cache_store import CacheStore, StaleCursor, StreamState
from offline_cache.puller import Puller, PullProgress
from offline_cache.remote import (
    Change,
    MalformedResponse,
    PullPage,
    Unreachable,
)
from tests.offline_cache.conftest import PullOnlyRemote

STREAM = "stock:CZ-PRG-01"
WAIT_S = 10.0


def stock(n: int, version: int) -> Change:
    sku = f"SKU-{n}"
    data = {"sku": sku, "location_id": "CZ-PRG-01", "on_hand": n, "reserved": 0, "available": n}
    return Change("stock", f"{sku}@CZ-PRG-01", version, "upsert", data)


def product(n: int, version: int) -> Change:
    sku = f"P-{n:05d}"
    data = {"sku": sku, "names": {"en": f"Product {n}"}, "category_id": "home", "prices": {"EUR": 100 + n}}
    return Change("product", sku, version, "upsert", data)


def stock_pages(count: int, per_page: int = 3, head: int | None = None) -> list[PullPage]:
    """``count`` pages of ``per_page`` stock rows; versions 10, 20, 30 ... one row each."""
    pages = []
    last = count * per_page * 10
    for p in range(count):
        changes = tuple(stock(n, n * 10) for n in range(p * per_page + 1, (p + 1) * per_page + 1))
        pages.append(
            PullPage(
                STREAM,
                changes,
                f"v1.{changes[-1].version}",
                p < count - 1,
                "crc32:0",
                last + 5,
                stream_version=head if head is not None else last,
            )
        )
    return pages


class ScriptedRemote(PullOnlyRemote):
    """Answers pulls from a list (a page or an exception each); ``gate`` can hold a request."""

    def __init__(self, *answers: PullPage | Exception) -> None:
        self.answers = list(answers)
        self.cursors: list[str | None] = []
        self.gate: Callable[[str | None], asyncio.Future[None] | None] = lambda _cursor: None

    async def pull(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None
    ) -> PullPage:
        self.cursors.append(cursor)
        held = self.gate(cursor)
        if held is not None:
            await held
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


async def loaded(cache: CacheStore, executor: ThreadPoolExecutor, cursor: str = "v1.30") -> None:
    """The stream's first load done: three rows up to ``cursor``."""
    page = PullPage(STREAM, tuple(stock(n, n * 10) for n in (1, 2, 3)), cursor, False, "crc32:0", 30)
    await Puller(ScriptedRemote(page), cache, executor=executor).pull(STREAM)


def stock_skus(cache: CacheStore) -> list[str]:
    rows = cache.reader().execute("SELECT sku FROM stock ORDER BY version").fetchall()
    return [r[0] for r in rows]


def delta_pages(count: int) -> list[PullPage]:
    """Pages continuing after ``loaded``: versions from 40 on."""
    pages = []
    for p in range(count):
        changes = tuple(stock(n, n * 10) for n in range(4 + 2 * p, 6 + 2 * p))
        pages.append(PullPage(STREAM, changes, f"v1.{changes[-1].version}", p < count - 1, "crc32:0", 999))
    return pages


# -- order and overlap -----------------------------------------------------------------------------


async def test_the_next_page_is_fetched_while_a_page_is_written_and_pages_apply_in_order(
    cache: CacheStore, executor: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    await loaded(cache, executor)
    remote = ScriptedRemote(*delta_pages(4))
    events: list[str] = []
    next_requested = threading.Event()
    overlapped: list[bool] = []
    real_apply = cache.apply_page

    def apply(stream: str, page: PullPage, after: str | None) -> int:
        events.append(f"apply {after}")
        if after == "v1.30":
            # Serial pulling would deadlock here: page 2 is only asked for after this write.
            overlapped.append(next_requested.wait(WAIT_S))
        return real_apply(stream, page, after)

    def gate(cursor: str | None) -> None:
        events.append(f"fetch {cursor}")
        if cursor == "v1.50":
            next_requested.set()

    remote.gate = gate
    monkeypatch.setattr(cache, "apply_page", apply)
    report = await Puller(remote, cache, executor=executor).pull(STREAM)

    assert overlapped == [True]
    assert remote.cursors == ["v1.30", "v1.50", "v1.70", "v1.90"]  # each asked with the last page's cursor
    applies = [e for e in events if e.startswith("apply")]
    assert applies == ["apply v1.30", "apply v1.50", "apply v1.70", "apply v1.90"]
    assert events.index("fetch v1.50") < events.index("apply v1.50")
    assert (report.pages, report.changes, report.refetched) == (4, 8, False)
    assert cache.cursor(STREAM) == "v1.110"
    assert stock_skus(cache) == [f"SKU-{n}" for n in range(1, 12)]


async def test_a_big_delta_switches_to_bulk_pages_after_its_first(
    cache: CacheStore, executor: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    await loaded(cache, executor)
    limits: list[int] = []
    remote = ScriptedRemote(*delta_pages(3))
    real_pull = remote.pull

    async def pull(stream: str, cursor: str | None, limit: int, *, install_id: str | None = None) -> PullPage:
        limits.append(limit)
        return await real_pull(stream, cursor, limit, install_id=install_id)

    monkeypatch.setattr(remote, "pull", pull)
    await Puller(remote, cache, executor=executor, page_size=2, bulk_page_size=7).pull(STREAM)
    assert limits == [2, 7, 7]


# -- failures and cancellation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        Unreachable("the network went away"),
        PullPage(STREAM, (stock(9, 60),), "v1.60", True, "crc32:0", 999),  # goes backwards: malformed
    ],
)
async def test_a_failed_fetch_mid_pipeline_keeps_every_written_page_with_its_cursor(
    cache: CacheStore, executor: ThreadPoolExecutor, failure: PullPage | Exception
) -> None:
    await loaded(cache, executor)
    first, second, third = delta_pages(3)
    remote = ScriptedRemote(first, second, failure, third)
    with pytest.raises((Unreachable, MalformedResponse)):
        await Puller(remote, cache, executor=executor).pull(STREAM)
    # The two pages before the failure are in, each with its cursor; nothing after it is asked or written.
    assert remote.cursors == ["v1.30", "v1.50", "v1.70"]
    assert cache.cursor(STREAM) == "v1.70"
    assert stock_skus(cache) == [f"SKU-{n}" for n in range(1, 8)]


async def test_a_failed_write_stops_the_pull_before_any_later_page(
    cache: CacheStore, executor: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    await loaded(cache, executor)
    remote = ScriptedRemote(*delta_pages(4))
    real_apply = cache.apply_page

    def apply(stream: str, page: PullPage, after: str | None) -> int:
        if after == "v1.50":
            raise OSError("disk full")
        return real_apply(stream, page, after)

    monkeypatch.setattr(cache, "apply_page", apply)
    with pytest.raises(OSError, match="disk full"):
        await Puller(remote, cache, executor=executor).pull(STREAM)
    assert cache.cursor(STREAM) == "v1.50"
    assert stock_skus(cache) == [f"SKU-{n}" for n in range(1, 6)]
    assert "v1.90" not in remote.cursors  # at most one page was asked for ahead of the failure


async def test_a_page_that_does_not_continue_the_stream_is_refused_unwritten(
    cache: CacheStore, executor: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    await loaded(cache, executor)
    remote = ScriptedRemote(*delta_pages(2))
    real_apply = cache.apply_page

    def apply(stream: str, page: PullPage, after: str | None) -> int:
        if after == "v1.30":
            # Another puller moved the stream meanwhile: the prefetched page no longer continues it.
            real_apply(stream, PullPage(STREAM, (), "v1.35", False, "crc32:0", 999), "v1.30")
        return real_apply(stream, page, after)

    monkeypatch.setattr(cache, "apply_page", apply)
    with pytest.raises(StaleCursor):
        await Puller(remote, cache, executor=executor).pull(STREAM)
    assert cache.cursor(STREAM) == "v1.35"
    assert stock_skus(cache) == ["SKU-1", "SKU-2", "SKU-3"]


async def test_cancelling_mid_write_lets_that_page_finish_and_writes_nothing_after(
    cache: CacheStore, executor: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    await loaded(cache, executor)
    remote = ScriptedRemote(*delta_pages(4))
    writing = threading.Event()
    release = threading.Event()
    real_apply = cache.apply_page

    def apply(stream: str, page: PullPage, after: str | None) -> int:
        if after == "v1.50":
            writing.set()
            release.wait(WAIT_S)
        return real_apply(stream, page, after)

    monkeypatch.setattr(cache, "apply_page", apply)
    task = asyncio.create_task(Puller(remote, cache, executor=executor).pull(STREAM))
    assert await asyncio.to_thread(writing.wait, WAIT_S)
    task.cancel()
    await asyncio.sleep(0.05)
    assert not task.done()  # still waiting for the write in flight: never left half-applied
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cache.cursor(STREAM) == "v1.70"  # the page being written landed whole, with its cursor
    assert stock_skus(cache) == [f"SKU-{n}" for n in range(1, 8)]

    # Pulling again carries on from there.
    monkeypatch.undo()
    rest = ScriptedRemote(*delta_pages(4)[2:])
    await Puller(rest, cache, executor=executor).pull(STREAM)
    assert rest.cursors == ["v1.70", "v1.90"]
    assert cache.cursor(STREAM) == "v1.110"


async def test_cancelling_mid_fetch_leaves_no_task_behind(
    cache: CacheStore, executor: ThreadPoolExecutor
) -> None:
    await loaded(cache, executor)
    remote = ScriptedRemote(*delta_pages(3))
    never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    asked = asyncio.Event()

    def gate(cursor: str | None) -> asyncio.Future[None] | None:
        if cursor != "v1.50":
            return None
        asked.set()
        return never

    remote.gate = gate
    before = asyncio.all_tasks()
    task = asyncio.create_task(Puller(remote, cache, executor=executor).pull(STREAM))
    await asyncio.wait_for(asked.wait(), WAIT_S)
    await asyncio.sleep(0.1)  # page 1's write commits meanwhile
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert asyncio.all_tasks() == before
    assert never.cancelled()
    assert cache.cursor(STREAM) == "v1.50"
    assert stock_skus(cache) == [f"SKU-{n}" for n in range(1, 6)]


# -- the first load --------------------------------------------------------------------------------


async def test_a_first_load_appears_whole_to_a_reader_on_another_thread(
    cache: CacheStore, executor: ThreadPoolExecutor
) -> None:
    total = 12 * 25
    pages = []
    for p in range(12):
        changes = tuple(product(n, n) for n in range(p * 25 + 1, (p + 1) * 25 + 1))
        pages.append(
            PullPage(
                "catalog", changes, f"v1.{changes[-1].version}", p < 11, "crc32:0", 400, stream_version=total
            )
        )
    remote = ScriptedRemote(*pages)
    seen: set[int] = set()
    stop = threading.Event()

    def reader() -> None:
        db = cache.reader()
        while not stop.is_set():
            seen.add(db.execute("SELECT COUNT(*) FROM product").fetchone()[0])

    progress: list[PullProgress] = []
    watching = threading.Thread(target=reader)
    watching.start()
    try:
        report = await Puller(remote, cache, executor=executor, page_size=25, on_page=progress.append).pull(
            "catalog"
        )
    finally:
        stop.set()
        watching.join()
    seen.add(cache.reader().execute("SELECT COUNT(*) FROM product").fetchone()[0])
    assert seen == {0, total}  # never a part of the catalog
    assert report.pages == 12
    assert not report.refetched  # a first load is not a rebuild
    state = cache.stream("catalog")
    assert (state.cursor, state.needs_refetch, state.caught_up_version) == (f"v1.{total}", False, 400)
    # Progress: rows staged so far and the share of versions covered, whole at the end.
    assert [p.rows_done for p in progress] == [25 * (n + 1) for n in range(12)]
    assert all(p.bulk for p in progress)
    fractions = [p.fraction or 0.0 for p in progress]
    assert fractions == sorted(fractions)
    assert progress[0].fraction == pytest.approx(25 / total)
    assert progress[0].rows_estimate == total
    assert (progress[-1].fraction, progress[-1].done, progress[-1].rows_estimate) == (1.0, True, total)
    assert not any(p.done for p in progress[:-1])


async def test_an_interrupted_first_load_resumes_and_still_appears_whole(
    cache: CacheStore, executor: ThreadPoolExecutor
) -> None:
    pages = stock_pages(4)
    with pytest.raises(Unreachable):
        await Puller(ScriptedRemote(pages[0], pages[1], Unreachable("gone")), cache, executor=executor).pull(
            STREAM
        )
    state = cache.stream(STREAM)
    assert (state.cursor, state.needs_refetch, state.refetch_cursor) == (None, True, "v1.60")
    assert stock_skus(cache) == []  # staged, not shown
    remote = ScriptedRemote(pages[2], pages[3])
    report = await Puller(remote, cache, executor=executor).pull(STREAM)
    assert remote.cursors == ["v1.60", "v1.90"]  # carried on, not started over
    assert not report.refetched
    assert cache.cursor(STREAM) == "v1.120"
    assert stock_skus(cache) == [f"SKU-{n}" for n in range(1, 13)]


def test_progress_without_a_stream_version_has_no_fraction() -> None:
    page = PullPage(STREAM, (), "v1.40", True, "crc32:0", 99)
    committed = StreamState(STREAM, "v1.40", False, None, None, None, None, 99, 5)
    progress = PullProgress.of(committed, page, 0, 5, bulk=False)
    assert (progress.fraction, progress.rows_estimate, progress.done) == (None, None, False)
    halfway = PullProgress.of(
        committed, PullPage(STREAM, (), "v1.40", True, "c", 99, stream_version=80), 0, 5, False
    )
    assert (halfway.fraction, halfway.rows_estimate) == (0.5, 10)


# -- the page parser -------------------------------------------------------------------------------


def test_the_page_reader_reads_any_spacing_and_escapes_like_json_loads() -> None:
    data = {"sku": "SKU-1", "names": {"en": 'Chair "Runa"', "bg": "Стол"}, "n": [1, 2.5, None, True]}
    compact = json.dumps(
        {
            "stream": "catalog",
            "changes": [{"entity": "product", "key": "SKU-1", "version": 5, "op": "upsert", "data": data}],
            "next_cursor": "v1.5",
            "has_more": False,
            "checksum": "crc32:0",
            "server_version": 9,
            "stream_version": 5,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    spaced = json.dumps(json.loads(compact), indent=2)
    escaped = compact.replace('"entity"', '"\\u0065ntity"').replace('"data"', '"d\\u0061ta"')
    for body in (compact, spaced, escaped, " \n" + compact + "\r\n"):
        page = protocol.parse_pull_page(200, {}, body.encode(), "catalog")
        [change] = page.changes
        assert (change.entity, change.key, change.version, change.op) == ("product", "SKU-1", 5, "upsert")
        assert change.data == data
        # In any layout a product's text is kept as sent, its indexed members read (JsonText).
        assert isinstance(change.data, protocol.JsonText)
        assert json.loads(change.data.text) == data  # the text the cache stores is the object itself
        assert (page.next_cursor, page.server_version, page.stream_version) == ("v1.5", 9, 5)


@pytest.mark.parametrize(
    "body",
    [
        b'{"stream":"catalog","changes":[{"entity":"product","key":"S","version":1,"op":"upsert","data":{}}',
        b'{"stream":"catalog","changes":[],"next_cursor":"v1.1","has_more":false,"checksum":"",'
        b'"server_version":1} x',
        b'{"stream":"catalog","changes":[,],"next_cursor":"v1.1"}',
        b'{"stream":"catalog","changes":[{"entity":"product" "key":"S"}]}',
        b'{"stream":"catalog","changes":[{"entity":"product","key":"S","version":NaN,"op":"delete"}]}',
        b'{"stream":"catalog","changes":{"entity":"product"},"next_cursor":"v1.1","has_more":false,'
        b'"checksum":"","server_version":1}',
        b'{"stream":"catalog","changes":[{"entity":"product","key":"S","version":1,"op":"upsert","data":[1]}],'
        b'"next_cursor":"v1.1","has_more":false,"checksum":"","server_version":1}',
    ],
)
def test_the_page_reader_refuses_what_json_loads_refuses_or_the_contract_forbids(body: bytes) -> None:
    with pytest.raises(MalformedResponse):
        protocol.parse_pull_page(200, {}, body, "catalog")


async def test_a_big_page_is_parsed_in_slices_that_let_the_loop_run() -> None:
    changes = [
        {
            "entity": "product",
            "key": f"P-{n}",
            "version": n,
            "op": "upsert",
            "data": {"sku": f"P-{n}", "x": "é" * 400},
        }
        for n in range(1, 2001)
    ]
    body = json.dumps(
        {
            "stream": "catalog",
            "changes": changes,
            "next_cursor": "v1.2000",
            "has_more": False,
            "checksum": "",
            "server_version": 2000,
        },
        ensure_ascii=False,
    ).encode()
    assert sum(1 for _ in protocol.read_pull_page(200, {}, body, "catalog")) > 5
    ticks = 0
    parsing = asyncio.create_task(protocol.parse_pull_page_cooperatively(200, {}, body, "catalog"))
    while not parsing.done():
        ticks += 1
        await asyncio.sleep(0)
    page = await parsing
    assert len(page.changes) == 2000
    assert ticks > 5
