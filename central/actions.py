"""Exactly-once actions: the three dedup layers, single-action requests and the push batch."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

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
from central.orders import (
    Actor,
    PickupSecret,
    apply_pickup_event,
    create_order,
    needs_pickup,
    new_pickup_secret,
)
from central.problems import Problem
from central.returns import create_return
from retail_rules.canonical import payload_sha256

log = logging.getLogger(__name__)

SUPPORTED_ACTION_VERSIONS = range(1, 2)
OUTCOME_RETENTION_DAYS = 35

# scrypt releases the GIL: a batch's pickup codes are hashed on these threads while the
# batch's earlier actions run their transactions (one worker per core).
_HASHERS = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="pickup-hash")

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


def prepare(action_type: str, payload: dict[str, Any]) -> PickupSecret | None:
    """Slow work done before the transaction, so no lock is held meanwhile: a pickup code's hash."""
    if action_type != "order.create":
        return None
    try:
        body = OrderCreate.model_validate(payload)
    except ValidationError:
        return None  # rejected inside the transaction, with the validation errors recorded
    return new_pickup_secret(body.order_id) if needs_pickup(body) else None


def _run_business(
    tx: Tx,
    actor: Actor,
    action_type: str,
    payload: dict[str, Any],
    action_id: str,
    order_id: str | None,
    prepared: PickupSecret | None,
) -> dict[str, Any]:
    if action_type == "order.create":
        return create_order(tx, actor, _validated(OrderCreate, payload), action_id, prepared)
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
    prepared: PickupSecret | None = None,
) -> Outcome:
    """Run the business logic in a savepoint: a rejection undoes its writes but is recorded."""
    savepoint = tx.conn.begin_nested()
    try:
        body = _run_business(tx, actor, action_type, payload, action_id, order_id, prepared)
    except Problem as problem:
        savepoint.rollback()
        tx.pokes.clear()
        return Outcome("rejected", problem.code, problem.status, problem.body())
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    code = "price_adjusted" if "price_adjusted" in body else "ok"
    version = max(tx.pokes.values()) if tx.pokes else None
    return Outcome("applied", code, _CREATED.get(action_type, 200), body, version)


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


def _record(
    tx: Tx,
    actor: Actor,
    action_id: str,
    action_type: str,
    sha: str,
    outcome: Outcome,
    install_id: str | None,
    seq: int | None,
) -> None:
    tx.conn.execute(
        _RECORD,
        {
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
        },
    )


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
) -> tuple[Outcome, bool]:
    """One action from a single-action endpoint (Idempotency-Key header): (outcome, replayed)."""
    sha = payload_sha256({"order_id": order_id, **payload} if order_id else payload)
    prepared = prepare(action_type, payload)

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
            outcome = _apply(tx, actor, action_type, payload, action_id, order_id, prepared)
            _record(tx, actor, action_id, action_type, sha, outcome, None, None)
            return outcome, False

    return _retrying(work)


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


def push(db: Database, actor: Actor, request: PushRequest) -> dict[str, Any]:
    """Process a batch in seq order, one transaction per action (SYNC_DESIGN 3.4)."""
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
    prepared = [_HASHERS.submit(prepare, action.type, action.payload) for action in request.actions]
    try:
        with db.connection() as conn:
            for action, secret in zip(request.actions, prepared, strict=True):
                try:
                    step = _retrying(partial(_push_one, db, conn, actor, request.install_id, action, secret))
                except OperationalError:
                    log.warning("transient database error in push; asking the client to retry", exc_info=True)
                    retry_after_ms = 1000
                    break
                result, last_applied, stop = step
                if result is not None:
                    results.append(result)
                if stop:
                    break
            else:
                last_applied = _last_applied(db, request.install_id)
    finally:
        for unused in prepared:  # a batch that stopped early leaves its remaining codes unhashed
            unused.cancel()
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


def _push_one(
    db: Database,
    conn: Connection,
    actor: Actor,
    install_id: str,
    action: PushAction,
    secret: Future[PickupSecret | None],
) -> tuple[dict[str, Any] | None, int, bool]:
    """One action in one transaction: (result or None, last_applied_seq, stop the batch)."""
    prepared = secret.result()  # waited for before the transaction, so no lock is held meanwhile
    with db.write(conn) as tx:
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
            last = 0
        elif install.device_id != actor.device_id:
            raise Problem(403, "forbidden", "This install belongs to another device.")
        else:
            last = int(install.last_applied_seq)

        def advance() -> int:
            if action.seq == last + 1:
                tx.conn.execute(_ADVANCE, {"b_install_id": install_id, "b_seq": action.seq})
                return action.seq
            return last

        _lock_key(tx, db, action.action_id)
        row = tx.conn.execute(_APPLIED, {"action_id": action.action_id}).first()
        if row is not None:
            if row.payload_sha256 != action.payload_sha256 or row.action_type != action.type:
                return _result(action, "key_reuse_mismatch", "idempotency_key_reused"), advance(), False
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
                advance(),
                False,
            )
        if action.seq <= last:
            if _business_row_exists(tx.conn, action.type, action.action_id):
                return _result(action, "duplicate", "ok", detail="result_expired"), last, False
            # The seq was used by another action of this install: a copied or restored outbox.
            return _result(action, "fork", "install_forked", last_applied_seq=last), last, True
        if action.seq > last + 1:
            return None, last, True  # a gap: the client resends from last + 1
        if _business_row_exists(tx.conn, action.type, action.action_id):
            advance()
            return _result(action, "duplicate", "ok", detail="result_expired"), action.seq, False

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
            try:
                acting = _authorize_push(tx, actor, action)
                outcome = _apply(tx, acting, action.type, action.payload, action.action_id, None, prepared)
            except Problem as problem:
                outcome = Outcome("rejected", problem.code, problem.status, problem.body())
            except (IntegrityError, OperationalError):
                raise
            except Exception:
                # A bug must not block the terminal forever: park the action for review.
                log.exception("action %s failed with a server error; dead-lettered", action.action_id)
                tx.pokes.clear()
                outcome = Outcome(
                    "needs_review", "server_dead_letter", 500, {"detail": "Sent to HQ for review."}
                )
        _record(
            tx, actor, action.action_id, action.type, action.payload_sha256, outcome, install_id, action.seq
        )
        new_last = advance()
        extra: dict[str, Any] = {"server_version": outcome.server_version, "body": outcome.body}
        return _result(action, outcome.status, outcome.code, **extra), new_last, False


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
