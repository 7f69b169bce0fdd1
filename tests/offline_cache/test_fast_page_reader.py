"""Pull pages read by msgspec with product data kept as text: same meaning, same refusals, same cache rows."""

from __future__ import annotations

import gc
import json
import random
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from offline_cache import protocol
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.puller import Puller
from offline_cache.remote import Change, MalformedResponse, PullPage
from offline_cache.search import popularity_class, popularity_class_sql

TERMINAL_TAIL = ',"terminal": {"install_id": "i-1", "last_applied_seq": 4}'


def product(n: int, **extra: object) -> dict[str, Any]:
    return {
        "sku": f"SKU-{n}",
        "gtin": f"400000000{n:04d}",
        "parent_sku": None,
        "category_id": "chairs",
        "brand": "Łada" if n % 2 else "Runa",
        "names": {"en": f"Chair {n}", "pl": f"Krzesło {n}", "bg": f"Стол {n} йо", "cs": 'Židle "Runa"'},
        "descriptions": {"en": "Long text " * 20},
        "prices": {"CZK": 1000 + n, "EUR": 40 + n, "PLN": 170 + n},
        "specs": {"legs": [{"a": 1}, {"b": [1, 2.5, None, True]}]},
        "popularity": 1000 - n,
        "rating": {"average": 4.5, "count": n},
        **extra,
    }


def compact_body(changes: Sequence[Mapping[str, object]], tail: str = "", stream: str = "catalog") -> bytes:
    """A page laid out as central/streams.py writes it: compact, members in the server's order."""
    dump = json.dumps
    parts = []
    for c in changes:
        head = f'{{"entity":{dump(c["entity"])},"key":{dump(c["key"])}'
        text = head + f',"version":{c["version"]},"op":"{c["op"]}"'
        if c["op"] == "upsert":
            text += ',"data":' + dump(c["data"], ensure_ascii=False, separators=(",", ":"))
        parts.append(text + "}")
    last = max((int(str(c["version"])) for c in changes), default=0)
    return (
        f'{{"stream":"{stream}","changes":[' + ",".join(parts) + f'],"next_cursor":"v1.{last}",'
        f'"has_more":false,"checksum":"crc32:0","server_version":{last + 5},"stream_version":{last}'
        + tail
        + "}"
    ).encode()


def upsert(entity: str, key: str, version: int, data: object) -> dict[str, object]:
    return {"entity": entity, "key": key, "version": version, "op": "upsert", "data": data}


def catalog_changes(count: int = 40) -> list[dict[str, object]]:
    changes: list[dict[str, object]] = [
        upsert("category", "chairs", 1, {"id": "chairs", "parent_id": None, "names": {"en": "Chairs"}})
    ]
    changes += [upsert("product", f"SKU-{n}", 10 + n, product(n)) for n in range(count)]
    changes.append({"entity": "product", "key": "SKU-gone", "version": 10 + count, "op": "delete"})
    return changes


def meaning(page: PullPage) -> list[tuple[object, ...]]:
    return [
        (c.entity, c.key, c.version, c.op, None if c.data is None else dict(c.data)) for c in page.changes
    ]


def whole_parse(body: bytes) -> list[tuple[object, ...]]:
    """What json.loads makes of the body's changes."""
    return [
        (c["entity"], c["key"], c["version"], c["op"], c.get("data")) for c in json.loads(body)["changes"]
    ]


@pytest.mark.parametrize("tail", ["", TERMINAL_TAIL])
def test_the_compact_layout_keeps_data_as_text_and_means_what_json_loads_reads(tail: str) -> None:
    body = compact_body(catalog_changes(), tail)
    page = protocol.parse_pull_page(200, {}, body, "catalog")
    products = [c for c in page.changes if c.entity == "product" and c.data is not None]
    assert products
    assert all(type(c.data) is protocol.JsonText for c in products)
    assert all(isinstance(c.data, protocol.JsonText) and c.data._members is None for c in products)
    assert meaning(page) == whole_parse(body)
    texts = [c.data for c in page.changes if c.data is not None]
    assert all(
        isinstance(d, protocol.JsonText | protocol.JsonObject) and json.loads(d.text) == d for d in texts
    )
    first = products[0].data
    assert isinstance(first, protocol.JsonText)
    assert [getattr(first.index, m) for m in first.index.__struct_fields__] == [
        first.get(m) for m in first.index.__struct_fields__
    ]
    if tail:
        assert page.terminal is not None
        assert page.terminal.last_applied_seq == 4


def test_a_big_page_is_read_in_slices_and_each_slice_the_fast_way() -> None:
    changes = [upsert("product", f"SKU-{n}", n + 1, product(n)) for n in range(1500)]
    body = compact_body(changes, TERMINAL_TAIL)
    steps = protocol.read_pull_page(200, {}, body, "catalog")
    slices = 0
    while True:
        try:
            next(steps)
            slices += 1
        except StopIteration as done:
            page: PullPage = done.value
            break
    assert slices > 2
    assert len(page.changes) == 1500
    assert all(type(c.data) is protocol.JsonText for c in page.changes)


def test_nested_data_that_looks_like_a_change_is_not_cut_there() -> None:
    # Data holding what looks like a change is data: the reader follows the JSON, not the bytes.
    trap = {"x": [{}, {"entity": "product", "key": "SKU-9", "version": 99, "op": "upsert"}]}
    changes = [
        upsert("product", "SKU-1", 5, product(1, specs=trap)),
        upsert("product", "SKU-2", 6, product(2)),
    ]
    body = compact_body(changes)
    page = protocol.parse_pull_page(200, {}, body, "catalog")
    assert meaning(page) == whole_parse(body)
    assert len(page.changes) == 2


def test_data_whose_id_member_differs_from_the_key_is_read_and_refused() -> None:
    body = compact_body([upsert("product", "SKU-1", 5, product(2))])
    page = protocol.parse_pull_page(200, {}, body, "catalog")
    assert type(page.changes[0].data) is protocol.JsonObject  # not JsonText: its id was not the key
    with pytest.raises(MalformedResponse, match="does not match the key"):
        protocol.validate_page(page, "catalog", None)


def test_a_product_kept_as_text_is_held_to_its_key_too() -> None:
    """However it was made (a fake Remote, another transport), text whose sku is not the key is refused."""
    text = protocol.JsonText(json.dumps(product(2)).encode())
    page = PullPage("catalog", (Change("product", "SKU-1", 5, "upsert", text),), "v1.5", False, "", 5)
    with pytest.raises(MalformedResponse, match="does not match the key"):
        protocol.validate_page(page, "catalog", None)
    same = PullPage("catalog", (Change("product", "SKU-2", 5, "upsert", text),), "v1.5", False, "", 5)
    protocol.validate_page(same, "catalog", None)


@pytest.mark.parametrize(
    "data",
    [
        b'{"sku":"SKU-1","a":NaN}',
        b'{"sku":"SKU-1","a":01}',
        b'{"sku":"SKU-1","a":"\\ud800"}',  # a lone surrogate: SQLite would store it, no reader takes it
        b'{"sku":"SKU-1","a":"x\x00"}',
        b'{"sku":"SKU-1","a":"\xff"}',  # not UTF-8
        b'{"sku":"SKU-1","a":[1,]}',
        b'{"sku":"SKU-1","a":"\\x41"}',
        b'{"sku":"SKU-1","a":{"b":1}',
    ],
)
def test_data_that_is_not_strict_json_is_refused_in_the_compact_layout(data: bytes) -> None:
    body = compact_body([upsert("product", "SKU-1", 5, {"sku": "SKU-1"})])
    body = body.replace(b'"data":{"sku":"SKU-1"}', b'"data":' + data)
    assert data in body
    with pytest.raises(MalformedResponse):
        protocol.parse_pull_page(200, {}, body, "catalog")


def test_json_text_reads_its_members_only_when_asked() -> None:
    text = protocol.JsonText(b'{"sku":"S","n":[1,2]}')
    assert bool(text)
    assert not protocol.JsonText(b"{ }")
    assert text._members is None  # truthiness did not parse it
    assert dict(text) == {"sku": "S", "n": [1, 2]}
    assert text.get("missing") is None


class PagesRemote:
    """A Remote answering pulls with prepared bodies, read by the real parser."""

    def __init__(self, *bodies: bytes) -> None:
        self.bodies = list(bodies)
        self.frozen_while_pulling: list[int] = []

    async def pull(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None
    ) -> Any:
        self.frozen_while_pulling.append(gc.get_freeze_count())
        return protocol.parse_pull_page(200, {}, self.bodies.pop(0), stream)

    async def enrol_device(self, *args: object) -> Any:
        raise NotImplementedError

    async def push(self, *args: object) -> Any:
        raise NotImplementedError

    async def health(self) -> Any:
        raise NotImplementedError


class ChangesRemote(PagesRemote):
    """The same changes as plain dicts, as a fake Remote hands them over (the Python row path)."""

    def __init__(self, changes: list[dict[str, Any]]) -> None:
        super().__init__()
        self.changes = changes

    async def pull(
        self, stream: str, cursor: str | None, limit: int, *, install_id: str | None = None
    ) -> Any:
        changes = tuple(
            Change(c["entity"], c["key"], c["version"], c["op"], c.get("data")) for c in self.changes
        )
        last = changes[-1].version
        return PullPage(stream, changes, f"v1.{last}", False, "crc32:0", last + 5, None, last)


def table_rows(cache: CacheStore, table: str) -> list[tuple[object, ...]]:
    rows = cache.reader().execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    return [
        tuple(json.loads(v) if isinstance(v, str) and v.startswith("{") else v for v in row) for row in rows
    ]


async def test_the_cache_rows_from_text_equal_the_rows_from_dicts(tmp_path: Path) -> None:
    odd = product(7, brand=["not", "text"], popularity=True, rating=[1], prices={"EUR": 1.5}, names="x")
    changes = [*catalog_changes(30), upsert("product", "SKU-odd", 900, {**odd, "sku": "SKU-odd"})]
    reviews = [
        upsert("review", f"R-{n}", 1000 + n, {"review_id": f"R-{n}", "sku": "SKU-1", "rating": n % 6})
        for n in range(5)
    ] + [upsert("review", "R-odd", 2000, {"review_id": "R-odd", "sku": 3, "rating": "5"})]
    caches = []
    for name, remote, review_remote in (
        (
            "text",
            PagesRemote(compact_body(changes, TERMINAL_TAIL)),
            PagesRemote(compact_body(reviews, "", "reviews")),
        ),
        ("dicts", ChangesRemote(changes), ChangesRemote(reviews)),
    ):
        cache = CacheStore.open(tmp_path / name / CACHE_FILE)
        caches.append(cache)
        await Puller(remote, cache).pull("catalog")
        await Puller(review_remote, cache).pull("reviews")
    try:
        text, dicts = caches
        for table in ("product", "category", "review", "search_doc", "search_band", "search_prefix"):
            assert table_rows(text, table) == table_rows(dicts, table), table
        assert len(table_rows(text, "product")) == 31
        odd_row = (
            text.reader()
            .execute(
                "SELECT brand, popularity, rating, rating_count, price_eur, search_text FROM product "
                "WHERE sku = ?",
                ("SKU-odd",),
            )
            .fetchone()
        )
        assert odd_row == (None, 0, 0.0, 0, None, "")
        review_columns = (
            "SELECT review_id, sku, rating FROM review WHERE review_id IN ('R-1', 'R-odd') ORDER BY 1"
        )
        assert text.reader().execute(review_columns).fetchall() == [
            ("R-1", "SKU-1", 1),
            ("R-odd", None, None),
        ]
    finally:
        for cache in caches:
            cache.close()


async def test_the_heap_is_frozen_only_while_a_pull_runs(tmp_path: Path) -> None:
    cache = CacheStore.open(tmp_path / CACHE_FILE)
    try:
        remote = PagesRemote(compact_body(catalog_changes(3)))
        assert gc.get_freeze_count() == 0
        await Puller(remote, cache).pull("catalog")
        assert remote.frozen_while_pulling
        assert remote.frozen_while_pulling[0] > 0
        assert gc.get_freeze_count() == 0
    finally:
        cache.close()


def test_the_popularity_class_in_sql_is_the_python_one() -> None:
    conn = sqlite3.connect(":memory:")
    expression = popularity_class_sql("p")
    edges = [(1 << k) + d for k in range(5, 45) for d in (-1, 0, 1)]
    values = [*range(-3, 300), *edges, *random.Random(7).sample(range(1 << 42), 2000), 1 << 62]
    rows = conn.execute(
        f"SELECT p, {expression} FROM (SELECT value AS p FROM json_each(?))",
        (json.dumps(values),),
    ).fetchall()
    assert [(p, c) for p, c in rows if c != popularity_class(p)] == []
    assert len(rows) == len(values)
