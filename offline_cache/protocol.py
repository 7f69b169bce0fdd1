"""Contract v1 on the wire: request bodies out, (status, headers, body) in, as pure functions.

Every transport calls these, so a page, a push answer or a refusal means the same thing whether it
came over httpx or the standard library. Anything that does not have the promised shape raises
MalformedResponse and is never applied.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
from collections.abc import Generator, Iterator, Mapping
from typing import Annotated, Any, Final, Literal, cast

import msgspec

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
    """A JSON object read off the wire, with ``text``: its JSON in UTF-8 bytes, as the server sent it.

    The cache stores ``text`` as it is (never decoded into str and encoded back); the members are
    the same object read by the page reader.
    """

    __slots__ = ("text",)

    def __init__(self, members: dict[str, object], text: bytes) -> None:
        super().__init__(members)
        self.text = text


class ProductIndex(msgspec.Struct, gc=False):
    """The members of a product the cache indexes (`offline_cache.search.product_columns_of`).

    Read from a product's text without the rest of it (descriptions, specs ... are skipped, not
    built). Any JSON value is taken: the cache makes a member of the wrong type empty, as it does
    for data from any other source.
    """

    sku: Any = None
    gtin: Any = None
    parent_sku: Any = None
    category_id: Any = None
    brand: Any = None
    popularity: Any = None
    rating: Any = None
    prices: Any = None
    names: Any = None


class JsonText(Mapping[str, object]):
    """A product's JSON object checked on the wire but not read into Python: ``text`` as the cache stores it.

    A full load brings a million of these: building each one's dicts and strings cost more than
    everything else a change goes through. The cache takes a product's columns from ``index``
    (the few members it needs, read with the page); the whole object is read, once, only when
    Python asks for a member.
    """

    __slots__ = ("_members", "index", "text")

    def __init__(self, text: bytes, index: ProductIndex | None = None) -> None:
        self.text = text
        self.index = _PRODUCT_INDEX.decode(text) if index is None else index
        self._members: dict[str, object] | None = None

    def _read(self) -> dict[str, object]:
        if self._members is None:
            self._members = cast(dict[str, object], msgspec.json.decode(self.text))
        return self._members

    def __getitem__(self, key: str) -> object:
        return self._read()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def __bool__(self) -> bool:
        # Without reading the members: the text is a JSON object, empty when only blanks are inside.
        return bool(self.text.strip()[1:-1].strip())

    def __repr__(self) -> str:
        return f"JsonText({self.text[:60]!r}...)"


# A pull page is read by msgspec against the contract's types: the page and each change's members
# are checked in C as they are read, and each change's data is kept as its raw text (`msgspec.Raw`,
# a view of the body) rather than built into objects. Products then have only their indexed members
# read (`ProductIndex`); other entities' data, small and few, is read whole.
_CHANGE_TEXT = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class _WireChange(msgspec.Struct, gc=False):
    entity: _CHANGE_TEXT
    key: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    version: Annotated[int, msgspec.Meta(ge=0, le=MAX_INT64)]
    op: Literal["upsert", "delete"]
    data: msgspec.Raw = msgspec.Raw()  # empty when absent


class _WireTerminal(msgspec.Struct, gc=False):
    install_id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    last_applied_seq: Annotated[int, msgspec.Meta(ge=0, le=MAX_INT64)]


class _WirePage(msgspec.Struct, gc=False):
    stream: Annotated[str, msgspec.Meta(min_length=1, max_length=48)]
    changes: list[_WireChange]
    next_cursor: _CHANGE_TEXT
    has_more: bool
    checksum: Annotated[str, msgspec.Meta(max_length=80)]
    server_version: Annotated[int, msgspec.Meta(ge=0, le=MAX_INT64)]
    terminal: _WireTerminal | None = None
    stream_version: Annotated[int, msgspec.Meta(ge=0, le=MAX_INT64)] | None = None


_PAGE: Final = msgspec.json.Decoder(_WirePage)
_PRODUCT_INDEX: Final = msgspec.json.Decoder(ProductIndex)
_ANY: Final = msgspec.json.Decoder()
# Changes made into `Change`s between pauses of the cooperative reader: a few milliseconds' work.
SLICE_CHANGES: Final = 500


def _change(wire: _WireChange, where: int) -> Change:
    if wire.op == "delete":
        return Change(wire.entity, wire.key, wire.version, "delete", None)
    if wire.entity == "stock":
        # The cache keeps a stock row's columns, not its JSON: the members alone, no text.
        members = _ANY.decode(wire.data) if wire.data else None
        if type(members) is not dict:
            raise MalformedResponse(f"pull.changes[{where}].data is not a JSON object")
        return Change(wire.entity, wire.key, wire.version, "upsert", members)
    text = bytes(wire.data)
    if text[:1] != b"{":
        raise MalformedResponse(f"pull.changes[{where}].data is not a JSON object")
    data: JsonText | JsonObject
    if wire.entity == "product":
        index = _PRODUCT_INDEX.decode(text)
        # A product whose id member is not its key is read whole: `validate_page` says what is wrong.
        data = JsonText(text, index) if index.sku == wire.key else JsonObject(_ANY.decode(text), text)
    else:
        data = JsonObject(_ANY.decode(text), text)
    return Change(wire.entity, wire.key, wire.version, "upsert", data)


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
        # msgspec checks that what it reads into str is UTF-8, not the text it skips or keeps raw.
        # One pass over the whole body (a catalog page is nearly all product text kept raw).
        str(body, "utf-8")
    except UnicodeDecodeError:
        raise MalformedResponse(f"pull {stream}: the body is not UTF-8") from None
    yield
    try:
        wire = _PAGE.decode(body)
        yield
        changes: list[Change] = []
        for start in range(0, len(wire.changes), SLICE_CHANGES):
            changes += [
                _change(c, n) for n, c in enumerate(wire.changes[start : start + SLICE_CHANGES], start)
            ]
            yield
    except msgspec.ValidationError as exc:
        raise MalformedResponse(f"pull {stream}: {exc}") from None
    except msgspec.DecodeError as exc:
        raise MalformedResponse(f"pull {stream}: the body is not JSON ({exc})") from None
    if wire.stream != stream:
        raise MalformedResponse(f"pull answered for stream {wire.stream!r}, asked for {stream!r}")
    terminal = wire.terminal
    return PullPage(
        stream=wire.stream,
        changes=tuple(changes),
        next_cursor=wire.next_cursor,
        has_more=wire.has_more,
        checksum=wire.checksum,
        server_version=wire.server_version,
        terminal=None if terminal is None else TerminalState(terminal.install_id, terminal.last_applied_seq),
        stream_version=wire.stream_version,
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
        if id_member is not None:
            # A product kept as text answers from its indexed members, without reading the rest.
            if type(data) is JsonText:
                found = change.key if data.index.sku is None else data.index.sku
            else:
                found = data.get(id_member, change.key)
            if found != change.key:
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
