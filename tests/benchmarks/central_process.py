"""A central server process for the benchmarks: ``kiosk-central serve`` on a free loopback port."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests.fixtures.processes import stop

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def central_server(db_args: list[str], workdir: Path) -> Iterator[str]:
    """``kiosk-central serve`` in a subprocess on a free loopback port; yields its URL."""
    port_file = workdir / "central.url"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "central.cli",
            "serve",
            *db_args,
            "--port",
            "0",
            "--port-file",
            str(port_file),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not port_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("kiosk-central serve did not start")
            time.sleep(0.05)
        yield port_file.read_text()
    finally:
        stop(process)
