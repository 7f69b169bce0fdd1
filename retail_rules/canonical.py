"""Canonical JSON and the payload fingerprint that client and server compute the same way."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: one byte string per value, so one hash per payload."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def payload_sha256(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()
