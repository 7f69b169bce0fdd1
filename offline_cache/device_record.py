"""This device's enrolment on disk: ``device.json`` in the data dir, readable by its owner only (0600).

One format and one implementation for the app and for ``kiosk-sync``, so a data dir enrolled by
either works for the other.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

log = logging.getLogger(__name__)

DEVICE_FILE: Final = "device.json"
FILE_MODE: Final = 0o600
FIELDS: Final = ("device_id", "token", "role", "location_id", "central_url")


class DeviceFileInvalid(Exception):
    """``device.json`` exists but cannot be used (unreadable, not JSON, fields missing)."""


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    """What the central API gave this device at enrolment, and which central that was."""

    device_id: str
    token: str = field(repr=False)  # a credential: never in logs or reprs
    role: str
    location_id: str
    central_url: str


class DeviceStore:
    """Loads and saves the one DeviceRecord; writes are atomic so a crash never leaves half a file."""

    def __init__(self, path: Path) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        return self._path

    def load(self) -> DeviceRecord | None:
        """The stored record, None when there is none; DeviceFileInvalid when it is unusable."""
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise DeviceFileInvalid(f"cannot read {self._path}: {exc}") from None
        self._tighten_mode()
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise DeviceFileInvalid(f"{self._path} is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise DeviceFileInvalid(f"{self._path} is not a JSON object")
        values: dict[str, str] = {}
        for key in FIELDS:
            value = data.get(key)
            if not isinstance(value, str) or not value:
                raise DeviceFileInvalid(f"{self._path}: {key} is missing or not text")
            values[key] = value
        return DeviceRecord(**values)

    def save(self, record: DeviceRecord) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_name(self._path.name + ".tmp")
        text = json.dumps({key: getattr(record, key) for key in FIELDS}, indent=2)
        # Created 0600 from the first byte: the token is never readable by others, not even briefly.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            os.write(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self._path)

    def set_aside(self) -> Path | None:
        """Move an unusable file out of the way (kept for support) before a new enrolment replaces it."""
        if not self._path.exists():
            return None
        aside = self._path.with_name(self._path.name + ".invalid")
        os.replace(self._path, aside)
        return aside

    def _tighten_mode(self) -> None:
        try:
            mode = stat.S_IMODE(self._path.stat().st_mode)
            if mode & 0o077:
                log.warning("%s was readable by others (mode %o); restricting it to 0600", self._path, mode)
                self._path.chmod(FILE_MODE)
        except OSError as exc:
            log.warning("cannot check the mode of %s: %s", self._path, exc)


def device_store(data_dir: Path) -> DeviceStore:
    return DeviceStore(data_dir / DEVICE_FILE)
