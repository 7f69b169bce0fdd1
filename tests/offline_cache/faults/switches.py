"""Deliberate bugs for R2, switched on by monkeypatching: the checkers must catch every one of them.

Never flags in production code: each switch replaces a real function for the length of one test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from sqlalchemy import and_, delete, func, update

import central.actions
import central.app
import central.orders
from central import schema
from central.db import Database, Tx
from central.models import PushAction, PushRequest
from central.orders import Actor
from central.pickup_verifiers import PickupVerifiers
from offline_cache.outbox import Outbox, QueuedAction, new_key
from offline_cache.pusher import Pusher, PushReport
from offline_cache.remote import PushResult

Switch = Callable[[pytest.MonkeyPatch], None]


def client_new_key_on_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client mints a new idempotency key for every row whose send failed (Stripe's warning)."""
    real = Outbox.note_attempt

    def note_attempt(self: Outbox, action_ids: Iterable[str], error: str | None) -> None:
        ids = list(action_ids)
        real(self, ids, error)
        conn = self._db.conn
        conn.execute("BEGIN IMMEDIATE")
        # The bug needs the outbox's own guard out of the way: it refuses to rewrite a key.
        conn.execute("DROP TRIGGER IF EXISTS outbox_payload_frozen")
        for action_id in ids:
            conn.execute(
                "UPDATE outbox SET action_id = ? WHERE action_id = ? AND state = 'pending'",
                (new_key(), action_id),
            )
        conn.execute("COMMIT")

    monkeypatch.setattr(Outbox, "note_attempt", note_attempt)


def client_mark_sent_before_send(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client marks a batch applied before sending it: a lost request loses the actions."""
    real = Pusher._round

    async def round_(self: Pusher, batch: list[QueuedAction], report: PushReport) -> None:
        early = [
            PushResult(a.action_id, a.seq, "applied", "ok", None, None, {"assumed": True}) for a in batch
        ]
        self._outbox.record_results(batch[0].install_id, early)
        await real(self, batch, report)

    monkeypatch.setattr(Pusher, "_round", round_)


def server_no_dedup(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server keeps no idempotency record: every delivery runs the business logic again."""
    real = central.actions.push
    real_prefetch = central.actions._prefetch

    def push(
        db: Database, actor: Actor, request: PushRequest, verifiers: PickupVerifiers | None = None
    ) -> dict[str, Any]:
        ids = [a.action_id for a in request.actions]
        with db.write() as tx:
            tx.conn.execute(delete(schema.applied_actions).where(schema.applied_actions.c.action_id.in_(ids)))
            tx.conn.execute(
                update(schema.terminal_installs)
                .where(schema.terminal_installs.c.install_id == request.install_id)
                .values(last_applied_seq=min(a.seq for a in request.actions) - 1)
            )
        return real(db, actor, request, verifiers)

    def prefetch(tx: Tx, db: Database, actions: list[PushAction]) -> tuple[dict[str, Any], set[str]]:
        applied, _business = real_prefetch(tx, db, actions)
        return applied, set()  # no business keys remembered either (layer 1)

    monkeypatch.setattr(central.actions, "_business_row_exists", lambda *_args: False)
    monkeypatch.setattr(central.actions, "_prefetch", prefetch)
    monkeypatch.setattr(central.app, "push", push)


def server_naive_stock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server reserves without checking availability (clamped so the DB's CHECK never fires)."""

    def change_stock(tx: Tx, deltas: dict[tuple[str, str], tuple[int, int]]) -> list[tuple[str, str]]:
        c = schema.stock.c
        for sku, location_id in sorted(deltas):
            d_on_hand, d_reserved = deltas[(sku, location_id)]
            on_hand = func.max(c.reserved, c.on_hand + d_on_hand)
            tx.conn.execute(
                update(schema.stock)
                .where(and_(c.sku == sku, c.location_id == location_id))
                .values(on_hand=on_hand, reserved=func.max(0, func.min(on_hand, c.reserved + d_reserved)))
            )
        return []

    monkeypatch.setattr(central.orders, "change_stock", change_stock)


SWITCHES: dict[str, Switch] = {
    "client-new-key-on-retry": client_new_key_on_retry,
    "client-mark-sent-before-send": client_mark_sent_before_send,
    "server-no-dedup": server_no_dedup,
    "server-naive-stock": server_naive_stock,
}
