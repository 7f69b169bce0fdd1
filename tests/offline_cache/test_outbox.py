"""The outbox file on its own: drafts and keys, validation, export, migrations, audit chain, file modes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from offline_cache.cache_store import CACHE_FILE, CACHE_SCHEMA, CacheStore
from offline_cache.outbox import (
    MIGRATIONS,
    OUTBOX_FILE,
    DraftSubmitted,
    InvalidAction,
    KeyAlreadyUsed,
    Outbox,
    OutboxMigrationFailed,
    OutboxTooNew,
    new_key,
)
from retail_rules.canonical import payload_sha256

ORDER = {
    "order_id": "0190a3c4-0000-7000-8000-000000000001",
    "store_id": "CZ-PRG-01",
    "kind": "kiosk_request",
    "customer": {"first_name": "Zdeněk"},
    "lines": [{"sku": "SKU-1", "qty": 2, "location_id": "CZ-PRG-01", "fulfilment": "pickup_here"}],
    "payment_method": "pay_at_till",
}


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    opened = Outbox.open(tmp_path / OUTBOX_FILE, "T-1")
    yield opened
    opened.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_draft_keeps_its_key_across_a_reopen_and_submits_once(tmp_path: Path) -> None:
    path = tmp_path / OUTBOX_FILE
    first = Outbox.open(path, "T-1")
    draft = first.open_draft("cart", {"lines": []})
    first.update_draft(draft.draft_id, {"lines": [{"sku": "SKU-1", "qty": 2}]})
    first.close()  # the app restarts with the cart open

    again = Outbox.open(path, "T-1")
    [restored] = again.open_drafts("cart")
    assert restored.action_id == draft.action_id
    assert restored.body == {"lines": [{"sku": "SKU-1", "qty": 2}]}
    action = again.submit(restored, "order.create", ORDER, None, "kiosk")
    twice = again.submit(restored, "order.create", ORDER, None, "kiosk")  # a second tap on Submit
    assert action.action_id == draft.action_id
    assert twice == action
    assert again.counts()["pending"] == 1
    assert again.open_drafts() == []
    with pytest.raises(DraftSubmitted):
        again.update_draft(draft.draft_id, {"lines": []})
    again.close()


def _draft_rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM draft ORDER BY draft_id").fetchall()


def test_a_draft_adopts_a_key_minted_elsewhere_and_a_second_open_returns_it(
    outbox: Outbox, tmp_path: Path
) -> None:
    key = new_key()  # as a kiosk minted it for its bag
    body = {"v": 1, "lines": [{"sku": "SKU-1", "qty": 2}]}
    draft = outbox.open_draft("kiosk.bag", body, action_id=key)
    assert draft.action_id == key
    assert draft.body == body
    outbox.update_draft(draft.draft_id, {"v": 1, "lines": [{"sku": "SKU-1", "qty": 3}]})

    again = outbox.open_draft("kiosk.bag", body, action_id=key)  # the same code scanned again
    assert again.draft_id == draft.draft_id
    assert again.body == {"v": 1, "lines": [{"sku": "SKU-1", "qty": 3}]}  # the edit stands
    assert [d.draft_id for d in outbox.open_drafts()] == [draft.draft_id]

    action = outbox.submit(again, "order.create", ORDER, "A-7", "associate")
    assert action.action_id == key


@pytest.mark.parametrize(
    "key",
    [
        "not-a-key",
        "",
        "0190A3C4-0000-7000-8000-000000000001",  # upper case: not as new_key writes it
        "0190a3c4-0000-4000-8000-000000000001",  # a UUIDv4
        "0190a3c4-0000-7000-c000-000000000001",  # another variant
        "{0190a3c4-0000-7000-8000-000000000001}",
        "0190a3c40000700080000000000000001",
    ],
)
def test_an_adopted_key_that_is_not_a_key_is_refused_and_nothing_is_written(
    outbox: Outbox, tmp_path: Path, key: str
) -> None:
    before = _draft_rows(tmp_path / OUTBOX_FILE)
    with pytest.raises(InvalidAction):
        outbox.open_draft("kiosk.bag", {"v": 1, "lines": []}, action_id=key)
    assert _draft_rows(tmp_path / OUTBOX_FILE) == before
    assert outbox.open_drafts() == []


def test_a_key_this_outbox_already_queued_or_sent_is_never_adopted(outbox: Outbox, tmp_path: Path) -> None:
    draft = outbox.open_draft("kiosk.bag", {"v": 1, "lines": []})
    queued = outbox.submit(draft, "order.create", ORDER, "A-7", "associate")
    sent_alone = outbox.enqueue("order.create", ORDER, "A-7", "associate")  # no draft behind it
    before = _draft_rows(tmp_path / OUTBOX_FILE)
    for key in (queued.action_id, sent_alone.action_id):
        with pytest.raises(KeyAlreadyUsed):
            outbox.open_draft("kiosk.bag", {"v": 1, "lines": []}, action_id=key)
    assert _draft_rows(tmp_path / OUTBOX_FILE) == before
    assert outbox.open_drafts() == []
    assert outbox.counts()["pending"] == 2


def test_a_key_an_open_draft_of_another_kind_owns_is_refused(outbox: Outbox) -> None:
    form = outbox.open_draft("return.form", {"n": 1})
    with pytest.raises(InvalidAction):
        outbox.open_draft("kiosk.bag", {"v": 1, "lines": []}, action_id=form.action_id)
    assert [d.kind for d in outbox.open_drafts()] == ["return.form"]


def test_the_stored_payload_is_canonical_and_hashes_like_the_server(outbox: Outbox) -> None:
    action = outbox.enqueue("order.create", ORDER, None, "kiosk")
    assert action.payload_sha256 == payload_sha256(ORDER)
    assert hashlib.sha256(action.payload_json.encode()).hexdigest() == action.payload_sha256
    assert action.payload == ORDER
    assert action.seq == 1
    assert outbox.enqueue("order.create", ORDER, None, "kiosk").seq == 2


@pytest.mark.parametrize(
    ("payload", "associate_id", "action_type"),
    [
        ({"x": float("nan")}, None, "order.create"),
        ({"x": {1, 2}}, None, "order.create"),
        ({"big": "x" * 300_000}, None, "order.create"),
        (ORDER, "not an id!", "order.create"),
        (ORDER, None, "Order Create"),
    ],
)
def test_an_action_the_server_would_refuse_is_never_queued(
    outbox: Outbox, payload: dict[str, object], associate_id: str | None, action_type: str
) -> None:
    with pytest.raises(InvalidAction):
        outbox.enqueue(action_type, payload, associate_id, "kiosk")
    assert outbox.counts()["pending"] == 0
    assert outbox.identity().next_seq == 1  # no seq was spent


def test_files_are_private_and_in_wal_mode(outbox: Outbox, tmp_path: Path) -> None:
    outbox.enqueue("audit.event", {"entries": [{"e": 1}]}, None, "system")
    assert mode(tmp_path / OUTBOX_FILE) == 0o600
    assert mode(tmp_path / f"{OUTBOX_FILE}-wal") == 0o600
    db = sqlite3.connect(tmp_path / OUTBOX_FILE)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    cache = CacheStore.open(tmp_path / CACHE_FILE)
    cache.close()
    assert mode(tmp_path / CACHE_FILE) == 0o600


def test_queued_payloads_cannot_be_rewritten_even_by_sql(outbox: Outbox, tmp_path: Path) -> None:
    outbox.enqueue("order.create", ORDER, None, "kiosk")
    db = sqlite3.connect(tmp_path / OUTBOX_FILE)
    with pytest.raises(sqlite3.IntegrityError, match="never rewritten"):
        db.execute("UPDATE outbox SET payload = '{}'")
    db.close()


def test_export_writes_every_unapplied_action_with_its_payload_untouched(
    outbox: Outbox, tmp_path: Path
) -> None:
    pending = outbox.enqueue("order.create", ORDER, None, "kiosk")
    out = tmp_path / "queue.jsonl"
    assert outbox.export(out) == 1
    [line] = out.read_text(encoding="utf-8").splitlines()
    assert f'"payload":{pending.payload_json}}}' in line  # byte for byte as queued
    record = json.loads(line)
    assert record["action_id"] == pending.action_id
    assert record["payload_sha256"] == pending.payload_sha256
    assert record["state"] == "pending"
    assert mode(out) == 0o600


def test_a_changed_terminal_moves_pending_actions_to_a_new_install(tmp_path: Path) -> None:
    first = Outbox.open(tmp_path / OUTBOX_FILE, "T-1")
    action = first.enqueue("order.create", ORDER, None, "kiosk")
    first.close()
    again = Outbox.open(tmp_path / OUTBOX_FILE, "T-2")  # the device was enrolled again
    moved = again.action(action.action_id)
    assert moved is not None
    assert again.identity().terminal_id == "T-2"
    assert moved.install_id != action.install_id
    assert (moved.seq, moved.payload_json) == (1, action.payload_json)
    again.close()


def test_the_audit_chain_detects_an_edited_entry(outbox: Outbox, tmp_path: Path) -> None:
    outbox.append_audit("login", {"badge": "B1"}, "E1001")
    outbox.enqueue("order.create", ORDER, "E1001", "online:S-1")
    outbox.append_audit("logout", {}, "E1001")
    assert outbox.verify_audit_chain() is None
    db = sqlite3.connect(tmp_path / OUTBOX_FILE)
    db.execute("UPDATE audit_log SET detail = '{\"badge\":\"B2\"}' WHERE event = 'login'")
    db.commit()
    db.close()
    broken = outbox.verify_audit_chain()
    assert broken is not None
    assert outbox.audit_entries()[broken - 1].event == "login"


def _add_index(db: sqlite_utils.Database) -> None:
    db.conn.execute("CREATE INDEX outbox_created ON outbox(client_created_at)")


def _rewrite_payloads(db: sqlite_utils.Database) -> None:
    db.conn.execute("DROP TRIGGER outbox_payload_frozen")
    db.conn.execute("UPDATE outbox SET payload = '{\"rewritten\":true}'")


def test_a_migration_backs_up_first_and_keeps_every_pending_action(tmp_path: Path) -> None:
    path = tmp_path / OUTBOX_FILE
    first = Outbox.open(path, "T-1")
    actions = [
        first.enqueue("order.create", {**ORDER, "n": n, "text": "ñ" * n}, None, "k") for n in range(60)
    ]
    first.close()

    migrated = Outbox.open(path, "T-1", migrations=(*MIGRATIONS, _add_index))
    assert (tmp_path / "outbox.pre-v2.db").exists()
    assert mode(tmp_path / "outbox.pre-v2.db") == 0o600
    assert [a.payload_json for a in migrated.pending(100)] == [a.payload_json for a in actions]
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2
    migrated.close()


def test_a_migration_that_touches_payloads_is_undone_from_the_backup(tmp_path: Path) -> None:
    path = tmp_path / OUTBOX_FILE
    first = Outbox.open(path, "T-1")
    action = first.enqueue("order.create", ORDER, None, "k")
    first.close()

    with pytest.raises(OutboxMigrationFailed, match="restored"):
        Outbox.open(path, "T-1", migrations=(*MIGRATIONS, _rewrite_payloads))
    again = Outbox.open(path, "T-1")  # the released schema opens the restored file as it was
    assert again.action(action.action_id) == action
    again.close()


def test_a_file_from_a_newer_app_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / OUTBOX_FILE
    Outbox.open(path, "T-1").close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(OutboxTooNew):
        Outbox.open(path, "T-1")
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 99


def test_a_cache_of_another_schema_version_is_rebuilt_empty(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILE
    CacheStore.open(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO location VALUES ('X', 'store', 1, '{}')")
    db.execute("PRAGMA user_version = 42")
    db.commit()
    db.close()
    cache = CacheStore.open(path)
    assert cache.location_ids() == []
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == CACHE_SCHEMA
    cache.close()
