"""The status strip: SyncStatus turned into a StatusState (presenter), and the view drawing a state."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QLabel, QProgressBar
from pytestqt.qtbot import QtBot

from kiosk.services.enrolment import EnrolmentIssue
from kiosk.ui.status.presenter import StatusPresenter, last_sync_epoch
from kiosk.ui.status.state import Connectivity, FirstSyncProgress, Notice, NoticeKind, StatusState
from kiosk.ui.status.view import StatusView
from kiosk.ui.task_runner import TaskFailure
from offline_cache.cache_store import StreamState
from offline_cache.engine import SyncStatus

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PLAN = ("locations", "catalog", "reviews", "stock:CZ-PRG-01")


def stream(
    name: str, *, cursor: int | None = None, caught_up: int | None = None, server: int | None = None
) -> StreamState:
    return StreamState(
        name, None if cursor is None else f"v1.{cursor}", False, None, None, None, caught_up, server, 0
    )


def status(
    *,
    online: bool | None = True,
    last_ok: Mapping[str, str | None] | None = None,
    pending: int = 0,
    oldest: float | None = None,
    streams: tuple[StreamState, ...] = (),
    blocked: str | None = None,
    progress: float | None = None,
    eta: float | None = None,
) -> SyncStatus:
    done = sum(1 for s in streams if s.caught_up_version is not None)
    return SyncStatus(
        online=online,
        last_ok=dict.fromkeys(PLAN) if last_ok is None else dict(last_ok),
        pending=pending,
        rejected=0,
        needs_review=0,
        oldest_pending_age=oldest,
        progress_done=done,
        progress_total=len(PLAN),
        blocked=blocked,
        streams=streams,
        progress=progress,
        eta_s=eta,
    )


def synced(
    *, online: bool | None = True, pending: int = 0, oldest: float | None = None, blocked: str | None = None
) -> SyncStatus:
    """Every stream caught up, the last at 12:00."""
    streams = tuple(stream(name, cursor=100, caught_up=100, server=100) for name in PLAN)
    last_ok = dict.fromkeys(PLAN, "2026-03-02T11:58:00+00:00") | {"catalog": NOON.isoformat()}
    return status(
        online=online, last_ok=last_ok, pending=pending, oldest=oldest, streams=streams, blocked=blocked
    )


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def shown(strip: StatusPresenter) -> StatusState:
    # A call, not an attribute chain: mypy would otherwise keep a narrowed value across show_sync calls.
    return strip.state


def presenter(wall: float = NOON.timestamp()) -> StatusPresenter:
    return StatusPresenter(wall_clock=Clock(wall))


def test_connectivity_follows_the_engine_and_flips_are_signalled_once() -> None:
    strip = presenter()
    flips: list[bool] = []
    strip.connectivity_changed.connect(flips.append)
    strip.show_sync(synced(online=None))
    assert shown(strip).connectivity == Connectivity.CONNECTING
    strip.show_sync(synced(online=True))
    strip.show_sync(synced(online=True))
    strip.show_sync(synced(online=False))
    strip.show_sync(synced(online=False))
    strip.show_sync(synced(online=True))
    assert shown(strip).connectivity == Connectivity.ONLINE
    assert flips == [True, False, True]


def test_last_sync_in_minutes_from_the_newest_stream() -> None:
    assert last_sync_epoch(synced()) == NOON.timestamp()
    assert last_sync_epoch(status(last_ok={"catalog": "not a time", "locations": None})) is None
    strip = presenter(wall=NOON.timestamp() + 150)
    states: list[StatusState] = []
    strip.state_changed.connect(states.append)
    strip.show_sync(synced())
    assert shown(strip).last_sync_minutes == 2
    strip.show_sync(synced())
    assert len(states) == 1  # nothing the screen shows changed: no redraw
    strip.show_sync(status(online=False))
    assert shown(strip).last_sync_minutes is None


def test_actions_waiting_turn_amber_after_five_minutes() -> None:
    strip = presenter()
    strip.show_sync(synced(pending=3, oldest=299.0))
    assert (shown(strip).actions_waiting, shown(strip).actions_overdue) == (3, False)
    strip.show_sync(synced(pending=3, oldest=301.0))
    assert shown(strip).actions_overdue
    strip.show_sync(synced(pending=0, oldest=None))
    assert (shown(strip).actions_waiting, shown(strip).actions_overdue) == (0, False)


def test_first_sync_progress_with_time_left_then_done() -> None:
    strip = presenter()
    loading = (
        stream("locations", cursor=5, caught_up=5, server=1000),
        stream("catalog", cursor=250, server=1000),
    )
    strip.show_sync(status(streams=loading, progress=0.3, eta=None))
    assert shown(strip).progress == FirstSyncProgress(0.3, None)  # no rate yet: no time shown
    strip.show_sync(status(streams=loading, progress=0.42, eta=64.0))
    assert shown(strip).progress == FirstSyncProgress(0.42, 64.0)
    strip.show_sync(synced())
    assert shown(strip).progress is None


def test_a_blocked_engine_asks_for_a_person() -> None:
    strip = presenter()
    issues: list[object] = []
    strip.blocked_changed.connect(issues.append)
    strip.show_sync(synced(blocked="401 unauthorized: The token is not valid or has expired."))
    assert shown(strip).notice == Notice(NoticeKind.ENROLMENT_NEEDED)
    strip.show_sync(synced(blocked="426 update_required: update the app"))
    assert shown(strip).notice == Notice(NoticeKind.SYNC_BLOCKED)
    strip.show_sync(synced(blocked=None))
    assert shown(strip).notice is None
    assert issues == [EnrolmentIssue.CREDENTIALS_REFUSED, None, None]


class Engine:
    """Calls back like SyncEngine.subscribe does; `status()` may be made to fail."""

    def __init__(self) -> None:
        self.callbacks: list[Callable[[SyncStatus], None]] = []
        self.reads = 0
        self.broken = False

    def status(self) -> SyncStatus:
        self.reads += 1
        if self.broken:
            raise RuntimeError("the cache is closed")
        return synced()

    def subscribe(self, callback: Callable[[SyncStatus], None]) -> Callable[[], None]:
        self.callbacks.append(callback)
        return lambda: self.callbacks.remove(callback)


def test_follows_the_engine_and_survives_a_failing_read(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    strip = StatusPresenter(refresh_interval_ms=10)
    engine = Engine()
    statuses: list[object] = []
    strip.sync_status.connect(statuses.append)
    strip.watch(engine)
    assert shown(strip).connectivity == Connectivity.ONLINE  # read at once, not a tick later
    engine.callbacks[0](synced(online=False))  # the engine calls back on a change
    assert shown(strip).connectivity == Connectivity.OFFLINE
    qtbot.waitUntil(lambda: engine.reads >= 3, timeout=2000)  # and the clock ticks on the timer
    engine.broken = True
    with caplog.at_level(logging.ERROR):
        count = engine.reads
        qtbot.waitUntil(lambda: engine.reads >= count + 3, timeout=2000)
    assert caplog.text.count("reading the sync status failed") == 1  # logged once, not every tick
    assert len(statuses) >= 3
    strip.stop_watching()
    assert engine.callbacks == []
    count = engine.reads
    qtbot.wait(50)
    assert engine.reads == count


def test_notices_and_failures() -> None:
    strip = presenter()
    strip.show_notice(Notice(NoticeKind.DEMO_STARTING))
    strip.clear_notice(NoticeKind.ENROLMENT_NEEDED)  # a different kind: stays
    assert shown(strip).notice == Notice(NoticeKind.DEMO_STARTING)
    strip.clear_notice(NoticeKind.DEMO_STARTING)
    assert shown(strip).notice is None
    strip.report_failure(TaskFailure("home.refresh", KeyError("x")))
    assert shown(strip).notice == Notice(NoticeKind.UNEXPECTED_ERROR)


def texts(view: StatusView) -> dict[str, str]:
    return {label.objectName(): label.text() for label in view.findChildren(QLabel)}


def test_view_renders_online_with_last_sync(qtbot: QtBot) -> None:
    view = StatusView()
    qtbot.addWidget(view)
    view.show()
    view.render_state(StatusState(connectivity=Connectivity.ONLINE, last_sync_minutes=2))
    shown = texts(view)
    assert set(shown) >= {"connectivityBadge", "statusMessage", "lastSyncLabel", "actionsWaitingLabel"}
    assert "Online" in shown["connectivityBadge"]
    assert shown["statusMessage"] == "All data up to date"
    assert shown["lastSyncLabel"] == "Synced 2 min ago"
    assert shown["actionsWaitingLabel"] == "Nothing waiting to send"
    badge = view.findChild(QLabel, "connectivityBadge")
    assert badge is not None
    assert badge.property("connectivity") == "online"
    bar = view.findChild(QProgressBar, "syncProgress")
    assert bar is not None
    assert not bar.isVisible()
    assert view.accessibleName() == "Sync status"
    for minutes, expected in [
        (0, "Synced just now"),
        (125, "Synced 2 h ago"),
        (3 * 1440, "Synced 3 days ago"),
    ]:
        view.render_state(StatusState(connectivity=Connectivity.ONLINE, last_sync_minutes=minutes))
        assert texts(view)["lastSyncLabel"] == expected
    view.render_state(StatusState())
    assert texts(view)["lastSyncLabel"] == "Not synced yet"


def test_view_renders_progress_with_time_left(qtbot: QtBot) -> None:
    view = StatusView()
    qtbot.addWidget(view)
    view.show()
    view.render_state(StatusState(connectivity=Connectivity.ONLINE, progress=FirstSyncProgress(0.42, 64.0)))
    shown = texts(view)
    assert shown["statusMessage"] == "Downloading the catalog… 42% · about 1 min left"
    bar = view.findChild(QProgressBar, "syncProgress")
    assert bar is not None
    assert bar.isVisible()
    assert bar.value() == 420
    view.render_state(StatusState(connectivity=Connectivity.OFFLINE, progress=FirstSyncProgress(0.5, None)))
    assert texts(view)["statusMessage"] == "Downloading the catalog… 50% · paused while offline"


def test_view_renders_waiting_actions_amber_only_when_overdue(qtbot: QtBot) -> None:
    view = StatusView()
    qtbot.addWidget(view)
    view.render_state(StatusState(connectivity=Connectivity.OFFLINE, last_sync_minutes=3, actions_waiting=2))
    label = view.findChild(QLabel, "actionsWaitingLabel")
    assert label is not None
    assert label.text() == "Waiting to send: 2"
    assert label.property("waiting") is False
    view.render_state(StatusState(actions_waiting=2, actions_overdue=True))
    assert label.property("waiting") is True
    assert texts(view)["connectivityBadge"].endswith("Connecting…")


def test_view_renders_offline_and_notices_without_tracebacks(qtbot: QtBot) -> None:
    view = StatusView()
    qtbot.addWidget(view)
    view.render_state(StatusState(connectivity=Connectivity.OFFLINE, last_sync_minutes=4000))
    shown = texts(view)
    assert "Offline" in shown["connectivityBadge"]
    assert shown["statusMessage"] == "Working offline with the data from the last sync"
    view.render_state(StatusState(connectivity=Connectivity.OFFLINE))
    assert texts(view)["statusMessage"] == "Waiting for the central system…"

    message = view.findChild(QLabel, "statusMessage")
    assert message is not None
    view.render_state(StatusState(notice=Notice(NoticeKind.DATA_DIR_BUSY)))
    assert message.text() == "Another copy of the app or kiosk-sync is using this data folder."
    assert message.property("severity") == "error"
    view.render_state(StatusState(notice=Notice(NoticeKind.ENROLMENT_NEEDED)))
    assert "enrolled again" in message.text()
    assert message.property("severity") == "warning"
    view.render_state(StatusState(notice=Notice(NoticeKind.UNEXPECTED_ERROR)))
    assert "Something went wrong" in message.text()
    for kind in NoticeKind:
        view.render_state(StatusState(notice=Notice(kind, 5, 10)))
        assert message.text()
        assert "Traceback" not in message.text()
