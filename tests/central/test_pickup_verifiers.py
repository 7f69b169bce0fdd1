"""Pickup verifiers after the commit, and push groups: one transaction for many actions."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import psycopg
import pytest
from sqlalchemy import select, update

from central import actions, schema
from central.actions import execute_single
from central.orders import Actor
from central.pickup_verifiers import PickupVerifiers
from central.streams import make_cursor
from retail_rules.pickup_code import code_equals, pickup_code_matches
from tests.central.conftest import Central, auth, eshop_order, kiosk_order, new_key, pg_url
from tests.central.test_api_pickup import event, ready_order
from tests.central.test_push import Terminal, action
from tests.central.test_push_fast_path import STORE, skus_in_stock


def _order_row(central: Central, order_id: str) -> Any:
    with central.db.read() as conn:
        return conn.execute(select(schema.orders).where(schema.orders.c.id == order_id)).one()


def _wait_for_verifier(central: Central, order_id: str) -> Any:
    deadline = time.monotonic() + 30
    while (row := _order_row(central, order_id)).pickup_code_hash is None:
        assert time.monotonic() < deadline, "the verifier never arrived"
        time.sleep(0.05)
    return row


def test_the_verifier_reaches_the_orders_stream_with_a_newer_version(central: Central) -> None:
    sku = skus_in_stock(central, 1)[0]
    terminal = Terminal(central)
    result = terminal.push([action(1, kiosk_order(sku))]).json()["results"][0]
    created = result["body"]
    order_id = created["order"]["id"]
    assert created["order"]["pickup_code_hash"] is None
    row = _wait_for_verifier(central, order_id)  # the app's own background job, no help
    assert pickup_code_matches(order_id, created["pickup_code"], row.pickup_code_hash)
    assert row.version > result["server_version"]
    associate, _, _ = central.associate_token()
    cursor = make_cursor(result["server_version"])
    page = central.client.get(
        "/v1/sync/pull", params={"stream": f"orders:{STORE}", "cursor": cursor}, headers=auth(associate)
    ).json()
    served = [c for c in page["changes"] if c["key"] == order_id]
    assert len(served) == 1
    assert served[0]["version"] == row.version
    assert served[0]["data"]["pickup_code_hash"] == row.pickup_code_hash
    assert json.loads(row.doc) == served[0]["data"]


def test_handover_by_code_needs_no_verifier_on_the_server(central: Central) -> None:
    created, token, sku, parcel = ready_order(central)
    order_id = created["order"]["id"]
    with central.db.write() as tx:
        tx.conn.execute(
            update(schema.orders).where(schema.orders.c.id == order_id).values(pickup_code_hash=None)
        )
    base = {
        "event": "handed_over",
        "method": "code",
        "parcels_scanned": [parcel],
        "lines": [{"line_no": 1, "qty": 2}],
    }
    wrong = "000000" if created["pickup_code"] != "000000" else "111111"
    for bad in (wrong, "12345", "１２３４５６", created["pickup_code"] + "0"):
        response = event(central, token, order_id, {**base, "code": bad})
        assert response.status_code in (422,), response.text
    assert central.stock(sku, STORE)[1] >= 2  # nothing was handed over
    done = event(central, token, order_id, {**base, "code": created["pickup_code"]})
    assert done.status_code == 200, done.text
    assert done.json()["order"]["state"] == "collected"


def test_the_sweep_finds_orders_the_queue_never_saw_and_skips_closed_and_damaged_ones(
    central: Central, caplog: pytest.LogCaptureFixture
) -> None:
    skus = skus_in_stock(central, 3)
    actor = Actor("T-TEST", "eshop", STORE, None, None)
    made = []
    for sku in skus:  # created as a crashed process would leave them: committed, never queued
        outcome, _ = execute_single(central.db, actor, new_key(), "order.create", eshop_order(sku, 1))
        assert outcome.status == "applied", outcome.body
        made.append((outcome.body["order"]["id"], outcome.body["pickup_code"]))
    (open_id, open_code), (cancelled_id, _), (damaged_id, _) = made
    with central.db.write() as tx:
        tx.conn.execute(
            update(schema.orders).where(schema.orders.c.id == cancelled_id).values(state="cancelled")
        )
        tx.conn.execute(
            update(schema.orders).where(schema.orders.c.id == damaged_id).values(secret="{not json")
        )
    verifiers = PickupVerifiers(central.db)  # not started: run in this thread
    with caplog.at_level(logging.WARNING, logger="central.pickup_verifiers"):
        verifiers.run_pending()
    assert damaged_id in caplog.text
    assert pickup_code_matches(open_id, open_code, _order_row(central, open_id).pickup_code_hash)
    assert _order_row(central, cancelled_id).pickup_code_hash is None
    assert _order_row(central, damaged_id).pickup_code_hash is None
    version = _order_row(central, open_id).version
    assert verifiers.run_pending() == 0  # idempotent: nothing new, no new versions
    assert _order_row(central, open_id).version == version


def test_a_batch_in_many_groups_answers_like_one(central: Central, monkeypatch: pytest.MonkeyPatch) -> None:
    skus = skus_in_stock(central, 6)
    central.set_stock(skus[2], STORE, 0)
    before = {sku: central.stock(sku, STORE) for sku in skus}
    monkeypatch.setattr(actions, "GROUP_SECONDS", 0.0)  # every action commits on its own
    terminal = Terminal(central)
    batch = [action(n + 1, kiosk_order(sku)) for n, sku in enumerate(skus)]
    first = terminal.push(batch).json()
    assert [r["status"] for r in first["results"]] == ["applied", "applied", "rejected"] + ["applied"] * 3
    assert first["last_applied_seq"] == 6
    monkeypatch.setattr(actions, "GROUP_SECONDS", 60.0)  # the replay runs as one group
    again = terminal.push(batch).json()
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 6
    assert [r["body"] for r in again["results"]] == [r["body"] for r in first["results"]]
    for n, sku in enumerate(skus):
        on_hand, reserved = before[sku]
        assert central.stock(sku, STORE) == (on_hand, reserved + (0 if n == 2 else 1))


def test_a_rejection_inside_a_group_keeps_its_neighbours_pokes_and_versions(central: Central) -> None:
    skus = skus_in_stock(central, 3)
    central.set_stock(skus[1], STORE, 0)
    terminal = Terminal(central)
    results = terminal.push([action(n + 1, kiosk_order(sku)) for n, sku in enumerate(skus)]).json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["server_version"] is None
    assert results[0]["server_version"] < results[2]["server_version"]
    for result in (results[0], results[2]):
        doc = result["body"]["order"]
        assert doc["version"] == result["server_version"]


@pytest.mark.postgres
def test_a_group_gives_way_instead_of_deadlocking_with_a_single_writer(central: Central) -> None:
    """A group holds the version counter; a single writer holds a stock row the group wants next."""
    if not central.db.is_postgres:
        pytest.skip("row locks and the counter wait only on PostgreSQL")
    first_sku, contested = skus_in_stock(central, 2)
    terminal = Terminal(central)
    dsn = pg_url(central.db.url.database or "")
    outcome: dict[str, Any] = {}
    with psycopg.connect(dsn) as writer:
        writer.execute(
            "UPDATE stock SET on_hand = on_hand + 1 WHERE sku = %s AND location_id = %s", (contested, STORE)
        )

        def pushing() -> None:
            outcome["response"] = terminal.push(
                [action(1, kiosk_order(first_sku)), action(2, kiosk_order(contested))]
            )

        thread = threading.Thread(target=pushing)
        thread.start()
        time.sleep(0.5)  # the group took the counter with its first order, then met the held row
        # The single writer now wants the counter, as every writer does last: without giving
        # way the group would wait for the row while the writer waits for the counter.
        writer.execute("UPDATE version_counter SET value = value + 1 WHERE id = 1")
        writer.commit()
        thread.join(30)
    response = outcome["response"]
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["applied", "applied"]


def test_code_equals_is_strict() -> None:
    assert code_equals("012345", "012345")
    for typed, issued in (("012345", None), ("12345", "12345"), ("01234x", "01234x"), ("012345", "012346")):
        assert not code_equals(typed, issued)
