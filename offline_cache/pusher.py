"""Sending queued actions: the single-flight pusher, its batches, and the backoff that never gives up.

What the pusher never does: change an action's key or payload, drop a row, or mark a row done
before the server said so. A lost or unreadable answer leaves the rows pending and they go out
again unchanged; the server's dedup by action_id turns the resend into a replay (SYNC_DESIGN 3.4).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from offline_cache.outbox import Outbox, QueuedAction
from offline_cache.protocol import validate_push_response
from offline_cache.remote import (
    PushRequest,
    Rejected,
    Remote,
    RemoteError,
    RetryLater,
    ServerFailed,
    Unreachable,
)

log = logging.getLogger(__name__)

MAX_BATCH: Final = 50  # the server refuses more (413)
MAX_BATCH_BYTES: Final = 256 * 1024  # stays well under the server's 1 MiB body limit
PUSH_TIMEOUT_S: Final = 60.0  # above the transport's read timeout: only a hung transport trips it
MAX_FORKS_PER_DRAIN: Final = 3


class Backoff:
    """``d = min(cap, base * 2**(n-1))``, sleeping uniform in [d/2, d]; Retry-After honoured up to a cap.

    Equal jitter (stripe-python's) with the cap raised for offline use: terminals that all lost the
    network together do not all come back in the same second.
    """

    def __init__(
        self,
        base: float = 0.5,
        cap: float = 60.0,
        max_retry_after: float = 300.0,
        rng: random.Random | None = None,
    ) -> None:
        self.base = base
        self.cap = cap
        self.max_retry_after = max_retry_after
        self.failures = 0
        self._rng = rng or random.Random()

    def next_delay(self, retry_after: float | None = None) -> float:
        self.failures += 1
        d = min(self.cap, self.base * 2 ** (self.failures - 1))
        delay = self._rng.uniform(d / 2, d)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_retry_after))
        return delay

    def reset(self) -> None:
        self.failures = 0


@dataclass(slots=True)
class PushReport:
    """What one drain did."""

    requests: int = 0
    sent: int = 0
    applied: int = 0
    rejected: int = 0
    needs_review: int = 0
    rewound: int = 0
    new_installs: int = 0
    conflicts: list[QueuedAction] = field(default_factory=list)


def _batch(actions: list[QueuedAction], max_count: int, max_bytes: int) -> list[QueuedAction]:
    """The longest prefix within both limits, and always at least one action."""
    taken: list[QueuedAction] = []
    size = 0
    for action in actions[:max_count]:
        size += len(action.payload_json.encode()) + 600  # the envelope around the payload
        if taken and size > max_bytes:
            break
        taken.append(action)
    return taken


class Pusher:
    """One per outbox: `drain()` calls are serialized by a lock, so only one push is ever in flight."""

    def __init__(
        self,
        remote: Remote,
        outbox: Outbox,
        *,
        terminal_id: str,
        app_version: str = "",
        batch_size: int = MAX_BATCH,
        batch_bytes: int = MAX_BATCH_BYTES,
        timeout: float = PUSH_TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._remote = remote
        self._outbox = outbox
        self._terminal_id = terminal_id
        self._app_version = app_version
        self._batch_size = min(batch_size, MAX_BATCH)
        self._batch_bytes = batch_bytes
        self._timeout = timeout
        self._clock = clock
        self.lock = asyncio.Lock()
        self.generation = 0  # bumped whenever a push response was recorded
        self.last_success: float | None = None  # monotonic time of the last answered push
        self.last_error: str | None = None

    async def drain(self) -> PushReport:
        """Push until nothing is pending; raises RemoteError with the rows still pending on failure."""
        async with self.lock:
            report = PushReport()
            while True:
                batch = _batch(self._outbox.pending(self._batch_size), self._batch_size, self._batch_bytes)
                if not batch:
                    return report
                await self._round(batch, report)

    async def _round(self, batch: list[QueuedAction], report: PushReport) -> None:
        request = PushRequest(
            terminal_id=self._terminal_id,
            install_id=batch[0].install_id,
            app_version=self._app_version,
            actions=tuple(a.envelope() for a in batch),
        )
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._remote.push(request)
            validate_push_response(response, request)
        except TimeoutError:
            self._failed(batch, "push timed out")
            raise Unreachable(f"push: no answer within {self._timeout:g} s") from None
        except Rejected as exc:
            if exc.status == 413 and self._batch_size > 1:
                # Too big for the server: smaller batches from now on, and try again at once.
                self._batch_size = max(1, self._batch_size // 2)
                log.info("push batch too large; batches of %d from now on", self._batch_size)
                return
            self._failed(batch, str(exc))
            raise
        except RemoteError as exc:
            self._failed(batch, str(exc))
            raise
        report.requests += 1
        report.sent += len(batch)
        forked = any(r.status == "fork" for r in response.results)
        summary = self._outbox.record_results(request.install_id, response.results, response.last_applied_seq)
        self.generation += 1
        self.last_success = self._clock()
        self.last_error = None
        report.applied += summary.applied
        report.rejected += summary.rejected
        report.needs_review += summary.needs_review
        report.rewound += summary.rewound
        report.conflicts.extend(summary.conflicts)
        if summary.renumbered:
            report.new_installs += 1
        if forked:
            # Our seqs were used by another copy of this outbox (restored or copied file).
            report.new_installs += 1
            if report.new_installs > MAX_FORKS_PER_DRAIN:
                raise ServerFailed("push: the server keeps answering fork")
            self._outbox.renumber_for_new_install("server answered fork")
            return
        if response.retry_after_ms is not None:
            raise RetryLater("push: the server stopped the batch early", response.retry_after_ms / 1000)
        progressed = summary.applied + summary.rejected + summary.needs_review + summary.ignored
        if progressed == 0 and summary.rewound == 0 and not summary.renumbered:
            # Neither an error nor progress: back off instead of spinning on the same batch.
            raise ServerFailed(
                f"push: no result for seq {batch[0].seq} (server at {response.last_applied_seq})"
            )

    def _failed(self, batch: list[QueuedAction], error: str) -> None:
        self.last_error = error
        self._outbox.note_attempt([a.action_id for a in batch], error[:500])
