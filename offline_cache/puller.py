"""Delta pull of one stream into the cache: page by page, each page and its cursor in one transaction.

A ``409 must_refetch`` persists needs_refetch, downloads the whole stream into shadow tables and swaps
them in at the end (SYNC_DESIGN 3.6). Every page is validated before anything is written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from typing import Final

from offline_cache.cache_store import CacheStore, StreamState
from offline_cache.protocol import validate_page
from offline_cache.remote import MustRefetch, Rejected, Remote, TerminalState

log = logging.getLogger(__name__)

PAGE_SIZE: Final = 1000
MAX_REFETCH_RESTARTS: Final = 3


@dataclass(frozen=True, slots=True)
class PullReport:
    stream: str
    pages: int
    changes: int
    refetched: bool
    server_version: int


class Puller:
    """Pulls streams through a Remote into a CacheStore; cache work runs on ``executor`` (one thread)."""

    def __init__(
        self,
        remote: Remote,
        cache: CacheStore,
        *,
        page_size: int = PAGE_SIZE,
        executor: Executor | None = None,
        install_id: Callable[[], str | None] = lambda: None,
        on_terminal: Callable[[TerminalState], None] | None = None,
        on_page: Callable[[StreamState], None] | None = None,
    ) -> None:
        self._remote = remote
        self._cache = cache
        self._page_size = page_size
        self._executor = executor
        self._install_id = install_id
        self._on_terminal = on_terminal
        self._on_page = on_page

    async def _run[T](self, fn: Callable[[], T]) -> T:
        # Page writes take tens of milliseconds at 1,000 products: never on the event loop's thread.
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def pull(self, stream: str) -> PullReport:
        """Pull ``stream`` until the server has no more; a RemoteError leaves no page half-applied."""
        pages = changes = restarts = 0
        refetched = False
        while True:
            state = await self._run(partial(self._cache.stream, stream))
            if state.needs_refetch and state.refetch_cursor is not None:
                if not await self._run(partial(self._cache.refetch_ready, stream)):
                    await self._run(partial(self._cache.begin_refetch, stream))
                    continue
            elif state.needs_refetch:
                await self._run(partial(self._cache.begin_refetch, stream))
            after = state.position
            try:
                page = await self._remote.pull(stream, after, self._page_size, install_id=self._install_id())
            except Rejected as exc:
                # A cursor the server no longer understands (another server, another format)
                # is handled like must_refetch: rebuild the stream rather than stay stuck.
                if not isinstance(exc, MustRefetch) and not (exc.code == "invalid_cursor" and after):
                    raise
                restarts += 1
                if restarts > MAX_REFETCH_RESTARTS:
                    raise
                reason = exc.reason if isinstance(exc, MustRefetch) else exc.code
                log.info("%s: the server asks for a full refetch (%s)", stream, reason or exc.detail)
                await self._run(partial(self._cache.begin_refetch, stream))
                refetched = True
                continue
            validate_page(page, stream, after, self._page_size)
            if page.terminal is not None and self._on_terminal is not None:
                self._on_terminal(page.terminal)
            apply = self._cache.apply_refetch_page if state.needs_refetch else self._cache.apply_page
            changes += await self._run(partial(apply, stream, page, after))
            pages += 1
            refetched = refetched or state.needs_refetch
            if self._on_page is not None:
                self._on_page(await self._run(partial(self._cache.stream, stream)))
            if not page.has_more:
                return PullReport(stream, pages, changes, refetched, page.server_version)
