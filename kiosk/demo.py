"""The embedded demo: a local central server subprocess with seeded data, started and stopped by the app.

No Qt here; the app runs `DemoCentral.start` on a worker thread and `stop` on shutdown. The
central package is used only through its CLI (`python -m central.cli`), never imported.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

DEMO_PRODUCTS = 5000
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
_SEED_PROGRESS = re.compile(r"^(\d+) products\b")


class DemoError(Exception):
    """The demo server could not be prepared or started; the message says why."""


class DemoStopped(DemoError):
    """`stop()` was called while the demo was still starting."""


@dataclass(frozen=True, slots=True)
class DemoEndpoint:
    url: str
    enrol_key: str = field(repr=False)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no server output)"
    tail = [line for line in text.splitlines() if line.strip()][-lines:]
    return "\n".join(tail) if tail else "(no server output)"


class DemoCentral:
    """Owns the demo's central server process and its files in ``<data>/demo``."""

    def __init__(
        self,
        state_dir: Path,
        *,
        location: str,
        role: str,
        products: int = DEMO_PRODUCTS,
        startup_timeout: float = STARTUP_TIMEOUT,
        python: str = sys.executable,
        extra_seed_args: Sequence[str] = (),
    ) -> None:
        self._dir = state_dir
        self._location = location
        self._role = role
        self._products = products
        self._timeout = startup_timeout
        self._python = python
        self._extra_seed_args = tuple(extra_seed_args)
        self._lock = threading.Lock()
        self._processes: list[subprocess.Popen[bytes]] = []  # the seed, the key tool, the server
        self._stopping = False

    @property
    def database(self) -> Path:
        return self._dir / "central.db"

    @property
    def server_log(self) -> Path:
        return self._dir / "central.log"

    @property
    def running(self) -> bool:
        """Whether a process this object started (seed, key tool or server) is still alive."""
        return any(process.poll() is None for process in self._processes)

    def start(self, on_seed_progress: Callable[[int, int], None] | None = None) -> DemoEndpoint:
        """Seed (first run only), create an enrolment key, serve; blocks until the server listens."""
        # The demo device's data dir too (Settings.state_dir), and made here first: private, as the
        # data dir lock would make it (it leaves the mode of a folder that exists alone).
        self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.database.exists():
            self._seed(on_seed_progress)
        # The server takes seconds to import and bind: create the key meanwhile, not before.
        launched = time.monotonic()
        server, port_file = self._launch_server()
        try:
            key = self._enrol_key()
        except DemoError:
            self.stop()
            raise
        url = self._wait_listening(server, port_file, deadline=launched + self._timeout)
        return DemoEndpoint(url=url, enrol_key=key)

    def stop(self) -> None:
        """Stop whatever is running: SIGTERM, wait, then kill. Safe to call from any thread, twice."""
        with self._lock:
            self._stopping = True
            alive = [process for process in self._processes if process.poll() is None]
        for process in alive:
            process.terminate()
        for process in alive:
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log.warning(
                    "demo central process %d did not stop within %s s; killing it", process.pid, STOP_TIMEOUT
                )
                process.kill()
                process.wait()
            log.info("demo central process %d stopped (exit code %s)", process.pid, process.returncode)

    def _cli(self, *args: str) -> list[str]:
        return [self._python, "-m", "central.cli", *args]

    def _launch(
        self, argv: list[str], stdout: int | IO[bytes], stderr: int | IO[bytes]
    ) -> subprocess.Popen[bytes]:
        # Under the lock, so a concurrent stop() either prevents the start or sees the new process.
        with self._lock:
            if self._stopping:
                raise DemoStopped("the demo was stopped while starting")
            # argv is built here from sys.executable and our own paths, never from outside input.
            # cwd is the demo folder: `-m central.cli` then resolves the installed package, never a
            # stray central/ folder in whatever directory the app was started from.
            process = subprocess.Popen(  # noqa: S603
                argv, cwd=self._dir, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr
            )
            self._processes.append(process)
            return process

    def _seed(self, on_progress: Callable[[int, int], None] | None) -> None:
        # Seed into a side file and rename it when complete: an interrupted seed never looks finished.
        tmp = self.database.with_name("central.db.seeding")
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
        log.info("seeding the demo database with %d products (first run only)", self._products)
        argv = self._cli("seed", "--db", str(tmp), "--products", str(self._products), *self._extra_seed_args)
        process = self._launch(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if process.stderr is None:
            raise DemoError("the seed process has no output pipe")
        lines: list[str] = []
        with process.stderr:
            for raw in process.stderr:
                line = raw.decode("utf-8", errors="replace").rstrip()
                lines.append(line)
                match = _SEED_PROGRESS.match(line)
                if match and on_progress is not None:
                    on_progress(int(match.group(1)), self._products)
        code = process.wait()
        if self._stopping:
            raise DemoStopped("the demo was stopped while seeding")
        if code != 0:
            tail = "\n".join(lines[-15:]) or "(no output)"
            raise DemoError(f"seeding the demo database failed (exit code {code}):\n{tail}")
        self._fold_wal(tmp)
        os.replace(tmp, self.database)

    @staticmethod
    def _fold_wal(path: Path) -> None:
        """Checkpoint a WAL left beside the seeded file, so renaming the file alone moves all its data."""
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise DemoError(f"the seeded database still has unmerged changes in {wal}")
        for side in (wal, Path(f"{path}-shm")):
            side.unlink(missing_ok=True)

    def _enrol_key(self) -> str:
        argv = self._cli(
            "enrol-key", "--db", str(self.database), "--location", self._location, "--role", self._role
        )
        process = self._launch(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = process.communicate(timeout=self._timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise DemoError(f"creating an enrolment key took longer than {self._timeout:g} s") from None
        if self._stopping:
            raise DemoStopped("the demo was stopped while starting")
        if process.returncode != 0:
            message = err.decode("utf-8", errors="replace").strip() or "(no output)"
            raise DemoError(f"creating an enrolment key failed: {message}")
        key = out.decode("utf-8", errors="replace").strip()
        if not key or "\n" in key:
            raise DemoError("creating an enrolment key printed no single key")
        return key

    def _launch_server(self) -> tuple[subprocess.Popen[bytes], Path]:
        port_file = self._dir / "central.url"
        port_file.unlink(missing_ok=True)
        argv = self._cli(
            "serve",
            "--db",
            str(self.database),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--port-file",
            str(port_file),
        )
        # The server's output goes to a file, not a pipe: nobody reads a pipe while the app runs, and
        # a full pipe would block the server. The file also gives the error message its tail.
        # Truncated per start, so the tail in an error message is this run's output only.
        with self.server_log.open("wb") as output:
            process = self._launch(argv, stdout=output, stderr=subprocess.STDOUT)
        return process, port_file

    def _wait_listening(self, process: subprocess.Popen[bytes], port_file: Path, deadline: float) -> str:
        while time.monotonic() < deadline:
            if self._stopping:
                raise DemoStopped("the demo was stopped while starting")
            code = process.poll()
            if code is not None:
                raise DemoError(
                    f"the demo server exited with code {code} before listening:\n{_tail(self.server_log)}"
                )
            url = port_file.read_text(encoding="utf-8").strip() if port_file.exists() else ""
            if url:
                log.info("demo server listening at %s (pid %d)", url, process.pid)
                return url
            time.sleep(0.05)
        self.stop()
        raise DemoError(
            f"the demo server did not start listening within {self._timeout:g} s; its last output:\n"
            f"{_tail(self.server_log)}"
        )
