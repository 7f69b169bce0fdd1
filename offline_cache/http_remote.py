"""`Remote` over the standard library's http.client, for the headless ``kiosk-sync`` daemon.

The app uses ``kiosk.api.remote`` (one long-lived httpx client) instead; both hand (status,
headers, body) to ``offline_cache.protocol``, so they read every answer the same way. Each request
runs in a worker thread with its own connection: connect within 3 s, each read within 15 s.
"""

from __future__ import annotations

import asyncio
import http.client
import ssl
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlencode, urlsplit

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

CONNECT_TIMEOUT: Final = 3.0
READ_TIMEOUT: Final = 15.0
MAX_BODY_BYTES: Final = 64 * 1024 * 1024  # a 5,000-product page is about 5 MB
USER_AGENT: Final = "kiosk-sync/0.1.0"


class InvalidCentralUrl(ValueError):
    """The central URL is not an http(s) URL with a host."""


class HttpRemote:
    """Contract v1 over http.client; raises only the errors of ``offline_cache.remote``."""

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

    async def enrol_device(self, enrolment_key: str, device_name: str) -> Enrolment:
        answer = await self._request(
            "POST", "/v1/auth/device", body=protocol.enrolment_body(enrolment_key, device_name)
        )
        return protocol.parse_enrolment(*answer)

    async def health(self) -> Health:
        return protocol.parse_health(*await self._request("GET", "/v1/health"))

    async def pull(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None
    ) -> PullPage:
        query = urlencode(protocol.pull_params(stream, cursor, limit))
        headers = {"X-Install-Id": install_id} if install_id else {}
        answer = await self._request("GET", f"/v1/sync/pull?{query}", headers=headers, authorized=True)
        return protocol.parse_pull_page(*answer, stream)

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
    ) -> tuple[int, dict[str, str], bytes]:
        sent = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/json"
        if authorized and self._token:
            sent["Authorization"] = f"Bearer {self._token}"
        return await asyncio.to_thread(self._exchange, method, self._prefix + path, body, sent)

    def _exchange(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        where = f"{method} {path.split('?', maxsplit=1)[0]}"
        conn: http.client.HTTPConnection
        if self._https:
            conn = http.client.HTTPSConnection(
                self._host, self._port, timeout=self._connect_timeout, context=self._ssl
            )
        else:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=self._connect_timeout)
        try:
            conn.connect()
            if conn.sock is not None:
                conn.sock.settimeout(self._read_timeout)
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
