"""Loads the deterministic demo data into a central database, orders made by the real rules."""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, text, update

from central import demo_data, schema
from central.auth import badge_hash, hash_pin
from central.db import Database, Tx
from central.models import OrderCreate, PickupEventIn
from central.orders import Actor, apply_pickup_event, create_order, touch_order
from central.passes import ensure_signing_key

log = logging.getLogger(__name__)

SEED_DEVICE = "T-ESHOP-SEED"


@dataclass
class SeedReport:
    locations: int = 0
    categories: int = 0
    products: int = 0
    stock_rows: int = 0
    reviews: int = 0
    associates: int = 0
    orders: int = 0
    seconds: float = 0.0
    demo_associates: list[dict[str, str]] = field(default_factory=list)


def _rows_with_versions(tx: Tx, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    first = tx.versions(len(rows))
    for offset, row in enumerate(rows):
        row["version"] = first + offset
    return rows


def product_data(p: demo_data.DemoProduct, average: float, count: int) -> dict[str, Any]:
    """A product's ``data`` document as the catalog stream publishes it."""
    return {
        "sku": p.sku,
        "gtin": p.gtin,
        "parent_sku": p.parent_sku,
        "category_id": p.category_id,
        "brand": p.brand,
        "names": p.names,
        "descriptions": p.descriptions,
        "prices": p.prices,
        "specs": p.specs,
        "variant": p.variant,
        "images": [f"/v1/images/{p.sku}/{i}.jpg" for i in range(p.images)],
        "popularity": p.popularity,
        "rating": {"average": average, "count": count},
    }


def _product_row(p: demo_data.DemoProduct, rating: tuple[float, int]) -> dict[str, Any]:
    data = product_data(p, *rating)
    return {
        "sku": p.sku,
        "gtin": p.gtin,
        "parent_sku": p.parent_sku,
        "category_id": p.category_id,
        "motif": p.motif,
        "hue": p.hue,
        "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        "deleted": False,
    }


def seed(
    db: Database,
    products: int = 5000,
    seed_value: int = 42,
    reviews_per_product: float = 10.0,
    with_orders: bool = True,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Fill an empty database with demo data; refuses a database that already has a catalog."""
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    report = SeedReport()
    db.create_schema()
    now_iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with db.write() as tx:
        if tx.conn.execute(select(schema.products.c.sku).limit(1)).first() is not None:
            raise ValueError("the database already has a catalog; seed an empty database")
        ensure_signing_key(tx.conn)
        locations = demo_data.locations()
        tx.conn.execute(
            insert(schema.locations),
            _rows_with_versions(
                tx,
                [
                    {
                        "id": loc.id,
                        "kind": loc.kind,
                        "currency": loc.currency,
                        "data": json.dumps(
                            {
                                "id": loc.id,
                                "kind": loc.kind,
                                "name": loc.name,
                                "country": loc.country,
                                "city": loc.city,
                                "address": loc.address,
                                "lat": loc.lat,
                                "lon": loc.lon,
                                "currency": loc.currency,
                                "language": loc.language,
                                "timezone": loc.timezone,
                            },
                            ensure_ascii=False,
                        ),
                        "deleted": False,
                    }
                    for loc in locations
                ],
            ),
        )
        report.locations = len(locations)
        cats = demo_data.categories()
        tx.conn.execute(
            insert(schema.categories),
            _rows_with_versions(
                tx,
                [
                    {
                        "id": c.id,
                        "parent_id": c.parent_id,
                        "data": json.dumps(
                            {
                                "id": c.id,
                                "parent_id": c.parent_id,
                                "names": c.names,
                                "motif": c.motif,
                                "position": c.position,
                            },
                            ensure_ascii=False,
                        ),
                        "deleted": False,
                    }
                    for c in cats
                ],
            ),
        )
        report.categories = len(cats)
        for assoc in demo_data.associates(seed_value):
            tx.conn.execute(
                insert(schema.associates).values(
                    id=assoc.id,
                    store_id=assoc.store_id,
                    name=assoc.name,
                    role=assoc.role,
                    badge_hash=badge_hash(assoc.badge_code),
                    pin_hash=hash_pin(assoc.pin),
                    failed_attempts=0,
                    active=True,
                )
            )
            report.associates += 1
            report.demo_associates.append(
                {
                    "id": assoc.id,
                    "store_id": assoc.store_id,
                    "name": assoc.name,
                    "role": assoc.role,
                    "badge": assoc.badge_code,
                    "pin": assoc.pin,
                }
            )
    say(f"{report.locations} locations, {report.categories} categories, {report.associates} associates")

    for chunk in demo_data.products(products, seed_value):
        reviews = list(demo_data.reviews(chunk, seed_value, reviews_per_product))
        totals: dict[str, list[int]] = {}
        for r in reviews:
            t = totals.setdefault(r.sku, [0, 0])
            t[0] += r.rating
            t[1] += 1
        ratings = {sku: (round(s / n, 2), n) for sku, (s, n) in totals.items()}
        with db.write() as tx:
            tx.conn.execute(
                insert(schema.products),
                _rows_with_versions(tx, [_product_row(p, ratings.get(p.sku, (0.0, 0))) for p in chunk]),
            )
            stock_rows = [
                {
                    "sku": p.sku,
                    "location_id": loc.id,
                    "on_hand": demo_data.stock_level(p.sku, loc, seed_value, p.popularity),
                    "reserved": 0,
                    "updated_at": now_iso,
                }
                for p in chunk
                for loc in locations
            ]
            tx.conn.execute(insert(schema.stock), _rows_with_versions(tx, stock_rows))
            if reviews:
                tx.conn.execute(
                    insert(schema.reviews),
                    _rows_with_versions(
                        tx,
                        [
                            {
                                "review_id": r.review_id,
                                "sku": r.sku,
                                "rating": r.rating,
                                "data": json.dumps(
                                    {
                                        "review_id": r.review_id,
                                        "sku": r.sku,
                                        "rating": r.rating,
                                        "language": r.language,
                                        "author": r.author,
                                        "title": r.title,
                                        "body": r.body,
                                        "created_at": r.created_at,
                                        "verified_purchase": r.verified_purchase,
                                        "helpful": r.helpful,
                                    },
                                    ensure_ascii=False,
                                    separators=(",", ":"),
                                ),
                                "deleted": False,
                            }
                            for r in reviews
                        ],
                    ),
                )
        report.products += len(chunk)
        report.stock_rows += len(stock_rows)
        report.reviews += len(reviews)
        say(f"{report.products} products, {report.reviews} reviews")
    if with_orders:
        report.orders = seed_orders(db, seed_value)
        say(f"{report.orders} orders")
    _analyze(db)
    report.seconds = time.perf_counter() - started
    return report


def _analyze(db: Database) -> None:
    """Give PostgreSQL statistics on the bulk-loaded tables at once instead of at autovacuum's next
    pass: without them it plans a page pull (``version > cursor ORDER BY version LIMIT n``) as a
    bitmap scan plus a sort of whole rows, which spills a 5,000-product page to disk."""
    if db.is_postgres:
        with db.write() as tx:
            tx.conn.execute(text("ANALYZE"))


def _seed_device(db: Database) -> None:
    with db.write() as tx:
        if (
            tx.conn.execute(select(schema.devices.c.id).where(schema.devices.c.id == SEED_DEVICE)).first()
            is None
        ):
            tx.conn.execute(
                insert(schema.devices).values(
                    id=SEED_DEVICE,
                    location_id="CZ-PRG-01",
                    role="eshop",
                    name="demo e-shop",
                    created_at=time.time(),
                )
            )


# The pickup steps that bring a fresh order to each state, in order.
_PATH: dict[str, list[str]] = {
    "placed": [],
    "picking": ["picking_started"],
    "picked": ["picking_started", "picked"],
    "staged": ["picking_started", "picked", "staged"],
    "ready": ["picking_started", "picked", "staged", "ready"],
    "partially_collected": ["picking_started", "picked", "staged", "ready", "handed_over_part"],
    "collected": ["picking_started", "picked", "staged", "ready", "handed_over"],
    "expired": ["picking_started", "picked", "staged", "ready", "expired"],
    "returned_to_stock": ["picking_started", "picked", "staged", "ready", "expired", "returned_to_stock"],
    "cancelled": ["cancelled"],
}


def create_demo_order(
    db: Database,
    rng: random.Random,
    store_id: str,
    kind: str,
    target_state: str,
    customer: demo_data.DemoCustomer,
    supervisor_id: str,
) -> str | None:
    """Create one online pickup order and walk it to ``target_state`` through the real rules."""
    with db.read() as conn:
        c = schema.stock.c
        candidates = (
            conn.execute(
                select(c.sku).where(c.location_id == store_id, c.on_hand - c.reserved >= 3).limit(400)
            )
            .scalars()
            .all()
        )
    if len(candidates) < 3:
        return None
    skus = rng.sample(list(candidates), rng.randint(1, 3))
    order_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    body = OrderCreate.model_validate(
        {
            "order_id": order_id,
            "store_id": store_id,
            "kind": kind,
            "customer": {
                "first_name": customer.first_name,
                "last_name": customer.last_name,
                "email": customer.email,
                "phone": customer.phone,
            },
            "lines": [
                {"sku": s, "qty": rng.randint(1, 2), "location_id": store_id, "fulfilment": "pickup_here"}
                for s in skus
            ],
            "payment_method": "paid_online",
        }
    )
    eshop = Actor(SEED_DEVICE, "eshop", store_id, None, None)
    associate = Actor("T-SEED-" + store_id, "associate", store_id, supervisor_id, "supervisor")
    with db.write() as tx:
        created = create_order(tx, eshop, body, str(uuid.UUID(int=rng.getrandbits(128), version=4)))
    lines = created["order"]["lines"]
    for step in _PATH[target_state]:
        event: dict[str, Any]
        if step == "picked":
            # Now and then a short pick, as in a real store.
            event = {
                "event": "picked",
                "lines": [
                    {
                        "line_no": ln["line_no"],
                        "qty": ln["qty"] - (1 if ln["qty"] > 1 and rng.random() < 0.3 else 0),
                    }
                    for ln in lines
                ],
            }
        elif step == "staged":
            event = {
                "event": "staged",
                "bin": f"{rng.choice('ABCD')}-{rng.randint(1, 12):02d}",
                "parcels": [
                    {"parcel_id": f"P-{order_id[:8]}-1", "line_nos": [ln["line_no"] for ln in lines]}
                ],
            }
        elif step in ("handed_over", "handed_over_part"):
            with db.read() as conn:
                picked = {
                    r.line_no: r.picked_qty or 0
                    for r in conn.execute(
                        select(schema.order_lines).where(schema.order_lines.c.order_id == order_id)
                    )
                }
            part = step == "handed_over_part"
            event = {
                "event": "handed_over",
                "method": "code",
                "code": created["pickup_code"],
                "parcels_scanned": [f"P-{order_id[:8]}-1"],
                "lines": [
                    {"line_no": n, "qty": (q if not part or i == 0 else 0)}
                    for i, (n, q) in enumerate(sorted(picked.items()))
                ],
            }
            if part and len(picked) == 1:
                first = next(iter(picked))
                event["lines"] = [{"line_no": first, "qty": max(0, picked[first] - 1)}]
                if picked[first] <= 1:
                    continue
        elif step == "expired":
            event = {"event": "expired", "override": {"supervisor_id": supervisor_id, "reason": "demo data"}}
        elif step == "returned_to_stock":
            with db.read() as conn:
                reserved = [
                    {"line_no": r.line_no, "qty": r.reserved_qty}
                    for r in conn.execute(
                        select(schema.order_lines).where(schema.order_lines.c.order_id == order_id)
                    )
                    if r.reserved_qty > 0
                ]
            event = {"event": "returned_to_stock", "lines": reserved}
        else:
            event = {"event": step}
        with db.write() as tx:
            apply_pickup_event(
                tx,
                associate,
                order_id,
                PickupEventIn.model_validate(event),
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            )
    return order_id


def seed_orders(db: Database, seed_value: int) -> int:
    """Pickup orders in every state for every store, and collected orders to return."""
    _seed_device(db)
    rng = random.Random(f"orders:{seed_value}")
    stores = [loc for loc in demo_data.locations() if loc.kind == "store"]
    supervisors = {a.store_id: a.id for a in demo_data.associates(seed_value) if a.role == "supervisor"}
    customers = demo_data.customers(400, seed_value)
    count = 0
    for store in stores:
        local = [c for c in customers if c.language == store.language] or customers
        # Every state once (curbside for every other one), plus past purchases to return.
        plan = [("curbside" if i % 2 else "bopis", state) for i, state in enumerate(_PATH)]
        plan += [("curbside", "ready")] + [("bopis", "collected")] * 5
        for kind, state in plan:
            order_id = create_demo_order(
                db, rng, store.id, kind, state, rng.choice(local), supervisors[store.id]
            )
            if order_id is None:
                continue
            count += 1
            if state == "collected":
                # Spread past purchases over six weeks: some inside the return window, some not.
                days_ago = rng.choice([1, 3, 8, 15, 25, 45])
                with db.write() as tx:
                    tx.conn.execute(
                        update(schema.orders)
                        .where(schema.orders.c.id == order_id)
                        .values(collected_at=time.time() - days_ago * 86400)
                    )
                    touch_order(tx, order_id)
    return count
