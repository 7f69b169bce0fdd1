"""CacheReader: quick reads beside slow counts, and cancelled reads that stop instead of running on."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable

import pytest

from kiosk.services.cache_reader import CacheReader
from offline_cache.cache_store import CacheStore

# Counts to a billion: minutes of work unless interrupted.
ENDLESS = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) "
    "SELECT count(*) FROM n"
)


def endless(outcome: list[str]) -> Callable[[CacheStore], int]:
    def read(cache: CacheStore) -> int:
        try:
            return int(cache.reader().conn.execute(ENDLESS).fetchone()[0])
        except sqlite3.OperationalError as exc:
            outcome.append(str(exc))
            raise

    return read


def quick(cache: CacheStore) -> int:
    return int(cache.reader().conn.execute("SELECT 41 + 1").fetchone()[0])


async def test_a_slow_count_does_not_hold_up_quick_reads(reader: CacheReader) -> None:
    outcome: list[str] = []
    count = asyncio.ensure_future(reader.run(endless(outcome), slow=True))
    await asyncio.sleep(0.05)  # the count is running on the second thread
    async with asyncio.timeout(5):
        assert await reader.run(quick) == 42
    assert not count.done()
    count.cancel()
    with pytest.raises(asyncio.CancelledError):
        await count


@pytest.mark.parametrize("slow", [False, True])
async def test_cancelling_a_running_read_interrupts_its_query(reader: CacheReader, slow: bool) -> None:
    outcome: list[str] = []
    running = asyncio.ensure_future(reader.run(endless(outcome), slow=slow))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    async with asyncio.timeout(5):
        # The same thread is free again at once: the query stopped instead of counting on.
        assert await reader.run(quick, slow=slow) == 42
    assert time.monotonic() - started < 5
    assert outcome == ["interrupted"]


async def test_a_cancelled_read_that_had_not_started_never_runs(reader: CacheReader) -> None:
    gate = threading.Event()
    ran: list[str] = []

    def blocking(cache: CacheStore) -> None:
        gate.wait(5)

    def queued(cache: CacheStore) -> None:
        ran.append("queued")

    first = asyncio.ensure_future(reader.run(blocking))
    second = asyncio.ensure_future(reader.run(queued))
    await asyncio.sleep(0.02)
    second.cancel()
    gate.set()
    await first
    with pytest.raises(asyncio.CancelledError):
        await second
    assert await reader.run(quick) == 42
    assert ran == []


async def test_interrupting_a_finished_read_spares_the_next_one(reader: CacheReader) -> None:
    # Cancelled just as it ends: the interrupt must not land on the read after it.
    for _ in range(50):
        task = asyncio.ensure_future(reader.run(quick))
        await asyncio.sleep(0)
        task.cancel()
        assert await reader.run(quick) == 42
