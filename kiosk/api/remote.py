"""The sync engine's `Remote` over the app's one long-lived ``httpx.AsyncClient``.

Responses are read by ``offline_cache.protocol``, the same pure functions the headless CLI's
standard-library transport uses; this module only moves bytes and maps transport failures to
``offline_cache.remote`` errors the way CentralClient maps them to CentralError (timeouts and
connection failures: Unreachable; anything else from httpx: ServerFailed).
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from offline_cache import protocol
from offline_cache.remote import (
    Enrolment,
    Health,
    PullPage,
    PushRequest,
    PushResponse,
    ServerFailed,
    Unreachable,
)

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 15.0
USER_AGENT = "store-kiosk/0.1.0"


class CentralRemote:
    """Implements ``offline_cache.remote.Remote``; owns its client unless one is passed in."""

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
        self._http = http or httpx.AsyncClient(
            base_url=self._base_url,
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=transport,
            follow_redirects=False,
        )

    def use_token(self, token: str | None) -> None:
        """The device token sent as a bearer token from now on (None: send none)."""
        self._token = token

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def enrol_device(self, enrolment_key: str, device_name: str) -> Enrolment:
        answer = await self._request(
            "POST", "/v1/auth/device", content=protocol.enrolment_body(enrolment_key, device_name)
        )
        return protocol.parse_enrolment(*answer)

    async def health(self) -> Health:
        return protocol.parse_health(*await self._request("GET", "/v1/health"))

    async def pull(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None
    ) -> PullPage:
        headers = {"X-Install-Id": install_id} if install_id else {}
        answer = await self._request(
            "GET",
            "/v1/sync/pull",
            params=protocol.pull_params(stream, cursor, limit),
            headers=headers,
            authorized=True,
        )
        return protocol.parse_pull_page(*answer, stream)

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
    ) -> tuple[int, dict[str, str], bytes]:
        sent = dict(headers or {})
        if content is not None:
            sent["Content-Type"] = "application/json"
        if authorized and self._token:
            sent["Authorization"] = f"Bearer {self._token}"
        url = self._base_url + path
        try:
            response = await self._http.request(method, url, params=params, content=content, headers=sent)
        except httpx.TimeoutException as exc:
            raise Unreachable(f"{method} {path}: timed out ({type(exc).__name__})") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            # A server dying mid-answer is a protocol error; for the user it is "not reachable".
            raise Unreachable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise ServerFailed(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        return response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content
