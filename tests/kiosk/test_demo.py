"""The embedded demo server: seed once (atomically), enrol, serve, stop; errors carry the server output."""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from kiosk.demo import DemoCentral, DemoError, DemoStopped

FAKE_CLI = """#!{python}
# Stands in for `python -m central.cli`: argv is [me, "-m", "central.cli", command, ...].
import pathlib, sys, time
command, args = sys.argv[3], sys.argv[4:]
behaviour = pathlib.Path(__file__).with_name("behaviour").read_text().split()
if command == "seed":
    if "seed-fails" in behaviour:
        print("kiosk-central: error: the disk is full", file=sys.stderr)
        sys.exit(1)
    pathlib.Path(args[args.index("--db") + 1]).write_bytes(b"")
elif command == "enrol-key":
    if "key-fails" in behaviour:
        print("kiosk-central: error: unknown location 'CZ-PRG-01'", file=sys.stderr)
        sys.exit(1)
    print("KEY-FROM-FAKE")
elif command == "serve":
    print("uvicorn: starting", file=sys.stderr, flush=True)
    print("ERROR: the database is locked", file=sys.stderr, flush=True)
    time.sleep(60)
"""


def fake_python(tmp_path: Path, *behaviour: str) -> str:
    script = tmp_path / "fake-python"
    script.write_text(FAKE_CLI.format(python=sys.executable))
    script.chmod(0o755)
    (tmp_path / "behaviour").write_text(" ".join(behaviour) or "none")
    return str(script)


def test_demo_seeds_once_serves_and_stops(tmp_path: Path) -> None:
    state = tmp_path / "demo"
    progress: list[tuple[int, int]] = []
    demo = DemoCentral(
        state, location="CZ-PRG-01", role="kiosk", products=200, extra_seed_args=("--no-orders",)
    )
    endpoint = demo.start(lambda done, total: progress.append((done, total)))
    try:
        assert endpoint.url.startswith("http://127.0.0.1:")
        assert endpoint.enrol_key
        assert endpoint.enrol_key not in repr(endpoint)
        health = httpx.get(f"{endpoint.url}/v1/health", timeout=10).json()
        assert health["status"] == "ok"
        assert progress
        assert progress[-1] == (200, 200)
        assert (state / "central.db").exists()
        assert not list(state.glob("central.db.seeding*"))
        answer = httpx.post(
            f"{endpoint.url}/v1/auth/device",
            json={"enrolment_key": endpoint.enrol_key, "device_name": "test"},
            timeout=10,
        )
        assert answer.json()["role"] == "kiosk"
    finally:
        demo.stop()
    assert not demo.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{endpoint.url}/v1/health", timeout=5)

    # A second start reuses the seeded database: no seeding progress, same data.
    again = DemoCentral(state, location="CZ-PRG-01", role="kiosk", products=200)
    progress.clear()
    second = again.start(lambda done, total: progress.append((done, total)))
    try:
        assert progress == []
        assert httpx.get(f"{second.url}/v1/health", timeout=10).json()["status"] == "ok"
    finally:
        again.stop()


def test_server_that_never_listens_times_out_with_its_output(tmp_path: Path) -> None:
    demo = DemoCentral(
        tmp_path / "demo",
        location="CZ-PRG-01",
        role="kiosk",
        startup_timeout=1.5,
        python=fake_python(tmp_path),
    )
    started = time.monotonic()
    with pytest.raises(DemoError) as info:
        demo.start()
    assert time.monotonic() - started < 15
    message = str(info.value)
    assert "did not start listening within 1.5 s" in message
    assert "the database is locked" in message  # the server's stderr tail
    assert not demo.running  # and the server was stopped, not left behind


def test_failed_seed_is_not_mistaken_for_a_finished_one(tmp_path: Path) -> None:
    state = tmp_path / "demo"
    demo = DemoCentral(state, location="CZ-PRG-01", role="kiosk", python=fake_python(tmp_path, "seed-fails"))
    with pytest.raises(DemoError, match="the disk is full"):
        demo.start()
    assert not (state / "central.db").exists()


def test_leftover_partial_seed_is_replaced(tmp_path: Path) -> None:
    state = tmp_path / "demo"
    state.mkdir()
    (state / "central.db.seeding").write_bytes(b"half a database")
    demo = DemoCentral(
        state, location="CZ-PRG-01", role="kiosk", startup_timeout=0.5, python=fake_python(tmp_path)
    )
    with pytest.raises(DemoError):
        demo.start()  # seeds (fake), then the fake server never listens
    database = state / "central.db"
    assert database.exists()
    assert not (state / "central.db.seeding").exists()
    sqlite3.connect(database).close()


def test_stop_while_starting(tmp_path: Path) -> None:
    demo = DemoCentral(tmp_path / "demo", location="CZ-PRG-01", role="kiosk", python=fake_python(tmp_path))
    errors: list[BaseException] = []

    def start() -> None:
        try:
            demo.start()
        except DemoError as exc:
            errors.append(exc)

    thread = threading.Thread(target=start)
    thread.start()
    time.sleep(1.0)
    demo.stop()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], DemoStopped)


def test_failed_key_stops_the_server_it_started_alongside(tmp_path: Path) -> None:
    demo = DemoCentral(
        tmp_path / "demo", location="CZ-PRG-01", role="kiosk", python=fake_python(tmp_path, "key-fails")
    )
    with pytest.raises(DemoError, match="unknown location"):
        demo.start()
    assert not demo.running
