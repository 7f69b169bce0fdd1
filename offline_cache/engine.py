"""The sync engine: puller, single-flight pusher, live pokes, watchdog and the SyncStatus of one device.

``run_once()`` syncs until caught up and raises the first error it cannot retry (the CLI's
``--once``). ``run_forever()`` keeps going until cancelled:

- pushes when actions are queued, and retries with backoff, forever; nothing is ever dropped;
- listens to ``/v1/sync/events`` (SSE) when the Remote is a `LiveRemote`: a poke newer than a
  stream's cursor pulls THAT stream soon, at most one pull per stream at a time; the stream
  reconnects with backoff and Last-Event-ID, and is declared dead after 2.5 heartbeats of
  silence. When SSE keeps failing, or the server refuses it, long-polls (``pull?wait=25``) the
  live streams instead and tries SSE again every few minutes (SYNC_DESIGN 3.7);
- pulls every stream every ``pull_interval`` seconds regardless: pokes are hints, and
  correctness never depends on them;
- a watchdog restarts the pusher, and drops the Remote's connections (`Resettable`), when actions
  wait, the server answers, and nothing has been acknowledged for two minutes (SYNC_DESIGN 3.10, R12);
- prunes long-applied actions once a day;
- outlives a failing local disk: a sqlite error under the push or the pull loop (disk full, I/O
  error) is retried with backoff like a network failure, and ``SyncStatus.last_error`` says so.

Everything runs on the event loop's thread except cache page writes (one cache-writer thread) and
full loads: when the Remote gives raw answers (`RawPuller`), their pages are read and written by a
child process (``offline_cache.bulk_writer``), which the cache-writer thread feeds and waits for,
so cache.db still has one writer at a time. The process lives for one pull pass (all the streams
of a first sync share it) and is stopped by `close()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import sqlite3
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Literal

from offline_cache.bulk_writer import BulkWriter, WriterLost
from offline_cache.cache_store import CacheStore, StreamState
from offline_cache.device_record import DeviceRecord
from offline_cache.outbox import AuditEntry, Outbox
from offline_cache.puller import PAGE_SIZE, Puller, PullProgress, PullReport
from offline_cache.pusher import Backoff, Pusher, PushReport
from offline_cache.remote import (
    KeepAlive,
    LiveRemote,
    Poke,
    RawPuller,
    Rejected,
    Remote,
    RemoteError,
    Resettable,
    RetryLater,
    ServerFailed,
    TerminalState,
    Unreachable,
    cursor_version,
)

log = logging.getLogger(__name__)

PULL_INTERVAL_S: Final = 300.0
ONCE_ATTEMPTS: Final = 5
POKE_PULL_ATTEMPTS: Final = 5  # then the safety pull takes over
ETA_WINDOW_S: Final = 10.0  # the rate behind the ETA is measured over this much recent time
SSE_BACKOFF_CAP_S: Final = 30.0
MAX_SERVER_RETRY_S: Final = 30.0
LONG_POLL_RECHECK_S: Final = 2.0  # how often the long-poll fallback looks for new live streams (cheap)
MAX_LONG_POLLS: Final = 4  # each holds a connection (and, on the stdlib transport, a thread)
# A server whose version counter is this far on may hold enough rows for a full load to use the
# writer process (pages of 256 KiB and more): start it ahead of the load. A small store's or a
# test's server never gets there, so it starts no process it would not use.
EARLY_WRITER_VERSIONS: Final = 20_000
RESET_TIMEOUT_S: Final = 10.0  # closing a wedged connection pool must not wedge the pusher too

LiveTransport = Literal["sse", "long-poll", "none"]


def streams_for_device(role: str, location_id: str, location_ids: Iterable[str]) -> list[str]:
    """What a device reads: shared streams, stock of every location, and its store's orders if associate."""
    names = ["locations", "catalog", "reviews"]
    names += [f"stock:{loc}" for loc in sorted(set(location_ids))]
    if role == "associate":
        names.append(f"orders:{location_id}")
    return names


def live_streams_for_device(role: str, location_id: str) -> list[str]:
    """What the long-poll fallback watches: the device's own store, where freshness matters most."""
    names = [f"stock:{location_id}"]
    if role == "associate":
        names.append(f"orders:{location_id}")
    return names


@dataclass(frozen=True, slots=True)
class LiveTimings:
    """How the live parts pace themselves; tests shrink these, production keeps the defaults."""

    heartbeat: float = 15.0  # the server's heartbeat period; 2.5 of them silent = a dead stream
    silence_factor: float = 2.5
    sse_failures_before_fallback: int = 3
    sse_retry_interval: float = 180.0  # while long-polling, try SSE again this often
    long_poll_wait: float = 25.0
    watchdog_after: float = 120.0  # 2 x the backoff cap (SYNC_DESIGN 3.10)
    reachable_window: float = 60.0  # "the server is reachable": a request succeeded this recently
    watchdog_tick: float = 5.0
    prune_interval: float = 86400.0

    @property
    def silence(self) -> float:
        return self.heartbeat * self.silence_factor


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
    blocked: str | None = None  # a refusal that needs a person (401, revoked, update required); see _ok()
    streams: tuple[StreamState, ...] = field(default=())
    live: LiveTransport = "none"  # how changes reach us between safety pulls
    unacknowledged: int = 0  # needs_review outcomes no person has acknowledged yet
    # During a first sync or a rebuild: the mean of the syncing streams' fractions (0..1), the
    # rows received so far, and the seconds left at the recent rate. None when nothing is syncing.
    progress: float | None = None
    progress_rows: int = 0
    eta_s: float | None = None
    stalled_since: str | None = None  # UTC ISO; set when the watchdog fired, cleared by progress
    watchdog_restarts: int = 0
    # UTC ISO: the last heartbeat or poke on the event stream. The server pokes every change as it
    # commits, so while ``live == "sse"`` every stream was current as of this time (give or take the
    # pulls its pokes asked for). None before the first one.
    live_seen_at: str | None = None

    @property
    def first_sync_done(self) -> bool:
        return self.progress_total > 0 and self.progress_done >= self.progress_total


class _Progress:
    """Fraction done of the streams being loaded whole, and an ETA from the recent rate, smoothed."""

    def __init__(self) -> None:
        self.fractions: dict[str, float] = {}  # the streams of this sync session -> fraction done
        self.rows: dict[str, int] = {}
        self._samples: deque[tuple[float, float]] = deque()
        self._eta: float | None = None
        self._eta_at = 0.0

    def track(self, syncing: Iterable[str]) -> None:
        """Streams not caught up join the session; a session with none left ends."""
        names = list(syncing)
        if not names:
            self.fractions.clear()
            self.rows.clear()
            self._samples.clear()
            self._eta = None
            return
        for name in names:
            self.fractions.setdefault(name, 0.0)

    def page(self, progress: PullProgress, now: float) -> None:
        if progress.stream not in self.fractions and progress.done:
            return  # a delta pull of a stream that is not being loaded
        fraction = progress.fraction if progress.fraction is not None else self.fractions.get(progress.stream)
        self.fractions[progress.stream] = 1.0 if progress.done else (fraction or 0.0)
        self.rows[progress.stream] = progress.rows_done
        self._sample(now)

    @property
    def value(self) -> float | None:
        if not self.fractions:
            return None
        return sum(self.fractions.values()) / len(self.fractions)

    def eta(self, now: float) -> float | None:
        if self._eta is None:
            return None
        return max(0.0, self._eta - (now - self._eta_at))

    def _sample(self, now: float) -> None:
        value = self.value
        if value is None:
            return
        if self._samples and value < self._samples[-1][1]:
            # New streams joined (the locations list named more stock): the old rate means nothing.
            self._samples.clear()
            self._eta = None
        self._samples.append((now, value))
        while len(self._samples) > 2 and now - self._samples[0][0] > ETA_WINDOW_S:
            self._samples.popleft()
        first_at, first = self._samples[0]
        if value >= 1.0:
            self._eta, self._eta_at = 0.0, now
            return
        if now <= first_at or value <= first:
            return
        raw = (1.0 - value) * (now - first_at) / (value - first)
        previous = self.eta(now)
        self._eta = raw if previous is None else 0.5 * raw + 0.5 * previous
        self._eta_at = now


class SyncEngine:
    """Puller + pusher + live updates for one device; the outbox is used from the event loop's thread only."""

    @classmethod
    def for_device(
        cls,
        remote: Remote,
        cache: CacheStore,
        outbox: Outbox,
        device: DeviceRecord,
        *,
        app_version: str,
        page_size: int,
        pull_interval: float,
    ) -> SyncEngine:
        """The engine for an enrolled device: what its role reads, re-planned as the locations stream
        arrives (each location adds its stock stream), and live updates for its own store."""
        return cls(
            remote,
            cache,
            outbox,
            terminal_id=device.device_id,
            streams=lambda: streams_for_device(device.role, device.location_id, cache.location_ids()),
            app_version=app_version,
            page_size=page_size,
            pull_interval=pull_interval,
            live_streams=live_streams_for_device(device.role, device.location_id),
        )

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
        live: bool = True,
        live_streams: Sequence[str] | Callable[[], Sequence[str]] | None = None,
        timings: LiveTimings | None = None,
        bulk_process: bool = True,
    ) -> None:
        """``bulk_process=False`` reads and writes full loads in this process (tests that want speed)."""
        self._remote = remote
        self._cache = cache
        self._outbox = outbox
        self._plan = streams if callable(streams) else (lambda: list(streams))
        self._live_plan = (
            live_streams if callable(live_streams) or live_streams is None else (lambda: live_streams)
        )
        self._pull_interval = pull_interval
        self._rng = rng or random.Random()
        self._clock = clock
        self._sleep = sleep
        self._backoff_base = backoff_base
        self._timings = timings or LiveTimings()
        self._live: LiveRemote | None = remote if live and isinstance(remote, LiveRemote) else None
        # One thread owns cache.db writes: pages are written off the event loop, one at a time.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-writer")
        # Full loads are read and written in a child process: in this one, that work holds the GIL
        # long enough to stall the event loop (see offline_cache.bulk_writer).
        self._bulk_writer = BulkWriter(cache.path) if bulk_process and isinstance(remote, RawPuller) else None
        self._pull_generation = 0
        self.pusher = Pusher(remote, outbox, terminal_id=terminal_id, app_version=app_version, clock=clock)
        self.puller = Puller(
            remote,
            cache,
            page_size=page_size,
            executor=self._executor,
            install_id=lambda: self._outbox.install_id,
            on_terminal=self._on_terminal,
            on_page=self._on_page,
            bulk_writer=self._bulk_writer,
        )
        # Pulls a poke or a long-poll asks for: no terminal state, so they cannot race the
        # safety pull's check of what the server remembers of our install (_on_terminal).
        self._live_puller = Puller(
            remote,
            cache,
            page_size=page_size,
            executor=self._executor,
            on_page=self._on_page,
            bulk_writer=self._bulk_writer,
        )
        self._push_wanted = asyncio.Event()
        self._pull_wanted = asyncio.Event()
        self._online: bool | None = None
        self._last_error: str | None = None
        self._storage_failures: dict[str, str] = {}  # loop -> its local storage failure, logged once
        # Refusals a person must act on, by the call refused ("push", "pull:<stream>"), oldest first:
        # (the refusal's text, whether it refused our credentials). See _ok() for what clears one.
        self._refusals: dict[str, tuple[str, bool]] = {}
        self._last_reached: float | None = None
        # Live updates.
        self._transport: LiveTransport = "none"
        self._last_event_id: str | None = None  # resume from here: see _sse_session
        self._live_seen_at: str | None = None
        self._server_retry: float | None = None
        self._sse_failures = 0
        self._sse_refused = False
        self._sse_deadline: asyncio.Timeout | None = None  # the open event stream's silence timer
        self._sse_streams: frozenset[str] = frozenset()  # what it was opened for
        self._known: dict[str, StreamState] = {}
        self._stream_locks: dict[str, asyncio.Lock] = {}
        self._wanted: set[str] = set()
        self._stream_tasks: dict[str, asyncio.Task[None]] = {}
        self._group: asyncio.TaskGroup | None = None
        # The watchdog.
        self._push_task: asyncio.Task[None] | None = None
        self._ack_marker: str | None = None
        self._quiet_since: float | None = None
        self._stalled_since: str | None = None
        self._watchdog_restarts = 0
        self._reset_wanted = False  # the watchdog fired: drop the Remote's connections before pushing again
        # Progress and subscribers.
        self._progress = _Progress()
        self._subscribers: list[Callable[[SyncStatus], None]] = []
        self._notify_scheduled = False

    # -- status ------------------------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        counts = self._outbox.counts()
        plan = list(self._plan())
        states = {s.stream: s for s in self._cache.streams()}
        done = sum(1 for name in plan if name in states and states[name].caught_up_version is not None)
        self._progress.track(_syncing(plan, states))
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
            blocked=self._blocked(plan),
            streams=tuple(states[name] for name in plan if name in states),
            live=self._transport,
            unacknowledged=len(self._outbox.unacknowledged()) if counts["needs_review"] else 0,
            progress=self._progress.value,
            progress_rows=sum(self._progress.rows.values()),
            eta_s=self._progress.eta(self._clock()) if self._progress.value is not None else None,
            stalled_since=self._stalled_since,
            watchdog_restarts=self._watchdog_restarts,
            live_seen_at=self._live_seen_at,
        )

    def subscribe(self, callback: Callable[[SyncStatus], None]) -> Callable[[], None]:
        """Call ``callback(status)`` on the loop's thread after pages, pushes and connectivity changes.

        Bursts are coalesced to one call per loop iteration; a callback that raises is logged and
        kept. Returns the function that unsubscribes.
        """
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    def _changed(self) -> None:
        if not self._subscribers or self._notify_scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._notify_scheduled = True
        loop.call_soon(self._notify)

    def _notify(self) -> None:
        self._notify_scheduled = False
        try:
            status = self.status()
        except Exception:  # a closed or failing database must not take the engine down with it
            log.exception("sync status could not be read")
            return
        for callback in list(self._subscribers):
            try:
                callback(status)
            except Exception:
                log.exception("a sync status subscriber failed")

    def notify_queued(self) -> None:
        """An action was queued: push now (the ActionService calls this after its commit)."""
        self._push_wanted.set()

    def request_pull(self) -> None:
        """Pull every stream now (the user opening the sync screen, connectivity back)."""
        self._pull_wanted.set()

    def acknowledge(self, action_id: str, *, by: str, note: str = "") -> AuditEntry:
        """A person has seen a needs_review outcome (Outbox.acknowledge); subscribers hear of it."""
        entry = self._outbox.acknowledge(action_id, by=by, note=note)
        self._changed()
        return entry

    def _reached(self) -> None:
        """Any answer from the server, a heartbeat included: it is reachable."""
        self._last_reached = self._clock()
        if self._online is not True:
            if self._online is False:
                log.info("central API reachable again")
                # Retry pushes at once when connectivity comes back (SYNC_DESIGN 3.10). Not pulls:
                # a pull answering while pushes get 503 would wake itself in a loop with no backoff.
                self._push_wanted.set()
            self._online = True
            self._changed()

    def _reached_within(self, seconds: float) -> bool:
        return self._last_reached is not None and self._clock() - self._last_reached <= seconds

    def _ok(self, call: str) -> None:
        """``call`` ("push", "pull:<stream>") succeeded. What that clears of ``blocked``, by cause:

        - any refusal: the same call succeeding (the condition is gone for it);
        - 401 and 403 device_revoked (our credentials): also a successful push, the one call that
          always needs a valid, unrevoked device token. A pull of another stream does not: a proxy
          may answer shared streams, and another stream's rules are not this one's;
        - update required (426/400 unsupported_*): only a push succeeding, as pulls never get it;
        - a successful enrolment makes a new engine (kiosk.app), which starts unblocked.

        A refusal of a stream that left the plan (its location went) blocks nothing any more.
        """
        self._reached()
        self._last_error = None
        cleared = self._refusals.pop(call, None) is not None
        if call == "push":
            for key, (_, credentials) in list(self._refusals.items()):
                if credentials:
                    del self._refusals[key]
                    cleared = True
        if cleared:
            self._changed()

    def _blocked(self, plan: Iterable[str]) -> str | None:
        """The latest refusal still standing, or None."""
        planned = set(plan)
        standing = [
            text
            for call, (text, _) in self._refusals.items()
            if not call.startswith("pull:") or call.removeprefix("pull:") in planned
        ]
        return standing[-1] if standing else None

    def _pushes_refused(self) -> bool:
        """A refusal that stops pushes until a person acts: the watchdog has nothing to restart then.
        One stream's refused pull (an associate's orders, say) does not stop pushes."""
        return any(call == "push" or credentials for call, (_, credentials) in self._refusals.items())

    def _failed(self, exc: RemoteError, call: str) -> None:
        if isinstance(exc, Unreachable | ServerFailed | RetryLater):
            if self._online is not False:
                log.info("sync failing: %s", exc)  # once as the outage starts, not on every retry
                self._online = False
                self._changed()
        elif isinstance(exc, Rejected):
            self._reached()  # a refusal is an answer: the server is there
            credentials = exc.status == 401 or (exc.status == 403 and exc.code == "device_revoked")
            self._refusals.pop(call, None)  # re-inserted last: the latest refusal is the one shown
            self._refusals[call] = (str(exc), credentials)
        self._last_error = str(exc)

    def _local_failure(self, exc: sqlite3.Error, loop: str) -> None:
        """cache.db or outbox.db failed under a loop: a full or failing disk, a file locked or damaged
        by something else. Each page with its cursor, and each push's results, is one transaction, so
        nothing was half-written: the loop retries with backoff rather than end every loop with it
        (the pusher keeps going while the cache cannot take pages, and the other way round), and the
        status says why. Logged with its traceback once per new failure, not on every retry."""
        text = f"local storage failed during {loop}: {exc}"
        if self._storage_failures.get(loop) != text:
            log.error("%s", text, exc_info=exc)
            self._storage_failures[loop] = text
        self._last_error = text
        self._changed()

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

    def _on_page(self, progress: PullProgress) -> None:
        self._known[progress.stream] = progress.state
        self._progress.page(progress, self._clock())
        deadline = self._sse_deadline
        # A location appeared or went: reconnect now rather than at the next heartbeat, so the
        # new stock stream's pokes are not missed for up to 15 s.
        replan = progress.stream == "locations" and progress.done and deadline is not None
        if deadline is not None and replan and set(self._plan()) != self._sse_streams:
            deadline.reschedule(asyncio.get_running_loop().time())
        self._changed()

    # -- one pass --------------------------------------------------------------------------------------

    async def push(self) -> PushReport:
        try:
            report = await self.pusher.drain()
        except RemoteError as exc:
            self._failed(exc, "push")
            self._changed()
            raise
        if report.requests:  # nothing pending asks the server nothing: no evidence either way
            self._ok("push")
        if report.applied:
            self._pull_wanted.set()  # our own orders moved stock: show it soon
        if report.requests:
            self._changed()
        return report

    async def pull_all(self) -> int:
        """Pull every planned stream once; the plan is re-read after each stream (locations add stock)."""
        self._pull_generation = self.pusher.generation
        done: set[str] = set()
        changes = 0
        # One writer process for the whole pass, started by the first full load in it, if any.
        async with self._bulk_writer.session() if self._bulk_writer else contextlib.nullcontext():
            while True:
                plan = list(self._plan())
                todo = [name for name in plan if name not in done]
                if not todo:
                    return changes
                self._progress.track(_syncing(plan, self._known))
                report = await self._pull_stream(self.puller, todo[0])
                changes += report.changes
                done.add(todo[0])
                if report.server_version >= EARLY_WRITER_VERSIONS and self._full_load_ahead(todo[1:]):
                    await self._start_bulk_writer()

    def _full_load_ahead(self, streams: Iterable[str]) -> bool:
        """Whether one of ``streams`` starts or resumes a full load."""
        for name in streams:
            state = self._cache.stream(name)
            if state.cursor is None or state.needs_refetch:
                return True
        return False

    async def _start_bulk_writer(self) -> None:
        """Start the writer process ahead of a big full load, unless one runs: it imports while the
        first pages are fetched, instead of after the first big page arrived (~0.3 s of CPU)."""
        writer = self._bulk_writer
        if writer is not None and writer.pid is None:
            await asyncio.get_running_loop().run_in_executor(self._executor, writer.start)

    async def _pull_stream(self, puller: Puller, stream: str) -> PullReport:
        """One stream, never two pulls of it at once (both would continue the same cursor)."""
        async with self._stream_locks.setdefault(stream, asyncio.Lock()):
            try:
                report = await puller.pull(stream)
            except RemoteError as exc:
                self._failed(exc, f"pull:{stream}")
                raise
        self._ok(f"pull:{stream}")
        return report

    async def run_once(self, attempts: int = ONCE_ATTEMPTS) -> SyncStatus:
        """Push, pull every stream until caught up, push again; retries "later" answers a few times.

        Unreachable and refusals are raised at once: a one-shot run reports, it does not wait.
        """
        self._load_known()
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

    def _load_known(self) -> None:
        self._known = {s.stream: s for s in self._cache.streams()}

    # -- forever ---------------------------------------------------------------------------------------

    async def run_forever(self) -> None:
        """Sync until cancelled. Failures are retried with backoff, forever; nothing is dropped."""
        self._push_wanted.set()
        self._pull_wanted.set()
        self._load_known()
        try:
            async with asyncio.TaskGroup() as tasks:
                self._group = tasks
                tasks.create_task(self._push_supervisor(), name="sync-push")
                tasks.create_task(self._pull_loop(), name="sync-pull")
                tasks.create_task(self._live_loop(), name="sync-live")
                tasks.create_task(self._watchdog_loop(), name="sync-watchdog")
                tasks.create_task(self._housekeeping_loop(), name="sync-housekeeping")
        finally:
            self._group = None
            self._set_transport("none")

    def _backoff(self, cap: float = 60.0) -> Backoff:
        return Backoff(base=self._backoff_base, cap=cap, rng=self._rng)

    async def _push_supervisor(self) -> None:
        """Runs the push loop, and runs it again when the watchdog cancelled it, on fresh connections."""
        while True:
            if self._reset_wanted:
                self._reset_wanted = False
                await self._reset_remote()
            task = asyncio.create_task(self._push_loop(), name="sync-push-loop")
            self._push_task = task
            try:
                await asyncio.wait({task})
            finally:
                if not task.done():  # we are being cancelled ourselves
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                self._push_task = None
            if not task.cancelled():
                task.result()  # the loop never returns: this raises what broke it

    async def _reset_remote(self) -> None:
        remote = self._remote
        if not isinstance(remote, Resettable):
            return
        try:
            async with asyncio.timeout(RESET_TIMEOUT_S):
                await remote.reset()
            log.info("sync watchdog: dropped the central API connections")
        except Exception:  # the old connections are beyond saving anyway: push on
            log.exception("sync watchdog: dropping the central API connections failed")

    async def _push_loop(self) -> None:
        backoff = self._backoff()
        while True:
            delay = await self._pass("push", self.push, backoff)
            if delay is not None and self._nothing_pending():
                delay = None  # nothing left to retry: back to the timer
            # A timer drives retries even when nothing new is queued.
            await _wait(self._push_wanted, self._pull_interval if delay is None else delay)

    async def _pull_loop(self) -> None:
        backoff = self._backoff()
        while True:
            delay = await self._pass("pull", self.pull_all, backoff)
            await _wait(self._pull_wanted, self._pull_interval if delay is None else delay)

    async def _pass(self, loop: str, step: Callable[[], Awaitable[object]], backoff: Backoff) -> float | None:
        """One pass of the push or the pull loop: None when it went through, else the backoff's delay
        before the next. The network's failures, a writer process lost (killed or out of memory: the
        next pass starts a new one) and cache.db or outbox.db failing are all retried."""
        try:
            await step()
        except RetryLater as exc:
            return backoff.next_delay(exc.retry_after)
        except RemoteError:
            return backoff.next_delay()
        except WriterLost as exc:
            log.warning("a full load stopped: %s", exc)
            return backoff.next_delay()
        except sqlite3.Error as exc:
            self._local_failure(exc, loop)
            return backoff.next_delay()
        backoff.reset()
        self._storage_failures.pop(loop, None)
        return None

    def _nothing_pending(self) -> bool:
        try:
            return self._outbox.counts()["pending"] == 0
        except sqlite3.Error as exc:
            self._local_failure(exc, "push")
            return False

    # -- pokes -------------------------------------------------------------------------------------------

    def _on_poke(self, poke: Poke) -> None:
        if poke.stream not in self._plan():
            return
        state = self._known.get(poke.stream)
        if state is not None and not state.needs_refetch and cursor_version(state.cursor) >= poke.version:
            return  # we have it already (the heads a fresh connection announces, mostly)
        self._want_stream(poke.stream)

    def _want_stream(self, stream: str) -> None:
        """Pull ``stream`` soon: one pull at a time per stream, and one more if asked again meanwhile."""
        self._wanted.add(stream)
        if stream not in self._stream_tasks and self._group is not None:
            self._stream_tasks[stream] = self._group.create_task(
                self._serve_stream(stream), name=f"sync-poke:{stream}"
            )

    async def _serve_stream(self, stream: str) -> None:
        backoff = self._backoff()
        try:
            while stream in self._wanted:
                self._wanted.discard(stream)
                try:
                    await self._pull_stream(self._live_puller, stream)
                    backoff.reset()
                except (Unreachable, ServerFailed, RetryLater) as exc:
                    if backoff.failures + 1 >= POKE_PULL_ATTEMPTS:
                        log.info(
                            "%s: pulling after a poke failed (%s); the safety pull will retry", stream, exc
                        )
                        return
                    self._wanted.add(stream)
                    await asyncio.sleep(
                        backoff.next_delay(exc.retry_after if isinstance(exc, RetryLater) else None)
                    )
                except RemoteError as exc:
                    log.info("%s: pulling after a poke was refused (%s)", stream, exc)
                    return
        except Exception:  # a bug here must not stop the push and safety-pull loops
            log.exception("%s: pulling after a poke failed", stream)
        finally:
            self._wanted.discard(stream)
            self._stream_tasks.pop(stream, None)

    # -- live transports -----------------------------------------------------------------------------------

    def _set_transport(self, transport: LiveTransport) -> None:
        if transport != self._transport:
            self._transport = transport
            self._changed()

    async def _live_loop(self) -> None:
        remote = self._live
        if remote is None:
            return  # no live channel: the safety pulls alone keep the cache fresh
        backoff = self._backoff(cap=SSE_BACKOFF_CAP_S)
        while True:
            try:
                if self._sse_refused or self._sse_failures >= self._timings.sse_failures_before_fallback:
                    await self._long_poll_until_sse_works(remote)
                    backoff.reset()
                    continue
                if await self._sse_session(remote):
                    backoff.reset()
                delay = backoff.next_delay(self._server_retry)
            except Exception:  # a bug: log it, and keep the live channel coming back
                log.exception("live updates failed")
                delay = backoff.next_delay()
            await asyncio.sleep(delay)

    async def _sse_session(self, remote: LiveRemote, on_connected: Callable[[], None] | None = None) -> bool:
        """One event-stream connection, read until it ends; True if it connected. Never raises RemoteError.

        Resuming: a connection first announces the head of every stream newer than our Last-Event-ID,
        in stream-name order, not version order; after them come live pokes, in commit order. So the
        highest id seen is a safe place to resume only once the announcements are over, which a
        heartbeat after them proves. A connection lost before that resumes where it began: the
        announcements come again (one per stream, most of them ignored as already known), and none
        is skipped for a higher id that happened to arrive first.
        """
        loop = asyncio.get_running_loop()
        streams = list(self._plan())
        wanted = self._sse_streams = frozenset(streams)
        connected_at: float | None = None
        highest: str | None = None  # the highest event id on this connection
        settled = False  # a heartbeat came after the announcements: ids from here are in order
        silence = self._timings.silence
        signals = remote.events(streams, self._last_event_id)
        try:
            async with contextlib.aclosing(signals):
                while True:
                    try:
                        async with asyncio.timeout(silence) as deadline:
                            self._sse_deadline = deadline
                            signal = await anext(signals)
                    except StopAsyncIteration:
                        log.info("the event stream was closed by the server")
                        break
                    except TimeoutError:
                        if set(self._plan()) != wanted:
                            break  # cut short by _on_page: reconnect with the new streams
                        log.info("the event stream was silent for %.1f s; reconnecting", silence)
                        self._sse_failures += 1
                        break
                    finally:
                        self._sse_deadline = None
                    self._reached()
                    if connected_at is None:
                        connected_at = loop.time()
                        self._sse_refused = False
                        self._set_transport("sse")
                        if on_connected is not None:
                            on_connected()
                        if self._outbox.counts()["pending"]:
                            self._push_wanted.set()  # the stream reconnected: retry now (3.10)
                    elif loop.time() - connected_at >= silence:
                        self._sse_failures = 0  # alive longer than a silence: SSE works here
                    self._live_seen_at = datetime.now(UTC).isoformat(timespec="milliseconds")
                    if isinstance(signal, KeepAlive):
                        if signal.retry_ms is not None:
                            self._server_retry = min(signal.retry_ms / 1000, MAX_SERVER_RETRY_S)
                        settled = settled or highest is not None
                    else:
                        if signal.event_id is not None:
                            highest = later_event_id(highest, signal.event_id)
                        self._on_poke(signal)
                    if settled and highest is not None:
                        self._last_event_id = later_event_id(self._last_event_id, highest)
                    if set(self._plan()) != wanted:
                        break  # a location appeared or went: reconnect for its stock stream
        except RemoteError as exc:
            refused = isinstance(exc, Rejected) or (
                isinstance(exc, ServerFailed) and exc.status in (404, 501)
            )
            if refused and not self._sse_refused:
                log.info("the server refuses the event stream (%s); long-polling instead", exc)
            self._sse_refused = self._sse_refused or refused
            self._sse_failures += 1
            if isinstance(exc, Unreachable) and not self._reached_within(silence):
                self._failed(exc, "events")  # nothing else got through lately either: an outage
            else:
                # Other requests get through: a proxy breaking SSE is not "offline".
                log.info("the event stream failed: %s", exc)
        finally:
            if self._transport == "sse":
                self._set_transport("none")
        return connected_at is not None

    async def _long_poll_until_sse_works(self, remote: LiveRemote) -> None:
        """Long-poll the live streams; every ``sse_retry_interval`` try SSE, and return once it connects."""
        loop = asyncio.get_running_loop()
        log.info("live updates by long-poll")
        self._set_transport("long-poll")
        polls: dict[str, asyncio.Task[None]] = {}

        def stop_polling() -> None:
            for task in polls.values():
                task.cancel()

        probe_at = loop.time() + self._timings.sse_retry_interval
        try:
            while True:
                for stream in self._long_poll_streams():
                    if stream not in polls or polls[stream].done():
                        polls[stream] = asyncio.create_task(
                            self._long_poll(remote, stream), name=f"long-poll:{stream}"
                        )
                await asyncio.sleep(max(0.0, min(LONG_POLL_RECHECK_S, probe_at - loop.time())))
                if loop.time() >= probe_at:
                    if await self._sse_session(remote, on_connected=stop_polling):
                        return
                    self._set_transport("long-poll")
                    probe_at = loop.time() + self._timings.sse_retry_interval
        finally:
            stop_polling()
            await asyncio.gather(*polls.values(), return_exceptions=True)
            if self._transport == "long-poll":
                self._set_transport("none")

    def _long_poll_streams(self) -> list[str]:
        plan = list(self._plan())
        if self._live_plan is not None:
            return [name for name in self._live_plan() if name in plan][:MAX_LONG_POLLS]
        return [name for name in plan if name.startswith(("stock:", "orders:"))][:MAX_LONG_POLLS]

    async def _long_poll(self, remote: LiveRemote, stream: str) -> None:
        """Hold ``pull?wait=`` open on one stream; when it answers with changes, pull the stream."""
        loop = asyncio.get_running_loop()
        wait = self._timings.long_poll_wait
        backoff = self._backoff()
        pull_first = False
        while True:
            try:
                state = self._known.get(stream)
                if pull_first or state is None or state.cursor is None or state.needs_refetch:
                    pull_first = False
                    await self._pull_stream(self._live_puller, stream)
                    continue
                asked_at = loop.time()
                page = await remote.pull(stream, state.cursor, 1, wait=wait)
                self._reached()
                if not (page.changes or page.has_more) and loop.time() - asked_at < wait / 2:
                    # Back at once with nothing: a server that does not hold requests. Do not spin.
                    await asyncio.sleep(wait)
                if page.changes or page.has_more:
                    await self._pull_stream(self._live_puller, stream)
                    moved = self._known.get(stream)
                    if moved is not None and moved.cursor == state.cursor:
                        # Said there was more, yet the pull did not move: do not spin on it.
                        await asyncio.sleep(backoff.next_delay())
                        continue
                backoff.reset()
            except RemoteError as exc:
                if isinstance(exc, Unreachable):
                    self._failed(exc, f"pull:{stream}")
                # A refusal (must_refetch, a bad cursor) is the puller's to handle: pull next time.
                pull_first = isinstance(exc, Rejected)
                await asyncio.sleep(
                    backoff.next_delay(exc.retry_after if isinstance(exc, RetryLater) else None)
                )
            except Exception:
                log.exception("%s: long-poll failed", stream)
                await asyncio.sleep(backoff.next_delay())

    # -- watchdog and housekeeping ----------------------------------------------------------------------

    async def _watchdog_loop(self) -> None:
        while True:
            await asyncio.sleep(self._timings.watchdog_tick)
            try:
                self.check_watchdog()
            except Exception:  # the outbox unreadable for a moment: look again next tick
                log.exception("the sync watchdog could not look at the outbox")

    def check_watchdog(self) -> bool:
        """Restart the pusher if actions wait, the server answers, and none was acknowledged for long.

        Returns whether it fired. The restart cancels the push task (its lock is released as the
        task unwinds), resets the Remote's connections if it is `Resettable`, and starts a new push
        task: rows are never dropped, reordered or marked done.
        """
        now = self._clock()
        pending = self._outbox.counts()["pending"]
        marker = self._outbox.last_acked_at() if pending else None
        progressed = not pending or marker != self._ack_marker
        if progressed or self._quiet_since is None:
            self._ack_marker = marker
            self._quiet_since = now
            if progressed and self._stalled_since is not None:
                log.info("sync pushes again after the watchdog restarted it")
                self._stalled_since = None
                self._changed()
            return False
        reachable = self._reached_within(self._timings.reachable_window)
        quiet = now - self._quiet_since
        if self._pushes_refused() or not reachable or quiet < self._timings.watchdog_after:
            return False
        self._watchdog_restarts += 1
        if self._stalled_since is None:
            self._stalled_since = datetime.now(UTC).isoformat(timespec="seconds")
        age = self._outbox.oldest_pending_age()
        log.error(
            "sync watchdog: %d actions pending, none acknowledged for %.0f s although the server answers "
            "(oldest pending %s s, last push error: %s, live: %s); restarting the pusher",
            pending,
            quiet,
            "?" if age is None else f"{age:.0f}",
            self.pusher.last_error or "none",
            self._transport,
        )
        self._quiet_since = now  # the new pusher gets a full period before the next restart
        self._reset_wanted = True  # a connection the server forgot must not outlive the restart
        task = self._push_task
        if task is not None and not task.done():
            task.cancel()
        self._changed()
        return True

    async def _housekeeping_loop(self) -> None:
        while True:
            try:
                removed = self._outbox.prune_applied()
                if removed:
                    log.info("pruned %d actions applied long ago", removed)
            except Exception:  # pruning is housekeeping: a failure waits for tomorrow
                log.exception("pruning applied actions failed")
            await asyncio.sleep(self._timings.prune_interval)

    def close(self) -> None:
        """Wait for the page being written, then stop the writer process if one runs."""
        self._executor.shutdown(wait=True)
        if self._bulk_writer is not None:
            self._bulk_writer.stop()


def _syncing(plan: Iterable[str], states: Mapping[str, StreamState]) -> list[str]:
    """Streams loaded whole right now or soon: never caught up, or being rebuilt."""
    return [
        name
        for name in plan
        if name not in states or states[name].caught_up_version is None or states[name].needs_refetch
    ]


def later_event_id(current: str | None, new: str) -> str:
    """The id to resume from: the highest seen. A connection announces each stream's head in stream
    order, not version order, so the last id received may be lower than one received before it."""
    if current is None or not (current.isdigit() and new.isdigit()):
        return new
    return new if int(new) > int(current) else current


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Until ``event`` is set or ``seconds`` pass; asyncio.timeout, not wait_for (CPython #86296)."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        pass
    event.clear()
