"""One process per data dir: the ``kiosk-sync.lock`` flock that the app and ``kiosk-sync`` both take.

Two processes syncing one data dir would be two pushers on one outbox (a fork of the action
sequence), so whoever opens a data dir to sync holds this lock until it has closed everything.
The kernel drops a flock when its process dies, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Final, Self

LOCK_FILE: Final = "kiosk-sync.lock"


class DataDirBusy(Exception):
    """Another process (the app or kiosk-sync) holds the data dir's lock."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(f"another process is using {data_dir}")
        self.data_dir = data_dir


class DataDirLock:
    """An exclusive, non-blocking flock on ``<data dir>/kiosk-sync.lock``; `release()` is idempotent."""

    def __init__(self, data_dir: Path, fd: int) -> None:
        self._data_dir = data_dir
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, data_dir: Path) -> DataDirLock:
        """Take the lock now or raise DataDirBusy; OSError when the dir cannot be created or written."""
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DataDirBusy(data_dir) from None
        except BaseException:
            os.close(fd)
            raise
        return cls(data_dir, fd)

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor releases the flock
            self._fd = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()
