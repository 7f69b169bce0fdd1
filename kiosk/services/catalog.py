"""Browsing and searching the cached catalog for the screens: async, on the cache-reader thread, no Qt."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kiosk.services.cache_reader import CacheReader
from offline_cache.cache_store import CacheStore
from offline_cache.search import (
    CatalogSearch,
    CategoryNode,
    FacetCount,
    Facets,
    ProductHit,
    SearchQuery,
    SearchResult,
    available_elsewhere,
)

# Re-exported: the screens take the search module's value types from this service.
__all__ = [
    "CatalogBackend",
    "CatalogSearch",
    "CatalogService",
    "CatalogUnavailable",
    "CategoryNode",
    "FacetCount",
    "Facets",
    "ProductHit",
    "SearchQuery",
    "SearchResult",
]

log = logging.getLogger(__name__)

MAX_WINDOW = 500  # hits per read: a screen never shows more at once, and a read must stay short


class CatalogBackend(Protocol):
    """What offline_cache.search.CatalogSearch offers; its methods run on the calling thread, which
    may be either of the reader's two."""

    def search(
        self, query: SearchQuery, offset: int, limit: int, *, here: str | None = None
    ) -> SearchResult: ...
    def count(self, query: SearchQuery) -> int: ...
    def facets(self, query: SearchQuery, *, here: str | None = None) -> Facets: ...
    def lookup_code(self, code: str) -> str | None: ...
    def categories(self, language: str) -> tuple[CategoryNode, ...]: ...


class CatalogUnavailable(Exception):
    """The cache could not be read (locked, damaged, being rebuilt): the environment's fault, not a bug."""


@dataclass(slots=True)
class _Backends:
    make: Callable[[CacheStore], CatalogBackend]
    made: CatalogBackend | None = field(default=None)
    lock: threading.Lock = field(default_factory=threading.Lock)  # both reader threads may ask first

    def get(self, cache: CacheStore) -> CatalogBackend:
        with self.lock:
            if self.made is None:
                self.made = self.make(cache)
            return self.made


class CatalogService:
    """The catalog reads a screen needs, each one short and on a cache-reader thread.

    The backend (thread-safe: each thread reads through its own connection) is built at its first
    use. Cancelling a caller abandons the answer: a read that has not started yet is dropped from the
    reader's queue and a running one is interrupted, so a fast typist never waits behind stale
    searches. Facet counts run on the reader's second thread, beside the searches.
    """

    def __init__(
        self, reader: CacheReader, backend: Callable[[CacheStore], CatalogBackend] = CatalogSearch
    ) -> None:
        self._reader = reader
        self._backend = _Backends(backend)

    async def search(
        self, query: SearchQuery, offset: int, limit: int, *, here: str | None = None
    ) -> SearchResult:
        offset = max(0, offset)
        limit = max(0, min(limit, MAX_WINDOW))
        return await self._read(lambda b: b.search(query, offset, limit, here=here))

    async def window(
        self, query: SearchQuery, offset: int, limit: int, *, here: str | None = None
    ) -> tuple[ProductHit, ...]:
        return (await self.search(query, offset, limit, here=here)).hits

    async def facets(self, query: SearchQuery, *, here: str | None = None) -> Facets:
        # Counted on the reader's second thread: the next keystroke's search does not wait for it.
        return await self._read(lambda b: b.facets(query, here=here), slow=True)

    async def lookup_code(self, code: str) -> str | None:
        return await self._read(lambda b: b.lookup_code(code))

    async def categories(self, language: str) -> tuple[CategoryNode, ...]:
        return await self._read(lambda b: b.categories(language))

    async def available_elsewhere(self, skus: Sequence[str], here: str) -> frozenset[str]:
        """Of the SKUs of cards on screen, those another location has available. On the reader's second
        thread: the grid's next window does not wait for it."""
        wanted = tuple(skus)
        try:
            return await self._reader.run(lambda cache: available_elsewhere(cache, wanted, here), slow=True)
        except sqlite3.Error as exc:
            log.warning("catalog read failed: %s", exc)
            raise CatalogUnavailable(str(exc)) from exc

    async def _read[T](self, read: Callable[[CatalogBackend], T], *, slow: bool = False) -> T:
        def on_reader_thread(cache: CacheStore) -> T:
            return read(self._backend.get(cache))

        try:
            return await self._reader.run(on_reader_thread, slow=slow)
        except sqlite3.Error as exc:
            log.warning("catalog read failed: %s", exc)
            raise CatalogUnavailable(str(exc)) from exc
