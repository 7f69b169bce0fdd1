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

import dataclasses
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import sqlite_utils
import uuid6

from offline_cache.database import (
    connect,
    database_problem,
    ensure_private_file,
    execute_statements,
    fsync_dir,
    is_corruption,
    is_disk_full,
    move_database_files,
    remove_database_files,
    user_version,
    write_transaction,
)
from offline_cache.device_record import DeviceFileInvalid, device_store
from offline_cache.journal import Journal, JournalContents, JournalEntry, journal_path
from offline_cache.recovery import RecoveryEvent, Salvage, quarantine_outbox, record_event, salvage
from offline_cache.remote import ActionEnvelope, PushResult
from retail_rules.canonical import canonical_json

log = logging.getLogger(__name__)

OUTBOX_FILE: Final = "outbox.db"
STATES: Final = ("pending", "applied", "rejected", "needs_review", "superseded")
FINAL_STATES: Final = ("applied", "rejected", "needs_review", "superseded")
APPLIED_RETENTION_S: Final = 14 * 86400.0
MAX_PAYLOAD_BYTES: Final = 256 * 1024
GENESIS_HASH: Final = "0" * 64
MIN_FREE_BYTES: Final = 50 * 1024 * 1024  # below this, new actions are refused (SYNC_DESIGN 3.12)
RECOVERED_EVENT: Final = "outbox.recovered"
ACKNOWLEDGED_EVENT: Final = "action.acknowledged"
MAX_NOTE_CHARS: Final = 1000

# What the server's push envelope accepts (central/models.py PushAction): checked at submit, so
# one bad action can never make a whole batch bounce with 422 forever.
_ACTION_TYPE = re.compile(r"^[a-z_.]{1,40}$")
_ID = re.compile(r"^[A-Za-z0-9._@:-]{1,40}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f]*$")
_NOTE = re.compile(r"^[^\x00-\x08\x0b-\x1f\x7f]*$")  # printable, with tabs and line breaks


class OutboxError(Exception):
    """The outbox cannot do what was asked; nothing was changed."""


class InvalidAction(OutboxError, ValueError):
    """An action the server's envelope would refuse; refused before it is queued."""


class KeyAlreadyUsed(InvalidAction):
    """An adopted key this outbox already queued or sent: its action exists, a second one never will."""


class DraftNotFound(OutboxError, KeyError):
    """No draft with this id (never opened, or discarded)."""


class DraftSubmitted(OutboxError):
    """A submitted draft is frozen: its action is queued."""


class OutboxTooNew(OutboxError):
    """The file was written by a newer app version; it is left untouched."""


class OutboxMigrationFailed(OutboxError):
    """A migration failed its checks; the pre-migration backup was restored."""


class DiskFull(OutboxError):
    """No room to store the action: it was refused before anything was written, and did not happen."""


class OutboxCorrupt(OutboxError):
    """``outbox.db`` is damaged; opening it with ``recover=True`` rebuilds it (`Outbox.recover`)."""


class _OutboxLost(Exception):
    """The file is missing or empty while the journal still holds actions."""


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


def _is_key(text: object) -> bool:
    """Whether ``text`` is a key exactly as `new_key` writes it: a UUIDv7 in canonical lowercase form."""
    if not isinstance(text, str) or not _UUID.match(text):
        return False
    key = uuid.UUID(text)
    return key.version == 7 and key.variant == uuid.RFC_4122 and str(key) == text


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

    def __init__(
        self,
        db: sqlite_utils.Database,
        path: Path,
        clock: Callable[[], float],
        *,
        min_free_bytes: int = MIN_FREE_BYTES,
    ) -> None:
        self._db = db
        self._path = path
        self._clock = clock
        self._min_free_bytes = min_free_bytes
        self._journal = Journal(journal_path(path))

    # -- lifecycle ---------------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        terminal_id: str | None,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        clock: Callable[[], float] = time.time,
        min_free_bytes: int = MIN_FREE_BYTES,
        recover: bool = True,
    ) -> Outbox:
        """Open (creating, migrating or recovering) the outbox of ``terminal_id`` (the enrolled device id).

        A file from another terminal (the device was enrolled again) keeps its pending actions,
        renumbered under a new install of this terminal. ``None`` keeps whatever terminal the file
        has (for reading it, as ``kiosk-sync status`` does).

        A damaged file (quick_check, SQLITE_CORRUPT or SQLITE_NOTADB), or a missing or empty one
        while the journal still holds actions, is rebuilt by `recover`. Only the process holding the
        data dir's lock may do that: ``recover=False`` (inspection) raises OutboxCorrupt instead
        and moves nothing.
        """
        path = Path(path)
        if recover:
            _finish_interrupted_recovery(path)
        try:
            problem = database_problem(path)
            if problem is None:
                return cls._open_file(path, terminal_id, migrations, clock, min_free_bytes, recover)
        except sqlite3.DatabaseError as exc:
            if not is_corruption(exc):
                raise
            problem = str(exc)
        except _OutboxLost as lost:
            problem = str(lost)
        if not recover:
            raise OutboxCorrupt(f"{path}: {problem}")
        return cls.recover(
            path, terminal_id, problem, migrations=migrations, clock=clock, min_free_bytes=min_free_bytes
        )

    @classmethod
    def _open_file(
        cls,
        path: Path,
        terminal_id: str | None,
        migrations: Sequence[Migration],
        clock: Callable[[], float],
        min_free_bytes: int,
        maintain: bool,
    ) -> Outbox:
        existed = path.exists() and path.stat().st_size > 0
        db = connect(path, synchronous="FULL")
        try:
            if not db.table_names():
                held = len(Journal(journal_path(path)).read().entries)
                if held:
                    if not existed:
                        db.close()
                        remove_database_files(path)  # nothing to keep of a file connect() just made
                    state = "empty" if existed else "missing"
                    raise _OutboxLost(f"{path.name} was {state} but the journal holds {held} actions")
            _migrate(db, path, migrations)
            outbox = cls(db, path, clock, min_free_bytes=min_free_bytes)
            outbox._ensure_identity(terminal_id)
        except BaseException:
            db.close()
            raise
        if maintain and not outbox._journal.path.exists() and outbox.counts() != dict.fromkeys(STATES, 0):
            outbox._rewrite_journal()  # a file from before the journal existed: give it its copy now
        return outbox

    @classmethod
    def recover(
        cls,
        path: Path,
        terminal_id: str | None,
        reason: str,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        clock: Callable[[], float] = time.time,
        min_free_bytes: int = MIN_FREE_BYTES,
    ) -> Outbox:
        """Rebuild a damaged or lost outbox under a new install, from what is readable of it plus the journal.

        The damaged file moves to ``quarantine/`` and is kept. Every recovered action keeps its
        action_id, type, payload and payload_sha256, so the server's dedup answers ``duplicate``
        for the ones it already applied; pending ones are renumbered 1..n under a new install_id,
        final ones keep their outcome. Readable drafts come back; a submitted draft whose action
        could not be recovered is reopened, so it can be submitted again under the same key. The
        terminal id stays: the caller's, else the old file's, the journal's or device.json's.
        Only the process holding the data dir's lock may call this.
        """
        path = Path(path)
        log.warning("outbox %s is damaged or lost (%s): rebuilding it", path, reason)
        quarantined: Path | None = None
        if path.exists() and path.stat().st_size > 0:
            quarantined = quarantine_outbox(path, clock=clock)
        remove_database_files(path)
        found = salvage(quarantined, _SALVAGE_TABLES) if quarantined is not None else Salvage()
        plan = _recovery_plan(found, Journal(journal_path(path)).read(), terminal_id, path.parent)
        building = _building_path(path)
        remove_database_files(building)
        db = connect(building, synchronous="FULL")
        try:
            _migrate(db, building, migrations)
            install_id = cls(db, building, clock)._restore(plan, reason, quarantined)
        finally:
            db.close()
        move_database_files(building, path)
        # Not open(): a rebuilt file that failed its checks again must not start another recovery.
        outbox = cls._open_file(path, None, migrations, clock, min_free_bytes, maintain=False)
        outbox._rewrite_journal()  # the journal now names the new install and seqs
        record_event(
            path.parent,
            RecoveryEvent(
                file="outbox",
                at=_now_iso(clock),
                reason=reason,
                set_aside=None if quarantined is None else str(quarantined),
                recovered=len(plan.actions),
                from_file=plan.from_file,
                from_journal=len(plan.actions) - plan.from_file,
                install_id=install_id,
                previous_install_id=plan.previous_install_id,
            ),
        )
        return outbox

    def _restore(self, plan: _RecoveryPlan, reason: str, quarantined: Path | None) -> str:
        """Write the recovered identity, actions and drafts in ONE transaction; returns the new install_id."""
        install_id = new_key()
        now = _now_iso(self._clock)
        used: set[tuple[str, int]] = set()
        archive: str | None = None  # for a final row whose old (install, seq) was taken: never seen so far
        next_seq = archived = 0
        pending = 0
        with write_transaction(self._db) as conn:
            for a in plan.actions:
                state, acked_at = a.state, a.acked_at
                if state == "pending":
                    next_seq += 1
                    pending += 1
                    key = (install_id, next_seq)
                else:
                    key = (a.install_id, a.seq)
                    acked_at = acked_at or now
                    if key in used:
                        archive = archive or new_key()
                        archived += 1
                        key = (archive, archived)
                used.add(key)
                conn.execute(
                    "INSERT INTO outbox (install_id, seq, action_id, action_type, action_version, payload, "
                    "payload_sha256, entity_id, depends_on, associate_id, auth_context, client_created_at, "
                    "state, attempts, last_error, result_code, result_body, server_version, acked_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        *key,
                        a.action_id,
                        a.action_type,
                        a.action_version,
                        a.payload_json,
                        a.payload_sha256,
                        a.entity_id,
                        a.depends_on,
                        a.associate_id,
                        a.auth_context,
                        a.client_created_at,
                        state,
                        a.attempts,
                        a.last_error,
                        a.result_code,
                        a.result_body,
                        a.server_version,
                        acked_at,
                    ),
                )
            conn.execute(
                "INSERT INTO terminal_identity (id, terminal_id, install_id, next_seq, created_at) "
                "VALUES (1, ?, ?, ?, ?)",
                (plan.terminal_id, install_id, next_seq + 1, now),
            )
            recovered = {a.action_id for a in plan.actions}
            reopened = 0
            for draft_id, action_id, kind, body, updated_at, submitted in plan.drafts:
                if submitted and action_id not in recovered:
                    reopened += 1  # its action is gone: the person can submit it again, same key
                conn.execute(
                    "INSERT OR IGNORE INTO draft (draft_id, action_id, kind, body, updated_at, submitted) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (draft_id, action_id, kind, body, updated_at, int(action_id in recovered)),
                )
            detail = {
                "reason": reason[:300],
                "quarantine": None if quarantined is None else str(quarantined),
                "previous_install_id": plan.previous_install_id,
                "install_id": install_id,
                "recovered": len(plan.actions),
                "from_file": plan.from_file,
                "from_journal": len(plan.actions) - plan.from_file,
                "pending": pending,
                "drafts": len(plan.drafts),
                "drafts_reopened": reopened,
                "unreadable_reads": plan.unreadable,
                "journal_damaged_lines": plan.journal_damaged,
            }
            self._append_audit(conn, RECOVERED_EVENT, detail, None, plan.terminal_id)
        log.warning(
            "outbox rebuilt under install %s: %d actions recovered (%d from the damaged file, %d from the "
            "journal), %d pending; %d drafts (%d reopened)",
            install_id,
            len(plan.actions),
            plan.from_file,
            len(plan.actions) - plan.from_file,
            pending,
            len(plan.drafts),
            reopened,
        )
        return install_id

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

    def open_draft(
        self, kind: str, body: Mapping[str, Any] | None = None, *, action_id: str | None = None
    ) -> Draft:
        """A new draft that owns its idempotency key from this moment on.

        ``action_id`` adopts a key minted elsewhere (a kiosk's handed-off bag): it must be a key as
        `new_key` makes them and one this outbox never queued (KeyAlreadyUsed, nothing written). When
        an open draft of the same kind already owns it, that draft is returned as it is: opening the
        same handoff twice gives one draft, never a second one with the same key.
        """
        if action_id is not None and not _is_key(action_id):
            raise InvalidAction(f"{action_id!r} is not an idempotency key (a lowercase UUIDv7)")
        draft = Draft(new_key(), action_id or new_key(), kind, dict(body or {}), _now_iso(self._clock), False)
        with write_transaction(self._db) as conn:
            if action_id is not None:
                if conn.execute("SELECT 1 FROM outbox WHERE action_id = ?", (action_id,)).fetchone():
                    raise KeyAlreadyUsed(f"{action_id} was already queued by this outbox")
                row = conn.execute(
                    "SELECT draft_id, action_id, kind, body, updated_at, submitted FROM draft "
                    "WHERE action_id = ?",
                    (action_id,),
                ).fetchone()
                if row is not None:
                    owner = _draft(row)
                    if owner.submitted:
                        raise KeyAlreadyUsed(f"{action_id} was already submitted by this outbox")
                    if owner.kind != kind:
                        raise InvalidAction(f"{action_id} belongs to an open {owner.kind} draft")
                    return owner
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
        known = self._db.execute("SELECT submitted FROM draft WHERE draft_id = ?", (draft_id,)).fetchone()
        if known is not None and not known[0]:
            self.ensure_space()  # a second tap on a submitted draft stores nothing and needs no room
        try:
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
        except sqlite3.DatabaseError as exc:
            _raise_storage_error(exc)
            raise
        action = self.action(action_id)
        assert action is not None
        if not submitted:
            self._write_journal(action)
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
        self.ensure_space()
        try:
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
        except sqlite3.DatabaseError as exc:
            _raise_storage_error(exc)
            raise
        action = self.action(action_id)
        assert action is not None
        self._write_journal(action)
        return action

    def ensure_space(self) -> None:
        """Raise DiskFull when the data dir's disk has less than ``min_free_bytes`` free.

        Checked before an action is written, so the person hears "not done" before the real-world
        step (handing goods over) happens. The UI may call it earlier still, before starting one.
        """
        try:
            free = shutil.disk_usage(self._path.parent).free
        except OSError as exc:
            log.warning("cannot measure the free space for %s: %s", self._path, exc)
            return  # SQLITE_FULL still stops a write that does not fit
        if free < self._min_free_bytes:
            raise DiskFull(
                f"only {free // (1024 * 1024)} MB free for {self._path.parent}; "
                f"actions need at least {self._min_free_bytes // (1024 * 1024)} MB"
            )

    def _write_journal(self, action: QueuedAction) -> None:
        """The journal's copy: after the commit, before the caller confirms (SYNC_DESIGN 3.1)."""
        try:
            self._journal.append([_journal_entry(action, self.identity().terminal_id)])
        except OSError as exc:
            # The action is committed and will be sent; only its spare copy is missing. Reporting
            # a failure now would make the person do it a second time.
            log.warning("could not copy action %s to the journal: %s", action.action_id, exc)

    def _rewrite_journal(self, pruned: frozenset[str] = frozenset()) -> None:
        """Replace the journal with the outbox's rows: what was pruned here goes from there too.

        A line for an action this file does not hold and did not prune stays: after an outbox was
        restored from an old backup, the journal may be the only copy of it.
        """
        terminal_id = self.identity().terminal_id

        def snapshot(old: JournalContents) -> list[JournalEntry]:
            rows = [_journal_entry(a, terminal_id) for a in self.actions()]
            held = {e.action_id for e in rows} | pruned
            return [e for e in old.entries if e.action_id not in held] + rows

        try:
            self._journal.rewrite(snapshot)
        except OSError as exc:
            log.warning("could not rewrite the journal %s: %s", self._journal.path, exc)

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
            pruned = frozenset(
                row[0]
                for row in conn.execute(
                    "DELETE FROM outbox WHERE state = 'applied' AND acked_at < ? RETURNING action_id",
                    (cutoff,),
                )
            )
            conn.execute(
                "DELETE FROM draft WHERE submitted = 1 AND action_id NOT IN (SELECT action_id FROM outbox)"
            )
        if pruned:
            self._rewrite_journal(pruned)
        return len(pruned)

    # -- a person's acknowledgement ---------------------------------------------------------------------

    def acknowledge(self, action_id: str, *, by: str, note: str) -> AuditEntry:
        """Record that ``by`` has seen a needs_review outcome; returns the audit entry written.

        The acknowledgement lives only in the hash-chained audit log, so it can never be edited or
        lost quietly; the action itself is unchanged. Raises InvalidAction, writing nothing, for an
        unknown action, one not in needs_review, one already acknowledged, or a bad ``by``/``note``.
        """
        if not _ID.match(by):
            raise InvalidAction("the acknowledging person's id must be 1-40 letters, digits or ._@:-")
        if len(note) > MAX_NOTE_CHARS or not _NOTE.match(note):
            raise InvalidAction(f"a note is at most {MAX_NOTE_CHARS} characters without control characters")
        with write_transaction(self._db) as conn:
            row = conn.execute(
                "SELECT state, result_code FROM outbox WHERE action_id = ?", (action_id,)
            ).fetchone()
            if row is None:
                raise InvalidAction(f"no action {action_id!r} in the outbox")
            if row[0] != "needs_review":
                raise InvalidAction(f"action {action_id} is {row[0]}, not waiting for review")
            if conn.execute(
                "SELECT 1 FROM audit_log WHERE event = ? AND json_extract(detail, '$.action_id') = ?",
                (ACKNOWLEDGED_EVENT, action_id),
            ).fetchone():
                raise InvalidAction(f"action {action_id} was already acknowledged")
            entry_id = self._append_audit(
                conn,
                ACKNOWLEDGED_EVENT,
                {"action_id": action_id, "code": row[1] or "", "note": note},
                by,
                None,
            )
        return next(e for e in self.audit_entries(after_id=entry_id - 1))

    def unacknowledged(self) -> list[QueuedAction]:
        """needs_review actions no one has acknowledged yet, oldest first (what the review banner lists)."""
        seen = {
            row[0]
            for row in self._db.execute(
                "SELECT json_extract(detail, '$.action_id') FROM audit_log WHERE event = ?",
                (ACKNOWLEDGED_EVENT,),
            )
        }
        return [a for a in self.actions(("needs_review",)) if a.action_id not in seen]

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


# -- recovery -----------------------------------------------------------------------------------------------

_ACTION_COLUMNS: Final = (
    "id",
    "install_id",
    "seq",
    "action_id",
    "action_type",
    "action_version",
    "payload",
    "payload_sha256",
    "entity_id",
    "depends_on",
    "associate_id",
    "auth_context",
    "client_created_at",
    "state",
    "attempts",
    "last_error",
    "result_code",
    "result_body",
    "server_version",
    "acked_at",
)
_ENVELOPE_FIELDS: Final = (
    "action_type",
    "action_version",
    "payload_json",
    "payload_sha256",
    "entity_id",
    "depends_on",
    "associate_id",
    "auth_context",
    "client_created_at",
)
_DRAFT_COLUMNS: Final = ("draft_id", "action_id", "kind", "body", "updated_at", "submitted")
_SALVAGE_TABLES: Final[Mapping[str, Sequence[str]]] = {
    "terminal_identity": ("terminal_id", "install_id", "next_seq"),
    "outbox": _ACTION_COLUMNS,
    "draft": _DRAFT_COLUMNS,
}
DraftRow = tuple[str, str, str, str, str, int]


@dataclass(frozen=True, slots=True)
class _RecoveryPlan:
    terminal_id: str
    previous_install_id: str | None
    actions: tuple[QueuedAction, ...]  # creation order; old install and seq
    from_file: int
    drafts: tuple[DraftRow, ...]
    unreadable: int
    journal_damaged: int


def _raise_storage_error(exc: sqlite3.DatabaseError) -> None:
    """Turn SQLITE_FULL and corruption into the outbox's errors; the transaction was rolled back."""
    if is_disk_full(exc):
        raise DiskFull(f"the disk is full: the action was not stored ({exc})") from exc
    if is_corruption(exc):
        raise OutboxCorrupt(f"the outbox is damaged: the action was not stored ({exc})") from exc


def _journal_entry(a: QueuedAction, terminal_id: str) -> JournalEntry:
    return JournalEntry(
        action_id=a.action_id,
        terminal_id=terminal_id,
        install_id=a.install_id,
        seq=a.seq,
        action_type=a.action_type,
        action_version=a.action_version,
        payload_json=a.payload_json,
        payload_sha256=a.payload_sha256,
        entity_id=a.entity_id,
        depends_on=a.depends_on,
        associate_id=a.associate_id,
        auth_context=a.auth_context,
        client_created_at=a.client_created_at,
        state=a.state,
        result_code=a.result_code,
        server_version=a.server_version,
        acked_at=a.acked_at,
    )


def _from_journal(e: JournalEntry) -> QueuedAction:
    return QueuedAction(
        id=0,
        install_id=e.install_id,
        seq=e.seq,
        action_id=e.action_id,
        action_type=e.action_type,
        action_version=e.action_version,
        payload_json=e.payload_json,
        payload_sha256=e.payload_sha256,
        entity_id=e.entity_id,
        depends_on=e.depends_on,
        associate_id=e.associate_id,
        auth_context=e.auth_context,
        client_created_at=e.client_created_at,
        state=e.state,
        attempts=0,
        last_error=None,
        result_code=e.result_code,
        result_body=None,
        server_version=e.server_version,
        acked_at=e.acked_at,
    )


def _recoverable(a: QueuedAction) -> bool:
    """Whether a row read from a damaged file (or the journal) is whole enough to queue again."""
    texts = (a.install_id, a.action_id, a.action_type, a.payload_json, a.payload_sha256, a.auth_context)
    optional = (a.entity_id, a.depends_on, a.associate_id, a.last_error, a.result_code, a.result_body)
    if not all(isinstance(t, str) for t in (*texts, a.client_created_at, a.state)):
        return False
    if not all(v is None or isinstance(v, str) for v in (*optional, a.acked_at)):
        return False
    if not all(type(v) is int for v in (a.seq, a.action_version, a.attempts)) or a.seq < 1:
        return False
    if (a.server_version is not None and type(a.server_version) is not int) or a.state not in STATES:
        return False
    if not _UUID.match(a.action_id):
        return False
    try:
        _check_envelope(a.action_type, a.action_version, a.associate_id, a.auth_context, a.depends_on)
        payload = json.loads(a.payload_json)
    except (InvalidAction, ValueError):
        return False
    # The stored fingerprint must still match the stored text: the server compares exactly these.
    return (
        isinstance(payload, dict) and hashlib.sha256(a.payload_json.encode()).hexdigest() == a.payload_sha256
    )


def _recoverable_draft(row: Sequence[Any]) -> bool:
    if len(row) != len(_DRAFT_COLUMNS) or not all(isinstance(v, str) for v in row[:5]):
        return False
    if row[5] not in (0, 1) or not _UUID.match(row[1]):
        return False
    try:
        json.loads(row[3])
    except ValueError:
        return False
    return True


def _recovery_plan(
    found: Salvage, journal: JournalContents, terminal_id: str | None, data_dir: Path
) -> _RecoveryPlan:
    """Every action readable from the damaged file, then every journaled one it lacks, deduplicated by key."""
    chosen: dict[str, tuple[tuple[str, int, int], QueuedAction]] = {}
    for row in found.rows.get("outbox", ()):
        if len(row) == len(_ACTION_COLUMNS):
            a = QueuedAction(*row)
            if _recoverable(a):
                chosen[a.action_id] = ((a.client_created_at, 0, a.id), a)
    from_file = len(chosen)
    for n, entry in enumerate(journal.entries):
        a = _from_journal(entry)
        if not _recoverable(a):
            continue
        if a.action_id not in chosen:
            chosen[a.action_id] = ((a.client_created_at, 1, n), a)
            continue
        # Both: the journal's line is checksummed, a row from a damaged page is not (only its payload
        # is, by its hash). The envelope comes from the journal, the outcome from the newer row.
        order, kept = chosen[a.action_id]
        envelope = {name: getattr(a, name) for name in _ENVELOPE_FIELDS}
        chosen[a.action_id] = (order, dataclasses.replace(kept, **envelope))
    # Creation order, as far as it can be known: the server parks an action that arrives before
    # the one it depends on, so a slip here delays, it never breaks.
    actions = tuple(a for _, a in sorted(chosen.values(), key=lambda pair: pair[0]))
    identity = next(iter(found.rows.get("terminal_identity", ())), None)
    old_terminal = identity[0] if identity and isinstance(identity[0], str) and identity[0] else None
    previous = identity[1] if identity and isinstance(identity[1], str) else None
    if journal.entries:
        old_terminal = old_terminal or journal.entries[-1].terminal_id or None
        previous = previous or journal.entries[-1].install_id
    drafts = tuple(
        (r[0], r[1], r[2], r[3], r[4], int(r[5]))
        for r in found.rows.get("draft", ())
        if _recoverable_draft(r)
    )
    return _RecoveryPlan(
        terminal_id=terminal_id or old_terminal or _enrolled_terminal(data_dir) or "",
        previous_install_id=previous,
        actions=actions,
        from_file=from_file,
        drafts=drafts,
        unreadable=found.failures,
        journal_damaged=journal.damaged,
    )


def _enrolled_terminal(data_dir: Path) -> str | None:
    try:
        record = device_store(data_dir).load()
    except DeviceFileInvalid:
        return None
    return None if record is None else record.device_id


def _building_path(path: Path) -> Path:
    return path.with_name(path.name + ".recovering")


def _finish_interrupted_recovery(path: Path) -> None:
    """A recovery stopped after setting the damaged file aside: install its finished rebuild, or drop it."""
    building = _building_path(path)
    if not building.exists():
        return
    if not path.exists() and _recovery_complete(building):
        log.warning("finishing the interrupted recovery of %s", path)
        move_database_files(building, path)
        return
    remove_database_files(building)
    fsync_dir(path.parent)


def _recovery_complete(building: Path) -> bool:
    """The rebuild's one transaction committed: its audit entry is there."""
    try:
        conn = sqlite3.connect(building, isolation_level=None)
        try:
            row = conn.execute("SELECT 1 FROM audit_log WHERE event = ?", (RECOVERED_EVENT,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return row is not None


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
