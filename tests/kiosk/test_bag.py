"""The bag service on a real cache and outbox: limits, availability with the outbox overlay, the draft."""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiosk.services.bag import (
    DRAFT_KIND,
    MAX_LINES,
    BagLine,
    BagRefusal,
    BagRefused,
    BagService,
    draft_body,
    parse_draft_body,
)
from kiosk.services.cache_reader import CacheReader
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.outbox import OUTBOX_FILE, DiskFull, Outbox
from offline_cache.remote import Change, PullPage

HERE = "CZ-PRG-01"
OTHER_STORE = "CZ-BRN-01"
WAREHOUSE = "CZ-WH-01"
_versions = itertools.count(1000)


def _put(cache: CacheStore, stream: str, *changes: Change) -> None:
    version = next(_versions)
    page = PullPage(stream, tuple(changes), f"v1.{version}", False, "", version)
    cache.apply_page(stream, page, cache.cursor(stream))


def _upsert(entity: str, key: str, data: dict[str, Any]) -> Change:
    return Change(entity, key, next(_versions), "upsert", data)


def product(sku: str, name_cs: str, name_en: str, czk: int | None) -> dict[str, Any]:
    prices = {"EUR": 4990} | ({"CZK": czk} if czk is not None else {})
    return {
        "sku": sku,
        "brand": "Acme",
        "names": {"cs": name_cs, "en": name_en},
        "prices": prices,
        "category_id": "chairs",
        "popularity": 1,
    }


def stock(cache: CacheStore, sku: str, location: str, on_hand: int, reserved: int = 0) -> None:
    _put(
        cache,
        f"stock:{location}",
        _upsert("stock", f"{sku}@{location}", {"on_hand": on_hand, "reserved": reserved}),
    )


def seed_bag_cache(cache: CacheStore) -> None:
    """Three locations; chairs with stock here and elsewhere, one without a CZK price, one without stock."""
    _put(
        cache,
        "locations",
        _upsert("location", HERE, {"kind": "store", "name": "Praha Centrum", "lat": 50.08, "lon": 14.43}),
        _upsert("location", OTHER_STORE, {"kind": "store", "name": "Brno", "lat": 49.19, "lon": 16.61}),
        _upsert("location", WAREHOUSE, {"kind": "warehouse", "name": "Sklad", "lat": 49.9, "lon": 15.0}),
    )
    _put(
        cache,
        "catalog",
        _upsert("product", "SKU-CHAIR", product("SKU-CHAIR", "Židle Tora", "Tora chair", 129900)),
        _upsert("product", "SKU-TABLE", product("SKU-TABLE", "Stůl Ola", "Ola table", 499950)),
        _upsert("product", "SKU-LAMP", product("SKU-LAMP", "Lampa", "Lamp", None)),
        _upsert("product", "SKU-RUG", product("SKU-RUG", "Koberec", "Rug", 99900)),
        _upsert("product", "SKU-GONE", product("SKU-GONE", "Vyprodáno", "Sold out", 1000)),
    )
    stock(cache, "SKU-CHAIR", HERE, 3)
    stock(cache, "SKU-CHAIR", OTHER_STORE, 4)
    stock(cache, "SKU-CHAIR", WAREHOUSE, 2, reserved=1)
    stock(cache, "SKU-TABLE", WAREHOUSE, 2)
    stock(cache, "SKU-LAMP", HERE, 10)
    stock(cache, "SKU-GONE", HERE, 0)
    # SKU-RUG has no stock figure anywhere: only the 99 limit applies.


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[CacheStore]:
    store = CacheStore.open(tmp_path / CACHE_FILE)
    seed_bag_cache(store)
    yield store
    store.close()


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox.open(tmp_path / OUTBOX_FILE, "kiosk-1")
    yield box
    box.close()


@dataclass
class Rig:
    service: BagService
    outbox: Outbox
    reader: CacheReader

    def draft_lines(self) -> tuple[BagLine, ...]:
        drafts = self.outbox.open_drafts(DRAFT_KIND)
        assert len(drafts) == 1
        return parse_draft_body(drafts[0].body)


@pytest.fixture
async def rig(cache: CacheStore, outbox: Outbox) -> AsyncIterator[Rig]:
    reader = CacheReader(cache)
    yield Rig(BagService(reader, outbox, HERE, "CZK"), outbox, reader)
    reader.close()


async def test_an_empty_bag_has_no_draft(rig: Rig) -> None:
    snapshot = await rig.service.snapshot("cs")
    assert snapshot.is_empty
    assert snapshot.action_id is None
    assert rig.outbox.open_drafts(DRAFT_KIND) == []


async def test_adding_opens_a_draft_whose_key_the_order_will_carry(rig: Rig) -> None:
    snapshot = await rig.service.add("SKU-CHAIR", 2, "cs")
    (draft,) = rig.outbox.open_drafts(DRAFT_KIND)
    assert snapshot.action_id == draft.action_id == rig.service.action_id
    assert draft.body == {"v": 1, "lines": [{"sku": "SKU-CHAIR", "qty": 2}]}
    (item,) = snapshot.items
    assert (item.name, item.qty, item.unit_price_minor, item.line_total_minor) == (
        "Židle Tora",
        2,
        129900,
        259800,
    )
    assert item.available_here == 3
    assert item.available_elsewhere == 4 + 1  # the warehouse has 2 on hand, 1 reserved
    assert item.limit == 8
    assert snapshot.total_minor == 259800
    assert snapshot.count == 2


async def test_adding_the_same_product_again_raises_its_line(rig: Rig) -> None:
    await rig.service.add("SKU-CHAIR", 1, "cs")
    snapshot = await rig.service.add("SKU-CHAIR", 2, "cs")
    assert snapshot.lines == (BagLine("SKU-CHAIR", 3),)
    assert rig.draft_lines() == (BagLine("SKU-CHAIR", 3),)


async def test_more_than_the_chain_has_is_refused_and_changes_nothing(rig: Rig) -> None:
    await rig.service.add("SKU-CHAIR", 5, "cs")
    with pytest.raises(BagRefused) as refused:
        await rig.service.add("SKU-CHAIR", 4, "cs")
    assert refused.value.reason == BagRefusal.OVER_AVAILABLE
    assert refused.value.limit == 8
    assert rig.service.lines == (BagLine("SKU-CHAIR", 5),)
    assert rig.draft_lines() == (BagLine("SKU-CHAIR", 5),)


@pytest.mark.parametrize("qty", [0, -1, 100, True, 1.5, "2", None])
async def test_quantities_outside_1_to_99_are_refused(rig: Rig, qty: Any) -> None:
    with pytest.raises(BagRefused) as refused:
        await rig.service.add("SKU-RUG", qty, "cs")
    assert refused.value.reason == BagRefusal.BAD_QUANTITY
    assert rig.service.lines == ()
    assert rig.outbox.open_drafts(DRAFT_KIND) == []


async def test_without_stock_figures_only_99_limits_a_line(rig: Rig) -> None:
    snapshot = await rig.service.add("SKU-RUG", 99, "en")
    (item,) = snapshot.items
    assert not item.stock_known
    assert item.limit == 99
    assert item.available_here is None
    with pytest.raises(BagRefused) as refused:
        await rig.service.add("SKU-RUG", 1, "en")
    assert refused.value.reason == BagRefusal.BAD_QUANTITY


@pytest.mark.parametrize(
    ("sku", "reason"),
    [
        ("SKU-NOPE", BagRefusal.UNKNOWN_PRODUCT),
        ("bad sku; DROP TABLE", BagRefusal.UNKNOWN_PRODUCT),
        ("SKU-LAMP", BagRefusal.NOT_SOLD_HERE),
        ("SKU-GONE", BagRefusal.OVER_AVAILABLE),
    ],
)
async def test_products_that_cannot_be_sold_here_are_refused(rig: Rig, sku: str, reason: BagRefusal) -> None:
    with pytest.raises(BagRefused) as refused:
        await rig.service.add(sku, 1, "cs")
    assert refused.value.reason == reason
    assert rig.service.lines == ()


async def test_set_quantity_and_remove(rig: Rig) -> None:
    await rig.service.add("SKU-CHAIR", 1, "cs")
    await rig.service.add("SKU-TABLE", 1, "cs")
    snapshot = await rig.service.set_quantity("SKU-CHAIR", 6, "cs")
    assert snapshot.lines == (BagLine("SKU-CHAIR", 6), BagLine("SKU-TABLE", 1))
    with pytest.raises(BagRefused) as refused:
        await rig.service.set_quantity("SKU-TABLE", 3, "cs")
    assert (refused.value.reason, refused.value.limit) == (BagRefusal.OVER_AVAILABLE, 2)
    with pytest.raises(BagRefused):
        await rig.service.set_quantity("SKU-TABLE", "2", "cs")
    with pytest.raises(BagRefused) as missing:
        await rig.service.set_quantity("SKU-RUG", 2, "cs")
    assert missing.value.reason == BagRefusal.NOT_IN_BAG
    snapshot = await rig.service.remove("SKU-CHAIR", "cs")
    assert snapshot.lines == (BagLine("SKU-TABLE", 1),)
    assert rig.draft_lines() == (BagLine("SKU-TABLE", 1),)


async def test_lowering_below_fallen_stock_is_allowed_and_the_line_shows_short(
    rig: Rig, cache: CacheStore
) -> None:
    await rig.service.add("SKU-CHAIR", 7, "cs")
    stock(cache, "SKU-CHAIR", OTHER_STORE, 0)  # someone in Brno bought them
    snapshot = await rig.service.snapshot("cs")
    (item,) = snapshot.items
    assert item.short
    assert item.available == 4
    snapshot = await rig.service.set_quantity("SKU-CHAIR", 6, "cs")  # still above 4: lowering is fine
    assert snapshot.lines == (BagLine("SKU-CHAIR", 6),)


async def test_queued_orders_of_this_device_lower_the_availability(rig: Rig) -> None:
    rig.outbox.enqueue(
        "order.create",
        {"lines": [{"sku": "SKU-CHAIR", "qty": 3, "location_id": HERE, "fulfilment": "pickup_here"}]},
        None,
        "kiosk",
    )
    snapshot = await rig.service.add("SKU-CHAIR", 1, "cs")
    (item,) = snapshot.items
    assert item.available_here == 0
    assert item.limit == 5
    with pytest.raises(BagRefused) as refused:
        await rig.service.set_quantity("SKU-CHAIR", 6, "cs")
    assert refused.value.limit == 5


async def test_the_bag_has_at_most_max_lines(rig: Rig, cache: CacheStore) -> None:
    _put(
        cache,
        "catalog",
        *(
            _upsert("product", f"SKU-X{i:02d}", product(f"SKU-X{i:02d}", "x", "x", 100))
            for i in range(MAX_LINES)
        ),
    )
    for i in range(MAX_LINES):
        await rig.service.add(f"SKU-X{i:02d}", 1, "en")
    with pytest.raises(BagRefused) as refused:
        await rig.service.add("SKU-CHAIR", 1, "en")
    assert refused.value.reason == BagRefusal.BAG_FULL
    assert len(rig.service.lines) == MAX_LINES


async def test_a_crash_loses_nothing_the_bag_comes_back_with_its_key(
    rig: Rig, cache: CacheStore, tmp_path: Path
) -> None:
    await rig.service.add("SKU-CHAIR", 2, "cs")
    await rig.service.add("SKU-TABLE", 1, "cs")
    key = rig.service.action_id
    rig.outbox.close()  # the app dies here
    outbox = Outbox.open(tmp_path / OUTBOX_FILE, "kiosk-1")
    try:
        again = BagService(rig.reader, outbox, HERE, "CZK")
        restored = await again.restore("en")
        assert not restored.damaged
        assert restored.snapshot.action_id == key
        assert restored.snapshot.lines == (BagLine("SKU-CHAIR", 2), BagLine("SKU-TABLE", 1))
        assert restored.snapshot.items[0].name == "Tora chair"
        await again.add("SKU-CHAIR", 1, "en")
        assert len(outbox.open_drafts(DRAFT_KIND)) == 1  # the same draft goes on, with the same key
        assert again.action_id == key
    finally:
        outbox.close()


@pytest.mark.parametrize(
    "body",
    [
        {"v": 1, "lines": [{"sku": "SKU-CHAIR", "qty": 500}]},
        {"v": 1, "lines": [{"sku": "SKU-CHAIR", "qty": True}]},
        {"v": 1, "lines": [{"sku": "<script>", "qty": 1}]},
        {"v": 1, "lines": [{"sku": "SKU-CHAIR", "qty": 1}, {"sku": "SKU-CHAIR", "qty": 1}]},
        {"v": 1, "lines": [{"sku": "SKU-CHAIR", "qty": 1, "price": 1}]},
        {"v": 2, "lines": []},
        {"lines": []},
        {"v": 1, "lines": "SKU-CHAIR"},
    ],
)
async def test_a_tampered_draft_is_not_taken_up_and_left_as_it_is(
    rig: Rig, tmp_path: Path, body: dict[str, Any]
) -> None:
    await rig.service.add("SKU-CHAIR", 1, "cs")
    draft_id = rig.service.draft_id
    raw = json.dumps(body)
    conn = sqlite3.connect(tmp_path / OUTBOX_FILE)
    with conn:
        conn.execute("UPDATE draft SET body = ? WHERE draft_id = ?", (raw, draft_id))
    conn.close()
    again = BagService(rig.reader, rig.outbox, HERE, "CZK")
    restored = await again.restore("cs")
    assert restored.damaged
    assert restored.snapshot.is_empty
    assert again.action_id is None
    (draft,) = rig.outbox.open_drafts(DRAFT_KIND)
    assert draft.draft_id == draft_id
    assert json.dumps(draft.body) == raw  # nothing changed on disk


async def test_clear_discards_every_bag_draft_and_drops_a_change_in_flight(rig: Rig) -> None:
    await rig.service.add("SKU-CHAIR", 1, "cs")
    rig.outbox.open_draft(DRAFT_KIND, draft_body([BagLine("SKU-RUG", 1)]))  # an older, left-over one
    other = rig.outbox.open_draft("return.form", {"x": 1})
    late = asyncio.create_task(rig.service.add("SKU-TABLE", 1, "cs"))  # the last customer's slow tap
    await asyncio.sleep(0)  # it is reading the cache now
    rig.service.clear()
    snapshot = await late
    assert snapshot.is_empty
    assert rig.service.lines == ()
    assert rig.service.action_id is None
    assert rig.outbox.open_drafts(DRAFT_KIND) == []
    assert rig.outbox.draft(other.draft_id) is not None  # other kinds of draft are not the bag's


async def test_a_failed_write_refuses_the_change_and_keeps_the_bag(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    await rig.service.add("SKU-CHAIR", 1, "cs")

    def full(*args: object) -> None:
        raise DiskFull("no room")

    monkeypatch.setattr(rig.outbox, "update_draft", full)
    with pytest.raises(BagRefused) as refused:
        await rig.service.add("SKU-CHAIR", 1, "cs")
    assert refused.value.reason == BagRefusal.STORAGE
    assert rig.service.lines == (BagLine("SKU-CHAIR", 1),)


async def test_double_taps_are_applied_one_after_the_other(rig: Rig) -> None:
    await asyncio.gather(*(rig.service.add("SKU-CHAIR", 1, "cs") for _ in range(4)))
    assert rig.service.lines == (BagLine("SKU-CHAIR", 4),)
    assert rig.draft_lines() == (BagLine("SKU-CHAIR", 4),)
