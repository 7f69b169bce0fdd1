"""What screens learn from successive sync statuses: which streams changed, until when stock is current."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from offline_cache.cache_store import StreamState
from offline_cache.engine import LiveTimings, SyncStatus
from offline_cache.product_view import parse_time

# While the event stream is connected the server pokes every change as it commits, so each heartbeat
# or poke confirms every stream current as of when it came (SyncStatus.live_seen_at). The engine drops
# a stream silent for SSE_SILENCE, so a connected stream's live_seen_at is never older than that.
SSE_SILENCE = timedelta(seconds=LiveTimings().silence)
# live_seen_at is rounded down to whole steps, so a screen redraws its "as of" every few seconds at most
# rather than on every heartbeat; silence plus one step stays well inside the product page's 60 s.
LIVE_STEP_S = 10


def _mark(state: StreamState) -> tuple[object, ...]:
    return (state.cursor, state.changes_applied, state.needs_refetch)


@dataclass(frozen=True, slots=True)
class SyncUpdate:
    """One status as screens use it."""

    changed: frozenset[str]  # streams whose cached rows changed since the previous status
    online: bool | None
    stock_confirmed_at: datetime | None  # every stock figure is known to be current up to this time (UTC)


def changed_streams(previous: SyncStatus | None, current: SyncStatus) -> frozenset[str]:
    """Streams whose cursor, applied-change count or rebuild flag moved; nothing without a previous status."""
    if previous is None:
        return frozenset()
    before = {state.stream: _mark(state) for state in previous.streams}
    return frozenset(state.stream for state in current.streams if before.get(state.stream) != _mark(state))


def stock_confirmed_at(status: SyncStatus, now: datetime) -> datetime | None:
    """Until when all stock figures are confirmed: the oldest stock stream's last successful pull, or,
    while online with the event stream connected, its last heartbeat or poke (rounded down to
    LIVE_STEP_S, never after ``now``), whichever is later."""
    pulled: datetime | None = None
    stock = [value for stream, value in status.last_ok.items() if stream.startswith("stock:")]
    if stock:
        times = [parse_time(value) if value else None for value in stock]
        known = [t for t in times if t is not None]
        # A stock stream never pulled (or an unreadable time) confirms nothing: no common time then.
        pulled = min(known) if len(known) == len(times) else None
    live: datetime | None = None
    seen = parse_time(status.live_seen_at) if status.live_seen_at else None
    if status.online is True and status.live == "sse" and seen is not None:
        live = min(seen.astimezone(UTC), now.astimezone(UTC))
        live = live.replace(second=live.second - live.second % LIVE_STEP_S, microsecond=0)
    candidates = [t for t in (pulled, live) if t is not None]
    return max(candidates) if candidates else None


class SyncFeed:
    """Turns each SyncStatus into a SyncUpdate, remembering the previous status for the comparison."""

    def __init__(self) -> None:
        self._previous: SyncStatus | None = None

    def reset(self) -> None:
        """A new sync engine: its first status is the new baseline."""
        self._previous = None

    def update(self, status: SyncStatus, now: datetime) -> SyncUpdate:
        changed = changed_streams(self._previous, status)
        self._previous = status
        return SyncUpdate(changed, status.online, stock_confirmed_at(status, now))
