"""The action journal (``actions.jsonl``): an fsynced, append-only second copy of every queued action.

It exists only to rebuild a corrupted or lost ``outbox.db`` (SYNC_DESIGN 3.1, 3.12). A line is
written after the outbox commit and before the UI confirms, never before: a crash in between leaves
an action that is in the outbox but not here, which is harmless, whereas the other order could send
an action the associate never saw confirmed.

One line per action: ``<SHA-256 of the JSON> <JSON>``. The reader skips a line whose checksum or
content is wrong (a torn last line after a power cut, a flipped byte) and keeps the rest; for an
action written more than once the last good line wins. The outbox rewrites the file from its own
rows when it prunes old applied actions, which keeps it as small as the outbox.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from offline_cache.database import FILE_MODE, fsync_dir

log = logging.getLogger(__name__)

JOURNAL_FILE: Final = "actions.jsonl"
FORMAT: Final = 1
_UUID: Final = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_OPEN_ATTEMPTS: Final = 5


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One action as the outbox holds it; ``payload_json`` is the canonical text, byte for byte."""

    action_id: str
    terminal_id: str
    install_id: str
    seq: int
    action_type: str
    action_version: int
    payload_json: str
    payload_sha256: str
    entity_id: str | None
    depends_on: str | None
    associate_id: str | None
    auth_context: str
    client_created_at: str
    state: str
    result_code: str | None = None
    server_version: int | None = None
    acked_at: str | None = None


@dataclass(frozen=True, slots=True)
class JournalContents:
    entries: tuple[JournalEntry, ...]  # one per action_id, in the order the actions were first written
    damaged: int  # lines skipped: bad checksum, bad content, or a torn last line


def journal_path(outbox_path: Path) -> Path:
    """``actions.jsonl`` beside ``outbox.db``; an outbox file of another name gets a journal of its own."""
    if outbox_path.name == "outbox.db":
        return outbox_path.with_name(JOURNAL_FILE)
    return outbox_path.with_name(outbox_path.name + ".actions.jsonl")


_TEXT_FIELDS: Final = (
    "action_id",
    "terminal_id",
    "install_id",
    "action_type",
    "payload_json",
    "payload_sha256",
    "auth_context",
    "client_created_at",
    "state",
)
_OPTIONAL_TEXT: Final = ("entity_id", "depends_on", "associate_id", "result_code", "acked_at")
_INT_FIELDS: Final = ("seq", "action_version")


def _line(entry: JournalEntry) -> bytes:
    record = {"v": FORMAT, **asdict(entry)}
    body = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(body).hexdigest().encode("ascii") + b" " + body + b"\n"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _entry(line: bytes) -> JournalEntry | None:
    """The entry on one line, or None when anything about it is wrong."""
    checksum, _, body = line.partition(b" ")
    if checksum != hashlib.sha256(body).hexdigest().encode("ascii"):
        return None
    try:
        record = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("v") != FORMAT:
        return None
    if not all(isinstance(record.get(k), str) for k in _TEXT_FIELDS):
        return None
    if not all(record.get(k) is None or isinstance(record.get(k), str) for k in _OPTIONAL_TEXT):
        return None
    if not all(_is_int(record.get(k)) for k in _INT_FIELDS):
        return None
    server_version = record.get("server_version")
    if server_version is not None and not _is_int(server_version):
        return None
    if not _UUID.match(record["action_id"]):
        return None
    payload_json: str = record["payload_json"]
    # The line's checksum covers the line; this covers the action: the payload still matches its key.
    if hashlib.sha256(payload_json.encode("utf-8")).hexdigest() != record["payload_sha256"]:
        return None
    try:
        payload = json.loads(payload_json)
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    return JournalEntry(
        action_id=record["action_id"],
        terminal_id=record["terminal_id"],
        install_id=record["install_id"],
        seq=record["seq"],
        action_type=record["action_type"],
        action_version=record["action_version"],
        payload_json=payload_json,
        payload_sha256=record["payload_sha256"],
        entity_id=record.get("entity_id"),
        depends_on=record.get("depends_on"),
        associate_id=record.get("associate_id"),
        auth_context=record["auth_context"],
        client_created_at=record["client_created_at"],
        state=record["state"],
        result_code=record.get("result_code"),
        server_version=server_version,
        acked_at=record.get("acked_at"),
    )


class Journal:
    """Appends and reads one journal file; safe against a concurrent rewrite by another process."""

    def __init__(self, path: Path) -> None:
        self._path = Path(path)

    @property
    def path(self) -> Path:
        return self._path

    @contextmanager
    def _locked(self) -> Iterator[int]:
        """A descriptor of the current file, exclusively locked, closed (and unlocked) afterwards."""
        fd = self._open_current()
        try:
            yield fd
        finally:
            os.close(fd)

    def _open_current(self) -> int:
        """Open and lock the file the path names now.

        A rewrite replaces the file: a writer that opened the old one before the rename opens
        again, so its line lands in the new file instead of the one just thrown away.
        """
        for _ in range(_OPEN_ATTEMPTS):
            created = not self._path.exists()
            fd = os.open(self._path, os.O_RDWR | os.O_APPEND | os.O_CREAT, FILE_MODE)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                current = os.stat(self._path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False  # removed between open and stat
            except BaseException:
                os.close(fd)
                raise
            if current:
                if created:
                    fsync_dir(self._path.parent)
                return fd
            os.close(fd)
        raise OSError(f"{self._path} keeps being replaced; cannot lock it")

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Write the entries in one write and fsync them; raises OSError (the caller decides)."""
        if not entries:
            return
        data = b"".join(_line(e) for e in entries)
        with self._locked() as fd:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                # A torn line from a crash: end it, so it spoils only itself and not this line too.
                data = b"\n" + data
            _write_all(fd, data)
            os.fsync(fd)

    def read(self) -> JournalContents:
        """Every good entry; a missing file is an empty journal."""
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return JournalContents((), 0)
        lines = raw.split(b"\n")
        tail = lines.pop()  # after the last newline: empty, or a line torn by a crash
        damaged = 1 if tail else 0
        latest: dict[str, JournalEntry] = {}
        for line in lines:
            if not line:
                continue
            entry = _entry(line)
            if entry is None:
                damaged += 1
                continue
            latest[entry.action_id] = entry  # dict keeps first-insertion order; the value is the last
        if damaged:
            log.warning("%s: skipped %d damaged lines", self._path, damaged)
        return JournalContents(tuple(latest.values()), damaged)

    def rewrite(self, snapshot: Callable[[JournalContents], Iterable[JournalEntry]]) -> int:
        """Replace the file with ``snapshot(current contents)``, taken while appends wait; returns the lines.

        Appends hold the same lock, so an action committed after the snapshot was read is appended
        to the new file, never lost with the old one.
        """
        tmp = self._path.with_name(self._path.name + ".tmp")
        with self._locked():
            entries = list(snapshot(self.read()))
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            try:
                _write_all(fd, b"".join(_line(e) for e in entries))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self._path)
            fsync_dir(self._path.parent)
        return len(entries)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
