"""Delta pull: pages, cursors, tombstones, must-refetch and who may read which stream."""

from __future__ import annotations

import json

from sqlalchemy import select, update

from central import schema
from central.streams import purge_tombstones
from tests.central.conftest import SEED_PRODUCTS, Central, auth
from tests.central.test_api_auth import assert_problem


def pull_all(
    central: Central, token: str, stream: str, cursor: str = "", limit: int = 97
) -> tuple[list[dict], str]:
    changes: list[dict] = []
    pages = 0
    while True:
        response = central.client.get(
            "/v1/sync/pull", params={"stream": stream, "cursor": cursor, "limit": limit}, headers=auth(token)
        )
        assert response.status_code == 200, response.text
        page = response.json()
        changes += page["changes"]
        cursor = page["next_cursor"]
        pages += 1
        assert pages < 10_000
        if not page["has_more"]:
            return changes, cursor


def test_catalog_pages_cover_everything_once_in_version_order(central: Central) -> None:
    token = central.device_token("kiosk")
    changes, cursor = pull_all(central, token, "catalog")
    versions = [c["version"] for c in changes]
    assert versions == sorted(versions)
    assert len(set(versions)) == len(versions)
    products = [c for c in changes if c["entity"] == "product"]
    categories = [c for c in changes if c["entity"] == "category"]
    assert len(products) == SEED_PRODUCTS
    assert len(categories) > 20
    sample = products[0]["data"]
    assert set(sample["names"]) == {"en", "cs", "pl", "bg"}
    assert set(sample["prices"]) == {"CZK", "PLN", "EUR"}
    again = central.client.get(
        "/v1/sync/pull", params={"stream": "catalog", "cursor": cursor}, headers=auth(token)
    )
    assert again.json()["changes"] == []
    assert again.json()["next_cursor"] == cursor


def test_changes_tombstones_and_must_refetch(central: Central) -> None:
    token = central.device_token("kiosk")
    _, cursor = pull_all(central, token, "catalog")
    with central.db.write() as tx:
        sku = tx.conn.execute(select(schema.products.c.sku).limit(1)).scalar_one()
        version = tx.versions(1)
        tx.conn.execute(
            update(schema.products).where(schema.products.c.sku == sku).values(deleted=True, version=version)
        )
    changes, newer = pull_all(central, token, "catalog", cursor)
    assert changes == [{"entity": "product", "key": sku, "version": version, "op": "delete"}]
    with central.db.write() as tx:
        purge_tombstones(tx.conn, "catalog", version + 1)
    old = central.client.get(
        "/v1/sync/pull", params={"stream": "catalog", "cursor": cursor}, headers=auth(token)
    )
    assert_problem(old, 409, "must_refetch")
    assert old.json()["reason"] == "cursor_expired"
    # A client that saw the tombstone before the purge carries on.
    assert (
        central.client.get(
            "/v1/sync/pull", params={"stream": "catalog", "cursor": newer}, headers=auth(token)
        ).status_code
        == 200
    )
    ahead = central.client.get(
        "/v1/sync/pull", params={"stream": "catalog", "cursor": "v1.99999999"}, headers=auth(token)
    )
    assert_problem(ahead, 409, "must_refetch")
    assert ahead.json()["reason"] == "cursor_ahead"


def test_bad_pull_requests(central: Central) -> None:
    token = central.device_token("associate")
    get = central.client.get
    for cursor in ("abc", "v1.-5", "v1.1e9", "v2.5", "v1.", "v1.١٢"):
        assert_problem(
            get("/v1/sync/pull", params={"stream": "catalog", "cursor": cursor}, headers=auth(token)),
            400,
            "invalid_cursor",
        )
    for limit in ("0", "-1", "5001", "abc", "99999999999999999999"):
        assert_problem(
            get("/v1/sync/pull", params={"stream": "catalog", "limit": limit}, headers=auth(token)),
            422,
            "validation_error",
        )
    for stream in ("nope", "stock:", "stock:NOPE-1", "orders:", "stock:a b", "catalog:x"):
        assert_problem(
            get("/v1/sync/pull", params={"stream": stream}, headers=auth(token)), 404, "unknown_stream"
        )
    assert_problem(get("/v1/sync/pull", headers=auth(token)), 422, "validation_error")


def test_stream_permissions(central: Central) -> None:
    kiosk = central.device_token("kiosk")
    associate = central.device_token("associate")
    for stream in ("locations", "catalog", "reviews", "stock:CZ-PRG-01", "stock:WH-CZ-01"):
        assert (
            central.client.get("/v1/sync/pull", params={"stream": stream}, headers=auth(kiosk)).status_code
            == 200
        )
    assert_problem(
        central.client.get("/v1/sync/pull", params={"stream": "orders:CZ-PRG-01"}, headers=auth(kiosk)),
        403,
        "forbidden",
    )
    own = central.client.get("/v1/sync/pull", params={"stream": "orders:CZ-PRG-01"}, headers=auth(associate))
    assert own.status_code == 200
    docs = [c["data"] for c in own.json()["changes"]]
    assert docs, "the demo store has pickup orders"
    assert {d["store_id"] for d in docs} == {"CZ-PRG-01"}
    # Minimal personal data only: first name, initial, last 4 digits.
    text = json.dumps(docs)
    assert "email" not in text
    assert all(len(d["customer"]["phone_last4"]) <= 4 for d in docs)
    assert_problem(
        central.client.get("/v1/sync/pull", params={"stream": "orders:PL-WAW-01"}, headers=auth(associate)),
        403,
        "forbidden",
    )


def test_stock_stream_and_terminal_report(central: Central) -> None:
    token = central.device_token("kiosk")
    changes, _ = pull_all(central, token, "stock:CZ-PRG-01", limit=1000)
    assert len(changes) == SEED_PRODUCTS
    first = changes[0]
    assert first["key"] == f"{first['data']['sku']}@CZ-PRG-01"
    assert first["data"]["available"] == first["data"]["on_hand"] - first["data"]["reserved"]
    response = central.client.get(
        "/v1/sync/pull",
        params={"stream": "locations"},
        headers={**auth(token), "X-Install-Id": "0190a3c4-0000-7000-8000-000000000001"},
    )
    assert response.json()["terminal"] == {
        "install_id": "0190a3c4-0000-7000-8000-000000000001",
        "last_applied_seq": 0,
    }
    locations = [c["data"] for c in response.json()["changes"]]
    assert {loc["country"] for loc in locations if loc["kind"] == "store"} >= {"CZ", "PL", "BG"}
    assert sum(1 for loc in locations if loc["kind"] == "warehouse") >= 2
