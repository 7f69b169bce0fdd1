"""Device enrolment: reuse the stored token, enrol with a key when there is none, and say why when stuck."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, Protocol

from offline_cache.device_record import DeviceFileInvalid, DeviceRecord, DeviceStore
from offline_cache.remote import Enrolment as DeviceEnrolment
from offline_cache.remote import Rejected, RetryLater, ServerFailed, Unauthorized, Unreachable

log = logging.getLogger(__name__)


class EnrolmentRemote(Protocol):
    """The part of the central API enrolment needs (kiosk.api.remote.CentralRemote implements it).

    Errors are ``offline_cache.remote`` errors: Unauthorized for a refused key; Unreachable (the
    central is away) and the rest propagate for the caller to retry or report.
    """

    async def enrol_device(self, enrolment_key: str, device_name: str) -> DeviceEnrolment: ...

    def use_token(self, token: str | None) -> None: ...


class EnrolmentIssue(StrEnum):
    """Why the device cannot work yet; each one has its own message on screen."""

    NOT_ENROLLED = "not_enrolled"  # no device.json and no key
    KEY_REFUSED = "key_refused"  # the key is unknown, used or expired
    CREDENTIALS_REFUSED = "credentials_refused"  # the stored token got a 401
    DEVICE_REVOKED = "device_revoked"  # the central system revoked this device
    ROLE_MISMATCH = "role_mismatch"  # enrolled (or the key is) for the other mode
    LOCATION_MISMATCH = "location_mismatch"  # enrolled (or the key is) for another store
    OTHER_CENTRAL = "other_central"  # enrolled with a different central server
    DEVICE_FILE_INVALID = "device_file_invalid"  # device.json is damaged and there is no key


class EnrolmentNeeded(Exception):
    """The device needs a (new) enrolment key before it can talk to the central API."""

    def __init__(self, issue: EnrolmentIssue, detail: str = "") -> None:
        super().__init__(f"{issue.value}: {detail}" if detail else issue.value)
        self.issue = issue
        self.detail = detail


@dataclass(frozen=True, slots=True)
class EnrolmentPlan:
    """What this terminal should be, from the settings."""

    central_url: str
    role: str
    device_name: str
    location: str | None = None
    enrol_key: str | None = field(default=None, repr=False)
    # The demo's server gets a new port on every start but keeps its database, so its tokens stay good.
    central_may_move: bool = False


class Enrolment:
    """Gets this device a valid token, from ``device.json`` or by enrolling with the configured key."""

    def __init__(self, remote: EnrolmentRemote, store: DeviceStore, plan: EnrolmentPlan) -> None:
        self._remote = remote
        self._store = store
        self._plan = plan
        self._key_spent = False  # enrolment keys are one-time: never send the same one twice

    async def ensure(self) -> DeviceRecord:
        """The device's record with its token in use; raises EnrolmentNeeded when a person must act."""
        try:
            record = self._store.load()
        except DeviceFileInvalid as exc:
            log.warning("the device file %s is unusable: %s", self._store.path, exc)
            if not self._has_key():
                raise EnrolmentNeeded(EnrolmentIssue.DEVICE_FILE_INVALID, str(exc)) from None
            self._store.set_aside()
            return await self._enrol()
        if record is None:
            if not self._has_key():
                raise EnrolmentNeeded(EnrolmentIssue.NOT_ENROLLED)
            return await self._enrol()
        mismatch = self._mismatch(record)
        if mismatch is not None:
            if not self._has_key():
                raise EnrolmentNeeded(*mismatch)
            log.info("re-enrolling: %s", mismatch[1])
            return await self._enrol()
        if record.central_url != self._plan.central_url:
            # Only reached when the central may move (demo): remember where it is now.
            record = DeviceRecord(
                record.device_id, record.token, record.role, record.location_id, self._plan.central_url
            )
            self._store.save(record)
        self._remote.use_token(record.token)
        return record

    async def recover(self, issue: EnrolmentIssue, detail: str = "") -> DeviceRecord:
        """The stored token was refused (``issue``): enrol again if an unspent key is at hand, else say so."""
        log.warning("the central API refused this device's token: %s %s", issue.value, detail)
        if not self._has_key():
            raise EnrolmentNeeded(issue, detail)
        self._remote.use_token(None)
        return await self._enrol()

    def _has_key(self) -> bool:
        return self._plan.enrol_key is not None and not self._key_spent

    def _mismatch(self, record: DeviceRecord) -> tuple[EnrolmentIssue, str] | None:
        plan = self._plan
        if record.central_url != plan.central_url and not plan.central_may_move:
            return (
                EnrolmentIssue.OTHER_CENTRAL,
                f"enrolled with {record.central_url}, configured {plan.central_url}",
            )
        if record.role != plan.role:
            return EnrolmentIssue.ROLE_MISMATCH, f"enrolled as {record.role}, configured as {plan.role}"
        if plan.location is not None and record.location_id != plan.location:
            return (
                EnrolmentIssue.LOCATION_MISMATCH,
                f"enrolled for {record.location_id}, configured {plan.location}",
            )
        return None

    async def _enrol(self) -> DeviceRecord:
        key = self._plan.enrol_key
        if key is None:
            raise EnrolmentNeeded(EnrolmentIssue.NOT_ENROLLED)
        self._key_spent = True
        try:
            answer = await self._remote.enrol_device(key, self._plan.device_name)
        except Unauthorized as exc:
            raise EnrolmentNeeded(EnrolmentIssue.KEY_REFUSED, exc.detail) from None
        except (Unreachable, ServerFailed, RetryLater):
            # No answer or a failure: the key may be tried again. Had the server used it after all
            # (an answer lost on the way), the next try says "key refused", which a person can fix.
            self._key_spent = False
            raise
        # The key decides role and store on the server; refuse one that does not match the settings
        # rather than silently becoming a different kind of terminal.
        if answer.role != self._plan.role:
            raise EnrolmentNeeded(
                EnrolmentIssue.ROLE_MISMATCH,
                f"the key is for a {answer.role} device, configured {self._plan.role}",
            )
        if self._plan.location is not None and answer.location_id != self._plan.location:
            raise EnrolmentNeeded(
                EnrolmentIssue.LOCATION_MISMATCH,
                f"the key is for {answer.location_id}, configured {self._plan.location}",
            )
        record = DeviceRecord(
            answer.device_id, answer.token, answer.role, answer.location_id, self._plan.central_url
        )
        self._store.save(record)
        self._remote.use_token(record.token)
        log.info("enrolled as %s (%s at %s)", record.device_id, record.role, record.location_id)
        return record


def refusal_issue(refusal: Rejected) -> EnrolmentIssue | None:
    """Whether a refusal means this device's credentials are no good, and which way (None: they are fine)."""
    if isinstance(refusal, Unauthorized) or refusal.status == 401:
        return EnrolmentIssue.CREDENTIALS_REFUSED
    if refusal.status == 403 and refusal.code == "device_revoked":
        return EnrolmentIssue.DEVICE_REVOKED
    return None


# ``Rejected.__str__`` is "<status> <code>[: <detail>]"; the sync engine reports a refusal that blocks it
# as that text (SyncStatus.blocked).
_BLOCKED: Final = re.compile(r"^(?P<status>\d{3}) (?P<code>[A-Za-z0-9_.-]+)(?:: (?P<detail>.*))?$", re.DOTALL)


def blocked_issue(blocked: str) -> EnrolmentIssue | None:
    """The enrolment issue behind the engine's ``SyncStatus.blocked`` text, None for other refusals."""
    match = _BLOCKED.match(blocked)
    if match is None:
        return None
    return refusal_issue(Rejected(int(match["status"]), match["code"], match["detail"] or ""))
