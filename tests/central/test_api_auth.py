"""Enrolment, associate sign-in and the token check on every request."""

from __future__ import annotations

import time

from sqlalchemy import update

from central import demo_data, schema
from central.auth import create_enrolment_key, revoke_device
from tests.central.conftest import SEED, Central, auth

PROBLEM = "application/problem+json"


def assert_problem(response: object, status: int, code: str) -> None:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["code"] == code
    assert body["type"] == f"urn:store-kiosk:problem:{code}"
    assert body["status"] == status


def test_health_and_openapi(central: Central) -> None:
    health = central.client.get("/v1/health").json()
    assert health["status"] == "ok"
    assert health["api"] == 1
    assert health["database"] == central.backend
    paths = central.client.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/health",
        "/v1/auth/device",
        "/v1/auth/associate",
        "/v1/sync/pull",
        "/v1/sync/events",
        "/v1/sync/push",
        "/v1/products/{sku}",
        "/v1/orders/{order_id}",
        "/v1/orders",
        "/v1/keys",
        "/v1/orders/{order_id}/events",
        "/v1/returns",
    ):
        assert path in paths


def test_enrolment_key_is_one_time(central: Central) -> None:
    key = create_enrolment_key(central.db, "CZ-PRG-01", "kiosk")
    first = central.client.post("/v1/auth/device", json={"enrolment_key": key, "device_name": "kiosk 1"})
    assert first.status_code == 200
    assert first.json()["role"] == "kiosk"
    assert first.json()["location_id"] == "CZ-PRG-01"
    again = central.client.post("/v1/auth/device", json={"enrolment_key": key, "device_name": "kiosk 2"})
    assert_problem(again, 401, "invalid_enrolment_key")
    bogus = central.client.post("/v1/auth/device", json={"enrolment_key": "EK-nope"})
    assert_problem(bogus, 401, "invalid_enrolment_key")
    assert_problem(
        central.client.post("/v1/auth/device", json={"enrolment_key": key, "x": 1}), 422, "validation_error"
    )
    assert_problem(
        central.client.post(
            "/v1/auth/device", content=b"{nope", headers={"content-type": "application/json"}
        ),
        400,
        "malformed_json",
    )


def test_every_protected_endpoint_needs_a_valid_token(central: Central) -> None:
    calls = [
        ("GET", "/v1/sync/pull?stream=catalog"),
        ("GET", "/v1/sync/events"),
        ("POST", "/v1/sync/push"),
        ("GET", "/v1/products/SKU-0000001"),
        ("GET", "/v1/orders/abc"),
        ("GET", "/v1/orders?code=CZ1"),
        ("POST", "/v1/orders"),
        ("POST", "/v1/orders/abc/events"),
        ("POST", "/v1/returns"),
        ("POST", "/v1/auth/associate"),
    ]
    for method, path in calls:
        for headers in ({}, auth("d.forged"), {"Authorization": "Basic abc"}, auth("x" * 300)):
            response = central.client.request(method, path, headers=headers, json={})
            assert response.status_code in (401, 422), (method, path, response.text)
            if response.status_code == 422:  # body validated before auth: then auth must still fail
                response = central.client.request(method, path, headers=headers)
            assert response.status_code in (401, 422)


def test_expired_and_revoked_tokens(central: Central) -> None:
    token = central.device_token("kiosk")
    assert central.client.get("/v1/sync/pull?stream=locations", headers=auth(token)).status_code == 200
    with central.db.write() as tx:
        tx.conn.execute(update(schema.tokens).values(expires_at=time.time() - 1))
    assert_problem(
        central.client.get("/v1/sync/pull?stream=locations", headers=auth(token)), 401, "unauthorized"
    )

    token = central.device_token("associate")
    with central.db.read() as conn:
        from sqlalchemy import select

        device_id = conn.execute(
            select(schema.devices.c.id).order_by(schema.devices.c.created_at.desc()).limit(1)
        ).scalar_one()
    assert revoke_device(central.db, device_id)
    assert_problem(
        central.client.get("/v1/sync/pull?stream=locations", headers=auth(token)), 403, "device_revoked"
    )


def test_associate_sign_in(central: Central) -> None:
    people = [a for a in demo_data.associates(SEED) if a.store_id == "CZ-PRG-01"]
    device = central.device_token("associate")
    by_badge = central.client.post(
        "/v1/auth/associate", json={"badge": people[0].badge_code}, headers=auth(device)
    )
    assert by_badge.status_code == 200
    assert by_badge.json()["associate_id"] == people[0].id
    by_pin = central.client.post(
        "/v1/auth/associate", json={"employee_id": people[1].id, "pin": people[1].pin}, headers=auth(device)
    )
    assert by_pin.status_code == 200
    assert by_pin.json()["role"] in ("associate", "supervisor")
    # An associate token cannot sign in another associate, and kiosks cannot sign in at all.
    assert_problem(
        central.client.post(
            "/v1/auth/associate", json={"badge": people[0].badge_code}, headers=auth(by_badge.json()["token"])
        ),
        403,
        "forbidden",
    )
    kiosk = central.device_token("kiosk")
    assert_problem(
        central.client.post("/v1/auth/associate", json={"badge": people[0].badge_code}, headers=auth(kiosk)),
        403,
        "forbidden",
    )
    elsewhere = next(a for a in demo_data.associates(SEED) if a.store_id != "CZ-PRG-01")
    assert_problem(
        central.client.post("/v1/auth/associate", json={"badge": elsewhere.badge_code}, headers=auth(device)),
        403,
        "wrong_store",
    )
    for body in ({"badge": "B0", "pin": "1234"}, {"employee_id": people[0].id}, {}, {"pin": "12"}):
        assert_problem(
            central.client.post("/v1/auth/associate", json=body, headers=auth(device)),
            422,
            "validation_error",
        )


def test_pin_lockout_after_five_wrong_attempts(central: Central) -> None:
    person = next(a for a in demo_data.associates(SEED) if a.store_id == "CZ-PRG-01")
    device = central.device_token("associate")
    wrong = "0000" if person.pin != "0000" else "1111"
    for _ in range(5):
        response = central.client.post(
            "/v1/auth/associate", json={"employee_id": person.id, "pin": wrong}, headers=auth(device)
        )
        assert_problem(response, 401, "invalid_credentials")
    locked = central.client.post(
        "/v1/auth/associate", json={"employee_id": person.id, "pin": person.pin}, headers=auth(device)
    )
    assert_problem(locked, 429, "sign_in_locked")
    assert int(locked.headers["Retry-After"]) > 0


def test_associate_token_expires(central: Central) -> None:
    token, _device, _ = central.associate_token()
    assert central.client.get("/v1/orders?code=NOPE", headers=auth(token)).status_code == 404
    with central.db.write() as tx:
        tx.conn.execute(
            update(schema.tokens)
            .where(schema.tokens.c.kind == "associate")
            .values(expires_at=time.time() - 5)
        )
    assert_problem(central.client.get("/v1/orders?code=NOPE", headers=auth(token)), 401, "unauthorized")
