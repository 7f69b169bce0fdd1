"""Contract v1 on the wire: request bodies out, (status, headers, body) in, as pure functions.

Every transport calls these, so a page, a push answer or a refusal means the same thing whether it
came over httpx or the standard library. Anything that does not have the promised shape raises
MalformedResponse and is never applied.
"""

from __future__ import annotations

import asyncio
import codecs
import email.utils
import json
import json.scanner
import re
import time
from collections.abc import Generator, Mapping
from typing import Any, Final, cast

from offline_cache.remote import (
    Change,
    Enrolment,
    Health,
    MalformedResponse,
    MustRefetch,
    PullPage,
    PushRequest,
    PushResponse,
    PushResult,
    PushStatus,
    Rejected,
    RemoteError,
    RetryLater,
    ServerFailed,
    TerminalState,
    Unauthorized,
    cursor_version,
)

PROTOCOL: Final = 1
MAX_INT64: Final = 2**63 - 1
MAX_RETRY_AFTER: Final = 3600.0  # a longer wish is treated as this; callers cap further
# 408/425/429/503 say "not now"; 409 in_progress means our own install is being processed.
RETRY_STATUSES: Final = frozenset({408, 425, 429, 503})
PUSH_STATUSES: Final[frozenset[str]] = frozenset(
    {"applied", "duplicate", "rejected", "needs_review", "key_reuse_mismatch", "fork"}
)
# Which entities each kind of stream may carry, and the data member that must equal the change key.
STREAM_ENTITIES: Final[Mapping[str, Mapping[str, str | None]]] = {
    "locations": {"location": "id"},
    "catalog": {"category": "id", "product": "sku"},
    "reviews": {"review": "review_id"},
    "stock": {"stock": None},
    "orders": {"order": "id"},
}


def stream_kind(stream: str) -> tuple[str, str | None]:
    """("stock", "CZ-PRG-01") for ``stock:CZ-PRG-01``; ("catalog", None) for ``catalog``."""
    kind, sep, scope = stream.partition(":")
    if not sep:
        if kind in ("locations", "catalog", "reviews"):
            return kind, None
    elif kind in ("stock", "orders") and scope and len(scope) <= 32 and scope.replace("-", "").isalnum():
        return kind, scope
    raise ValueError(f"unknown stream {stream!r}")


# -- request bodies ----------------------------------------------------------------------------


def enrolment_body(enrolment_key: str, device_name: str) -> bytes:
    return json.dumps({"enrolment_key": enrolment_key, "device_name": device_name}).encode()


def pull_params(stream: str, cursor: str | None, limit: int) -> dict[str, str]:
    params = {"stream": stream, "limit": str(limit)}
    if cursor:
        params["cursor"] = cursor
    return params


def push_body(request: PushRequest) -> bytes:
    """The push request; each payload is spliced in as stored, never parsed and re-encoded."""
    actions = []
    for action in request.actions:
        envelope = json.dumps(
            {
                "seq": action.seq,
                "action_id": action.action_id,
                "type": action.type,
                "action_version": action.action_version,
                "payload_sha256": action.payload_sha256,
                "associate_id": action.associate_id,
                "auth_context": action.auth_context,
                "client_created_at": action.client_created_at,
                "depends_on": action.depends_on,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        actions.append(envelope[:-1] + ',"payload":' + action.payload_json + "}")
    head = json.dumps(
        {
            "protocol": PROTOCOL,
            "terminal_id": request.terminal_id,
            "install_id": request.install_id,
            "app_version": request.app_version,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return (head[:-1] + ',"actions":[' + ",".join(actions) + "]}").encode()


# -- responses -------------------------------------------------------------------------------------


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def decode_json(body: bytes, where: str) -> object:
    """Strict JSON: UTF-8 only, no NaN or Infinity."""
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise MalformedResponse(f"{where}: the body is not JSON ({type(exc).__name__})") from None


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    value = _lower(headers).get("retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit() and value.isascii():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    current = time.time() if now is None else now
    return min(max(0.0, when.timestamp() - current), MAX_RETRY_AFTER)


def _problem(body: bytes) -> tuple[str, str, dict[str, object]] | None:
    """(code, detail, members) of a problem+json body, or None when the body is not one."""
    try:
        obj = decode_json(body, "problem")
    except MalformedResponse:
        return None
    if not isinstance(obj, dict):
        return None
    code = obj.get("code")
    if not isinstance(code, str) or not code:
        return None
    detail = obj.get("detail")
    return code, detail if isinstance(detail, str) else "", cast(dict[str, object], obj)


def checked_body(status: int, headers: Mapping[str, str], body: bytes, where: str) -> object:
    """The JSON of a 2xx answer; anything else raised as the RemoteError it means."""
    if 200 <= status < 300:
        return decode_json(body, where)
    raise error_for(status, headers, body, where)


def error_for(status: int, headers: Mapping[str, str], body: bytes, where: str) -> RemoteError:
    """What a non-2xx answer means, by the retry rules of SYNC_DESIGN 3.10."""
    problem = _problem(body)
    retry_after = retry_after_seconds(headers)
    if status in RETRY_STATUSES or (status == 409 and problem is not None and problem[0] == "in_progress"):
        detail = f"{where}: {status} {problem[0]}" if problem else f"{where}: {status}"
        return RetryLater(detail, retry_after, status)
    if 400 <= status < 500:
        if problem is None:
            # A 4xx without a problem body is not our server talking (a proxy, a captive portal).
            return ServerFailed(f"{where}: refused without a problem body", status)
        code, detail, members = problem
        if status == 401:
            return Unauthorized(status, code, detail, members)
        if status == 409 and code == "must_refetch":
            return MustRefetch(status, code, detail, members)
        return Rejected(status, code, detail, members)
    if status >= 500:
        if retry_after is not None:
            return RetryLater(f"{where}: server error {status}", retry_after, status)
        suffix = f" ({problem[0]}: {problem[1]})" if problem else ""
        return ServerFailed(f"{where}: server error{suffix}", status)
    return ServerFailed(f"{where}: unexpected status", status)


def _object(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise MalformedResponse(f"{where} is not a JSON object")
    return cast(dict[str, object], value)


def _str(
    obj: Mapping[str, object], key: str, where: str, *, allow_empty: bool = False, limit: int = 200
) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or (not allow_empty and not value) or len(value) > limit:
        raise MalformedResponse(f"{where}.{key} is not a string of at most {limit} characters")
    return value


def _int(obj: Mapping[str, object], key: str, where: str) -> int:
    value = obj.get(key)
    # JSON true/false decode to bool, an int subclass: refuse them explicitly.
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INT64:
        raise MalformedResponse(f"{where}.{key} is not a non-negative 64-bit integer")
    return value


def _optional_int(obj: Mapping[str, object], key: str, where: str) -> int | None:
    return None if obj.get(key) is None else _int(obj, key, where)


def _bool(obj: Mapping[str, object], key: str, where: str) -> bool:
    value = obj.get(key)
    if not isinstance(value, bool):
        raise MalformedResponse(f"{where}.{key} is not a boolean")
    return value


def parse_enrolment(status: int, headers: Mapping[str, str], body: bytes) -> Enrolment:
    obj = _object(checked_body(status, headers, body, "enrolment"), "enrolment")
    return Enrolment(
        device_id=_str(obj, "device_id", "enrolment", limit=40),
        token=_str(obj, "token", "enrolment", limit=400),
        role=_str(obj, "role", "enrolment", limit=40),
        location_id=_str(obj, "location_id", "enrolment", limit=32),
    )


def parse_health(status: int, headers: Mapping[str, str], body: bytes) -> Health:
    obj = _object(checked_body(status, headers, body, "health"), "health")
    return Health(
        status=_str(obj, "status", "health"),
        version=_str(obj, "version", "health"),
        api=_int(obj, "api", "health"),
        server_version=_int(obj, "server_version", "health"),
    )


class JsonObject(dict[str, object]):
    """A JSON object read off the wire, with ``text``: the exact, validated JSON it was parsed from.

    The cache keeps entity data as JSON text; writing ``text`` spares a json.dumps per row, which
    costs about as much as parsing the row did (tens of microseconds for a product).
    """

    __slots__ = ("text",)

    def __init__(self, text: str, members: dict[str, object]) -> None:
        super().__init__(members)
        self.text = text


# Pull pages are read change by change with the json module's own C scanners, not with one
# json.loads: that is one C call of ~100 ms for a 5,000-product page, a stall for the event loop
# whatever thread makes it; read change by change, the work can pause every few milliseconds.
# The stub asks for a scanner as context; any object with a decoder's attributes is what it reads.
_scanner: Final = json.scanner.make_scanner(
    cast(json.scanner.make_scanner, json.JSONDecoder(parse_constant=_reject_constant))
)


def _scan_value(s: str, i: int) -> tuple[Any, int]:
    """The JSON value at ``s[i]`` and the index after it."""
    try:
        return _scanner(s, i)
    except StopIteration:
        # The scanner's "no value here"; inside the page generators it would become a RuntimeError.
        raise MalformedResponse(f"pull: no JSON value at offset {i}") from None


# "{" or "," and a member name without escapes and its colon, or the closing "}": one match each.
_MEMBER: Final = re.compile(r'[ \t\n\r]*(?:([{,])[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*:|\})[ \t\n\r]*')
_ENVELOPE: Final = re.compile(
    r'\{"entity":"([^"\\\x00-\x1f]*)","key":"([^"\\\x00-\x1f]*)","version":(0|[1-9][0-9]{0,18}),'
    r'"op":("upsert","data":|"delete"\})'
)
_DELETE: Final = '"delete"}'
# How much of a page is read between two yields of `read_pull_page`: ~3-5 ms of CPU.
SLICE_CHARS: Final = 128 * 1024
_SEPARATOR: Final = re.compile(r"[ \t\n\r]*([,}\]])[ \t\n\r]*")


def _skip(s: str, i: int) -> int:
    """The index of the next character that is not JSON whitespace."""
    while i < len(s) and s[i] in " \t\n\r":
        i += 1
    return i


def _expect(s: str, i: int, char: str, where: str) -> int:
    if s[i] != char:
        raise MalformedResponse(f"{where}: expected {char!r} at offset {i}")
    return _skip(s, i + 1)


def _change(members: Mapping[str, object], data_text: str, index: int) -> Change:
    where = f"pull.changes[{index}]"
    entity = _str(members, "entity", where, limit=40)
    key = _str(members, "key", where, limit=200)
    version = _int(members, "version", where)
    op = members.get("op")
    if op == "upsert":
        data = members.get("data")
        if not isinstance(data, dict):
            raise MalformedResponse(f"{where}.data is not a JSON object")
        return Change(entity, key, version, "upsert", JsonObject(data_text, data))
    if op == "delete":
        return Change(entity, key, version, "delete", None)
    raise MalformedResponse(f"{where}.op is neither 'upsert' nor 'delete'")


def _read_change(s: str, i: int, index: int) -> tuple[Change, int]:
    """The change object at ``s[i]`` and the index after it; an upsert's data keeps its own text.

    Member names without escapes (all a server sends) take one regex match each; anything else is
    read whole by the C scanner and its data re-encoded, so every valid JSON text reads the same.
    """
    start = i
    # The layout this project's server writes: the whole envelope in one match.
    envelope = _ENVELOPE.match(s, i)
    if envelope is not None:
        entity, key, digits, rest = envelope.groups()
        version = int(digits)
        if 0 < len(entity) <= 40 and 0 < len(key) <= 200 and version <= MAX_INT64:
            if rest == _DELETE:
                return Change(entity, key, version, "delete", None), envelope.end()
            data, end = _scan_value(s, envelope.end())
            if type(data) is dict and s[end] == "}":
                return Change(
                    entity, key, version, "upsert", JsonObject(s[envelope.end() : end], data)
                ), end + 1
    members: dict[str, object] = {}
    data_text = ""
    punctuation = "{"
    found = _MEMBER.match(s, i)
    while found is not None:
        if found.group(1) is None:  # the closing brace
            return _change(members, data_text, index), found.end()
        if found.group(1) != punctuation:
            break
        i = found.end()
        name = found.group(2)
        value, end = _scan_value(s, i)
        members[name] = value
        if name == "data":
            data_text = s[i:end]
        punctuation = ","
        found = _MEMBER.match(s, end)
    whole, end = _scan_value(s, start)
    if not isinstance(whole, dict):
        raise MalformedResponse(f"pull.changes[{index}] is not a JSON object")
    data = whole.get("data")
    return _change(whole, json.dumps(data, ensure_ascii=False, separators=(",", ":")), index), end


def _separator(s: str, i: int, where: str, close: str) -> tuple[bool, int]:
    """After a value: (True, index after ``close``) at its end, or (False, index of the next item)."""
    found = _SEPARATOR.match(s, i)
    if found is None or found.group(1) not in (",", close):
        raise MalformedResponse(f"{where}: expected ',' or {close!r} at offset {i}")
    return found.group(1) == close, found.end()


def _member_name(s: str, i: int, where: str) -> tuple[str, int]:
    """The member name at ``s[i]`` (after any whitespace) and the index of its value."""
    i = _skip(s, i)
    if s[i] != '"':
        raise MalformedResponse(f"{where}: expected a member name at offset {i}")
    name, i = _scan_value(s, i)
    return name, _expect(s, _skip(s, i), ":", where)


def _read_changes(s: str, i: int) -> Generator[None, None, tuple[list[Change], int]]:
    """The array of changes at ``s[i] == "["`` and the index after it; yields every SLICE_CHARS."""
    changes: list[Change] = []
    i = _skip(s, i + 1)
    done = s[i] == "]"
    if done:
        i += 1
    pause = i + SLICE_CHARS
    while not done:
        change, i = _read_change(s, i, len(changes))
        changes.append(change)
        done, i = _separator(s, i, "pull.changes", "]")
        if i > pause:
            yield
            pause = i + SLICE_CHARS
    return changes, i


def _read_page(s: str) -> Generator[None, None, tuple[dict[str, object], list[Change] | None]]:
    """The page's members, with ``changes`` read change by change (None when it is not an array)."""
    members: dict[str, object] = {}
    changes: list[Change] | None = None
    i = _skip(s, 0)
    if s[i] != "{":
        raise MalformedResponse("pull is not a JSON object")
    i = _skip(s, i + 1)
    done = s[i] == "}"
    if done:
        i += 1
    while not done:
        name, i = _member_name(s, i, "pull")
        if name == "changes" and s[i] == "[":
            changes, i = yield from _read_changes(s, i)
        else:
            members[name], i = _scan_value(s, i)
            if name == "changes":
                changes = None  # a later duplicate wins, as in json.loads
        done, i = _separator(s, i, "pull", "}")
    if i != len(s):
        raise MalformedResponse("pull: data after the JSON object")
    return members, changes


def _decode(body: bytes) -> Generator[None, None, str]:
    """UTF-8 (strict) in slices: a 7 MB page of Czech and Bulgarian text takes ~20 ms in one call."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    parts = []
    for start in range(0, len(body), SLICE_CHARS * 4):
        parts.append(decoder.decode(body[start : start + SLICE_CHARS * 4]))
        yield
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts)


def read_pull_page(
    status: int, headers: Mapping[str, str], body: bytes, stream: str
) -> Generator[None, None, PullPage]:
    """`parse_pull_page` in slices of a few milliseconds: yields between them, returns the page.

    An event loop can drive it between its other work (`parse_pull_page_cooperatively`): parsing on
    the loop's own thread leaves a single busy thread (the cache writer) to share the GIL with it;
    a third one would make the loop wait for it far longer than a switch interval.
    """
    if not 200 <= status < 300:
        raise error_for(status, headers, body, f"pull {stream}")
    try:
        text = yield from _decode(body)
        obj, changes = yield from _read_page(text)
    except MalformedResponse:
        raise
    except (ValueError, IndexError, StopIteration, RecursionError) as exc:
        # JSONDecodeError and UnicodeDecodeError are ValueErrors; IndexError is a body cut short.
        raise MalformedResponse(f"pull {stream}: the body is not JSON ({type(exc).__name__})") from None
    answered = _str(obj, "stream", "pull", limit=48)
    if answered != stream:
        raise MalformedResponse(f"pull answered for stream {answered!r}, asked for {stream!r}")
    if changes is None:
        raise MalformedResponse("pull.changes is not a list")
    terminal = None
    if obj.get("terminal") is not None:
        t = _object(obj.get("terminal"), "pull.terminal")
        terminal = TerminalState(
            _str(t, "install_id", "pull.terminal", limit=40), _int(t, "last_applied_seq", "pull.terminal")
        )
    return PullPage(
        stream=answered,
        changes=tuple(changes),
        next_cursor=_str(obj, "next_cursor", "pull", limit=40),
        has_more=_bool(obj, "has_more", "pull"),
        checksum=_str(obj, "checksum", "pull", allow_empty=True, limit=80),
        server_version=_int(obj, "server_version", "pull"),
        terminal=terminal,
        stream_version=_optional_int(obj, "stream_version", "pull"),
    )


def parse_pull_page(status: int, headers: Mapping[str, str], body: bytes, stream: str) -> PullPage:
    """A pull answer as a PullPage; strict JSON (UTF-8, no NaN), each change checked as it is read."""
    steps = read_pull_page(status, headers, body, stream)
    while True:
        try:
            next(steps)
        except StopIteration as finished:
            page: PullPage = finished.value
            return page


async def parse_pull_page_cooperatively(
    status: int, headers: Mapping[str, str], body: bytes, stream: str
) -> PullPage:
    """`parse_pull_page` on the event loop's thread, letting other tasks run between slices."""
    steps = read_pull_page(status, headers, body, stream)
    while True:
        try:
            next(steps)
        except StopIteration as finished:
            page: PullPage = finished.value
            return page
        await asyncio.sleep(0)


def _count(data: Mapping[str, object], key: str, where: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not -(2**31) <= value < 2**31:
        raise MalformedResponse(f"{where}.data.{key} is not a 32-bit integer")
    return value


def validate_page(page: PullPage, stream: str, after: str | None, limit: int | None = None) -> None:
    """Check what types cannot: the page belongs to this stream and moves forward from ``after``.

    The puller calls this on every page from any Remote, so a fake or a new transport is held to
    the same rules; a page that fails writes nothing.
    """
    kind, scope = stream_kind(stream)
    if page.stream != stream:
        raise MalformedResponse(f"page for stream {page.stream!r}, asked for {stream!r}")
    if limit is not None and len(page.changes) > limit:
        raise MalformedResponse(f"page has {len(page.changes)} changes, asked for at most {limit}")
    if not page.next_cursor.startswith("v1.") or not page.next_cursor.isascii():
        raise MalformedResponse(f"next_cursor {page.next_cursor[:40]!r} is not a v1 cursor")
    floor = cursor_version(after)
    previous = floor
    allowed = STREAM_ENTITIES[kind]
    for i, change in enumerate(page.changes):
        where = f"{stream} change {i}"
        if change.entity not in allowed:
            raise MalformedResponse(f"{where}: entity {change.entity!r} does not belong to {kind}")
        if change.version <= floor or change.version < previous:
            raise MalformedResponse(f"{where}: version {change.version} goes backwards (after {previous})")
        previous = change.version
        if change.op == "delete":
            continue
        data = change.data
        if data is None:
            raise MalformedResponse(f"{where}: an upsert without data")
        id_member = allowed[change.entity]
        if id_member is not None and data.get(id_member, change.key) != change.key:
            raise MalformedResponse(f"{where}: data.{id_member} does not match the key {change.key!r}")
        if kind == "stock":
            sku = data.get("sku")
            if not isinstance(sku, str) or data.get("location_id") != scope or change.key != f"{sku}@{scope}":
                raise MalformedResponse(f"{where}: stock row is not for {scope!r} or its key does not match")
            on_hand, reserved = _count(data, "on_hand", where), _count(data, "reserved", where)
            available = data.get("available", on_hand - reserved)
            if available != on_hand - reserved:
                raise MalformedResponse(f"{where}: available is not on_hand - reserved")
        if kind == "orders" and data.get("store_id", scope) != scope:
            raise MalformedResponse(f"{where}: the order belongs to another store")
    if page.cursor_version < previous:
        raise MalformedResponse(f"next_cursor {page.next_cursor!r} is behind the page's changes")
    if page.server_version < page.cursor_version:
        raise MalformedResponse("server_version is behind next_cursor")


def _result(value: object, where: str) -> PushResult:
    obj = _object(value, where)
    status = _str(obj, "status", where, limit=40)
    code = obj.get("code")
    original = obj.get("original_status")
    if status not in PUSH_STATUSES:
        # A status this client does not know is never silently dropped nor resent forever:
        # a person looks at it.
        code, status = f"unknown_status:{status}", "needs_review"
    return PushResult(
        action_id=_str(obj, "action_id", where, limit=40),
        seq=_int(obj, "seq", where),
        status=cast(PushStatus, status),
        code=code if isinstance(code, str) else "",
        server_version=_optional_int(obj, "server_version", where),
        original_status=original if isinstance(original, str) else None,
        raw=obj,
    )


def parse_push_response(
    status: int, headers: Mapping[str, str], body: bytes, request: PushRequest
) -> PushResponse:
    obj = _object(checked_body(status, headers, body, "push"), "push")
    raw_results = obj.get("results")
    if not isinstance(raw_results, list):
        raise MalformedResponse("push.results is not a list")
    response = PushResponse(
        install_id=_str(obj, "install_id", "push", limit=40),
        results=tuple(_result(item, f"push.results[{i}]") for i, item in enumerate(raw_results)),
        last_applied_seq=_int(obj, "last_applied_seq", "push"),
        retry_after_ms=_optional_int(obj, "retry_after_ms", "push"),
    )
    validate_push_response(response, request)
    return response


def validate_push_response(response: PushResponse, request: PushRequest) -> None:
    """The answer is about this install and only names actions we sent, each once, with their seq."""
    if response.install_id != request.install_id:
        raise MalformedResponse(f"push answered for install {response.install_id}, sent {request.install_id}")
    sent = {a.action_id: a.seq for a in request.actions}
    seen: set[str] = set()
    for result in response.results:
        if sent.get(result.action_id) != result.seq:
            raise MalformedResponse(
                f"a result for action {result.action_id} seq {result.seq}, which was not sent"
            )
        if result.action_id in seen:
            raise MalformedResponse(f"push results name action {result.action_id} twice")
        seen.add(result.action_id)


def dumps(value: Any) -> str:
    """Compact JSON for columns the client writes itself (results, audit details)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
