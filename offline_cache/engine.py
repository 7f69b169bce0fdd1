"""The sync engine: runs the puller and the single-flight pusher for a device, and reports a SyncStatus.

``run_once()`` syncs until caught up and raises the first error it cannot retry (the CLI's
``--once``); ``run_forever()`` keeps going: pushes when actions are queued, safety pulls every
``pull_interval`` seconds, backs off on failures without ever giving up, and stops cleanly when
cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Final

from offline_cache.cache_store import CacheStore, StreamState
from offline_cache.outbox import Outbox
from offline_cache.puller import PAGE_SIZE, Puller
from offline_cache.pusher import Backoff, Pusher, PushReport
from offline_cache.remote import (
    Rejected,
    Remote,
    RemoteError,
    RetryLater,
    ServerFailed,
    TerminalState,
    Unreachable,
)

log = logging.getLogger(__name__)

PULL_INTERVAL_S: Final = 300.0
ONCE_ATTEMPTS: Final = 5


def streams_for_device(role: str, location_id: str, location_ids: Iterable[str]) -> list[str]:
    """What a device reads: shared streams, stock of every location, and its store's orders if associate."""
    names = ["locations", "catalog", "reviews"]
    names += [f"stock:{loc}" for loc in sorted(set(location_ids))]
    if role == "associate":
        names.append(f"orders:{location_id}")
    return names


@dataclass(frozen=True, slots=True)
class SyncStatus:
    online: bool | None  # None until the first request answered or failed
    last_ok: Mapping[str, str | None]  # stream -> time of its last successful pull (UTC ISO)
    pending: int
    rejected: int
    needs_review: int
    oldest_pending_age: float | None  # seconds
    progress_done: int  # streams caught up at least once
    progress_total: int  # streams this device reads
    last_error: str | None = None
    blocked: str | None = None  # a refusal that needs a person (401, revoked, update required)
    streams: tuple[StreamState, ...] = field(default=())

    @property
    def first_sync_done(self) -> bool:
        return self.progress_total > 0 and self.progress_done >= self.progress_total


class SyncEngine:
    """Puller + pusher for one device; the outbox is used from the event loop's thread only."""

    def __init__(
        self,
        remote: Remote,
        cache: CacheStore,
        outbox: Outbox,
        *,
        terminal_id: str,
        streams: Sequence[str] | Callable[[], Sequence[str]],
        app_version: str = "",
        page_size: int = PAGE_SIZE,
        pull_interval: float = PULL_INTERVAL_S,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        backoff_base: float = 0.5,
    ) -> None:
        self._remote = remote
        self._cache = cache
        self._outbox = outbox
        self._plan = streams if callable(streams) else (lambda: list(streams))
        self._pull_interval = pull_interval
        self._rng = rng or random.Random()
        self._clock = clock
        self._sleep = sleep
        self._backoff_base = backoff_base
        # One thread owns cache.db writes: pages are written off the event loop, one at a time.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-writer")
        self._pull_generation = 0
        self.pusher = Pusher(remote, outbox, terminal_id=terminal_id, app_version=app_version, clock=clock)
        self.puller = Puller(
            remote,
            cache,
            page_size=page_size,
            executor=self._executor,
            install_id=lambda: self._outbox.install_id,
            on_terminal=self._on_terminal,
        )
        self._push_wanted = asyncio.Event()
        self._pull_wanted = asyncio.Event()
        self._online: bool | None = None
        self._last_error: str | None = None
        self._blocked: str | None = None

    # -- status ------------------------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        counts = self._outbox.counts()
        plan = list(self._plan())
        states = {s.stream: s for s in self._cache.streams()}
        done = sum(1 for name in plan if name in states and states[name].caught_up_version is not None)
        return SyncStatus(
            online=self._online,
            last_ok={name: states[name].last_pull_ok_at if name in states else None for name in plan},
            pending=counts["pending"],
            rejected=counts["rejected"],
            needs_review=counts["needs_review"],
            oldest_pending_age=self._outbox.oldest_pending_age(),
            progress_done=done,
            progress_total=len(plan),
            last_error=self._last_error,
            blocked=self._blocked,
            streams=tuple(states[name] for name in plan if name in states),
        )

    def notify_queued(self) -> None:
        """An action was queued: push now (the ActionService calls this after its commit)."""
        self._push_wanted.set()

    def request_pull(self) -> None:
        """Pull every stream now (a poke, the user opening the sync screen, connectivity back)."""
        self._pull_wanted.set()

    def _ok(self) -> None:
        if self._online is False:
            log.info("central API reachable again")
        self._online = True
        self._last_error = None
        self._blocked = None

    def _failed(self, exc: RemoteError) -> None:
        if isinstance(exc, Unreachable | ServerFailed | RetryLater):
            if self._online is not False:
                log.info("sync failing: %s", exc)  # once as the outage starts, not on every retry
            self._online = False
        elif isinstance(exc, Rejected):
            self._online = True
            self._blocked = str(exc)
        self._last_error = str(exc)

    def _on_terminal(self, terminal: TerminalState) -> None:
        """A pull's view of our install: if it is behind what we saw acked, the server lost actions.

        Acted on only when no push was recorded since this pull round began; otherwise the pull may
        have read the server before that push committed, and would rewind rows for nothing.
        """
        if self.pusher.lock.locked() or self.pusher.generation != self._pull_generation:
            return
        if terminal.install_id != self._outbox.install_id:
            return
        rewound, _ = self._outbox.reconcile_server_seq(terminal.install_id, terminal.last_applied_seq)
        if rewound:
            self._push_wanted.set()

    # -- one pass --------------------------------------------------------------------------------------

    async def push(self) -> PushReport:
        try:
            report = await self.pusher.drain()
        except RemoteError as exc:
            self._failed(exc)
            raise
        self._ok()
        if report.applied:
            self._pull_wanted.set()  # our own orders moved stock: show it soon
        return report

    async def pull_all(self) -> int:
        """Pull every planned stream once; the plan is re-read after each stream (locations add stock)."""
        self._pull_generation = self.pusher.generation
        done: set[str] = set()
        changes = 0
        while True:
            todo = [name for name in self._plan() if name not in done]
            if not todo:
                return changes
            name = todo[0]
            try:
                report = await self.puller.pull(name)
            except RemoteError as exc:
                self._failed(exc)
                raise
            self._ok()
            changes += report.changes
            done.add(name)

    async def run_once(self, attempts: int = ONCE_ATTEMPTS) -> SyncStatus:
        """Push, pull every stream until caught up, push again; retries "later" answers a few times.

        Unreachable and refusals are raised at once: a one-shot run reports, it does not wait.
        """
        backoff = self._backoff()
        for step in (self.push, self.pull_all, self.push):
            while True:
                try:
                    await step()
                    break
                except (RetryLater, ServerFailed) as exc:
                    if backoff.failures + 1 >= attempts:
                        raise
                    retry_after = exc.retry_after if isinstance(exc, RetryLater) else None
                    await self._sleep(backoff.next_delay(retry_after))
        return self.status()

    # -- forever ---------------------------------------------------------------------------------------

    async def run_forever(self) -> None:
        """Sync until cancelled. Failures are retried with backoff, forever; nothing is dropped."""
        self._push_wanted.set()
        self._pull_wanted.set()
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self._push_loop(), name="sync-push")
            tasks.create_task(self._pull_loop(), name="sync-pull")

    def _backoff(self) -> Backoff:
        return Backoff(base=self._backoff_base, rng=self._rng)

    async def _push_loop(self) -> None:
        backoff = self._backoff()
        while True:
            delay = self._pull_interval  # a timer drives retries even when nothing new is queued
            try:
                await self.push()
                backoff.reset()
            except RetryLater as exc:
                delay = backoff.next_delay(exc.retry_after)
            except RemoteError:
                delay = backoff.next_delay()
            if self._outbox.counts()["pending"] == 0:
                delay = self._pull_interval
            await _wait(self._push_wanted, delay)

    async def _pull_loop(self) -> None:
        backoff = self._backoff()
        while True:
            delay = self._pull_interval
            try:
                await self.pull_all()
                backoff.reset()
            except RetryLater as exc:
                delay = backoff.next_delay(exc.retry_after)
            except RemoteError:
                delay = backoff.next_delay()
            await _wait(self._pull_wanted, delay)

    def close(self) -> None:
        self._executor.shutdown(wait=True)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Until ``event`` is set or ``seconds`` pass; asyncio.timeout, not wait_for (CPython #86296)."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        pass
    event.clear()
