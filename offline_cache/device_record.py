"""This device's enrolment on disk: ``device.json`` in the data dir, 0600, the app's format.

The same file ``kiosk.services.device_store`` reads and writes (device_id, token, role,
location_id, central_url), so a data dir enrolled by ``kiosk-sync`` works for the app and back.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

DEVICE_FILE: Final = "device.json"
FILE_MODE: Final = 0o600
FIELDS: Final = ("device_id", "token", "role", "location_id", "central_url")


class DeviceFileInvalid(Exception):
    """``device.json`` exists but cannot be used (unreadable, not JSON, fields missing)."""


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    device_id: str
    token: str = field(repr=False)  # a credential: never in logs or reprs
    role: str
    location_id: str
    central_url: str


def load_device(data_dir: Path) -> DeviceRecord | None:
    """The stored record, None when there is none; DeviceFileInvalid when it is unusable."""
    path = data_dir / DEVICE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise DeviceFileInvalid(f"cannot read {path}: {exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DeviceFileInvalid(f"{path} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise DeviceFileInvalid(f"{path} is not a JSON object")
    values: dict[str, str] = {}
    for key in FIELDS:
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise DeviceFileInvalid(f"{path}: {key} is missing or not text")
        values[key] = value
    return DeviceRecord(**values)


def save_device(data_dir: Path, record: DeviceRecord) -> None:
    """Atomic and 0600 from the first byte: the token is never readable by others, not even briefly."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DEVICE_FILE
    tmp = path.with_name(path.name + ".tmp")
    text = json.dumps({key: getattr(record, key) for key in FIELDS}, indent=2)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def set_aside(data_dir: Path) -> None:
    """Move an unusable file out of the way (kept for support) before a new enrolment replaces it."""
    path = data_dir / DEVICE_FILE
    if path.exists():
        os.replace(path, path.with_name(path.name + ".invalid"))
