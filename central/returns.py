"""Returns (BORIS): returnable quantities, the window, dispositions, refund and restock."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from sqlalchemy import insert, select, update

from central import schema
from central.db import Tx
from central.models import ReturnCreate
from central.orders import (
    Actor,
    bump_stock_versions,
    change_stock,
    is_supervisor,
    lock_order,
    require_store_associate,
    touch_order,
)
from central.problems import Problem
from retail_rules.returns import (
    Disposition,
    ReturnRuleError,
    check_disposition,
    refund_for_line,
    window_open,
)


def create_return(tx: Tx, actor: Actor, body: ReturnCreate, action_id: str) -> dict[str, Any]:
    """Record a return against an order; the refund is computed by the shared rules."""
    conn = tx.conn
    if actor.device_role != "associate" or actor.associate_id is None:
        raise Problem(403, "associate_required", "Returns are taken by a signed-in associate.")
    store = conn.execute(select(schema.locations).where(schema.locations.c.id == actor.location_id)).one()
    if store.kind != "store":
        raise Problem(403, "forbidden", "Returns are taken in stores.")
    require_store_associate(actor, actor.location_id)
    if conn.execute(select(schema.returns.c.id).where(schema.returns.c.id == body.return_id)).first():
        raise Problem(409, "return_exists", "A return with this id exists under another key.")
    order = lock_order(conn, body.order_id)
    if order.currency != store.currency:
        raise Problem(
            422, "currency_mismatch", "This order was paid in another currency; return it in its country."
        )
    now = time.time()
    purchased_at = order.collected_at
    if purchased_at is None:
        raise Problem(409, "not_collected", "Nothing of this order has been collected yet.")
    override_ok = is_supervisor(conn, actor, body.override.supervisor_id if body.override else None)
    if not window_open(purchased_at, now) and not override_ok:
        raise Problem(409, "return_window_closed", "The return window has closed; a supervisor may override.")
    lines = {
        ln.line_no: ln
        for ln in conn.execute(
            select(schema.order_lines).where(schema.order_lines.c.order_id == body.order_id)
        )
    }
    refunds: list[dict[str, Any]] = []
    restock: dict[tuple[str, str], tuple[int, int]] = {}
    for item in body.lines:
        ln = lines.get(item.line_no)
        if ln is None:
            raise Problem(422, "unknown_line", f"The order has no line {item.line_no}.")
        try:
            check_disposition(item.condition, item.disposition)
            amount = (
                refund_for_line(ln.unit_price * ln.qty - ln.discount, ln.qty, ln.returned_qty, item.qty)
                if ln.returned_qty + item.qty <= ln.collected_qty
                else None
            )
        except ReturnRuleError as exc:
            status = 409 if exc.code == "return_exceeds_purchase" else 422
            raise Problem(status, exc.code, str(exc), line_no=item.line_no) from exc
        if amount is None:
            raise Problem(
                409,
                "return_exceeds_purchase",
                f"Line {item.line_no}: only {ln.collected_qty - ln.returned_qty} can be returned.",
                line_no=item.line_no,
                returnable=ln.collected_qty - ln.returned_qty,
            )
        # Guarded again in SQL: two terminals returning the same units at once cannot both win.
        result = conn.execute(
            update(schema.order_lines)
            .where(
                schema.order_lines.c.order_id == body.order_id,
                schema.order_lines.c.line_no == item.line_no,
                schema.order_lines.c.returned_qty + item.qty <= schema.order_lines.c.collected_qty,
            )
            .values(returned_qty=schema.order_lines.c.returned_qty + item.qty)
        )
        if result.rowcount != 1:
            raise Problem(409, "return_exceeds_purchase", f"Line {item.line_no} was returned meanwhile.")
        if item.disposition is Disposition.RESTOCK:
            key = (ln.sku, actor.location_id)
            current = restock.get(key, (0, 0))
            restock[key] = (current[0] + item.qty, 0)
        refunds.append(
            {
                "line_no": item.line_no,
                "sku": ln.sku,
                "qty": item.qty,
                "amount": amount,
                "reason": item.reason.value,
                "condition": item.condition.value,
                "disposition": item.disposition.value,
            }
        )
    if restock:
        change_stock(tx, restock)
    total = sum(r["amount"] for r in refunds)
    receipt = f"R{actor.location_id[:2]}{secrets.randbelow(10**8):08d}"
    doc = {
        "return_id": body.return_id,
        "receipt_number": receipt,
        "order_id": body.order_id,
        "order_number": order.number,
        "store_id": actor.location_id,
        "associate_id": actor.associate_id,
        "refund_method": body.refund_method.value,
        "refund_total": total,
        "currency": order.currency,
        "lines": refunds,
        "override": body.override.model_dump() if body.override else None,
        "created_at": now,
    }
    conn.execute(
        insert(schema.returns).values(
            id=body.return_id,
            client_action_id=action_id,
            order_id=body.order_id,
            store_id=actor.location_id,
            refund_total=total,
            currency=order.currency,
            data=json.dumps(doc),
            created_at=now,
        )
    )
    bump_stock_versions(tx, list(restock))
    data = json.loads(order.data)
    data.setdefault("returns", []).append({"return_id": body.return_id, "refund_total": total, "at": now})
    conn.execute(
        update(schema.orders).where(schema.orders.c.id == body.order_id).values(data=json.dumps(data))
    )
    order_doc = touch_order(tx, body.order_id)
    return {"return": doc, "order": order_doc}
