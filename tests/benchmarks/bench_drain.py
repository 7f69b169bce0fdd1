"""Drain benchmark: 1,000 queued kiosk orders pushed from a fresh outbox to a central in its own process.

The central (``kiosk-central seed`` then ``kiosk-central serve`` on a loopback port) runs as a
subprocess, on SQLite and, given ``--pg``, on a throwaway PostgreSQL database created next to the
one passed. A kiosk enrols through the app's transport (``kiosk.api.remote.CentralRemote``),
queues 1,000 ``order.create`` actions (pickup orders reserving one unit each of varied in-stock
SKUs at its store) into a new outbox, and ``Pusher.drain()`` is timed until nothing is pending.
Issue 3, deliverable 7: the backlog drains in at most 5 s on loopback.

The orders' pickup-code verifiers (the slow hash devices check a typed code against) are
computed by the central after each commit, off the request path; the time from the end of the
drain until the last of them is stored is reported too (no target: devices need them only by
the time an order is ready for pickup).
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from central import schema
from central.auth import create_enrolment_key
from central.db import Database
from kiosk.api.remote import CentralRemote
from offline_cache.outbox import OUTBOX_FILE, Outbox
from offline_cache.pusher import Pusher
from tests.benchmarks.central_process import central_server
from tests.benchmarks.report import Options, Result

ROOT = Path(__file__).resolve().parents[2]
STORE = "CZ-PRG-01"
PRODUCTS = 2000
BACKLOG = 1000
TARGET_S = 5.0


def _central(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "central.cli", *args],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def order_skus(db: Database, count: int) -> list[str]:
    """``count`` SKUs to order one unit of, spread over the store's SKUs and never above their stock."""
    c = schema.stock.c
    with db.read() as conn:
        rows = conn.execute(
            select(c.sku, c.on_hand - c.reserved)
            .where(c.location_id == STORE, c.on_hand - c.reserved >= 1)
            .order_by(c.sku)
        ).all()
    left = {sku: int(available) for sku, available in rows}
    picked: list[str] = []
    while len(picked) < count and left:
        for sku in list(left):
            picked.append(sku)
            left[sku] -= 1
            if left[sku] == 0:
                del left[sku]
            if len(picked) == count:
                break
    if len(picked) < count:
        raise RuntimeError(f"the seeded store has stock for only {len(picked)} orders")
    return picked


def kiosk_order(sku: str) -> dict[str, object]:
    return {
        "order_id": str(uuid.uuid4()),
        "store_id": STORE,
        "kind": "kiosk_request",
        "customer": {"first_name": "Jana"},
        "lines": [{"sku": sku, "qty": 1, "location_id": STORE, "fulfilment": "pickup_here"}],
        "payment_method": "pay_at_till",
    }


async def drain(url: str, enrolment_key: str, skus: list[str], workdir: Path) -> tuple[float, int, int]:
    """Enrol, queue one order per SKU, and time the drain: (seconds, applied, requests)."""
    remote = CentralRemote(url)
    try:
        enrolment = await remote.enrol_device(enrolment_key, "drain-bench")
        remote.use_token(enrolment.token)
        outbox = Outbox.open(workdir / OUTBOX_FILE, enrolment.device_id)
        try:
            for sku in skus:
                outbox.enqueue("order.create", kiosk_order(sku), None, "kiosk")
            pusher = Pusher(remote, outbox, terminal_id=enrolment.device_id)
            started = time.perf_counter()
            report = await pusher.drain()
            seconds = time.perf_counter() - started
            pending = outbox.counts()["pending"]
        finally:
            outbox.close()
    finally:
        await remote.aclose()
    if pending or report.applied != len(skus):
        raise RuntimeError(f"drain left {pending} pending; {report.applied} of {len(skus)} applied")
    return seconds, report.applied, report.requests


def verifiers_missing(db: Database) -> int:
    """Open pickup orders whose verifier the central has not stored yet."""
    o = schema.orders.c
    with db.read() as conn:
        return int(
            conn.execute(
                select(func.count()).where(o.secret.is_not(None), o.pickup_code_hash.is_(None))
            ).scalar_one()
        )


def wait_for_verifiers(database_url: str, timeout: float = 300.0) -> float:
    """Seconds until every order has its verifier (polled every 50 ms)."""
    db = Database(database_url)
    started = time.perf_counter()
    try:
        while verifiers_missing(db):
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"verifiers still missing after {timeout:.0f} s")
            time.sleep(0.05)
    finally:
        db.dispose()
    return time.perf_counter() - started


def drain_benchmark(db_args: list[str], database_url: str, backend: str) -> list[Result]:
    _central("seed", *db_args, "--products", str(PRODUCTS), "--reviews-per-product", "0", "--no-orders")
    db = Database(database_url)
    try:
        skus = order_skus(db, BACKLOG)
        key = create_enrolment_key(db, STORE, "kiosk")
    finally:
        db.dispose()
    with tempfile.TemporaryDirectory() as tmp, central_server(db_args, Path(tmp)) as url:
        seconds, applied, requests = asyncio.run(drain(url, key, skus, Path(tmp)))
        verified = wait_for_verifiers(database_url)
    print(
        f"drain ({backend}): {applied} applied in {requests} pushes, {seconds:.2f} s;"
        f" all verifiers stored {verified:.2f} s later",
        file=sys.stderr,
    )
    return [
        Result(f"drain {BACKLOG:,} queued orders over loopback ({backend})", [seconds], "s", target=TARGET_S),
        Result(
            f"drain rate, {BACKLOG:,} queued orders ({backend})",
            [applied / seconds],
            "actions/s",
            target=BACKLOG / TARGET_S,
            higher_is_better=True,
        ),
        Result(f"pickup verifiers of the drained orders, after the drain ({backend})", [verified], "s"),
    ]


@contextlib.contextmanager
def throwaway_pg(pg_url: str) -> Iterator[str]:
    """A new empty database on the server of ``pg_url``, dropped afterwards."""
    admin = make_url(pg_url).set(drivername="postgresql")
    name = f"kiosk_drain_{uuid.uuid4().hex[:10]}"
    admin_dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run(options: Options) -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "central.db"
        results = drain_benchmark(["--db", str(path)], f"sqlite:///{path}", "SQLite")
    if options.pg_url:
        with throwaway_pg(options.pg_url) as url:
            results += drain_benchmark(["--database-url", url], url, "PostgreSQL")
    return results
