"""Delta pull per stream: changes after a cursor, tombstones, heads and must-refetch."""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

from psycopg.types.string import ByteaBinaryLoader
from sqlalchemy import (
    Compiled,
    Connection,
    Dialect,
    Integer,
    LargeBinary,
    Select,
    Table,
    Text,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
)

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


def _scope_column(table: Table) -> Any:
    """The column naming the location of a scoped stream's rows, or None for a whole stream."""
    if table is schema.stock:
        return schema.stock.c.location_id
    if table is schema.orders:
        return schema.orders.c.store_id
    return None


def _scoped(table: Table, ref: StreamRef) -> list[Any]:
    column = _scope_column(table)
    return [] if column is None else [column == ref.scope]


def head(conn: Connection, ref: StreamRef) -> int:
    """The newest version on a stream (0 when empty)."""
    best = 0
    for table, _ in _tables(ref):
        value = conn.execute(select(func.max(table.c.version)).where(*_scoped(table, ref))).scalar()
        best = max(best, int(value or 0))
    return best


def _json_text(dialect: str, column: Any) -> Any:
    """A column as a JSON string literal, produced by the database."""
    if dialect == "postgresql":
        return cast(func.to_json(column), Text)
    return func.json_quote(column)


def _as_utf8(dialect: str, text_expression: Any) -> Any:
    """Text that reaches Python as UTF-8 bytes, never decoded into str and encoded back: SQLite hands
    a BLOB over as it is; PostgreSQL's text is read as bytes by `_page_rows`."""
    if dialect == "postgresql":
        return text_expression
    return cast(text_expression, LargeBinary)


def _change_sql(dialect: str, table: Table, entity: str) -> Any:
    """One change as UTF-8 JSON, assembled by the database: stored JSON is spliced in, never
    parsed and re-encoded, and Python touches one bytes object per row (the hot path at 1M rows)."""
    prefix = literal(f'{{"entity":"{entity}","key":')
    version = cast(table.c.version, Text)
    if table is schema.stock:
        c = schema.stock.c
        data = (
            literal('{"sku":')
            + _json_text(dialect, c.sku)
            + literal(',"location_id":')
            + _json_text(dialect, c.location_id)
            + literal(',"on_hand":')
            + cast(c.on_hand, Text)
            + literal(',"reserved":')
            + cast(c.reserved, Text)
            + literal(',"available":')
            + cast(c.on_hand - c.reserved, Text)
            + literal(',"updated_at":')
            + _json_text(dialect, c.updated_at)
            + literal("}")
        )
        key = c.sku + literal("@") + c.location_id
        return _as_utf8(
            dialect,
            prefix
            + _json_text(dialect, key)
            + literal(',"version":')
            + version
            + literal(',"op":"upsert","data":')
            + data
            + literal("}"),
        )
    key_column = table.c[table.primary_key.columns.keys()[0]]
    data_column = schema.orders.c.doc if table is schema.orders else table.c.data
    return _as_utf8(
        dialect,
        prefix
        + _json_text(dialect, key_column)
        + literal(',"version":')
        + version
        + case(
            (table.c.deleted.is_(True), literal(',"op":"delete"}')),
            else_=literal(',"op":"upsert","data":') + data_column + literal("}"),
        ),
    )


@lru_cache(maxsize=32)
def _page_query(dialect: str, table: Table, entity: str) -> Select[int, bytes]:
    """A table's changes after ``:after`` in version order, at most ``:rows``.

    Built once per table: constructing the statement cost more Python than SQLite takes to run it for
    a small page, and PostgreSQL's driver prepares a statement it sees again by its unchanged text.
    """
    conditions = [table.c.version > bindparam("after")]
    scope = _scope_column(table)
    if scope is not None:
        conditions.append(scope == bindparam("scope"))
    return (
        select(table.c.version, _change_sql(dialect, table, entity))
        .where(*conditions)
        .order_by(table.c.version)
        .limit(bindparam("rows", type_=Integer))
    )


@lru_cache(maxsize=32)
def _compiled(query: Select[int, bytes], dialect: Dialect) -> Compiled:
    """The SQL text and bind names that `_page_rows` hands to the driver's own cursor."""
    return query.compile(dialect=dialect)


def _page_rows(
    conn: Connection, query: Select[int, bytes], params: dict[str, Any]
) -> Sequence[tuple[int, bytes]]:
    """The (version, change) rows of a page query.

    On PostgreSQL the query runs on the driver's own cursor in the binary result format, where a text
    value is just its bytes: read as a bytea's are, they reach Python as they left the database. Through
    SQLAlchemy each change was decoded into str, or, sent as a bytea, doubled into hex and decoded back,
    which cost more than the database took to build the page.
    """
    if conn.dialect.name != "postgresql":
        return conn.execute(query, params).all()
    compiled = _compiled(query, conn.dialect)
    driver_connection = conn.connection.driver_connection
    assert driver_connection is not None  # an open Connection's pooled connection is live
    if driver_connection.info.encoding != "utf-8":
        # Text arrives in the client encoding: UTF-8 until this read transaction ends.
        driver_connection.execute("SET LOCAL client_encoding TO 'UTF8'")
    with driver_connection.cursor(binary=True) as cursor:
        cursor.adapters.register_loader("text", ByteaBinaryLoader)
        cursor.execute(compiled.string, compiled.construct_params(params))
        rows: list[tuple[int, bytes]] = cursor.fetchall()
    return rows


def pull(conn: Connection, ref: StreamRef, cursor: int, limit: int) -> bytes:
    """A page of changes as a UTF-8 JSON document, built as bytes: the hot path at 1M products."""
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
    params = {"after": cursor, "scope": ref.scope, "rows": limit + 1}
    tables = _tables(ref)
    candidates: list[tuple[int, bytes]] = []
    for table, entity in tables:
        candidates += _page_rows(conn, _page_query(conn.dialect.name, table, entity), params)
    if len(tables) > 1:
        # Each table's rows come in version order: the sort only merges the runs.
        candidates.sort(key=itemgetter(0))
    has_more = len(candidates) > limit
    page = candidates[:limit]
    next_cursor = make_cursor(page[-1][0] if page else cursor)
    body = b",".join([change for _, change in page])
    checksum = f"crc32:{zlib.crc32(body):08x}"
    head_ = f'{{"stream":{json.dumps(ref.name)},"changes":['.encode()
    # The stream's newest version lets a client show how far a long first load has come.
    stream_version = head(conn, ref)
    tail = (
        f'],"next_cursor":"{next_cursor}","has_more":{"true" if has_more else "false"},'
        f'"checksum":"{checksum}","server_version":{current},"stream_version":{stream_version}}}'
    ).encode()
    return b"".join((head_, body, tail))


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
