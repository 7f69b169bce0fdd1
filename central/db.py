"""Database access for the central server: engines, write transactions, versions and pokes."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, bindparam, create_engine, event, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry

from central import schema

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"
NOTIFY_CHANNEL = "store_kiosk_pokes"


@dataclass(frozen=True, slots=True)
class Poke:
    """A stream changed: clients pull when ``version`` is newer than their cursor."""

    stream: str
    version: int


class PokeBus:
    """Fans pokes out to subscribers in this process (SSE connections), thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[int, Callable[[Poke], None]] = {}
        self._next = 0

    def subscribe(self, deliver: Callable[[Poke], None]) -> int:
        with self._lock:
            self._next += 1
            self._subscribers[self._next] = deliver
            return self._next

    def unsubscribe(self, token: int) -> None:
        with self._lock:
            self._subscribers.pop(token, None)

    def publish(self, poke: Poke) -> None:
        with self._lock:
            targets = list(self._subscribers.values())
        for deliver in targets:
            try:
                deliver(poke)
            except Exception:  # a dead subscriber must not stop the others
                log.exception("poke subscriber failed")


# Built once: constructing a statement costs several times more Python than running it.
_BUMP_VERSIONS = (
    update(schema.version_counter)
    .where(schema.version_counter.c.id == 1)
    .values(value=schema.version_counter.c.value + bindparam("count"))
    .returning(schema.version_counter.c.value)
)
_NOTIFY = text("SELECT pg_notify(:channel, :payload)")


@dataclass
class Tx:
    """One write transaction: the connection, and the pokes to send once it commits."""

    conn: Connection
    pokes: dict[str, int] = field(default_factory=dict)
    # How many savepoints this transaction has opened (their names), and the last one whose
    # release is still to be sent (see ``savepoint``).
    _savepoints: int = field(default=0, init=False)
    _unreleased: str | None = field(default=None, init=False)

    def versions(self, count: int) -> int:
        """Allocate ``count`` consecutive versions; returns the first.

        Called last in a transaction, after the business rows are locked, so that the lock
        order is always business rows (orders, then stock sorted by key) and then the
        counter: two writers can never wait on each other in opposite orders.
        """
        if count <= 0:
            raise ValueError("count must be positive")
        row = self.conn.execute(_BUMP_VERSIONS, {"count": count}).one()
        last = int(row[0])
        return last - count + 1

    def poke(self, stream: str, version: int) -> None:
        self.pokes[stream] = max(version, self.pokes.get(stream, 0))

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo the block's writes when it raises (the exception goes on), keep them otherwise.

        A push group opens one per action. Each is released together with the opening of the
        next one (on PostgreSQL in one round trip instead of two), the last by the commit.
        """
        self._savepoints += 1
        name = f"action_{self._savepoints}"
        statements = [f"SAVEPOINT {name}"]
        if self._unreleased is not None:
            statements.insert(0, f"RELEASE SAVEPOINT {self._unreleased}")
            self._unreleased = None
        if self.conn.dialect.name == "postgresql":
            # Statements without parameters travel together (the simple query protocol).
            self.conn.exec_driver_sql("; ".join(statements))
        else:
            for statement in statements:
                self.conn.exec_driver_sql(statement)
        try:
            yield
        except BaseException:
            self.conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {name}")
            raise
        finally:
            self._unreleased = name


class Database:
    """The server's database: SQLite file (embedded default) or PostgreSQL."""

    def __init__(self, url: str, *, pool_size: int = 20) -> None:
        self.url = make_url(url)
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        self.bus = PokeBus()
        self._listener: _PgListener | None = None
        # SQLite has one writer at a time anyway; queueing writers here instead of in
        # SQLite's busy handler (which sleeps up to 100 ms per retry) keeps latency low.
        self._write_lock = threading.Lock()
        if self.is_postgres:
            pg_url = self.url.set(drivername="postgresql+psycopg")
            self.write_engine = create_engine(
                pg_url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True
            )
            self.read_engine = self.write_engine
        elif self.url.get_backend_name() == "sqlite":
            self.write_engine = _sqlite_engine(url, immediate=True, pool_size=pool_size)
            self.read_engine = _sqlite_engine(url, immediate=False, pool_size=pool_size)
        else:
            raise ValueError(f"unsupported database {self.url.get_backend_name()!r}")

    # -- lifecycle -----------------------------------------------------------------
    def create_schema(self) -> None:
        """Create missing tables and the version counter; refuse an unknown schema version."""
        schema.metadata.create_all(self.write_engine)
        with self.write() as tx:
            found = tx.conn.execute(
                select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
            ).scalar_one_or_none()
            if found is None:
                tx.conn.execute(schema.meta.insert().values(key="schema_version", value=SCHEMA_VERSION))
            elif found != SCHEMA_VERSION:
                raise RuntimeError(
                    f"database schema version {found} is not supported (expected {SCHEMA_VERSION})"
                )
            if tx.conn.execute(select(schema.version_counter.c.value)).first() is None:
                tx.conn.execute(schema.version_counter.insert().values(id=1, value=0))

    def start_listening(self) -> None:
        """On PostgreSQL, receive pokes from every server process through LISTEN."""
        if self.is_postgres and self._listener is None:
            self._listener = _PgListener(self)
            self._listener.start()

    def dispose(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()

    # -- transactions ----------------------------------------------------------------
    @contextmanager
    def write(self, connection: Connection | None = None) -> Iterator[Tx]:
        """A write transaction, on ``connection`` if given; pokes go out only after it commits."""
        with self._writer(), self._connected(connection) as conn:
            tx = Tx(conn)
            with conn.begin():
                yield tx
                if self.is_postgres and tx.pokes:
                    # NOTIFY inside the transaction is delivered on commit, to every
                    # listening process including this one.
                    conn.execute(
                        _NOTIFY,
                        [
                            {
                                "channel": NOTIFY_CHANNEL,
                                "payload": json.dumps({"stream": stream, "version": version}),
                            }
                            for stream, version in tx.pokes.items()
                        ],
                    )
        if not self.is_postgres:
            for stream, version in tx.pokes.items():
                self.bus.publish(Poke(stream, version))

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """One pooled write connection for a series of ``write(connection)`` transactions.

        A push batch runs one transaction per action; checking a connection out of the pool
        for each (with PostgreSQL's pre-ping round trip) is saved. Locks are per transaction.
        """
        with self.write_engine.connect() as conn:
            yield conn

    @contextmanager
    def _connected(self, connection: Connection | None) -> Iterator[Connection]:
        if connection is not None:
            yield connection
            return
        with self.write_engine.connect() as conn:
            yield conn

    @contextmanager
    def _writer(self) -> Iterator[None]:
        if self.is_postgres:
            yield
            return
        with self._write_lock:
            yield

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot for a whole page."""
        with self.read_engine.connect() as conn, conn.begin():
            yield conn

    def current_version(self) -> int:
        with self.read() as conn:
            return int(conn.execute(select(schema.version_counter.c.value)).scalar_one())


def _sqlite_engine(url: str, *, immediate: bool, pool_size: int) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=pool_size,
        max_overflow=10,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        # Take transaction control away from pysqlite so that BEGIN is ours to issue.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Catalog pages are read in bulk: memory-mapped reads share the OS page cache across
        # connections instead of copying pages into each connection's private cache.
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front: two writers never deadlock upgrading
        # a read lock, and busy_timeout makes the second wait instead of failing.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class _PgListener:
    """A thread with one LISTEN connection that feeds the process's PokeBus."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        url = self._database.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5, stop_after=None):
                            self._deliver(note.payload)
                            if self._stop.is_set():
                                break
            except Exception:
                log.exception("LISTEN connection lost; reconnecting")
                time.sleep(1.0)

    def _deliver(self, payload: str) -> None:
        try:
            body = json.loads(payload)
            self._database.bus.publish(Poke(str(body["stream"]), int(body["version"])))
        except (ValueError, KeyError, TypeError):
            log.warning("ignored malformed notification %r", payload)
