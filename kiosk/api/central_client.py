"""The one HTTP client to the central API (the only module importing httpx)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx

from kiosk.api.contract import (
    DeviceEnrolment,
    Health,
    MalformedBody,
    PullPage,
    parse_enrolment,
    parse_health,
    parse_problem,
    parse_pull_page,
)
from kiosk.api.errors import CentralFailed, CentralRejected, CentralUnauthorized, CentralUnreachable

# Re-exported so callers that hold a client can catch its errors from one place.
__all__ = [
    "CentralClient",
    "CentralFailed",
    "CentralRejected",
    "CentralUnauthorized",
    "CentralUnreachable",
]

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 15.0
USER_AGENT = "store-kiosk/0.1.0"


class CentralClient:
    """Contract v1 over one long-lived ``httpx.AsyncClient``; answers are validated, else CentralError."""

    def __init__(self, base_url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._base_url = base_url.rstrip("/")
        self._token: str | None = None
        self._http = httpx.AsyncClient(
            base_url=self._base_url,
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=transport,
            follow_redirects=False,
        )

    @property
    def base_url(self) -> str:
        return self._base_url

    def use_token(self, token: str | None) -> None:
        """The device token sent as a bearer token from now on (None: send none)."""
        self._token = token

    async def aclose(self) -> None:
        await self._http.aclose()

    async def health(self) -> Health:
        return _parsed(parse_health, await self._request("GET", "/v1/health"))

    async def enrol_device(self, key: str, name: str) -> DeviceEnrolment:
        body = {"enrolment_key": key, "device_name": name}
        return _parsed(parse_enrolment, await self._request("POST", "/v1/auth/device", json=body))

    async def pull(self, stream: str, cursor: str, limit: int) -> PullPage:
        params = {"stream": stream, "cursor": cursor, "limit": str(limit)}
        body = await self._request("GET", "/v1/sync/pull", params=params, authorized=True)
        try:
            return parse_pull_page(body, stream)
        except MalformedBody as exc:
            raise CentralFailed(f"malformed pull page: {exc}") from exc

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: object = None,
        authorized: bool = False,
    ) -> object:
        headers = {"Authorization": f"Bearer {self._token}"} if authorized and self._token else {}
        try:
            response = await self._http.request(method, path, params=params, json=json, headers=headers)
        except httpx.TimeoutException as exc:
            raise CentralUnreachable(f"{method} {path}: timed out ({type(exc).__name__})") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            # A server that dies mid-answer looks like a protocol error: for the user it is "not reachable".
            raise CentralUnreachable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise CentralFailed(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if 200 <= status < 300:
            try:
                return response.json()
            except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
                raise CentralFailed(f"{method} {path}: the body is not JSON", status) from exc
        if 400 <= status < 500:
            raise _rejection(method, path, response)
        if status >= 500:
            raise CentralFailed(f"{method} {path}: server error{_problem_suffix(response)}", status)
        raise CentralFailed(f"{method} {path}: unexpected status", status)


def _parsed[T](parse: Callable[[object], T], body: object) -> T:
    try:
        return parse(body)
    except MalformedBody as exc:
        raise CentralFailed(f"malformed body: {exc}") from exc


def _rejection(method: str, path: str, response: httpx.Response) -> CentralRejected | CentralFailed:
    """A 4xx as CentralRejected when it carries a problem+json body, else CentralFailed (not our contract)."""
    try:
        problem = parse_problem(response.json(), response.status_code)
    except (ValueError, MalformedBody):
        return CentralFailed(f"{method} {path}: refused without a problem body", response.status_code)
    kind = CentralUnauthorized if problem.status == 401 else CentralRejected
    return kind(problem.status, problem.code, problem.detail)


def _problem_suffix(response: httpx.Response) -> str:
    try:
        problem = parse_problem(response.json(), response.status_code)
    except (ValueError, MalformedBody):
        return ""
    return f" ({problem.code}: {problem.detail})"
