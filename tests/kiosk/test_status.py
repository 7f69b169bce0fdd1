"""The status strip: presenter transitions awaited directly, and the view drawing a state."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest
from PySide6.QtWidgets import QLabel, QProgressBar
from pytestqt.qtbot import QtBot

from kiosk.api.contract import Health
from kiosk.api.errors import CentralFailed, CentralUnreachable
from kiosk.services.connectivity import HealthCheck
from kiosk.services.first_sync import SyncProgress
from kiosk.ui.status.presenter import StatusPresenter
from kiosk.ui.status.state import Connectivity, FirstSyncProgress, Notice, NoticeKind, StatusState
from kiosk.ui.status.view import StatusView
from kiosk.ui.task_runner import TaskFailure, TaskRunner

from .fakes import FakeCentral

NOON = datetime(2026, 3, 2, 12, 0).astimezone()


def presenter(clock_at: datetime = NOON, interval: float = 5.0) -> StatusPresenter:
    return StatusPresenter(TaskRunner(), interval=interval, clock=lambda: clock_at)


async def test_health_flips_online_and_offline_once_per_change(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    central = FakeCentral()
    status = presenter()
    status.attach(HealthCheck(central))  # the watch loop is tested below; here one check at a time
    flips: list[bool] = []
    status.connectivity_changed.connect(flips.append)
    assert status.state.connectivity == Connectivity.CONNECTING

    await status.check_health()
    assert status.state.connectivity == Connectivity.ONLINE
    central.health_error = CentralUnreachable("connection refused")
    await status.check_health()
    await status.check_health()
    assert status.state.connectivity == Connectivity.OFFLINE
    central.health_error = CentralFailed("server error", 500)
    await status.check_health()
    central.health_error = None
    await status.check_health()
    assert status.state.connectivity == Connectivity.ONLINE
    assert flips == [True, False, True]
    # An outage is logged once when it starts and once when it ends, not at every probe.
    assert caplog.text.count("central API not reachable") == 1
    assert caplog.text.count("central API reachable again") == 1


async def test_watch_probes_periodically() -> None:
    central = FakeCentral()
    runner = TaskRunner()
    status = StatusPresenter(runner, interval=0.01)
    status.watch(HealthCheck(central))
    await asyncio.sleep(0.05)
    assert status.state.connectivity == Connectivity.ONLINE
    central.health_error = CentralUnreachable("refused")
    await asyncio.sleep(0.05)
    assert status.state.connectivity == Connectivity.OFFLINE
    runner.cancel("status.health")


async def test_a_hung_server_counts_as_offline() -> None:
    class Hung(FakeCentral):
        async def health(self) -> Health:
            await asyncio.sleep(10)
            raise AssertionError("the probe should have timed out")

    status = presenter()
    status.attach(HealthCheck(Hung(), timeout=0.05))
    await status.check_health()
    assert status.state.connectivity == Connectivity.OFFLINE


def test_sync_progress_then_success_sets_the_last_sync_time() -> None:
    status = presenter()
    states: list[StatusState] = []
    status.state_changed.connect(states.append)
    status.sync_progressed(SyncProgress("catalog", items=500, done=40, total=100, eta_seconds=12.0))
    assert status.state.progress == FirstSyncProgress(500, 40, 100, 12.0)
    assert status.state.progress.fraction == pytest.approx(0.4)
    status.sync_succeeded()
    assert status.state.progress is None
    assert status.state.last_sync_at == NOON
    assert status.state.actions_waiting == 0
    assert len(states) == 2


def test_notices_and_failures() -> None:
    status = presenter()
    status.show_notice(Notice(NoticeKind.DEMO_STARTING))
    status.clear_notice(NoticeKind.ENROLMENT_NEEDED)  # a different kind: stays
    assert status.state.notice == Notice(NoticeKind.DEMO_STARTING)
    status.clear_notice(NoticeKind.DEMO_STARTING)
    assert status.state.notice is None
    status.report_failure(TaskFailure("home.load", KeyError("x")))
    assert status.state.notice is not None
    assert status.state.notice.kind == NoticeKind.UNEXPECTED_ERROR
    status.central_unreachable()
    assert status.state.connectivity == Connectivity.OFFLINE


def texts(view: StatusView) -> dict[str, str]:
    return {label.objectName(): label.text() for label in view.findChildren(QLabel)}


def test_view_renders_online_with_last_sync(qtbot: QtBot) -> None:
    view = StatusView()
    qtbot.addWidget(view)
    view.show()
    now = datetime.now().astimezone().replace(hour=9, minute=5)
    view.render_state(StatusState(connectivity=Connectivity.ONLINE, last_sync_at=now))
    shown = texts(view)
    assert set(shown) >= {"connectivityBadge", "statusMessage", "lastSyncLabel", "actionsWaitingLabel"}
    assert "Online" in shown["connectivityBadge"]
    assert shown["statusMessage"] == "All data up to date"
    assert "Last sync" in shown["lastSyncLabel"]
    assert "9" in shown["lastSyncLabel"]
    assert "05" in shown["lastSyncLabel"]
    assert shown["actionsWaitingLabel"] == "Nothing waiting to send"
    badge = view.findChild(QLabel, "connectivityBadge")
    assert badge is not None
    assert badge.property("connectivity") == "online"
    bar = view.findChild(QProgressBar, "syncProgress")
    assert bar is not None
    assert not bar.isVisible()
    assert view.accessibleName() == "Sync status"


def test_view_renders_progress_offline_and_notices(qtbot: QtBot) -> None:
    view = StatusView()
    qtbot.addWidget(view)
    view.show()
    view.render_state(
        StatusState(connectivity=Connectivity.ONLINE, progress=FirstSyncProgress(2400, 45, 100, 6.4))
    )
    shown = texts(view)
    assert "Downloading the catalog" in shown["statusMessage"]
    assert "45%" in shown["statusMessage"]
    assert "about 6 s left" in shown["statusMessage"]
    bar = view.findChild(QProgressBar, "syncProgress")
    assert bar is not None
    assert bar.isVisible()
    assert bar.value() == 450

    view.render_state(StatusState(connectivity=Connectivity.OFFLINE, last_sync_at=NOON - timedelta(days=3)))
    shown = texts(view)
    assert "Offline" in shown["connectivityBadge"]
    assert shown["statusMessage"] == "Working offline with the data from the last sync"

    view.render_state(StatusState(notice=Notice(NoticeKind.UNEXPECTED_ERROR)))
    message = view.findChild(QLabel, "statusMessage")
    assert message is not None
    assert "Something went wrong" in message.text()
    assert "Traceback" not in message.text()
    assert message.property("severity") == "error"
