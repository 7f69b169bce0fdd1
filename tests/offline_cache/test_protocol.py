"""Reading the wire: refusals by meaning, malformed pages that write nothing, and fuzzed bodies."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offline_cache import protocol
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.puller import Puller
from offline_cache.remote import (
    ActionEnvelope,
    Change,
    MalformedResponse,
    MustRefetch,
    PullPage,
    PushRequest,
    Rejected,
    RetryLater,
    ServerFailed,
    Unauthorized,
)
from tests.offline_cache.conftest import PullOnlyRemote

JSON = {"content-type": "application/json"}


def problem(status: int, code: str, **extra: object) -> bytes:
    return json.dumps({"type": "x", "status": status, "code": code, "detail": "d", **extra}).encode()


def page_body(changes: list[dict[str, object]], cursor: str = "v1.10", stream: str = "catalog") -> bytes:
    return json.dumps(
        {
            "stream": stream,
            "changes": changes,
            "next_cursor": cursor,
            "has_more": False,
            "checksum": "crc32:0",
            "server_version": 12,
        }
    ).encode()


PRODUCT = {"entity": "product", "key": "SKU-1", "version": 5, "op": "upsert", "data": {"sku": "SKU-1"}}


@pytest.mark.parametrize(
    ("status", "headers", "body", "kind"),
    [
        (401, JSON, problem(401, "invalid_token"), Unauthorized),
        (
            409,
            JSON,
            problem(409, "must_refetch", control="must-refetch", reason="cursor_expired"),
            MustRefetch,
        ),
        (409, JSON, problem(409, "in_progress"), RetryLater),
        (429, {"Retry-After": "12"}, problem(429, "rate_limited"), RetryLater),
        (503, {}, b"<html>down</html>", RetryLater),
        (500, JSON, problem(500, "internal_error"), ServerFailed),
        (502, {}, b"bad gateway", ServerFailed),
        (404, {}, b"<html>captive portal</html>", ServerFailed),
        (403, JSON, problem(403, "device_revoked"), Rejected),
        (200, JSON, b'{"stream": "catalog", "changes": [', MalformedResponse),
        (200, JSON, b'{"stream": NaN}', MalformedResponse),
        (200, JSON, b"\xff\xfe not utf-8", MalformedResponse),
        (302, {"Location": "/x"}, b"", ServerFailed),
    ],
)
def test_answers_are_classified_by_meaning(
    status: int, headers: dict[str, str], body: bytes, kind: type[Exception]
) -> None:
    with pytest.raises(kind) as caught:
        protocol.parse_pull_page(status, headers, body, "catalog")
    assert type(caught.value) is kind
    if isinstance(caught.value, MustRefetch):
        assert caught.value.reason == "cursor_expired"


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert protocol.retry_after_seconds({"retry-after": "30"}) == 30
    when = datetime.fromtimestamp(1_000_120, UTC)
    assert (
        protocol.retry_after_seconds({"Retry-After": format_datetime(when, usegmt=True)}, now=1_000_000)
        == 120
    )
    assert protocol.retry_after_seconds({"Retry-After": "soon"}) is None
    with pytest.raises(RetryLater) as caught:
        protocol.parse_pull_page(429, {"Retry-After": "7"}, problem(429, "slow_down"), "catalog")
    assert caught.value.retry_after == 7


def test_a_page_for_another_stream_or_with_bad_rows_is_refused() -> None:
    assert protocol.parse_pull_page(200, JSON, page_body([PRODUCT]), "catalog").changes[0].key == "SKU-1"
    with pytest.raises(MalformedResponse, match="asked for"):
        protocol.parse_pull_page(200, JSON, page_body([PRODUCT]), "reviews")
    with pytest.raises(MalformedResponse, match="op"):
        protocol.parse_pull_page(200, JSON, page_body([{**PRODUCT, "op": "merge"}]), "catalog")
    with pytest.raises(MalformedResponse, match="version"):
        protocol.parse_pull_page(200, JSON, page_body([{**PRODUCT, "version": True}]), "catalog")
    with pytest.raises(MalformedResponse, match="version"):
        protocol.parse_pull_page(200, JSON, page_body([{**PRODUCT, "version": 2**70}]), "catalog")


def test_push_answers_must_name_only_the_actions_sent() -> None:
    action = ActionEnvelope(
        1, "0190a3c4-0000-7000-8000-000000000001", "audit.event", 1, "{}", "0" * 64, None, "", "", None
    )
    request = PushRequest("T-1", "0190a3c4-0000-7000-8000-00000000000a", "test", (action,))
    good = {
        "install_id": request.install_id,
        "results": [
            {"action_id": action.action_id, "seq": 1, "status": "applied", "code": "ok", "server_version": 9}
        ],
        "last_applied_seq": 1,
        "retry_after_ms": None,
    }
    response = protocol.parse_push_response(200, JSON, json.dumps(good).encode(), request)
    assert response.results[0].status == "applied"
    assert response.results[0].server_version == 9
    wrong_seq = {**good, "results": [{**good["results"][0], "seq": 2}]}  # type: ignore[dict-item]
    with pytest.raises(MalformedResponse):
        protocol.parse_push_response(200, JSON, json.dumps(wrong_seq).encode(), request)
    other_install = {**good, "install_id": "0190a3c4-0000-7000-8000-00000000000b"}
    with pytest.raises(MalformedResponse):
        protocol.parse_push_response(200, JSON, json.dumps(other_install).encode(), request)
    unknown = {**good, "results": [{**good["results"][0], "status": "teleported"}]}  # type: ignore[dict-item]
    [result] = protocol.parse_push_response(200, JSON, json.dumps(unknown).encode(), request).results
    assert (result.status, result.code) == ("needs_review", "unknown_status:teleported")


def test_push_body_splices_the_stored_payload_text() -> None:
    payload = '{"a":"Žluťoučký","n":1.5}'
    action = ActionEnvelope(
        3,
        "0190a3c4-0000-7000-8000-000000000001",
        "audit.event",
        1,
        payload,
        "f" * 64,
        "E1",
        "online:S",
        "t",
        None,
    )
    body = protocol.push_body(PushRequest("T-1", "i", "v", (action,)))
    assert payload.encode() in body
    decoded = json.loads(body)
    assert decoded["actions"][0]["payload"] == {"a": "Žluťoučký", "n": 1.5}
    assert decoded["protocol"] == 1


@settings(max_examples=300, deadline=None)
@given(
    status=st.sampled_from([200, 200, 200, 400, 401, 409, 429, 500, 503]),
    body=st.one_of(
        st.binary(max_size=200),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
            lambda inner: (
                st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
            ),
            max_leaves=20,
        ).map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries(
            {
                "stream": st.sampled_from(["catalog", "reviews"]),
                "changes": st.lists(
                    st.fixed_dictionaries({"entity": st.text(max_size=8), "op": st.text(max_size=8)})
                ),
                "next_cursor": st.text(max_size=12),
                "has_more": st.booleans(),
                "checksum": st.text(max_size=4),
                "server_version": st.integers(),
            }
        ).map(lambda v: json.dumps(v).encode()),
    ),
)
def test_no_body_crashes_the_parsers(status: int, body: bytes) -> None:
    try:
        page = protocol.parse_pull_page(status, {}, body, "catalog")
    except (MalformedResponse, ServerFailed, Rejected, RetryLater):
        return
    with contextlib.suppress(MalformedResponse):  # the only other outcome allowed
        protocol.validate_page(page, "catalog", None)


class PagesRemote(PullOnlyRemote):
    """A fake Remote answering pulls from a list of pages (what a buggy or hostile server might send)."""

    def __init__(self, *pages: PullPage | Exception) -> None:
        self.pages = list(pages)
        self.cursors: list[str | None] = []

    async def pull(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None
    ) -> PullPage:
        self.cursors.append(cursor)
        item = self.pages.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


def stock(sku: str, version: int, location: str = "CZ-PRG-01", on_hand: int = 5) -> Change:
    data = {"sku": sku, "location_id": location, "on_hand": on_hand, "reserved": 0, "available": on_hand}
    return Change("stock", f"{sku}@{location}", version, "upsert", data)


def page(*changes: Change, cursor: str, stream: str = "stock:CZ-PRG-01", more: bool = False) -> PullPage:
    return PullPage(stream, changes, cursor, more, "crc32:0", 100)


@pytest.mark.parametrize(
    "bad",
    [
        page(stock("SKU-3", 30), cursor="v1.30", stream="stock:PL-WAW-01"),  # another stream's page
        page(stock("SKU-3", 30, location="PL-WAW-01"), cursor="v1.30"),  # another location's row
        page(stock("SKU-3", 30), stock("SKU-4", 25), cursor="v1.30"),  # versions go backwards
        page(stock("SKU-3", 15), cursor="v1.15"),  # older than our cursor
        page(stock("SKU-3", 30), cursor="v1.29"),  # cursor behind its own changes
        page(Change("product", "SKU-3", 30, "upsert", {"sku": "SKU-3"}), cursor="v1.30"),  # wrong entity
        page(
            Change(
                "stock",
                "SKU-3@CZ-PRG-01",
                30,
                "upsert",
                {"sku": "SKU-3", "location_id": "CZ-PRG-01", "on_hand": 5, "reserved": 1, "available": 5},
            ),
            cursor="v1.30",
        ),  # available != on_hand - reserved
        page(stock("SKU-3", 30), cursor="opaque"),  # not a cursor we can continue from
    ],
)
async def test_a_malformed_page_writes_nothing_and_keeps_the_cursor(tmp_path: Path, bad: PullPage) -> None:
    cache = CacheStore.open(tmp_path / CACHE_FILE)
    try:
        first = page(stock("SKU-1", 10), stock("SKU-2", 20), cursor="v1.20")
        await Puller(PagesRemote(first), cache).pull("stock:CZ-PRG-01")
        before = (cache.cursor("stock:CZ-PRG-01"), cache.counts())
        with pytest.raises(MalformedResponse):
            await Puller(PagesRemote(bad), cache).pull("stock:CZ-PRG-01")
        assert (cache.cursor("stock:CZ-PRG-01"), cache.counts()) == before
        assert before == ("v1.20", {"stock:CZ-PRG-01": 2})
        assert cache.stock_for("SKU-3") == []
    finally:
        cache.close()


async def test_a_page_and_its_cursor_land_together_with_deletes(tmp_path: Path) -> None:
    cache = CacheStore.open(tmp_path / CACHE_FILE)
    try:
        remote = PagesRemote(
            page(stock("SKU-1", 10), stock("SKU-2", 20), cursor="v1.20", more=True),
            page(
                Change("stock", "SKU-1@CZ-PRG-01", 21, "delete", None),
                stock("SKU-2", 22, on_hand=1),
                cursor="v1.22",
            ),
        )
        report = await Puller(remote, cache).pull("stock:CZ-PRG-01")
        assert (report.pages, report.changes) == (2, 4)
        assert cache.cursor("stock:CZ-PRG-01") == "v1.22"
        assert cache.stock_for("SKU-1") == []
        [level] = cache.stock_for("SKU-2")
        assert (level.on_hand, level.available) == (1, 1)
        assert cache.stream("stock:CZ-PRG-01").caught_up_version == 100
    finally:
        cache.close()


@pytest.mark.parametrize(
    "refusal",
    [
        MustRefetch(409, "must_refetch", "old", {"reason": "cursor_expired"}),
        Rejected(400, "invalid_cursor", "The cursor is not one this server issued."),
    ],
)
async def test_a_refused_cursor_rebuilds_the_stream_from_a_snapshot(
    tmp_path: Path, refusal: Exception
) -> None:
    cache = CacheStore.open(tmp_path / CACHE_FILE)
    try:
        await Puller(PagesRemote(page(stock("SKU-1", 10), cursor="v1.10")), cache).pull("stock:CZ-PRG-01")
        remote = PagesRemote(
            refusal,
            page(stock("SKU-2", 20), cursor="v1.20", more=True),
            page(stock("SKU-3", 30), cursor="v1.30"),
        )
        report = await Puller(remote, cache).pull("stock:CZ-PRG-01")
        assert report.refetched
        assert remote.cursors == ["v1.10", None, "v1.20"]  # the snapshot starts from scratch
        assert cache.stock_for("SKU-1") == []  # gone from the snapshot, so gone here
        assert [s.sku for s in cache.stock_for("SKU-2") + cache.stock_for("SKU-3")] == ["SKU-2", "SKU-3"]
        assert cache.cursor("stock:CZ-PRG-01") == "v1.30"
        assert not cache.stream("stock:CZ-PRG-01").needs_refetch
    finally:
        cache.close()
