"""Delta pull: pages, cursors, tombstones, must-refetch and who may read which stream."""

from __future__ import annotations

import json
import zlib

import pytest
from sqlalchemy import select, text, update

from central import schema
from central.db import Database
from central.streams import StreamRef, pull, purge_tombstones
from offline_cache import protocol
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


def test_a_page_merges_the_catalog_tables_in_version_order(central: Central) -> None:
    """Categories and products come from two queries; a page takes the lowest versions of both."""
    token = central.device_token("kiosk")
    _, cursor = pull_all(central, token, "catalog")
    with central.db.read() as conn:
        skus = list(conn.execute(select(schema.products.c.sku).limit(2)).scalars())
        ids = list(conn.execute(select(schema.categories.c.id).limit(2)).scalars())
    touched = [("product", skus[0]), ("category", ids[0]), ("product", skus[1]), ("category", ids[1])]
    with central.db.write() as tx:
        first = tx.versions(len(touched))
        for offset, (entity, key) in enumerate(touched):
            table, column = (
                (schema.products, schema.products.c.sku)
                if entity == "product"
                else (schema.categories, schema.categories.c.id)
            )
            tx.conn.execute(update(table).where(column == key).values(version=first + offset))

    def page(after: str) -> tuple[list[tuple[str, str, int]], bool, str]:
        response = central.client.get(
            "/v1/sync/pull", params={"stream": "catalog", "cursor": after, "limit": 3}, headers=auth(token)
        )
        assert response.status_code == 200, response.text
        body = response.json()
        changes = [(c["entity"], c["key"], c["version"]) for c in body["changes"]]
        return changes, body["has_more"], body["next_cursor"]

    expected = [(entity, key, first + offset) for offset, (entity, key) in enumerate(touched)]
    assert page(cursor) == (expected[:3], True, f"v1.{first + 2}")
    assert page(f"v1.{first + 2}") == (expected[3:], False, f"v1.{first + 3}")


def test_a_full_page_is_read_by_the_clients_page_reader_and_carries_its_checksum(central: Central) -> None:
    """The server's bytes read by offline_cache as products kept as text, meaning what json.loads reads."""
    token = central.device_token("kiosk")
    response = central.client.get(
        "/v1/sync/pull",
        params={"stream": "catalog", "limit": 5000},
        headers={**auth(token), "X-Install-Id": "0190a3c4-0000-7000-8000-000000000002"},
    )
    assert response.status_code == 200, response.text
    body = response.content
    page = protocol.parse_pull_page(200, {}, body, "catalog")
    assert page.terminal is not None
    assert len(page.changes) > SEED_PRODUCTS
    assert all(type(c.data) is protocol.JsonText for c in page.changes if c.entity == "product")
    assert page.checksum == f"crc32:{zlib.crc32(body[body.index(b'[') + 1 : body.rindex(b'],')]):08x}"
    whole = json.loads(body)
    assert [dict(c.data or {}) for c in page.changes] == [c["data"] for c in whole["changes"]]


@pytest.mark.postgres
def test_a_seeded_postgres_database_has_planner_statistics(central: Central) -> None:
    """Without them PostgreSQL sorts whole rows for a page pull, on disk for a 5,000-product page."""
    if not central.db.is_postgres:
        pytest.skip("SQLite reads the version index without statistics")
    with central.db.read() as conn:
        analysed = set(
            conn.execute(text("SELECT tablename FROM pg_stats WHERE attname = 'version'")).scalars()
        )
    assert {"locations", "categories", "products", "stock", "reviews", "orders"} <= analysed


@pytest.mark.postgres
def test_a_page_is_utf8_whatever_the_connections_client_encoding(central: Central) -> None:
    """PostgreSQL sends text in the client encoding, and the page's changes are read as raw bytes."""
    if not central.db.is_postgres:
        pytest.skip("SQLite text is always UTF-8")
    catalog = StreamRef("catalog", "catalog", None)
    with central.db.read() as conn:
        expected = pull(conn, catalog, 0, 5000)
    # GB18030 can write every character of the catalog, in other bytes than UTF-8.
    url = central.db.url.update_query_dict({"client_encoding": "GB18030"})
    other = Database(url.render_as_string(hide_password=False))
    try:
        with other.read() as conn:
            assert conn.connection.driver_connection.info.encoding == "gb18030"
            assert pull(conn, catalog, 0, 5000) == expected
    finally:
        other.dispose()
