"""Exactly-once delivery against the real central app: lost answers, forks, restores, batches, backoff."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from central import schema
from central.db import Database
from offline_cache.outbox import OUTBOX_FILE, Outbox, QueuedAction
from offline_cache.protocol import push_body
from offline_cache.pusher import Backoff
from offline_cache.remote import (
    Enrolment,
    Health,
    PullPage,
    PushRequest,
    PushResponse,
    Remote,
    RetryLater,
    Unreachable,
)
from tests.fixtures.databases import copy_database
from tests.offline_cache.conftest import (
    STORE,
    Device,
    asgi_remote,
    kiosk_order,
    orders_with_key,
    set_server_stock,
    sku_in_stock,
)


class Wrapper:
    """A Remote that forwards to another and lets a test interfere with pushes."""

    def __init__(self, inner: Remote) -> None:
        self.inner = inner
        self.requests: list[PushRequest] = []

    async def enrol_device(self, enrolment_key: str, device_name: str) -> Enrolment:
        return await self.inner.enrol_device(enrolment_key, device_name)

    async def health(self) -> Health:
        return await self.inner.health()

    async def pull(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None
    ) -> PullPage:
        return await self.inner.pull(stream, cursor, limit, install_id=install_id)

    async def push(self, request: PushRequest) -> PushResponse:
        self.requests.append(request)
        return await self.inner.push(request)


class LoseAnswers(Wrapper):
    """The server commits, then the answer is lost on the way back (the Odoo bug)."""

    def __init__(self, inner: Remote, lose: int) -> None:
        super().__init__(inner)
        self.lose = lose

    async def push(self, request: PushRequest) -> PushResponse:
        response = await super().push(request)
        if self.lose:
            self.lose -= 1
            raise Unreachable("POST /v1/sync/push: ReadTimeout after the server committed")
        return response


class FailFirst(Wrapper):
    """The first ``count`` pushes fail before reaching the server."""

    def __init__(self, inner: Remote, count: int, error: Exception) -> None:
        super().__init__(inner)
        self.count = count
        self.error = error

    async def push(self, request: PushRequest) -> PushResponse:
        if self.count:
            self.count -= 1
            self.requests.append(request)
            raise self.error
        return await super().push(request)


def queue_order(outbox: Outbox, sku: str, qty: int = 1) -> QueuedAction:
    draft = outbox.open_draft("cart")
    return outbox.submit(draft, "order.create", kiosk_order(str(uuid.uuid4()), sku, qty), None, "kiosk:test")


def copy_outbox(source: Path, target_dir: Path) -> Path:
    """A consistent copy of a live WAL database, as a restored backup or a cloned disk would be."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / OUTBOX_FILE
    copy_database(source, target)
    return target


async def test_a_lost_answer_is_resent_unchanged_and_applied_once(kiosk: Device) -> None:
    action = queue_order(kiosk.outbox, sku_in_stock(kiosk.db))
    remote = LoseAnswers(kiosk.remote, lose=1)
    engine = kiosk.engine(remote)

    with pytest.raises(Unreachable):
        await engine.push()
    pending = kiosk.outbox.action(action.action_id)
    assert pending is not None
    assert pending.state == "pending"
    assert pending.attempts == 1
    assert orders_with_key(kiosk.db, action.action_id) == 1  # the server did commit

    report = await engine.push()
    engine.close()
    assert report.applied == 1
    done = kiosk.outbox.action(action.action_id)
    assert done is not None
    assert done.state == "applied"
    assert '"status": "duplicate"' in (done.result_body or "")  # the stored outcome, replayed
    first, second = remote.requests
    assert push_body(first) == push_body(second)  # same key, seq, payload, byte for byte
    assert orders_with_key(kiosk.db, action.action_id) == 1


async def test_a_refused_order_is_kept_with_its_code_for_the_conflict_inbox(kiosk: Device) -> None:
    sku = sku_in_stock(kiosk.db)
    set_server_stock(kiosk.db, sku, STORE, 1)
    action = queue_order(kiosk.outbox, sku, qty=2)
    engine = kiosk.engine()
    report = await engine.push()
    status = engine.status()
    engine.close()
    assert report.rejected == 1
    assert [c.action_id for c in report.conflicts] == [action.action_id]
    stored = kiosk.outbox.action(action.action_id)
    assert stored is not None
    assert stored.state == "rejected"
    assert stored.result_code == "insufficient_stock"
    assert "available" in (stored.result_body or "")
    assert status.rejected == 1
    assert status.pending == 0
    assert kiosk.outbox.reservations() == []  # a refused order holds no stock in the overlay
    assert orders_with_key(kiosk.db, action.action_id) == 0


async def test_actions_go_in_batches_of_at_most_50_in_seq_order(kiosk: Device) -> None:
    for n in range(120):
        kiosk.outbox.enqueue("audit.event", {"entries": [{"event": "test", "n": n}]}, None, "system")
    remote = Wrapper(kiosk.remote)
    engine = kiosk.engine(remote)
    report = await engine.push()
    engine.close()
    assert [len(r.actions) for r in remote.requests] == [50, 50, 20]
    seqs = [a.seq for r in remote.requests for a in r.actions]
    assert seqs == list(range(1, 121))
    assert report.applied == 120
    with kiosk.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(schema.audit_events)).scalar_one() == 120


async def test_a_server_restored_from_backup_gets_the_lost_actions_again(
    kiosk: Device, tmp_path: Path
) -> None:
    central_path = Path(str(kiosk.db.url.database))
    backup = tmp_path / "central-backup.db"
    src, dst = sqlite3.connect(central_path), sqlite3.connect(backup)
    src.backup(dst)
    src.close()
    dst.close()

    sku = sku_in_stock(kiosk.db)
    actions = [queue_order(kiosk.outbox, sku) for _ in range(3)]
    engine = kiosk.engine()
    await engine.push()
    engine.close()
    assert [a.state for a in kiosk.outbox.actions()] == ["applied"] * 3

    restored = Database(f"sqlite:///{backup}")  # the server comes back from the backup
    remote = asgi_remote(restored, kiosk.remote._token)
    try:
        engine = kiosk.engine(remote)
        await engine.run_once()  # the pull shows last_applied_seq 0: the three go out again
        engine.close()
        for action in actions:
            stored = kiosk.outbox.action(action.action_id)
            assert stored is not None
            assert stored.state == "applied"
            assert orders_with_key(restored, action.action_id) == 1
        assert kiosk.outbox.identity().install_id == actions[0].install_id  # resent under the same seqs
    finally:
        await remote.aclose()
        restored.dispose()


async def test_a_copied_outbox_forks_to_a_new_install_without_duplicates(
    kiosk: Device, tmp_path: Path
) -> None:
    sku = sku_in_stock(kiosk.db, at_least=5)
    shared = queue_order(kiosk.outbox, sku)
    copy = Outbox.open(copy_outbox(kiosk.data_dir / OUTBOX_FILE, tmp_path / "copy"), kiosk.device_id)
    try:
        original_second = queue_order(kiosk.outbox, sku)
        engine = kiosk.engine()
        await engine.push()  # seq 1 and 2 applied on the server
        engine.close()

        clone_only = queue_order(copy, sku)  # seq 2 again, another key: a fork
        assert clone_only.seq == original_second.seq
        clone_engine = kiosk.engine()
        clone_engine._outbox = copy
        clone_engine.pusher._outbox = copy
        report = await clone_engine.push()
        clone_engine.close()
        assert report.new_installs == 1
        assert copy.install_id != kiosk.outbox.install_id
        moved = copy.action(clone_only.action_id)
        assert moved is not None
        assert moved.state == "applied"
        assert moved.seq == 1  # renumbered under the new install, same key
        for action in (shared, original_second, clone_only):
            assert orders_with_key(kiosk.db, action.action_id) == 1
    finally:
        copy.close()


async def test_a_key_reused_with_another_payload_goes_to_review(kiosk: Device, tmp_path: Path) -> None:
    sku = sku_in_stock(kiosk.db, at_least=5)
    draft = kiosk.outbox.open_draft("cart")
    copy = Outbox.open(copy_outbox(kiosk.data_dir / OUTBOX_FILE, tmp_path / "copy"), kiosk.device_id)
    try:
        order = kiosk_order(str(uuid.uuid4()), sku, 1)
        kiosk.outbox.submit(draft, "order.create", order, None, "kiosk:test")
        engine = kiosk.engine()
        await engine.push()
        engine.close()
        # The copy holds the same draft (same key) and submits a different cart with it.
        bad = copy.submit(draft.draft_id, "order.create", {**order, "note": "other"}, None, "kiosk:test")
        clone_engine = kiosk.engine()
        clone_engine.pusher._outbox = copy
        report = await clone_engine.push()
        clone_engine.close()
        assert report.needs_review == 1
        stored = copy.action(bad.action_id)
        assert stored is not None
        assert stored.state == "needs_review"
        assert stored.result_code == "idempotency_key_reused"
        assert orders_with_key(kiosk.db, draft.action_id) == 1
    finally:
        copy.close()


async def test_retry_after_is_honoured_and_the_push_goes_through(kiosk: Device) -> None:
    action = queue_order(kiosk.outbox, sku_in_stock(kiosk.db))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    remote = FailFirst(kiosk.remote, 2, RetryLater("503", retry_after=7.5, status=503))
    engine = kiosk.engine(remote, sleep=sleep, rng=random.Random(3))
    await engine.run_once()
    engine.close()
    assert len(slept) == 2
    assert all(s >= 7.5 for s in slept)
    stored = kiosk.outbox.action(action.action_id)
    assert stored is not None
    assert stored.state == "applied"
    assert stored.attempts == 2
    assert len({push_body(r) for r in remote.requests}) == 1  # every attempt sent the same bytes


async def test_run_forever_keeps_retrying_and_stops_cleanly_when_cancelled(kiosk: Device) -> None:
    action = queue_order(kiosk.outbox, sku_in_stock(kiosk.db))
    remote = FailFirst(kiosk.remote, 4, Unreachable("connection refused"))
    engine = kiosk.engine(remote, backoff_base=0.01, pull_interval=30.0)
    task = asyncio.create_task(engine.run_forever())
    try:
        async with asyncio.timeout(10):
            while True:
                if kiosk.outbox.counts()["pending"] == 0:
                    break
                await asyncio.sleep(0.01)
        assert engine.status().online is True
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        engine.close()
    assert len(remote.requests) == 5  # four failures, then the one that went through
    assert orders_with_key(kiosk.db, action.action_id) == 1


class FailingDisk:
    """Makes a method raise what SQLite raises on a failing disk, its first ``times`` calls."""

    def __init__(self, times: int) -> None:
        self.left = times

    def wrap(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def failing(*args: Any, **kwargs: Any) -> Any:
            if self.left > 0:
                self.left -= 1
                raise sqlite3.OperationalError("disk I/O error")
            return method(*args, **kwargs)

        return failing


async def test_run_forever_outlives_a_failing_disk_and_says_why(
    kiosk: Device, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cache.db failing under the pull loop and outbox.db under the push loop: neither loop ends the
    engine, the status names the failure, and once the disk works the catalog loads and the order is
    applied exactly once (its results could not be stored after the server applied it: sent again,
    it comes back as a duplicate)."""
    action = queue_order(kiosk.outbox, sku_in_stock(kiosk.db))
    cache_disk, outbox_disk = FailingDisk(3), FailingDisk(2)
    monkeypatch.setattr(kiosk.cache, "apply_refetch_page", cache_disk.wrap(kiosk.cache.apply_refetch_page))
    monkeypatch.setattr(kiosk.outbox, "record_results", outbox_disk.wrap(kiosk.outbox.record_results))
    engine = kiosk.engine(backoff_base=0.01, pull_interval=30.0)
    errors: list[str] = []
    engine.subscribe(lambda status: errors.append(status.last_error or ""))
    task = asyncio.create_task(engine.run_forever())
    try:
        async with asyncio.timeout(30):
            while not (engine.status().first_sync_done and kiosk.outbox.counts()["pending"] == 0):
                assert not task.done(), "run_forever ended"
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        engine.close()
    assert cache_disk.left == outbox_disk.left == 0
    assert "local storage failed during pull: disk I/O error" in errors
    assert "local storage failed during push: disk I/O error" in errors
    stored = kiosk.outbox.action(action.action_id)
    assert stored is not None
    assert stored.state == "applied"
    assert orders_with_key(kiosk.db, action.action_id) == 1
    assert kiosk.cache.counts()["catalog"] > 0


def test_backoff_grows_with_equal_jitter_caps_and_resets() -> None:
    backoff = Backoff(rng=random.Random(7))
    for n in range(1, 12):
        d = min(60.0, 0.5 * 2 ** (n - 1))
        assert d / 2 <= backoff.next_delay() <= d
    assert backoff.next_delay(retry_after=1000) == 300  # Retry-After honoured up to 300 s
    backoff.reset()
    assert backoff.next_delay() <= 0.5
