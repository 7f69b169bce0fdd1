"""Kiosk fixtures: offscreen Qt, Qt warnings fail tests, a qasync loop, and a real central server."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk.ui.theme import apply_theme

# Qt reads this when the QApplication is created (by pytest-qt's qapp), not at import: no display needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

KIOSK_TESTS = Path(__file__).parent
# The offscreen platform cannot resize native windows; it says so, and that is not our bug.
QT_NOISE = [r"This plugin does not support propagateSizeHints\(\)"]


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
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        deadline = time.monotonic() + 10
        while any(not task.done() for task in pending) and time.monotonic() < deadline:
            qapp.processEvents()
            time.sleep(0.01)
        # stop() lets close() proceed, but it also calls QApplication.exit() with no exec() running:
        # that leaves Qt's "quit now" flag set, and every later nested event loop (qtbot.wait,
        # waitSignal) would return at once. A brief exec() that exits by itself clears the flag.
        loop.stop()
        QTimer.singleShot(0, lambda: qapp.exit(0))
        qapp.exec()
        asyncio.events._set_running_loop(None)  # already_running=True set it; nothing else unsets it
        loop.close()


def run_central(*args: str, cwd: Path, timeout: float = 120) -> str:
    # cwd outside the repo would resolve the installed package; in tmp_path it is the same package.
    result = subprocess.run(
        [sys.executable, "-m", "central.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"central.cli {args[0]} failed:\n{result.stderr}"
    return result.stdout


@dataclass
class CentralServer:
    """The real central server in a subprocess, on a free loopback port."""

    url: str
    enrol_key: str
    database: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def scalar(self, sql: str) -> object:
        connection = sqlite3.connect(self.database)
        try:
            return connection.execute(sql).fetchone()[0]
        finally:
            connection.close()


@pytest.fixture
def central_server(tmp_path: Path) -> Iterator[CentralServer]:
    """Seeded with 200 products (no orders), a kiosk enrolment key, serving on a free port."""
    database = tmp_path / "central.db"
    run_central("seed", "--db", str(database), "--products", "200", "--no-orders", cwd=tmp_path)
    key = run_central(
        "enrol-key", "--db", str(database), "--location", "CZ-PRG-01", "--role", "kiosk", cwd=tmp_path
    ).strip()
    port_file = tmp_path / "central.url"
    server_log = tmp_path / "central.log"
    with server_log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "central.cli",
                "serve",
                "--db",
                str(database),
                "--port",
                "0",
                "--port-file",
                str(port_file),
            ],
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = CentralServer("", key, database, process)
    try:
        deadline = time.monotonic() + 60
        while not port_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"central server did not start:\n{server_log.read_text()}")
            time.sleep(0.05)
        server.url = port_file.read_text().strip()
        yield server
    finally:
        server.stop()
