"""Contract v1 wire types and their validation: every body from the central API is checked here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# The wire types the sync engine already defines; the app's client returns the same ones.
from offline_cache.remote import Change, Health
from offline_cache.remote import Enrolment as DeviceEnrolment

__all__ = [
    "Change",
    "DeviceEnrolment",
    "Health",
    "MalformedBody",
    "Problem",
    "PullPage",
    "parse_change",
    "parse_enrolment",
    "parse_health",
    "parse_problem",
    "parse_pull_page",
]


class MalformedBody(ValueError):
    """A response body that does not have the shape contract v1 promises."""


@dataclass(frozen=True, slots=True)
class PullPage:
    stream: str
    changes: tuple[Change, ...]
    next_cursor: str
    has_more: bool
    checksum: str
    server_version: int

    @property
    def cursor_version(self) -> int:
        """The version the next cursor points at (cursors look like ``v1.<version>``), 0 if opaque."""
        _, _, digits = self.next_cursor.rpartition(".")
        return int(digits) if digits.isdigit() else 0


@dataclass(frozen=True, slots=True)
class Problem:
    """An RFC 9457 problem body."""

    status: int
    code: str
    detail: str


def _object(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise MalformedBody(f"{where} is not a JSON object")
    return value


def _str(obj: Mapping[str, object], key: str, where: str, *, allow_empty: bool = False) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or (not allow_empty and not value):
        raise MalformedBody(f"{where}.{key} is not a non-empty string")
    return value


def _int(obj: Mapping[str, object], key: str, where: str) -> int:
    value = obj.get(key)
    # JSON true/false decode to bool, which is an int subclass: refuse them explicitly.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise MalformedBody(f"{where}.{key} is not a non-negative integer")
    return value


def _bool(obj: Mapping[str, object], key: str, where: str) -> bool:
    value = obj.get(key)
    if not isinstance(value, bool):
        raise MalformedBody(f"{where}.{key} is not a boolean")
    return value


def parse_health(body: object) -> Health:
    obj = _object(body, "health")
    return Health(
        status=_str(obj, "status", "health"),
        version=_str(obj, "version", "health"),
        api=_int(obj, "api", "health"),
        server_version=_int(obj, "server_version", "health"),
    )


def parse_enrolment(body: object) -> DeviceEnrolment:
    obj = _object(body, "enrolment")
    return DeviceEnrolment(
        device_id=_str(obj, "device_id", "enrolment"),
        token=_str(obj, "token", "enrolment"),
        role=_str(obj, "role", "enrolment"),
        location_id=_str(obj, "location_id", "enrolment"),
    )


def parse_change(body: object, where: str) -> Change:
    obj = _object(body, where)
    op = obj.get("op")
    if op == "upsert":
        data = _object(obj.get("data"), f"{where}.data")
        return Change(
            _str(obj, "entity", where), _str(obj, "key", where), _int(obj, "version", where), "upsert", data
        )
    if op == "delete":
        return Change(
            _str(obj, "entity", where), _str(obj, "key", where), _int(obj, "version", where), "delete", None
        )
    raise MalformedBody(f"{where}.op is neither 'upsert' nor 'delete'")


def parse_pull_page(body: object, expected_stream: str) -> PullPage:
    obj = _object(body, "pull")
    stream = _str(obj, "stream", "pull")
    if stream != expected_stream:
        raise MalformedBody(f"pull answered for stream {stream!r}, asked for {expected_stream!r}")
    raw_changes = obj.get("changes")
    if not isinstance(raw_changes, list):
        raise MalformedBody("pull.changes is not a list")
    changes = tuple(parse_change(item, f"pull.changes[{i}]") for i, item in enumerate(raw_changes))
    return PullPage(
        stream=stream,
        changes=changes,
        next_cursor=_str(obj, "next_cursor", "pull"),
        has_more=_bool(obj, "has_more", "pull"),
        checksum=_str(obj, "checksum", "pull", allow_empty=True),
        server_version=_int(obj, "server_version", "pull"),
    )


def parse_problem(body: object, status: int) -> Problem:
    """A problem+json body; the HTTP status wins over a contradicting ``status`` member."""
    obj = _object(body, "problem")
    detail = obj.get("detail")
    return Problem(
        status=status,
        code=_str(obj, "code", "problem"),
        detail=detail if isinstance(detail, str) else "",
    )
