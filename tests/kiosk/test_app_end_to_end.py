"""End to end: the real app (composition root, sync engine) against the real central server on loopback."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QListView, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.app import KioskApp
from kiosk.config import Mode, Settings
from kiosk.services.sync_session import SessionOptions
from kiosk.ui.status.state import NoticeKind, StatusState
from kiosk.ui.widgets.touch_button import TOUCH_MIN
from offline_cache.data_dir_lock import DataDirBusy, DataDirLock

from .conftest import CentralServer

START = 60_000  # ms; generous: a loaded CI machine may be slow
FLIP = 30_000
# Small pages so the first sync takes several steps and shows its progress; quick safety pulls so an
# outage is noticed even if the live event stream is not in use.
OPTIONS = SessionOptions(pull_interval=0.5, page_size=100)


def text(root: QWidget, name: str) -> str:
    label = root.findChild(QLabel, name)
    assert label is not None, f"no QLabel {name!r}"
    return label.text()


def settings_for(server: CentralServer, data_dir: Path, *, enrol_key: str | None) -> Settings:
    return Settings(
        demo=False,
        central_url=server.url,
        data_dir=data_dir,
        mode=Mode.KIOSK,
        enrol_key=enrol_key,
        location="CZ-PRG-01",
    )


def shut_down(app: KioskApp, loop: qasync.QEventLoop, qtbot: QtBot) -> None:
    task = loop.create_task(app.shutdown())
    qtbot.waitUntil(task.done, timeout=FLIP)
    assert task.exception() is None
    assert app.runner.names == []


def test_enrol_first_sync_then_offline_and_back(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    central_server: CentralServer,
    tmp_path: Path,
    themed_app: QApplication,
) -> None:
    store = json.loads(str(central_server.scalar("SELECT data FROM locations WHERE id = 'CZ-PRG-01'")))
    products = central_server.scalar("SELECT count(*) FROM products WHERE NOT deleted")
    categories = central_server.scalar("SELECT count(*) FROM categories WHERE NOT deleted")
    data_dir = tmp_path / "device"
    app = KioskApp(
        settings_for(central_server, data_dir, enrol_key=central_server.enrol_key()), session_options=OPTIONS
    )
    qtbot.addWidget(app.window)
    states: list[StatusState] = []
    app.status.state_changed.connect(states.append)
    ready: list[bool] = []
    app.on_backend_ready(lambda: ready.append(True))
    qasync_loop.create_task(app.start())

    window = app.window
    qtbot.waitUntil(lambda: text(window, "catalogCount") == str(products), timeout=START)
    qtbot.waitUntil(lambda: "Online" in text(window, "connectivityBadge"), timeout=START)
    assert ready == [True]
    assert text(window, "homeStoreName") == store["name"]
    assert store["city"] in text(window, "homeStorePlace")
    assert text(window, "catalogDetail") == f"products in {categories} categories"
    popular = window.findChild(QListView, "homeHighlightsList")
    assert popular is not None
    qtbot.waitUntil(lambda: popular.model().rowCount() == 12, timeout=FLIP)
    # The first sync showed its progress in the strip while it ran, then the bar went away.
    progress = [s.progress for s in states if s.progress is not None]
    assert progress, "no progress was shown during the first sync"
    assert any("Downloading the catalog" in line for line in _messages(states, app))
    qtbot.waitUntil(lambda: app.status.state.progress is None, timeout=START)
    qtbot.waitUntil(lambda: app.engine.status().first_sync_done, timeout=START)
    assert text(window, "lastSyncLabel") == "Synced just now"
    assert text(window, "actionsWaitingLabel") == "Nothing waiting to send"
    assert app.window.current_screen() == "home"
    # What other screens get once the backend is up.
    assert app.cache.location("CZ-PRG-01") is not None
    assert app.outbox.counts()["pending"] == 0
    assert app.location_id == "CZ-PRG-01"

    device = data_dir / "device.json"
    assert stat.S_IMODE(device.stat().st_mode) == 0o600
    assert json.loads(device.read_text())["location_id"] == "CZ-PRG-01"
    with pytest.raises(DataDirBusy):  # kiosk-sync (or a second app) would be refused this folder
        DataDirLock.acquire(data_dir)

    central_server.stop()
    qtbot.waitUntil(lambda: "Offline" in text(window, "connectivityBadge"), timeout=FLIP)
    assert text(window, "statusMessage") == "Working offline with the data from the last sync"
    assert text(window, "catalogCount") == str(products)  # the cache stays on screen
    assert popular.model().rowCount() == 12
    assert app.status.state.notice is None  # no error, let alone a traceback

    central_server.start()  # back, on the same address
    qtbot.waitUntil(lambda: "Online" in text(window, "connectivityBadge"), timeout=FLIP)
    assert app.status.state.actions_waiting == 0
    assert text(window, "actionsWaitingLabel") == "Nothing waiting to send"
    shut_down(app, qasync_loop, qtbot)
    DataDirLock.acquire(data_dir).release()  # shutdown released the folder


def _messages(states: list[StatusState], app: KioskApp) -> list[str]:
    """The strip's message for each state it went through, as the view words it."""
    view = app.status_view
    current = view.state
    lines = []
    for state in states:
        view.render_state(state)
        lines.append(text(view, "statusMessage"))
    view.render_state(current)
    return lines


def test_refused_token_asks_for_re_enrolment_on_screen(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    central_server: CentralServer,
    tmp_path: Path,
    themed_app: QApplication,
) -> None:
    data_dir = tmp_path / "device"
    data_dir.mkdir()
    # A device.json whose token the server never issued (or has since revoked).
    (data_dir / "device.json").write_text(
        json.dumps(
            {
                "device_id": "T-GONE",
                "token": "d.not-a-valid-token",
                "role": "kiosk",
                "location_id": "CZ-PRG-01",
                "central_url": central_server.url,
            }
        )
    )
    app = KioskApp(settings_for(central_server, data_dir, enrol_key=None), session_options=OPTIONS)
    qtbot.addWidget(app.window)
    qasync_loop.create_task(app.start())

    window = app.window
    qtbot.waitUntil(lambda: text(window, "problemTitle") == "This device needs to be enrolled", timeout=START)
    assert "no longer accepts" in text(window, "problemText")
    notice = app.status.state.notice
    assert notice is not None
    assert notice.kind == NoticeKind.ENROLMENT_NEEDED
    assert "enrolled again" in text(window, "statusMessage")
    retry = window.findChild(QPushButton, "homeRetryButton")
    assert retry is not None
    assert retry.isVisible()
    assert retry.height() >= TOUCH_MIN
    DataDirLock.acquire(data_dir).release()  # nothing holds the folder while a person is needed
    shut_down(app, qasync_loop, qtbot)


def test_a_folder_in_use_is_said_on_screen_and_retry_connects_once_it_is_free(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    central_server: CentralServer,
    tmp_path: Path,
    themed_app: QApplication,
) -> None:
    data_dir = tmp_path / "device"
    other = DataDirLock.acquire(data_dir)  # as a running kiosk-sync holds it
    app = KioskApp(
        settings_for(central_server, data_dir, enrol_key=central_server.enrol_key()), session_options=OPTIONS
    )
    qtbot.addWidget(app.window)
    qasync_loop.create_task(app.start())
    window = app.window
    qtbot.waitUntil(
        lambda: "Another copy of the app or kiosk-sync" in text(window, "problemText"), timeout=START
    )
    assert text(window, "statusMessage") == "Another copy of the app or kiosk-sync is using this data folder."
    assert app.session is None

    other.release()
    retry = window.findChild(QPushButton, "homeRetryButton")
    assert retry is not None
    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Online" in text(window, "connectivityBadge"), timeout=START)
    assert app.status.state.notice is None
    shut_down(app, qasync_loop, qtbot)
