"""Central server fixtures: a freshly seeded database per test on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from central import demo_data
from central.app import create_app
from central.auth import create_enrolment_key
from central.db import Database
from central.pickup_verifiers import PickupVerifiers
from central.seed import seed

PG_ADMIN = os.environ.get("KIOSK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
SEED_PRODUCTS = 300
SEED = 42


def _pg_reason() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN}: {str(exc).splitlines()[0]}"
    return None


PG_SKIP = _pg_reason()


def pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "central.db"
    db = Database(f"sqlite:///{path}")
    seed(db, products=SEED_PRODUCTS, seed_value=SEED, reviews_per_product=4)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if PG_SKIP:
        pytest.skip(PG_SKIP)
    name = f"kiosk_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    pg_admin(f'CREATE DATABASE "{name}"')
    db = Database(pg_url(name))
    seed(db, products=SEED_PRODUCTS, seed_value=SEED, reviews_per_product=4)
    db.dispose()
    yield name
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Central:
    """A seeded central database, its API under test, and ways to act as each kind of caller."""

    db: Database
    client: TestClient
    backend: str

    @property
    def verifiers(self) -> PickupVerifiers:
        """The app's pickup verifier job (running in the background while the client is open)."""
        verifiers: PickupVerifiers = cast(FastAPI, self.client.app).state.verifiers
        return verifiers

    def device_token(self, role: str = "associate", location: str = "CZ-PRG-01") -> str:
        key = create_enrolment_key(self.db, location, role)
        response = self.client.post("/v1/auth/device", json={"enrolment_key": key, "device_name": "test"})
        assert response.status_code == 200, response.text
        token: str = response.json()["token"]
        return token

    def associate_token(self, location: str = "CZ-PRG-01", role: str = "associate") -> tuple[str, str, str]:
        """(associate token, device token, associate id) for a signed-in associate of ``location``."""
        device = self.device_token("associate", location)
        person = next(a for a in demo_data.associates(SEED) if a.store_id == location and a.role == role)
        response = self.client.post(
            "/v1/auth/associate", json={"badge": person.badge_code}, headers=auth(device)
        )
        assert response.status_code == 200, response.text
        return response.json()["token"], device, person.id

    def stock(self, sku: str, location: str) -> tuple[int, int]:
        from sqlalchemy import select

        from central import schema

        with self.db.read() as conn:
            row = conn.execute(
                select(schema.stock.c.on_hand, schema.stock.c.reserved).where(
                    schema.stock.c.sku == sku, schema.stock.c.location_id == location
                )
            ).one()
        return int(row.on_hand), int(row.reserved)

    def set_stock(self, sku: str, location: str, on_hand: int, reserved: int = 0) -> None:
        from sqlalchemy import update

        from central import schema

        with self.db.write() as tx:
            tx.conn.execute(
                update(schema.stock)
                .where(schema.stock.c.sku == sku, schema.stock.c.location_id == location)
                .values(on_hand=on_hand, reserved=reserved)
            )

    def count(self, table: Any) -> int:
        from sqlalchemy import func, select

        with self.db.read() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_key() -> str:
    return str(uuid.uuid4())


def fresh_sqlite(template: Path, tmp_path: Path) -> Database:
    path = tmp_path / "central.db"
    shutil.copy(template, path)
    return Database(f"sqlite:///{path}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = fresh_sqlite(sqlite_template, tmp_path)
        yield db
        db.dispose()
        return
    template: str = request.getfixturevalue("pg_template")
    name = f"kiosk_t_{uuid.uuid4().hex[:10]}"
    pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    db = Database(pg_url(name))
    yield db
    db.dispose()
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    db = fresh_sqlite(sqlite_template, tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def central(database: Database) -> Iterator[Central]:
    with TestClient(create_app(database, heartbeat_seconds=0.2), raise_server_exceptions=False) as client:
        yield Central(database, client, "postgresql" if database.is_postgres else "sqlite")


def sku_with_stock(central: Central, location: str = "CZ-PRG-01", at_least: int = 3) -> str:
    from sqlalchemy import select

    from central import schema

    c = schema.stock.c
    with central.db.read() as conn:
        sku: str = conn.execute(
            select(c.sku)
            .where(c.location_id == location, c.on_hand - c.reserved >= at_least)
            .order_by(c.sku)
            .limit(1)
        ).scalar_one()
    return sku


def kiosk_order(sku: str, qty: int = 1, store: str = "CZ-PRG-01", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": new_key(),
        "store_id": store,
        "kind": "kiosk_request",
        "customer": {"first_name": "Jana"},
        "lines": [{"sku": sku, "qty": qty, "location_id": store, "fulfilment": "pickup_here"}],
        "payment_method": "pay_at_till",
    }
    body.update(extra)
    return body


def eshop_order(sku: str, qty: int = 1, store: str = "CZ-PRG-01", kind: str = "bopis") -> dict[str, Any]:
    return {
        "order_id": new_key(),
        "store_id": store,
        "kind": kind,
        "customer": {"first_name": "Petr", "last_name": "Novák", "phone": "+420 601 234 567"},
        "lines": [{"sku": sku, "qty": qty, "location_id": store, "fulfilment": "pickup_here"}],
        "payment_method": "paid_online",
    }
