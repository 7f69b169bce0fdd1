"""`kiosk-central`: clear errors for bad arguments and states, never a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from central.cli import main


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "central.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["serve"],
        ["serve", "--db", "x.db", "--database-url", "postgresql://x"],
        ["serve", "--db", "x.db", "--port", "70000"],
        ["serve", "--db", "x.db", "--port", "abc"],
        ["seed", "--db", "x.db", "--products", "-5"],
        ["enrol-key", "--db", "x.db", "--location", "CZ-PRG-01", "--role", "admin"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2_with_a_message(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err
    assert "Traceback" not in err


def test_operator_errors_are_one_line(tmp_path: Path, sqlite_template: Path) -> None:
    db = tmp_path / "c.db"
    cases = [
        (["seed", "--db", str(tmp_path / "missing" / "c.db")], "does not exist"),
        (["seed", "--db", str(db), "--products", "0"], "--products must be between"),
        (["seed", "--db", str(db), "--products", "3000000"], "--products must be between"),
        (["enrol-key", "--db", str(db), "--location", "NOPE", "--role", "kiosk"], "unknown location"),
        (["revoke-device", "--db", str(db), "--device", "T-NOPE"], "no active device"),
        (["serve", "--database-url", "mysql://x"], "must be a postgresql"),
        (["serve", "--database-url", "postgresql://nobody@127.0.0.1:1/x"], "cannot open the database"),
        (["seed", "--db", str(sqlite_template)], "already has a catalog"),
    ]
    for args, message in cases:
        result = cli(*args)
        assert result.returncode == 1, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_serve_on_a_busy_port_says_so(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("serve", "--db", str(tmp_path / "c.db"), "--port", str(port))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_enrol_key_and_demo_orders(sqlite_template: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    db.write_bytes(sqlite_template.read_bytes())
    key = cli("enrol-key", "--db", str(db), "--location", "CZ-PRG-01", "--role", "kiosk")
    assert key.returncode == 0
    assert key.stdout.startswith("EK-")
    orders = cli("demo-orders", "--db", str(db), "--store", "CZ-PRG-01")
    assert orders.returncode == 0
    assert "ready" in orders.stdout
    assert "PP1." in orders.stdout
    simulated = cli("simulate", "--db", str(db), "--interval", "0.01", "--count", "5")
    assert simulated.returncode == 0, simulated.stderr
    assert len(simulated.stdout.strip().splitlines()) == 5
