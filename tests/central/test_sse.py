"""Server-sent pokes: heartbeats, pokes after commits, resume, and LISTEN/NOTIFY across processes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from central.db import Database
from central.orders import bump_stock_versions, change_stock
from central.server import ServerThread
from tests.central.conftest import PG_SKIP, Central, sku_with_stock


def read_events(
    url: str, token: str, until: float, stop_when: int, headers: dict[str, str] | None = None
) -> list[str]:
    """Collect raw SSE lines until ``stop_when`` poke events arrived or the deadline passed."""
    lines: list[str] = []
    pokes = 0
    with (
        httpx.Client(timeout=httpx.Timeout(10, read=until)) as client,
        client.stream(
            "GET", f"{url}/v1/sync/events", headers={"Authorization": f"Bearer {token}", **(headers or {})}
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        deadline = time.monotonic() + until
        for line in response.iter_lines():
            lines.append(line)
            if line.startswith("data: "):
                pokes += 1
            if pokes >= stop_when or time.monotonic() > deadline:
                break
    return lines


def pokes_of(lines: list[str]) -> list[dict[str, int | str]]:
    return [json.loads(line[len("data: ") :]) for line in lines if line.startswith("data: ")]


def move_stock(db: Database, sku: str, location: str = "CZ-PRG-01") -> None:
    with db.write() as tx:
        change_stock(tx, {(sku, location): (1, 0)})
        bump_stock_versions(tx, [(sku, location)])


@pytest.fixture
def live(central: Central) -> Iterator[ServerThread]:
    with ServerThread(central.db, heartbeat_seconds=0.2) as server:
        yield server


def test_heads_heartbeat_and_poke(central: Central, live: ServerThread) -> None:
    token = central.device_token("kiosk")
    sku = sku_with_stock(central)
    streams = {"Last-Event-ID": "0"}
    initial = read_events(live.url, token, 5, stop_when=10, headers=streams)
    heads = {p["stream"]: p["version"] for p in pokes_of(initial)}
    assert {"catalog", "locations", "reviews", "stock:CZ-PRG-01"} <= set(heads)
    assert not any(s.startswith("orders:") for s in heads)  # kiosks do not see orders
    newest = max(int(v) for v in heads.values())

    import threading

    threading.Timer(0.5, move_stock, args=(central.db, sku)).start()
    lines = read_events(live.url, token, 10, stop_when=1, headers={"Last-Event-ID": str(newest)})
    assert ": ka" in lines
    assert pokes_of(lines)[0]["stream"] == "stock:CZ-PRG-01"
    assert int(pokes_of(lines)[0]["version"]) > newest


def test_events_reject_bad_requests(central: Central) -> None:
    token = central.device_token("kiosk")
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        central.client.get(
            "/v1/sync/events", params={"streams": "orders:CZ-PRG-01"}, headers=headers
        ).status_code
        == 403
    )
    assert (
        central.client.get("/v1/sync/events", params={"streams": "nope"}, headers=headers).status_code == 404
    )
    assert central.client.get("/v1/sync/events").status_code == 401


@pytest.mark.postgres
@pytest.mark.skipif(PG_SKIP is not None, reason=PG_SKIP or "")
def test_pokes_reach_every_server_process_on_postgres(central: Central, tmp_path: Path) -> None:
    if central.backend != "postgresql":
        pytest.skip("LISTEN/NOTIFY is the PostgreSQL path; SQLite serves one process")
    port_file = tmp_path / "url"
    url = central.db.url.render_as_string(hide_password=False).replace("postgresql+psycopg", "postgresql")
    other = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "central.cli",
            "serve",
            "--database-url",
            url,
            "--port",
            "0",
            "--port-file",
            str(port_file),
            "--heartbeat",
            "0.2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists():
            assert other.poll() is None, other.stderr.read() if other.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.05)
        other_url = port_file.read_text()
        token = central.device_token("kiosk")
        sku = sku_with_stock(central)
        newest = central.db.current_version()
        import threading

        # The write happens in THIS process; the poke must arrive through the OTHER one.
        threading.Timer(1.0, move_stock, args=(central.db, sku)).start()
        lines = read_events(other_url, token, 15, stop_when=1, headers={"Last-Event-ID": str(newest)})
        assert pokes_of(lines), lines
        assert pokes_of(lines)[0]["stream"] == "stock:CZ-PRG-01"
    finally:
        other.terminate()
        other.wait(timeout=10)
        if other.stderr:
            other.stderr.close()
