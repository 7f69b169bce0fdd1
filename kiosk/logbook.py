"""Where the app's log goes: a rotating file in the data dir, plus warnings on the console."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

LOG_FILE = "kiosk.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s]: %(message)s"

_installed: list[logging.Handler] = []  # ours, so configuring twice (tests) replaces instead of duplicating


def configure_logging(log_dir: Path, *, console_level: int = logging.WARNING) -> Path:
    """INFO and up to ``log_dir/kiosk.log`` (rotated), WARNING and up to stderr; returns the file's path."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    while _installed:
        old = _installed.pop()
        root.removeHandler(old)
        old.close()
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter(FORMAT))
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(console_level)
    console.setFormatter(logging.Formatter("kiosk: %(levelname)s %(name)s: %(message)s"))
    for handler in (file_handler, console):
        root.addHandler(handler)
        _installed.append(handler)
    # httpx logs every request at INFO: a health check every 5 s would drown the file.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
