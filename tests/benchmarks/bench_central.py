"""Central server benchmarks: demo generation, push throughput, order latency, pull throughput."""

from __future__ import annotations

import json
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from central import demo_data
from central.auth import create_enrolment_key
from central.db import Database
from central.seed import seed
from central.server import ServerThread
from retail_rules.canonical import payload_sha256
from tests.benchmarks.report import Options, Result


def _order(sku: str) -> dict[str, object]:
    return {
        "order_id": str(uuid.uuid4()),
        "store_id": "CZ-PRG-01",
        "kind": "kiosk_request",
        "customer": {"first_name": "Jana"},
        "lines": [{"sku": sku, "qty": 1, "location_id": "CZ-PRG-01", "fulfilment": "pickup_here"}],
        "payment_method": "pay_at_till",
    }


def generation(products: int) -> Result:
    started = time.perf_counter()
    count = sum(len(chunk) for chunk in demo_data.products(products))
    seconds = time.perf_counter() - started
    assert count == products
    return Result(f"generate {products:,} demo products", [seconds], "s", target=120.0)


def _enrol(client: httpx.Client, db: Database, role: str) -> tuple[str, str]:
    body = client.post(
        "/v1/auth/device", json={"enrolment_key": create_enrolment_key(db, "CZ-PRG-01", role)}
    ).json()
    return str(body["token"]), str(body["device_id"])


def server_benchmarks(workdir: Path, database_url: str | None = None) -> list[Result]:
    url = database_url or f"sqlite:///{workdir / 'central.db'}"
    db = Database(url)
    seed(db, products=5000, reviews_per_product=10, with_orders=False)
    backend = "PostgreSQL" if db.is_postgres else "SQLite"
    results: list[Result] = []
    with ServerThread(db) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        from sqlalchemy import select

        from central import schema

        with db.read() as conn:
            skus = list(
                conn.execute(
                    select(schema.stock.c.sku).where(
                        schema.stock.c.location_id == "CZ-PRG-01", schema.stock.c.on_hand >= 0
                    )
                ).scalars()
            )
        # Make every SKU orderable many times: the benchmark measures the protocol, not stock-outs.
        with db.write() as tx:
            tx.conn.execute(schema.stock.update().values(on_hand=100_000, reserved=0))

        token, device_id = _enrol(client, db, "kiosk")
        install = str(uuid.uuid4())
        rates: list[float] = []
        seq = 0
        for _ in range(5):
            actions = []
            for i in range(500):
                seq += 1
                payload = _order(skus[(seq + i) % len(skus)])
                actions.append(
                    {
                        "seq": seq,
                        "action_id": str(uuid.uuid4()),
                        "type": "order.create",
                        "payload": payload,
                        "payload_sha256": payload_sha256(payload),
                    }
                )
            started = time.perf_counter()
            for start in range(0, len(actions), 50):
                response = client.post(
                    "/v1/sync/push",
                    json={
                        "protocol": 1,
                        "terminal_id": device_id,
                        "install_id": install,
                        "actions": actions[start : start + 50],
                    },
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert response.status_code == 200, response.text
                assert all(r["status"] == "applied" for r in response.json()["results"])
            rates.append(len(actions) / (time.perf_counter() - started))
        results.append(
            Result(
                f"push throughput, batches of 50 ({backend})",
                rates,
                "actions/s",
                target=200,
                higher_is_better=True,
            )
        )

        # 16 terminals ordering at once: latency per order.
        tokens = [_enrol(client, db, "kiosk")[0] for _ in range(16)]
        latencies: list[float] = []
        lock = threading.Lock()

        def terminal(i: int) -> None:
            with httpx.Client(base_url=server.url, timeout=60) as own:
                for n in range(40):
                    started = time.perf_counter()
                    response = own.post(
                        "/v1/orders",
                        json=_order(skus[(i * 40 + n) % len(skus)]),
                        headers={
                            "Authorization": f"Bearer {tokens[i]}",
                            "Idempotency-Key": str(uuid.uuid4()),
                        },
                    )
                    elapsed = (time.perf_counter() - started) * 1000
                    assert response.status_code == 201, response.text
                    with lock:
                        latencies.append(elapsed)

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(terminal, range(16)))
        results.append(
            Result(f"order latency, 16 terminals at once ({backend})", latencies, "ms", target=250)
        )

        # Full catalog pull of 5,000 products + categories, pages of 5,000.
        pulls: list[float] = []
        for _ in range(5):
            cursor = ""
            count = 0
            started = time.perf_counter()
            while True:
                body = client.get(
                    "/v1/sync/pull",
                    params={"stream": "catalog", "cursor": cursor, "limit": 5000},
                    headers={"Authorization": f"Bearer {token}"},
                ).content
                # The server's time, not a client's parse: only the members after the changes are read
                # (a 7 MB page took this 2-core machine's other core 65-85 ms to parse whole).
                page = json.loads(b"{" + body[body.rindex(b'],"next_cursor"') + 2 :])
                count += body.count(b'{"entity":')
                cursor = page["next_cursor"]
                if not page["has_more"]:
                    break
            pulls.append(count / (time.perf_counter() - started))
        results.append(
            Result(
                f"catalog pull over loopback ({backend})",
                pulls,
                "rows/s",
                target=33_000,
                higher_is_better=True,
            )
        )
    db.dispose()
    return results


def run(options: Options) -> list[Result]:
    results = [generation(options.products)]
    with tempfile.TemporaryDirectory() as tmp:
        results += server_benchmarks(Path(tmp))
    if options.pg_url:
        results += server_benchmarks(Path("."), options.pg_url)
    return results
