"""Orders: reservation, idempotency, bad input, roles; every refusal changes nothing."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import delete

from central import schema
from tests.central.conftest import Central, auth, eshop_order, kiosk_order, new_key, sku_with_stock
from tests.central.test_api_auth import assert_problem


def post_order(central: Central, token: str, body: Any, key: str | None = None) -> Any:
    headers = auth(token)
    headers["Idempotency-Key"] = key or new_key()
    return central.client.post("/v1/orders", json=body, headers=headers)


def test_kiosk_order_reserves_and_replays(central: Central) -> None:
    kiosk = central.device_token("kiosk")
    sku = sku_with_stock(central)
    before = central.stock(sku, "CZ-PRG-01")
    key = new_key()
    body = kiosk_order(sku, 2)
    first = post_order(central, kiosk, body, key)
    assert first.status_code == 201, first.text
    order = first.json()["order"]
    assert order["state"] == "placed"
    assert order["currency"] == "CZK"
    assert order["lines"][0]["unit_price"] > 0
    assert central.stock(sku, "CZ-PRG-01") == (before[0], before[1] + 2)
    replay = post_order(central, kiosk, body, key)
    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert central.stock(sku, "CZ-PRG-01") == (before[0], before[1] + 2)
    other = post_order(central, kiosk, kiosk_order(sku, 1), key)
    assert_problem(other, 422, "idempotency_key_reused")
    assert central.stock(sku, "CZ-PRG-01") == (before[0], before[1] + 2)


def test_insufficient_stock_changes_nothing_and_names_availability(central: Central) -> None:
    kiosk = central.device_token("kiosk")
    sku = sku_with_stock(central)
    other = sku_with_stock(central, at_least=1)
    central.set_stock(sku, "CZ-PRG-01", 1)
    before_other = central.stock(other, "CZ-PRG-01")
    orders_before = central.count(schema.orders)
    body = kiosk_order(sku, 2)
    body["lines"].insert(0, {"sku": other, "qty": 1, "location_id": "CZ-PRG-01", "fulfilment": "pickup_here"})
    response = post_order(central, kiosk, body)
    assert_problem(response, 409, "insufficient_stock")
    assert {"sku": sku, "location_id": "CZ-PRG-01"} in response.json()["short"]
    assert any(a["sku"] == sku and a["location_id"] == "WH-CZ-01" for a in response.json()["available"])
    assert central.stock(sku, "CZ-PRG-01") == (1, 0)
    assert central.stock(other, "CZ-PRG-01") == before_other
    assert central.count(schema.orders) == orders_before


def test_bad_orders_are_4xx_and_change_nothing(central: Central) -> None:
    kiosk = central.device_token("kiosk")
    sku = sku_with_stock(central)
    before = central.stock(sku, "CZ-PRG-01")
    orders_before = central.count(schema.orders)
    bad_lines: list[Any] = [
        {"sku": sku, "qty": 0, "location_id": "CZ-PRG-01", "fulfilment": "pickup_here"},
        {"sku": sku, "qty": -1, "location_id": "CZ-PRG-01", "fulfilment": "pickup_here"},
        {"sku": sku, "qty": 10**12, "location_id": "CZ-PRG-01", "fulfilment": "pickup_here"},
        {"sku": sku, "qty": "2", "location_id": "CZ-PRG-01", "fulfilment": "teleport"},
        {"sku": sku, "qty": 1.5, "location_id": "CZ-PRG-01", "fulfilment": "pickup_here"},
        {"sku": "bad sku!", "qty": 1, "location_id": "CZ-PRG-01", "fulfilment": "pickup_here"},
        {"sku": sku, "qty": 1, "location_id": "CZ-PRG-01", "fulfilment": "pickup_here", "extra": True},
    ]
    for line in bad_lines:
        assert_problem(post_order(central, kiosk, kiosk_order(sku, lines=[line])), 422, "validation_error")
    for customer in (
        {"first_name": ""},
        {"first_name": "A\x00B"},
        {"first_name": "Ann", "email": "nope"},
        {},
    ):
        assert_problem(
            post_order(central, kiosk, kiosk_order(sku, customer=customer)), 422, "validation_error"
        )
    assert_problem(post_order(central, kiosk, kiosk_order(sku, lines=[])), 422, "validation_error")
    assert_problem(post_order(central, kiosk, [1, 2]), 422, "validation_error")
    assert_problem(
        central.client.post(
            "/v1/orders",
            content=b'{"order_id": ',
            headers={**auth(kiosk), "Idempotency-Key": new_key(), "content-type": "application/json"},
        ),
        400,
        "malformed_json",
    )
    missing_key = central.client.post("/v1/orders", json=kiosk_order(sku), headers=auth(kiosk))
    assert_problem(missing_key, 422, "validation_error")
    assert_problem(post_order(central, kiosk, kiosk_order(sku), key="not-a-uuid"), 422, "validation_error")
    unknown = kiosk_order(sku)
    unknown["lines"][0]["sku"] = "SKU-NOPE"
    assert_problem(post_order(central, kiosk, unknown), 422, "unknown_sku")
    nowhere = kiosk_order(sku)
    nowhere["lines"][0]["location_id"] = "XX-NOPE-1"
    assert_problem(post_order(central, kiosk, nowhere), 422, "unknown_location")
    huge = central.client.post(
        "/v1/orders",
        content=b"x" * (1024 * 1024 + 1),
        headers={**auth(kiosk), "Idempotency-Key": new_key(), "content-type": "application/json"},
    )
    assert_problem(huge, 413, "payload_too_large")
    assert central.stock(sku, "CZ-PRG-01") == before
    assert central.count(schema.orders) == orders_before


def test_roles_for_orders(central: Central) -> None:
    sku = sku_with_stock(central)
    kiosk = central.device_token("kiosk")
    assert_problem(post_order(central, kiosk, kiosk_order(sku, store="CZ-BRN-01")), 403, "forbidden")
    assert_problem(post_order(central, kiosk, kiosk_order(sku, kind="endless_aisle")), 403, "forbidden")
    device = central.device_token("associate")
    assert_problem(post_order(central, device, kiosk_order(sku)), 403, "associate_required")
    associate, _, _ = central.associate_token()
    endless = kiosk_order(sku, kind="endless_aisle", payment_method="card_present")
    endless["lines"][0]["fulfilment"] = "take_now"
    before = central.stock(sku, "CZ-PRG-01")
    response = post_order(central, associate, endless)
    assert response.status_code == 201, response.text
    assert response.json()["order"]["state"] == "confirmed"
    assert central.stock(sku, "CZ-PRG-01") == (before[0] - 1, before[1])
    eshop = central.device_token("eshop")
    created = post_order(central, eshop, eshop_order(sku))
    assert created.status_code == 201
    assert created.json()["pickup_pass"].startswith("PP1.")
    assert len(created.json()["pickup_code"]) == 6


def test_concurrent_duplicates_apply_once(central: Central) -> None:
    kiosk = central.device_token("kiosk")
    sku = sku_with_stock(central)
    before = central.stock(sku, "CZ-PRG-01")
    key = new_key()
    body = kiosk_order(sku, 1)
    statuses: list[int] = []
    bodies: list[Any] = []
    barrier = threading.Barrier(8)

    def send() -> None:
        barrier.wait()
        response = post_order(central, kiosk, body, key)
        statuses.append(response.status_code)
        bodies.append(response.json())

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 8
    assert all(b == bodies[0] for b in bodies)
    assert central.stock(sku, "CZ-PRG-01") == (before[0], before[1] + 1)


def test_replay_after_stored_outcome_expired_has_no_second_effect(central: Central) -> None:
    kiosk = central.device_token("kiosk")
    sku = sku_with_stock(central)
    key = new_key()
    body = kiosk_order(sku, 1)
    assert post_order(central, kiosk, body, key).status_code == 201
    after_first = central.stock(sku, "CZ-PRG-01")
    with central.db.write() as tx:  # worse than expiry: the stored outcome is gone entirely
        tx.conn.execute(delete(schema.applied_actions).where(schema.applied_actions.c.action_id == key))
    replay = post_order(central, kiosk, body, key)
    assert replay.status_code == 200
    assert replay.json()["detail"] == "result_expired"
    assert central.stock(sku, "CZ-PRG-01") == after_first


def test_product_lookup(central: Central) -> None:
    kiosk = central.device_token("kiosk")
    sku = sku_with_stock(central)
    product = central.client.get(f"/v1/products/{sku}", headers=auth(kiosk)).json()
    assert product["sku"] == sku
    assert {s["location_id"] for s in product["stock"]} >= {"CZ-PRG-01", "WH-CZ-01"}
    assert sum(product["rating"]["histogram"].values()) == product["rating"]["count"]
    assert_problem(central.client.get("/v1/products/SKU-NOPE", headers=auth(kiosk)), 404, "unknown_sku")
    assert_problem(central.client.get("/v1/products/a%00b", headers=auth(kiosk)), 422, "validation_error")
    image = central.client.get(product["data"]["images"][0])
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert image.content[:2] == b"\xff\xd8"
    assert_problem(central.client.get(f"/v1/images/{sku}/9.jpg"), 422, "validation_error")
    assert_problem(central.client.get("/v1/images/SKU-NOPE/0.jpg"), 404, "unknown_sku")
