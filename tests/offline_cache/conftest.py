"""Sync fixtures: a seeded central database (once per session, copied per test) and enrolled devices.

Most tests talk to the real FastAPI app in-process through ``httpx.ASGITransport`` wrapped by the
app's `CentralRemote`; the loopback tests start ``central.server.ServerThread`` and use the
standard-library `HttpRemote` the CLI uses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from central import schema
from central.app import create_app
from central.auth import create_enrolment_key
from central.db import Database
from central.server import ServerThread
from kiosk.api.remote import CentralRemote
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.engine import SyncEngine, streams_for_device
from offline_cache.outbox import OUTBOX_FILE, Outbox
from offline_cache.remote import Enrolment, Health, PushRequest, PushResponse, Remote, Unreachable
from tests.fixtures.databases import seeded_central

PRODUCTS = 300
STORE = "CZ-PRG-01"
BASE_URL = "http://central.test"


class PullOnlyRemote:
    """The rest of a `Remote` for fakes that only answer pulls: every other call finds no network."""

    async def push(self, request: PushRequest) -> PushResponse:
        raise Unreachable("a pull-only fake Remote")

    async def enrol_device(self, enrolment_key: str, device_name: str) -> Enrolment:
        raise Unreachable("a pull-only fake Remote")

    async def health(self) -> Health:
        raise Unreachable("a pull-only fake Remote")


@pytest.fixture(scope="session")
def central_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded central database of the sync tests (with orders); ``central_db`` copies it per test."""
    path = tmp_path_factory.mktemp("central-template") / "central.db"
    return seeded_central(path, products=PRODUCTS, seed_value=42, reviews_per_product=4)


@pytest.fixture
def server(central_db: Database) -> Iterator[ServerThread]:
    with ServerThread(central_db) as running:
        yield running


def asgi_remote(db: Database, token: str | None = None) -> CentralRemote:
    app = create_app(db)
    return CentralRemote(BASE_URL, token, transport=httpx.ASGITransport(app=app))


@dataclass
class Device:
    """An enrolled device with its data dir, outbox and cache, talking to the central DB in ``db``."""

    db: Database
    remote: CentralRemote
    device_id: str
    role: str
    location_id: str
    data_dir: Path
    outbox: Outbox
    cache: CacheStore

    def engine(self, remote: Remote | None = None, **options: Any) -> SyncEngine:
        return SyncEngine(
            remote or self.remote,
            self.cache,
            self.outbox,
            terminal_id=self.device_id,
            streams=lambda: streams_for_device(self.role, self.location_id, self.cache.location_ids()),
            app_version="test",
            **options,
        )

    def reopen_outbox(self) -> Outbox:
        self.outbox.close()
        self.outbox = Outbox.open(self.data_dir / OUTBOX_FILE, self.device_id)
        return self.outbox


async def enrol(db: Database, data_dir: Path, role: str = "kiosk", location: str = STORE) -> Device:
    remote = asgi_remote(db)
    enrolment = await remote.enrol_device(create_enrolment_key(db, location, role), "pytest")
    remote.use_token(enrolment.token)
    return Device(
        db,
        remote,
        enrolment.device_id,
        enrolment.role,
        enrolment.location_id,
        data_dir,
        Outbox.open(data_dir / OUTBOX_FILE, enrolment.device_id),
        CacheStore.open(data_dir / CACHE_FILE),
    )


@pytest.fixture
async def kiosk(central_db: Database, tmp_path: Path) -> AsyncIterator[Device]:
    device = await enrol(central_db, tmp_path / "kiosk")
    yield device
    device.outbox.close()
    device.cache.close()
    await device.remote.aclose()


# -- looking at the server -----------------------------------------------------------------------------


def server_stock(db: Database, sku: str, location: str) -> tuple[int, int]:
    with db.read() as conn:
        row = conn.execute(
            select(schema.stock.c.on_hand, schema.stock.c.reserved).where(
                schema.stock.c.sku == sku, schema.stock.c.location_id == location
            )
        ).one()
    return int(row.on_hand), int(row.reserved)


def set_server_stock(db: Database, sku: str, location: str, on_hand: int) -> None:
    """Change stock the way a server-side job would: new version, so the stream carries it."""
    with db.write() as tx:
        version = tx.versions(1)
        tx.conn.execute(
            update(schema.stock)
            .where(schema.stock.c.sku == sku, schema.stock.c.location_id == location)
            .values(on_hand=on_hand, reserved=0, version=version, updated_at="2026-01-01T00:00:00Z")
        )


def orders_with_key(db: Database, action_id: str) -> int:
    with db.read() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(schema.orders)
                .where(schema.orders.c.client_action_id == action_id)
            ).scalar_one()
        )


def sku_in_stock(db: Database, location: str = STORE, at_least: int = 3) -> str:
    c = schema.stock.c
    with db.read() as conn:
        sku: str = conn.execute(
            select(c.sku)
            .where(c.location_id == location, c.on_hand - c.reserved >= at_least)
            .order_by(c.sku)
            .limit(1)
        ).scalar_one()
    return sku


def kiosk_order(order_id: str, sku: str, qty: int = 1, store: str = STORE) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "store_id": store,
        "kind": "kiosk_request",
        "customer": {"first_name": "Jana"},
        "lines": [{"sku": sku, "qty": qty, "location_id": store, "fulfilment": "pickup_here"}],
        "payment_method": "pay_at_till",
    }


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[CacheStore]:
    """An empty cache.db of its own."""
    store = CacheStore.open(tmp_path / CACHE_FILE)
    yield store
    store.close()


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    """A cache-writer thread, as the engine has one."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-writer")
    yield pool
    pool.shutdown(wait=True)
