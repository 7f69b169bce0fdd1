"""Opening the local SQLite files: owner-only file mode, pragmas, explicit write transactions, versions."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import sqlite_utils

log = logging.getLogger(__name__)

FILE_MODE = 0o600
BUSY_TIMEOUT_S = 10.0
WAL_LIMIT_BYTES = 64 * 1024 * 1024
DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")
_CORRUPTION_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


class DatabaseCorrupt(Exception):
    """A local database file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB or a failed quick_check)."""


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
        # Inside the try: a COMMIT refused with SQLITE_FULL leaves the transaction open otherwise.
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open; SQLite ends some on its own (SQLITE_FULL, corruption)."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        # The error that got us here is the one to report; this one only explains a broken connection.
        log.warning("rollback failed: %s", exc)


def user_version(db: sqlite_utils.Database) -> int:
    value = db.execute("PRAGMA user_version").fetchone()[0]
    return int(value)


def remove_database_files(path: Path) -> None:
    """Delete a database and its WAL and shared-memory files."""
    for suffix in DATABASE_SUFFIXES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def move_database_files(path: Path, target: Path) -> None:
    """Rename a database with its WAL and shared-memory files (a WAL only makes sense beside its file)."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for suffix in DATABASE_SUFFIXES:
        source = Path(f"{path}{suffix}")
        if source.exists():
            os.replace(source, f"{target}{suffix}")
    fsync_dir(path.parent)
    if target.parent != path.parent:
        fsync_dir(target.parent)


def fsync_dir(path: Path) -> None:
    """Make renames and new files in ``path`` durable: a rename lives in the directory, not the file."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_corruption(exc: BaseException) -> bool:
    """Whether SQLite said the file is damaged, as opposed to busy, locked, full or misused."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return (code & 0xFF) in _CORRUPTION_CODES
    text = str(exc)
    return "malformed" in text or "not a database" in text


def is_disk_full(exc: BaseException) -> bool:
    """SQLITE_FULL: the disk, or the file's max_page_count, has no room for the write."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return (code & 0xFF) == sqlite3.SQLITE_FULL
    return "database or disk is full" in str(exc)


def database_problem(path: Path, *, quick_check: bool = True) -> str | None:
    """Why the database at ``path`` is damaged, or None when it reads well (or is missing or empty).

    Only SQLite touches the file: opening and closing a plain descriptor here would drop the POSIX
    locks other connections of this process hold on it (see `ensure_private_file`). Busy and
    locked errors are raised, never taken for damage.
    """
    try:
        if path.stat().st_size == 0:
            return None
    except FileNotFoundError:
        return None
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()
        if quick_check:
            found = [str(row[0]) for row in conn.execute("PRAGMA quick_check").fetchall()]
            if found != ["ok"]:
                return "quick_check: " + "; ".join(found[:3])
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            return str(exc)
        raise
    finally:
        conn.close()
    return None


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
