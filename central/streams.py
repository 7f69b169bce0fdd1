"""Delta pull per stream: changes after a cursor, tombstones, heads and must-refetch."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, select

from central import schema
from central.auth import Principal
from central.problems import Problem

CURSOR_PREFIX = "v1."
MAX_LIMIT = 5000
DEFAULT_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class StreamRef:
    name: str
    kind: str  # locations | catalog | reviews | stock | orders
    scope: str | None  # the location of stock:/orders: streams


def parse_stream(name: str) -> StreamRef:
    if name in ("locations", "catalog", "reviews"):
        return StreamRef(name, name, None)
    kind, sep, scope = name.partition(":")
    if (
        sep
        and kind in ("stock", "orders")
        and scope
        and len(scope) <= 32
        and scope.replace("-", "").isalnum()
    ):
        return StreamRef(name, kind, scope)
    raise Problem(404, "unknown_stream", f"Unknown stream {name!r}.")


def authorize_stream(conn: Connection, principal: Principal, ref: StreamRef) -> None:
    if ref.scope is not None:
        location = conn.execute(
            select(schema.locations.c.kind).where(schema.locations.c.id == ref.scope)
        ).first()
        if location is None:
            raise Problem(404, "unknown_stream", f"Unknown location in {ref.name!r}.")
    # Pickup and return orders carry personal data: only the store's own associates.
    if ref.kind == "orders" and (principal.device_role != "associate" or principal.location_id != ref.scope):
        raise Problem(403, "forbidden", "Orders are readable by the store's associate devices only.")


def permitted_streams(conn: Connection, principal: Principal) -> list[str]:
    names = ["locations", "catalog", "reviews"]
    names += [
        f"stock:{r.id}" for r in conn.execute(select(schema.locations.c.id).order_by(schema.locations.c.id))
    ]
    if principal.device_role == "associate":
        names.append(f"orders:{principal.location_id}")
    return names


def parse_cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    if not cursor.startswith(CURSOR_PREFIX) or len(cursor) > 24:
        raise Problem(400, "invalid_cursor", "The cursor is not one this server issued.")
    digits = cursor[len(CURSOR_PREFIX) :]
    if not digits.isdigit() or not digits.isascii():
        raise Problem(400, "invalid_cursor", "The cursor is not one this server issued.")
    return int(digits)


def make_cursor(version: int) -> str:
    return f"{CURSOR_PREFIX}{version}"


def _tables(ref: StreamRef) -> list[tuple[Table, str]]:
    return {
        "locations": [(schema.locations, "location")],
        "catalog": [(schema.categories, "category"), (schema.products, "product")],
        "reviews": [(schema.reviews, "review")],
        "stock": [(schema.stock, "stock")],
        "orders": [(schema.orders, "order")],
    }[ref.kind]


def _scoped(table: Table, ref: StreamRef) -> list[Any]:
    if table is schema.stock:
        return [schema.stock.c.location_id == ref.scope]
    if table is schema.orders:
        return [schema.orders.c.store_id == ref.scope]
    return []


def head(conn: Connection, ref: StreamRef) -> int:
    """The newest version on a stream (0 when empty)."""
    best = 0
    for table, _ in _tables(ref):
        value = conn.execute(select(func.max(table.c.version)).where(*_scoped(table, ref))).scalar()
        best = max(best, int(value or 0))
    return best


def _change(table: Table, entity: str, row: Any) -> str:
    """One change as JSON text; stored JSON is spliced in, never parsed and re-encoded."""
    if table is schema.stock:
        key = f"{row.sku}@{row.location_id}"
        data = json.dumps(
            {
                "sku": row.sku,
                "location_id": row.location_id,
                "on_hand": row.on_hand,
                "reserved": row.reserved,
                "available": row.on_hand - row.reserved,
                "updated_at": row.updated_at,
            }
        )
        deleted = False
    else:
        key = str(row[0])
        deleted = bool(row.deleted)
        data = row.data
    head_ = f'{{"entity":"{entity}","key":{json.dumps(key)},"version":{row.version},'
    if deleted:
        return head_ + '"op":"delete"}'
    return head_ + f'"op":"upsert","data":{data}}}'


def _columns(table: Table) -> list[Any]:
    if table is schema.stock:
        c = schema.stock.c
        return [c.sku, c.location_id, c.on_hand, c.reserved, c.updated_at, c.version]
    if table is schema.orders:
        o = schema.orders.c
        return [o.id, o.doc.label("data"), o.version, o.deleted]
    return [table.c[table.primary_key.columns.keys()[0]], table.c.data, table.c.version, table.c.deleted]


def pull(conn: Connection, ref: StreamRef, cursor: int, limit: int) -> str:
    """A page of changes as a JSON document (built as text: the hot path at 1M products)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Problem(400, "invalid_limit", f"limit must be between 1 and {MAX_LIMIT}.")
    horizon = conn.execute(
        select(schema.stream_horizon.c.min_version).where(schema.stream_horizon.c.stream == ref.kind)
    ).scalar()
    current = int(conn.execute(select(schema.version_counter.c.value)).scalar_one())
    if cursor > current:
        raise Problem(
            409,
            "must_refetch",
            "The cursor is ahead of this server.",
            control="must-refetch",
            reason="cursor_ahead",
        )
    if horizon is not None and 0 < cursor < int(horizon):
        raise Problem(
            409,
            "must_refetch",
            "The cursor is older than the kept tombstones.",
            control="must-refetch",
            reason="cursor_expired",
        )
    candidates: list[tuple[int, str]] = []
    for table, entity in _tables(ref):
        rows = conn.execute(
            select(*_columns(table))
            .where(table.c.version > cursor, *_scoped(table, ref))
            .order_by(table.c.version)
            .limit(limit + 1)
        )
        candidates.extend((int(row.version), _change(table, entity, row)) for row in rows)
    candidates.sort(key=lambda item: item[0])
    has_more = len(candidates) > limit
    page = candidates[:limit]
    next_cursor = make_cursor(page[-1][0] if page else cursor)
    body = ",".join(text for _, text in page)
    checksum = f"crc32:{zlib.crc32(body.encode()):08x}"
    return (
        f'{{"stream":{json.dumps(ref.name)},"changes":[{body}],"next_cursor":"{next_cursor}",'
        f'"has_more":{"true" if has_more else "false"},"checksum":"{checksum}","server_version":{current}}}'
    )


def purge_tombstones(conn: Connection, kind: str, below_version: int) -> int:
    """Delete tombstones older than ``below_version``.

    A client whose cursor is below the newest purged version may have missed a delete, so
    it must refetch; the stream's horizon records that version.
    """
    ref = StreamRef(kind, kind, None)
    removed = 0
    for table, _ in _tables(ref):
        if "deleted" not in table.c:
            continue
        result = conn.execute(
            table.delete().where(table.c.deleted.is_(True), table.c.version < below_version)
        )
        removed += int(result.rowcount)
    existing = conn.execute(
        select(schema.stream_horizon.c.min_version).where(schema.stream_horizon.c.stream == kind)
    ).scalar()
    horizon = below_version - 1
    if existing is None:
        conn.execute(schema.stream_horizon.insert().values(stream=kind, min_version=horizon))
    else:
        conn.execute(
            schema.stream_horizon.update()
            .where(schema.stream_horizon.c.stream == kind)
            .values(min_version=max(int(existing), horizon))
        )
    return removed
