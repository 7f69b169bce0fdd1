"""End to end: the real app (composition root) against the real central server in a subprocess."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.app import KioskApp
from kiosk.config import Mode, Settings
from kiosk.ui.status.state import NoticeKind, StatusState
from kiosk.ui.widgets.touch_button import TOUCH_MIN

from .conftest import CentralServer

START = 60_000  # ms; generous: a loaded CI machine may be slow to start Python and the server
FLIP = 30_000


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


def test_online_store_catalog_then_offline(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    central_server: CentralServer,
    tmp_path: Path,
    themed_app: QApplication,
) -> None:
    store = json.loads(str(central_server.scalar("SELECT data FROM locations WHERE id = 'CZ-PRG-01'")))
    categories = central_server.scalar("SELECT count(*) FROM categories WHERE NOT deleted")
    products = central_server.scalar("SELECT count(*) FROM products WHERE NOT deleted")
    assert products == 200

    app = KioskApp(settings_for(central_server, tmp_path / "device", enrol_key=central_server.enrol_key))
    qtbot.addWidget(app.window)
    states: list[StatusState] = []
    app.status.state_changed.connect(states.append)
    qasync_loop.create_task(app.start())

    window = app.window
    qtbot.waitUntil(lambda: "Online" in text(window, "connectivityBadge"), timeout=START)
    qtbot.waitUntil(lambda: text(window, "catalogCount") == "200", timeout=START)
    assert text(window, "homeStoreName") == store["name"]
    assert store["city"] in text(window, "homeStorePlace")
    assert text(window, "catalogDetail") == f"products in {categories} categories"
    assert "Last sync" in text(window, "lastSyncLabel")
    assert text(window, "actionsWaitingLabel") == "Nothing waiting to send"
    # The first sync showed its progress in the strip while it ran, and it ended at 100 %.
    progress = [s.progress for s in states if s.progress is not None]
    assert progress
    assert progress[-1].fraction == 1.0
    assert app.window.current_screen() == "home"

    device = tmp_path / "device" / "device.json"
    assert stat.S_IMODE(device.stat().st_mode) == 0o600
    assert json.loads(device.read_text())["location_id"] == "CZ-PRG-01"

    central_server.stop()
    qtbot.waitUntil(lambda: "Offline" in text(window, "connectivityBadge"), timeout=FLIP)
    assert text(window, "statusMessage") == "Working offline with the data from the last sync"
    assert text(window, "catalogCount") == "200"  # what was loaded stays on screen
    assert app.status.state.notice is None  # no error, let alone a traceback
    shut_down(app, qasync_loop, qtbot)
    assert app.runner.names == []


def test_refused_token_asks_for_re_enrolment_on_screen(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    central_server: CentralServer,
    tmp_path: Path,
    themed_app: QApplication,
) -> None:
    data_dir = tmp_path / "device"
    data_dir.mkdir()
    # A device.json whose token the server never issued (or has since expired).
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
    app = KioskApp(settings_for(central_server, data_dir, enrol_key=None))
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
    shut_down(app, qasync_loop, qtbot)
