"""The push fast path: documents built in memory, verifiers after the commit, cached keys, one connection."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from central import schema
from central.db import Database
from central.orders import order_document
from central.passes import public_key_map
from retail_rules.pickup_code import pickup_code_matches
from retail_rules.pickup_pass import verify_pass
from tests.central.conftest import Central, kiosk_order
from tests.central.test_push import Terminal, action

STORE = "CZ-PRG-01"


def skus_in_stock(central: Central, count: int) -> list[str]:
    c = schema.stock.c
    with central.db.read() as conn:
        skus = list(
            conn.execute(
                select(c.sku)
                .where(c.location_id == STORE, c.on_hand - c.reserved >= 2)
                .order_by(c.sku)
                .limit(count)
            ).scalars()
        )
    assert len(skus) == count
    return skus


def two_line_order(first: str, second: str) -> dict[str, Any]:
    body = kiosk_order(first, 1)
    body["lines"].append({"sku": second, "qty": 2, "location_id": STORE, "fulfilment": "pickup_here"})
    return body


def test_a_pushed_order_answers_with_the_document_it_stored(central: Central) -> None:
    skus = skus_in_stock(central, 8)
    terminal = Terminal(central)
    batch = [action(n + 1, two_line_order(skus[2 * n], skus[2 * n + 1])) for n in range(4)]
    response = terminal.push(batch)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 4
    # The verifier job may have served a newer version meanwhile: wait for all of them.
    central.verifiers.run_pending()
    with central.db.read() as conn:
        keys = public_key_map(conn)
        for n, result in enumerate(results):
            answered = result["body"]["order"]
            order_id = answered["id"]
            assert answered["version"] == result["server_version"]
            # The answer comes before the code's slow verifier, which a newer version serves.
            assert answered["pickup_code_hash"] is None
            stored = conn.execute(
                select(schema.orders.c.doc, schema.orders.c.version).where(schema.orders.c.id == order_id)
            ).one()
            served = json.loads(stored.doc)
            assert served["version"] == stored.version > answered["version"]
            code = result["body"]["pickup_code"]
            assert pickup_code_matches(order_id, code, served["pickup_code_hash"])
            unchanged = ("version", "updated_at", "pickup_code_hash")
            assert {k: v for k, v in served.items() if k not in unchanged} == {
                k: v for k, v in answered.items() if k not in unchanged
            }
            # The document built in memory agrees with a fresh read of the rows.
            read_back = order_document(conn, order_id)
            assert {k: v for k, v in read_back.items() if k not in unchanged} == {
                k: v for k, v in answered.items() if k not in unchanged
            }
            assert read_back["pickup_code_hash"] == served["pickup_code_hash"]
            assert [ln["sku"] for ln in answered["lines"]] == [skus[2 * n], skus[2 * n + 1]]
            assert [ln["qty"] for ln in answered["lines"]] == [1, 2]
            assert verify_pass(result["body"]["pickup_pass"], keys).order_id == order_id
            # One version allocation: the stock rows (in key order), then the order.
            stock_versions = [
                conn.execute(
                    select(schema.stock.c.version).where(
                        schema.stock.c.sku == sku, schema.stock.c.location_id == STORE
                    )
                ).scalar_one()
                for sku in sorted((skus[2 * n], skus[2 * n + 1]))
            ]
            assert stock_versions == [answered["version"] - 2, answered["version"] - 1]


def test_a_new_signing_key_signs_the_next_order(central: Central) -> None:
    sku, other = skus_in_stock(central, 2)
    terminal = Terminal(central)
    first = terminal.push([action(1, kiosk_order(sku))]).json()["results"][0]["body"]
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    with central.db.write() as tx:
        tx.conn.execute(update(schema.signing_keys).values(active=False))
        tx.conn.execute(
            schema.signing_keys.insert().values(
                kid="krotated",
                private_pem=pem,
                public_b64=base64.b64encode(raw).decode(),
                created_at=time.time(),
                active=True,
            )
        )
    second = terminal.push([action(2, kiosk_order(other))]).json()["results"][0]["body"]
    with central.db.read() as conn:
        keys = public_key_map(conn)
    assert verify_pass(first["pickup_pass"], keys).kid != "krotated"
    assert verify_pass(second["pickup_pass"], keys).kid == "krotated"


def test_a_failed_transaction_leaves_the_batch_connection_usable(sqlite_db: Database) -> None:
    with sqlite_db.connection() as conn:
        with pytest.raises(IntegrityError), sqlite_db.write(conn) as tx:
            tx.conn.execute(schema.meta.insert().values(key="schema_version", value="again"))
        with sqlite_db.write(conn) as tx:
            tx.conn.execute(schema.meta.insert().values(key="bench", value="1"))
    with sqlite_db.read() as read:
        assert (
            read.execute(select(schema.meta.c.value).where(schema.meta.c.key == "bench")).scalar_one() == "1"
        )
