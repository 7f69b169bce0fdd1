"""`LiveRemote` over the standard library's http.client, for the headless ``kiosk-sync`` daemon.

The app uses ``kiosk.api.remote`` (one long-lived httpx client) instead; both hand (status,
headers, body) to ``offline_cache.protocol`` and event-stream bytes to ``offline_cache.events``,
so they read every answer the same way. Each request runs in a worker thread with its own
connection: connect within 3 s, each read within 15 s (a long-poll: its wait plus 10 s). The event
stream gets a thread of its own for as long as it is open, so it never holds a pool thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import socket
import ssl
import threading
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Final
from urllib.parse import urlencode, urlsplit

from offline_cache import protocol
from offline_cache.events import EventParser, long_poll_read_timeout, long_poll_wait
from offline_cache.remote import (
    Enrolment,
    Health,
    LiveSignal,
    MalformedResponse,
    PullPage,
    PushRequest,
    PushResponse,
    RemoteError,
    ServerFailed,
    Unreachable,
)

CONNECT_TIMEOUT: Final = 3.0
READ_TIMEOUT: Final = 15.0
MAX_BODY_BYTES: Final = 64 * 1024 * 1024  # a 5,000-product page is about 5 MB
USER_AGENT: Final = "kiosk-sync/0.1.0"
EVENTS_READ_TIMEOUT: Final = 60.0  # several server heartbeats; the engine's own silence timer is shorter
EVENTS_CHUNK: Final = 16 * 1024
EVENTS_QUEUE: Final = 64  # chunks read ahead of the engine before the reader thread waits
MAX_ERROR_BODY: Final = 64 * 1024


class InvalidCentralUrl(ValueError):
    """The central URL is not an http(s) URL with a host."""


class HttpRemote:
    """Contract v1 over http.client (`LiveRemote`, `RawPuller`, `Resettable`); raises only RemoteErrors."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidCentralUrl(f"not an http(s) URL: {base_url!r}")
        try:
            port = parts.port
        except ValueError:
            raise InvalidCentralUrl(f"bad port in {base_url!r}") from None
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = port
        self._prefix = parts.path.rstrip("/")
        self._token = token
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._ssl = ssl.create_default_context() if self._https else None

    def use_token(self, token: str | None) -> None:
        self._token = token

    async def reset(self) -> None:
        """`Resettable`: nothing to drop. Each request opens its own connection and closes it after the
        answer, so none outlives a watchdog restart; a silent event stream is the engine's silence
        timer's to end."""

    async def enrol_device(self, enrolment_key: str, device_name: str) -> Enrolment:
        answer = await self._request(
            "POST", "/v1/auth/device", body=protocol.enrolment_body(enrolment_key, device_name)
        )
        return protocol.parse_enrolment(*answer)

    async def health(self) -> Health:
        return protocol.parse_health(*await self._request("GET", "/v1/health"))

    async def pull(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None, wait: float = 0
    ) -> PullPage:
        answer = await self.pull_raw(stream, cursor, limit, install_id=install_id, wait=wait)
        # A 5,000-product page is ~60 ms of reading: done in slices, the loop keeps running meanwhile.
        return await protocol.parse_pull_page_cooperatively(*answer, stream)

    async def pull_raw(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None, wait: float = 0
    ) -> tuple[int, dict[str, str], bytes]:
        """`RawPuller`: the pull's answer unread, for the bulk-writer process to read."""
        params = protocol.pull_params(stream, cursor, limit)
        if long_poll_wait(wait):
            params["wait"] = str(long_poll_wait(wait))
        headers = {"X-Install-Id": install_id} if install_id else {}
        return await self._request(
            "GET",
            f"/v1/sync/pull?{urlencode(params)}",
            headers=headers,
            authorized=True,
            read_timeout=long_poll_read_timeout(wait, self._read_timeout),
        )

    async def push(self, request: PushRequest) -> PushResponse:
        answer = await self._request(
            "POST", "/v1/sync/push", body=protocol.push_body(request), authorized=True
        )
        return protocol.parse_push_response(*answer, request)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        authorized: bool = False,
        read_timeout: float | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        sent = self._headers(headers, authorized)
        if body is not None:
            sent["Content-Type"] = "application/json"
        timeout = self._read_timeout if read_timeout is None else read_timeout
        return await asyncio.to_thread(self._exchange, method, self._prefix + path, body, sent, timeout)

    def _headers(self, headers: Mapping[str, str] | None, authorized: bool) -> dict[str, str]:
        sent = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        if authorized and self._token:
            sent["Authorization"] = f"Bearer {self._token}"
        return sent

    def _connection(self) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=self._connect_timeout, context=self._ssl
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=self._connect_timeout)

    def _exchange(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str], read_timeout: float
    ) -> tuple[int, dict[str, str], bytes]:
        where = f"{method} {path.split('?', maxsplit=1)[0]}"
        conn = self._connection()
        try:
            conn.connect()
            if conn.sock is not None:
                conn.sock.settimeout(read_timeout)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read(MAX_BODY_BYTES + 1)
            status = response.status
            got = {k.lower(): v for k, v in response.getheaders()}
        except TimeoutError as exc:
            raise Unreachable(f"{where}: timed out ({exc})") from None
        except ssl.SSLCertVerificationError as exc:
            raise Unreachable(f"{where}: TLS certificate refused ({exc.verify_message})") from None
        except (OSError, http.client.HTTPException) as exc:
            # Refused, reset, DNS, a server dying mid-answer: for the user it is "not reachable".
            raise Unreachable(f"{where}: {type(exc).__name__}: {exc}") from None
        finally:
            conn.close()
        if len(data) > MAX_BODY_BYTES:
            raise ServerFailed(f"{where}: the answer is larger than {MAX_BODY_BYTES} bytes", status)
        return status, got, data

    # -- the event stream ----------------------------------------------------------------------------

    async def events(
        self, streams: Sequence[str], last_event_id: str | None
    ) -> AsyncGenerator[LiveSignal, None]:
        query = f"?{urlencode({'streams': ','.join(streams)})}" if streams else ""
        extra = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if last_event_id:
            extra["Last-Event-ID"] = last_event_id
        reader = _EventReader(
            self._connection(), self._prefix + "/v1/sync/events" + query, self._headers(extra, True)
        )
        reader.start(asyncio.get_running_loop())
        parser = EventParser()
        try:
            while True:
                chunk = await reader.next_chunk()
                if chunk is None:
                    return
                for signal in parser.feed(chunk):
                    yield signal
        finally:
            reader.close()


class _EventReader:
    """One event-stream connection read on its own thread; chunks reach the loop through a bounded queue."""

    def __init__(self, conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> None:
        self._conn = conn
        self._path = path
        self._headers = headers
        self._closed = threading.Event()
        self._credits = threading.Semaphore(EVENTS_QUEUE)
        self._queue: asyncio.Queue[bytes | RemoteError | None] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        threading.Thread(target=self._read, name="kiosk-sync-events", daemon=True).start()

    async def next_chunk(self) -> bytes | None:
        """The next chunk; None when the server ended the stream; raises the error that ended it."""
        item = await self._queue.get()
        self._credits.release()
        if isinstance(item, RemoteError):
            raise item
        return item

    def close(self) -> None:
        """Stop reading: shutting the socket down wakes the thread from a blocking read."""
        self._closed.set()
        sock = self._conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._credits.release()  # a reader waiting for queue space sees the close

    def _post(self, item: bytes | RemoteError | None) -> bool:
        while not self._credits.acquire(timeout=1.0):
            if self._closed.is_set():
                return False
        if self._closed.is_set() or self._loop is None:
            return False
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            return False
        return True

    def _read(self) -> None:
        try:
            self._stream()
            self._post(None)
        except RemoteError as exc:
            self._post(exc)
        finally:
            self._conn.close()

    def _stream(self) -> None:
        """Posts chunks until the stream ends or is closed; a failure raises RemoteError."""
        where = "GET /v1/sync/events"
        try:
            self._conn.connect()
            if self._closed.is_set():
                return
            if self._conn.sock is not None:
                self._conn.sock.settimeout(EVENTS_READ_TIMEOUT)
            self._conn.request("GET", self._path, headers=self._headers)
            response = self._conn.getresponse()
            if response.status != 200:
                body = response.read(MAX_ERROR_BODY)
                got = {k.lower(): v for k, v in response.getheaders()}
                raise protocol.error_for(response.status, got, body, where)
            if not (response.getheader("Content-Type") or "").startswith("text/event-stream"):
                raise MalformedResponse(f"{where}: the answer is not an event stream")
            while not self._closed.is_set():
                chunk = response.read1(EVENTS_CHUNK)
                if not chunk:
                    return
                if not self._post(chunk):
                    return
        except TimeoutError as exc:
            raise Unreachable(f"{where}: timed out ({exc})") from None
        except ssl.SSLCertVerificationError as exc:
            raise Unreachable(f"{where}: TLS certificate refused ({exc.verify_message})") from None
        except (OSError, http.client.HTTPException) as exc:
            if self._closed.is_set():
                return
            raise Unreachable(f"{where}: {type(exc).__name__}: {exc}") from None
