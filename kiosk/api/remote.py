"""The sync engine's `Remote` over the app's one long-lived ``httpx.AsyncClient``.

Responses are read by ``offline_cache.protocol``, the same pure functions the headless CLI's
standard-library transport uses; this module only moves bytes and maps transport failures to
``offline_cache.remote`` errors (timeouts and connection failures: Unreachable; anything else
from httpx: ServerFailed). The event stream's bytes go to ``offline_cache.events``' parser, the
one the standard-library transport uses too.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import dataclass, field

import httpx

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
    ServerFailed,
    Unreachable,
)

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 15.0
# The event stream's read timeout: above the server's 15 s heartbeat, so only a dead connection
# trips it; the sync engine's own silence timer usually notices first.
EVENTS_READ_TIMEOUT = 60.0
MAX_ERROR_BODY = 64 * 1024
USER_AGENT = "store-kiosk/0.1.0"
ASSOCIATE_ROLES = ("associate", "supervisor")


@dataclass(frozen=True, slots=True)
class AssociateSignIn:
    """What ``POST /v1/auth/associate`` answered, its fields checked."""

    token: str = field(repr=False)
    associate_id: str
    name: str
    role: str
    expires_at: float  # epoch seconds


def _sign_in_answer(status: int, headers: Mapping[str, str], body: bytes, where: str) -> AssociateSignIn:
    data = protocol.checked_body(status, headers, body, where)
    if not isinstance(data, dict):
        raise MalformedResponse(f"{where}: the answer is not a JSON object")
    texts: dict[str, str] = {}
    for key in ("token", "associate_id", "name", "role"):
        value = data.get(key)
        if not isinstance(value, str) or not value or len(value) > 200:
            raise MalformedResponse(f"{where}: {key} is not a string of at most 200 characters")
        texts[key] = value
    expires = data.get("expires_at")
    if isinstance(expires, bool) or not isinstance(expires, int | float) or not math.isfinite(expires):
        raise MalformedResponse(f"{where}: expires_at is not a number")
    if texts["role"] not in ASSOCIATE_ROLES:
        raise MalformedResponse(f"{where}: unknown role")
    return AssociateSignIn(
        texts["token"], texts["associate_id"], texts["name"], texts["role"], float(expires)
    )


class _RenewablePool(httpx.AsyncBaseTransport):
    """The client's transport, whose connection pool can be swapped for a fresh one in place.

    The client object itself stays: other readers of the central API (product images) hold it.
    """

    def __init__(self, make: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self._make = make
        self._pool = make()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._pool.handle_async_request(request)

    async def renew(self) -> None:
        """New requests get new connections; the old ones are closed, failing what was still on them."""
        old, self._pool = self._pool, self._make()
        await old.aclose()

    async def aclose(self) -> None:
        await self._pool.aclose()


class CentralRemote:
    """``offline_cache.remote``'s LiveRemote, RawPuller and Resettable; owns its client unless given one."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._owns_http = http is None
        # Only a pool this remote made itself can be renewed; a transport passed in (tests) is kept.
        self._pool = _RenewablePool(httpx.AsyncHTTPTransport) if http is None and transport is None else None
        self._http = http or httpx.AsyncClient(
            base_url=self._base_url,
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=self._pool or transport,
            follow_redirects=False,
        )

    def use_token(self, token: str | None) -> None:
        """The device token sent as a bearer token from now on (None: send none)."""
        self._token = token

    @property
    def http(self) -> httpx.AsyncClient:
        """The one long-lived client, shared with other reads of this central API (product images)."""
        return self._http

    @property
    def base_url(self) -> str:
        return self._base_url

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def reset(self) -> None:
        """Drop every pooled connection (the sync watchdog's restart): new requests connect afresh with
        the same client, settings and token. Requests still on the old connections fail as Unreachable.
        Does nothing with a client or transport passed in, which this remote cannot renew."""
        if self._pool is not None and not self._http.is_closed:
            await self._pool.renew()

    async def enrol_device(self, enrolment_key: str, device_name: str) -> Enrolment:
        answer = await self._request(
            "POST", "/v1/auth/device", content=protocol.enrolment_body(enrolment_key, device_name)
        )
        return protocol.parse_enrolment(*answer)

    async def sign_in_associate(
        self, *, badge: str | None = None, employee_id: str | None = None, pin: str | None = None
    ) -> AssociateSignIn:
        """Sign an associate in on this device (badge, or employee id + PIN); refusals are Rejected."""
        sent = {
            key: value
            for key, value in (("badge", badge), ("employee_id", employee_id), ("pin", pin))
            if value is not None
        }
        path = "/v1/auth/associate"
        answer = await self._request("POST", path, content=json.dumps(sent).encode(), authorized=True)
        return _sign_in_answer(*answer, f"POST {path}")

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
        """``RawPuller``: the pull's answer unread, for the sync engine's bulk-writer process to read."""
        headers = {"X-Install-Id": install_id} if install_id else {}
        return await self._request(
            "GET",
            "/v1/sync/pull",
            params=protocol.pull_params(stream, cursor, limit),
            headers=headers,
            authorized=True,
            wait=wait,
        )

    async def push(self, request: PushRequest) -> PushResponse:
        answer = await self._request(
            "POST", "/v1/sync/push", content=protocol.push_body(request), authorized=True
        )
        return protocol.parse_push_response(*answer, request)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        authorized: bool = False,
        wait: float = 0,
    ) -> tuple[int, dict[str, str], bytes]:
        sent = self._headers(headers, authorized)
        if content is not None:
            sent["Content-Type"] = "application/json"
        url = self._base_url + path
        timeout: httpx.Timeout | None = None
        if long_poll_wait(wait):
            # A long-poll: the server may hold the answer ``wait`` seconds, so read longer than that.
            params = {**(params or {}), "wait": str(long_poll_wait(wait))}
            timeout = httpx.Timeout(long_poll_read_timeout(wait, READ_TIMEOUT), connect=CONNECT_TIMEOUT)
        try:
            response = await self._http.request(
                method,
                url,
                params=params,
                content=content,
                headers=sent,
                timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
            )
        except httpx.TimeoutException as exc:
            raise Unreachable(f"{method} {path}: timed out ({type(exc).__name__})") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            # A server dying mid-answer is a protocol error; for the user it is "not reachable".
            raise Unreachable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise ServerFailed(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        return response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content

    def _headers(self, headers: Mapping[str, str] | None, authorized: bool) -> dict[str, str]:
        sent = dict(headers or {})
        if authorized and self._token:
            sent["Authorization"] = f"Bearer {self._token}"
        return sent

    async def events(
        self, streams: Sequence[str], last_event_id: str | None
    ) -> AsyncGenerator[LiveSignal, None]:
        """``GET /v1/sync/events`` streamed; closing the generator closes the response."""
        where = "GET /v1/sync/events"
        sent = self._headers({"Accept": "text/event-stream", "Cache-Control": "no-cache"}, True)
        if last_event_id:
            sent["Last-Event-ID"] = last_event_id
        params = {"streams": ",".join(streams)} if streams else None
        timeout = httpx.Timeout(EVENTS_READ_TIMEOUT, connect=CONNECT_TIMEOUT)
        parser = EventParser()
        try:
            async with self._http.stream(
                "GET", self._base_url + "/v1/sync/events", params=params, headers=sent, timeout=timeout
            ) as response:
                if response.status_code != 200:
                    body = b""
                    async for part in response.aiter_bytes():
                        body += part
                        if len(body) >= MAX_ERROR_BODY:
                            break
                    headers = {k.lower(): v for k, v in response.headers.items()}
                    raise protocol.error_for(response.status_code, headers, body, where)
                if not response.headers.get("content-type", "").startswith("text/event-stream"):
                    raise MalformedResponse(f"{where}: the answer is not an event stream")
                async for chunk in response.aiter_bytes():
                    for signal in parser.feed(chunk):
                        yield signal
        except httpx.TimeoutException as exc:
            raise Unreachable(f"{where}: timed out ({type(exc).__name__})") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise Unreachable(f"{where}: {type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise ServerFailed(f"{where}: {type(exc).__name__}: {exc}") from exc
