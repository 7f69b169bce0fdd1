"""Opening the local SQLite files: owner-only file mode, pragmas, explicit write transactions, versions."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import sqlite_utils

FILE_MODE = 0o600
BUSY_TIMEOUT_S = 10.0
WAL_LIMIT_BYTES = 64 * 1024 * 1024


def ensure_private_file(path: Path) -> None:
    """Create ``path`` 0600 from its first byte (it holds orders and customers), or tighten an old one.

    An existing file is never opened here: closing any descriptor of a file drops every POSIX lock
    this process holds on it, SQLite's locks included, and other connections would then read
    a stale snapshot while a writer in another process carries on.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(FILE_MODE)
        return
    os.close(fd)


def connect(
    path: Path, *, synchronous: Literal["FULL", "NORMAL"], check_same_thread: bool = True
) -> sqlite_utils.Database:
    """A connection in WAL mode that never opens transactions behind our back.

    ``isolation_level=None`` turns off the driver's implicit BEGIN: every write runs inside
    `write_transaction`, so what is one transaction is visible in the code.
    """
    ensure_private_file(path)
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=check_same_thread
    )
    db = sqlite_utils.Database(conn, execute_plugins=False)
    db.enable_wal()
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
    return db


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception.

    IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes can
    fail with SQLITE_BUSY without waiting when another process (the CLI next to the app) wrote
    in between, and the busy timeout does not help there.
    """
    if db.conn.in_transaction:
        raise RuntimeError("write transactions do not nest")
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def user_version(db: sqlite_utils.Database) -> int:
    value = db.execute("PRAGMA user_version").fetchone()[0]
    return int(value)


def remove_database_files(path: Path) -> None:
    """Delete a database and its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def execute_statements(conn: sqlite3.Connection, script: str) -> None:
    """Run a script statement by statement inside the caller's transaction.

    ``executescript`` would COMMIT first, splitting one migration into several transactions.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement.strip()[:60]!r}")
