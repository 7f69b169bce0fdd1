"""Kiosk fixtures: offscreen Qt, Qt warnings fail tests, a qasync loop, and the real central server."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from central.auth import create_enrolment_key
from central.db import Database
from central.server import ServerThread
from kiosk.app import KioskApp
from kiosk.config import Mode, Settings
from kiosk.services.cache_reader import CacheReader
from kiosk.services.sync_session import SessionOptions
from kiosk.ui.task_runner import TaskRunner
from kiosk.ui.theme import apply_theme
from offline_cache.cache_store import CacheStore
from tests.fixtures.databases import seeded_central

# Qt reads this when the QApplication is created (by pytest-qt's qapp), not at import: no display needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

KIOSK_TESTS = Path(__file__).parent
# The offscreen platform cannot resize native windows; it says so, and that is not our bug.
QT_NOISE = [r"This plugin does not support propagateSizeHints\(\)"]
# The real app against the real central server (the `kiosk` fixture): a loaded machine may be slow.
START = 60_000  # ms until the first sync is done
FLIP = 30_000  # ms for a step after that
OPTIONS = SessionOptions(pull_interval=0.5, page_size=100)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if KIOSK_TESTS in Path(item.path).parents:
            # As qutebrowser does: any Qt warning during a kiosk test is a failure, not noise.
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(*QT_NOISE))


@pytest.fixture
def themed_app(qapp: QApplication) -> Iterator[QApplication]:
    """The app's QSS theme applied, as at start; removed afterwards so other tests see plain Qt."""
    assert apply_theme(qapp), "resources/theme.qss should load"
    yield qapp
    qapp.setStyleSheet("")


@pytest.fixture
def qasync_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop marked running, driven by whatever processes Qt events (qtbot.waitUntil).

    The real app runs ``asyncio.run(main(), loop_factory=QEventLoop)``; a test cannot block in
    ``asyncio.run`` and call qtbot at once, so it lets qtbot's event processing run the loop.
    """
    loop = qasync.QEventLoop(qapp, already_running=True)
    try:
        yield loop
    finally:
        _run_ready_callbacks(qapp, loop)
        # Collect the test's Qt objects here, on Qt's thread: left to a later garbage collection, they
        # may be destroyed on a worker thread, and Qt warns that their timers cannot be stopped there.
        gc.collect()
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        deadline = time.monotonic() + 10
        while any(not task.done() for task in pending) and time.monotonic() < deadline:
            qapp.processEvents()
            time.sleep(0.01)
        _run_ready_callbacks(qapp, loop)
        # stop() lets close() proceed, but it also calls QApplication.exit() with no exec() running:
        # that leaves Qt's "quit now" flag set, and every later nested event loop (qtbot.wait,
        # waitSignal) would return at once. A brief exec() that exits by itself clears the flag.
        loop.stop()
        QTimer.singleShot(0, lambda: qapp.exit(0))
        qapp.exec()
        asyncio.events._set_running_loop(None)  # already_running=True set it; nothing else unsets it
        loop.close()


def _run_ready_callbacks(qapp: QApplication, loop: qasync.QEventLoop) -> None:
    """Run what the loop was already asked to do, such as a closed socket's last callback.

    A transport closed by the app's shutdown forgets its socket in a callback the loop runs
    next. A loop closed before that callback runs leaves the socket open, and its ResourceWarning
    fails whichever later test the collector finalizes it in.
    """
    done: list[bool] = []
    loop.call_soon(done.append, True)  # runs after every callback queued before it
    deadline = time.monotonic() + 5
    while not done and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.001)


@pytest.fixture(scope="session")
def central_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded central database made once per session (200 products, no orders); ``central_db`` copies it."""
    path = tmp_path_factory.mktemp("kiosk-central") / "central.db"
    return seeded_central(path, products=200, seed_value=7, reviews_per_product=2, with_orders=False)


@dataclass
class CentralServer:
    """The real central server on a loopback port (a thread of this process); it can stop and come back."""

    db: Database
    thread: ServerThread | None = None
    url: str = ""

    def start(self) -> None:
        port = int(self.url.rpartition(":")[2]) if self.url else 0
        self.thread = ServerThread(self.db, port=port).start()
        self.url = self.thread.url

    def stop(self) -> None:
        if self.thread is not None:
            self.thread.stop()
            self.thread = None

    def enrol_key(self, location: str = "CZ-PRG-01", role: str = "kiosk") -> str:
        return create_enrolment_key(self.db, location, role)

    def scalar(self, sql: str) -> object:
        with self.db.read() as conn:
            return conn.execute(text(sql)).scalar()


@pytest.fixture
def central_server(central_db: Database) -> Iterator[CentralServer]:
    server = CentralServer(central_db)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def settle_runner(runner: TaskRunner) -> None:
    """Until every task the intents started has finished (the asyncio loop runs only while we await)."""
    for _ in range(500):
        if not runner.names:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"tasks still running: {runner.names}")


def device_settings(
    central_server: CentralServer, data_dir: Path, mode: Mode = Mode.KIOSK, *, with_key: bool = True
) -> Settings:
    """A device of CZ-PRG-01 with a fresh enrolment key of the role its mode needs (none without
    ``with_key``). In English: the tests read English texts, and unconfigured the kiosk would speak
    the store's Czech."""
    role = "kiosk" if mode == Mode.KIOSK else "associate"
    return Settings(
        demo=False,
        central_url=central_server.url,
        data_dir=data_dir,
        mode=mode,
        enrol_key=central_server.enrol_key(role=role) if with_key else None,
        location="CZ-PRG-01",
        language="en",
    )


@contextlib.contextmanager
def running_app(qtbot: QtBot, qasync_loop: qasync.QEventLoop, settings: Settings) -> Iterator[KioskApp]:
    """The real app, started and synced once; shut down (with no task left behind) at the end."""
    app = KioskApp(settings, session_options=OPTIONS)
    # Not qtbot.addWidget: pytest-qt would delete the window (and the idle timer in it) before the
    # app is shut down.
    qasync_loop.create_task(app.start())
    qtbot.waitUntil(lambda: app.session is not None and app.engine.status().first_sync_done, timeout=START)
    qtbot.waitUntil(lambda: app.screens is not None, timeout=FLIP)
    yield app
    task = qasync_loop.create_task(app.shutdown())
    qtbot.waitUntil(task.done, timeout=FLIP)
    assert task.exception() is None
    assert app.runner.names == []
    app.window.deleteLater()


@pytest.fixture
def kiosk(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    central_server: CentralServer,
    tmp_path: Path,
    themed_app: QApplication,
) -> Iterator[KioskApp]:
    """The real app in kiosk mode, configured in English, synced with the real central server."""
    with running_app(
        qtbot, qasync_loop, device_settings(central_server, tmp_path / "device", Mode.KIOSK)
    ) as app:
        qtbot.waitUntil(lambda: len(app.home.state.popular) > 0, timeout=FLIP)
        yield app


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[CacheReader]:
    """A cache reader (its two threads) over an empty cache; both closed afterwards."""
    cache = CacheStore.open(tmp_path / "cache.db")
    reader = CacheReader(cache)
    yield reader
    reader.close()
    cache.close()
