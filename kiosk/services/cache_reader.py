"""Reads of ``cache.db`` for the screens: one dedicated thread, so no query ever runs on the UI thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from offline_cache.cache_store import CacheStore


class CacheReader:
    """Runs read functions against the cache on its own thread, one at a time, and returns plain values.

    The sync engine writes pages on another thread; under WAL each read sees one consistent snapshot,
    never a half-applied page. Cancelling the awaiting task abandons the result, not the running query:
    keep each read short (the search module answers within tens of milliseconds at 1M products).
    """

    def __init__(self, cache: CacheStore) -> None:
        self._cache = cache
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-reader")

    @property
    def cache(self) -> CacheStore:
        return self._cache

    async def run[T](self, read: Callable[[CacheStore], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, read, self._cache)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
