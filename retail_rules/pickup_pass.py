"""Pickup passes: a QR payload signed by the central server with Ed25519, verified offline."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

PREFIX = "PP1"
MAX_PASS_LENGTH = 600


class InvalidPass(ValueError):
    """The scanned pass is malformed, unsigned by a known key, or forged."""


@dataclass(frozen=True, slots=True)
class PickupPass:
    order_id: str
    number: str
    store_id: str
    expires_at: int
    kid: str


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pass_payload(order_id: str, number: str, store_id: str, expires_at: int, kid: str) -> bytes:
    body: dict[str, Any] = {"exp": expires_at, "kid": kid, "num": number, "oid": order_id, "st": store_id}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def encode_pass(payload: bytes, signature: bytes) -> str:
    return f"{PREFIX}.{b64url(payload)}.{b64url(signature)}"


def verify_pass(text: str, public_keys: dict[str, bytes], now: float | None = None) -> PickupPass:
    """Check a pass against the server's public keys (raw 32-byte Ed25519 keys by kid).

    Expiry is checked only when ``now`` is given: an associate may still hand over an order
    whose hold deadline passed a minute ago, and that decision belongs to the caller.
    """
    if len(text) > MAX_PASS_LENGTH:
        raise InvalidPass("pass too long")
    parts = text.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise InvalidPass("not a pickup pass")
    try:
        payload = b64url_decode(parts[1])
        signature = b64url_decode(parts[2])
        body = json.loads(payload)
        kid = str(body["kid"])
        parsed = PickupPass(
            order_id=str(body["oid"]),
            number=str(body["num"]),
            store_id=str(body["st"]),
            expires_at=int(body["exp"]),
            kid=kid,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidPass("malformed pass") from exc
    raw_key = public_keys.get(kid)
    if raw_key is None:
        raise InvalidPass(f"unknown signing key {kid!r}")
    try:
        Ed25519PublicKey.from_public_bytes(raw_key).verify(signature, payload)
    except (InvalidSignature, ValueError) as exc:
        raise InvalidPass("signature does not verify") from exc
    if now is not None and now > parsed.expires_at:
        raise InvalidPass("pass expired")
    return parsed
