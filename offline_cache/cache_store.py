"""The disposable local cache (``cache.db``): pulled streams, cursors, and reads with the outbox overlay.

Anything here can be pulled again, so the file runs with synchronous=NORMAL and is simply deleted
and rebuilt when its schema version is not ours. Each thread gets its own connection (the puller
writes pages on a worker thread while the UI reads); WAL gives every reader a consistent snapshot,
so a page, or a whole refetch swap, appears at once or not at all.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import sqlite_utils

from offline_cache.database import (
    DatabaseCorrupt,
    connect,
    is_corruption,
    remove_database_files,
    user_version,
    write_transaction,
)
from offline_cache.outbox import Reservation
from offline_cache.protocol import JsonText, stream_kind
from offline_cache.recovery import cache_problem, set_aside_corrupt_cache
from offline_cache.remote import Change, PullPage
from offline_cache.search import (
    PRODUCT_SEARCH_COLUMNS,
    apply_product_changes,
    categories_changed,
    create_index,
    json_int_sql,
    json_text_sql,
    product_columns,
    product_columns_of,
    rebuild_index,
)

log = logging.getLogger(__name__)

CACHE_FILE: Final = "cache.db"
CACHE_SCHEMA: Final = 4  # 2: search columns and search_* tables; 3: search_term; 4: docids in exact order
BULK_CHECKPOINT_PAGES: Final = 16_384  # 64 MiB of WAL between checkpoints during a full load
ROWS_PER_STATEMENT: Final = 250  # changes one INSERT statement writes (see `_write_changes`)

# One CREATE TABLE per cached table; ``{name}`` lets the same shape serve as a refetch shadow.
TABLE_DDL: Final[Mapping[str, str]] = {
    "location": "CREATE TABLE {name} (location_id TEXT PRIMARY KEY, kind TEXT, version INTEGER NOT NULL, "
    "data TEXT NOT NULL)",
    "category": "CREATE TABLE {name} (category_id TEXT PRIMARY KEY, parent_id TEXT, "
    "version INTEGER NOT NULL, data TEXT NOT NULL)",
    # brand .. search_text: offline_cache.search's PRODUCT_SEARCH_COLUMNS, taken from data once as it lands.
    "product": "CREATE TABLE {name} (sku TEXT PRIMARY KEY, gtin TEXT, parent_sku TEXT, category_id TEXT, "
    "version INTEGER NOT NULL, data TEXT NOT NULL, brand TEXT, popularity INTEGER NOT NULL, "
    "rating REAL NOT NULL, rating_count INTEGER NOT NULL, price_eur INTEGER, price_czk INTEGER, "
    "price_pln INTEGER, search_text TEXT NOT NULL)",
    "stock": "CREATE TABLE {name} (sku TEXT NOT NULL, location_id TEXT NOT NULL, on_hand INTEGER NOT NULL, "
    "reserved INTEGER NOT NULL, available INTEGER NOT NULL, version INTEGER NOT NULL, updated_at TEXT, "
    "PRIMARY KEY (sku, location_id))",
    "review": "CREATE TABLE {name} (review_id TEXT PRIMARY KEY, sku TEXT, rating INTEGER, "
    "version INTEGER NOT NULL, data TEXT NOT NULL)",
    "store_order": "CREATE TABLE {name} (order_id TEXT PRIMARY KEY, store_id TEXT NOT NULL, number TEXT, "
    "state TEXT, version INTEGER NOT NULL, data TEXT NOT NULL)",
}
INDEXES: Final[Mapping[str, tuple[str, ...]]] = {
    "product": (
        "CREATE INDEX product_gtin ON product(gtin)",
        "CREATE INDEX product_parent ON product(parent_sku)",
    ),
    "stock": ("CREATE INDEX stock_location ON stock(location_id)",),
    "review": ("CREATE INDEX review_sku ON review(sku)",),
    "store_order": (
        "CREATE INDEX store_order_number ON store_order(number)",
        "CREATE INDEX store_order_store ON store_order(store_id)",
    ),
}
SYNC_STREAM_DDL: Final = (
    "CREATE TABLE sync_stream (stream TEXT PRIMARY KEY, cursor TEXT, needs_refetch INTEGER NOT NULL "
    "DEFAULT 0, refetch_cursor TEXT, checksum TEXT, last_pull_ok_at TEXT, caught_up_version INTEGER, "
    "server_version INTEGER, changes_applied INTEGER NOT NULL DEFAULT 0)"
)
# Names, or lists of names (or of ``?``) joined by ", " or " = ? AND ".
_NAME_PART = r"((excluded\.)?[a-z_0-9?]+|CAST\(\? AS TEXT\))"
_SAFE_NAME = re.compile(rf"^{_NAME_PART}((, | = \? AND ){_NAME_PART})*$")


class StaleCursor(Exception):
    """The stream moved since the page was asked for (another puller); the page is dropped unapplied."""


def _text(data: Mapping[str, object], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _int(data: Mapping[str, object], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _json(data: Mapping[str, object] | None) -> str | bytes:
    # The wire parser hands objects with their JSON text as the server sent it (``text``, UTF-8 bytes):
    # storing it spares an encoding per row. Data columns take it through CAST(? AS TEXT).
    text = getattr(data, "text", None)
    if type(text) is bytes:
        return text
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class EntityTable:
    """How one entity of a stream lands in its table."""

    table: str
    columns: tuple[str, ...]
    key_columns: tuple[str, ...]
    row: Callable[[Change], tuple[object, ...]]
    key: Callable[[str], tuple[str, ...]] = lambda key: (key,)
    # The same row as SQL over the change's key ``k``, version ``v`` and JSON text ``d``: rows are
    # then made by SQLite from the text, never read into Python (None: `row` makes them).
    sql: tuple[str, ...] | None = None


def _stock_key(key: str) -> tuple[str, str]:
    sku, _, location_id = key.rpartition("@")
    return sku, location_id


def _stock_row(c: Change) -> tuple[object, ...]:
    d = c.data or {}
    on_hand, reserved = _int(d, "on_hand") or 0, _int(d, "reserved") or 0
    sku, location_id = _stock_key(c.key)
    return (sku, location_id, on_hand, reserved, on_hand - reserved, c.version, _text(d, "updated_at"))


def _product_row(c: Change) -> tuple[object, ...]:
    # The hot path of a full load (a million calls): plain attribute reads, exact type checks. Data
    # read off the wire comes as text with its few indexed members already read (`JsonText.index`).
    d = {} if c.data is None else c.data
    if type(d) is JsonText:
        i = d.index
        gtin, parent_sku, category_id = i.gtin, i.parent_sku, i.category_id
        columns = product_columns_of(i.brand, i.popularity, i.rating, i.prices, i.names)
    else:
        get = d.get
        gtin, parent_sku, category_id = get("gtin"), get("parent_sku"), get("category_id")
        columns = product_columns(d)
    return (
        c.key,
        gtin if type(gtin) is str else None,
        parent_sku if type(parent_sku) is str else None,
        category_id if type(category_id) is str else None,
        c.version,
        _json(d),
        *columns,
    )


def _raw_row(c: Change) -> tuple[object, ...]:
    """What an entity with ``sql`` columns binds: its key, version and JSON text."""
    return (c.key, c.version, _json(c.data))


ENTITIES: Final[Mapping[str, EntityTable]] = {
    "location": EntityTable(
        "location",
        ("location_id", "kind", "version", "data"),
        ("location_id",),
        _raw_row,
        sql=("k", json_text_sql("d", "$.kind"), "v", "d"),
    ),
    "category": EntityTable(
        "category",
        ("category_id", "parent_id", "version", "data"),
        ("category_id",),
        _raw_row,
        sql=("k", json_text_sql("d", "$.parent_id"), "v", "d"),
    ),
    "product": EntityTable(
        "product",
        ("sku", "gtin", "parent_sku", "category_id", "version", "data", *PRODUCT_SEARCH_COLUMNS),
        ("sku",),
        _product_row,
    ),
    "stock": EntityTable(
        "stock",
        ("sku", "location_id", "on_hand", "reserved", "available", "version", "updated_at"),
        ("sku", "location_id"),
        _stock_row,
        _stock_key,
    ),
    "review": EntityTable(
        "review",
        ("review_id", "sku", "rating", "version", "data"),
        ("review_id",),
        _raw_row,
        sql=("k", json_text_sql("d", "$.sku"), json_int_sql("d", "$.rating", "NULL"), "v", "d"),
    ),
    "order": EntityTable(
        "store_order",
        ("order_id", "store_id", "number", "state", "version", "data"),
        ("order_id",),
        _raw_row,
        sql=(
            "k",
            f"coalesce({json_text_sql('d', '$.store_id')}, '')",
            json_text_sql("d", "$.number"),
            json_text_sql("d", "$.state"),
            "v",
            "d",
        ),
    ),
}
# The tables a stream fills, and the column that scopes a per-location stream within them.
STREAM_TABLES: Final[Mapping[str, tuple[tuple[str, ...], str | None]]] = {
    "locations": (("location",), None),
    "catalog": (("category", "product"), None),
    "reviews": (("review",), None),
    "stock": (("stock",), "location_id"),
    "orders": (("store_order",), "store_id"),
}


@dataclass(frozen=True, slots=True)
class StreamState:
    stream: str
    cursor: str | None
    needs_refetch: bool
    refetch_cursor: str | None
    checksum: str | None
    last_pull_ok_at: str | None
    caught_up_version: int | None  # server version the stream was complete at, last time it was
    server_version: int | None
    changes_applied: int

    @property
    def position(self) -> str | None:
        """Where the next pull continues: the rebuild's cursor while refetching."""
        return self.refetch_cursor if self.needs_refetch else self.cursor


@dataclass(frozen=True, slots=True)
class StockLevel:
    """Stock of one SKU at one location as the screen shows it."""

    sku: str
    location_id: str
    on_hand: int
    reserved: int
    available: int  # as the server last said
    pending_local: int  # taken by this device's queued (or not yet pulled) orders
    updated_at: str | None

    @property
    def displayed_available(self) -> int:
        return max(0, self.available - self.pending_local)


class CacheStore:
    """``cache.db``; safe to use from several threads, each with its own connection."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self._path = Path(path)
        self._clock = clock
        self._local = threading.local()
        self._connections: list[sqlite_utils.Database] = []
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def open(cls, path: Path, *, clock: Callable[[], float] = time.time, repair: bool = True) -> CacheStore:
        """Open ``cache.db``, rebuilding it empty when it is damaged or was made by another schema version.

        A damaged file (SQLITE_CORRUPT, SQLITE_NOTADB or a failed quick_check) is set aside as
        ``cache.db.corrupt-<ts>`` and every stream is then pulled again; the outbox is not touched.
        ``repair=False`` (inspection, while the app may hold the file) raises DatabaseCorrupt
        instead and moves nothing.
        """
        path = Path(path)
        try:
            problem = cache_problem(path)
            if problem is None:
                _open_schema(path)
                return cls(path, clock)
        except sqlite3.DatabaseError as exc:
            if not is_corruption(exc):
                raise
            problem = str(exc)
        if not repair:
            raise DatabaseCorrupt(f"{path}: {problem}")
        set_aside_corrupt_cache(path, problem, clock=clock)
        _open_schema(path)
        return cls(path, clock)

    def rebuild_corrupt(self, reason: str) -> Path:
        """Damage found at run time (SQLITE_CORRUPT from a read or a page write): set aside, start empty.

        For the sync engine, at a safe point: between pages, with no transaction open. Every
        connection is closed first; other threads reconnect, to the new file, on their next read.
        Returns where the damaged file went.
        """
        with self._lock:
            for db in self._connections:
                db.close()
            self._connections.clear()
            self._local = threading.local()
            aside = set_aside_corrupt_cache(self._path, reason, clock=self._clock)
            _open_schema(self._path)
        return aside

    @property
    def path(self) -> Path:
        return self._path

    def _db(self) -> sqlite_utils.Database:
        db: sqlite_utils.Database | None = getattr(self._local, "db", None)
        if db is None:
            if self._closed:
                raise RuntimeError("the cache is closed")
            db = connect(self._path, synchronous="NORMAL", check_same_thread=False)
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    def reader(self) -> sqlite_utils.Database:
        """This thread's connection, for the read-only query modules of ``offline_cache`` (search, product).

        Each thread gets its own connection; under WAL each read sees one consistent snapshot.
        """
        return self._db()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

    # -- streams ----------------------------------------------------------------------------------------

    def stream(self, stream: str) -> StreamState:
        row = (
            self._db()
            .execute(
                "SELECT stream, cursor, needs_refetch, refetch_cursor, checksum, last_pull_ok_at, "
                "caught_up_version, server_version, changes_applied FROM sync_stream WHERE stream = ?",
                (stream,),
            )
            .fetchone()
        )
        if row is None:
            return StreamState(stream, None, False, None, None, None, None, None, 0)
        return StreamState(row[0], row[1], bool(row[2]), *row[3:])

    def streams(self) -> list[StreamState]:
        names = [r[0] for r in self._db().execute("SELECT stream FROM sync_stream ORDER BY stream")]
        return [self.stream(name) for name in names]

    def cursor(self, stream: str) -> str | None:
        return self.stream(stream).cursor

    def _now(self) -> str:
        return datetime.fromtimestamp(self._clock(), UTC).isoformat(timespec="seconds")

    # -- applying pages -------------------------------------------------------------------------------------

    def apply_page(self, stream: str, page: PullPage, after: str | None) -> int:
        """Write a page's changes AND the stream's new cursor in one transaction; returns changes applied.

        ``after`` is the cursor the page was asked with: if the stream has moved since, the page is
        stale and nothing is written (StaleCursor).
        """
        with write_transaction(self._db()) as conn:
            state = self._state_row(conn, stream)
            if state["needs_refetch"]:
                raise StaleCursor(f"{stream} is being rebuilt; a delta page does not apply")
            if state["cursor"] != after:
                raise StaleCursor(f"{stream} is at {state['cursor']!r}, the page continues {after!r}")
            _write_changes(conn, page.changes, None)
            conn.execute(
                "UPDATE sync_stream SET cursor = ?, checksum = ?, last_pull_ok_at = ?, server_version = ?, "
                "caught_up_version = CASE WHEN ? THEN caught_up_version ELSE ? END, "
                "changes_applied = changes_applied + ? WHERE stream = ?",
                (
                    page.next_cursor,
                    page.checksum,
                    self._now(),
                    page.server_version,
                    page.has_more,
                    page.server_version,
                    len(page.changes),
                    stream,
                ),
            )
        return len(page.changes)

    def begin_refetch(self, stream: str) -> None:
        """Persist needs_refetch first (crash-safe), then start empty shadow copies of the stream's tables."""
        with write_transaction(self._db()) as conn:
            self._state_row(conn, stream)
            conn.execute(
                "UPDATE sync_stream SET needs_refetch = 1, refetch_cursor = NULL WHERE stream = ?", (stream,)
            )
            for table, shadow in self._shadows(conn, stream):
                conn.execute(_sql("DROP TABLE IF EXISTS {s}", s=shadow))
                conn.execute(_sql(TABLE_DDL[table], name=shadow))

    def refetch_ready(self, stream: str) -> bool:
        """Whether a rebuild can continue where it stopped (its shadow tables survived)."""
        db = self._db()
        row = db.execute("SELECT rowid FROM sync_stream WHERE stream = ?", (stream,)).fetchone()
        if row is None:
            return False
        names = set(db.table_names())
        return all(shadow in names for _, shadow in _shadow_names(int(row[0]), stream))

    def apply_refetch_page(self, stream: str, page: PullPage, after: str | None) -> int:
        """A page of a rebuild goes to the shadow tables; the last one swaps them in, in the same transaction.

        Readers keep seeing the old rows until that commit, then the new ones: never an empty table.
        """
        db = self._db()
        with write_transaction(db) as conn:
            _bulk_pragmas(conn, True)  # settings, not data: they take effect inside the transaction
            state = self._state_row(conn, stream)
            if not state["needs_refetch"] or state["refetch_cursor"] != after:
                raise StaleCursor(f"{stream}: the rebuild is at {state['refetch_cursor']!r}, not {after!r}")
            shadows = self._shadows(conn, stream)
            _write_changes(conn, page.changes, dict(shadows))
            if page.has_more:
                conn.execute(
                    "UPDATE sync_stream SET refetch_cursor = ? WHERE stream = ?", (page.next_cursor, stream)
                )
                return len(page.changes)
            kind, scope = stream_kind(stream)
            scope_column = STREAM_TABLES[kind][1]
            for table, shadow in shadows:
                if scope_column is None or _holds_only(conn, table, scope_column, scope):
                    # The stream owns the whole table (or is all it holds, as a kiosk's own store's
                    # stock): rename the shadow in rather than copy it row by row.
                    conn.execute(_sql("DROP TABLE {t}", t=table))
                    conn.execute(_sql("ALTER TABLE {s} RENAME TO {t}", s=shadow, t=table))
                    for index in INDEXES.get(table, ()):
                        conn.execute(index)
                else:
                    conn.execute(_sql("DELETE FROM {t} WHERE {c} = ?", t=table, c=scope_column), (scope,))
                    conn.execute(_sql("INSERT INTO {t} SELECT * FROM {s}", t=table, s=shadow))
                    conn.execute(_sql("DROP TABLE {s}", s=shadow))
            if kind == "catalog":
                started = time.perf_counter()
                rebuild_index(conn)
                log.info("catalog search index rebuilt in %.1f s", time.perf_counter() - started)
            conn.execute(
                "UPDATE sync_stream SET cursor = ?, needs_refetch = 0, refetch_cursor = NULL, checksum = ?, "
                "last_pull_ok_at = ?, server_version = ?, caught_up_version = ?, "
                "changes_applied = changes_applied + ? WHERE stream = ?",
                (
                    page.next_cursor,
                    page.checksum,
                    self._now(),
                    page.server_version,
                    page.server_version,
                    len(page.changes),
                    stream,
                ),
            )
        # Only after a swap: a failed one is retried as bulk work, or the connection is dropped.
        _bulk_pragmas(db.conn, False)
        log.info("%s rebuilt from a full refetch", stream)
        return len(page.changes)

    def _state_row(self, conn: sqlite3.Connection, stream: str) -> dict[str, Any]:
        stream_kind(stream)  # refuses names we cannot map to tables
        conn.execute("INSERT OR IGNORE INTO sync_stream (stream) VALUES (?)", (stream,))
        cursor, needs_refetch, refetch_cursor = conn.execute(
            "SELECT cursor, needs_refetch, refetch_cursor FROM sync_stream WHERE stream = ?", (stream,)
        ).fetchone()
        return {"cursor": cursor, "needs_refetch": bool(needs_refetch), "refetch_cursor": refetch_cursor}

    def _shadows(self, conn: sqlite3.Connection, stream: str) -> list[tuple[str, str]]:
        """(table, shadow table) pairs; shadows are named by the stream's rowid, never by its text."""
        rowid = conn.execute("SELECT rowid FROM sync_stream WHERE stream = ?", (stream,)).fetchone()[0]
        return _shadow_names(int(rowid), stream)

    # -- reading ---------------------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows held per known stream."""
        db = self._db()
        found: dict[str, int] = {}
        for state in self.streams():
            kind, scope = stream_kind(state.stream)
            tables, scope_column = STREAM_TABLES[kind]
            total = 0
            for table in tables:
                if scope_column is None:
                    total += db.execute(_sql("SELECT COUNT(*) FROM {t}", t=table)).fetchone()[0]
                else:
                    total += db.execute(
                        _sql("SELECT COUNT(*) FROM {t} WHERE {c} = ?", t=table, c=scope_column), (scope,)
                    ).fetchone()[0]
            found[state.stream] = int(total)
        return found

    def location_ids(self, kind: str | None = None) -> list[str]:
        if kind is None:
            rows = self._db().execute("SELECT location_id FROM location ORDER BY location_id")
        else:
            rows = self._db().execute(
                "SELECT location_id FROM location WHERE kind = ? ORDER BY location_id", (kind,)
            )
        return [r[0] for r in rows]

    def location(self, location_id: str) -> dict[str, Any] | None:
        return self._data("SELECT data FROM location WHERE location_id = ?", location_id)

    def product(self, sku: str) -> dict[str, Any] | None:
        return self._data("SELECT data FROM product WHERE sku = ?", sku)

    def order(self, order_id: str) -> dict[str, Any] | None:
        return self._data("SELECT data FROM store_order WHERE order_id = ?", order_id)

    def _data(self, sql: str, key: str) -> dict[str, Any] | None:
        row = self._db().execute(sql, (key,)).fetchone()
        if row is None:
            return None
        data: dict[str, Any] = json.loads(row[0])
        return data

    def stock_for(self, sku: str, reservations: Iterable[Reservation] = ()) -> list[StockLevel]:
        """Stock per location with this device's own orders subtracted until the stream shows them.

        A pending order.create always counts. An applied one counts until the location's stock
        stream has caught up with the server version its effect landed at: removing it earlier
        would make availability flicker up, then down again.
        """
        caught_up = {
            s.stream: s.caught_up_version or 0 for s in self.streams() if s.stream.startswith("stock:")
        }
        taken: dict[str, int] = {}
        for r in reservations:
            if r.sku != sku:
                continue
            if r.state == "pending" or (
                r.server_version is not None and caught_up.get(f"stock:{r.location_id}", 0) < r.server_version
            ):
                taken[r.location_id] = taken.get(r.location_id, 0) + r.qty
        rows = self._db().execute(
            "SELECT location_id, on_hand, reserved, available, updated_at FROM stock WHERE sku = ? "
            "ORDER BY location_id",
            (sku,),
        )
        return [
            StockLevel(sku, loc, on_hand, reserved, available, taken.get(loc, 0), updated_at)
            for loc, on_hand, reserved, available, updated_at in rows
        ]


def _open_schema(path: Path) -> None:
    """Create the schema in a new file; recreate a file of another schema version."""
    db = connect(path, synchronous="NORMAL")
    try:
        if _prepare(db) is not None:
            return
    finally:
        db.close()
    log.warning("cache %s was made by another schema version: rebuilding it", path)
    remove_database_files(path)
    db = connect(path, synchronous="NORMAL")
    try:
        _prepare(db)
    finally:
        db.close()


def _prepare(db: sqlite_utils.Database) -> int | None:
    """Create the schema in a new file; the version found, or None when it is not ours.

    Checked inside the write transaction, so two processes opening a new file at once do not
    both try to create it.
    """
    with write_transaction(db) as conn:
        version = user_version(db)
        if version == CACHE_SCHEMA:
            return version
        if version != 0 or db.table_names():
            return None
        conn.execute(SYNC_STREAM_DDL)
        for table, ddl in TABLE_DDL.items():
            conn.execute(_sql(ddl, name=table))
        for indexes in INDEXES.values():
            for index in indexes:
                conn.execute(index)
        create_index(conn)
        conn.execute(f"PRAGMA user_version = {CACHE_SCHEMA}")
    return CACHE_SCHEMA


def _holds_only(conn: sqlite3.Connection, table: str, column: str, scope: str | None) -> bool:
    """Whether ``table`` has no row of another scope than ``scope`` (an index on ``column`` answers)."""
    other = conn.execute(
        _sql("SELECT 1 FROM {t} WHERE {c} < ? OR {c} > ? LIMIT 1", t=table, c=column), (scope, scope)
    ).fetchone()
    return other is None


def _bulk_pragmas(conn: sqlite3.Connection, bulk: bool) -> None:
    """Checkpoints for a full load (shadow pages and the swap), or back to SQLite's usual ones.

    Rarer, larger checkpoints spare copying the shadow tables' hot pages (the b-trees' right edges)
    back on every page's commit. A bigger page cache was measured too: no gain, 40-80 MB more RSS.
    """
    conn.execute(f"PRAGMA wal_autocheckpoint = {int(BULK_CHECKPOINT_PAGES if bulk else 1000)}")


def _sql(template: str, **identifiers: str) -> str:
    """SQL with table and column names filled in; names come from this module's constants and are checked."""
    for name in identifiers.values():
        if not _SAFE_NAME.match(name):
            raise ValueError(f"not a safe SQL identifier: {name!r}")
    return template.format(**identifiers)


def _shadow_names(rowid: int, stream: str) -> list[tuple[str, str]]:
    kind, _ = stream_kind(stream)
    pairs = [(table, f"refetch_{rowid}_{table}") for table in STREAM_TABLES[kind][0]]
    assert all(_SAFE_NAME.match(shadow) for _, shadow in pairs)
    return pairs


def _row_marks(spec: EntityTable) -> str:
    # Data arrives as UTF-8 bytes (see `_json`): SQLite makes it TEXT without a Python decode.
    return "(" + ", ".join("CAST(? AS TEXT)" if c == "data" else "?" for c in spec.columns) + ")"


def _values(count: int) -> str:
    return ", ".join(["(?, ?, CAST(? AS TEXT))"] * count)


def _rows_sql(spec: EntityTable, count: int) -> str:
    """SELECT of ``count`` changes' rows for ``spec``, from (key, version, JSON text) parameters."""
    assert spec.sql is not None
    return _sql_text(
        "SELECT {e} FROM (SELECT column1 AS k, column2 AS v, column3 AS d FROM (VALUES {m}))",
        e=", ".join(spec.sql),
        m=_values(count),
    )


def _write_changes(
    conn: sqlite3.Connection, changes: Sequence[Change], tables: Mapping[str, str] | None
) -> None:
    """A few statements per entity and operation, not one per row; columns made in SQL from the text."""
    upserts: dict[str, list[tuple[object, ...]]] = {}
    deletes: dict[str, list[tuple[str, ...]]] = {}
    for change in changes:
        spec = ENTITIES[change.entity]
        if change.op == "upsert":
            upserts.setdefault(change.entity, []).append(spec.row(change))
        else:
            deletes.setdefault(change.entity, []).append(spec.key(change.key))
    if tables is None and ("product" in upserts or "product" in deletes):
        # Delta pages keep the search index in step here; a full load builds it once at the swap.
        apply_product_changes(conn, upserts.get("product", []), [k[0] for k in deletes.get("product", [])])
    # A key appears once per page (one version per row), so upserts and deletes do not interleave.
    for entity, keys in deletes.items():
        spec = ENTITIES[entity]
        table = tables[spec.table] if tables else spec.table
        where = " = ? AND ".join(spec.key_columns)
        conn.executemany(_sql("DELETE FROM {t} WHERE {w} = ?", t=table, w=where), keys)
    for entity, values in upserts.items():
        spec = ENTITIES[entity]
        table = tables[spec.table] if tables else spec.table
        # An upsert changes a known row in place (same rowid, untouched key index); REPLACE would
        # delete and re-insert it, dirtying twice the pages (a delta page lands all over the table).
        others = [c for c in spec.columns if c not in spec.key_columns]
        conflict = _sql(
            "ON CONFLICT ({k}) DO UPDATE SET ({o}) = ({x})",
            k=", ".join(spec.key_columns),
            o=", ".join(others),
            x=", ".join(f"excluded.{c}" for c in others),
        )
        head = _sql("INSERT INTO {t} ({c}) ", t=table, c=", ".join(spec.columns))
        # Hundreds of rows a statement, not one (executemany): each statement gives the GIL up once
        # while SQLite works. Given up and taken back for every row, the GIL starved the event loop:
        # its thread waited tens of milliseconds to get it back after its own short SQLite calls.
        for start in range(0, len(values), ROWS_PER_STATEMENT):
            chunk = values[start : start + ROWS_PER_STATEMENT]
            if spec.sql is None:
                rows = _sql_text("VALUES {m} ", m=", ".join([_row_marks(spec)] * len(chunk)))
            else:
                rows = _rows_sql(spec, len(chunk)) + " WHERE true "  # "true": ON CONFLICT is not a join's ON
            conn.execute(head + rows + conflict, _flat(chunk))
    if tables is None and ("category" in upserts or "category" in deletes):
        categories_changed(conn)


def _flat(rows: Sequence[tuple[object, ...]]) -> list[object]:
    return [value for row in rows for value in row]


def _sql_text(template: str, **parts: str) -> str:
    """A statement from a constant template and SQL fragments built in this module (not names)."""
    return template.format(**parts)
