"""``kiosk-sync`` against the real server on a loopback port, through the standard-library transport."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from central.auth import create_enrolment_key
from central.db import Database
from central.server import ServerThread
from offline_cache.cache_store import CacheStore
from offline_cache.cli import main
from offline_cache.device_record import DEVICE_FILE, device_store
from offline_cache.outbox import OUTBOX_FILE, Outbox
from tests.offline_cache.conftest import STORE, kiosk_order, orders_with_key, sku_in_stock

ROOT = Path(__file__).resolve().parents[2]


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("kiosk-sync: error: ")
    return lines[0]


def run_once(url: str, data_dir: Path, *extra: str) -> int:
    return main(["run", "--central", url, "--data-dir", str(data_dir), "--once", *extra])


def test_run_once_enrols_syncs_and_status_shows_the_counts(
    server: ServerThread, central_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "kiosk"
    key = create_enrolment_key(central_db, STORE, "kiosk")
    assert run_once(server.url, data_dir, "--enrol-key", key, "--location", STORE) == 0
    out = capsys.readouterr().out
    assert "synced 10/10 streams" in out

    device_file = data_dir / DEVICE_FILE
    assert stat.S_IMODE(device_file.stat().st_mode) == 0o600
    record = device_store(data_dir).load()  # the app reads what the CLI wrote, with the same code
    assert record is not None
    assert (record.role, record.location_id, record.central_url) == ("kiosk", STORE, server.url)

    assert main(["status", "--data-dir", str(data_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert record.token not in json.dumps(report)
    assert report["device"]["device_id"] == record.device_id
    streams = report["streams"]
    assert set(streams) == {"locations", "catalog", "reviews"} | {
        f"stock:{loc}"
        for loc in ("BG-SOF-01", "CZ-BRN-01", "CZ-PRG-01", "PL-KRK-01", "PL-WAW-01", "WH-CZ-01", "WH-PL-01")
    }
    assert streams["locations"]["rows"] == 7
    assert streams["catalog"]["rows"] > 300
    assert streams[f"stock:{STORE}"]["rows"] > 0
    assert all(s["cursor"].startswith("v1.") and not s["needs_refetch"] for s in streams.values())
    assert report["actions"]["pending"] == 0
    assert report["last_sync"]["pull"] is not None

    # Enrolled now: later runs need no key.
    assert run_once(server.url, data_dir) == 0
    assert main(["status", "--data-dir", str(data_dir)]) == 0
    assert "catalog" in capsys.readouterr().out


def test_run_once_pushes_what_the_app_queued_exactly_once(
    server: ServerThread, central_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "associate"
    key = create_enrolment_key(central_db, STORE, "associate")
    assert run_once(server.url, data_dir, "--enrol-key", key) == 0
    device_id = json.loads((data_dir / DEVICE_FILE).read_text())["device_id"]
    outbox = Outbox.open(data_dir / OUTBOX_FILE, device_id)
    order = {**kiosk_order(str(uuid.uuid4()), sku_in_stock(central_db)), "kind": "endless_aisle"}
    action = outbox.enqueue("order.create", order, "E1002", "online:S-1")
    outbox.close()

    assert run_once(server.url, data_dir) == 0
    assert run_once(server.url, data_dir) == 0
    capsys.readouterr()
    assert orders_with_key(central_db, action.action_id) == 1
    assert main(["status", "--data-dir", str(data_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["actions"]["applied"] == 1
    assert report["actions"]["pending"] == 0
    assert report["streams"][f"orders:{STORE}"]["rows"] > 0  # associates read their store's orders


def test_export_queue_writes_the_pending_actions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outbox = Outbox.open(tmp_path / OUTBOX_FILE, "T-OFFLINE")
    queued = [outbox.enqueue("audit.event", {"entries": [{"n": n}]}, None, "system") for n in range(3)]
    outbox.close()
    out = tmp_path / "queue.jsonl"
    assert main(["export-queue", "--data-dir", str(tmp_path), "--out", str(out)]) == 0
    assert "exported 3 actions" in capsys.readouterr().out
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["action_id"] for line in lines] == [a.action_id for a in queued]
    assert [line["payload"] for line in lines] == [{"entries": [{"n": n}]} for n in range(3)]


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        ([], 2),
        (["run", "--data-dir", "x"], 2),
        (["run", "--central", "ftp://central", "--data-dir", "{tmp}"], 2),
        (["run", "--central", "http://127.0.0.1:1", "--data-dir", "{tmp}", "--page-size", "0"], 2),
        (["status", "--data-dir", "{tmp}/missing"], 1),
        (["export-queue", "--data-dir", "{tmp}", "--out", "{tmp}/q.jsonl"], 1),
        (["run", "--central", "http://127.0.0.1:1", "--data-dir", "{tmp}", "--once"], 1),
    ],
)
def test_bad_arguments_get_one_clear_line(
    argv: list[str], code: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if code == 1:
        one_error_line(err)
    else:
        assert "error:" in err


def test_an_unreachable_server_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    assert run_once(url, tmp_path / "d", "--enrol-key", "EK-anything") == 1
    line = one_error_line(capsys.readouterr().err)
    assert f"cannot reach the central server at {url}" in line


def test_a_failing_disk_is_one_line_and_the_next_run_syncs(
    server: ServerThread,
    central_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data_dir = tmp_path / "kiosk"
    key = create_enrolment_key(central_db, STORE, "kiosk")

    def disk_full(*_args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(CacheStore, "apply_refetch_page", disk_full)
        assert run_once(server.url, data_dir, "--enrol-key", key) == 1
    line = one_error_line(capsys.readouterr().err)
    assert f"the local data in {data_dir} could not be written (database or disk is full)" in line
    assert run_once(server.url, data_dir) == 0  # enrolled by the first run; the disk works again
    assert "synced 10/10 streams" in capsys.readouterr().out


def test_wrong_or_used_keys_and_bad_tokens_are_explained(
    server: ServerThread, central_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_once(server.url, tmp_path / "a", "--enrol-key", "EK-wrong") == 1
    assert "enrolment key was refused" in one_error_line(capsys.readouterr().err)

    key = create_enrolment_key(central_db, STORE, "kiosk")
    assert run_once(server.url, tmp_path / "b", "--enrol-key", key, "--location", "PL-WAW-01") == 1
    assert "is for CZ-PRG-01, not PL-WAW-01" in one_error_line(capsys.readouterr().err)
    assert run_once(server.url, tmp_path / "c", "--enrol-key", key) == 1  # one-time keys
    assert "already used" in one_error_line(capsys.readouterr().err)

    fresh = create_enrolment_key(central_db, STORE, "kiosk")
    assert run_once(server.url, tmp_path / "d", "--enrol-key", fresh) == 0
    device_file = tmp_path / "d" / DEVICE_FILE
    device_file.write_text(device_file.read_text().replace('"token": "', '"token": "x'))
    capsys.readouterr()
    assert run_once(server.url, tmp_path / "d") == 1
    assert "refused this device's credentials" in one_error_line(capsys.readouterr().err)


def test_run_keeps_syncing_until_sigterm_and_holds_the_data_dir(
    server: ServerThread, central_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "daemon"
    key = create_enrolment_key(central_db, STORE, "kiosk")
    command = [sys.executable, "-m", "offline_cache.cli", "run", "--central", server.url]
    command += ["--data-dir", str(data_dir), "--enrol-key", key, "--pull-interval", "0.2"]
    log = tmp_path / "daemon.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the daemon never caught up"
            if (data_dir / "cache.db").exists() and main(
                ["status", "--data-dir", str(data_dir), "--json"]
            ) == 0:
                streams = json.loads(capsys.readouterr().out)["streams"]
                if len(streams) == 10 and all(s["caught_up_version"] for s in streams.values()):
                    break
            time.sleep(0.1)
        # A second process on the same data dir would be a second pusher on one outbox.
        assert run_once(server.url, data_dir) == 1
        assert "already running" in one_error_line(capsys.readouterr().err)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert "Traceback" not in log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
