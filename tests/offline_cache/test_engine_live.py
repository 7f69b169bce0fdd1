"""The engine's live parts against the real server: pokes, reconnects, long-poll, watchdog, progress, review.

``httpx.ASGITransport`` collects a whole response before returning it, so an endless event stream
never arrives through it: SSE runs over a real loopback socket (``ServerThread``), with both
transports (httpx for the app, http.client for the CLI). Long-poll, the watchdog and progress run
in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from central.auth import create_enrolment_key
from central.db import Database
from central.orders import bump_stock_versions, change_stock
from central.server import ServerThread
from kiosk.api.remote import CentralRemote
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.engine import LiveTimings, SyncEngine, SyncStatus, later_event_id
from offline_cache.http_remote import HttpRemote
from offline_cache.outbox import ACKNOWLEDGED_EVENT, OUTBOX_FILE, InvalidAction, Outbox, QueuedAction
from offline_cache.remote import (
    Enrolment,
    Health,
    KeepAlive,
    LiveRemote,
    LiveSignal,
    Poke,
    PullPage,
    PushRequest,
    PushResponse,
    PushResult,
    Rejected,
    Resettable,
    ServerFailed,
    Unauthorized,
    Unreachable,
)
from tests.offline_cache.conftest import (
    STORE,
    Device,
    kiosk_order,
    orders_with_key,
    sku_in_stock,
)

STOCK = f"stock:{STORE}"
HEARTBEAT = 0.3
FAST = LiveTimings(
    heartbeat=HEARTBEAT,
    sse_failures_before_fallback=2,
    sse_retry_interval=60.0,
    long_poll_wait=2.0,
    watchdog_tick=0.02,
)


class Relay:
    """A LiveRemote forwarding to another, recording what the engine asked; subclasses interfere."""

    def __init__(self, inner: LiveRemote) -> None:
        self.inner = inner
        self.pulls: list[tuple[str, float]] = []
        self.connects: list[str | None] = []  # Last-Event-ID of each event-stream connection
        self.subscribed: list[set[str]] = []  # the streams each Relay connection asked for
        self.pushes: list[PushRequest] = []
        self.resets = 0

    async def reset(self) -> None:
        self.resets += 1
        if isinstance(self.inner, Resettable):
            await self.inner.reset()

    async def enrol_device(self, enrolment_key: str, device_name: str) -> Enrolment:
        return await self.inner.enrol_device(enrolment_key, device_name)

    async def health(self) -> Health:
        return await self.inner.health()

    async def pull(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None, wait: float = 0
    ) -> PullPage:
        self.pulls.append((stream, wait))
        return await self.inner.pull(stream, cursor, limit, install_id=install_id, wait=wait)

    async def push(self, request: PushRequest) -> PushResponse:
        self.pushes.append(request)
        return await self.inner.push(request)

    async def events(
        self, streams: Sequence[str], last_event_id: str | None
    ) -> AsyncGenerator[LiveSignal, None]:
        self.connects.append(last_event_id)
        self.subscribed.append(set(streams))
        async with contextlib.aclosing(self.inner.events(streams, last_event_id)) as signals:
            async for signal in signals:
                yield signal


def move_stock(db: Database, sku: str, delta: int = 1) -> None:
    """A server-side stock change: new version, and a poke once it commits."""
    with db.write() as tx:
        change_stock(tx, {(sku, STORE): (delta, 0)})
        bump_stock_versions(tx, [(sku, STORE)])


def cached_on_hand(device: Device, sku: str) -> int:
    [level] = [s for s in device.cache.stock_for(sku) if s.location_id == STORE]
    return level.on_hand


async def until(check: Callable[[], bool], within: float = 15.0) -> None:
    async with asyncio.timeout(within):
        while True:
            if check():
                return
            await asyncio.sleep(0.02)


@pytest.fixture
def live_server(central_db: Database) -> Iterator[ServerThread]:
    with ServerThread(central_db, heartbeat_seconds=HEARTBEAT) as running:
        yield running


async def loopback_device(db: Database, url: str, data_dir: Path) -> tuple[Device, str]:
    """A device enrolled over loopback, using the app's httpx transport; also its token."""
    remote = CentralRemote(url)
    enrolment = await remote.enrol_device(create_enrolment_key(db, STORE, "kiosk"), "pytest")
    remote.use_token(enrolment.token)
    device = Device(
        db,
        remote,
        enrolment.device_id,
        enrolment.role,
        enrolment.location_id,
        data_dir,
        Outbox.open(data_dir / OUTBOX_FILE, enrolment.device_id),
        CacheStore.open(data_dir / CACHE_FILE),
    )
    return device, enrolment.token


@pytest.fixture
async def loopback(central_db: Database, live_server: ServerThread, tmp_path: Path) -> AsyncIterator[Device]:
    device, _ = await loopback_device(central_db, live_server.url, tmp_path / "kiosk")
    yield device
    device.outbox.close()
    device.cache.close()
    await device.remote.aclose()


class Running:
    """run_forever in a task, cancelled and closed at the end of the test."""

    def __init__(self, engine: SyncEngine) -> None:
        self.engine = engine
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> SyncEngine:
        self.task = asyncio.create_task(self.engine.run_forever())
        return self.engine

    async def __aexit__(self, *exc: object) -> None:
        assert self.task is not None
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task
        self.engine.close()


def first_sync_done(engine: SyncEngine) -> Callable[[], bool]:
    return lambda: engine.status().first_sync_done


# -- SSE -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["httpx", "stdlib"])
async def test_a_server_change_reaches_the_cache_by_sse_without_waiting_for_the_safety_pull(
    central_db: Database, live_server: ServerThread, tmp_path: Path, transport: str
) -> None:
    device, token = await loopback_device(central_db, live_server.url, tmp_path / "kiosk")
    relay = Relay(device.remote if transport == "httpx" else HttpRemote(live_server.url, token))
    engine = device.engine(relay, pull_interval=300.0, timings=FAST)
    try:
        async with Running(engine):
            await until(first_sync_done(engine), 60)
            await until(lambda: engine.status().live == "sse")
            await asyncio.sleep(3 * HEARTBEAT)  # pulls the first pokes asked for are over
            # Each heartbeat is the server confirming it had nothing more to say, as of then.
            seen = engine.status().live_seen_at
            assert seen is not None
            assert timedelta(0) <= datetime.now(UTC) - datetime.fromisoformat(seen) < timedelta(seconds=10)
            await until(lambda: (engine.status().live_seen_at or "") > seen, 5)  # the next heartbeat
            sku = sku_in_stock(central_db)
            before = cached_on_hand(device, sku)
            relay.pulls.clear()
            move_stock(central_db, sku, +3)
            await until(lambda: cached_on_hand(device, sku) == before + 3, 10)
            # The poke pulled THAT stream only; the safety pull (every 300 s) did not run.
            assert {stream for stream, _ in relay.pulls} == {STOCK}
            assert engine.status().online is True
    finally:
        device.outbox.close()
        device.cache.close()
        await device.remote.aclose()


async def test_new_locations_reconnect_the_stream_at_once_not_at_the_next_heartbeat(
    central_db: Database, tmp_path: Path
) -> None:
    with ServerThread(central_db, heartbeat_seconds=30.0) as server:
        device, _ = await loopback_device(central_db, server.url, tmp_path / "kiosk")
        relay = Relay(device.remote)
        engine = device.engine(relay, pull_interval=300.0, timings=LiveTimings(heartbeat=30.0))
        try:
            async with Running(engine):
                await until(first_sync_done(engine), 60)
                await until(lambda: STOCK in relay.subscribed[-1], 5)  # long before a 30 s heartbeat
                assert relay.subscribed[0] == {"locations", "catalog", "reviews"}  # what a new device knows
                await asyncio.sleep(0.5)
                sku = sku_in_stock(central_db)
                before = cached_on_hand(device, sku)
                move_stock(central_db, sku, +1)
                await until(lambda: cached_on_hand(device, sku) == before + 1, 5)
        finally:
            device.outbox.close()
            device.cache.close()
            await device.remote.aclose()


class DropOnce(Relay):
    """Once armed, a connection breaks right after a change was committed, before its poke is read."""

    def __init__(self, inner: LiveRemote, change: Callable[[], None]) -> None:
        super().__init__(inner)
        self.change = change
        self.armed = False
        self.last_seen: str | None = None
        self.dropped_at: int | None = None  # how many connections there were when one broke
        self.seen_at_drop: str | None = None  # the highest event id delivered before the break

    async def events(
        self, streams: Sequence[str], last_event_id: str | None
    ) -> AsyncGenerator[LiveSignal, None]:
        self.connects.append(last_event_id)
        async with contextlib.aclosing(self.inner.events(streams, last_event_id)) as signals:
            async for signal in signals:
                if isinstance(signal, Poke) and signal.event_id is not None:
                    self.last_seen = later_event_id(self.last_seen, signal.event_id)
                yield signal
                if self.armed and isinstance(signal, KeepAlive) and self.last_seen:
                    self.armed = False
                    self.dropped_at = len(self.connects)
                    self.seen_at_drop = self.last_seen
                    self.change()
                    raise Unreachable("GET /v1/sync/events: connection reset")


async def test_sse_reconnects_with_last_event_id_and_gets_what_it_missed(
    central_db: Database, live_server: ServerThread, loopback: Device
) -> None:
    sku = sku_in_stock(central_db)
    relay = DropOnce(loopback.remote, lambda: move_stock(central_db, sku, +2))
    engine = loopback.engine(relay, pull_interval=300.0, timings=FAST)
    async with Running(engine):
        await until(first_sync_done(engine), 60)
        await until(lambda: engine.status().live == "sse")
        before = cached_on_hand(loopback, sku)
        relay.armed = True
        await until(lambda: relay.dropped_at is not None and len(relay.connects) > relay.dropped_at)
        assert relay.dropped_at is not None
        # Resumed from the highest id delivered before the break (a heartbeat had settled the
        # announcements). Not ``last_seen`` read now: the resumed connection may already have
        # announced the missed change, a higher id, by the time this line runs.
        assert relay.seen_at_drop is not None
        assert relay.connects[relay.dropped_at] == relay.seen_at_drop
        await until(lambda: cached_on_hand(loopback, sku) == before + 2, 10)
        assert engine.status().online is True  # other requests got through lately: not an outage


class DropAfterFirstPoke(Relay):
    """The first connection to announce anything breaks right after its first announcement."""

    def __init__(self, inner: LiveRemote) -> None:
        super().__init__(inner)
        self.head: Poke | None = None
        self.dropped_at: int | None = None  # how many connections there were when one broke

    async def events(
        self, streams: Sequence[str], last_event_id: str | None
    ) -> AsyncGenerator[LiveSignal, None]:
        self.connects.append(last_event_id)
        async with contextlib.aclosing(self.inner.events(streams, last_event_id)) as signals:
            async for signal in signals:
                yield signal
                if self.head is None and isinstance(signal, Poke):
                    self.head, self.dropped_at = signal, len(self.connects)
                    raise Unreachable("GET /v1/sync/events: connection reset")


async def test_a_connection_lost_during_its_announcements_resumes_where_it_began(
    central_db: Database, live_server: ServerThread, loopback: Device
) -> None:
    # Heads come in stream-name order: "catalog" (a high version) before "locations" and "reviews".
    # Resuming from catalog's id would skip every head below it that had not arrived yet.
    relay = DropAfterFirstPoke(loopback.remote)
    engine = loopback.engine(relay, pull_interval=300.0, timings=FAST)
    async with Running(engine):
        await until(lambda: relay.dropped_at is not None and len(relay.connects) > relay.dropped_at)
    assert relay.head is not None
    assert relay.dropped_at is not None
    assert relay.head.stream == "catalog"
    assert relay.head.event_id is not None
    # (A first connection may have been closed before it announced anything: the locations stream
    # arrived and the engine reconnected for the stock streams.) Nothing was settled before the break.
    assert relay.connects[: relay.dropped_at + 1] == [None] * (relay.dropped_at + 1)


class GoSilent(Relay):
    """The first connection stops delivering anything (a dead NAT entry, a stuck proxy)."""

    async def events(
        self, streams: Sequence[str], last_event_id: str | None
    ) -> AsyncGenerator[LiveSignal, None]:
        first = not self.connects
        self.connects.append(last_event_id)
        heads = False
        async with contextlib.aclosing(self.inner.events(streams, last_event_id)) as signals:
            async for signal in signals:
                yield signal
                heads = heads or isinstance(signal, Poke)
                if first and heads and isinstance(signal, KeepAlive):
                    await asyncio.Event().wait()  # silence from now on: not even a heartbeat


async def test_heartbeat_silence_counts_as_a_dead_stream_and_reconnects(
    central_db: Database, live_server: ServerThread, loopback: Device
) -> None:
    relay = GoSilent(loopback.remote)
    engine = loopback.engine(relay, pull_interval=300.0, timings=FAST)
    async with Running(engine):
        await until(lambda: len(relay.connects) >= 2, 15)
        await until(lambda: engine.status().live == "sse")
        await until(first_sync_done(engine), 60)
        sku = sku_in_stock(central_db)
        before = cached_on_hand(loopback, sku)
        move_stock(central_db, sku, +1)
        await until(lambda: cached_on_hand(loopback, sku) == before + 1, 10)


class EventsFail(Relay):
    """The event stream fails the first ``times`` connections with ``error``, then works."""

    def __init__(self, inner: LiveRemote, error: Exception, times: int) -> None:
        super().__init__(inner)
        self.error = error
        self.times = times

    async def events(
        self, streams: Sequence[str], last_event_id: str | None
    ) -> AsyncGenerator[LiveSignal, None]:
        self.connects.append(last_event_id)
        if len(self.connects) <= self.times:
            raise self.error
        async with contextlib.aclosing(self.inner.events(streams, last_event_id)) as signals:
            async for signal in signals:
                yield signal


@pytest.mark.parametrize(
    "error",
    [
        Rejected(404, "not_found", "no such route"),  # a server without /v1/sync/events
        ServerFailed("GET /v1/sync/events: server error", 501),
        Unreachable("GET /v1/sync/events: proxy closed the connection"),  # fails N times in a row
    ],
)
async def test_when_sse_fails_long_poll_still_delivers_changes(kiosk: Device, error: Exception) -> None:
    # In-process: long-poll answers are ordinary (finite) responses.
    relay = EventsFail(kiosk.remote, error, times=1000)
    engine = kiosk.engine(relay, pull_interval=300.0, timings=FAST, backoff_base=0.01, live_streams=[STOCK])
    async with Running(engine):
        await until(first_sync_done(engine), 60)
        await until(lambda: engine.status().live == "long-poll")
        sku = sku_in_stock(kiosk.db)
        before = cached_on_hand(kiosk, sku)
        await until(lambda: (STOCK, 2.0) in relay.pulls)  # a long-poll is being held
        move_stock(kiosk.db, sku, +4)
        await until(lambda: cached_on_hand(kiosk, sku) == before + 4, 10)  # not the 300 s safety pull
    assert {stream for stream, wait in relay.pulls if wait} == {STOCK}  # only the live streams are held
    assert len(relay.connects) <= 2  # refused or failing twice: no more tries before the retry interval


async def test_sse_is_tried_again_while_long_polling_and_taken_back_when_it_works(
    central_db: Database, live_server: ServerThread, loopback: Device
) -> None:
    relay = EventsFail(loopback.remote, ServerFailed("GET /v1/sync/events: server error", 502), times=2)
    timings = LiveTimings(
        heartbeat=HEARTBEAT, sse_failures_before_fallback=2, sse_retry_interval=1.0, long_poll_wait=2.0
    )
    engine = loopback.engine(relay, pull_interval=300.0, timings=timings, backoff_base=0.01)
    seen: list[str] = []
    engine.subscribe(lambda status: seen.append(status.live))
    async with Running(engine):
        await until(lambda: "long-poll" in seen)
        await until(lambda: engine.status().live == "sse", 15)
    assert seen.index("long-poll") < len(seen) - 1 - seen[::-1].index("sse")


# -- watchdog ----------------------------------------------------------------------------------------------


class HangFirstPush(Relay):
    """The first push never answers (a hung transport below any timeout)."""

    def __init__(self, inner: LiveRemote) -> None:
        super().__init__(inner)
        self.hung = asyncio.Event()

    async def push(self, request: PushRequest) -> PushResponse:
        self.pushes.append(request)
        if len(self.pushes) == 1:
            self.hung.set()
            await asyncio.Event().wait()
        return await self.inner.push(request)


def queue_order(outbox: Outbox, sku: str) -> QueuedAction:
    draft = outbox.open_draft("cart")
    return outbox.submit(draft, "order.create", kiosk_order(str(uuid.uuid4()), sku), None, "kiosk:test")


async def test_the_watchdog_restarts_a_stuck_pusher_without_losing_or_reordering_anything(
    kiosk: Device, caplog: pytest.LogCaptureFixture
) -> None:
    sku = sku_in_stock(kiosk.db, at_least=5)
    first, second = queue_order(kiosk.outbox, sku), queue_order(kiosk.outbox, sku)
    now = [1000.0]
    relay = HangFirstPush(kiosk.remote)
    engine = kiosk.engine(relay, pull_interval=300.0, clock=lambda: now[0], timings=FAST, live=False)
    async with Running(engine):
        await until(first_sync_done(engine), 60)
        await relay.hung.wait()
        await until(engine.pusher.lock.locked)
        now[0] += 121  # two minutes without an acknowledgement ...
        assert not engine.check_watchdog()  # ... but no request succeeded lately: not the pusher's fault
        with caplog.at_level(logging.ERROR, logger="offline_cache.engine"):
            engine.request_pull()  # a pull succeeds: the server is reachable
            await until(lambda: engine.status().watchdog_restarts == 1)
        assert engine.status().stalled_since is not None
        assert "sync watchdog: 2 actions pending" in caplog.text
        await until(lambda: kiosk.outbox.counts()["pending"] == 0)
        await until(lambda: engine.status().stalled_since is None)
        assert not engine.pusher.lock.locked()
    assert engine.status().watchdog_restarts == 1
    assert relay.resets == 1  # the restarted pusher got fresh connections
    # The restarted pusher sent the same rows, in the same order, once each on the server.
    assert [a.action_id for a in relay.pushes[0].actions] == [first.action_id, second.action_id]
    assert [a.action_id for a in relay.pushes[1].actions] == [first.action_id, second.action_id]
    for action in (first, second):
        assert orders_with_key(kiosk.db, action.action_id) == 1


class CountingServer:
    """A loopback HTTP/1.1 server answering /v1/health on keep-alive connections; counts connections."""

    BODY = b'{"status":"ok","version":"t","api":1,"server_version":7}'

    def __init__(self) -> None:
        self.connections = 0
        self.server: asyncio.Server | None = None
        self.handlers: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def __aenter__(self) -> CountingServer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for task in self.handlers:
            task.cancel()
        await asyncio.gather(*self.handlers, return_exceptions=True)
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self.handlers.add(task)
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                writer.write(head % len(self.BODY) + self.BODY)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client hung up, or the test is over
        finally:
            writer.close()


async def test_reset_drops_the_pooled_connections_and_keeps_the_client_and_token() -> None:
    async with CountingServer() as server:
        remote = CentralRemote(server.url, "device-token")
        client = remote.http
        try:
            assert (await remote.health()).server_version == 7
            assert (await remote.health()).server_version == 7
            assert server.connections == 1  # kept alive and reused: a forgotten one would be too
            await remote.reset()
            assert (await remote.health()).server_version == 7
            assert server.connections == 2  # a new connection after the reset
            assert remote.http is client  # product images share this client: it stays usable
            assert isinstance(remote, Resettable)
            assert isinstance(HttpRemote(server.url), Resettable)
        finally:
            await remote.aclose()


class Refusing(Relay):
    """Pushes, or pulls of one stream, are refused with ``error`` until ``error`` is set to None."""

    def __init__(self, inner: LiveRemote, error: Exception, *, push: bool, stream: str = "") -> None:
        super().__init__(inner)
        self.error: Exception | None = error
        self.push_refused = push
        self.stream = stream

    async def pull(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None, wait: float = 0
    ) -> PullPage:
        if self.error is not None and stream == self.stream:
            raise self.error
        return await super().pull(stream, cursor, limit, install_id=install_id, wait=wait)

    async def push(self, request: PushRequest) -> PushResponse:
        if self.error is not None and self.push_refused:
            self.pushes.append(request)
            raise self.error
        return await super().push(request)


@pytest.mark.parametrize(
    "error",
    [
        Rejected(403, "device_revoked", "This device has been revoked."),
        Unauthorized(401, "unauthorized", "The token is not valid or has expired."),
        Rejected(426, "unsupported_protocol", "Update the app."),
    ],
)
async def test_a_refused_push_stays_blocked_until_a_push_succeeds_not_when_a_pull_answers(
    kiosk: Device, error: Rejected
) -> None:
    queue_order(kiosk.outbox, sku_in_stock(kiosk.db))
    relay = Refusing(kiosk.remote, error, push=True)
    engine = kiosk.engine(relay, live=False)
    with pytest.raises(Rejected):
        await engine.push()
    assert engine.status().blocked == str(error)
    await engine.pull_all()  # every stream answers ...
    assert engine.status().blocked == str(error)  # ... which says nothing about pushes
    relay.error = None
    await engine.push()
    assert engine.status().blocked is None
    assert kiosk.outbox.counts()["pending"] == 0
    engine.close()


async def test_a_refused_pull_is_cleared_by_that_stream_answering_or_for_credentials_by_a_push(
    kiosk: Device,
) -> None:
    forbidden = Rejected(403, "forbidden", "Stream 'reviews' is not readable by this device.")
    relay = Refusing(kiosk.remote, forbidden, push=False, stream="reviews")
    engine = kiosk.engine(relay, live=False)
    with pytest.raises(Rejected):
        await engine.pull_all()
    assert engine.status().blocked == str(forbidden)
    queue_order(kiosk.outbox, sku_in_stock(kiosk.db))
    await engine.push()  # the device token is fine, but that does not open the stream
    assert engine.status().blocked == str(forbidden)
    relay.error = None
    await engine.pull_all()
    assert engine.status().blocked is None

    revoked = Rejected(403, "device_revoked", "This device has been revoked.")
    relay.error = revoked
    with pytest.raises(Rejected):
        await engine.pull_all()
    assert engine.status().blocked == str(revoked)
    await engine.push()  # nothing pending: the server was not asked, so nothing is proven
    assert engine.status().blocked == str(revoked)
    queue_order(kiosk.outbox, sku_in_stock(kiosk.db))
    await engine.push()  # a push with the device token was accepted: the credentials are good
    assert engine.status().blocked is None
    engine.close()


# -- progress and status -------------------------------------------------------------------------------


async def test_a_multi_page_first_sync_reports_progress_and_an_eta(
    kiosk: Device, caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 0.25  # every look at the clock is a quarter second later: a steady rate
        return now[0]

    engine = kiosk.engine(page_size=40, clock=clock, rng=random.Random(1))
    seen: list[SyncStatus] = []
    engine.subscribe(seen.append)

    def broken(_: SyncStatus) -> None:
        raise RuntimeError("a subscriber bug")

    engine.subscribe(broken)
    with caplog.at_level(logging.ERROR, logger="offline_cache.engine"):
        status = await engine.run_once()
    engine.close()
    assert status.first_sync_done
    assert status.progress is None  # nothing is syncing any more
    assert "a sync status subscriber failed" in caplog.text  # logged, and the sync went on
    during = [s for s in seen if s.progress is not None]
    assert len(during) >= 5
    assert all(0.0 <= (s.progress or 0) <= 1.0 for s in during)
    assert any(0.0 < (s.progress or 0) < 1.0 and s.eta_s is not None and s.eta_s > 0 for s in during)
    assert max(s.progress_rows for s in during) > 40  # more than one page of rows
    for total in {s.progress_total for s in during}:  # streams join when locations name them
        values = [s.progress for s in during if s.progress_total == total]
        assert values == sorted(values, key=lambda v: v or 0.0)


async def test_status_reports_the_live_transport_pending_and_last_pulls(kiosk: Device) -> None:
    engine = kiosk.engine()
    queue_order(kiosk.outbox, sku_in_stock(kiosk.db))
    before = engine.status()
    assert (before.live, before.pending, before.online) == ("none", 1, None)
    assert before.oldest_pending_age is not None
    await engine.run_once()
    engine.close()
    after = engine.status()
    assert after.pending == 0
    assert after.online is True
    assert all(after.last_ok.values())


# -- needs review --------------------------------------------------------------------------------------


def needs_review(outbox: Outbox, action: QueuedAction, code: str = "over_return") -> None:
    """Record a needs_review outcome as a push response would."""
    raw = {"action_id": action.action_id, "seq": action.seq, "status": "needs_review", "code": code}
    result = PushResult(action.action_id, action.seq, "needs_review", code, None, None, raw)
    outbox.record_results(action.install_id, [result])


async def test_needs_review_outcomes_are_acknowledged_once_with_an_audit_entry(kiosk: Device) -> None:
    sku = sku_in_stock(kiosk.db)
    action, other = queue_order(kiosk.outbox, sku), queue_order(kiosk.outbox, sku)
    needs_review(kiosk.outbox, action)
    needs_review(kiosk.outbox, other, "server_dead_letter")
    engine = kiosk.engine()
    changes: list[SyncStatus] = []
    engine.subscribe(changes.append)
    assert (engine.status().needs_review, engine.status().unacknowledged) == (2, 2)

    entry = engine.acknowledge(action.action_id, by="A-0042", note="refund on hold, called the customer")
    await asyncio.sleep(0)  # subscribers hear of it on the loop
    assert entry.event == ACKNOWLEDGED_EVENT
    assert entry.associate_id == "A-0042"
    assert dict(entry.detail) == {
        "action_id": action.action_id,
        "code": "over_return",
        "note": "refund on hold, called the customer",
    }
    status = engine.status()
    assert (status.needs_review, status.unacknowledged) == (2, 1)  # the outcome stays; the banner goes
    assert changes
    assert changes[-1].unacknowledged == 1
    assert [a.action_id for a in kiosk.outbox.unacknowledged()] == [other.action_id]
    stored = kiosk.outbox.action(action.action_id)
    assert stored is not None
    assert stored.state == "needs_review"
    assert kiosk.outbox.verify_audit_chain() is None

    entries = len(kiosk.outbox.audit_entries())
    bad = [
        (action.action_id, "A-0042", "again"),  # already acknowledged
        (str(uuid.uuid4()), "A-0042", ""),  # unknown action
        (other.action_id, "", "no one"),  # who acknowledged must be said
        (other.action_id, "A 42; DROP", ""),  # not an id
        (other.action_id, "A-0042", "bell\x07"),  # control characters
        (other.action_id, "A-0042", "x" * 1001),  # too long
    ]
    for action_id, by, note in bad:
        with pytest.raises(InvalidAction):
            engine.acknowledge(action_id, by=by, note=note)
    pending = queue_order(kiosk.outbox, sku)
    with pytest.raises(InvalidAction):  # only needs_review outcomes are acknowledged
        engine.acknowledge(pending.action_id, by="A-0042")
    assert len(kiosk.outbox.audit_entries()) == entries + 1  # the queued action's own entry only
    engine.close()
