"""Pickup codes: the 6-digit code a customer gives at the counter, stored only as a slow hash.

The hash travels to associate devices so that a handover by code works offline. A fast hash of a
6-digit code falls to brute force in milliseconds; scrypt with a per-order salt makes each order
cost hours of work, longer than the hold period it protects.
"""

from __future__ import annotations

import hashlib
import hmac

SCHEME = "scrypt1"
CODE_DIGITS = 6


def hash_pickup_code(order_id: str, code: str) -> str:
    digest = hashlib.scrypt(code.encode(), salt=f"pickup:{order_id}".encode(), n=2**12, r=8, p=1, dklen=32)
    return f"{SCHEME}${digest.hex()}"


def pickup_code_matches(order_id: str, code: str, stored: str | None) -> bool:
    """True when ``code`` is the order's pickup code; a malformed code never matches."""
    if stored is None or not stored.startswith(SCHEME + "$"):
        return False
    if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
        return False
    return hmac.compare_digest(hash_pickup_code(order_id, code), stored)
