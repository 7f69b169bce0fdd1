"""Returns: returnable quantity, window, dispositions, refund by the shared rules, restock."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import update

from central import schema
from retail_rules.returns import refund_for_line
from tests.central.conftest import Central, auth, new_key
from tests.central.test_api_auth import assert_problem
from tests.central.test_api_pickup import event, ready_order


def post_return(central: Central, token: str, body: dict[str, Any], key: str | None = None) -> Any:
    return central.client.post(
        "/v1/returns", json=body, headers={**auth(token), "Idempotency-Key": key or new_key()}
    )


def collected_order(central: Central, qty: int = 3) -> tuple[dict[str, Any], str, str]:
    created, token, sku, parcel = ready_order(central, qty)
    order_id = created["order"]["id"]
    handover = {
        "event": "handed_over",
        "method": "code",
        "code": created["pickup_code"],
        "parcels_scanned": [parcel],
        "lines": [{"line_no": 1, "qty": qty}],
    }
    order = event(central, token, order_id, handover).json()["order"]
    return order, token, sku


def line(qty: int, condition: str = "unopened", disposition: str = "restock") -> dict[str, Any]:
    return {
        "line_no": 1,
        "qty": qty,
        "reason": "changed_mind",
        "condition": condition,
        "disposition": disposition,
    }


def test_partial_returns_refund_exactly_what_was_paid(central: Central) -> None:
    order, token, sku = collected_order(central, 3)
    paid = order["lines"][0]["paid"]
    before = central.stock(sku, "CZ-PRG-01")
    first = post_return(
        central,
        token,
        {"return_id": new_key(), "order_id": order["id"], "lines": [line(2)], "refund_method": "original"},
    )
    assert first.status_code == 201, first.text
    assert first.json()["return"]["refund_total"] == refund_for_line(paid, 3, 0, 2)
    assert central.stock(sku, "CZ-PRG-01") == (before[0] + 2, before[1])
    over = post_return(
        central,
        token,
        {"return_id": new_key(), "order_id": order["id"], "lines": [line(2)], "refund_method": "original"},
    )
    assert_problem(over, 409, "return_exceeds_purchase")
    assert central.stock(sku, "CZ-PRG-01") == (before[0] + 2, before[1])
    last = post_return(
        central,
        token,
        {
            "return_id": new_key(),
            "order_id": order["id"],
            "lines": [line(1, "damaged", "damaged")],
            "refund_method": "store_credit",
        },
    )
    assert last.status_code == 201
    assert first.json()["return"]["refund_total"] + last.json()["return"]["refund_total"] == paid
    assert central.stock(sku, "CZ-PRG-01") == (
        before[0] + 2,
        before[1],
    )  # damaged goods do not go back on sale


def test_return_window_dispositions_and_roles(central: Central) -> None:
    order, token, _ = collected_order(central, 1)
    body = {
        "return_id": new_key(),
        "order_id": order["id"],
        "lines": [line(1, "damaged", "restock")],
        "refund_method": "original",
    }
    assert_problem(post_return(central, token, body), 422, "invalid_disposition")
    with central.db.write() as tx:
        tx.conn.execute(
            update(schema.orders)
            .where(schema.orders.c.id == order["id"])
            .values(collected_at=time.time() - 40 * 86400)
        )
    late = {"return_id": new_key(), "order_id": order["id"], "lines": [line(1)], "refund_method": "original"}
    assert_problem(post_return(central, token, late), 409, "return_window_closed")
    kiosk = central.device_token("kiosk")
    assert_problem(post_return(central, kiosk, late), 403, "associate_required")
    supervisor, _, _ = central.associate_token(role="supervisor")
    overridden = post_return(central, supervisor, {**late, "return_id": new_key()})
    assert overridden.status_code == 201, overridden.text
    for bad in (
        {**late, "lines": [line(0)]},
        {**late, "lines": [line(1), line(1)]},
        {**late, "lines": [{**line(1), "reason": "bored"}]},
        {**late, "refund_method": "cash_under_the_table"},
        {**late, "order_id": "x"},
    ):
        assert_problem(post_return(central, token, bad), 422, "validation_error")
    assert_problem(
        post_return(central, token, {**late, "return_id": new_key(), "order_id": new_key()}),
        404,
        "order_not_found",
    )
