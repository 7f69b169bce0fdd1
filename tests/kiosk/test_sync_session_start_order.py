"""The start of an enrolled device: its files open and its catalog reads before the central is asked.

A remote whose creation blocks (a factory held on its worker thread) or whose token probe blocks (a
central that accepts connections and never answers) must not hold up the cache nor `backend.ready`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import qasync
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from central.app import create_app
from central.db import Database
from kiosk.api.remote import CentralRemote
from kiosk.app import ENGINE_TASK, KioskApp
from kiosk.config import Mode, Settings
from kiosk.services.enrolment import EnrolmentPlan
from kiosk.services.sync_session import SessionOptions, SyncSession
from offline_cache.device_record import DeviceRecord, device_store

from .conftest import CentralServer, device_settings

STORE = "CZ-PRG-01"
START = 60_000  # ms
FLIP = 30_000
WAIT = 10.0  # s: a worker thread held by a test never waits longer, even when the test fails


def is_linked(session: SyncSession) -> bool:
    # A call, not the property: mypy would keep `not session.linked` narrowed across `await link()`.
    return session.linked


def _catalog_rows(session: SyncSession) -> int:
    return session.cache.counts().get("catalog", 0)


async def _synced_device(db: Database, data_dir: Path, url: str, key: str) -> int:
    """Enrol a device for ``url`` through the in-process central and sync it once; its catalog rows."""
    transport = httpx.ASGITransport(app=create_app(db))
    session = await SyncSession.open(
        data_dir,
        EnrolmentPlan(url, "kiosk", "kiosk on test", STORE, key),
        remote_factory=lambda base: CentralRemote(base, transport=transport),
    )
    try:
        assert (await session.engine.run_once()).first_sync_done
        rows = await session.reader.run(lambda cache: cache.counts()["catalog"])
    finally:
        await session.close()
    assert rows > 200
    return rows


class Held(httpx.AsyncBaseTransport):
    """The in-process central, answering only once let go."""

    def __init__(self, db: Database) -> None:
        self.inner = httpx.ASGITransport(app=create_app(db))
        self.arrived = asyncio.Event()
        self.answer = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.arrived.set()
        await self.answer.wait()
        return await self.inner.handle_async_request(request)


async def test_the_cache_reads_while_the_remote_is_still_being_made(
    central_server: CentralServer, tmp_path: Path
) -> None:
    url = "http://central.test"
    data_dir = tmp_path / "device"
    rows = await _synced_device(central_server.db, data_dir, url, central_server.enrol_key())
    transport = httpx.ASGITransport(app=create_app(central_server.db))
    entered, release = threading.Event(), threading.Event()

    def slow_factory(base: str) -> CentralRemote:
        entered.set()
        release.wait(WAIT)  # httpx loading httpcore and the trust store, made very slow
        return CentralRemote(base, transport=transport)

    session = await SyncSession.open(
        data_dir, EnrolmentPlan(url, "kiosk", "t", STORE), remote_factory=slow_factory
    )
    try:
        assert not entered.is_set()  # open() made no remote at all
        assert await session.reader.run(lambda cache: cache.counts()["catalog"]) == rows
        linking = asyncio.create_task(session.link())
        assert await asyncio.to_thread(entered.wait, WAIT)
        # The remote is being made on a worker thread: the loop is free and the cache answers.
        assert await session.reader.run(lambda cache: cache.counts()["catalog"]) == rows
        assert not linking.done()
        assert not is_linked(session)
        release.set()
        await asyncio.wait_for(linking, WAIT)
        assert is_linked(session)
        assert session.remote.base_url == url
    finally:
        release.set()
        await session.close()


async def test_the_cache_reads_while_the_token_probe_waits_for_an_answer(
    central_server: CentralServer, tmp_path: Path
) -> None:
    url = "http://central.test"
    data_dir = tmp_path / "device"
    rows = await _synced_device(central_server.db, data_dir, url, central_server.enrol_key())
    held = Held(central_server.db)
    session = await SyncSession.open(
        data_dir,
        EnrolmentPlan(url, "kiosk", "t", STORE),
        remote_factory=lambda base: CentralRemote(base, transport=held),
    )
    try:
        assert not held.arrived.is_set()
        linking = asyncio.create_task(session.link())
        await asyncio.wait_for(held.arrived.wait(), WAIT)
        assert _catalog_rows(session) == rows
        assert await session.reader.run(lambda cache: cache.counts()["catalog"]) == rows
        assert not is_linked(session)
        held.answer.set()
        await asyncio.wait_for(linking, WAIT)
        assert is_linked(session)
        status = await session.engine.run_once()  # the token the probe tried works for the engine too
        assert status.first_sync_done
    finally:
        held.answer.set()
        await session.close()


class SilentCentral:
    """A loopback address that takes connections and never answers, until let go: then it hangs up."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self._released = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="silent-central", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                connection, _ = self._listener.accept()
                if self._released.is_set():
                    connection.close()
                else:
                    self.held.append(connection)

    def release(self) -> None:
        self._released.set()
        for connection in self.held:
            connection.close()

    def close(self) -> None:
        self.release()
        self._stop.set()
        self._thread.join(WAIT)
        self._listener.close()


@pytest.fixture
def silent_central() -> Iterator[SilentCentral]:
    central = SilentCentral()
    try:
        yield central
    finally:
        central.close()


def test_backend_ready_fires_and_the_catalog_shows_before_the_central_answers(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    central_server: CentralServer,
    silent_central: SilentCentral,
    tmp_path: Path,
    themed_app: QApplication,
) -> None:
    data_dir = tmp_path / "device"
    # Enrolled (and synced once) for the silent address; the real central stands in for it meanwhile.
    synced = qasync_loop.create_task(
        _synced_device(central_server.db, data_dir, silent_central.url, central_server.enrol_key())
    )
    qtbot.waitUntil(synced.done, timeout=START)
    rows = synced.result()
    products = central_server.scalar("SELECT count(*) FROM products WHERE NOT deleted")
    settings = Settings(
        demo=False,
        central_url=silent_central.url,
        data_dir=data_dir,
        mode=Mode.KIOSK,
        location=STORE,
        language="en",
    )
    app = KioskApp(settings, session_options=SessionOptions(pull_interval=0.5))
    qtbot.addWidget(app.window)
    linked_at_ready: list[bool] = []
    app.on_backend_ready(lambda: linked_at_ready.append(app.session is not None and app.session.linked))
    qasync_loop.create_task(app.start())
    count = app.window.findChild(QLabel, "catalogCount")
    assert count is not None
    qtbot.waitUntil(lambda: count.text() == str(products), timeout=START)
    qtbot.waitUntil(lambda: len(silent_central.held) > 0, timeout=FLIP)  # the token probe is waiting
    assert linked_at_ready == [False]
    session = app.session
    assert session is not None
    assert not is_linked(session)
    assert _catalog_rows(session) == rows
    assert app.status.state.notice is None

    silent_central.release()  # the central hangs up: the engine starts and works offline
    qtbot.waitUntil(lambda: is_linked(session), timeout=FLIP)
    assert app.runner.is_running(ENGINE_TASK)
    qtbot.waitUntil(lambda: "Offline" in _badge(app), timeout=FLIP)
    assert count.text() == str(products)  # the cache stayed on screen
    assert app.status.state.notice is None  # no error, let alone a traceback
    task = qasync_loop.create_task(app.shutdown())
    qtbot.waitUntil(task.done, timeout=FLIP)
    assert task.exception() is None


def _badge(app: KioskApp) -> str:
    badge = app.window.findChild(QLabel, "connectivityBadge")
    return badge.text() if badge is not None else ""


def test_a_refused_token_with_a_key_at_hand_reopens_the_folder_as_the_new_device(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    central_server: CentralServer,
    tmp_path: Path,
    themed_app: QApplication,
) -> None:
    data_dir = tmp_path / "device"
    device_store(data_dir).save(DeviceRecord("T-GONE", "d.never-issued", "kiosk", STORE, central_server.url))
    settings = device_settings(central_server, data_dir)
    app = KioskApp(settings, session_options=SessionOptions(pull_interval=0.5))
    qtbot.addWidget(app.window)
    ready: list[str] = []
    app.on_backend_ready(lambda: ready.append(app.session.record.device_id if app.session else ""))
    qasync_loop.create_task(app.start())
    qtbot.waitUntil(lambda: app.session is not None and is_linked(app.session), timeout=START)
    renewed = device_store(data_dir).load()
    assert renewed is not None
    assert renewed.device_id != "T-GONE"
    # Ready once for the stored device (its cache readable at once), again for the new one.
    assert ready == ["T-GONE", renewed.device_id]
    assert app.outbox.identity().terminal_id == renewed.device_id
    qtbot.waitUntil(lambda: app.engine.status().first_sync_done, timeout=START)
    assert app.status.state.notice is None
    task = qasync_loop.create_task(app.shutdown())
    qtbot.waitUntil(task.done, timeout=FLIP)
    assert task.exception() is None
