"""Devices, enrolment keys, associate sign-in and the bearer tokens checked on every request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection, bindparam, select, update

from central import schema
from central.db import Database
from central.problems import Problem

DEVICE_TOKEN_TTL = 365 * 24 * 3600.0
ASSOCIATE_TOKEN_TTL = 15 * 60.0
ENROLMENT_KEY_TTL = 7 * 24 * 3600.0
PIN_ATTEMPTS = 5
PIN_LOCKOUT = 5 * 60.0


class Role(StrEnum):
    KIOSK = "kiosk"
    ASSOCIATE_DEVICE = "associate"  # an associate terminal with nobody signed in
    ASSOCIATE = "associate_session"
    SUPERVISOR = "supervisor"
    ESHOP = "eshop"


DEVICE_ROLES = {"kiosk", "associate", "eshop"}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a device, and on an associate terminal maybe a signed-in associate."""

    device_id: str
    device_role: str  # kiosk | associate | eshop
    location_id: str
    associate_id: str | None = None
    associate_role: str | None = None  # associate | supervisor

    @property
    def is_kiosk(self) -> bool:
        return self.device_role == "kiosk"

    @property
    def is_supervisor(self) -> bool:
        return self.associate_role == "supervisor"

    @property
    def has_associate(self) -> bool:
        return self.associate_id is not None


# Every request resolves its token: the statement is built once, with a bind parameter.
_TOKEN = (
    select(
        schema.tokens.c.kind,
        schema.tokens.c.associate_id,
        schema.tokens.c.role,
        schema.tokens.c.expires_at,
        schema.devices.c.id,
        schema.devices.c.role.label("device_role"),
        schema.devices.c.location_id,
        schema.devices.c.revoked_at,
    )
    .join(schema.devices, schema.devices.c.id == schema.tokens.c.device_id)
    .where(schema.tokens.c.token_hash == bindparam("token_hash"))
)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt_hex), n=2**14, r=8, p=1, dklen=32)
    return hmac.compare_digest(digest.hex(), digest_hex)


def badge_hash(badge: str) -> str:
    return _hash("badge:" + badge)


def create_enrolment_key(db: Database, location_id: str, role: str) -> str:
    """Create a one-time enrolment key for a device at ``location_id``; returns the key."""
    if role not in DEVICE_ROLES:
        raise ValueError(f"role must be one of {sorted(DEVICE_ROLES)}, not {role!r}")
    key = "EK-" + secrets.token_urlsafe(18)
    now = time.time()
    with db.write() as tx:
        exists = tx.conn.execute(
            select(schema.locations.c.id).where(schema.locations.c.id == location_id)
        ).first()
        if exists is None:
            raise ValueError(f"unknown location {location_id!r}")
        tx.conn.execute(
            schema.enrolment_keys.insert().values(
                key_hash=_hash(key),
                location_id=location_id,
                role=role,
                created_at=now,
                expires_at=now + ENROLMENT_KEY_TTL,
            )
        )
    return key


def enrol_device(db: Database, key: str, device_name: str) -> tuple[str, str, str, str]:
    """Exchange a one-time enrolment key for (device_id, token, role, location_id)."""
    now = time.time()
    with db.write() as tx:
        row = tx.conn.execute(
            select(schema.enrolment_keys).where(schema.enrolment_keys.c.key_hash == _hash(key))
        ).first()
        if row is None or row.used_at is not None or row.expires_at < now:
            raise Problem(401, "invalid_enrolment_key", "The enrolment key is unknown, used or expired.")
        device_id = "T-" + secrets.token_hex(6).upper()
        tx.conn.execute(
            schema.devices.insert().values(
                id=device_id,
                location_id=row.location_id,
                role=row.role,
                name=device_name,
                created_at=now,
            )
        )
        tx.conn.execute(
            update(schema.enrolment_keys)
            .where(schema.enrolment_keys.c.key_hash == row.key_hash)
            .values(used_at=now, device_id=device_id)
        )
        token = _issue(tx.conn, "device", device_id, None, row.role, now + DEVICE_TOKEN_TTL)
    return device_id, token, row.role, row.location_id


def _issue(
    conn: Connection, kind: str, device_id: str, associate_id: str | None, role: str, expires: float
) -> str:
    token = f"{kind[0]}.{secrets.token_urlsafe(32)}"
    conn.execute(
        schema.tokens.insert().values(
            token_hash=_hash(token),
            kind=kind,
            device_id=device_id,
            associate_id=associate_id,
            role=role,
            expires_at=expires,
        )
    )
    return token


def sign_in_associate(
    db: Database, device: Principal, *, badge: str | None, employee_id: str | None, pin: str | None
) -> tuple[str, str, str, float]:
    """Badge, or employee id + PIN, on an associate device: (token, associate_id, role, expires)."""
    if device.device_role != "associate" or device.has_associate:
        raise Problem(403, "forbidden", "Associates sign in on an associate device.")
    now = time.time()
    with db.write() as tx:
        if badge is not None:
            row = tx.conn.execute(
                select(schema.associates).where(schema.associates.c.badge_hash == badge_hash(badge))
            ).first()
            ok = row is not None
        else:
            row = tx.conn.execute(
                select(schema.associates).where(schema.associates.c.id == employee_id)
            ).first()
            if row is not None and row.locked_until is not None and row.locked_until > now:
                raise Problem(
                    429,
                    "sign_in_locked",
                    "Too many wrong PINs; try again later.",
                    retry_after=int(row.locked_until - now) + 1,
                )
            ok = row is not None and pin is not None and verify_pin(pin, row.pin_hash)
            if row is not None and not ok:
                attempts = row.failed_attempts + 1
                locked = now + PIN_LOCKOUT if attempts >= PIN_ATTEMPTS else None
                tx.conn.execute(
                    update(schema.associates)
                    .where(schema.associates.c.id == row.id)
                    .values(failed_attempts=0 if locked else attempts, locked_until=locked)
                )
        if row is None or not ok or not row.active:
            # Commit the failed-attempt counter, then refuse.
            failure = Problem(401, "invalid_credentials", "Badge or PIN not recognised.")
        elif row.store_id != device.location_id:
            failure = Problem(403, "wrong_store", "This associate does not work at this store.")
        else:
            failure = None
            tx.conn.execute(
                update(schema.associates)
                .where(schema.associates.c.id == row.id)
                .values(failed_attempts=0, locked_until=None)
            )
            expires = now + ASSOCIATE_TOKEN_TTL
            token = _issue(tx.conn, "associate", device.device_id, row.id, row.role, expires)
    if failure is not None:
        raise failure
    assert row is not None
    return token, row.id, row.role, expires


def authenticate(db: Database, authorization: str | None) -> Principal:
    """Resolve a bearer token to a principal, or raise 401/403."""
    if not authorization or not authorization.startswith("Bearer "):
        raise Problem(401, "unauthorized", "A bearer token is required.")
    token = authorization[len("Bearer ") :].strip()
    if not token or len(token) > 200:
        raise Problem(401, "unauthorized", "The token is not valid.")
    with db.read() as conn:
        row = conn.execute(_TOKEN, {"token_hash": _hash(token)}).first()
    if row is None or row.expires_at < time.time():
        raise Problem(401, "unauthorized", "The token is not valid or has expired.")
    if row.revoked_at is not None:
        raise Problem(403, "device_revoked", "This device has been revoked.")
    if row.kind == "associate":
        return Principal(row.id, row.device_role, row.location_id, row.associate_id, row.role)
    return Principal(row.id, row.device_role, row.location_id)


def revoke_device(db: Database, device_id: str) -> bool:
    with db.write() as tx:
        result = tx.conn.execute(
            update(schema.devices)
            .where(schema.devices.c.id == device_id, schema.devices.c.revoked_at.is_(None))
            .values(revoked_at=time.time())
        )
        return result.rowcount == 1
