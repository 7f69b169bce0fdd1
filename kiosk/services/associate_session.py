"""The signed-in associate: badge, or employee id + PIN, via the central API; a short-lived token in memory.

The token never touches the disk or a log line. It goes when the associate signs out, when it expires,
and when the kiosk's idle reset runs: a customer who walks up later finds no associate features open.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from kiosk.api.errors import CentralError, CentralRejected, CentralUnauthorized, CentralUnreachable

log = logging.getLogger(__name__)

ROLES: Final = ("associate", "supervisor")
_BADGE = re.compile(r"^[\x20-\x7e]{1,40}$")  # what the central API accepts (printable ASCII)
_EMPLOYEE_ID = re.compile(r"^[A-Za-z0-9._@:-]{1,40}$")
_PIN = re.compile(r"^[0-9]{4,8}$")


@dataclass(frozen=True, slots=True)
class BadgeCredentials:
    badge: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class PinCredentials:
    employee_id: str
    pin: str = field(repr=False)


type Credentials = BadgeCredentials | PinCredentials


@dataclass(frozen=True, slots=True)
class AssociateGrant:
    """What ``POST /v1/auth/associate`` returned."""

    token: str = field(repr=False)
    associate_id: str
    name: str
    role: str  # associate | supervisor
    expires_at: float  # epoch seconds


type SignIn = Callable[[Credentials], Awaitable[AssociateGrant]]


class SignInProblem(StrEnum):
    """Why a sign-in did not happen; the badge screen words each one."""

    BAD_INPUT = "bad_input"  # not a badge or PIN this system issues: nothing was sent
    INVALID_CREDENTIALS = "invalid_credentials"
    LOCKED = "locked"  # too many wrong PINs
    WRONG_STORE = "wrong_store"
    NOT_ALLOWED_HERE = "not_allowed_here"  # this device may not sign associates in
    OFFLINE = "offline"  # the central system cannot be reached: signing in needs it
    FAILED = "failed"  # the central system failed or answered nonsense


class SignInRefused(Exception):
    def __init__(self, problem: SignInProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class NotSignedIn(Exception):
    """An associate feature was asked for without a valid associate session."""


class AssociateSession:
    """At most one associate signed in on this device, through the injected `sign_in` call."""

    def __init__(self, sign_in: SignIn, *, clock: Callable[[], float] = time.time) -> None:
        self._sign_in = sign_in
        self._clock = clock
        self._grant: AssociateGrant | None = None

    @property
    def current(self) -> AssociateGrant | None:
        """The signed-in associate, or None (never signed in, signed out, or the token expired)."""
        if self._grant is not None and self._grant.expires_at <= self._clock():
            log.info("associate session of %s expired", self._grant.associate_id)
            self._grant = None
        return self._grant

    @property
    def role(self) -> str | None:
        grant = self.current
        return grant.role if grant is not None else None

    def require(self, role: str = "associate") -> AssociateGrant:
        """The grant when someone with at least ``role`` is signed in; NotSignedIn otherwise."""
        grant = self.current
        if grant is None or ROLES.index(grant.role) < ROLES.index(role):
            raise NotSignedIn(role)
        return grant

    async def sign_in_badge(self, badge: str) -> AssociateGrant:
        text = badge.strip() if isinstance(badge, str) else ""
        if not _BADGE.match(text):
            raise SignInRefused(SignInProblem.BAD_INPUT)
        return await self._call(BadgeCredentials(text))

    async def sign_in_pin(self, employee_id: str, pin: str) -> AssociateGrant:
        who = employee_id.strip() if isinstance(employee_id, str) else ""
        secret = pin.strip() if isinstance(pin, str) else ""
        if not _EMPLOYEE_ID.match(who) or not _PIN.match(secret):
            raise SignInRefused(SignInProblem.BAD_INPUT)
        return await self._call(PinCredentials(who, secret))

    def sign_out(self) -> None:
        if self._grant is not None:
            log.info("associate %s signed out", self._grant.associate_id)
        self._grant = None

    async def _call(self, credentials: Credentials) -> AssociateGrant:
        self._grant = None  # a new sign-in replaces whoever was signed in, even when it fails
        try:
            grant = await self._sign_in(credentials)
        except CentralError as exc:
            raise SignInRefused(_problem(exc)) from exc
        if grant.role not in ROLES or not grant.token or grant.expires_at <= self._clock():
            log.warning("sign-in answer unusable: role %r, expires %r", grant.role, grant.expires_at)
            raise SignInRefused(SignInProblem.FAILED)
        self._grant = grant
        log.info("associate %s signed in as %s", grant.associate_id, grant.role)
        return grant


def _problem(error: CentralError) -> SignInProblem:
    if isinstance(error, CentralUnreachable):
        return SignInProblem.OFFLINE
    if isinstance(error, CentralUnauthorized) or (
        isinstance(error, CentralRejected) and error.code == "invalid_credentials"
    ):
        return SignInProblem.INVALID_CREDENTIALS
    if isinstance(error, CentralRejected):
        if error.code == "sign_in_locked" or error.status == 429:
            return SignInProblem.LOCKED
        if error.code == "wrong_store":
            return SignInProblem.WRONG_STORE
        if error.status == 403:
            return SignInProblem.NOT_ALLOWED_HERE
        if error.status == 422:
            return SignInProblem.BAD_INPUT
    return SignInProblem.FAILED
