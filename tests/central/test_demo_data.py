"""The demo data generator: deterministic, prefix-stable, valid codes, plausible prices, texts and people."""

from __future__ import annotations

import dataclasses
import re
import statistics
from collections import Counter
from datetime import UTC, datetime

import pytest

from central import demo_data
from central.demo_data import DemoProduct, DemoReview
from retail_rules.gtin import is_valid

N = 5000
LEAF_IDS = {c.id for c in demo_data.categories()} - {
    c.parent_id for c in demo_data.categories() if c.parent_id
}
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
CZECH_DIACRITICS = re.compile(r"[áčďéěíňóřšťúůýž]", re.IGNORECASE)


def flat(n: int, seed: int = 42) -> list[DemoProduct]:
    return [p for chunk in demo_data.products(n, seed) for p in chunk]


@pytest.fixture(scope="module")
def catalog() -> list[DemoProduct]:
    return flat(N)


@pytest.fixture(scope="module")
def large() -> list[DemoProduct]:
    return flat(20_000)


@pytest.fixture(scope="module")
def catalog_reviews(catalog: list[DemoProduct]) -> list[DemoReview]:
    return list(demo_data.reviews(catalog, 42, 10.0))


# ------------------------------------------------------------------------------------------ locations


def test_locations_are_the_chain_stores_and_warehouses() -> None:
    locs = {loc.id: loc for loc in demo_data.locations()}
    assert set(locs) == {
        "CZ-PRG-01",
        "CZ-BRN-01",
        "PL-WAW-01",
        "PL-KRK-01",
        "BG-SOF-01",
        "WH-CZ-01",
        "WH-PL-01",
    }
    stores = [loc for loc in locs.values() if loc.kind == "store"]
    warehouses = [loc for loc in locs.values() if loc.kind == "warehouse"]
    assert len(stores) >= 4
    assert {s.country for s in stores} == {"CZ", "PL", "BG"}
    assert len(warehouses) >= 2
    market = {"CZ": ("CZK", "cs", "Europe/Prague"), "PL": ("PLN", "pl", "Europe/Warsaw"),
              "BG": ("EUR", "bg", "Europe/Sofia")}  # fmt: skip
    for loc in locs.values():
        assert (loc.currency, loc.language, loc.timezone) == market[loc.country]
        # Central and south-eastern Europe, not (0, 0) or swapped coordinates.
        assert 41.0 < loc.lat < 55.0
        assert 12.0 < loc.lon < 29.0
        assert loc.name
        assert loc.city
        assert re.search(r"\d", loc.address)
    assert (round(locs["CZ-PRG-01"].lat), round(locs["CZ-PRG-01"].lon)) == (50, 14)
    assert (round(locs["PL-WAW-01"].lat), round(locs["PL-WAW-01"].lon)) == (52, 21)
    assert (round(locs["BG-SOF-01"].lat), round(locs["BG-SOF-01"].lon)) == (43, 23)
    assert CYRILLIC.search(locs["BG-SOF-01"].name)
    assert locs["CZ-PRG-01"].city == "Praha"
    assert locs["PL-KRK-01"].city == "Kraków"


# ------------------------------------------------------------------------------------------ categories


def test_category_tree_parents_first_and_two_to_three_levels() -> None:
    cats = demo_data.categories()
    seen: dict[str, int] = {}
    for c in cats:
        depth = 1 if c.parent_id is None else seen[c.parent_id] + 1  # KeyError: child before parent
        assert depth <= 3
        seen[c.id] = depth
        assert c.position >= 1
    assert len(seen) == len(cats), "category ids are unique"
    departments = [c for c in cats if c.parent_id is None]
    assert 7 <= len(departments) <= 10
    assert 60 <= len(LEAF_IDS) <= 120
    assert all(seen[leaf] >= 2 for leaf in LEAF_IDS)
    siblings = Counter((c.parent_id, c.position) for c in cats)
    assert max(siblings.values()) == 1, "positions are unique among siblings"


def test_categories_are_translated_and_cover_every_motif() -> None:
    cats = demo_data.categories()
    for c in cats:
        assert set(c.names) == set(demo_data.LANGUAGES)
        assert all(c.names.values())
        assert CYRILLIC.search(c.names["bg"]), c.names
        assert not CYRILLIC.search(c.names["cs"] + c.names["pl"] + c.names["en"])
        assert c.motif in demo_data.MOTIFS
    by_id = {c.id: c for c in cats}
    assert by_id["chairs"].names == {"en": "Chairs", "cs": "Židle", "pl": "Krzesła", "bg": "Столове"}
    assert any(CZECH_DIACRITICS.search(c.names["cs"]) for c in cats)
    assert any(re.search("[ąćęłńóśźż]", c.names["pl"]) for c in cats)
    assert {by_id[leaf].motif for leaf in LEAF_IDS} == set(demo_data.MOTIFS)


# ------------------------------------------------------------------------------------------ products


def test_products_are_deterministic_per_seed() -> None:
    assert flat(1500) == flat(1500)
    other = flat(1500, seed=7)
    assert other != flat(1500)
    assert sum(a.names == b.names for a, b in zip(flat(1500), other, strict=True)) < 50


def test_smaller_catalog_is_a_prefix_of_a_larger_one(
    catalog: list[DemoProduct], large: list[DemoProduct]
) -> None:
    assert len(large) == 20_000
    assert large[:N] == catalog
    assert flat(1234) == catalog[:1234]
    assert flat(0) == []


def test_chunks_are_at_most_ten_thousand_and_independent_of_n(large: list[DemoProduct]) -> None:
    chunks = list(demo_data.products(25_001))
    assert sum(len(chunk) for chunk in chunks) == 25_001
    assert all(0 < len(chunk) <= 10_000 for chunk in chunks)
    assert [p for chunk in chunks for p in chunk][:20_000] == large
    # Cutting inside a block, even inside a variant family, changes nothing before the cut.
    assert flat(10_001)[:10_000] == large[:10_000]


def test_products_are_ordinary_frozen_records(catalog: list[DemoProduct]) -> None:
    p = catalog[0]
    assert dataclasses.replace(p) == p
    assert DemoProduct(**{f.name: getattr(p, f.name) for f in dataclasses.fields(p)}) == p
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.sku = "SKU-0000000"  # type: ignore[misc]
    review = next(demo_data.reviews(catalog, 42, 10.0))
    assert dataclasses.replace(review) == review
    with pytest.raises(ValueError, match="n must be"):
        demo_data.products(10**8)


def test_skus_and_gtins_are_unique_and_valid(large: list[DemoProduct]) -> None:
    products = large
    skus = [p.sku for p in products]
    gtins = [p.gtin for p in products]
    assert len(set(skus)) == len(skus)
    assert len(set(gtins)) == len(gtins)
    assert all(is_valid(g) and len(g) == 13 for g in gtins)
    assert all(re.fullmatch(r"SKU-\d{7}(-[2-9])?", s) for s in skus)
    prefixes = Counter(g[:3] for g in gtins)
    assert {"859", "590", "380"} <= set(prefixes)
    assert any(p in prefixes for p in ("400", "401", "402", "403", "404", "405", "406", "407"))
    books = [p for p in products if p.motif == "book"]
    assert books
    assert all(p.gtin.startswith("978") for p in books)


def test_variants_follow_their_base_product(catalog: list[DemoProduct]) -> None:
    by_sku = {p.sku: p for p in catalog}
    families: dict[str, list[DemoProduct]] = {}
    for p in catalog:
        if p.parent_sku is not None:
            base = by_sku[p.parent_sku]
            assert base.parent_sku is None
            assert p.sku.startswith(base.sku + "-")
            assert p.category_id == base.category_id
            assert p.brand == base.brand
            families.setdefault(base.sku, [base]).append(p)
    bases = [p for p in catalog if p.parent_sku is None]
    share = len(families) / len(bases)
    assert 0.15 <= share <= 0.25, share
    for members in families.values():
        assert 2 <= len(members) - 1 <= 4 or members[-1] is catalog[-1]
        assert all(m.variant is not None for m in members)
        (key,) = {k for m in members for k in (m.variant or {})}
        assert len({(m.variant or {})[key] for m in members}) == len(members)
        assert len({m.hue for m in members}) == len(members), "variants differ in hue"
        assert len({m.names["en"] for m in members}) == len(members)


def test_every_leaf_has_products_and_products_sit_in_leaves(catalog: list[DemoProduct]) -> None:
    used = Counter(p.category_id for p in catalog)
    assert set(used) == LEAF_IDS
    assert {p.motif for p in catalog} == set(demo_data.MOTIFS)
    leaf_motif = {c.id: c.motif for c in demo_data.categories()}
    assert all(p.motif == leaf_motif[p.category_id] for p in catalog)


def test_product_fields_are_in_range(catalog: list[DemoProduct]) -> None:
    for p in catalog:
        assert 0.0 <= p.hue <= 1.0
        assert 1 <= p.images <= 4
        assert 0 <= p.popularity <= 1_000_000
        assert 3 <= len(p.specs) <= 6
        assert all(isinstance(k, str) and k and isinstance(v, str) and v for k, v in p.specs.items())
        assert p.brand
    assert len({p.brand for p in catalog}) >= 60
    popularity = sorted(p.popularity for p in catalog)
    # Heavy-tailed: the median product is far less popular than the top ones.
    assert popularity[len(popularity) // 2] * 20 < popularity[-len(popularity) // 100]
    assert Counter(p.images for p in catalog).keys() == {1, 2, 3, 4}


def test_names_and_descriptions_in_all_languages(catalog: list[DemoProduct]) -> None:
    for p in catalog:
        for texts in (p.names, p.descriptions):
            assert set(texts) == set(demo_data.LANGUAGES)
            assert all(t.strip() == t and t for t in texts.values())
        assert CYRILLIC.search(p.names["bg"] + p.descriptions["bg"])
        assert CYRILLIC.search(p.descriptions["bg"])
        assert not CYRILLIC.search(p.descriptions["en"] + p.descriptions["cs"] + p.descriptions["pl"])
        assert 2 <= p.descriptions["en"].count(". ") + 1 <= 3
    assert sum(bool(CZECH_DIACRITICS.search(p.names["cs"])) for p in catalog) > N // 4
    assert any(CZECH_DIACRITICS.search(p.descriptions["cs"]) for p in catalog)
    assert len({p.names["en"] for p in catalog}) > N * 0.9, "names rarely repeat"


def test_prices_are_consistent_and_plausible(catalog: list[DemoProduct]) -> None:
    for p in catalog:
        assert set(p.prices) == set(demo_data.CURRENCIES)
        czk, pln, eur = p.prices["CZK"], p.prices["PLN"], p.prices["EUR"]
        assert czk > 0
        assert pln > 0
        assert eur > 0
        assert abs(eur * 25 - czk) <= 0.3 * czk, p.prices
        assert abs(pln * 5.9 - czk) <= 0.3 * czk, p.prices
        # Psychological endings: whole crowns ending in 9 or 90, zloty and euro prices ending in .99.
        assert czk % 100 == 0
        assert czk // 100 % 10 == 9 or czk // 100 % 100 == 90, czk
        assert pln % 100 == 99
        assert eur % 100 == 99

    def median_czk(category: str) -> float:
        return statistics.median(p.prices["CZK"] for p in catalog if p.category_id == category)

    assert median_czk("mountain-bikes") > 10 * median_czk("mugs")
    assert median_czk("laptops") > median_czk("phone-cases") * 10
    assert median_czk("sofas") > median_czk("cushions") * 10


# ------------------------------------------------------------------------------------------ reviews


def test_review_counts_and_ratings(catalog: list[DemoProduct], catalog_reviews: list[DemoReview]) -> None:
    mean_count = len(catalog_reviews) / len(catalog)
    assert 8.5 <= mean_count <= 11.5, mean_count
    ratings = [r.rating for r in catalog_reviews]
    assert 3.8 <= statistics.mean(ratings) <= 4.4
    stars = Counter(ratings)
    # J-shaped: five stars most common, one star more common than two.
    assert stars[5] > stars[4] > stars[3]
    assert stars[1] > stars[2]
    per_sku = Counter(r.sku for r in catalog_reviews)
    assert len(per_sku) < len(catalog), "some products have no reviews"
    by_popularity = sorted(catalog, key=lambda p: p.popularity)
    low = sum(per_sku[p.sku] for p in by_popularity[: N // 4])
    high = sum(per_sku[p.sku] for p in by_popularity[-N // 4 :])
    assert high > 3 * low
    assert len({r.review_id for r in catalog_reviews}) == len(catalog_reviews)


def test_review_texts_languages_and_dates(catalog_reviews: list[DemoReview]) -> None:
    languages = Counter(r.language for r in catalog_reviews)
    assert set(languages) == {"cs", "pl", "bg", "en"}
    assert languages["en"] < 0.2 * len(catalog_reviews)
    start, end = datetime(2023, 11, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    for r in catalog_reviews[:5000]:
        assert 1 <= r.rating <= 5
        assert r.helpful >= 0
        assert r.title
        assert r.body
        assert r.author
        assert re.fullmatch(r"\S+ \S\.", r.author)
        assert bool(CYRILLIC.search(r.author + r.title + r.body)) == (r.language == "bg")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00Z", r.created_at)
        created = datetime.strptime(r.created_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert start <= created < end
    assert 0.6 < sum(r.verified_purchase for r in catalog_reviews) / len(catalog_reviews) < 0.95
    negative = {r.title for r in catalog_reviews if r.rating == 1 and r.language == "en"}
    positive = {r.title for r in catalog_reviews if r.rating == 5 and r.language == "en"}
    assert negative
    assert positive
    assert not negative & positive


def test_reviews_are_deterministic_per_seed_and_sku(
    catalog: list[DemoProduct], catalog_reviews: list[DemoReview]
) -> None:
    popular = max(catalog[:200], key=lambda p: p.popularity)
    alone = list(demo_data.reviews([popular], 42, 10.0))
    assert alone
    assert alone == [r for r in catalog_reviews if r.sku == popular.sku]
    assert list(demo_data.reviews([popular], 43, 10.0)) != alone
    assert list(demo_data.reviews(catalog[:300], 42, 0)) == []
    few = list(demo_data.reviews(catalog, 42, 2.0))
    assert 1.6 <= len(few) / len(catalog) <= 2.4


# ------------------------------------------------------------------------------------------ stock


def test_stock_levels(catalog: list[DemoProduct]) -> None:
    for loc in demo_data.locations():
        levels = [demo_data.stock_level(p.sku, loc, 42, p.popularity) for p in catalog]
        zero = levels.count(0) / len(levels)
        if loc.kind == "warehouse":
            assert max(levels) <= 400
            assert min(levels) >= 0
            assert 0.005 <= zero <= 0.06, zero
            assert max(levels) > 150
        else:
            assert max(levels) <= 25
            assert min(levels) >= 0
            assert 0.12 <= zero <= 0.20, zero
            assert max(levels) > 15
    store = demo_data.locations()[0]
    assert demo_data.stock_level("SKU-0000001", store) == demo_data.stock_level("SKU-0000001", store)
    assert [demo_data.stock_level(p.sku, store, 1) for p in catalog[:100]] != [
        demo_data.stock_level(p.sku, store, 2) for p in catalog[:100]
    ]


# ------------------------------------------------------------------------------------------ people


def test_associates() -> None:
    people = demo_data.associates()
    assert people == demo_data.associates(42)
    assert [p.badge_code for p in demo_data.associates(1)] != [p.badge_code for p in people]
    stores = {loc.id: loc for loc in demo_data.locations() if loc.kind == "store"}
    per_store = Counter(p.store_id for p in people)
    assert set(per_store) == set(stores)
    assert all(3 <= count <= 5 for count in per_store.values())
    for store_id in stores:
        roles = {p.role for p in people if p.store_id == store_id}
        assert roles == {"supervisor", "associate"}
    assert len({p.id for p in people}) == len(people)
    assert len({p.badge_code for p in people}) == len(people)
    for p in people:
        assert re.fullmatch(r"E\d{4}", p.id)
        assert re.fullmatch(r"B\d{8}", p.badge_code)
        assert re.fullmatch(r"\d{4,6}", p.pin)
        assert bool(CYRILLIC.search(p.name)) == (stores[p.store_id].language == "bg")


def test_customers() -> None:
    people = demo_data.customers(400)
    assert people == demo_data.customers(400, 42)
    assert people != demo_data.customers(400, 43)
    assert len(people) == 400
    languages = Counter(c.language for c in people)
    assert {"cs", "pl", "bg"} <= set(languages) <= {"cs", "pl", "bg", "en"}
    phone = {
        "+420": r"\+420 [67]\d\d \d{3} \d{3}",
        "+48 ": r"\+48 [5-8]\d\d \d{3} \d{3}",
        "+359": r"\+359 (87|88|89|98) \d{3} \d{4}",
    }
    for c in people:
        assert any(re.fullmatch(pattern, c.phone) for pattern in phone.values()), c.phone
        assert re.fullmatch(r"[a-z0-9.]+@([a-z]+\.)?example\.(com|org|net|cz|pl|bg)", c.email), c.email
        for name in (c.first_name, c.last_name):
            assert name.isprintable()
            assert name.strip() == name
            assert name
            assert all(ch.isalpha() or ch in " -'" for ch in name)
        if c.language == "bg":
            assert CYRILLIC.search(c.first_name + c.last_name)
        if c.language == "cs":
            assert c.phone.startswith("+420")
    assert len({c.email for c in people}) > 350
