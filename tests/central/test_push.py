"""The push protocol: seq order, the three dedup layers, gaps, forks and per-action results."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from central import schema
from retail_rules.canonical import payload_sha256
from tests.central.conftest import Central, auth, kiosk_order, new_key, sku_with_stock
from tests.central.test_api_auth import assert_problem


def action(seq: int, payload: dict[str, Any], type_: str = "order.create", **extra: Any) -> dict[str, Any]:
    return {
        "seq": seq,
        "action_id": new_key(),
        "type": type_,
        "action_version": 1,
        "payload": payload,
        "payload_sha256": payload_sha256(payload),
        "client_created_at": "2026-11-22T10:00:00+01:00",
        **extra,
    }


class Terminal:
    """A device pushing under one install id, as the sync engine does."""

    def __init__(self, central: Central, role: str = "kiosk") -> None:
        self.central = central
        self.token = central.device_token(role)
        with central.db.read() as conn:
            self.device_id = conn.execute(
                select(schema.tokens.c.device_id)
                .where(schema.tokens.c.kind == "device")
                .order_by(schema.tokens.c.expires_at.desc())
                .limit(1)
            ).scalar_one()
        self.install_id = new_key()

    def push(self, actions: list[dict[str, Any]], **overrides: Any) -> Any:
        body = {
            "protocol": 1,
            "terminal_id": self.device_id,
            "install_id": self.install_id,
            "actions": actions,
            **overrides,
        }
        return self.central.client.post("/v1/sync/push", json=body, headers=auth(self.token))


def test_batch_applies_in_order_and_replays_as_duplicates(central: Central) -> None:
    terminal = Terminal(central)
    sku = sku_with_stock(central, at_least=3)
    before = central.stock(sku, "CZ-PRG-01")
    batch = [action(i, kiosk_order(sku, 1)) for i in (1, 2, 3)]
    first = terminal.push(batch)
    assert first.status_code == 200, first.text
    results = first.json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 3
    assert [r["seq"] for r in results] == [1, 2, 3]
    assert first.json()["last_applied_seq"] == 3
    assert all(r["server_version"] for r in results)
    again = terminal.push(batch).json()
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 3
    assert [r["body"] for r in again["results"]] == [r["body"] for r in results]
    assert central.stock(sku, "CZ-PRG-01") == (before[0], before[1] + 3)


def test_rejections_are_processed_and_do_not_block(central: Central) -> None:
    terminal = Terminal(central)
    sku = sku_with_stock(central)
    central.set_stock(sku, "CZ-PRG-01", 1)
    bad_hash = action(3, kiosk_order(sku, 1))
    bad_hash["payload_sha256"] = "0" * 64
    batch = [
        action(1, kiosk_order(sku, 5)),  # insufficient stock
        action(2, {"nonsense": True}),  # invalid payload
        bad_hash,
        action(4, {"entries": [{"x": 1}]}, type_="teleport.create"),
        action(5, kiosk_order(sku, 1)),
        action(6, {"entries": [{"event": "sign_in", "who": "A1"}]}, type_="audit.event"),
    ]
    body = terminal.push(batch).json()
    assert [(r["status"], r["code"]) for r in body["results"]] == [
        ("rejected", "insufficient_stock"),
        ("rejected", "invalid_payload"),
        ("rejected", "payload_hash_mismatch"),
        ("rejected", "unknown_action_type"),
        ("applied", "ok"),
        ("applied", "ok"),
    ]
    assert body["results"][0]["body"]["available"]
    assert body["last_applied_seq"] == 6
    assert central.stock(sku, "CZ-PRG-01") == (1, 1)


def test_gap_stops_fork_and_key_reuse(central: Central) -> None:
    terminal = Terminal(central)
    sku = sku_with_stock(central, at_least=5)
    first = action(1, kiosk_order(sku, 1))
    assert terminal.push([first]).json()["last_applied_seq"] == 1
    gap = terminal.push([action(3, kiosk_order(sku, 1))]).json()
    assert gap["results"] == []
    assert gap["last_applied_seq"] == 1
    forked = terminal.push([action(1, kiosk_order(sku, 1)), action(2, kiosk_order(sku, 1))]).json()
    assert [r["status"] for r in forked["results"]] == ["fork"]
    reused = {**first, "payload": kiosk_order(sku, 2)}
    reused["payload_sha256"] = payload_sha256(reused["payload"])
    reused["seq"] = 2
    result = terminal.push([reused]).json()["results"][0]
    assert (result["status"], result["code"]) == ("key_reuse_mismatch", "idempotency_key_reused")
    before = central.stock(sku, "CZ-PRG-01")
    # After a fork the client renumbers its pending actions under a new install: dedup holds.
    terminal.install_id = new_key()
    renumbered = {**first, "seq": 1}
    after_fork = terminal.push([renumbered, action(2, kiosk_order(sku, 1))]).json()
    assert [r["status"] for r in after_fork["results"]] == ["duplicate", "applied"]
    assert central.stock(sku, "CZ-PRG-01") == (before[0], before[1] + 1)


def test_replay_after_outcome_expiry_is_caught_by_the_seq_high_water_mark(central: Central) -> None:
    terminal = Terminal(central)
    sku = sku_with_stock(central)
    first = action(1, kiosk_order(sku, 1))
    terminal.push([first])
    after = central.stock(sku, "CZ-PRG-01")
    with central.db.write() as tx:
        tx.conn.execute(delete(schema.applied_actions))
    replay = terminal.push([first]).json()["results"][0]
    assert (replay["status"], replay["detail"]) == ("duplicate", "result_expired")
    assert central.stock(sku, "CZ-PRG-01") == after


def test_envelope_errors(central: Central) -> None:
    terminal = Terminal(central)
    sku = sku_with_stock(central)
    one = [action(1, kiosk_order(sku, 1))]
    assert_problem(terminal.push(one, protocol=2), 400, "unsupported_protocol")
    assert_problem(terminal.push([{**one[0], "action_version": 9}]), 400, "unsupported_action_version")
    assert_problem(
        terminal.push([action(i + 1, {"entries": [{}]}, type_="audit.event") for i in range(51)]),
        413,
        "batch_too_large",
    )
    assert_problem(terminal.push(one, terminal_id="T-SOMEONE-ELSE"), 403, "forbidden")
    assert_problem(terminal.push(one, install_id="not-a-uuid"), 422, "validation_error")
    assert_problem(terminal.push([]), 422, "validation_error")
    assert_problem(terminal.push([{**one[0], "seq": 0}]), 422, "validation_error")
    assert_problem(terminal.push([{**one[0], "payload": "x"}]), 422, "validation_error")
    assert_problem(terminal.push(one, surprise=1), 422, "validation_error")
    other = Terminal(central)
    other.install_id = terminal.install_id
    terminal.push(one)
    assert_problem(other.push([action(2, kiosk_order(sku, 1))]), 403, "forbidden")


def test_associate_actions_are_authorised_per_action(central: Central) -> None:
    terminal = Terminal(central, "associate")
    sku = sku_with_stock(central)
    _, _, associate_id = central.associate_token()
    order = kiosk_order(sku, 1, kind="endless_aisle", payment_method="card_present")
    results = terminal.push(
        [
            action(1, order, associate_id=associate_id, auth_context="offline:L1"),
            action(
                2,
                kiosk_order(sku, 1, kind="endless_aisle", payment_method="card_present"),
                associate_id="E-NOBODY",
            ),
            action(3, kiosk_order(sku, 1, kind="endless_aisle", payment_method="card_present")),
        ]
    ).json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [
        ("applied", "ok"),
        ("rejected", "forbidden"),
        ("rejected", "associate_required"),
    ]


def test_expired_outcomes_keep_key_and_status(central: Central) -> None:
    from central.actions import expire_outcomes

    terminal = Terminal(central)
    sku = sku_with_stock(central)
    first = action(1, kiosk_order(sku, 1))
    applied = terminal.push([first]).json()["results"][0]
    after = central.stock(sku, "CZ-PRG-01")
    assert expire_outcomes(central.db, older_than_days=35) == 0  # nothing is old yet
    assert expire_outcomes(central.db, older_than_days=-1 / 86400) >= 1
    # Kept: the key, the fingerprint and the status; gone: the stored response body.
    replay = terminal.push([first]).json()["results"][0]
    assert (replay["status"], replay["original_status"]) == ("duplicate", applied["status"])
    assert replay["body"] == {"detail": "result_expired"}
    other = {**first, "payload": kiosk_order(sku, 2), "seq": 2}
    other["payload_sha256"] = payload_sha256(other["payload"])
    assert terminal.push([other]).json()["results"][0]["status"] == "key_reuse_mismatch"
    assert central.stock(sku, "CZ-PRG-01") == after
