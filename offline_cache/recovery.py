"""Opening the local files safely: setting damaged ones aside, reading what is left, the recovery log.

- ``cache.db`` is disposable: a damaged one is renamed ``cache.db.corrupt-<ts>`` (the newest two are
  kept) and an empty one takes its place; the puller then fetches everything again.
- ``outbox.db`` is not: a damaged one moves to ``quarantine/outbox-<ts>.db``, kept for support, and
  `Outbox.recover` rebuilds the queue from the rows still readable here plus the action journal.
- Every such event is appended to ``recovery.json`` in the data dir, which ``kiosk-sync status``
  shows (the outbox's own audit log records its recoveries too).

This module knows files and SQLite, not what the tables mean: it imports neither the outbox nor
the cache, which both use it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from offline_cache.database import (
    BUSY_TIMEOUT_S,
    FILE_MODE,
    database_problem,
    fsync_dir,
    move_database_files,
    remove_database_files,
)

log = logging.getLogger(__name__)

RECOVERY_LOG: Final = "recovery.json"
QUARANTINE_DIR: Final = "quarantine"
KEEP_CORRUPT_CACHES: Final = 2
KEEP_EVENTS: Final = 20
QUICK_CHECK_MAX_BYTES: Final = 64 * 1024 * 1024  # bigger caches are checked by use, not at every start
MAX_PROBES: Final = 1_000_000  # rowids tried one by one between the ends a scan reached
_SAFE_NAME: Final = re.compile(r"^[a-z_][a-z_0-9]*$")
_SELECT: Final = "SELECT rowid, {columns} FROM {table} "


@dataclass(frozen=True, slots=True)
class RecoveryEvent:
    """One damaged file set aside, and what was saved from it."""

    file: str  # "outbox" | "cache"
    at: str  # UTC ISO
    reason: str
    set_aside: str | None  # where the damaged file went (None: there was no file)
    recovered: int | None = None  # actions in the rebuilt outbox
    from_file: int | None = None  # of those, read from the damaged file
    from_journal: int | None = None  # of those, only in the journal
    install_id: str | None = None  # the new install
    previous_install_id: str | None = None


def stamp(clock: Callable[[], float] = time.time) -> str:
    """A file-name-safe UTC timestamp that sorts in time order."""
    return datetime.fromtimestamp(clock(), UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _free_name(path: Path) -> Path:
    """``path``, or ``path`` with a counter when one of that name (or its WAL) exists already."""
    candidate, n = path, 1
    while any(Path(f"{candidate}{s}").exists() for s in ("", "-wal")):
        candidate = path.with_name(f"{path.name}.{n}")
        n += 1
    return candidate


# -- the recovery log ----------------------------------------------------------------------------------


def record_event(data_dir: Path, event: RecoveryEvent) -> None:
    """Append to ``recovery.json`` (newest last, at most KEEP_EVENTS); best effort, never raises OSError.

    The recovery itself already happened and is in the logs (and, for the outbox, its audit log):
    failing to note it here must not undo or block it.
    """
    events = [asdict(e) for e in recovery_events(data_dir)][-(KEEP_EVENTS - 1) :]
    events.append(asdict(event))
    path = data_dir / RECOVERY_LOG
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.write(fd, json.dumps({"events": events}, indent=1).encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(data_dir)
    except OSError as exc:
        log.warning("could not note the recovery in %s: %s", path, exc)


def recovery_events(data_dir: Path) -> list[RecoveryEvent]:
    """The recoveries noted in ``data_dir``, oldest first; an unreadable log reads as none."""
    path = data_dir / RECOVERY_LOG
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        log.warning("ignoring %s: %s", path, exc)
        return []
    raw = data.get("events") if isinstance(data, dict) else None
    found: list[RecoveryEvent] = []
    for item in raw if isinstance(raw, list) else ():
        event = _event(item)
        if event is not None:
            found.append(event)
    return found


def _event(item: object) -> RecoveryEvent | None:
    if not isinstance(item, dict):
        return None
    texts = ("file", "at", "reason")
    optional_texts = ("set_aside", "install_id", "previous_install_id")
    counts = ("recovered", "from_file", "from_journal")
    if not all(isinstance(item.get(k), str) for k in texts):
        return None
    if not all(item.get(k) is None or isinstance(item.get(k), str) for k in optional_texts):
        return None
    if not all(item.get(k) is None or type(item.get(k)) is int for k in counts):
        return None
    return RecoveryEvent(
        file=item["file"],
        at=item["at"],
        reason=item["reason"],
        set_aside=item.get("set_aside"),
        recovered=item.get("recovered"),
        from_file=item.get("from_file"),
        from_journal=item.get("from_journal"),
        install_id=item.get("install_id"),
        previous_install_id=item.get("previous_install_id"),
    )


def _now_iso(clock: Callable[[], float]) -> str:
    return datetime.fromtimestamp(clock(), UTC).isoformat(timespec="seconds")


# -- setting files aside -----------------------------------------------------------------------------------


def set_aside_corrupt_cache(path: Path, reason: str, *, clock: Callable[[], float] = time.time) -> Path:
    """Rename a damaged ``cache.db`` (with its WAL) to ``cache.db.corrupt-<ts>``; keep the newest two.

    The caller closed every connection to it first. Nothing in the cache is lost for good: it is
    all on the server, and an empty cache makes the puller fetch every stream from the start.
    """
    aside = _free_name(path.with_name(f"{path.name}.corrupt-{stamp(clock)}"))
    move_database_files(path, aside)
    Path(f"{aside}-shm").unlink(missing_ok=True)  # shared memory of a closed file is worth nothing
    log.warning("cache %s is damaged (%s): set aside as %s and rebuilt empty", path, reason, aside.name)
    older = sorted(
        (p for p in path.parent.glob(f"{path.name}.corrupt-*") if not p.name.endswith(("-wal", "-shm"))),
        key=lambda p: p.name,
    )
    for stale in older[:-KEEP_CORRUPT_CACHES]:
        remove_database_files(stale)
    record_event(path.parent, RecoveryEvent("cache", _now_iso(clock), reason, str(aside)))
    return aside


def quarantine_outbox(path: Path, *, clock: Callable[[], float] = time.time) -> Path:
    """Move a damaged ``outbox.db`` (with its WAL and shared memory) to ``quarantine/outbox-<ts>.db``.

    Never deleted: it may hold what the journal does not, and support may want it.
    """
    target = _free_name(path.parent / QUARANTINE_DIR / f"outbox-{stamp(clock)}.db")
    move_database_files(path, target)
    return target


# -- reading a damaged file ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Salvage:
    """The rows of each table that could still be read, in rowid order, and how many reads failed."""

    rows: Mapping[str, tuple[tuple[Any, ...], ...]] = field(default_factory=dict)
    failures: int = 0
    error: str | None = None  # why nothing at all could be read


def salvage(path: Path, tables: Mapping[str, Sequence[str]]) -> Salvage:
    """Read what can be read of ``tables`` (name -> columns) from a damaged database, read-only.

    A table scan stops at the first bad page, so each table is scanned from both ends and every
    rowid between the two is then asked for on its own: a row is lost only when its own page is.
    """
    for name, columns in tables.items():
        if not all(_SAFE_NAME.match(n) for n in (name, *columns)):
            raise ValueError(f"not a safe table or column name in {name}")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        return Salvage(error=str(exc))
    rows: dict[str, tuple[tuple[Any, ...], ...]] = {}
    failures = 0
    try:
        # What sqlite3's .recover does: a file shorter than its header says (truncated) is otherwise
        # refused whole; with this, the pages that are there can still be read. Nothing is written.
        conn.execute("PRAGMA writable_schema = ON")
        for name, columns in tables.items():
            found, failed = _table_rows(conn, name, columns)
            rows[name] = tuple(found[r] for r in sorted(found))
            failures += failed
    finally:
        conn.close()
    return Salvage(rows, failures)


def _table_rows(
    conn: sqlite3.Connection, table: str, columns: Sequence[str]
) -> tuple[dict[int, tuple[Any, ...]], int]:
    select = _SELECT.format(columns=", ".join(columns), table=table)  # names checked in salvage()
    found: dict[int, tuple[Any, ...]] = {}
    failures = 0
    for order in ("ASC", "DESC"):
        try:
            for row in conn.execute(select + f"ORDER BY rowid {order}"):
                found[int(row[0])] = tuple(row[1:])
        except sqlite3.Error:
            failures += 1  # a bad page, or a table whose schema entry is gone: take what was read
    if not found:
        return found, failures
    low, high = min(found), max(found)
    for rowid in range(low + 1, min(high, low + MAX_PROBES)):
        if rowid in found:
            continue
        try:
            row = conn.execute(select + "WHERE rowid = ?", (rowid,)).fetchone()
        except sqlite3.Error:
            failures += 1
            continue
        if row is not None:
            found[rowid] = tuple(row[1:])
    return found, failures


def cache_problem(path: Path) -> str | None:
    """Why ``cache.db`` cannot be used, or None; quick_check only runs when the file is small enough.

    A bigger file is still opened and its schema read, which finds a file that is not a
    database at all; damage deeper in it surfaces as SQLITE_CORRUPT when a page is read or written.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    return database_problem(path, quick_check=size <= QUICK_CHECK_MAX_BYTES)
