"""The pickup workflow over HTTP: picking, staging, handover by code or pass, guards."""

from __future__ import annotations

import base64
from typing import Any

from central import schema
from retail_rules.pickup_pass import verify_pass
from tests.central.conftest import Central, auth, eshop_order, new_key, sku_with_stock
from tests.central.test_api_auth import assert_problem
from tests.central.test_api_orders import post_order


def event(central: Central, token: str, order_id: str, body: dict[str, Any], key: str | None = None) -> Any:
    return central.client.post(
        f"/v1/orders/{order_id}/events",
        json=body,
        headers={**auth(token), "Idempotency-Key": key or new_key()},
    )


def ready_order(central: Central, qty: int = 2) -> tuple[dict[str, Any], str, str, str]:
    """An online BOPIS order walked to ready: (create response, associate token, sku, parcel id)."""
    sku = sku_with_stock(central, at_least=qty)
    created = post_order(central, central.device_token("eshop"), eshop_order(sku, qty)).json()
    order_id = created["order"]["id"]
    token, _, _ = central.associate_token()
    parcel = f"P-{order_id[:8]}"
    for body in (
        {"event": "picking_started"},
        {"event": "picked", "lines": [{"line_no": 1, "qty": qty}]},
        {"event": "staged", "bin": "A-01", "parcels": [{"parcel_id": parcel, "line_nos": [1]}]},
        {"event": "ready"},
    ):
        response = event(central, token, order_id, body)
        assert response.status_code == 200, response.text
    return created, token, sku, parcel


def test_handover_by_pass_moves_stock_once(central: Central) -> None:
    created, token, sku, parcel = ready_order(central)
    order_id = created["order"]["id"]
    before = central.stock(sku, "CZ-PRG-01")
    # The pass verifies offline with the published key.
    keys = central.client.get("/v1/keys").json()["keys"]
    parsed = verify_pass(created["pickup_pass"], {k["kid"]: base64.b64decode(k["public_key"]) for k in keys})
    assert parsed.order_id == order_id
    found = central.client.get("/v1/orders", params={"code": created["pickup_pass"]}, headers=auth(token))
    assert found.json()["id"] == order_id
    by_number = central.client.get(
        "/v1/orders", params={"code": created["order"]["number"]}, headers=auth(token)
    )
    assert by_number.json()["id"] == order_id
    handover = {
        "event": "handed_over",
        "method": "pass",
        "pickup_pass": created["pickup_pass"],
        "parcels_scanned": [parcel],
        "lines": [{"line_no": 1, "qty": 2}],
    }
    key = new_key()
    done = event(central, token, order_id, handover, key)
    assert done.status_code == 200, done.text
    assert done.json()["order"]["state"] == "collected"
    assert central.stock(sku, "CZ-PRG-01") == (before[0] - 2, before[1] - 2)
    assert event(central, token, order_id, handover, key).json() == done.json()
    again = event(central, token, order_id, handover)
    assert_problem(again, 409, "already_collected")
    assert again.json()["by"]
    assert central.stock(sku, "CZ-PRG-01") == (before[0] - 2, before[1] - 2)


def test_handover_guards(central: Central) -> None:
    created, token, sku, parcel = ready_order(central)
    order_id = created["order"]["id"]
    before = central.stock(sku, "CZ-PRG-01")
    base = {"event": "handed_over", "parcels_scanned": [parcel], "lines": [{"line_no": 1, "qty": 2}]}
    wrong = "000000" if created["pickup_code"] != "000000" else "111111"
    assert_problem(
        event(central, token, order_id, {**base, "method": "code", "code": wrong}),
        422,
        "pickup_code_mismatch",
    )
    assert_problem(
        event(central, token, order_id, {**base, "method": "pass", "pickup_pass": "PP1.x.y"}),
        422,
        "invalid_pickup_pass",
    )
    assert_problem(
        event(central, token, order_id, {**base, "method": "id_check"}), 403, "supervisor_required"
    )
    not_scanned = {**base, "method": "code", "code": created["pickup_code"], "parcels_scanned": []}
    assert_problem(event(central, token, order_id, not_scanned), 422, "parcels_not_scanned")
    too_many = {**base, "method": "code", "code": created["pickup_code"], "lines": [{"line_no": 1, "qty": 3}]}
    assert_problem(event(central, token, order_id, too_many), 422, "invalid_quantity")
    assert_problem(
        event(central, token, order_id, {"event": "picked", "lines": [{"line_no": 1, "qty": 1}]}),
        409,
        "invalid_transition",
    )
    assert_problem(event(central, token, order_id, {"event": "expired"}), 409, "hold_not_expired")
    assert_problem(event(central, token, order_id, {"event": "teleported"}), 422, "validation_error")
    assert_problem(event(central, token, "no-such-order", {"event": "ready"}), 404, "order_not_found")
    assert central.stock(sku, "CZ-PRG-01") == before
    # Partial pickup, then the rest.
    part = {**base, "method": "code", "code": created["pickup_code"], "lines": [{"line_no": 1, "qty": 1}]}
    assert event(central, token, order_id, part).json()["order"]["state"] == "partially_collected"
    assert event(central, token, order_id, part).json()["order"]["state"] == "collected"
    assert central.stock(sku, "CZ-PRG-01") == (before[0] - 2, before[1] - 2)


def test_supervisor_overrides_and_roles(central: Central) -> None:
    created, _token, _sku, parcel = ready_order(central)
    order_id = created["order"]["id"]
    kiosk = central.device_token("kiosk")
    assert_problem(event(central, kiosk, order_id, {"event": "customer_arrived"}), 403, "associate_required")
    elsewhere, _, _ = central.associate_token("CZ-BRN-01")
    assert_problem(event(central, elsewhere, order_id, {"event": "customer_arrived"}), 403, "forbidden")
    supervisor, _, _ = central.associate_token(role="supervisor")
    arrived = event(central, supervisor, order_id, {"event": "customer_arrived", "parking_spot": "P3"})
    assert arrived.json()["order"]["pickup"]["parking_spot"] == "P3"
    by_id = {
        "event": "handed_over",
        "method": "id_check",
        "parcels_scanned": [parcel],
        "lines": [{"line_no": 1, "qty": 2}],
        "collected_by": "Eva Dvořáková",
    }
    assert event(central, supervisor, order_id, by_id).json()["order"]["state"] == "collected"


def test_short_pick_expiry_and_return_to_stock_release_reservations(central: Central) -> None:
    sku = sku_with_stock(central, at_least=3)
    before = central.stock(sku, "CZ-PRG-01")
    created = post_order(central, central.device_token("eshop"), eshop_order(sku, 3)).json()
    order_id = created["order"]["id"]
    token, _, _ = central.associate_token(role="supervisor")
    assert event(central, token, order_id, {"event": "picking_started"}).status_code == 200
    assert (
        event(central, token, order_id, {"event": "picked", "lines": [{"line_no": 1, "qty": 2}]}).status_code
        == 200
    )
    assert central.stock(sku, "CZ-PRG-01") == (before[0], before[1] + 2)
    staged = {"event": "staged", "bin": "B-2", "parcels": [{"parcel_id": "P-1", "line_nos": [1]}]}
    assert event(central, token, order_id, staged).status_code == 200
    assert event(central, token, order_id, {"event": "ready"}).status_code == 200
    expired = {
        "event": "expired",
        "override": {"supervisor_id": "E0", "reason": "customer cancelled by phone"},
    }
    assert event(central, token, order_id, expired).json()["order"]["state"] == "expired"
    incomplete = {"event": "returned_to_stock", "lines": [{"line_no": 1, "qty": 1}]}
    assert_problem(event(central, token, order_id, incomplete), 422, "return_to_stock_incomplete")
    back = {"event": "returned_to_stock", "lines": [{"line_no": 1, "qty": 2}]}
    assert event(central, token, order_id, back).json()["order"]["state"] == "returned_to_stock"
    assert central.stock(sku, "CZ-PRG-01") == before
    assert central.count(schema.order_events) > 0
