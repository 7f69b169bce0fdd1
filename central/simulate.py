"""A live chain for demos: online BOPIS orders arrive and stock moves while the app watches."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable

from sqlalchemy import func, select

from central import demo_data, schema
from central.db import Database
from central.orders import bump_stock_versions, change_stock
from central.seed import _seed_device, create_demo_order


def stock_movement(db: Database, rng: random.Random) -> str | None:
    """A till sale or a delivery at a random location: a conditional change like any other."""
    with db.read() as conn:
        total = int(conn.execute(select(func.count()).select_from(schema.stock)).scalar_one())
        if total == 0:
            return None
        row = conn.execute(select(schema.stock).offset(rng.randrange(total)).limit(1)).one()
    delta = rng.choice([-2, -1, -1, 1, 3, 10])
    with db.write() as tx:
        key = (row.sku, row.location_id)
        if change_stock(tx, {key: (delta, 0)}):
            return None  # a sale of more than is available does not happen
        bump_stock_versions(tx, [key])
    return f"stock {row.sku} at {row.location_id}: {delta:+d}"


def simulate(
    db: Database, *, interval: float, count: int, seed_value: int, say: Callable[[str], None]
) -> None:
    _seed_device(db)
    rng = random.Random(seed_value)
    stores = [loc for loc in demo_data.locations() if loc.kind == "store"]
    supervisors = {a.store_id: a.id for a in demo_data.associates() if a.role == "supervisor"}
    customers = demo_data.customers(200, seed_value)
    done = 0
    while count == 0 or done < count:
        if rng.random() < 0.25:
            store = rng.choice(stores)
            order_id = create_demo_order(
                db,
                rng,
                store.id,
                rng.choice(["bopis", "curbside"]),
                "placed",
                rng.choice(customers),
                supervisors[store.id],
            )
            say(f"new online order {order_id} for {store.id}" if order_id else "no stock for a new order")
        else:
            say(stock_movement(db, rng) or "no stock movement")
        done += 1
        time.sleep(interval)


def list_demo_orders(db: Database, store_id: str) -> list[str]:
    """Pickup orders of a store with what the customer holds (code, pass), for trying handovers."""
    o = schema.orders.c
    with db.read() as conn:
        rows = conn.execute(
            select(o.number, o.state, o.kind, o.secret).where(o.store_id == store_id).order_by(o.created_at)
        ).all()
    lines = []
    for r in rows:
        secret = json.loads(r.secret) if r.secret else {}
        code = secret.get("pickup_code", "-")
        lines.append(
            f"{r.number}  {r.kind:<9} {r.state:<20} code {code}  pass {secret.get('pickup_pass', '-')}"
        )
    return lines
