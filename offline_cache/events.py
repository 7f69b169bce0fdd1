"""Server-sent events from ``GET /v1/sync/events`` as pure parsing: bytes in, pokes and keep-alives out.

Both transports feed the chunks they read to one `EventParser`, so a poke means the same thing over
httpx and the standard library. The parser follows the WHATWG event-stream rules (CR, LF or CRLF
line ends, a leading BOM, ``:`` comments, multi-line ``data``, ``id`` and ``retry``) and gives the
same signals however the bytes were split into chunks. Anything it cannot use raises
MalformedResponse, a RemoteError; nothing else escapes it.
"""

from __future__ import annotations

import json
import re
from typing import Final

from offline_cache.protocol import stream_kind
from offline_cache.remote import KeepAlive, LiveSignal, MalformedResponse, Poke

MAX_LINE_BYTES: Final = 8 * 1024  # a poke line is under 100 bytes
MAX_EVENT_BYTES: Final = 32 * 1024
MAX_EVENT_ID: Final = 24  # what the server accepts back as Last-Event-ID
MAX_VERSION: Final = 2**63 - 1
MAX_RETRY_MS: Final = 300_000
LONG_POLL_MAX_WAIT: Final = 30  # the server's limit for pull?wait=
LONG_POLL_GRACE: Final = 10.0  # the read timeout exceeds the wait by this (Electric's rule)

_EOL: Final = re.compile(rb"\r\n|\r|\n")
_BOM: Final = b"\xef\xbb\xbf"


class EventParser:
    """Incremental event-stream parser: `feed()` each chunk as it arrives, in order."""

    def __init__(self) -> None:
        self._buffer = b""  # the unfinished line
        self._started = False  # the optional BOM is looked for once, at the very start
        self._after_cr = False  # a chunk ended in CR: an LF starting the next one belongs to it
        self._event = ""
        self._data: list[str] = []
        self._size = 0
        self._block_open = False  # any field line since the last blank one
        self.last_event_id: str | None = None
        self.retry_ms: int | None = None

    def feed(self, chunk: bytes) -> list[LiveSignal]:
        """The signals completed by ``chunk``; raises MalformedResponse on anything unusable."""
        data = self._buffer + chunk
        pos = 0
        if not self._started:
            if len(data) < len(_BOM) and _BOM.startswith(data):
                self._buffer = data
                return []
            self._started = True
            if data.startswith(_BOM):
                pos = len(_BOM)
        if self._after_cr and pos < len(data):
            if data[pos : pos + 1] == b"\n":
                pos += 1
            self._after_cr = False
        out: list[LiveSignal] = []
        while (match := _EOL.search(data, pos)) is not None:
            line = data[pos : match.start()]
            pos = match.end()
            if match.group() == b"\r" and pos == len(data):
                self._after_cr = True
            self._line(line, out)
        rest = data[pos:]
        if len(rest) > MAX_LINE_BYTES:
            raise MalformedResponse(f"events: a line longer than {MAX_LINE_BYTES} bytes")
        self._buffer = rest
        return out

    def _line(self, raw: bytes, out: list[LiveSignal]) -> None:
        if len(raw) > MAX_LINE_BYTES:
            raise MalformedResponse(f"events: a line longer than {MAX_LINE_BYTES} bytes")
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedResponse("events: a line is not UTF-8") from None
        if not line:
            self._dispatch(out)
            return
        if line.startswith(":"):
            out.append(KeepAlive(self.retry_ms))  # a heartbeat; it does not open an event
            return
        self._block_open = True
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._size += len(raw)
            if self._size > MAX_EVENT_BYTES:
                raise MalformedResponse(f"events: an event larger than {MAX_EVENT_BYTES} bytes")
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:  # the spec ignores such ids
                if len(value) > MAX_EVENT_ID:
                    raise MalformedResponse(f"events: an event id longer than {MAX_EVENT_ID} characters")
                self.last_event_id = value or None
        elif name == "retry" and value.isascii() and value.isdigit():
            self.retry_ms = min(int(value), MAX_RETRY_MS)
        # Unknown fields are ignored, as the spec says: a newer server may send more.

    def _dispatch(self, out: list[LiveSignal]) -> None:
        event, data, had_lines = self._event, self._data, self._block_open
        self._event, self._data, self._size, self._block_open = "", [], 0, False
        if not data:
            if had_lines:
                out.append(KeepAlive(self.retry_ms))
            return
        if event != "poke":
            out.append(KeepAlive(self.retry_ms))  # an event this client does not know: alive, nothing to do
            return
        out.append(parse_poke("\n".join(data), self.last_event_id))


def parse_poke(data: str, event_id: str | None) -> Poke:
    """A poke's data, ``{"stream": "stock:CZ-PRG-01", "version": 991310}``; MalformedResponse otherwise."""
    try:
        obj = json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise MalformedResponse("events: a poke's data is not JSON") from None
    if not isinstance(obj, dict):
        raise MalformedResponse("events: a poke's data is not an object")
    stream, version = obj.get("stream"), obj.get("version")
    if not isinstance(stream, str) or len(stream) > 48:
        raise MalformedResponse("events: a poke without a stream name")
    try:
        stream_kind(stream)
    except ValueError:
        raise MalformedResponse(f"events: a poke for an unknown stream {stream[:48]!r}") from None
    if not isinstance(version, int) or isinstance(version, bool) or not 0 <= version <= MAX_VERSION:
        raise MalformedResponse("events: a poke's version is not a non-negative 64-bit integer")
    return Poke(stream, version, event_id)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def long_poll_wait(wait: float) -> int:
    """``wait`` as the whole seconds the server accepts (0-30)."""
    return max(0, min(LONG_POLL_MAX_WAIT, int(wait)))


def long_poll_read_timeout(wait: float, read_timeout: float) -> float:
    """A long-poll's read timeout: longer than the server may hold the request."""
    return max(read_timeout, long_poll_wait(wait) + LONG_POLL_GRACE)
