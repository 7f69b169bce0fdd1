"""The central API as the sync engine sees it: the `Remote` Protocol, its wire types and its errors.

Two transports implement it (``offline_cache.http_remote`` on the standard library for the headless
CLI, ``kiosk.api.remote`` on the app's httpx client); both turn bytes into these types through the
same pure functions in ``offline_cache.protocol``, so they cannot disagree about what an answer means.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

import msgspec

# -- errors by meaning ---------------------------------------------------------------------


class RemoteError(Exception):
    """Anything that kept a request to the central API from giving a usable answer."""


class Unreachable(RemoteError):
    """No answer: refused, DNS, network down, timeout. The environment's fault: retry later.

    For a push this is *indeterminate*: the server may have committed. The rows stay pending and are
    resent unchanged; the server's dedup by action_id makes that safe.
    """


class Rejected(RemoteError):
    """The server understood the request and refused it with a problem+json 4xx."""

    def __init__(self, status: int, code: str, detail: str, body: Mapping[str, object] | None = None) -> None:
        super().__init__(f"{status} {code}: {detail}" if detail else f"{status} {code}")
        self.status = status
        self.code = code
        self.detail = detail
        self.body: Mapping[str, object] = body or {}


class Unauthorized(Rejected):
    """401: the device token or the enrolment key is unknown, used or expired."""


class MustRefetch(Rejected):
    """409 must_refetch on a pull: the cursor cannot be continued; rebuild the stream from scratch."""

    @property
    def reason(self) -> str:
        reason = self.body.get("reason")
        return reason if isinstance(reason, str) else ""


class ServerFailed(RemoteError):
    """The server failed (5xx) or answered something this client cannot use. Retry later."""

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(f"{status} {detail}" if status is not None else detail)
        self.status = status
        self.detail = detail


class MalformedResponse(ServerFailed):
    """A 2xx body that does not have the shape contract v1 promises; it is never applied."""


class RetryLater(RemoteError):
    """The server asked us to come back later (429, 503, 409 in_progress ...), maybe saying when."""

    def __init__(self, detail: str, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after  # seconds, from Retry-After or retry_after_ms; None if unsaid
        self.status = status


# -- wire types ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Enrolment:
    device_id: str
    token: str = field(repr=False)  # a credential: never in logs or reprs
    role: str
    location_id: str


@dataclass(frozen=True, slots=True)
class Health:
    status: str
    version: str
    api: int
    server_version: int


class Change(msgspec.Struct, frozen=True, gc=False):
    """One upsert or tombstone on a stream.

    A msgspec Struct rather than a frozen dataclass: a full load makes millions, and a frozen
    dataclass's ``__init__`` (a ``object.__setattr__`` per field) cost several times more. Not
    tracked by the garbage collector: its members (text, numbers, a mapping of JSON) hold no cycle.
    """

    entity: str
    key: str
    version: int
    op: Literal["upsert", "delete"]
    data: Mapping[str, object] | None  # None for tombstones


@dataclass(frozen=True, slots=True)
class TerminalState:
    """What the server remembers of one install: the highest seq it applied."""

    install_id: str
    last_applied_seq: int


@dataclass(frozen=True, slots=True)
class PullPage:
    stream: str
    changes: tuple[Change, ...]
    next_cursor: str
    has_more: bool
    checksum: str
    server_version: int  # the server's version counter when it read this page
    terminal: TerminalState | None = None
    stream_version: int | None = None  # the stream's newest version when read: progress, not data

    @property
    def cursor_version(self) -> int:
        return cursor_version(self.next_cursor)


def cursor_version(cursor: str | None) -> int:
    """The version a ``v1.<n>`` cursor points at; 0 for none or an opaque one."""
    if not cursor:
        return 0
    _, _, digits = cursor.rpartition(".")
    return int(digits) if digits.isdigit() and digits.isascii() else 0


@dataclass(frozen=True, slots=True)
class ActionEnvelope:
    """One queued action exactly as it goes on the wire; ``payload_json`` is the stored canonical text."""

    seq: int
    action_id: str
    type: str
    action_version: int
    payload_json: str
    payload_sha256: str
    associate_id: str | None
    auth_context: str
    client_created_at: str
    depends_on: str | None


@dataclass(frozen=True, slots=True)
class PushRequest:
    terminal_id: str
    install_id: str
    app_version: str
    actions: tuple[ActionEnvelope, ...]


@dataclass(frozen=True, slots=True)
class Poke:
    """Stream ``stream`` has changes up to ``version``: a hint to pull, never data to apply."""

    stream: str
    version: int
    event_id: str | None


@dataclass(frozen=True, slots=True)
class KeepAlive:
    """The event stream is alive (a heartbeat, or an event without a poke); ``retry_ms`` as last set."""

    retry_ms: int | None


LiveSignal = Poke | KeepAlive


PushStatus = Literal["applied", "duplicate", "rejected", "needs_review", "key_reuse_mismatch", "fork"]


@dataclass(frozen=True, slots=True)
class PushResult:
    """The server's verdict on one action; ``raw`` is the whole result object, kept for the conflict inbox."""

    action_id: str
    seq: int
    status: PushStatus
    code: str
    server_version: int | None
    original_status: str | None  # for duplicates: what happened the first time
    raw: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class PushResponse:
    install_id: str
    results: tuple[PushResult, ...]
    last_applied_seq: int
    retry_after_ms: int | None


class Remote(Protocol):
    """The central API contract v1 as far as sync needs it. Implementations raise only RemoteError.

    A transport that pools connections should also be a `Resettable`, so the sync watchdog can drop them.
    """

    async def enrol_device(self, enrolment_key: str, device_name: str) -> Enrolment: ...

    async def pull(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None
    ) -> PullPage: ...

    async def push(self, request: PushRequest) -> PushResponse: ...

    async def health(self) -> Health: ...


# An HTTP answer as it came: status, headers (names in lower case), body.
RawAnswer = tuple[int, Mapping[str, str], bytes]


@runtime_checkable
class RawPuller(Protocol):
    """A Remote that can hand over a pull's answer unread; optional, so fakes stay complete Remotes.

    A full load's pages are 5-10 MB each: the puller sends them, still bytes, to the bulk-writer
    process (``offline_cache.bulk_writer``), which reads them with the same ``offline_cache.protocol``
    functions `Remote.pull` uses. Reading them in the app's process, on any of its threads, would
    hold the GIL long enough to stall its event loop.
    """

    async def pull_raw(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None
    ) -> RawAnswer:
        """`Remote.pull`'s request; the answer as it came, whatever its status. Failures to get one
        raise RemoteError (Unreachable, ServerFailed) as `Remote.pull` does."""
        ...


@runtime_checkable
class Resettable(Protocol):
    """A Remote that can drop every connection it holds; optional, separate so fakes stay complete Remotes.

    The sync watchdog calls `reset()` when pushes made no progress for minutes although the server
    answers: a connection the server forgot (a half-open keep-alive one) must not survive the restart.
    Requests still in flight on the old connections fail as Unreachable; settings and token are kept.
    """

    async def reset(self) -> None: ...


@runtime_checkable
class LiveRemote(Remote, Protocol):
    """A Remote that can also tell the engine when streams change (SYNC_DESIGN 3.7).

    Separate from `Remote` so that a transport or fake without a live channel stays a complete
    Remote: the engine then relies on its periodic pulls alone.
    """

    async def pull(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None, wait: float = 0
    ) -> PullPage:
        """As `Remote.pull`; with ``wait``, the server may hold an empty answer that long (long-poll)."""
        ...

    def events(self, streams: Sequence[str], last_event_id: str | None) -> AsyncGenerator[LiveSignal, None]:
        """``GET /v1/sync/events``: signals until the server ends the stream; failures raise RemoteError.

        Closing the generator (``aclose()``) closes the connection.
        """
        ...
