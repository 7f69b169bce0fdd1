"""R10: damaged cache and outbox files, a lost outbox, and a full disk, against the real central app."""

from __future__ import annotations

import hashlib
import json
import logging
import random
import shutil
import sqlite3
import uuid
from collections import namedtuple
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from central import schema
from central.db import Database
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.cli import main, status_report
from offline_cache.database import DatabaseCorrupt, remove_database_files
from offline_cache.journal import JOURNAL_FILE, Journal, JournalEntry
from offline_cache.outbox import (
    OUTBOX_FILE,
    RECOVERED_EVENT,
    DiskFull,
    Outbox,
    OutboxCorrupt,
    OutboxError,
    QueuedAction,
)
from offline_cache.pusher import Pusher
from offline_cache.recovery import QUARANTINE_DIR, recovery_events
from offline_cache.remote import PushRequest, PushResult
from tests.offline_cache.conftest import Device, kiosk_order, orders_with_key, sku_in_stock

BTREE_PAGE_TYPES = {2, 5, 10, 13}
INDEX_LEAF = 10
DiskUsage = namedtuple("DiskUsage", "total used free")


# -- damaging files -------------------------------------------------------------------------------------


def page_size(data: bytes | bytearray) -> int:
    size = int.from_bytes(data[16:18], "big")
    return 65536 if size == 1 else size


def btree_pages(path: Path, types: set[int] = BTREE_PAGE_TYPES) -> list[int]:
    """Page numbers (from 2: page 1 holds the header) of b-tree pages of the given types."""
    data = path.read_bytes()
    size = page_size(data)
    return [n for n in range(2, len(data) // size + 1) if data[(n - 1) * size] in types]


def damage(path: Path, rng: random.Random, mode: str) -> str:
    """Damage a closed database file the way a failing disk would; returns what was done."""
    assert not Path(f"{path}-wal").exists()  # closed and checkpointed: the damage is in the file itself
    data = bytearray(path.read_bytes())
    size = page_size(data)
    if mode == "truncate":
        cut = rng.randrange(2 * size, len(data) - size // 2)
        path.write_bytes(bytes(data[:cut]))
        return f"truncated to {cut} of {len(data)} bytes"
    page = rng.choice(btree_pages(path))
    start = (page - 1) * size
    if mode == "zero":
        data[start : start + size] = bytes(size)
    elif mode == "garbage":
        data[start : start + size] = rng.randbytes(size)
    else:  # flip: the page header's type byte, then bytes at random offsets in the page
        data[start] = rng.choice([b for b in range(256) if b not in BTREE_PAGE_TYPES])
        for offset in rng.sample(range(1, size), 16):
            data[start + offset] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    return f"{mode} page {page}"


def corrupt_asides(data_dir: Path) -> list[Path]:
    return sorted(
        p for p in data_dir.glob(f"{CACHE_FILE}.corrupt-*") if not p.name.endswith(("-wal", "-shm"))
    )


# -- building an outbox ------------------------------------------------------------------------------------


def queue_order(outbox: Outbox, sku: str) -> QueuedAction:
    draft = outbox.open_draft("cart")
    return outbox.submit(draft, "order.create", kiosk_order(str(uuid.uuid4()), sku, 1), None, "kiosk:test")


def queue_audit(outbox: Outbox, n: int, pad: int = 1500) -> QueuedAction:
    entry = {"event": "test.recovery", "n": n, "pad": "ž" * pad}  # non-ASCII: exact bytes must survive
    return outbox.enqueue("audit.event", {"entries": [entry]}, None, "kiosk:test")


def server_audit_rows(db: Database, action_id: str) -> int:
    with db.read() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(schema.audit_events)
                .where(schema.audit_events.c.action_id == action_id)
            ).scalar_one()
        )


def effects(db: Database, action: QueuedAction) -> int:
    if action.action_type == "order.create":
        return orders_with_key(db, action.action_id)
    return server_audit_rows(db, action.action_id)


async def push_all(device: Device, outbox: Outbox) -> None:
    pusher = Pusher(device.remote, outbox, terminal_id=device.device_id, app_version="test")
    await pusher.drain()
    assert outbox.counts()["pending"] == 0


def same_action(a: QueuedAction, b: QueuedAction) -> bool:
    return (a.action_id, a.action_type, a.action_version, a.payload_json, a.payload_sha256) == (
        b.action_id,
        b.action_type,
        b.action_version,
        b.payload_json,
        b.payload_sha256,
    )


def shrink_to_fit(outbox: Outbox) -> None:
    """Let the file grow no further: SQLite then answers SQLITE_FULL (SYNC_DESIGN 5.3's max_page_count)."""
    db = outbox._db
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")


def make_room(outbox: Outbox) -> None:
    outbox._db.execute("PRAGMA max_page_count = 1073741823")


# -- R10: cache.db -------------------------------------------------------------------------------------------


async def test_r10_a_damaged_cache_is_rebuilt_and_refilled_20_times_without_touching_the_outbox(
    kiosk: Device,
) -> None:
    sku = sku_in_stock(kiosk.db, at_least=5)
    queued = [queue_order(kiosk.outbox, sku), queue_audit(kiosk.outbox, 1)]
    engine = kiosk.engine()
    try:
        await engine.pull_all()
    finally:
        engine.close()
    full = kiosk.cache.counts()
    assert sum(full.values()) > 1000
    path = kiosk.data_dir / CACHE_FILE
    kiosk.cache.close()
    pristine = kiosk.data_dir.parent / "pristine-cache.db"
    db = sqlite3.connect(path)
    db.execute("VACUUM INTO ?", (str(pristine),))  # no free pages: every page past 1 is in use
    db.close()
    outbox_before = kiosk.outbox.actions()
    rng = random.Random(10)
    modes = ["zero", "garbage", "flip", "truncate"]
    for run in range(20):
        remove_database_files(path)
        shutil.copyfile(pristine, path)
        done = damage(path, rng, modes[run % len(modes)])
        kiosk.cache = CacheStore.open(path)
        assert kiosk.cache.streams() == [], f"run {run}: {done} was not noticed"
        assert 1 <= len(corrupt_asides(kiosk.data_dir)) <= 2  # older damaged copies are dropped
        assert kiosk.outbox.actions() == outbox_before  # 0 outbox loss, not even a changed row
        if run % 4 == 0:  # a whole refill is the slow part: prove it on a fifth of the runs
            engine = kiosk.engine()
            try:
                await engine.pull_all()
            finally:
                engine.close()
            assert kiosk.cache.counts() == full
        kiosk.cache.close()
    assert [a.action_id for a in kiosk.outbox.pending()] == [a.action_id for a in queued]
    events = recovery_events(kiosk.data_dir)
    assert [e.file for e in events] == ["cache"] * 20
    assert all(e.set_aside and ".corrupt-" in e.set_aside for e in events)
    kiosk.cache = CacheStore.open(path)


def test_a_cache_that_is_not_a_database_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / CACHE_FILE
    path.write_bytes(b"this is no database, just text that fills a page " * 200)
    with caplog.at_level(logging.WARNING):
        cache = CacheStore.open(path)
    assert cache.streams() == []
    assert cache.location_ids() == []
    cache.close()
    [aside] = corrupt_asides(tmp_path)
    assert aside.read_bytes().startswith(b"this is no database")  # kept for support, unchanged
    assert any("damaged" in r.getMessage() and "set aside" in r.getMessage() for r in caplog.records)


async def test_damage_found_at_run_time_rebuilds_the_cache_at_a_safe_point(kiosk: Device) -> None:
    engine = kiosk.engine()
    try:
        await engine.pull_all()
        path = kiosk.cache.path
        kiosk.cache.close()
        data = bytearray(path.read_bytes())
        size = page_size(data)
        for page in btree_pages(path):  # every table and index page: the first page write fails
            data[(page - 1) * size : page * size] = bytes(size)
        path.write_bytes(bytes(data))
        kiosk.cache = CacheStore(path)  # as if opened before the damage happened
        engine = kiosk.engine()
        with pytest.raises(sqlite3.DatabaseError) as failure:
            await engine.pull_all()
        assert "malformed" in str(failure.value)
        aside = kiosk.cache.rebuild_corrupt(str(failure.value))
        assert aside.exists()
        assert kiosk.cache.streams() == []
        await engine.pull_all()  # every stream again, from the start
        assert kiosk.cache.location_ids()
    finally:
        engine.close()


# -- R10: outbox.db ------------------------------------------------------------------------------------------


async def test_r10_a_damaged_outbox_is_recovered_10_times_with_no_loss_and_no_second_effect(
    kiosk: Device, tmp_path: Path
) -> None:
    rng = random.Random(20)
    modes = ["zero", "garbage", "flip", "truncate", "zero"]
    for run in range(10):
        sku = sku_in_stock(kiosk.db, at_least=2)  # two orders a run
        data_dir = tmp_path / f"run-{run}"
        path = data_dir / OUTBOX_FILE
        outbox = Outbox.open(path, kiosk.device_id)
        sent = [queue_order(outbox, sku), *(queue_audit(outbox, n) for n in range(6))]
        await push_all(kiosk, outbox)
        queued = [queue_order(outbox, sku), *(queue_audit(outbox, n) for n in range(6, 12))]
        cart = outbox.open_draft("cart", {"lines": [{"sku": sku, "qty": 2}]})
        old_install = outbox.install_id
        outbox.close()
        done = damage(path, rng, modes[run % len(modes)])

        recovered = Outbox.open(path, kiosk.device_id)
        try:
            quarantined = check_recovered(
                recovered, kiosk.device_id, old_install, sent + queued, f"{run}: {done}"
            )
            assert {a.action_id for a in queued} <= {a.action_id for a in recovered.pending(1000)}
            draft = recovered.draft(cart.draft_id)
            if draft is not None:  # drafts come back when their page was readable
                assert draft.action_id == cart.action_id
            await push_all(kiosk, recovered)
            assert all(a.state == "applied" for a in recovered.actions())
            for a in sent + queued:
                assert effects(kiosk.db, a) == 1, f"run {run}: {a.action_type} {a.action_id}"
        finally:
            recovered.close()
        report = status_report(data_dir)
        [event] = report["recoveries"]
        assert event["file"] == "outbox"
        assert event["recovered"] == len(sent) + len(queued)
        assert event["set_aside"] == str(quarantined)
        assert event["install_id"] == report["install_id"]
        assert event["previous_install_id"] == old_install


def check_recovered(
    recovered: Outbox, terminal_id: str, old_install: str, actions: list[QueuedAction], run: str
) -> Path:
    """Every journaled action is back, unchanged, pending ones renumbered under a new install."""
    assert recovered.install_id != old_install, run
    assert recovered.identity().terminal_id == terminal_id
    by_key = {a.action_id: a for a in recovered.actions()}
    assert set(by_key) == {a.action_id for a in actions}, run
    assert all(same_action(by_key[a.action_id], a) for a in actions)
    # Applied before: still applied when its row was readable, else pending and sent again.
    assert all(by_key[a.action_id].state in ("applied", "pending") for a in actions)
    pending = recovered.pending(1000)
    assert [a.seq for a in pending] == list(range(1, len(pending) + 1))  # gap-free, new install
    assert recovered.verify_audit_chain() is None
    [entry] = [e for e in recovered.audit_entries() if e.event == RECOVERED_EVENT]
    assert entry.detail["recovered"] == len(actions)
    quarantined = Path(entry.detail["quarantine"])
    assert quarantined.parent == recovered.path.parent / QUARANTINE_DIR
    assert quarantined.exists()
    return quarantined


async def test_a_new_install_resending_an_applied_action_gets_duplicate_not_a_second_effect(
    kiosk: Device,
) -> None:
    action = queue_order(kiosk.outbox, sku_in_stock(kiosk.db))
    await push_all(kiosk, kiosk.outbox)
    assert orders_with_key(kiosk.db, action.action_id) == 1
    again = PushRequest(
        terminal_id=kiosk.device_id,
        install_id=str(uuid.uuid4()),  # what a recovered outbox sends: a new install, the old key, seq 1
        app_version="test",
        actions=(replace(action.envelope(), seq=1),),
    )
    response = await kiosk.remote.push(again)
    [result] = response.results
    assert result.status == "duplicate"
    assert result.original_status == "applied"
    assert response.last_applied_seq == 1  # the new install moves on past it
    assert orders_with_key(kiosk.db, action.action_id) == 1


def build_outbox(path: Path, actions: int = 30) -> tuple[list[QueuedAction], str]:
    outbox = Outbox.open(path, "T-1")
    queued = [queue_audit(outbox, n) for n in range(actions)]
    install = outbox.install_id
    outbox.close()
    return queued, install


def test_with_the_journal_lost_too_every_row_still_readable_is_recovered_with_its_outcome(
    tmp_path: Path,
) -> None:
    path = tmp_path / OUTBOX_FILE
    outbox = Outbox.open(path, "T-1")
    applied = [queue_audit(outbox, n) for n in range(10)]
    outbox.record_results(
        outbox.install_id,
        [PushResult(a.action_id, a.seq, "applied", "ok", 7, None, {"status": "applied"}) for a in applied],
    )
    pending = [queue_audit(outbox, n) for n in range(10, 20)]
    draft = outbox.open_draft("return", {"reason": "size"})
    outbox.close()
    (tmp_path / JOURNAL_FILE).unlink()
    data = bytearray(path.read_bytes())
    size = page_size(data)
    for page in btree_pages(path, {INDEX_LEAF}):  # indexes only: every table row stays readable
        data[(page - 1) * size : page * size] = bytes(size)
    path.write_bytes(bytes(data))

    recovered = Outbox.open(path, None)
    try:
        assert recovered.identity().terminal_id == "T-1"  # from the damaged file's identity row
        states = {a.action_id: a.state for a in recovered.actions()}
        assert states == {a.action_id: "applied" for a in applied} | {a.action_id: "pending" for a in pending}
        kept = recovered.action(applied[0].action_id)
        assert kept is not None
        assert kept.server_version == 7
        assert [a.action_id for a in recovered.pending(100)] == [a.action_id for a in pending]
        assert recovered.draft(draft.draft_id) == draft
        [entry] = [e for e in recovered.audit_entries() if e.event == RECOVERED_EVENT]
        assert entry.detail["from_file"] == 20
        assert entry.detail["from_journal"] == 0
        # The journal is whole again, under the new install.
        lines = Journal(tmp_path / JOURNAL_FILE).read().entries
        assert {e.action_id for e in lines} == set(states)
        assert {e.install_id for e in lines if e.state == "pending"} == {recovered.install_id}
    finally:
        recovered.close()


def test_a_missing_outbox_is_rebuilt_from_the_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / OUTBOX_FILE
    queued, install = build_outbox(path, 5)
    remove_database_files(path)
    recovered = Outbox.open(path, "T-1")
    try:
        assert [a.action_id for a in recovered.pending()] == [a.action_id for a in queued]
        assert all(same_action(a, b) for a, b in zip(recovered.pending(), queued, strict=True))
        assert recovered.install_id != install
        assert not (tmp_path / QUARANTINE_DIR).exists()  # there was no file to keep
    finally:
        recovered.close()
    [event] = recovery_events(tmp_path)
    assert event.set_aside is None
    assert event.from_journal == 5
    assert main(["status", "--data-dir", str(tmp_path)]) == 0
    assert "recovered outbox at " in capsys.readouterr().out


def test_a_recovery_interrupted_before_installing_the_rebuilt_file_is_finished(tmp_path: Path) -> None:
    path = tmp_path / OUTBOX_FILE
    queued, _ = build_outbox(path, 3)
    damage(path, random.Random(1), "zero")
    Outbox.open(path, "T-1").close()
    # As if the process died between the quarantine and the final rename:
    path.rename(tmp_path / f"{OUTBOX_FILE}.recovering")
    (tmp_path / JOURNAL_FILE).unlink()  # only the finished rebuild can bring the actions back now
    again = Outbox.open(path, "T-1")
    try:
        assert {a.action_id for a in again.pending()} == {a.action_id for a in queued}
        assert not (tmp_path / f"{OUTBOX_FILE}.recovering").exists()
    finally:
        again.close()


def test_a_submitted_draft_whose_action_was_lost_is_reopened_with_its_key(tmp_path: Path) -> None:
    path = tmp_path / OUTBOX_FILE
    outbox = Outbox.open(path, "T-1")
    draft = outbox.open_draft("cart", {"lines": []})
    action = outbox.submit(draft, "order.create", {"order_id": "o-1"}, None, "kiosk:test")
    for n in range(30):
        queue_audit(outbox, n)
    outbox.close()
    (tmp_path / JOURNAL_FILE).unlink()
    data = bytearray(path.read_bytes())
    size = page_size(data)
    pages = {p: bytes(data[(p - 1) * size : p * size]) for p in btree_pages(path, {13})}
    # Only the outbox row holds both the key and the auth context (the draft and audit rows do not).
    leaf = next(p for p, b in pages.items() if action.action_id.encode() in b and b"kiosk:test" in b)
    data[(leaf - 1) * size : leaf * size] = bytes(size)  # the table page holding the order's row
    path.write_bytes(bytes(data))
    recovered = Outbox.open(path, "T-1")
    try:
        assert recovered.action(action.action_id) is None
        reopened = recovered.draft(draft.draft_id)
        assert reopened is not None
        assert not reopened.submitted
        assert reopened.action_id == action.action_id  # submitting again reuses the key
        again = recovered.submit(reopened, "order.create", {"order_id": "o-1"}, None, "kiosk:test")
        assert again.action_id == action.action_id
        assert again.payload_sha256 == action.payload_sha256
    finally:
        recovered.close()


def test_inspection_reports_damage_and_moves_nothing(tmp_path: Path) -> None:
    path = tmp_path / OUTBOX_FILE
    build_outbox(path, 20)
    damage(path, random.Random(3), "zero")
    damaged = path.read_bytes()
    (tmp_path / CACHE_FILE).write_bytes(b"not a database " * 400)
    with pytest.raises(OutboxCorrupt):
        Outbox.open(path, None, recover=False)
    with pytest.raises(DatabaseCorrupt):
        CacheStore.open(tmp_path / CACHE_FILE, repair=False)
    report = status_report(tmp_path)
    assert len(report["problems"]) == 2
    assert path.read_bytes() == damaged
    assert not (tmp_path / QUARANTINE_DIR).exists()
    assert corrupt_asides(tmp_path) == []


# -- R10: a full disk ----------------------------------------------------------------------------------------


def snapshot(outbox: Outbox) -> tuple[Any, ...]:
    journal = outbox_journal(outbox)
    return (
        outbox.actions(),
        outbox.identity(),
        len(outbox.audit_entries()),
        outbox.open_drafts(),
        journal.read_bytes() if journal.exists() else b"",
    )


def outbox_journal(outbox: Outbox) -> Path:
    return outbox.path.with_name(JOURNAL_FILE)


@pytest.mark.parametrize("run", range(10))
def test_r10_a_full_disk_refuses_the_action_before_anything_is_written_then_recovers(
    run: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = Outbox.open(tmp_path / OUTBOX_FILE, "T-1")
    try:
        for n in range(run):
            queue_audit(outbox, n, pad=200)
        draft = outbox.open_draft("cart")
        payload = {"order_id": str(uuid.uuid4()), "note": "x" * (3000 + 900 * run)}  # needs new pages
        before = snapshot(outbox)
        by_disk_usage = run % 2 == 0
        if by_disk_usage:
            real = shutil.disk_usage
            monkeypatch.setattr(shutil, "disk_usage", lambda p: DiskUsage(10**10, 10**10 - 10**6, 10**6))
        else:
            shrink_to_fit(outbox)
        use_draft = run % 4 < 2
        attempt = (
            partial(outbox.submit, draft, "order.create", payload, None, "kiosk:test")
            if use_draft
            else partial(outbox.enqueue, "audit.event", {"entries": [payload]}, None, "kiosk:test")
        )
        with pytest.raises(DiskFull):
            attempt()
        assert snapshot(outbox) == before  # 0 partial rows, no seq spent, nothing journaled
        assert outbox._db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

        if by_disk_usage:
            monkeypatch.setattr(shutil, "disk_usage", real)
        else:
            make_room(outbox)
        action = attempt()
        if use_draft:
            assert action.action_id == draft.action_id  # the same key as the refused attempt
        assert action.seq == run + 1  # gap-free: the refusal spent nothing
        assert Journal(outbox_journal(outbox)).read().entries[-1].action_id == action.action_id
    finally:
        outbox.close()


def test_a_repeated_tap_on_a_submitted_draft_is_answered_even_with_the_disk_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = Outbox.open(tmp_path / OUTBOX_FILE, "T-1")
    try:
        draft = outbox.open_draft("cart")
        first = outbox.submit(draft, "order.create", {"order_id": "o-1"}, None, "kiosk:test")
        monkeypatch.setattr(shutil, "disk_usage", lambda p: DiskUsage(10**10, 10**10, 0))
        assert outbox.submit(draft, "order.create", {"order_id": "o-1"}, None, "kiosk:test") == first
        with pytest.raises(DiskFull, match="MB free"):
            outbox.enqueue("audit.event", {"entries": [{"e": 1}]}, None, "kiosk:test")
        assert isinstance(DiskFull("x"), OutboxError)
    finally:
        outbox.close()


# -- the journal -------------------------------------------------------------------------------------------


def test_the_journal_skips_a_torn_last_line_and_a_damaged_one_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / OUTBOX_FILE
    queued, _ = build_outbox(path, 4)
    journal = tmp_path / JOURNAL_FILE
    lines = journal.read_bytes().split(b"\n")
    assert len(lines) == 5  # four lines and the empty tail
    damaged = bytearray(lines[1])
    damaged[80] ^= 0x01  # one flipped bit inside the JSON
    torn = lines[3][: len(lines[3]) // 2]  # the power went while the last line was written
    journal.write_bytes(b"\n".join([lines[0], bytes(damaged), lines[2], torn]))
    read = Journal(journal).read()
    assert [e.action_id for e in read.entries] == [queued[0].action_id, queued[2].action_id]
    assert read.damaged == 2
    # The next line starts on a line of its own: the torn one spoils nothing else.
    extra = Journal(journal)
    entry = read.entries[0]
    extra.append([replace(entry, action_id=str(uuid.uuid4()))])
    assert len(Journal(journal).read().entries) == 3


def test_the_journal_is_written_after_the_commit_and_a_failure_there_does_not_unconfirm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = Outbox.open(tmp_path / OUTBOX_FILE, "T-1")
    try:
        seen: list[int] = []

        def failing_append(self: Journal, entries: list[JournalEntry]) -> None:
            seen.append(outbox.counts()["pending"])  # the action is already committed
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(Journal, "append", failing_append)
        with caplog.at_level(logging.WARNING):
            action = queue_audit(outbox, 1)
        assert seen == [1]
        assert outbox.action(action.action_id) is not None
        assert any("journal" in r.getMessage() for r in caplog.records)
    finally:
        outbox.close()


def test_pruning_applied_actions_prunes_their_journal_lines(tmp_path: Path) -> None:
    outbox = Outbox.open(tmp_path / OUTBOX_FILE, "T-1")
    try:
        done = [queue_audit(outbox, n, pad=10) for n in range(3)]
        outbox.record_results(
            outbox.install_id,
            [PushResult(a.action_id, a.seq, "applied", "ok", 1, None, {}) for a in done],
        )
        waiting = queue_audit(outbox, 3, pad=10)
        assert len(Journal(tmp_path / JOURNAL_FILE).read().entries) == 4
        assert outbox.prune_applied(older_than_s=-1) == 3
        [left] = Journal(tmp_path / JOURNAL_FILE).read().entries
        assert left.action_id == waiting.action_id
        assert left.state == "pending"
    finally:
        outbox.close()


def test_an_outbox_from_before_the_journal_gets_one_when_opened(tmp_path: Path) -> None:
    queued, _ = build_outbox(tmp_path / OUTBOX_FILE, 3)
    (tmp_path / JOURNAL_FILE).unlink()
    Outbox.open(tmp_path / OUTBOX_FILE, "T-1").close()
    entries = Journal(tmp_path / JOURNAL_FILE).read().entries
    assert [e.action_id for e in entries] == [a.action_id for a in queued]
    assert all(
        hashlib.sha256(e.payload_json.encode()).hexdigest() == e.payload_sha256 == a.payload_sha256
        for e, a in zip(entries, queued, strict=True)
    )
    assert json.loads(entries[0].payload_json) == queued[0].payload


def test_pruning_keeps_the_journal_lines_of_actions_an_older_outbox_file_never_held(tmp_path: Path) -> None:
    path = tmp_path / OUTBOX_FILE
    outbox = Outbox.open(path, "T-1")
    done = queue_audit(outbox, 0, pad=10)
    outbox.close()
    backup = tmp_path / "backup.db"
    shutil.copyfile(path, backup)
    outbox = Outbox.open(path, "T-1")
    later = queue_audit(outbox, 1, pad=10)  # only in the journal once the old file comes back
    outbox.close()
    remove_database_files(path)
    shutil.copyfile(backup, path)  # an outbox restored from an older backup
    outbox = Outbox.open(path, "T-1")
    try:
        outbox.record_results(
            outbox.install_id, [PushResult(done.action_id, 1, "applied", "ok", 1, None, {})]
        )
        assert outbox.prune_applied(older_than_s=-1) == 1
    finally:
        outbox.close()
    [kept] = Journal(tmp_path / JOURNAL_FILE).read().entries
    assert kept.action_id == later.action_id
