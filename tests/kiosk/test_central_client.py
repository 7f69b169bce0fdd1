"""The central API client against httpx.MockTransport: answers validated, errors by meaning."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from kiosk.api.central_client import CentralClient
from kiosk.api.errors import (
    CentralFailed,
    CentralRejected,
    CentralUnauthorized,
    CentralUnreachable,
    needs_enrolment,
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
    "checksum": "crc32:1234abcd",
    "server_version": 123,
}


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> CentralClient:
    return CentralClient(BASE + "/", transport=httpx.MockTransport(handler))


def problem(status: int, code: str, detail: str) -> httpx.Response:
    body = {"type": f"urn:store-kiosk:problem:{code}", "status": status, "code": code, "detail": detail}
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


async def test_health() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={"status": "ok", "version": "0.1.0", "api": 1, "database": "sqlite", "server_version": 5},
        )

    client = client_for(handler)
    health = await client.health()
    await client.aclose()
    assert (health.status, health.api, health.server_version) == ("ok", 1, 5)
    assert str(seen[0].url) == f"{BASE}/v1/health"
    assert "authorization" not in seen[0].headers


async def test_pull_sends_the_token_and_parses_the_page() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=PAGE)

    client = client_for(handler)
    client.use_token("d.secret")
    page = await client.pull("locations", "v1.0", 1000)
    await client.aclose()
    request = seen[0]
    assert request.url.path == "/v1/sync/pull"
    assert dict(request.url.params) == {"stream": "locations", "cursor": "v1.0", "limit": "1000"}
    assert request.headers["authorization"] == "Bearer d.secret"
    assert page.next_cursor == "v1.6"
    assert page.cursor_version == 6
    assert not page.has_more
    assert [c.op for c in page.changes] == ["upsert", "delete"]
    assert page.changes[0].data is not None
    assert page.changes[0].data["city"] == "Praha"
    assert page.changes[1].data is None


async def test_enrol_device_posts_key_and_name() -> None:
    bodies: list[object] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(
            200, json={"device_id": "T-1", "token": "d.abc", "role": "kiosk", "location_id": "CZ-PRG-01"}
        )

    client = client_for(handler)
    answer = await client.enrol_device("KEY", "kiosk on host")
    await client.aclose()
    assert bodies == [{"enrolment_key": "KEY", "device_name": "kiosk on host"}]
    assert (answer.device_id, answer.token, answer.role) == ("T-1", "d.abc", "kiosk")
    assert "d.abc" not in repr(answer)


async def test_401_problem_is_unauthorized() -> None:
    client = client_for(lambda _r: problem(401, "unauthorized", "The token is not valid or has expired."))
    with pytest.raises(CentralUnauthorized) as info:
        await client.pull("catalog", "v1.0", 10)
    await client.aclose()
    assert (info.value.status, info.value.code) == (401, "unauthorized")
    assert "expired" in info.value.detail
    assert needs_enrolment(info.value)


async def test_other_4xx_problem_is_rejected() -> None:
    client = client_for(
        lambda _r: problem(409, "must_refetch", "The cursor is older than the kept tombstones.")
    )
    with pytest.raises(CentralRejected) as info:
        await client.pull("catalog", "v1.3", 10)
    await client.aclose()
    assert not isinstance(info.value, CentralUnauthorized)
    assert info.value.code == "must_refetch"
    assert not needs_enrolment(info.value)


async def test_revoked_device_needs_enrolment() -> None:
    client = client_for(lambda _r: problem(403, "device_revoked", "This device has been revoked."))
    with pytest.raises(CentralRejected) as info:
        await client.pull("catalog", "v1.0", 10)
    await client.aclose()
    assert needs_enrolment(info.value)


async def test_500_is_failed() -> None:
    client = client_for(lambda _r: problem(500, "internal_error", "The server failed; it has been logged."))
    with pytest.raises(CentralFailed) as info:
        await client.health()
    await client.aclose()
    assert info.value.status == 500
    assert "internal_error" in str(info.value)


async def test_4xx_without_a_problem_body_is_failed_not_rejected() -> None:
    client = client_for(lambda _r: httpx.Response(404, text="<html>not here</html>"))
    with pytest.raises(CentralFailed) as info:
        await client.health()
    await client.aclose()
    assert info.value.status == 404


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="{not json"),
        httpx.Response(200, content=b"\xff\xfe\x00garbage"),
        httpx.Response(200, json=["a", "list"]),
        httpx.Response(200, json={"status": "ok"}),
        httpx.Response(200, json={"status": "ok", "version": "1", "api": "one", "server_version": 1}),
        httpx.Response(200, json={"status": "ok", "version": "1", "api": True, "server_version": 1}),
    ],
)
async def test_malformed_health_is_failed(response: httpx.Response) -> None:
    client = client_for(lambda _r: response)
    with pytest.raises(CentralFailed):
        await client.health()
    await client.aclose()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.pop("changes"),
        lambda p: p.update(changes="nope"),
        lambda p: p.update(has_more="false"),
        lambda p: p.update(stream="catalog"),
        lambda p: p.update(next_cursor=None),
        lambda p: p["changes"].append({"entity": "location", "key": "X", "version": 9, "op": "upsert"}),
        lambda p: p["changes"].append(
            {"entity": "location", "key": "X", "version": 9, "op": "merge", "data": {}}
        ),
        lambda p: p["changes"].append({"entity": "location", "key": "X", "version": -1, "op": "delete"}),
        lambda p: p["changes"].append(None),
    ],
)
async def test_malformed_pull_page_is_failed(mutate: Callable[[dict[str, object]], object]) -> None:
    body = json.loads(json.dumps(PAGE))
    mutate(body)
    client = client_for(lambda _r: httpx.Response(200, json=body))
    client.use_token("d.x")
    with pytest.raises(CentralFailed, match="malformed"):
        await client.pull("locations", "v1.0", 1000)
    await client.aclose()


async def test_malformed_enrolment_is_failed() -> None:
    client = client_for(lambda _r: httpx.Response(200, json={"device_id": "T-1", "token": ""}))
    with pytest.raises(CentralFailed):
        await client.enrol_device("KEY", "n")
    await client.aclose()


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

    client = client_for(handler)
    with pytest.raises(CentralUnreachable):
        await client.health()
    await client.aclose()


async def test_against_a_closed_port_is_unreachable() -> None:
    # Port 9 (discard) on loopback: nothing listens there in a test environment.
    client = CentralClient("http://127.0.0.1:9")
    with pytest.raises(CentralUnreachable):
        await client.health()
    await client.aclose()
