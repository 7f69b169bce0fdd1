"""Exactly-once actions: the three dedup layers, single-action requests and the push batch."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import psycopg
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from central import schema
from central.db import Database, Tx
from central.models import (
    ACTION_TYPES,
    AuditEvent,
    OrderCreate,
    PickupEventAction,
    PickupEventIn,
    PushAction,
    PushRequest,
    ReturnCreate,
)
from central.orders import Actor, apply_pickup_event, create_order
from central.pickup_verifiers import PickupVerifiers
from central.problems import Problem
from central.returns import create_return
from retail_rules.canonical import payload_sha256

log = logging.getLogger(__name__)

SUPPORTED_ACTION_VERSIONS = range(1, 2)
OUTCOME_RETENTION_DAYS = 35

# A push batch runs its actions in groups, one transaction per group and a savepoint per
# action: one commit (one fsync) per group instead of one per action. A group ends after this
# long, so that other writers (SQLite has one at a time) never wait for a whole batch.
GROUP_SECONDS = 0.05
# Within a group on PostgreSQL, an action after the first may wait this long for a row lock;
# then the group commits and the action starts the next group. A group holds the version
# counter from its first action on, so waiting longer could deadlock with a single-action
# writer that holds the row and wants the counter.
GROUP_LOCK_TIMEOUT = "50ms"

# Built once with bind parameters: building a statement costs several times more Python
# than running it, and every action runs about twenty.
_TI = schema.terminal_installs.c
_AA = schema.applied_actions.c
_INSTALL = select(schema.terminal_installs).where(_TI.install_id == bindparam("install_id")).with_for_update()
_NEW_INSTALL = insert(schema.terminal_installs)
_ADVANCE = (
    update(schema.terminal_installs)
    .where(_TI.install_id == bindparam("b_install_id"))
    .values(last_applied_seq=bindparam("b_seq"))
)
_LAST_APPLIED = select(_TI.last_applied_seq).where(_TI.install_id == bindparam("install_id"))
_APPLIED = select(schema.applied_actions).where(_AA.action_id == bindparam("action_id"))
_RECORD = insert(schema.applied_actions)
_KEY_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:k))")
# A push group locks all its keys at once, in one global order (by lock id), before it holds
# anything another writer could want: two groups can never wait on each other's keys.
_KEY_LOCKS = text(
    "SELECT count(pg_advisory_xact_lock(h)) FROM"
    " (SELECT DISTINCT hashtext(k) AS h FROM unnest(CAST(:keys AS text[])) AS k ORDER BY h) AS ordered"
)
_APPLIED_IN = select(schema.applied_actions).where(_AA.action_id.in_(bindparam("keys", expanding=True)))
_INSERT_AUDIT = insert(schema.audit_events)
_BUSINESS_KEY = {
    "order.create": select(schema.orders.c.client_action_id).where(
        schema.orders.c.client_action_id == bindparam("action_id")
    ),
    "pickup.event": select(schema.order_events.c.client_action_id).where(
        schema.order_events.c.client_action_id == bindparam("action_id")
    ),
    "return.create": select(schema.returns.c.client_action_id).where(
        schema.returns.c.client_action_id == bindparam("action_id")
    ),
}
_AUDIT_KEY = select(schema.audit_events.c.id).where(schema.audit_events.c.action_id == bindparam("action_id"))
_BUSINESS_KEYS_IN = {
    "order.create": select(schema.orders.c.client_action_id).where(
        schema.orders.c.client_action_id.in_(bindparam("keys", expanding=True))
    ),
    "pickup.event": select(schema.order_events.c.client_action_id).where(
        schema.order_events.c.client_action_id.in_(bindparam("keys", expanding=True))
    ),
    "return.create": select(schema.returns.c.client_action_id).where(
        schema.returns.c.client_action_id.in_(bindparam("keys", expanding=True))
    ),
}
_AUDIT_KEYS_IN = select(schema.audit_events.c.action_id).where(
    schema.audit_events.c.action_id.in_(bindparam("keys", expanding=True))
)
_GROUP_LOCK_TIMEOUT = text(f"SET LOCAL lock_timeout = '{GROUP_LOCK_TIMEOUT}'")
_ASSOCIATE = select(schema.associates.c.store_id, schema.associates.c.role, schema.associates.c.active).where(
    schema.associates.c.id == bindparam("associate_id")
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one action; stored and replayed for its idempotency key."""

    status: str  # applied | rejected | needs_review
    code: str
    http_status: int
    body: dict[str, Any]
    server_version: int | None = None


def _validated(model: type[BaseModel], payload: dict[str, Any]) -> Any:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = [
            {"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"]}
            for e in exc.errors(include_url=False)
        ][:20]
        raise Problem(422, "invalid_payload", "The action payload is not valid.", errors=errors) from exc


def _run_business(
    tx: Tx,
    actor: Actor,
    action_type: str,
    payload: dict[str, Any],
    action_id: str,
    order_id: str | None,
) -> dict[str, Any]:
    if action_type == "order.create":
        return create_order(tx, actor, _validated(OrderCreate, payload), action_id)
    if action_type == "pickup.event":
        if order_id is None:
            event = _validated(PickupEventAction, payload)
            return apply_pickup_event(tx, actor, event.order_id, event, action_id)
        return apply_pickup_event(tx, actor, order_id, _validated(PickupEventIn, payload), action_id)
    if action_type == "return.create":
        return create_return(tx, actor, _validated(ReturnCreate, payload), action_id)
    if action_type == "audit.event":
        body = _validated(AuditEvent, payload)
        tx.conn.execute(
            _INSERT_AUDIT,
            {
                "action_id": action_id,
                "device_id": actor.device_id,
                "entry": json.dumps(body.entries),
                "received_at": time.time(),
            },
        )
        return {"stored": len(body.entries)}
    raise Problem(422, "unknown_action_type", f"Unknown action type {action_type!r}.")


_CREATED = {"order.create": 201, "return.create": 201}


def _apply(
    tx: Tx,
    actor: Actor,
    action_type: str,
    payload: dict[str, Any],
    action_id: str,
    order_id: str | None,
) -> Outcome:
    """Run the business logic in a savepoint: a rejection undoes its writes but is recorded.

    The transaction may hold earlier actions of a push group: only this action's pokes are
    dropped with its writes, and its version is the highest it wrote itself.
    """
    earlier = tx.pokes
    tx.pokes = {}
    try:
        with tx.savepoint():
            body = _run_business(tx, actor, action_type, payload, action_id, order_id)
    except Problem as problem:
        tx.pokes = earlier
        return Outcome("rejected", problem.code, problem.status, problem.body())
    except BaseException:
        tx.pokes = earlier
        raise
    own = tx.pokes
    tx.pokes = earlier
    for stream, version in own.items():
        tx.poke(stream, version)
    code = "price_adjusted" if "price_adjusted" in body else "ok"
    return Outcome("applied", code, _CREATED.get(action_type, 200), body, max(own.values()) if own else None)


def issued_codes(action_type: str, outcome: Outcome) -> list[tuple[str, str]]:
    """The (order id, pickup code) an applied order action issued: its verifier is still to come."""
    if action_type != "order.create" or outcome.status != "applied":
        return []
    code = outcome.body.get("pickup_code")
    order = outcome.body.get("order")
    if not isinstance(code, str) or not isinstance(order, dict) or not isinstance(order.get("id"), str):
        return []
    return [(order["id"], code)]


def _business_row_exists(conn: Any, action_type: str, action_id: str) -> bool:
    """Layer 1: the business tables remember every applied key forever."""
    statement = _BUSINESS_KEY.get(action_type, _AUDIT_KEY)
    return conn.execute(statement, {"action_id": action_id}).first() is not None


def _stored(row: Any) -> Outcome:
    body = json.loads(row.result) if row.result else {"detail": "result_expired"}
    return Outcome(row.status, row.code, row.http_status, body, row.server_version)


def _lock_key(tx: Tx, db: Database, action_id: str) -> None:
    if db.is_postgres:
        # Two requests with one key queue here instead of both doing the work.
        tx.conn.execute(_KEY_LOCK, {"k": action_id})


def _record_row(
    actor: Actor,
    action_id: str,
    action_type: str,
    sha: str,
    outcome: Outcome,
    install_id: str | None,
    seq: int | None,
) -> dict[str, Any]:
    """The applied_actions row (layers 2 and 3) that remembers an action's outcome."""
    return {
        "action_id": action_id,
        "device_id": actor.device_id,
        "install_id": install_id,
        "seq": seq,
        "action_type": action_type,
        "payload_sha256": sha,
        "status": outcome.status,
        "code": outcome.code,
        "http_status": outcome.http_status,
        "result": json.dumps(outcome.body),
        "server_version": outcome.server_version,
        "created_at": time.time(),
    }


def _retrying[T](work: Callable[[], T]) -> T:
    """A unique-key race with a concurrent duplicate: the retry finds the stored outcome."""
    for attempt in range(3):
        try:
            return work()
        except IntegrityError:
            if attempt == 2:
                raise
            log.info("idempotency race lost; replaying the stored outcome")
    raise AssertionError("unreachable")


def execute_single(
    db: Database,
    actor: Actor,
    action_id: str,
    action_type: str,
    payload: dict[str, Any],
    order_id: str | None = None,
    verifiers: PickupVerifiers | None = None,
) -> tuple[Outcome, bool]:
    """One action from a single-action endpoint (Idempotency-Key header): (outcome, replayed)."""
    sha = payload_sha256({"order_id": order_id, **payload} if order_id else payload)

    def work() -> tuple[Outcome, bool]:
        with db.write() as tx:
            _lock_key(tx, db, action_id)
            row = tx.conn.execute(_APPLIED, {"action_id": action_id}).first()
            if row is not None:
                if row.payload_sha256 != sha or row.action_type != action_type:
                    raise Problem(
                        422, "idempotency_key_reused", "This Idempotency-Key was used with another request."
                    )
                return _stored(row), True
            if _business_row_exists(tx.conn, action_type, action_id):
                return Outcome("applied", "duplicate", 200, {"detail": "result_expired"}), True
            outcome = _apply(tx, actor, action_type, payload, action_id, order_id)
            tx.conn.execute(_RECORD, _record_row(actor, action_id, action_type, sha, outcome, None, None))
            return outcome, False

    outcome, replayed = _retrying(work)
    if verifiers is not None and not replayed:
        verifiers.submit(issued_codes(action_type, outcome))
    return outcome, replayed


# -- push ---------------------------------------------------------------------------------


def _result(action: PushAction, status: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"action_id": action.action_id, "seq": action.seq, "status": status, "code": code, **extra}


def _authorize_push(tx: Tx, actor: Actor, action: PushAction) -> Actor:
    """Actions from a device act for the associate named in them, checked every time."""
    if actor.device_role != "associate" or action.associate_id is None:
        return actor
    row = tx.conn.execute(_ASSOCIATE, {"associate_id": action.associate_id}).first()
    if row is None or not row.active or row.store_id != actor.location_id:
        raise Problem(403, "forbidden", "The associate is not active at this store.")
    return Actor(actor.device_id, actor.device_role, actor.location_id, action.associate_id, row.role)


def push(
    db: Database, actor: Actor, request: PushRequest, verifiers: PickupVerifiers | None = None
) -> dict[str, Any]:
    """Process a batch in seq order (SYNC_DESIGN 3.4), a group of actions per transaction.

    Each action runs in its own savepoint, so a rejected or failed action never undoes its
    neighbours; a group commits as a whole, and only committed results are answered.
    """
    if request.protocol != 1:
        raise Problem(400, "unsupported_protocol", "This server speaks push protocol 1.")
    if request.terminal_id != actor.device_id:
        raise Problem(403, "forbidden", "terminal_id does not match the device token.")
    for action in request.actions:
        if action.action_version not in SUPPORTED_ACTION_VERSIONS:
            raise Problem(
                400, "unsupported_action_version", f"Action version {action.action_version} is not supported."
            )
    results: list[dict[str, Any]] = []
    last_applied = 0
    retry_after_ms: int | None = None
    done = 0
    stop = False
    with db.connection() as conn:
        while done < len(request.actions) and not stop:
            try:
                group, done, stop = _retrying(
                    partial(_push_group, db, conn, actor, request.install_id, request.actions, done)
                )
            except OperationalError:
                log.warning("transient database error in push; asking the client to retry", exc_info=True)
                retry_after_ms = 1000
                break
            results += group.results
            last_applied = group.last
            if verifiers is not None:
                verifiers.submit(group.issued)
    if not results and last_applied == 0:
        last_applied = _last_applied(db, request.install_id)
    return {
        "install_id": request.install_id,
        "results": results,
        "last_applied_seq": last_applied,
        "retry_after_ms": retry_after_ms,
    }


def _last_applied(db: Database, install_id: str) -> int:
    with db.read() as conn:
        value = conn.execute(_LAST_APPLIED, {"install_id": install_id}).scalar_one_or_none()
    return int(value or 0)


@dataclass
class _Group:
    """What one transaction of a push batch has done so far; it counts only once committed."""

    stored_last: int  # the install's last_applied_seq when the group began
    last: int
    applied: dict[str, Any]  # action_id -> its applied_actions row (or what this group recorded)
    business: set[str]  # action ids with a business row (layer 1)
    # The applied_actions rows of the group's new outcomes, inserted together before it commits.
    records: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    issued: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Recorded:
    """An outcome recorded by this group, in the shape of an applied_actions row."""

    payload_sha256: str
    action_type: str
    status: str
    code: str
    http_status: int
    result: str
    server_version: int | None


def _is_lock_timeout(exc: OperationalError) -> bool:
    return isinstance(exc.orig, psycopg.errors.LockNotAvailable)


def _push_group(
    db: Database, conn: Connection, actor: Actor, install_id: str, actions: list[PushAction], start: int
) -> tuple[_Group, int, bool]:
    """Actions from ``start`` on in one transaction: (group, next index, stop the batch).

    The group ends with the batch, when an action stops the batch, after GROUP_SECONDS, or
    (PostgreSQL) when an action would wait for a lock while the group holds the counter.
    Each action's business writes run in a savepoint (``_apply``): a rejection or a failure
    undoes only that action. The outcomes are recorded together just before the commit, in the
    same transaction as their writes. A unique-key race fails the whole group, which is run again.
    """
    deadline = time.monotonic() + GROUP_SECONDS
    index = start
    stop = False
    with db.write(conn) as tx:
        last = _lock_install(tx, actor, install_id)
        group = _Group(last, last, *_prefetch(tx, db, actions[start:]))
        while index < len(actions):
            action = actions[index]
            if index == start + 1 and db.is_postgres:
                tx.conn.execute(_GROUP_LOCK_TIMEOUT)
            try:
                result, new_last, stop, outcome = _push_one(db, tx, actor, install_id, action, group)
            except OperationalError as exc:
                if index > start and _is_lock_timeout(exc):
                    break  # its savepoint is undone; it runs first in the next group, free to wait
                raise
            index += 1
            group.last = new_last
            if result is not None:
                group.results.append(result)
            if outcome is not None:
                group.issued += issued_codes(action.type, outcome)
            if stop or time.monotonic() >= deadline:
                break
        if group.records:
            tx.conn.execute(_RECORD, group.records)
        if group.last != group.stored_last:
            tx.conn.execute(_ADVANCE, {"b_install_id": install_id, "b_seq": group.last})
    return group, index, stop


def _prefetch(tx: Tx, db: Database, actions: list[PushAction]) -> tuple[dict[str, Any], set[str]]:
    """Lock the actions' keys (PostgreSQL) and read their stored outcomes and business rows."""
    keys = sorted({a.action_id for a in actions})
    if db.is_postgres:
        # Two requests with one key queue here instead of both doing the work.
        tx.conn.execute(_KEY_LOCKS, {"keys": keys})
    applied = {row.action_id: row for row in tx.conn.execute(_APPLIED_IN, {"keys": keys})}
    business: set[str] = set()
    by_type: dict[str, list[str]] = {}
    for a in actions:
        by_type.setdefault(a.type, []).append(a.action_id)
    for action_type, ids in by_type.items():
        statement = _BUSINESS_KEYS_IN.get(action_type, _AUDIT_KEYS_IN)
        business.update(tx.conn.execute(statement, {"keys": sorted(set(ids))}).scalars())
    return applied, business


def _lock_install(tx: Tx, actor: Actor, install_id: str) -> int:
    """The install's last applied seq, its row locked to the end of the transaction (or created)."""
    install = tx.conn.execute(_INSTALL, {"install_id": install_id}).first()
    if install is None:
        tx.conn.execute(
            _NEW_INSTALL,
            {
                "install_id": install_id,
                "device_id": actor.device_id,
                "last_applied_seq": 0,
                "created_at": time.time(),
            },
        )
        return 0
    if install.device_id != actor.device_id:
        raise Problem(403, "forbidden", "This install belongs to another device.")
    return int(install.last_applied_seq)


def _push_one(
    db: Database, tx: Tx, actor: Actor, install_id: str, action: PushAction, group: _Group
) -> tuple[dict[str, Any] | None, int, bool, Outcome | None]:
    """One action: (result or None, last_applied_seq after it, stop the batch, new outcome)."""
    last = group.last
    advanced = action.seq if action.seq == last + 1 else last
    row = group.applied.get(action.action_id)
    if row is not None:
        if row.payload_sha256 != action.payload_sha256 or row.action_type != action.type:
            return _result(action, "key_reuse_mismatch", "idempotency_key_reused"), advanced, False, None
        stored = _stored(row)
        return (
            _result(
                action,
                "duplicate",
                stored.code,
                original_status=stored.status,
                server_version=stored.server_version,
                body=stored.body,
            ),
            advanced,
            False,
            None,
        )
    if action.seq <= last:
        if action.action_id in group.business:
            return _result(action, "duplicate", "ok", detail="result_expired"), last, False, None
        # The seq was used by another action of this install: a copied or restored outbox.
        return _result(action, "fork", "install_forked", last_applied_seq=last), last, True, None
    if action.seq > last + 1:
        return None, last, True, None  # a gap: the client resends from last + 1
    if action.action_id in group.business:
        return _result(action, "duplicate", "ok", detail="result_expired"), action.seq, False, None

    if action.type not in ACTION_TYPES:
        outcome = Outcome(
            "rejected", "unknown_action_type", 422, {"detail": f"Unknown action type {action.type!r}."}
        )
    elif payload_sha256(action.payload) != action.payload_sha256:
        outcome = Outcome(
            "rejected",
            "payload_hash_mismatch",
            422,
            {"detail": "payload_sha256 does not match the payload."},
        )
    else:
        outcome = _retrying(partial(_apply_pushed, tx, actor, action))
    record = _record_row(
        actor, action.action_id, action.type, action.payload_sha256, outcome, install_id, action.seq
    )
    group.records.append(record)
    group.applied[action.action_id] = _Recorded(
        action.payload_sha256,
        action.type,
        outcome.status,
        outcome.code,
        outcome.http_status,
        record["result"],
        outcome.server_version,
    )
    if outcome.status == "applied":
        group.business.add(action.action_id)
    extra: dict[str, Any] = {"server_version": outcome.server_version, "body": outcome.body}
    return _result(action, outcome.status, outcome.code, **extra), action.seq, False, outcome


def _apply_pushed(tx: Tx, actor: Actor, action: PushAction) -> Outcome:
    """The business part of a pushed action; its savepoint is undone on any failure (``_apply``)."""
    try:
        acting = _authorize_push(tx, actor, action)
        return _apply(tx, acting, action.type, action.payload, action.action_id, None)
    except Problem as problem:
        return Outcome("rejected", problem.code, problem.status, problem.body())
    except (IntegrityError, OperationalError):
        raise
    except Exception:
        # A bug must not block the terminal forever: park the action for review.
        log.exception("action %s failed with a server error; dead-lettered", action.action_id)
        return Outcome("needs_review", "server_dead_letter", 500, {"detail": "Sent to HQ for review."})


def expire_outcomes(db: Database, older_than_days: float = OUTCOME_RETENTION_DAYS) -> int:
    """Layer 3 ages out: stored results are dropped, the key and fingerprint stay forever."""
    cutoff = time.time() - older_than_days * 86400
    with db.write() as tx:
        result = tx.conn.execute(
            update(schema.applied_actions)
            .where(schema.applied_actions.c.created_at < cutoff, schema.applied_actions.c.result != "")
            .values(result="")
        )
        return int(result.rowcount)
