"""The sync engine against the real central app: full sync, deltas, overlay, refetch and exactly-once."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from central import schema
from central.db import Database
from central.streams import purge_tombstones
from offline_cache.cache_store import CacheStore
from offline_cache.remote import Change, PullPage
from tests.offline_cache.conftest import (
    STORE,
    Device,
    kiosk_order,
    server_stock,
    sku_in_stock,
)


def central_count(db: Database, table: object) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


async def test_full_sync_then_delta_after_a_server_change(kiosk: Device) -> None:
    engine = kiosk.engine()
    status = await engine.run_once()
    engine.close()

    locations = kiosk.cache.location_ids()
    assert len(locations) == 7
    assert status.first_sync_done
    assert status.progress_total == 3 + len(locations)  # locations, catalog, reviews, stock per location
    counts = kiosk.cache.counts()
    with kiosk.db.read() as conn:
        live_products = conn.execute(
            select(func.count()).select_from(schema.products).where(schema.products.c.deleted.is_(False))
        ).scalar_one()
        categories = conn.execute(select(func.count()).select_from(schema.categories)).scalar_one()
        prg_stock = conn.execute(
            select(func.count()).select_from(schema.stock).where(schema.stock.c.location_id == STORE)
        ).scalar_one()
    assert counts["catalog"] == live_products + categories
    assert counts[f"stock:{STORE}"] == prg_stock
    assert counts["reviews"] > 0
    assert "orders:" + STORE not in counts  # a kiosk never reads orders

    sku = sku_in_stock(kiosk.db)
    on_hand, reserved = server_stock(kiosk.db, sku, STORE)
    [before] = [s for s in kiosk.cache.stock_for(sku) if s.location_id == STORE]
    assert (before.on_hand, before.available) == (on_hand, on_hand - reserved)
    cursor_before = kiosk.cache.cursor(f"stock:{STORE}")

    # Another terminal orders two through the server's API: the stock stream carries the change.
    other = kiosk.remote
    response = await other._http.post(  # the single-action endpoint, as the e-shop would
        "/v1/orders",
        json=kiosk_order(str(uuid.uuid4()), sku, qty=2),
        headers={"Authorization": f"Bearer {other._token}", "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text
    engine = kiosk.engine()
    await engine.run_once()
    engine.close()
    [after] = [s for s in kiosk.cache.stock_for(sku) if s.location_id == STORE]
    assert after.reserved == before.reserved + 2
    assert after.available == before.available - 2
    assert kiosk.cache.cursor(f"stock:{STORE}") != cursor_before
    assert kiosk.cache.stream(f"stock:{STORE}").changes_applied == prg_stock + 1  # a delta, not a reload


async def test_queued_order_is_pushed_and_the_overlay_holds_until_the_stream_catches_up(
    kiosk: Device,
) -> None:
    engine = kiosk.engine()
    await engine.run_once()
    sku = sku_in_stock(kiosk.db)
    [level] = [s for s in kiosk.cache.stock_for(sku) if s.location_id == STORE]

    draft = kiosk.outbox.open_draft("cart")
    action = kiosk.outbox.submit(draft, "order.create", kiosk_order(str(uuid.uuid4()), sku, 3), None, "kiosk")
    [shown] = [s for s in kiosk.cache.stock_for(sku, kiosk.outbox.reservations()) if s.location_id == STORE]
    assert shown.pending_local == 3
    assert shown.displayed_available == max(0, level.available - 3)

    report = await engine.push()
    assert report.applied == 1
    stored = kiosk.outbox.action(action.action_id)
    assert stored is not None
    assert stored.state == "applied"
    assert stored.server_version is not None
    # Confirmed, but the stream has not shown it yet: still subtracted, so nothing flickers.
    [confirmed] = [
        s for s in kiosk.cache.stock_for(sku, kiosk.outbox.reservations()) if s.location_id == STORE
    ]
    assert confirmed.displayed_available == level.available - 3
    await engine.pull_all()
    engine.close()
    [pulled] = [s for s in kiosk.cache.stock_for(sku, kiosk.outbox.reservations()) if s.location_id == STORE]
    assert pulled.pending_local == 0
    assert pulled.available == level.available - 3
    assert server_stock(kiosk.db, sku, STORE)[1] == level.reserved + 3


async def test_must_refetch_rebuilds_without_ever_showing_an_empty_table(kiosk: Device) -> None:
    engine = kiosk.engine()
    await engine.run_once()
    products_before = kiosk.cache.counts()["catalog"]
    # A product is deleted server-side, then its tombstone purged: our cursor is now too old.
    with kiosk.db.write() as tx:
        sku = tx.conn.execute(select(schema.products.c.sku).order_by(schema.products.c.sku)).scalars().first()
        tx.conn.execute(
            schema.products.update()
            .where(schema.products.c.sku == sku)
            .values(deleted=True, version=tx.versions(1))
        )
        purge_tombstones(tx.conn, "catalog", tx.versions(1) + 1)
    assert kiosk.cache.product(str(sku)) is not None

    # Watch every state a reader could see: after each page a reader counts the catalog.
    seen: list[int] = []
    reader_counts = kiosk.cache.counts
    engine.puller._on_page = lambda _state: seen.append(reader_counts()["catalog"])
    report = await engine.puller.pull("catalog")
    engine.close()

    assert report.refetched
    assert report.pages >= 1
    assert kiosk.cache.product(str(sku)) is None  # the missed delete is gone after the rebuild
    assert kiosk.cache.counts()["catalog"] == products_before - 1
    assert seen
    assert min(seen) >= products_before - 1  # never an empty or half-built catalog
    state = kiosk.cache.stream("catalog")
    assert not state.needs_refetch
    assert state.caught_up_version is not None


async def test_refetch_swap_keeps_old_rows_visible_until_the_last_page(kiosk: Device) -> None:
    engine = kiosk.engine(page_size=100)
    await engine.run_once()
    before = kiosk.cache.counts()["catalog"]
    kiosk.cache.begin_refetch("catalog")
    seen: list[int] = []
    engine.puller._on_page = lambda _state: seen.append(kiosk.cache.counts()["catalog"])
    report = await engine.puller.pull("catalog")
    engine.close()
    assert report.pages > 3  # several shadow pages before the swap
    assert seen == [before] * len(seen)


def _stock_load(cache: CacheStore, location: str, on_hand: int, version: int) -> None:
    """A one-page full load of ``stock:<location>``: SKU-1 and SKU-2, ``on_hand`` each."""
    stream = f"stock:{location}"
    changes = tuple(
        Change(
            "stock",
            f"{sku}@{location}",
            version + n,
            "upsert",
            {"sku": sku, "location_id": location, "on_hand": on_hand, "reserved": 0, "available": on_hand},
        )
        for n, sku in enumerate(("SKU-1", "SKU-2"))
    )
    cache.begin_refetch(stream)
    page = PullPage(stream, changes, f"v1.{version + 1}", False, "crc32:0", version + 1, None, version + 1)
    cache.apply_refetch_page(stream, page, None)


def test_a_stock_load_replaces_its_own_store_and_keeps_every_other_stores_rows(cache: CacheStore) -> None:
    """Alone in the table, a load is renamed in whole; next to another store's rows, copied in."""
    _stock_load(cache, "CZ-PRG-01", 5, 10)
    _stock_load(cache, "CZ-PRG-01", 6, 20)  # alone: swapped in whole
    _stock_load(cache, "CZ-BRN-01", 7, 30)  # next to Prague's rows
    _stock_load(cache, "CZ-PRG-01", 8, 40)  # Brno's rows stay
    rows = cache.reader().execute("SELECT location_id, sku, on_hand FROM stock ORDER BY 1, 2").fetchall()
    assert rows == [
        ("CZ-BRN-01", "SKU-1", 7),
        ("CZ-BRN-01", "SKU-2", 7),
        ("CZ-PRG-01", "SKU-1", 8),
        ("CZ-PRG-01", "SKU-2", 8),
    ]
    names = {r[0] for r in cache.reader().execute("SELECT name FROM sqlite_master")}
    assert "stock_location" in names  # the renamed table got its index back
    assert not [name for name in names if name.startswith("refetch_")]  # no shadow left behind
