"""The durable outbox (``outbox.db``): drafts, queued actions with their per-install seq, and the audit log.

Nothing here talks to the network. The pusher reads `pending()` and writes what the server said
through `record_results()`; every write is one IMMEDIATE transaction on a file in WAL mode with
synchronous=FULL, so an action the user saw confirmed survives a power cut.

Rules this module keeps (SYNC_DESIGN 3.2-3.5, 3.11):
- an action's idempotency key (``action_id``) is minted when its draft opens, and never changes;
- ``seq`` is assigned in the same transaction that stores the canonical payload and its SHA-256,
  gap-free per install; a fork or a server restore renumbers *pending* rows under a new install;
- a queued payload is never rewritten, not by a retry, not by a migration.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import sqlite_utils
import uuid6

from offline_cache.database import (
    connect,
    ensure_private_file,
    execute_statements,
    remove_database_files,
    user_version,
    write_transaction,
)
from offline_cache.remote import ActionEnvelope, PushResult
from retail_rules.canonical import canonical_json

log = logging.getLogger(__name__)

OUTBOX_FILE: Final = "outbox.db"
STATES: Final = ("pending", "applied", "rejected", "needs_review", "superseded")
FINAL_STATES: Final = ("applied", "rejected", "needs_review", "superseded")
APPLIED_RETENTION_S: Final = 14 * 86400.0
MAX_PAYLOAD_BYTES: Final = 256 * 1024
GENESIS_HASH: Final = "0" * 64

# What the server's push envelope accepts (central/models.py PushAction): checked at submit, so
# one bad action can never make a whole batch bounce with 422 forever.
_ACTION_TYPE = re.compile(r"^[a-z_.]{1,40}$")
_ID = re.compile(r"^[A-Za-z0-9._@:-]{1,40}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f]*$")


class OutboxError(Exception):
    """The outbox cannot do what was asked; nothing was changed."""


class InvalidAction(OutboxError, ValueError):
    """An action the server's envelope would refuse; refused before it is queued."""


class DraftNotFound(OutboxError, KeyError):
    """No draft with this id (never opened, or discarded)."""


class DraftSubmitted(OutboxError):
    """A submitted draft is frozen: its action is queued."""


class OutboxTooNew(OutboxError):
    """The file was written by a newer app version; it is left untouched."""


class OutboxMigrationFailed(OutboxError):
    """A migration failed its checks; the pre-migration backup was restored."""


# -- schema and migrations ---------------------------------------------------------------------


def _v1_initial(db: sqlite_utils.Database) -> None:
    execute_statements(
        db.conn,
        """
        CREATE TABLE terminal_identity (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          terminal_id TEXT NOT NULL,
          install_id TEXT NOT NULL,
          next_seq INTEGER NOT NULL CHECK (next_seq >= 1),
          created_at TEXT NOT NULL
        );
        CREATE TABLE outbox (
          id INTEGER PRIMARY KEY,
          install_id TEXT NOT NULL,
          seq INTEGER NOT NULL CHECK (seq >= 1),
          action_id TEXT NOT NULL UNIQUE,
          action_type TEXT NOT NULL,
          action_version INTEGER NOT NULL,
          payload TEXT NOT NULL,
          payload_sha256 TEXT NOT NULL,
          entity_id TEXT,
          depends_on TEXT,
          associate_id TEXT,
          auth_context TEXT NOT NULL,
          client_created_at TEXT NOT NULL,
          state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending','applied','rejected','needs_review','superseded')),
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at REAL,
          last_error TEXT,
          result_code TEXT,
          result_body TEXT,
          server_version INTEGER,
          acked_at TEXT,
          UNIQUE (install_id, seq)
        );
        CREATE INDEX outbox_pending ON outbox(state, install_id, seq);
        -- A queued payload is never rewritten: the database itself refuses.
        CREATE TRIGGER outbox_payload_frozen BEFORE UPDATE OF payload, payload_sha256, action_id ON outbox
        BEGIN SELECT RAISE(ABORT, 'queued payloads are never rewritten'); END;
        CREATE TABLE draft (
          draft_id TEXT PRIMARY KEY,
          action_id TEXT NOT NULL UNIQUE,
          kind TEXT NOT NULL,
          body TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          submitted INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE audit_log (
          id INTEGER PRIMARY KEY,
          at_wall TEXT NOT NULL,
          terminal_id TEXT NOT NULL,
          associate_id TEXT,
          event TEXT NOT NULL,
          detail TEXT NOT NULL,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL
        );
        """,
    )


Migration = Callable[[sqlite_utils.Database], None]
# Index i migrates user_version i to i + 1. Append only: released steps are never edited.
MIGRATIONS: Final[tuple[Migration, ...]] = (_v1_initial,)


# -- values ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Draft:
    """A cart or form being filled in; its ``action_id`` is the key its action will carry."""

    draft_id: str
    action_id: str
    kind: str
    body: Mapping[str, Any]
    updated_at: str
    submitted: bool


@dataclass(frozen=True, slots=True)
class QueuedAction:
    id: int
    install_id: str
    seq: int
    action_id: str
    action_type: str
    action_version: int
    payload_json: str  # canonical JSON exactly as stored and sent
    payload_sha256: str
    entity_id: str | None
    depends_on: str | None
    associate_id: str | None
    auth_context: str
    client_created_at: str
    state: str
    attempts: int
    last_error: str | None
    result_code: str | None
    result_body: str | None
    server_version: int | None
    acked_at: str | None

    @property
    def payload(self) -> Any:
        return json.loads(self.payload_json)

    def envelope(self) -> ActionEnvelope:
        return ActionEnvelope(
            seq=self.seq,
            action_id=self.action_id,
            type=self.action_type,
            action_version=self.action_version,
            payload_json=self.payload_json,
            payload_sha256=self.payload_sha256,
            associate_id=self.associate_id,
            auth_context=self.auth_context,
            client_created_at=self.client_created_at,
            depends_on=self.depends_on,
        )


@dataclass(frozen=True, slots=True)
class Identity:
    terminal_id: str
    install_id: str
    next_seq: int


@dataclass(frozen=True, slots=True)
class Reservation:
    """Stock an order.create in the outbox takes, until the stream shows the server's effect."""

    action_id: str
    sku: str
    location_id: str
    qty: int
    state: str  # pending | applied
    server_version: int | None


@dataclass(frozen=True, slots=True)
class RecordSummary:
    """What one push response changed locally."""

    applied: int = 0
    rejected: int = 0
    needs_review: int = 0
    ignored: int = 0  # results for rows that were not pending (already recorded)
    rewound: int = 0  # acked rows set back to pending after the server lost them
    renumbered: bool = False  # the rewind needed a new install
    conflicts: tuple[QueuedAction, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at_wall: str
    terminal_id: str
    associate_id: str | None
    event: str
    detail: Mapping[str, Any]
    prev_hash: str
    hash: str


def _now_iso(clock: Callable[[], float]) -> str:
    return datetime.fromtimestamp(clock(), UTC).isoformat(timespec="milliseconds")


def new_key() -> str:
    """A fresh idempotency key: UUIDv7, time-ordered."""
    return str(uuid6.uuid7())


def audit_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """hash = SHA-256(prev_hash || canonical entry)."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(dict(entry))).hexdigest()


def _canonical_payload(payload: Mapping[str, Any]) -> tuple[str, str]:
    """(canonical JSON text, its SHA-256), computed once and never again from re-serialized objects."""
    if not isinstance(payload, Mapping):
        raise InvalidAction("the payload must be a JSON object")
    try:
        # Refuse NaN and Infinity: canonical_json would write them, and no JSON parser reads them back.
        json.dumps(payload, allow_nan=False)
        raw = canonical_json(dict(payload))
    except (TypeError, ValueError) as exc:
        raise InvalidAction(f"the payload is not plain JSON: {exc}") from None
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise InvalidAction(f"the payload is {len(raw)} bytes; at most {MAX_PAYLOAD_BYTES}")
    # Stored canonical text hashes to exactly what retail_rules.canonical.payload_sha256 gives the server.
    return raw.decode("utf-8"), hashlib.sha256(raw).hexdigest()


def _check_envelope(
    action_type: str,
    action_version: int,
    associate_id: str | None,
    auth_context: str,
    depends_on: str | None,
) -> None:
    if not _ACTION_TYPE.match(action_type):
        raise InvalidAction(f"action type {action_type!r} is not lower-case dotted text of 1-40 characters")
    if not 1 <= action_version <= 1000:
        raise InvalidAction("action_version must be 1-1000")
    if associate_id is not None and not _ID.match(associate_id):
        raise InvalidAction(f"associate_id {associate_id!r} is not a valid id")
    if len(auth_context) > 80 or not _PRINTABLE.match(auth_context):
        raise InvalidAction("auth_context must be at most 80 printable characters")
    if depends_on is not None and not _UUID.match(depends_on):
        raise InvalidAction("depends_on must be an action_id (a UUID)")


_SELECT_ACTIONS = (
    "SELECT id, install_id, seq, action_id, action_type, action_version, payload, payload_sha256, "
    "entity_id, depends_on, associate_id, auth_context, client_created_at, state, attempts, last_error, "
    "result_code, result_body, server_version, acked_at FROM outbox "
)


def _action(row: Sequence[Any]) -> QueuedAction:
    return QueuedAction(*row)


def _draft(row: Sequence[Any]) -> Draft:
    draft_id, action_id, kind, body, updated_at, submitted = row
    return Draft(draft_id, action_id, kind, json.loads(body), updated_at, bool(submitted))


def _fingerprint(db: sqlite_utils.Database) -> list[tuple[str, str, str]]:
    """(action_id, payload_sha256, SHA-256 of the stored text) of every pending row."""
    rows = db.execute(
        "SELECT action_id, payload_sha256, payload FROM outbox WHERE state = 'pending' ORDER BY action_id"
    ).fetchall()
    return [(a, sha, hashlib.sha256(p.encode()).hexdigest()) for a, sha, p in rows]


# -- the outbox -------------------------------------------------------------------------------------------


class Outbox:
    """One ``outbox.db``, used from one thread (the app's UI/asyncio thread or the CLI)."""

    def __init__(self, db: sqlite_utils.Database, path: Path, clock: Callable[[], float]) -> None:
        self._db = db
        self._path = path
        self._clock = clock

    # -- lifecycle ---------------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        terminal_id: str | None,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        clock: Callable[[], float] = time.time,
    ) -> Outbox:
        """Open (creating or migrating) the outbox of ``terminal_id`` (the device id from enrolment).

        A file from another terminal (the device was enrolled again) keeps its pending actions,
        renumbered under a new install of this terminal. ``None`` keeps whatever terminal the file
        has (for reading it, as ``kiosk-sync status`` does).
        """
        path = Path(path)
        db = connect(path, synchronous="FULL")
        try:
            _migrate(db, path, migrations)
        except BaseException:
            db.close()
            raise
        outbox = cls(db, path, clock)
        outbox._ensure_identity(terminal_id)
        return outbox

    def close(self) -> None:
        self._db.close()

    @property
    def path(self) -> Path:
        return self._path

    def _ensure_identity(self, terminal_id: str | None) -> None:
        with write_transaction(self._db) as conn:
            row = conn.execute("SELECT terminal_id FROM terminal_identity WHERE id = 1").fetchone()
            if row is None:
                terminal_id = terminal_id or ""
                conn.execute(
                    "INSERT INTO terminal_identity (id, terminal_id, install_id, next_seq, created_at) "
                    "VALUES (1, ?, ?, 1, ?)",
                    (terminal_id, new_key(), _now_iso(self._clock)),
                )
                self._append_audit(conn, "outbox.created", {}, None, terminal_id)
                return
            if terminal_id is not None and row[0] != terminal_id:
                # The server binds an install to one device: the new device needs a new install.
                self._renumber(conn, f"terminal changed from {row[0]} to {terminal_id}", terminal_id)

    def identity(self) -> Identity:
        terminal_id, install_id, next_seq = self._db.execute(
            "SELECT terminal_id, install_id, next_seq FROM terminal_identity WHERE id = 1"
        ).fetchone()
        return Identity(terminal_id, install_id, int(next_seq))

    @property
    def install_id(self) -> str:
        return self.identity().install_id

    # -- drafts --------------------------------------------------------------------------------------------

    def open_draft(self, kind: str, body: Mapping[str, Any] | None = None) -> Draft:
        """A new draft that owns its idempotency key from this moment on."""
        draft = Draft(new_key(), new_key(), kind, dict(body or {}), _now_iso(self._clock), False)
        with write_transaction(self._db) as conn:
            conn.execute(
                "INSERT INTO draft (draft_id, action_id, kind, body, updated_at, submitted) "
                "VALUES (?, ?, ?, ?, ?, 0)",
                (draft.draft_id, draft.action_id, kind, json.dumps(draft.body), draft.updated_at),
            )
        return draft

    def update_draft(self, draft_id: str, body: Mapping[str, Any]) -> Draft:
        updated_at = _now_iso(self._clock)
        with write_transaction(self._db) as conn:
            row = conn.execute("SELECT submitted FROM draft WHERE draft_id = ?", (draft_id,)).fetchone()
            if row is None:
                raise DraftNotFound(draft_id)
            if row[0]:
                raise DraftSubmitted(draft_id)
            conn.execute(
                "UPDATE draft SET body = ?, updated_at = ? WHERE draft_id = ?",
                (json.dumps(dict(body)), updated_at, draft_id),
            )
        found = self.draft(draft_id)
        assert found is not None
        return found

    def draft(self, draft_id: str) -> Draft | None:
        row = self._db.execute(
            "SELECT draft_id, action_id, kind, body, updated_at, submitted FROM draft WHERE draft_id = ?",
            (draft_id,),
        ).fetchone()
        return None if row is None else _draft(row)

    def open_drafts(self, kind: str | None = None) -> list[Draft]:
        """Drafts not yet submitted (what to restore after a restart)."""
        sql = "SELECT draft_id, action_id, kind, body, updated_at, submitted FROM draft WHERE submitted = 0"
        params: tuple[str, ...] = ()
        if kind is not None:
            sql += " AND kind = ?"
            params = (kind,)
        return [_draft(r) for r in self._db.execute(sql + " ORDER BY updated_at, draft_id", params)]

    def discard_draft(self, draft_id: str) -> None:
        """Drop an unsubmitted draft (cart abandoned); a submitted one stays with its action."""
        with write_transaction(self._db) as conn:
            conn.execute("DELETE FROM draft WHERE draft_id = ? AND submitted = 0", (draft_id,))

    # -- queueing ----------------------------------------------------------------------------------------

    def submit(
        self,
        draft: Draft | str,
        action_type: str,
        payload: Mapping[str, Any],
        associate_id: str | None,
        auth_context: str,
        entity_id: str | None = None,
        depends_on: str | None = None,
        *,
        action_version: int = 1,
    ) -> QueuedAction:
        """Queue the draft's action; a second submit of the same draft returns the same action."""
        draft_id = draft if isinstance(draft, str) else draft.draft_id
        _check_envelope(action_type, action_version, associate_id, auth_context, depends_on)
        payload_json, sha = _canonical_payload(payload)
        now = _now_iso(self._clock)
        with write_transaction(self._db) as conn:
            row = conn.execute(
                "SELECT action_id, submitted FROM draft WHERE draft_id = ?", (draft_id,)
            ).fetchone()
            if row is None:
                raise DraftNotFound(draft_id)
            action_id, submitted = row
            if not submitted:
                self._insert_action(
                    conn,
                    action_id,
                    action_type,
                    action_version,
                    payload_json,
                    sha,
                    entity_id,
                    depends_on,
                    associate_id,
                    auth_context,
                    now,
                )
                conn.execute(
                    "UPDATE draft SET submitted = 1, body = ?, updated_at = ? WHERE draft_id = ?",
                    (payload_json, now, draft_id),
                )
        action = self.action(action_id)
        assert action is not None
        if submitted and action.payload_sha256 != sha:
            # A double tap after an edit: the first submit stands, the key never gets a second payload.
            log.warning("draft %s was submitted before with another payload; kept the first", draft_id)
        return action

    def enqueue(
        self,
        action_type: str,
        payload: Mapping[str, Any],
        associate_id: str | None,
        auth_context: str,
        entity_id: str | None = None,
        depends_on: str | None = None,
        *,
        action_version: int = 1,
    ) -> QueuedAction:
        """Queue an action that had no draft (audit events, system actions): key and seq in one go."""
        _check_envelope(action_type, action_version, associate_id, auth_context, depends_on)
        payload_json, sha = _canonical_payload(payload)
        action_id = new_key()
        with write_transaction(self._db) as conn:
            self._insert_action(
                conn,
                action_id,
                action_type,
                action_version,
                payload_json,
                sha,
                entity_id,
                depends_on,
                associate_id,
                auth_context,
                _now_iso(self._clock),
            )
        action = self.action(action_id)
        assert action is not None
        return action

    def _insert_action(
        self,
        conn: Any,
        action_id: str,
        action_type: str,
        action_version: int,
        payload_json: str,
        sha: str,
        entity_id: str | None,
        depends_on: str | None,
        associate_id: str | None,
        auth_context: str,
        now: str,
    ) -> None:
        terminal_id, install_id, seq = conn.execute(
            "SELECT terminal_id, install_id, next_seq FROM terminal_identity WHERE id = 1"
        ).fetchone()
        conn.execute(
            "INSERT INTO outbox (install_id, seq, action_id, action_type, action_version, payload, "
            "payload_sha256, entity_id, depends_on, associate_id, auth_context, client_created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                install_id,
                seq,
                action_id,
                action_type,
                action_version,
                payload_json,
                sha,
                entity_id,
                depends_on,
                associate_id,
                auth_context,
                now,
            ),
        )
        conn.execute("UPDATE terminal_identity SET next_seq = next_seq + 1 WHERE id = 1")
        self._append_audit(
            conn,
            "action.queued",
            {"action_id": action_id, "type": action_type, "seq": seq, "install_id": install_id},
            associate_id,
            terminal_id,
        )

    # -- reading -------------------------------------------------------------------------------------------

    def action(self, action_id: str) -> QueuedAction | None:
        row = self._db.execute(_SELECT_ACTIONS + "WHERE action_id = ?", (action_id,)).fetchone()
        return None if row is None else _action(row)

    def pending(self, limit: int = 50) -> list[QueuedAction]:
        """The next actions to send, in seq order, under the current install."""
        rows = self._db.execute(
            _SELECT_ACTIONS + "WHERE state = 'pending' AND install_id = ? ORDER BY seq LIMIT ?",
            (self.install_id, limit),
        ).fetchall()
        return [_action(r) for r in rows]

    def actions(self, states: Iterable[str] | None = None) -> list[QueuedAction]:
        """Actions in creation order, optionally only those in ``states``."""
        if states is None:
            rows = self._db.execute(_SELECT_ACTIONS + "ORDER BY id")
        else:
            rows = self._db.execute(
                _SELECT_ACTIONS + "WHERE instr(?, ',' || state || ',') > 0 ORDER BY id",
                ("," + ",".join(states) + ",",),
            )
        return [_action(r) for r in rows]

    def counts(self) -> dict[str, int]:
        found = dict(self._db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        return {state: int(found.get(state, 0)) for state in STATES}

    def oldest_pending_age(self, now: float | None = None) -> float | None:
        """Seconds since the oldest pending action was queued (wall clock; for display), None if none."""
        row = self._db.execute("SELECT MIN(client_created_at) FROM outbox WHERE state = 'pending'").fetchone()
        if row[0] is None:
            return None
        queued = datetime.fromisoformat(row[0]).timestamp()
        return max(0.0, (self._clock() if now is None else now) - queued)

    def last_acked_at(self) -> str | None:
        """When the server last gave an outcome for one of our actions (UTC ISO)."""
        value = self._db.execute("SELECT MAX(acked_at) FROM outbox").fetchone()[0]
        return str(value) if value is not None else None

    def reservations(self, location_id: str | None = None) -> list[Reservation]:
        """Stock taken by order.create actions that are pending, or applied but maybe not yet pulled."""
        rows = self._db.execute(
            "SELECT action_id, payload, state, server_version FROM outbox "
            "WHERE action_type = 'order.create' AND state IN ('pending', 'applied') "
            "AND (state = 'pending' OR server_version IS NOT NULL)"
        ).fetchall()
        found: list[Reservation] = []
        for action_id, payload, state, server_version in rows:
            lines = json.loads(payload).get("lines")
            for line in lines if isinstance(lines, list) else ():
                if not isinstance(line, dict):
                    continue
                sku, loc, qty = line.get("sku"), line.get("location_id"), line.get("qty")
                if not isinstance(sku, str) or not isinstance(loc, str) or not isinstance(qty, int):
                    continue
                if location_id is None or loc == location_id:
                    found.append(Reservation(action_id, sku, loc, qty, state, server_version))
        return found

    # -- server outcomes -------------------------------------------------------------------------------------

    def note_attempt(self, action_ids: Iterable[str], error: str | None) -> None:
        """Count a send attempt (for status and support); payloads and keys are untouched."""
        ids = [(error, a) for a in action_ids]
        with write_transaction(self._db) as conn:
            conn.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE action_id = ? "
                "AND state = 'pending'",
                ids,
            )

    def record_results(
        self, install_id: str, results: Iterable[PushResult], last_applied_seq: int | None = None
    ) -> RecordSummary:
        """Store a push response's outcomes, and compare the server's high-water mark, in ONE transaction.

        ``fork`` results are not stored here (the caller renumbers); results for rows that are no
        longer pending are ignored, so recording the same response twice changes nothing.
        """
        now = _now_iso(self._clock)
        applied = rejected = review = ignored = 0
        changed: list[str] = []
        with write_transaction(self._db) as conn:
            for result in results:
                state = _local_state(result)
                if state is None:
                    continue
                cursor = conn.execute(
                    "UPDATE outbox SET state = ?, result_code = ?, result_body = ?, server_version = ?, "
                    "acked_at = ?, last_error = NULL "
                    "WHERE action_id = ? AND install_id = ? AND seq = ? AND state = 'pending'",
                    (
                        state,
                        result.code,
                        json.dumps(dict(result.raw), ensure_ascii=False, sort_keys=True),
                        result.server_version,
                        now,
                        result.action_id,
                        install_id,
                        result.seq,
                    ),
                )
                if cursor.rowcount != 1:
                    ignored += 1
                    continue
                changed.append(result.action_id)
                if state == "applied":
                    applied += 1
                elif state == "rejected":
                    rejected += 1
                else:
                    review += 1
                if state != "applied":
                    self._append_audit(
                        conn,
                        f"action.{state}",
                        {"action_id": result.action_id, "status": result.status, "code": result.code},
                        None,
                        None,
                    )
            rewound, renumbered = (
                self._reconcile(conn, install_id, last_applied_seq)
                if last_applied_seq is not None
                else (0, False)
            )
        conflicts = tuple(
            a for a in (self.action(i) for i in changed) if a is not None and a.state != "applied"
        )
        return RecordSummary(applied, rejected, review, ignored, rewound, renumbered, conflicts)

    def reconcile_server_seq(self, install_id: str, last_applied_seq: int) -> tuple[int, bool]:
        """The server's last_applied_seq from a pull: (rows set back to pending, renumbered)."""
        top = self._db.execute(
            "SELECT MAX(seq) FROM outbox WHERE install_id = ? AND state != 'pending'", (install_id,)
        ).fetchone()[0]
        if top is None or last_applied_seq >= top:
            return 0, False  # the common case, answered without taking the write lock
        with write_transaction(self._db) as conn:
            return self._reconcile(conn, install_id, last_applied_seq)

    def _reconcile(self, conn: Any, install_id: str, server_last: int) -> tuple[int, bool]:
        """If the server forgot actions we saw acked (restored from backup), send them again.

        Acked rows above its high-water mark go back to pending with their keys and payloads. When
        some of those rows were already pruned the seqs cannot be resent gap-free, so the pending
        rows move to a new install instead (server dedup by action_id keeps that safe).
        """
        current, next_seq = conn.execute(
            "SELECT install_id, next_seq FROM terminal_identity WHERE id = 1"
        ).fetchone()
        if install_id != current:
            return 0, False
        top = conn.execute(
            "SELECT MAX(seq) FROM outbox WHERE install_id = ? AND state != 'pending'", (install_id,)
        ).fetchone()[0]
        if top is None or server_last >= top:
            return 0, False
        rewound = conn.execute(
            "UPDATE outbox SET state = 'pending', result_code = NULL, result_body = NULL, "
            "server_version = NULL, acked_at = NULL "
            "WHERE install_id = ? AND seq > ? AND state != 'pending'",
            (install_id, server_last),
        ).rowcount
        held = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE install_id = ? AND seq > ?", (install_id, server_last)
        ).fetchone()[0]
        log.warning(
            "the server's last_applied_seq %d is below our acked %d: resending %d actions",
            server_last,
            top,
            rewound,
        )
        self._append_audit(
            conn,
            "outbox.server_regressed",
            {"install_id": install_id, "server_last": server_last, "acked": top, "rewound": rewound},
            None,
            None,
        )
        if held != next_seq - 1 - server_last:
            self._renumber(conn, "server regressed past pruned rows", None)
            return rewound, True
        return rewound, False

    def renumber_for_new_install(self, reason: str = "fork") -> str:
        """Mint a new install and renumber the pending rows 1..n under it, keeping their action_ids."""
        with write_transaction(self._db) as conn:
            return self._renumber(conn, reason, None)

    def _renumber(self, conn: Any, reason: str, terminal_id: str | None) -> str:
        old = conn.execute("SELECT install_id FROM terminal_identity WHERE id = 1").fetchone()[0]
        install_id = new_key()
        ids = [r[0] for r in conn.execute("SELECT id FROM outbox WHERE state = 'pending' ORDER BY id")]
        conn.executemany(
            "UPDATE outbox SET install_id = ?, seq = ? WHERE id = ?",
            [(install_id, n, row_id) for n, row_id in enumerate(ids, start=1)],
        )
        conn.execute(
            "UPDATE terminal_identity SET install_id = ?, next_seq = ?, "
            "terminal_id = COALESCE(?, terminal_id) WHERE id = 1",
            (install_id, len(ids) + 1, terminal_id),
        )
        self._append_audit(
            conn,
            "outbox.new_install",
            {"reason": reason, "old_install_id": old, "install_id": install_id, "renumbered": len(ids)},
            None,
            None,
        )
        log.warning(
            "outbox moved to install %s (%s); %d pending actions renumbered", install_id, reason, len(ids)
        )
        return install_id

    def prune_applied(self, older_than_s: float = APPLIED_RETENTION_S) -> int:
        """Delete applied rows acked long ago (kept 14 days for resends after a server restore)."""
        cutoff = datetime.fromtimestamp(self._clock() - older_than_s, UTC).isoformat(timespec="milliseconds")
        with write_transaction(self._db) as conn:
            removed = conn.execute(
                "DELETE FROM outbox WHERE state = 'applied' AND acked_at < ?", (cutoff,)
            ).rowcount
            conn.execute(
                "DELETE FROM draft WHERE submitted = 1 AND action_id NOT IN (SELECT action_id FROM outbox)"
            )
        return int(removed)

    # -- export ----------------------------------------------------------------------------------------------

    def export(self, path: Path) -> int:
        """Write every action not applied as JSON lines (payloads byte for byte as queued); returns the count.

        For support when a device cannot sync: the file holds customer data, so it is created 0600.
        """
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.unlink(missing_ok=True)
        ensure_private_file(tmp)
        count = 0
        with tmp.open("w", encoding="utf-8") as out:
            for action in self.actions(states=("pending", "rejected", "needs_review", "superseded")):
                meta = {
                    "action_id": action.action_id,
                    "install_id": action.install_id,
                    "seq": action.seq,
                    "type": action.action_type,
                    "action_version": action.action_version,
                    "payload_sha256": action.payload_sha256,
                    "entity_id": action.entity_id,
                    "depends_on": action.depends_on,
                    "associate_id": action.associate_id,
                    "auth_context": action.auth_context,
                    "client_created_at": action.client_created_at,
                    "state": action.state,
                    "attempts": action.attempts,
                    "last_error": action.last_error,
                    "result_code": action.result_code,
                }
                text = json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
                out.write(text[:-1] + ',"payload":' + action.payload_json + "}\n")
                count += 1
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
        return count

    # -- audit log -------------------------------------------------------------------------------------------

    def append_audit(
        self, event: str, detail: Mapping[str, Any], associate_id: str | None = None
    ) -> AuditEntry:
        with write_transaction(self._db) as conn:
            entry_id = self._append_audit(conn, event, detail, associate_id, None)
        return next(e for e in self.audit_entries(after_id=entry_id - 1))

    def _append_audit(
        self,
        conn: Any,
        event: str,
        detail: Mapping[str, Any],
        associate_id: str | None,
        terminal_id: str | None,
    ) -> int:
        if terminal_id is None:
            terminal_id = conn.execute("SELECT terminal_id FROM terminal_identity WHERE id = 1").fetchone()[0]
        row = conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        prev = row[0] if row else GENESIS_HASH
        entry = {
            "at_wall": _now_iso(self._clock),
            "terminal_id": terminal_id,
            "associate_id": associate_id,
            "event": event,
            "detail": dict(detail),
        }
        cursor = conn.execute(
            "INSERT INTO audit_log (at_wall, terminal_id, associate_id, event, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                entry["at_wall"],
                terminal_id,
                associate_id,
                event,
                canonical_json(entry["detail"]).decode(),
                prev,
                audit_hash(prev, entry),
            ),
        )
        return int(cursor.lastrowid or 0)

    def audit_entries(self, after_id: int = 0) -> list[AuditEntry]:
        rows = self._db.execute(
            "SELECT id, at_wall, terminal_id, associate_id, event, detail, prev_hash, hash "
            "FROM audit_log WHERE id > ? ORDER BY id",
            (after_id,),
        ).fetchall()
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7]) for r in rows]

    def verify_audit_chain(self) -> int | None:
        """The id of the first entry whose link or hash is wrong, None when the chain holds."""
        prev = GENESIS_HASH
        for e in self.audit_entries():
            entry = {
                "at_wall": e.at_wall,
                "terminal_id": e.terminal_id,
                "associate_id": e.associate_id,
                "event": e.event,
                "detail": dict(e.detail),
            }
            if e.prev_hash != prev or audit_hash(prev, entry) != e.hash:
                return e.id
            prev = e.hash
        return None


def _local_state(result: PushResult) -> str | None:
    """The local state a server verdict puts a row in (SYNC_DESIGN 3.9); None for ``fork``."""
    if result.status == "applied":
        return "applied"
    if result.status == "duplicate":
        # A replay carries the first outcome: a rejection stays a rejection.
        if result.original_status in ("rejected", "needs_review"):
            return result.original_status
        return "applied"
    if result.status == "rejected":
        return "rejected"
    if result.status in ("needs_review", "key_reuse_mismatch"):
        # key_reuse_mismatch is a client bug: never retried under a new key, a person looks at it.
        return "needs_review"
    return None


# -- migration ----------------------------------------------------------------------------------------------


def _migrate(db: sqlite_utils.Database, path: Path, migrations: Sequence[Migration]) -> None:
    """Forward-only migrations on ``PRAGMA user_version``, with a backup and checks for an existing file."""
    current, target = user_version(db), len(migrations)
    if current > target:
        raise OutboxTooNew(f"{path} has schema version {current}; this app knows up to {target}")
    if current == target:
        return
    fresh = current == 0 and not db.table_names()
    backup: Path | None = None
    before: list[tuple[str, str, str]] = []
    if not fresh:
        backup = _backup(db, path, target)
        before = _fingerprint(db)
    try:
        for version in range(current, target):
            with write_transaction(db):
                migrations[version](db)
                db.conn.execute(f"PRAGMA user_version = {version + 1}")
        if not fresh:
            _check_migrated(db, before)
    except Exception as exc:
        if backup is None:
            raise
        db.close()
        _restore(backup, path)
        raise OutboxMigrationFailed(
            f"migrating {path} to version {target} failed ({exc}); the backup {backup.name} was restored"
        ) from exc
    if not fresh:
        log.info("outbox migrated from version %d to %d (backup %s)", current, target, backup)


def _backup(db: sqlite_utils.Database, path: Path, target: int) -> Path:
    backup = path.with_name(f"outbox.pre-v{target}.db")
    if backup.exists():
        backup = path.with_name(f"outbox.pre-v{target}.{int(time.time())}.db")
    # VACUUM INTO accepts an existing empty file: create it 0600 first, it holds customer data.
    ensure_private_file(backup)
    db.conn.execute("VACUUM INTO ?", (str(backup),))
    return backup


def _check_migrated(db: sqlite_utils.Database, before: list[tuple[str, str, str]]) -> None:
    integrity = db.execute("PRAGMA integrity_check").fetchall()
    if integrity != [("ok",)]:
        raise OutboxError(f"integrity_check: {integrity[:5]}")
    broken = db.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise OutboxError(f"foreign_key_check: {broken[:5]}")
    after = _fingerprint(db)
    if after != before:
        raise OutboxError(f"pending actions changed: {len(before)} before, {len(after)} after")
    if any(sha != text_sha for _, sha, text_sha in after):
        raise OutboxError("a pending payload no longer matches its payload_sha256")


def _restore(backup: Path, path: Path) -> None:
    remove_database_files(path)
    shutil.copyfile(backup, path)
    path.chmod(0o600)
