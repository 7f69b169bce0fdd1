"""Reads of ``cache.db`` for the screens: on dedicated threads, so no query ever runs on the UI thread."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from offline_cache.cache_store import CacheStore


class _Lane:
    """One thread running reads one at a time, and the means to stop the one it is running."""

    def __init__(self, name: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._running: object | None = None  # the token of the read in progress
        self._connection: sqlite3.Connection | None = None

    async def run[T](self, read: Callable[[CacheStore], T], cache: CacheStore) -> T:
        token = object()

        def on_thread() -> T:
            try:
                connection: sqlite3.Connection | None = cache.reader().conn
            except RuntimeError:
                connection = None  # the cache is closed: the read itself says so
            with self._lock:
                self._running, self._connection = token, connection
            try:
                return read(cache)
            finally:
                with self._lock:
                    self._running = None

        future = asyncio.get_running_loop().run_in_executor(self._executor, on_thread)
        try:
            return await future
        except asyncio.CancelledError:
            self._interrupt(token)
            raise

    def _interrupt(self, token: object) -> None:
        # Under the lock the read is still the running one: sqlite3_interrupt() then stops its
        # statements, and is a no-op once they are done, so the next read on this thread is never hit.
        with self._lock:
            if self._running is token and self._connection is not None:
                self._connection.interrupt()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class CacheReader:
    """Runs read functions against the cache on its own threads and returns plain values.

    Quick reads (a search's first hits, a window of the grid, a product) share one thread, one at a
    time; counts over a whole result (facets) take a second one, so a count in progress never holds
    up the search for the next keystroke. The sync engine writes pages on another thread; under WAL
    each read sees one consistent snapshot, never a half-applied page.

    Cancelling the awaiting task abandons the result: a read not started yet is dropped, and a
    running one is interrupted (``sqlite3.Connection.interrupt``), so a superseded search or count
    stops using the disk and the CPU at once.
    """

    def __init__(self, cache: CacheStore) -> None:
        self._cache = cache
        self._quick = _Lane("cache-reader")
        self._counts = _Lane("cache-reader-counts")

    @property
    def cache(self) -> CacheStore:
        return self._cache

    async def run[T](self, read: Callable[[CacheStore], T], *, slow: bool = False) -> T:
        """``read(cache)`` on a reader thread; ``slow`` for counts that may take a while."""
        return await (self._counts if slow else self._quick).run(read, self._cache)

    def close(self) -> None:
        self._quick.close()
        self._counts.close()
