"""Contract v1 on the wire: request bodies out, (status, headers, body) in, as pure functions.

Every transport calls these, so a page, a push answer or a refusal means the same thing whether it
came over httpx or the standard library. Anything that does not have the promised shape raises
MalformedResponse and is never applied.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import re
import sqlite3
import threading
import time
from collections.abc import Generator, Iterator, Mapping
from typing import Any, Final, cast

import orjson

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
    """A JSON object read off the wire, with ``text``: its compact JSON in UTF-8 bytes, as cached.

    orjson writes ``text`` straight from the parsed members (a couple of microseconds; json.dumps
    costs ten times that) and the cache hands the bytes to SQLite as they are, never decoded.
    """

    __slots__ = ("text",)

    def __init__(self, members: dict[str, object], text: bytes) -> None:
        super().__init__(members)
        self.text = text


class JsonText(Mapping[str, object]):
    """A JSON object checked on the wire but not read into Python: ``text`` as the cache stores it.

    A full load brings a million of these: building each one's dicts and strings cost more than
    everything else a change goes through. The cache takes a product's columns from ``picked`` and
    other entities' columns out of ``text`` in SQL; the members are read (once) only when Python
    asks for them. `_fast_changes` makes one only after SQLite found ``text`` to be valid JSON
    starting ``{"<id member>":"<key>"`` (so `validate_page` knows its id member matches the
    change's key without reading it). With a member given twice, SQLite reads the first and
    orjson the last; the server never writes one twice.
    """

    __slots__ = ("_members", "picked", "text")

    def __init__(self, text: bytes, picked: str | None = None) -> None:
        self.text = text
        # For a product: the JSON array of its `PRODUCT_MEMBERS`, read with the validity check.
        self.picked = picked
        self._members: dict[str, object] | None = None

    def _read(self) -> dict[str, object]:
        if self._members is None:
            self._members = cast(dict[str, object], orjson.loads(self.text))
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


# Pull pages are not parsed in one call: orjson takes ~70 ms for a 5,000-product page, a stall for
# the event loop whatever thread makes it. The server's layout is cut into slices of changes read
# one at a time (`_fast_changes`, or one orjson call), 64 KiB so that even a slice of small stock
# changes is a few milliseconds, and the work can pause between them. A slice ends where
# `},{"entity":` starts the next change: that text cannot lie inside a JSON string (its quotes
# would be escaped) and a cut anywhere else fails to parse, which sends the body to one whole
# parse. Every slice, the head and the tail parse as JSON, so the body does as a whole, with the
# same meaning; any other valid JSON text reads the same through the whole parse.
SLICE_BYTES: Final = 64 * 1024
_WS: Final = rb"[ \t\n\r]*"
_HEAD: Final = re.compile(
    rb'\{' + _WS + rb'"stream"' + _WS + rb":" + _WS + rb'"[^"\\\x00-\x1f]*"' + _WS + rb"," + _WS
    + rb'"changes"' + _WS + rb":" + _WS + rb"\[" + _WS
)  # fmt: skip
_NEXT_CHANGE: Final = re.compile(rb"\}" + _WS + rb"," + _WS + rb"\{" + _WS + rb'"entity"' + _WS + rb":")
# After the changes: plain members (no escapes) or objects of plain members (the ``terminal`` the
# server adds for a pull with an install id), so no second "changes" hides there.
_PLAIN: Final = rb'(?:"[^"\\\x00-\x1f]*"|true|false|null|-?[0-9]+)'
_MEMBER: Final = rb'"[a-z_]+"' + _WS + rb":" + _WS
_FLAT: Final = (
    rb"\{" + _WS + rb"(?:" + _MEMBER + _PLAIN + rb"(?:" + _WS + rb"," + _WS + _MEMBER + _PLAIN + rb")*)?"
    + _WS + rb"\}"
)  # fmt: skip
_TAIL: Final = re.compile(
    _WS + rb"\](?:" + _WS + rb"," + _WS + _MEMBER + rb"(?:" + _PLAIN + rb"|" + _FLAT + rb"))*" + _WS
    + rb"\}" + _WS
)  # fmt: skip
_TAIL_SPAN: Final = 2048  # the server's tail is ~200 bytes
# The server's own layout of one change, compact: its members in this order, a plain key.
_CHANGE_HEAD: Final = re.compile(
    rb'\{"entity":"([a-z_]{1,40})","key":"([^"\\\x00-\x1f]{1,200})","version":(0|[1-9][0-9]{0,18}),'
    rb'"op":"(upsert|delete)"'
)
_CHANGE_CUT: Final = b'},{"entity":'
_DATA: Final = b',"data":'
# SQLite takes an escaped lone surrogate (orjson does not) and ends text at NUL: such slices are
# read by orjson, which says what is wrong. (This also sends an escaped backslash before "ud8.."
# to orjson: correct, only slower.)
_SURROGATE: Final = re.compile(rb"\\u[dD][89abAB]")
# Entities whose data is kept as text (`JsonText`) when it opens with its id member, equal to the key.
_TEXT_ID: Final[Mapping[bytes, bytes]] = {
    b"product": b'{"sku":"',
    b"category": b'{"id":"',
    b"review": b'{"review_id":"',
    b"location": b'{"id":"',
}
_VALID_BATCH: Final = 100
# The members of a product the cache indexes (`offline_cache.search.product_columns`): SQLite picks
# them out while it checks the text, so Python reads a few short values instead of the whole object.
PRODUCT_MEMBERS: Final = (
    "gtin",
    "parent_sku",
    "category_id",
    "brand",
    "popularity",
    "rating",
    "prices",
    "names",
)
_PICK_SQL: Final = "SELECT json_extract(column1, {paths}) FROM (VALUES {rows})"
_json_checker = threading.local()


def _change(members: object, index: int) -> Change:
    # A million calls in a full load: exact type checks first, the precise complaint only on failure.
    if type(members) is dict:
        get = members.get
        entity, key, version, op = get("entity"), get("key"), get("version"), get("op")
        if (
            type(entity) is str
            and 0 < len(entity) <= 40
            and type(key) is str
            and 0 < len(key) <= 200
            and type(version) is int
            and 0 <= version <= MAX_INT64
        ):
            if op == "upsert":
                data = get("data")
                if type(data) is dict:
                    return Change(entity, key, version, "upsert", JsonObject(data, orjson.dumps(data)))
            elif op == "delete":
                return Change(entity, key, version, "delete", None)
    return _refuse_change(members, index)


def _refuse_change(members: object, index: int) -> Change:
    """Raise what is wrong with a change `_change` did not take."""
    where = f"pull.changes[{index}]"
    obj = _object(members, where)
    _str(obj, "entity", where, limit=40)
    _str(obj, "key", where, limit=200)
    _int(obj, "version", where)
    if obj.get("op") == "upsert":
        raise MalformedResponse(f"{where}.data is not a JSON object")
    raise MalformedResponse(f"{where}.op is neither 'upsert' nor 'delete'")


def _changes(items: object, first: int) -> list[Change]:
    if type(items) is not list:
        raise MalformedResponse("pull.changes is not a list")
    return [_change(item, n) for n, item in enumerate(items, first)]


def _checker() -> sqlite3.Connection:
    conn: sqlite3.Connection | None = getattr(_json_checker, "conn", None)
    if conn is None:
        conn = _json_checker.conn = sqlite3.connect(":memory:")
    return conn


def _all_valid_json(texts: list[bytes]) -> bool:
    """Whether every text is JSON: SQLite's parser, in C with the GIL released, builds no objects."""
    conn = _checker()
    for start in range(0, len(texts), _VALID_BATCH):
        chunk = texts[start : start + _VALID_BATCH]
        sql = "SELECT " + " AND ".join(["json_valid(CAST(? AS TEXT))"] * len(chunk))
        if conn.execute(sql, chunk).fetchone()[0] != 1:
            return False
    return True


def _picked_members(texts: list[bytes]) -> list[str] | None:
    """Each product text's `PRODUCT_MEMBERS` as a JSON array; None when a text is not JSON.

    json_extract parses the whole text (and refuses it if it is not JSON), so this is the
    validity check too.
    """
    conn = _checker()
    paths = ", ".join(f"'$.{name}'" for name in PRODUCT_MEMBERS)
    picked: list[str] = []
    try:
        for start in range(0, len(texts), _VALID_BATCH):
            chunk = texts[start : start + _VALID_BATCH]
            rows = ", ".join(["(CAST(? AS TEXT))"] * len(chunk))
            picked += [row[0] for row in conn.execute(_PICK_SQL.format(paths=paths, rows=rows), chunk)]
    except sqlite3.OperationalError:  # "malformed JSON"
        return None
    return picked


def _fast_changes(body: bytes, start: int, end: int) -> list[Change] | None:
    """The changes in ``body[start:end]`` when it is the server's compact layout, read without orjson.

    Each change is cut at ``},{"entity":`` and must match the layout exactly, and every ``data``
    text must be valid JSON on its own, so the cuts are the array's own commas: the slice means
    what a whole parse of it means. Product, category, review and location data whose text opens
    with its id member equal to the key stay text (`JsonText`); other data is read by orjson.
    None when anything does not fit: the caller then parses the slice with orjson.
    """
    if body.find(b"\x00", start, end) >= 0:
        return None
    escape = body.find(b"\\u", start, end)
    # bytes.find runs at memory speed; the regex only looks where an escape is.
    if escape >= 0 and _SURROGATE.search(body, escape, end) is not None:
        return None
    try:
        str(memoryview(body)[start:end], "utf-8")
    except UnicodeDecodeError:
        return None
    changes: list[Change] = []
    products: list[JsonText] = []
    others: list[JsonText] = []
    pos = start
    try:
        while pos < end:
            m = _CHANGE_HEAD.match(body, pos, end)
            if m is None:
                return None
            entity, key_text, digits, op = m.groups()
            version = int(digits)
            cut = body.find(_CHANGE_CUT, m.end(), end)
            stop = end if cut < 0 else cut + 1  # just past the change's closing brace
            if version > MAX_INT64 or body[stop - 1] != 0x7D:  # "}"
                return None
            key = key_text.decode()
            if op == b"delete":
                if m.end() + 1 != stop:
                    return None
                changes.append(Change(entity.decode(), key, version, "delete", None))
            else:
                begin = m.end() + len(_DATA)
                if body[m.end() : begin] != _DATA or body[begin] != 0x7B:  # "{"
                    return None
                text = body[begin : stop - 1]
                opening = _TEXT_ID.get(entity)
                data: Mapping[str, object]
                if (
                    opening is not None
                    and text.startswith(b'%s%s"' % (opening, key_text))
                    and text[len(opening) + len(key_text) + 1] in b",}"
                ):
                    data = json_text = JsonText(text)
                    (products if entity == b"product" else others).append(json_text)
                else:
                    data = JsonObject(orjson.loads(text), text)
                changes.append(Change(entity.decode(), key, version, "upsert", data))
            pos = stop + 1  # past the comma
    except (orjson.JSONDecodeError, IndexError):
        return None
    if pos != end + 1:
        return None
    picked = _picked_members([p.text for p in products]) if products else []
    if picked is None or not _all_valid_json([other.text for other in others]):
        return None
    for product, members in zip(products, picked, strict=True):
        product.picked = members
    return changes


def _tail_start(body: bytes) -> int | None:
    """Where the plain members after the changes array start (at its ``]``), or None."""
    end = len(body)
    floor = max(0, end - _TAIL_SPAN)
    while (i := body.rfind(b"]", floor, end)) >= 0:
        if _TAIL.fullmatch(body, i):
            return i
        end = i
    return None


def _read_page(body: bytes) -> Generator[None, None, tuple[dict[str, object], list[Change]]]:
    """The page's members and its changes; yields between slices of the server's layout."""
    head = _HEAD.match(body)
    tail = _tail_start(body) if head is not None else None
    if head is None or tail is None or tail < head.end() or b'"changes"' in body[tail:]:
        return (yield from _read_whole(body))
    members = orjson.loads(body[: head.end()] + body[tail:])
    changes: list[Change] = []
    i = head.end()
    while i < tail:
        cut = _NEXT_CHANGE.search(body, min(i + SLICE_BYTES, tail), tail)
        end = tail if cut is None else cut.start() + 1
        fast = _fast_changes(body, i, end)
        if fast is not None:
            changes += fast
        else:
            try:
                items = orjson.loads(b"[" + body[i:end] + b"]")
            except orjson.JSONDecodeError:
                # A cut inside a change (an "entity" member of nested data): read the body whole.
                return (yield from _read_whole(body))
            changes += _changes(items, len(changes))
        i = body.index(b"{", cut.start() + 1) if cut is not None else tail
        yield
    return members, changes


def _read_whole(body: bytes) -> Generator[None, None, tuple[dict[str, object], list[Change]]]:
    """Any other layout: one parse, then the changes in slices."""
    obj = _object(orjson.loads(body), "pull")
    items = obj.get("changes")
    if type(items) is not list:
        raise MalformedResponse("pull.changes is not a list")
    changes: list[Change] = []
    for start in range(0, len(items), 500):
        changes += _changes(items[start : start + 500], start)
        yield
    return obj, changes


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
        obj, changes = yield from _read_page(body)
    except MalformedResponse:
        raise
    except (orjson.JSONDecodeError, orjson.JSONEncodeError) as exc:
        # Not JSON (or not UTF-8), or a number orjson cannot write back (beyond 64 bits).
        raise MalformedResponse(f"pull {stream}: the body is not JSON ({type(exc).__name__})") from None
    obj = _object(obj, "pull")
    answered = _str(obj, "stream", "pull", limit=48)
    if answered != stream:
        raise MalformedResponse(f"pull answered for stream {answered!r}, asked for {stream!r}")
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
        # JsonText is only made for data that opens with its id member, equal to the key.
        if (
            id_member is not None
            and type(data) is not JsonText
            and data.get(id_member, change.key) != change.key
        ):
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
