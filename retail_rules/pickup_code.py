"""Pickup codes: the 6-digit code a customer gives at the counter, and its slow verifier for devices.

Where the code lives, and what protects each copy:

- The central database keeps the code itself (with the order's signed pickup pass, to answer a
  replayed order action the same way). The server checks a typed code against that copy in
  constant time (``code_equals``); a slow hash there would protect nothing the database does not
  already hold in the clear.
- Associate devices get only a verifier (``hash_pickup_code``) on the orders stream, so that a
  handover by code works offline. A fast hash of a 6-digit code falls to brute force in
  milliseconds; scrypt (n=2**12, r=8: about 11 ms and 4 MiB per guess) with a per-order salt
  raises that to about three CPU-hours per order for the whole code space (half on average),
  and no work carries over to the next order. That is a speed bump, not a wall: the code has
  only 20 bits, and an attacker with a stolen device's cache, many cores and the 7-day hold
  period can still recover codes. The signed pickup pass is the strong proof; the code is the
  fallback, and a device that is lost must be revoked (its cached orders' codes then regarded
  as known).
- Because the verifier only has to reach devices before the customer can collect (the order is
  picked, staged and marked ready first), the server computes it after the order commits, off
  the request path (``central.pickup_verifiers``), and serves it with a newer order version.
  Until it arrives a device cannot check a code offline and asks for the pass, or goes online.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCHEME = "scrypt1"
CODE_DIGITS = 6


def new_pickup_code() -> str:
    """A fresh code from the OS's cryptographic random source."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def is_well_formed(code: str) -> bool:
    return len(code) == CODE_DIGITS and code.isascii() and code.isdigit()


def hash_pickup_code(order_id: str, code: str) -> str:
    """The slow verifier that devices receive (releases the GIL while it works)."""
    digest = hashlib.scrypt(code.encode(), salt=f"pickup:{order_id}".encode(), n=2**12, r=8, p=1, dklen=32)
    return f"{SCHEME}${digest.hex()}"


def pickup_code_matches(order_id: str, code: str, stored: str | None) -> bool:
    """True when ``code`` is the order's pickup code per its verifier; a malformed code never matches."""
    if stored is None or not stored.startswith(SCHEME + "$"):
        return False
    if not is_well_formed(code):
        return False
    return hmac.compare_digest(hash_pickup_code(order_id, code), stored)


def code_equals(code: str, issued: str | None) -> bool:
    """True when ``code`` is the code issued with the order; constant time, malformed never matches."""
    if issued is None or not is_well_formed(code) or not is_well_formed(issued):
        return False
    return hmac.compare_digest(code.encode(), issued.encode())
