"""Orders: creation with atomic stock reservation, the pickup workflow, and order documents."""

from __future__ import annotations

import json
import secrets
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Insert,
    Update,
    bindparam,
    insert,
    literal_column,
    null,
    select,
    union_all,
    update,
)

from central import schema
from central.auth import Principal
from central.db import Tx
from central.models import OrderCreate, PickupEventIn
from central.passes import public_key_map, sign_pass
from central.problems import Problem
from retail_rules.money import allocate
from retail_rules.pickup import InvalidTransition, PickupEvent, PickupState, next_state
from retail_rules.pickup_code import code_equals, new_pickup_code
from retail_rules.pickup_pass import InvalidPass, verify_pass

HOLD_DAYS = 7
READY_BY_HOURS = 2
PICKUP_KINDS = ("bopis", "curbside")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs an action: a device, and for associate actions the associate."""

    device_id: str
    device_role: str
    location_id: str
    associate_id: str | None
    associate_role: str | None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(
            principal.device_id,
            principal.device_role,
            principal.location_id,
            principal.associate_id,
            principal.associate_role,
        )


def _now() -> float:
    return time.time()


# The statements of the order paths are built once, with bind parameters: building a
# statement costs several times more Python than compiling-from-cache and running it,
# and an order runs about twenty of them.
_S = schema.stock.c
_O = schema.orders.c
_L = schema.order_lines.c
_STOCK_VERSION = (
    update(schema.stock)
    .where(_S.sku == bindparam("b_sku"), _S.location_id == bindparam("b_location"))
    .values(version=bindparam("b_version"), updated_at=bindparam("b_updated_at"))
)
_STOCK_EXISTS = select(_S.sku).where(_S.sku == bindparam("b_sku"), _S.location_id == bindparam("b_location"))
_INSERT_STOCK = insert(schema.stock)
_INSERT_ORDER = insert(schema.orders)
_INSERT_LINES = insert(schema.order_lines)
_ORDER = select(schema.orders).where(_O.id == bindparam("order_id"))
_LOCK_ORDER = _ORDER.with_for_update()
_ORDER_LINES = select(schema.order_lines).where(_L.order_id == bindparam("order_id")).order_by(_L.line_no)
_SET_DOCUMENT = (
    update(schema.orders)
    .where(_O.id == bindparam("b_id"))
    .values(version=bindparam("b_version"), updated_at=bindparam("b_updated_at"), doc=bindparam("b_doc"))
)


def _stock_change(check_available: bool, check_reserved: bool) -> Update:
    where = [_S.sku == bindparam("b_sku"), _S.location_id == bindparam("b_location")]
    if check_available:
        where.append(_S.on_hand - _S.reserved >= bindparam("b_needed"))
    if check_reserved:
        where.append(_S.reserved >= bindparam("b_released"))
    return (
        update(schema.stock)
        .where(*where)
        .values(on_hand=_S.on_hand + bindparam("b_on_hand"), reserved=_S.reserved + bindparam("b_reserved"))
    )


_STOCK_CHANGES = {(a, r): _stock_change(a, r) for a in (False, True) for r in (False, True)}


# What an order names, read in one round trip: its locations, its products and whether its id
# is taken, as rows tagged by ``source``. IN lists have one bind parameter per value, one
# statement per pair of lengths (an order has at most 50 lines): "expanding" parameters would
# re-render the SQL text on every execution.
@lru_cache(maxsize=256)
def _order_lookup(location_count: int, sku_count: int) -> CompoundSelect[Any]:
    loc = schema.locations.c
    product = schema.products.c
    return union_all(
        select(
            literal_column("'location'").label("source"),
            loc.id.label("key"),
            loc.kind,
            loc.currency,
            null().label("data"),
            loc.deleted,
        ).where(loc.id.in_([bindparam(f"l{i}") for i in range(location_count)])),
        select(literal_column("'product'"), product.sku, null(), null(), product.data, product.deleted).where(
            product.sku.in_([bindparam(f"p{i}") for i in range(sku_count)])
        ),
        select(literal_column("'order'"), _O.id, null(), null(), null(), _O.deleted).where(
            _O.id == bindparam("order_id")
        ),
    )


@dataclass(frozen=True, slots=True)
class _Named:
    """What the database holds of the things an order names."""

    places: dict[str, Any]  # live locations by id
    products: dict[str, Any]  # products by sku, deleted ones too
    order_id_taken: bool


def _look_up(conn: Connection, location_ids: set[str], skus: Sequence[str], order_id: str) -> _Named:
    """Read what an order names (``_order_lookup``); checking it is the caller's business."""
    params = {f"l{i}": value for i, value in enumerate(sorted(location_ids))}
    params.update({f"p{i}": value for i, value in enumerate(skus)})
    params["order_id"] = order_id
    places: dict[str, Any] = {}
    products: dict[str, Any] = {}
    taken = False
    for row in conn.execute(_order_lookup(len(location_ids), len(skus)), params):
        if row.source == "location":
            if not row.deleted:
                places[row.key] = row
        elif row.source == "product":
            products[row.key] = row
        else:
            taken = True
    return _Named(places, products, taken)


def _stock_stamps(tx: Tx, keys: list[tuple[str, str]], first_version: int) -> list[dict[str, Any]]:
    """The parameters of ``_STOCK_VERSION`` per stock row (keys in lock order); pokes its stream."""
    now_iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for offset, (_sku, location_id) in enumerate(keys):
        tx.poke(f"stock:{location_id}", first_version + offset)
    return [
        {
            "b_sku": sku,
            "b_location": location_id,
            "b_version": first_version + offset,
            "b_updated_at": now_iso,
        }
        for offset, (sku, location_id) in enumerate(keys)
    ]


def _stock_row_version(tx: Tx, keys: list[tuple[str, str]], first_version: int) -> None:
    tx.conn.execute(_STOCK_VERSION, _stock_stamps(tx, keys, first_version))


# On PostgreSQL a new order's rows are written by one statement: the order's INSERT carries the
# other writes as data-modifying WITH queries, its stock rows' versions (the rows are locked
# already by the reservation) and its lines (their foreign key is checked at the end of the
# statement). One round trip instead of three, failing or succeeding as a whole like the three
# did inside the action's savepoint. One INSERT per line: SQLAlchemy does not cache a statement
# with a multi-row VALUES list.
@lru_cache(maxsize=256)
def _order_writes(key_count: int, line_count: int) -> Insert:
    stamps = [
        update(schema.stock)
        .where(_S.sku == bindparam(f"s{i}_b_sku"), _S.location_id == bindparam(f"s{i}_b_location"))
        .values(version=bindparam(f"s{i}_b_version"), updated_at=bindparam(f"s{i}_b_updated_at"))
        .cte(f"stamp{i}")
        for i in range(key_count)
    ]
    lines = [
        insert(schema.order_lines)
        .values({c.name: bindparam(f"l{i}_{c.name}") for c in schema.order_lines.c})
        .cte(f"line{i}")
        for i in range(line_count)
    ]
    return (
        insert(schema.orders)
        .values({c.name: bindparam(f"o_{c.name}") for c in schema.orders.c})
        .add_cte(*stamps, *lines)
    )


def _flat(prefix: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {f"{prefix}{i}_{name}": value for i, row in enumerate(rows) for name, value in row.items()}


def _write_order(
    tx: Tx,
    keys: list[tuple[str, str]],
    first_version: int,
    order: dict[str, Any],
    lines: list[dict[str, Any]],
) -> None:
    """Give the order's stock rows their versions, and insert the order and its lines."""
    stamps = _stock_stamps(tx, keys, first_version)
    if tx.conn.dialect.name == "postgresql":
        params = {**_flat("s", stamps), **_flat("l", lines), **{f"o_{k}": v for k, v in order.items()}}
        tx.conn.execute(_order_writes(len(stamps), len(lines)), params)
    else:
        tx.conn.execute(_STOCK_VERSION, stamps)
        tx.conn.execute(_INSERT_ORDER, order)
        tx.conn.execute(_INSERT_LINES, lines)


def change_stock(tx: Tx, deltas: dict[tuple[str, str], tuple[int, int]]) -> list[tuple[str, str]]:
    """Apply (on_hand delta, reserved delta) per (sku, location) in the fixed lock order.

    Every change is a conditional update: a decrement that would make availability
    negative changes no row, and the caller learns which keys were short.
    Returns the keys that could not be applied (nothing is applied for them).
    """
    short: list[tuple[str, str]] = []
    for sku, location_id in sorted(deltas):
        d_on_hand, d_reserved = deltas[(sku, location_id)]
        key = {"b_sku": sku, "b_location": location_id}
        # available after = (on_hand + d_on_hand) - (reserved + d_reserved) >= 0
        check_available = d_on_hand - d_reserved < 0
        check_reserved = d_reserved < 0
        result = tx.conn.execute(
            _STOCK_CHANGES[(check_available, check_reserved)],
            {
                **key,
                "b_on_hand": d_on_hand,
                "b_reserved": d_reserved,
                **({"b_needed": d_reserved - d_on_hand} if check_available else {}),
                **({"b_released": -d_reserved} if check_reserved else {}),
            },
        )
        if result.rowcount == 1:
            continue
        if d_on_hand > 0 and d_reserved == 0:
            exists = tx.conn.execute(_STOCK_EXISTS, key).first()
            if exists is None:
                tx.conn.execute(
                    _INSERT_STOCK,
                    {
                        "sku": sku,
                        "location_id": location_id,
                        "on_hand": d_on_hand,
                        "reserved": 0,
                        "version": 0,
                        "updated_at": "",
                    },
                )
                continue
        short.append((sku, location_id))
    return short


def bump_stock_versions(tx: Tx, keys: list[tuple[str, str]]) -> None:
    if keys:
        _stock_row_version(tx, sorted(keys), tx.versions(len(keys)))


def availability(conn: Connection, skus: list[str]) -> list[dict[str, Any]]:
    c = schema.stock.c
    rows = conn.execute(
        select(c.sku, c.location_id, (c.on_hand - c.reserved).label("available"))
        .where(c.sku.in_(skus))
        .order_by(c.sku, c.location_id)
    ).all()
    return [{"sku": r.sku, "location_id": r.location_id, "available": int(r.available)} for r in rows]


def _check_creator(actor: Actor, body: OrderCreate) -> None:
    if actor.device_role == "kiosk":
        if body.kind != "kiosk_request" or body.payment_method != "pay_at_till":
            raise Problem(403, "forbidden", "Kiosks create order requests paid at the till only.")
        if body.store_id != actor.location_id:
            raise Problem(403, "forbidden", "A kiosk orders for its own store only.")
    elif actor.device_role == "associate":
        if body.kind != "endless_aisle":
            raise Problem(403, "forbidden", "Associate devices create endless-aisle orders.")
        if body.store_id != actor.location_id:
            raise Problem(403, "forbidden", "Associates act for their own store only.")
        if actor.associate_id is None:
            raise Problem(403, "associate_required", "An associate must be signed in.")
    elif actor.device_role == "eshop":
        if body.kind not in ("bopis", "curbside", "ship") or body.payment_method != "paid_online":
            raise Problem(403, "forbidden", "The e-shop creates paid online orders only.")
    else:
        raise Problem(403, "forbidden", "This device cannot create orders.")


def needs_pickup(body: OrderCreate) -> bool:
    return body.kind in PICKUP_KINDS or any(
        ln.fulfilment in ("pickup_here", "pickup_other_store") for ln in body.lines
    )


def create_order(tx: Tx, actor: Actor, body: OrderCreate, action_id: str) -> dict[str, Any]:
    """Create an order and reserve its stock atomically; raises Problem and changes nothing.

    A pickup order gets its code here; the code's slow verifier for devices is computed after
    the commit (``central.pickup_verifiers``), so the order is served without one at first.
    """
    conn = tx.conn
    _check_creator(actor, body)
    pickup_store_id = body.pickup_store_id or body.store_id
    location_ids = {body.store_id, pickup_store_id, *(ln.location_id for ln in body.lines)}
    skus = sorted({ln.sku for ln in body.lines})
    named = _look_up(conn, location_ids, skus, body.order_id)
    places = named.places
    unknown = sorted(location_ids - set(places))
    if unknown:
        raise Problem(422, "unknown_location", f"Unknown location {unknown[0]!r}.")
    store = places[body.store_id]
    if store.kind != "store":
        raise Problem(422, "unknown_location", "Orders are placed at a store.")
    if named.order_id_taken:
        raise Problem(409, "order_exists", "An order with this id exists under another key.")
    pickup_lines = [ln for ln in body.lines if ln.fulfilment in ("pickup_here", "pickup_other_store")]
    if body.kind in PICKUP_KINDS and any(ln.fulfilment != "pickup_here" for ln in body.lines):
        raise Problem(422, "invalid_fulfilment", "Pickup orders have pickup_here lines only.")
    if pickup_lines and places[pickup_store_id].kind != "store":
        raise Problem(422, "invalid_fulfilment", "Orders are picked up at a store.")
    currency = store.currency
    found = named.products
    missing = [s for s in skus if s not in found or found[s].deleted]
    if missing:
        raise Problem(422, "unknown_sku", f"Unknown products: {', '.join(missing)}.", skus=missing)
    for ln in body.lines:
        if ln.fulfilment == "take_now" and ln.location_id != body.store_id:
            raise Problem(422, "invalid_fulfilment", "Take-now lines come from this store's shelf.")

    prices = {s: int(json.loads(found[s].data)["prices"][currency]) for s in skus}
    gross = [prices[ln.sku] * ln.qty for ln in body.lines]
    if body.promotion_discount > sum(gross):
        raise Problem(422, "invalid_discount", "The promotion exceeds the order total.")
    discounts = allocate(body.promotion_discount, gross)
    adjustments = [
        {"line_no": i + 1, "quoted": ln.quoted_unit_price, "price": prices[ln.sku]}
        for i, ln in enumerate(body.lines)
        if ln.quoted_unit_price is not None and ln.quoted_unit_price != prices[ln.sku]
    ]

    deltas: dict[tuple[str, str], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for ln in body.lines:
        on_hand, reserved = deltas[(ln.sku, ln.location_id)]
        if ln.fulfilment == "take_now":
            deltas[(ln.sku, ln.location_id)] = (on_hand - ln.qty, reserved)
        else:
            deltas[(ln.sku, ln.location_id)] = (on_hand, reserved + ln.qty)
    short = change_stock(tx, dict(deltas))
    if short:
        raise Problem(
            409,
            "insufficient_stock",
            "Not enough stock for: " + ", ".join(f"{s} at {loc}" for s, loc in short) + ".",
            short=[{"sku": s, "location_id": loc} for s, loc in short],
            available=availability(conn, sorted({s for s, _ in short})),
        )

    now = _now()
    is_pickup = needs_pickup(body)
    state = PickupState.PLACED.value if is_pickup else "confirmed"
    order_store = pickup_store_id if is_pickup else body.store_id
    number = f"{order_store[:2]}{secrets.randbelow(10**8):08d}"
    code = new_pickup_code() if is_pickup else None
    hold_until = now + HOLD_DAYS * 86400 if is_pickup else None
    customer = body.customer
    data: dict[str, Any] = {
        "customer": {
            "first_name": customer.first_name,
            "last_initial": (customer.last_name or "")[:1],
            "phone_last4": (customer.phone or "").replace(" ", "")[-4:],
        },
        "payment_method": body.payment_method,
        "placed_at_store": body.store_id,
        "ready_by": now + READY_BY_HOURS * 3600 if is_pickup else None,
        "note": body.note,
    }
    channel = {"kiosk": "kiosk", "associate": "store", "eshop": "web"}[actor.device_role]
    for_customer: dict[str, Any] = {}
    if code:
        for_customer["pickup_code"] = code
        assert hold_until is not None
        for_customer["pickup_pass"] = sign_pass(conn, body.order_id, number, order_store, int(hold_until))
    order = {
        "id": body.order_id,
        "number": number,
        "client_action_id": action_id,
        "channel": channel,
        "kind": body.kind,
        "store_id": order_store,
        "state": state,
        "currency": currency,
        "created_at": now,
        "updated_at": now,
        "collected_at": None if is_pickup else now,
        "hold_until": hold_until,
        "pickup_code_hash": None,
        "data": json.dumps(data),
        "secret": json.dumps(for_customer) if for_customer else None,
        "version": 0,
        "deleted": False,
    }
    lines = [
        {
            "order_id": body.order_id,
            "line_no": i + 1,
            "sku": ln.sku,
            "qty": ln.qty,
            "unit_price": prices[ln.sku],
            "discount": discounts[i],
            "location_id": ln.location_id,
            "fulfilment": ln.fulfilment,
            "reserved_qty": 0 if ln.fulfilment == "take_now" else ln.qty,
            "picked_qty": None,
            "collected_qty": ln.qty if ln.fulfilment == "take_now" else 0,
            "returned_qty": 0,
        }
        for i, ln in enumerate(body.lines)
    ]
    # One version allocation for the stock rows and the order (counter after the stock rows
    # are locked: see Tx.versions), and the order row is inserted with its document and
    # version, built in memory. Inserting after the counter waits for nobody: any other
    # writer of an order row holds the counter first.
    keys = sorted(deltas)
    first = tx.versions(len(keys) + 1)
    version = first + len(keys)
    order["version"] = version
    doc = _document(order, data, lines)
    doc["version"] = version
    order["doc"] = json.dumps(doc)
    _write_order(tx, keys, first, order, lines)
    tx.poke(f"orders:{order_store}", version)
    result: dict[str, Any] = {"order": doc, **for_customer}
    if adjustments:
        result["price_adjusted"] = adjustments
    return result


def _document(
    order: Mapping[Any, Any], data: dict[str, Any], lines: Sequence[Mapping[Any, Any]]
) -> dict[str, Any]:
    out_lines = [
        {
            "line_no": ln["line_no"],
            "sku": ln["sku"],
            "qty": ln["qty"],
            "unit_price": ln["unit_price"],
            "discount": ln["discount"],
            "paid": ln["unit_price"] * ln["qty"] - ln["discount"],
            "location_id": ln["location_id"],
            "fulfilment": ln["fulfilment"],
            "picked_qty": ln["picked_qty"],
            "collected_qty": ln["collected_qty"],
            "returned_qty": ln["returned_qty"],
        }
        for ln in lines
    ]
    return {
        "id": order["id"],
        "number": order["number"],
        "channel": order["channel"],
        "kind": order["kind"],
        "store_id": order["store_id"],
        "state": order["state"],
        "currency": order["currency"],
        "created_at": order["created_at"],
        "updated_at": order["updated_at"],
        "collected_at": order["collected_at"],
        "hold_until": order["hold_until"],
        "pickup_code_hash": order["pickup_code_hash"],
        "total": sum(ln["paid"] for ln in out_lines),
        "lines": out_lines,
        **data,
    }


def _store_document(tx: Tx, doc: dict[str, Any], version: int, now: float) -> None:
    _store_documents(tx, [doc], version, now)


def _store_documents(tx: Tx, docs: list[dict[str, Any]], first_version: int, now: float) -> None:
    """Write orders' documents with consecutive versions, in one statement."""
    for offset, doc in enumerate(docs):
        doc["version"] = first_version + offset
        doc["updated_at"] = now
    tx.conn.execute(
        _SET_DOCUMENT,
        [
            {"b_id": doc["id"], "b_version": doc["version"], "b_updated_at": now, "b_doc": json.dumps(doc)}
            for doc in docs
        ],
    )
    for doc in docs:
        tx.poke(f"orders:{doc['store_id']}", doc["version"])


def order_document(conn: Connection, order_id: str) -> dict[str, Any]:
    """The order as the app sees it: minimal personal data, lines, state and totals."""
    row = conn.execute(_ORDER, {"order_id": order_id}).one()
    lines = conn.execute(_ORDER_LINES, {"order_id": order_id}).all()
    return _document(row._mapping, json.loads(row.data), [ln._mapping for ln in lines])


def touch_order(tx: Tx, order_id: str) -> dict[str, Any]:
    """Give the order a new version (it is served again on its store's stream)."""
    version = tx.versions(1)
    doc = order_document(tx.conn, order_id)
    _store_document(tx, doc, version, _now())
    return doc


# An order still waiting for its customer: its verifier is worth computing and serving.
VERIFIER_STATES = tuple(
    s.value
    for s in (
        PickupState.PLACED,
        PickupState.PICKING,
        PickupState.PICKED,
        PickupState.STAGED,
        PickupState.READY,
        PickupState.PARTIALLY_COLLECTED,
    )
)
_SET_VERIFIER = (
    update(schema.orders)
    .where(
        _O.id == bindparam("b_id"),
        _O.pickup_code_hash.is_(None),
        _O.state.in_(VERIFIER_STATES),
        _O.deleted.is_(False),
    )
    .values(pickup_code_hash=bindparam("b_hash"))
    .returning(_O.doc)
)


def issued_code(secret: str | None) -> str | None:
    """The pickup code kept with an order (None for an order without one, or a damaged row)."""
    if not secret:
        return None
    try:
        code = json.loads(secret).get("pickup_code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, str) else None


def missing_verifiers(conn: Connection, after_id: str, limit: int) -> list[tuple[str, str | None]]:
    """(order id, code) of open pickup orders without a verifier yet, in id order after ``after_id``.

    The code is None for a row whose stored secret is damaged: nothing can be computed for it.
    """
    rows = conn.execute(
        select(_O.id, _O.secret)
        .where(
            _O.id > after_id,
            _O.pickup_code_hash.is_(None),
            _O.secret.is_not(None),
            _O.state.in_(VERIFIER_STATES),
            _O.deleted.is_(False),
        )
        .order_by(_O.id)
        .limit(limit)
    ).all()
    return [(str(r.id), issued_code(r.secret)) for r in rows]


def store_verifiers(tx: Tx, verifiers: Mapping[str, str]) -> list[str]:
    """Store computed verifiers and serve the orders again; returns the ids updated.

    An order that got one meanwhile, or was collected or cancelled, is left alone. The order
    rows are locked first (in id order) and the version counter last, like every writer. Each
    row's update returns the document it serves (every writer of an order keeps it current),
    so nothing is read again while the counter, which every order waits for, is held.
    """
    docs: list[dict[str, Any]] = []
    for order_id in sorted(verifiers):
        served = tx.conn.execute(_SET_VERIFIER, {"b_id": order_id, "b_hash": verifiers[order_id]}).scalar()
        if served is not None:
            doc = json.loads(served)
            doc["pickup_code_hash"] = verifiers[order_id]
            docs.append(doc)
    if docs:
        _store_documents(tx, docs, tx.versions(len(docs)), _now())
    return [doc["id"] for doc in docs]


def lock_order(conn: Connection, order_id: str) -> Any:
    row = conn.execute(_LOCK_ORDER, {"order_id": order_id}).first()
    if row is None or row.deleted:
        raise Problem(404, "order_not_found", "No such order.")
    return row


def is_supervisor(conn: Connection, actor: Actor, override_id: str | None) -> bool:
    if actor.associate_role == "supervisor":
        return True
    if override_id is None:
        return False
    row = conn.execute(
        select(schema.associates.c.role, schema.associates.c.store_id, schema.associates.c.active).where(
            schema.associates.c.id == override_id
        )
    ).first()
    return bool(row and row.active and row.role == "supervisor" and row.store_id == actor.location_id)


def require_store_associate(actor: Actor, store_id: str) -> None:
    if actor.device_role != "associate" or actor.associate_id is None:
        raise Problem(403, "associate_required", "An associate must be signed in on an associate device.")
    if store_id != actor.location_id:
        raise Problem(403, "forbidden", "Associates act for their own store only.")


def apply_pickup_event(
    tx: Tx, actor: Actor, order_id: str, body: PickupEventIn, action_id: str
) -> dict[str, Any]:
    """One step of the pickup workflow, guarded by the state machine."""
    conn = tx.conn
    order = lock_order(conn, order_id)
    require_store_associate(actor, order.store_id)
    if order.kind not in PICKUP_KINDS and order.state == "confirmed":
        raise Problem(409, "invalid_transition", "This order has no pickup.")
    state = PickupState(order.state)
    event = body.event
    lines = {
        ln.line_no: ln
        for ln in conn.execute(select(schema.order_lines).where(schema.order_lines.c.order_id == order_id))
    }
    if event is PickupEvent.HANDED_OVER and state is PickupState.COLLECTED:
        last = conn.execute(
            select(schema.order_events.c.device_id, schema.order_events.c.at)
            .where(schema.order_events.c.order_id == order_id, schema.order_events.c.event == "handed_over")
            .order_by(schema.order_events.c.id.desc())
            .limit(1)
        ).first()
        raise Problem(
            409,
            "already_collected",
            "The order was already handed over.",
            by=last.device_id if last else None,
            at=last.at if last else None,
        )
    if event is PickupEvent.HANDED_OVER and state is PickupState.CANCELLED:
        raise Problem(409, "order_cancelled", "The order was cancelled.")
    qty_by_line = {lq.line_no: lq.qty for lq in body.lines or []}
    for line_no in qty_by_line:
        if line_no not in lines:
            raise Problem(422, "unknown_line", f"The order has no line {line_no}.")
    fully = False
    if event is PickupEvent.HANDED_OVER:
        fully = _check_handover(conn, actor, order, lines, body, qty_by_line)
    try:
        new_state = next_state(state, event, fully_collected=fully)
    except InvalidTransition as exc:
        raise Problem(409, "invalid_transition", str(exc), state=state.value) from exc

    deltas: dict[tuple[str, str], tuple[int, int]] = {}
    extra: dict[str, Any] = {}
    now = _now()
    if event is PickupEvent.PICKED:
        if set(qty_by_line) != set(lines):
            raise Problem(422, "incomplete_pick", "Report the picked quantity of every line.")
        for line_no, ln in lines.items():
            picked = qty_by_line[line_no]
            if picked > ln.qty:
                raise Problem(422, "invalid_quantity", f"Line {line_no}: picked more than ordered.")
            short = ln.reserved_qty - picked
            if short > 0:  # a short pick gives the reservation of the missing units back
                deltas[(ln.sku, ln.location_id)] = _add(deltas.get((ln.sku, ln.location_id)), 0, -short)
            conn.execute(
                update(schema.order_lines)
                .where(schema.order_lines.c.order_id == order_id, schema.order_lines.c.line_no == line_no)
                .values(picked_qty=picked, reserved_qty=min(ln.reserved_qty, picked))
            )
    elif event is PickupEvent.STAGED:
        if not body.bin or not body.parcels:
            raise Problem(422, "invalid_staging", "Staging needs a bin and at least one parcel.")
        covered = {n for p in body.parcels for n in p.line_nos}
        needed = {n for n, ln in lines.items() if (ln.picked_qty or 0) > 0}
        if not needed <= covered or not covered <= set(lines):
            raise Problem(422, "invalid_staging", "Parcels must hold exactly the picked lines.")
        extra = {"bin": body.bin, "parcels": [p.model_dump() for p in body.parcels]}
    elif event is PickupEvent.CUSTOMER_ARRIVED:
        extra = {"arrived_at": now, "parking_spot": body.parking_spot}
    elif event is PickupEvent.HANDED_OVER:
        for line_no, qty in qty_by_line.items():
            ln = lines[line_no]
            if qty == 0:
                continue
            deltas[(ln.sku, ln.location_id)] = _add(deltas.get((ln.sku, ln.location_id)), -qty, -qty)
            conn.execute(
                update(schema.order_lines)
                .where(schema.order_lines.c.order_id == order_id, schema.order_lines.c.line_no == line_no)
                .values(
                    collected_qty=schema.order_lines.c.collected_qty + qty,
                    reserved_qty=schema.order_lines.c.reserved_qty - qty,
                )
            )
        extra = {"collected_by": body.collected_by, "method": body.method}
    elif event is PickupEvent.EXPIRED:
        if (
            order.hold_until is not None
            and now < order.hold_until
            and not is_supervisor(conn, actor, body.override.supervisor_id if body.override else None)
        ):
            raise Problem(409, "hold_not_expired", "The hold deadline has not passed.")
    elif event in (PickupEvent.RETURNED_TO_STOCK, PickupEvent.CANCELLED):
        if event is PickupEvent.RETURNED_TO_STOCK:
            expected = {n: ln.reserved_qty for n, ln in lines.items() if ln.reserved_qty > 0}
            scanned = {n: q for n, q in qty_by_line.items() if q > 0}
            if scanned != expected:
                raise Problem(
                    422,
                    "return_to_stock_incomplete",
                    "Scan every item back to the shelf.",
                    expected=[{"line_no": n, "qty": q} for n, q in sorted(expected.items())],
                )
        for line_no, ln in lines.items():
            if ln.reserved_qty > 0:
                deltas[(ln.sku, ln.location_id)] = _add(
                    deltas.get((ln.sku, ln.location_id)), 0, -ln.reserved_qty
                )
                conn.execute(
                    update(schema.order_lines)
                    .where(schema.order_lines.c.order_id == order_id, schema.order_lines.c.line_no == line_no)
                    .values(reserved_qty=0)
                )

    if deltas:
        failed = change_stock(tx, deltas)
        if failed:  # the books disagree with the order's own reservation: a bug, not a user error
            raise RuntimeError(f"stock release failed for {failed}")
    data = json.loads(order.data)
    if extra:
        data.setdefault("pickup", {}).update({k: v for k, v in extra.items() if v is not None})
    conn.execute(
        update(schema.orders)
        .where(schema.orders.c.id == order_id)
        .values(
            state=new_state.value,
            data=json.dumps(data),
            collected_at=now if new_state is PickupState.COLLECTED else order.collected_at,
        )
    )
    conn.execute(
        insert(schema.order_events).values(
            order_id=order_id,
            client_action_id=action_id,
            event=event.value,
            data=json.dumps(body.model_dump(mode="json", exclude_none=True, exclude={"pickup_pass", "code"})),
            device_id=actor.device_id,
            associate_id=actor.associate_id,
            at=now,
        )
    )
    bump_stock_versions(tx, list(deltas))
    return {"order": touch_order(tx, order_id)}


def _add(current: tuple[int, int] | None, on_hand: int, reserved: int) -> tuple[int, int]:
    base = current or (0, 0)
    return (base[0] + on_hand, base[1] + reserved)


def _check_handover(
    conn: Connection,
    actor: Actor,
    order: Any,
    lines: dict[int, Any],
    body: PickupEventIn,
    qty_by_line: dict[int, int],
) -> bool:
    """Verify the customer's proof and the scanned parcels; True when everything is collected."""
    if body.method is None:
        raise Problem(422, "invalid_handover", "Say how the customer proved the order is theirs.")
    if body.method == "code":
        if body.code is None or not code_equals(body.code, issued_code(order.secret)):
            raise Problem(422, "pickup_code_mismatch", "The pickup code does not match this order.")
    elif body.method == "pass":
        try:
            parsed = verify_pass(body.pickup_pass or "", public_key_map(conn))
        except InvalidPass as exc:
            raise Problem(422, "invalid_pickup_pass", f"The pickup pass is not valid: {exc}.") from exc
        if parsed.order_id != order.id:
            raise Problem(422, "invalid_pickup_pass", "The pickup pass belongs to another order.")
    elif not is_supervisor(conn, actor, body.override.supervisor_id if body.override else None):
        raise Problem(403, "supervisor_required", "A handover without pass or code needs a supervisor.")
    if not qty_by_line or all(q == 0 for q in qty_by_line.values()):
        raise Problem(422, "invalid_handover", "Name the lines handed over.")
    for line_no, qty in qty_by_line.items():
        ln = lines[line_no]
        if qty > (ln.picked_qty or 0) - ln.collected_qty:
            raise Problem(422, "invalid_quantity", f"Line {line_no}: more than is waiting for pickup.")
    data = json.loads(order.data)
    parcels = data.get("pickup", {}).get("parcels", [])
    needed = {p["parcel_id"] for p in parcels if any(qty_by_line.get(n, 0) > 0 for n in p["line_nos"])}
    missing = needed - set(body.parcels_scanned or [])
    if missing:
        raise Problem(
            422, "parcels_not_scanned", "Scan every parcel being handed over.", missing=sorted(missing)
        )
    return all(
        ln.collected_qty + qty_by_line.get(n, 0) >= (ln.picked_qty or 0)
        for n, ln in lines.items()
        if ln.fulfilment != "take_now"
    )
