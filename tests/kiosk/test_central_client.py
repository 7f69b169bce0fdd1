"""The app's client of the central API (CentralRemote on httpx) against httpx.MockTransport: the bytes it
sends, and failures mapped to ``offline_cache.remote`` errors by meaning."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from kiosk.api.remote import CentralRemote
from offline_cache.remote import (
    MalformedResponse,
    MustRefetch,
    Rejected,
    RetryLater,
    ServerFailed,
    Unauthorized,
    Unreachable,
)

BASE = "http://central.test:8700"
PAGE = {
    "stream": "locations",
    "changes": [
        {
            "entity": "location",
            "key": "CZ-PRG-01",
            "version": 1,
            "op": "upsert",
            "data": {"id": "CZ-PRG-01", "name": "Praha", "city": "Praha", "currency": "CZK"},
        },
        {"entity": "location", "key": "XX-OLD-01", "version": 6, "op": "delete"},
    ],
    "next_cursor": "v1.6",
    "has_more": False,
    "checksum": "",
    "server_version": 123,
}


def remote_for(handler: Callable[[httpx.Request], httpx.Response]) -> CentralRemote:
    return CentralRemote(BASE + "/", transport=httpx.MockTransport(handler))


def problem(status: int, code: str, detail: str) -> httpx.Response:
    body = {"type": f"urn:store-kiosk:problem:{code}", "status": status, "code": code, "detail": detail}
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


async def test_health_is_unauthenticated() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={"status": "ok", "version": "0.1.0", "api": 1, "database": "sqlite", "server_version": 5},
        )

    remote = remote_for(handler)
    remote.use_token("d.secret")
    health = await remote.health()
    await remote.aclose()
    assert (health.status, health.api, health.server_version) == ("ok", 1, 5)
    assert str(seen[0].url) == f"{BASE}/v1/health"
    assert "authorization" not in seen[0].headers


async def test_pull_sends_the_token_and_the_install_and_parses_the_page() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=PAGE)

    remote = remote_for(handler)
    remote.use_token("d.secret")
    page = await remote.pull("locations", "v1.0", 1000, install_id="I-1")
    await remote.aclose()
    request = seen[0]
    assert request.url.path == "/v1/sync/pull"
    assert dict(request.url.params) == {"stream": "locations", "cursor": "v1.0", "limit": "1000"}
    assert request.headers["authorization"] == "Bearer d.secret"
    assert request.headers["x-install-id"] == "I-1"
    assert page.next_cursor == "v1.6"
    assert [c.op for c in page.changes] == ["upsert", "delete"]
    assert page.changes[1].data is None


async def test_enrol_device_posts_key_and_name_without_a_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"device_id": "T-1", "token": "d.abc", "role": "kiosk", "location_id": "CZ-PRG-01"}
        )

    remote = remote_for(handler)
    answer = await remote.enrol_device("KEY", "kiosk on host")
    await remote.aclose()
    assert json.loads(seen[0].content) == {"enrolment_key": "KEY", "device_name": "kiosk on host"}
    assert "authorization" not in seen[0].headers
    assert (answer.device_id, answer.token, answer.role) == ("T-1", "d.abc", "kiosk")
    assert "d.abc" not in repr(answer)


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (problem(401, "unauthorized", "The token is not valid or has expired."), Unauthorized),
        (problem(403, "device_revoked", "This device has been revoked."), Rejected),
        (problem(409, "must_refetch", "The cursor is older than the kept tombstones."), MustRefetch),
        (httpx.Response(404, text="<html>not found</html>"), ServerFailed),  # not our server talking
        (httpx.Response(503, headers={"retry-after": "7"}), RetryLater),
        (httpx.Response(500, text="boom"), ServerFailed),
        (httpx.Response(200, text="{not json"), MalformedResponse),
        (httpx.Response(200, json={**PAGE, "has_more": "false"}), MalformedResponse),
    ],
)
async def test_answers_are_errors_by_meaning(response: httpx.Response, kind: type[Exception]) -> None:
    remote = remote_for(lambda _r: response)
    remote.use_token("d.x")
    with pytest.raises(kind) as info:
        await remote.pull("locations", "v1.0", 1000)
    await remote.aclose()
    if isinstance(info.value, RetryLater):
        assert info.value.retry_after == 7


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("connection refused"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.ReadTimeout("read timed out"),
        httpx.ReadError("connection reset"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
)
async def test_network_errors_are_unreachable(error: httpx.HTTPError) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    remote = remote_for(handler)
    with pytest.raises(Unreachable):
        await remote.health()
    await remote.aclose()


async def test_against_a_closed_port_is_unreachable() -> None:
    # Port 9 (discard) on loopback: nothing listens there in a test environment.
    remote = CentralRemote("http://127.0.0.1:9")
    with pytest.raises(Unreachable):
        await remote.health()
    await remote.aclose()
