"""Product page queries on a real seeded, synced cache: detail, variants, reviews and stock by location."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from offline_cache.cache_store import CacheStore
from offline_cache.outbox import OUTBOX_FILE, Outbox
from offline_cache.product_view import (
    STARS,
    great_circle_km,
    product_detail,
    reviews_page,
    stock_by_location,
)
from offline_cache.remote import Change, PullPage
from tests.offline_cache.conftest import STORE, kiosk_order

_versions = itertools.count(10_000_000)


def put(cache: CacheStore, stream: str, *changes: Change) -> None:
    """Land changes as the puller would: one page continuing the stream's cursor."""
    version = next(_versions)
    page = PullPage(stream, tuple(changes), f"v1.{version}", False, "", version)
    cache.apply_page(stream, page, cache.cursor(stream))


def upsert(entity: str, key: str, data: dict[str, Any]) -> Change:
    return Change(entity, key, next(_versions), "upsert", data)


@pytest.fixture
def cache(seeded_cache: CacheStore) -> CacheStore:
    """The shared synced product cache (tests/fixtures/databases.py), a fresh copy per test."""
    return seeded_cache


def raw_product(cache: CacheStore, sku: str) -> dict[str, Any]:
    data = cache.product(sku)
    assert data is not None
    return data


def family_with_children(cache: CacheStore) -> tuple[str, list[str]]:
    rows = cache.reader().execute(
        "SELECT parent_sku, COUNT(*) FROM product WHERE parent_sku IS NOT NULL GROUP BY parent_sku "
        "ORDER BY COUNT(*) DESC, parent_sku LIMIT 1"
    )
    parent, _ = rows.fetchone()
    children = [
        r[0] for r in cache.reader().execute("SELECT sku FROM product WHERE parent_sku = ?", (parent,))
    ]
    return parent, children


def most_reviewed(cache: CacheStore) -> tuple[str, int]:
    sku, count = (
        cache.reader()
        .execute("SELECT sku, COUNT(*) FROM review GROUP BY sku ORDER BY COUNT(*) DESC, sku LIMIT 1")
        .fetchone()
    )
    return sku, count


# -- detail --------------------------------------------------------------------------------------------------


def test_detail_in_the_display_language_with_english_fallback(cache: CacheStore) -> None:
    data = raw_product(cache, "SKU-0000001")
    czech = product_detail(cache, "SKU-0000001", "cs", "CZK")
    assert czech is not None
    assert czech.name == data["names"]["cs"]
    assert czech.description == data["descriptions"]["cs"]
    assert czech.brand == data["brand"]
    assert czech.price_minor == data["prices"]["CZK"]
    assert czech.specs == tuple(data["specs"].items())  # the catalog's order
    assert czech.images == tuple(data["images"])
    assert czech.rating.count == data["rating"]["count"]

    german = product_detail(cache, "SKU-0000001", "de", "EUR")  # not a catalog language
    assert german is not None
    assert german.name == data["names"]["en"]
    assert german.price_minor == data["prices"]["EUR"]
    dollars = product_detail(cache, "SKU-0000001", "cs", "USD")
    assert dollars is not None
    assert dollars.price_minor is None  # not sold in that currency


def test_a_product_without_english_falls_back_to_any_language(cache: CacheStore) -> None:
    data = raw_product(cache, "SKU-0000002")
    data["names"] = {"pl": "Tylko po polsku"}
    data["descriptions"] = {}
    put(cache, "catalog", upsert("product", "SKU-0000002", data))
    detail = product_detail(cache, "SKU-0000002", "bg", "CZK")
    assert detail is not None
    assert (detail.name, detail.description) == ("Tylko po polsku", "")


def test_variants_list_the_parent_first_with_localized_labels(cache: CacheStore) -> None:
    parent, children = family_with_children(cache)
    assert len(children) >= 2
    detail = product_detail(cache, children[0], "cs", "CZK")
    assert detail is not None
    skus = [v.sku for v in detail.variants]
    assert skus[0] == parent
    assert sorted(skus[1:]) == sorted(children)
    assert [v.sku for v in detail.variants if v.current] == [children[0]]
    for variant in detail.variants:
        # The label is what the Czech name says after the family's shared part ("– černá").
        assert raw_product(cache, variant.sku)["names"]["cs"].endswith(" – " + variant.label)
        in_stock = (
            cache.reader()
            .execute("SELECT MAX(available) > 0 FROM stock WHERE sku = ?", (variant.sku,))
            .fetchone()[0]
        )
        assert variant.available == bool(in_stock)
    # The parent sees the same family, itself marked.
    from_parent = product_detail(cache, parent, "cs", "CZK")
    assert from_parent is not None
    assert [v.sku for v in from_parent.variants] == skus
    assert [v.sku for v in from_parent.variants if v.current] == [parent]


def test_a_product_without_a_family_has_no_variants(cache: CacheStore) -> None:
    single = (
        cache.reader()
        .execute(
            "SELECT sku FROM product p WHERE parent_sku IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM product c WHERE c.parent_sku = p.sku) ORDER BY sku LIMIT 1"
        )
        .fetchone()[0]
    )
    detail = product_detail(cache, single, "en", "CZK")
    assert detail is not None
    assert detail.variants == ()


def test_unknown_or_damaged_products_are_none(cache: CacheStore) -> None:
    assert product_detail(cache, "SKU-NOPE", "en", "CZK") is None
    db = cache.reader()
    with db.conn:
        db.execute("UPDATE product SET data = 'not json' WHERE sku = 'SKU-0000003'")
        db.execute("UPDATE product SET data = '[1, 2]' WHERE sku = 'SKU-0000004'")
    assert product_detail(cache, "SKU-0000003", "en", "CZK") is None
    assert product_detail(cache, "SKU-0000004", "en", "CZK") is None


def test_bad_fields_in_a_product_are_dropped_not_raised(cache: CacheStore) -> None:
    data = raw_product(cache, "SKU-0000005")
    data.update(
        prices={"CZK": "cheap", "EUR": -5},
        specs={"weight": 12, "ok": "yes", "bad": None, "flag": True},
        images=["/v1/images/SKU-0000005/0.jpg", 7, ""],
        rating={"average": float("inf"), "count": 3},
        brand=None,
    )
    put(cache, "catalog", upsert("product", "SKU-0000005", data))
    czk = product_detail(cache, "SKU-0000005", "en", "CZK")
    eur = product_detail(cache, "SKU-0000005", "en", "EUR")
    assert czk is not None
    assert eur is not None
    assert (czk.price_minor, eur.price_minor) == (None, None)
    assert czk.specs == (("weight", "12"), ("ok", "yes"))
    assert czk.images == ("/v1/images/SKU-0000005/0.jpg",)
    assert (czk.rating.average, czk.rating.count) == (0.0, 0)
    assert czk.brand == ""


# -- reviews -----------------------------------------------------------------------------------------------


def test_histogram_counts_and_languages_agree_with_the_cache(cache: CacheStore) -> None:
    sku, count = most_reviewed(cache)
    page = reviews_page(cache, sku, limit=100)
    assert page.total == count
    assert sum(page.histogram.values()) == page.total
    assert set(page.histogram) == set(STARS)
    for stars, n in page.histogram.items():
        expected = (
            cache.reader()
            .execute("SELECT COUNT(*) FROM review WHERE sku = ? AND rating = ?", (sku, stars))
            .fetchone()[0]
        )
        assert n == expected
    assert sum(n for _, n in page.languages) == count
    assert [n for _, n in page.languages] == sorted((n for _, n in page.languages), reverse=True)


def test_sort_orders(cache: CacheStore) -> None:
    sku, count = most_reviewed(cache)
    newest = reviews_page(cache, sku, sort="newest", limit=100).reviews
    highest = reviews_page(cache, sku, sort="highest", limit=100).reviews
    lowest = reviews_page(cache, sku, sort="lowest", limit=100).reviews
    assert len(newest) == len(highest) == len(lowest) == count
    dates = [r.created_at for r in newest if r.created_at is not None]
    assert len(dates) == count
    assert dates == sorted(dates, reverse=True)
    assert [r.rating for r in highest] == sorted((r.rating for r in highest), reverse=True)
    assert [r.rating for r in lowest] == sorted(r.rating for r in lowest)
    # Within one star value, newest first.
    for order in (highest, lowest):
        for _, group in itertools.groupby(order, key=lambda r: r.rating):
            when = [r.created_at for r in group if r.created_at is not None]
            assert when == sorted(when, reverse=True)


def test_star_and_language_filters(cache: CacheStore) -> None:
    sku, _ = most_reviewed(cache)
    everything = reviews_page(cache, sku, limit=100)
    top = reviews_page(cache, sku, stars=frozenset({5, 4}), limit=100)
    assert all(r.rating in (4, 5) for r in top.reviews)
    assert top.total == everything.histogram[5] + everything.histogram[4]
    assert top.histogram == everything.histogram  # the bars stay, so other stars can be added

    language, spoken = everything.languages[0]
    local = reviews_page(cache, sku, language=language, limit=100)
    assert local.total == spoken
    assert all(r.language == language for r in local.reviews)
    assert sum(local.histogram.values()) == spoken  # the histogram follows the language
    assert local.languages == everything.languages  # every language stays offered

    nothing = reviews_page(cache, sku, language="xx")
    assert (nothing.total, nothing.reviews, nothing.has_next) == (0, (), False)


def test_paging_edges(cache: CacheStore) -> None:
    sku, count = most_reviewed(cache)
    assert count > 10
    everything = [r.review_id for r in reviews_page(cache, sku, limit=100).reviews]
    seen: list[str] = []
    offset = 0
    while True:
        page = reviews_page(cache, sku, offset=offset, limit=5)
        assert page.offset == offset
        assert page.has_previous == (offset > 0)
        seen += [r.review_id for r in page.reviews]
        if not page.has_next:
            break
        offset += 5
    assert seen == everything  # every review once, in order
    assert len(page.reviews) == count - offset

    past_the_end = reviews_page(cache, sku, offset=10_000, limit=5)
    assert past_the_end.offset == (count - 1) // 5 * 5  # the last page, not an empty one
    assert past_the_end.reviews
    assert reviews_page(cache, "SKU-NOPE", offset=40).offset == 0

    with pytest.raises(ValueError, match="limit"):
        reviews_page(cache, sku, limit=0)
    with pytest.raises(ValueError, match="limit"):
        reviews_page(cache, sku, limit=101)
    with pytest.raises(ValueError, match="offset"):
        reviews_page(cache, sku, offset=-1)
    with pytest.raises(ValueError, match="stars"):
        reviews_page(cache, sku, stars=frozenset({6}))
    with pytest.raises(ValueError, match="order"):
        reviews_page(cache, sku, sort="best")  # type: ignore[arg-type]


def test_damaged_reviews_are_skipped_everywhere(cache: CacheStore) -> None:
    sku, count = most_reviewed(cache)
    db = cache.reader()
    victim = db.execute("SELECT review_id FROM review WHERE sku = ? ORDER BY review_id", (sku,)).fetchone()[0]
    with db.conn:
        db.execute("UPDATE review SET data = '\"oops\"' WHERE review_id = ?", (victim,))
    page = reviews_page(cache, sku, limit=100)
    assert page.total == count - 1
    assert sum(page.histogram.values()) == count - 1
    assert victim not in {r.review_id for r in page.reviews}


# -- stock -------------------------------------------------------------------------------------------------


def test_stock_is_here_first_then_stores_by_distance_then_warehouses(cache: CacheStore) -> None:
    now = datetime.now(UTC)
    rows = stock_by_location(cache, "SKU-0000001", STORE, (), now)
    assert len(rows) == 7
    assert rows[0].location_id == STORE
    assert rows[0].is_here
    assert rows[0].distance_km == 0.0
    stores = [r for r in rows[1:] if r.kind == "store"]
    warehouses = [r for r in rows if r.kind == "warehouse"]
    assert [r.kind for r in rows[1:]] == ["store"] * len(stores) + ["warehouse"] * len(warehouses)
    assert [r.location_id for r in stores] == ["CZ-BRN-01", "PL-KRK-01", "PL-WAW-01", "BG-SOF-01"]
    assert [r.location_id for r in warehouses] == ["WH-CZ-01", "WH-PL-01"]
    brno = stores[0].distance_km
    assert brno is not None
    assert 180 < brno < 195  # Praha-Smíchov to Brno as the crow flies
    for row in rows:
        level = next(s for s in cache.stock_for("SKU-0000001") if s.location_id == row.location_id)
        assert (row.available, row.on_hand, row.pending_local) == (level.available, level.on_hand, 0)
        pulled = cache.stream(f"stock:{row.location_id}").last_pull_ok_at
        assert pulled is not None
        assert row.as_of == datetime.fromisoformat(pulled)
    assert rows[0].name == "Prodejna Praha – Smíchov"


def test_as_of_is_never_in_the_future(cache: CacheStore) -> None:
    before_the_pull = datetime(2020, 1, 1, tzinfo=UTC)
    rows = stock_by_location(cache, "SKU-0000001", STORE, (), before_the_pull)
    assert {r.as_of for r in rows} == {before_the_pull}


def test_a_pending_local_order_lowers_the_displayed_stock(cache: CacheStore, tmp_path: Path) -> None:
    sku = (
        cache.reader()
        .execute(
            "SELECT sku FROM stock WHERE location_id = ? AND available >= 3 ORDER BY sku LIMIT 1", (STORE,)
        )
        .fetchone()[0]
    )
    before = {r.location_id: r for r in stock_by_location(cache, sku, STORE, (), datetime.now(UTC))}
    outbox = Outbox.open(tmp_path / OUTBOX_FILE, "T-PRODUCT")
    try:
        draft = outbox.open_draft("cart")
        outbox.submit(draft, "order.create", kiosk_order(str(uuid.uuid4()), sku, qty=2), None, "kiosk")
        after = {
            r.location_id: r
            for r in stock_by_location(cache, sku, STORE, outbox.reservations(), datetime.now(UTC))
        }
    finally:
        outbox.close()
    assert after[STORE].pending_local == 2
    assert after[STORE].available == before[STORE].available - 2
    assert after[STORE].on_hand == before[STORE].on_hand
    assert all(after[loc] == before[loc] for loc in before if loc != STORE)


def test_a_location_without_a_position_sorts_after_those_with_one(cache: CacheStore) -> None:
    krakow = cache.location("PL-KRK-01")
    assert krakow is not None
    put(cache, "locations", upsert("location", "PL-KRK-01", {**krakow, "lat": "north", "lon": None}))
    rows = stock_by_location(cache, "SKU-0000001", STORE, (), datetime.now(UTC))
    stores = [r.location_id for r in rows if r.kind == "store"]
    assert stores == [STORE, "CZ-BRN-01", "PL-WAW-01", "BG-SOF-01", "PL-KRK-01"]
    assert rows[stores.index("PL-KRK-01")].distance_km is None


def test_great_circle_distance() -> None:
    assert great_circle_km((50.0, 14.0), (50.0, 14.0)) == 0.0
    # One degree of latitude is about 111 km everywhere.
    assert great_circle_km((0.0, 0.0), (1.0, 0.0)) == pytest.approx(111.2, abs=0.1)
    assert great_circle_km((0.0, 0.0), (0.0, 180.0)) == pytest.approx(20015.1, abs=1.0)


def test_stock_for_an_unknown_product_is_empty(cache: CacheStore) -> None:
    assert stock_by_location(cache, "SKU-NOPE", STORE, (), datetime.now(UTC) - timedelta(seconds=1)) == ()
