"""The server's Ed25519 signing keys and the pickup passes it signs."""

from __future__ import annotations

import base64
import secrets
import time
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, select

from central import schema
from retail_rules.pickup_pass import encode_pass, pass_payload


def ensure_signing_key(conn: Connection) -> None:
    """Create the first signing key if there is none."""
    if conn.execute(select(schema.signing_keys.c.kid).limit(1)).first() is not None:
        return
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    conn.execute(
        schema.signing_keys.insert().values(
            kid="k" + secrets.token_hex(4),
            private_pem=pem,
            public_b64=base64.b64encode(raw).decode(),
            created_at=time.time(),
            active=True,
        )
    )


def public_keys(conn: Connection) -> list[dict[str, str]]:
    rows = conn.execute(
        select(schema.signing_keys.c.kid, schema.signing_keys.c.public_b64, schema.signing_keys.c.active)
    ).all()
    return [
        {
            "kid": r.kid,
            "alg": "Ed25519",
            "public_key": r.public_b64,
            "status": "active" if r.active else "retired",
        }
        for r in rows
    ]


def public_key_map(conn: Connection) -> dict[str, bytes]:
    return {k["kid"]: base64.b64decode(k["public_key"]) for k in public_keys(conn)}


_ACTIVE_KEY = (
    select(schema.signing_keys.c.kid, schema.signing_keys.c.private_pem)
    .where(schema.signing_keys.c.active.is_(True))
    .order_by(schema.signing_keys.c.created_at.desc())
    .limit(1)
)


@lru_cache(maxsize=8)
def _private_key(pem: str) -> Ed25519PrivateKey:
    # Keyed by the PEM read in the signing transaction, so a rotated key is picked up at once;
    # only the parsing (about a millisecond per order) is saved.
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def sign_pass(conn: Connection, order_id: str, number: str, store_id: str, expires_at: int) -> str:
    row = conn.execute(_ACTIVE_KEY).one()
    payload = pass_payload(order_id, number, store_id, expires_at, row.kid)
    return encode_pass(payload, _private_key(row.private_pem).sign(payload))
