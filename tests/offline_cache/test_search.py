"""Catalog search over cache.db: folding, prefix table vs FTS, ranking, facets, codes, deltas and swaps."""

from __future__ import annotations

import sqlite3
import string
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offline_cache.cache_store import CacheStore
from offline_cache.remote import Change, PullPage
from offline_cache.search import (
    PREFIX_TOP,
    TEXT_CAP,
    CatalogSearch,
    SearchQuery,
    fold,
    words,
)
from retail_rules.gtin import make_gtin13

STORE = "CZ-PRG-01"

CATEGORIES = [
    ("home", None, "Home", "Domov"),
    ("home-seating", "home", "Seating", "Sezení"),
    ("chairs", "home-seating", "Chairs", "Židle"),
    ("home-lighting", "home", "Lighting", "Osvětlení"),
    ("table-lamps", "home-lighting", "Table lamps", "Stolní lampy"),
    ("kitchen", None, "Kitchen", "Kuchyně"),
    ("kettles", "kitchen", "Kettles", "Konvice"),
]


def category(category_id: str, parent: str | None, en: str, cs: str, version: int = 1) -> Change:
    data = {
        "id": category_id,
        "parent_id": parent,
        "names": {"en": en, "cs": cs},
        "motif": "chair",
        "position": 1,
    }
    return Change("category", category_id, version, "upsert", data)


def product(
    sku: str,
    names: dict[str, str],
    *,
    brand: str = "Solvik",
    popularity: int = 100,
    category_id: str = "chairs",
    czk: int = 99_900,
    rating: float = 4.0,
    gtin: str | None = None,
    version: int = 1,
) -> Change:
    data = {
        "sku": sku,
        "gtin": gtin,
        "parent_sku": None,
        "category_id": category_id,
        "brand": brand,
        "names": names,
        "descriptions": {"en": "A description that the as-you-type search never reads: unicorn."},
        "prices": {"CZK": czk, "EUR": czk // 25},
        "images": [f"/v1/images/{sku}/0.jpg"],
        "popularity": popularity,
        "rating": {"average": rating, "count": 3},
    }
    return Change("product", sku, version, "upsert", data)


def tombstone(sku: str, version: int = 99) -> Change:
    return Change("product", sku, version, "delete", None)


def stock(sku: str, available: int, location: str = STORE) -> Change:
    return Change("stock", f"{sku}@{location}", 1, "upsert", {"on_hand": available, "reserved": 0})


def full_load(cache: CacheStore, stream: str, changes: Sequence[Change], page: int = 50) -> None:
    """A first load or refetch through the shadow tables, as the puller sends it."""
    cache.begin_refetch(stream)
    after: str | None = None
    pages = [changes[i : i + page] for i in range(0, len(changes), page)] or [[]]
    for n, chunk in enumerate(pages, 1):
        cursor = f"v1.{cache.stream(stream).changes_applied + n * 1000}"
        last = n == len(pages)
        cache.apply_refetch_page(stream, PullPage(stream, tuple(chunk), cursor, not last, "-", n), after)
        after = cursor


def delta(cache: CacheStore, changes: Sequence[Change], stream: str = "catalog") -> None:
    state = cache.stream(stream)
    cursor = f"{state.cursor}.{len(changes)}x"
    cache.apply_page(stream, PullPage(stream, tuple(changes), cursor, False, "-", 1), state.cursor)


CH1_NAMES = {
    "en": "Solvik Chair Vega",
    "cs": "Židle Solvik Vega",
    "pl": "Krzesło Solvik Vega",
    "bg": "Стол Solvik Vega",
}
CATALOG = [
    product("CH-1", CH1_NAMES, popularity=900, gtin=make_gtin13("859400000001")),
    product("CH-2", {"en": "Nordvik Chair Runa", "cs": "Židle Nordvik Runa", "pl": "Krzesło Nordvik Runa",
                     "bg": "Стол Nordvik Runa"}, brand="Nordvik", popularity=500, czk=150_000),
    product("LA-1", {"en": "Woodlane Table Lamp Siri", "cs": "Stolní lampa Woodlane Siri",
                     "pl": "Lampa stołowa Woodlane Siri", "bg": "Настолна лампа Woodlane Siri"},
            brand="Woodlane", popularity=700, category_id="table-lamps", czk=52_900, rating=3.2,
            gtin=make_gtin13("003600029145")),
    product("BD-1", {"en": "Dreamwood Bed Lena", "cs": "Postel Dreamwood Lena", "pl": "Łóżko Dreamwood Lena",
                     "bg": "Легло Dreamwood Lena"}, brand="Dreamwood", popularity=300, category_id="home",
            rating=4.8),
    product("KE-1", {"en": "Vitala Kettle Mira", "cs": "Konvice Vitala Mira", "pl": "Czajnik Vitala Mira",
                     "bg": "Чайник Vitala Mira"}, brand="Vitala", popularity=800, category_id="kettles",
            czk=1_990_00, rating=2.5),
    product("TR-1", {"en": "Spruce Tree Yolka", "cs": "Smrk Jolka", "pl": "Świerk Jolka", "bg": "Ёлка Смърч"},
            brand="Forest", popularity=50, category_id="home", rating=0.0),
]  # fmt: skip


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[CacheStore]:
    store = CacheStore.open(tmp_path / "cache.db")
    full_load(store, "catalog", [category(*c) for c in CATEGORIES] + CATALOG)
    full_load(
        store,
        f"stock:{STORE}",
        [stock("CH-1", 0), stock("CH-2", 4), stock("LA-1", 2), stock("KE-1", 0), stock("BD-1", 1)],
    )
    yield store
    store.close()


def skus(search: CatalogSearch, text: str = "", **filters: Any) -> list[str]:
    result = search.search(SearchQuery(text=text, **filters), 0, 100)
    return [hit.sku for hit in result.hits]


# -- folding ---------------------------------------------------------------------------------------


def test_fold_drops_case_and_marks_in_latin_and_cyrillic() -> None:
    assert fold("Židle Stolní ŁÓŻKO") == "zidle stolni lozko"
    assert fold("Чайник Ёлка") == "чаиник елка"
    assert words('a"b*(c) NEAR-d\x00e') == ["a", "b", "c", "near", "d", "e"]


def test_czech_without_diacritics_and_in_any_case(cache: CacheStore) -> None:
    search = CatalogSearch(cache)
    assert skus(search, "zidle") == ["CH-1", "CH-2"]
    assert skus(search, "ŽIDLE") == ["CH-1", "CH-2"]
    assert skus(search, "stolni lampa") == ["LA-1"]
    assert skus(search, "stolní lam") == ["LA-1"]


def test_polish_l_with_stroke(cache: CacheStore) -> None:
    search = CatalogSearch(cache)
    assert skus(search, "lozko") == ["BD-1"]
    assert skus(search, "Łóżko") == ["BD-1"]
    assert skus(search, "swierk") == ["TR-1"]


def test_bulgarian_cyrillic_folds_short_i_and_yo(cache: CacheStore) -> None:
    search = CatalogSearch(cache)
    assert skus(search, "настолна") == ["LA-1"]
    assert skus(search, "НАСТ") == ["LA-1"]
    assert skus(search, "чаиник") == ["KE-1"]
    assert skus(search, "чайник") == ["KE-1"]
    assert skus(search, "елка") == ["TR-1"]


def test_names_and_brand_are_searched_but_not_descriptions(cache: CacheStore) -> None:
    search = CatalogSearch(cache)
    assert skus(search, "woodlane") == ["LA-1"]
    assert skus(search, "unicorn") == []


# -- prefix table vs FTS ----------------------------------------------------------------------------------


def _statements(cache: CacheStore, run: Callable[[], object]) -> list[str]:
    seen: list[str] = []
    conn = cache.reader().conn
    conn.set_trace_callback(seen.append)
    try:
        run()
    finally:
        conn.set_trace_callback(None)
    return seen


def test_one_to_three_letters_come_from_the_prefix_table(cache: CacheStore) -> None:
    for text in ("z", "zi", "zid", "Ži"):
        search = CatalogSearch(cache)  # a fresh one: "Ži" is "zi" again, and ranked lists are remembered
        seen = _statements(cache, partial(skus, search, text))
        assert not any("search_fts" in sql for sql in seen), text
        assert any("search_prefix" in sql for sql in seen)
        assert skus(search, text) == ["CH-1", "CH-2"]


def test_longer_text_goes_to_fts(cache: CacheStore) -> None:
    search = CatalogSearch(cache)
    seen = _statements(cache, lambda: skus(search, "zidl"))
    assert any("search_fts" in sql for sql in seen)
    assert skus(search, "zidl") == ["CH-1", "CH-2"]


def test_prefix_lists_keep_the_most_popular(tmp_path: Path) -> None:
    store = CacheStore.open(tmp_path / "cache.db")
    many = [
        product(f"P-{i:04d}", {"en": f"Zebra item {i}"}, popularity=i, category_id="chairs")
        for i in range(PREFIX_TOP + 40)
    ]
    full_load(store, "catalog", [category(*c) for c in CATEGORIES] + many, page=200)
    search = CatalogSearch(store)
    result = search.search(SearchQuery(text="ze"), 0, 5)
    assert result.capped
    assert result.total == result.cap == PREFIX_TOP
    assert [h.popularity for h in result.hits] == [PREFIX_TOP + 39 - i for i in range(5)]
    # Longer text goes to FTS: beyond the first rows read with the count, windows read FTS again.
    ranked = [h.sku for h in search.search(SearchQuery(text="zebra"), 0, 1000).hits]
    assert ranked == [f"P-{i:04d}" for i in range(PREFIX_TOP + 39, -1, -1)]
    for offset in (0, 150, 199, 200, 530):
        window = search.search(SearchQuery(text="zebra item"), offset, 100)
        assert window.total == PREFIX_TOP + 40
        assert [h.sku for h in window.hits] == ranked[offset : offset + 100]
    # A delta that makes an unpopular product the most popular moves it into the list, first.
    delta(store, [product("P-0000", {"en": "Zebra item 0"}, popularity=10**6, version=2)])
    assert CatalogSearch(store).search(SearchQuery(text="ze"), 0, 1).hits[0].sku == "P-0000"
    # Removing listed products tops the list up from FTS.
    delta(store, [tombstone(f"P-{i:04d}") for i in range(100, PREFIX_TOP + 40)])
    result = CatalogSearch(store).search(SearchQuery(text="ze"), 0, 1000)
    assert [h.sku for h in result.hits] == ["P-0000"] + [f"P-{i:04d}" for i in range(99, 0, -1)]
    store.close()


# -- ranking, browsing, filters -----------------------------------------------------------------------------


def test_hits_rank_by_popularity_and_carry_card_fields(cache: CacheStore) -> None:
    search = CatalogSearch(cache)
    result = search.search(SearchQuery(currency="CZK", language="cs"), 0, 10, here=STORE)
    assert [h.sku for h in result.hits] == ["CH-1", "KE-1", "LA-1", "CH-2", "BD-1", "TR-1"]
    assert result.total == 6
    assert not result.capped
    lamp = result.hits[2]
    assert (lamp.name, lamp.brand) == ("Stolní lampa Woodlane Siri", "Woodlane")
    assert (lamp.price_minor, lamp.currency) == (52_900, "CZK")
    assert (lamp.image, lamp.available_here, lamp.rating_average) == ("/v1/images/LA-1/0.jpg", 2, 3.2)
    assert result.hits[-1].available_here is None  # no stock row: unknown
    # An unknown language falls back to English; an unknown currency has no price.
    hit = search.search(SearchQuery(language="xx", currency="USD"), 0, 1).hits[0]
    assert (hit.name, hit.price_minor) == ("Solvik Chair Vega", None)


def test_category_includes_descendants(cache: CacheStore) -> None:
    search = CatalogSearch(cache)
    assert skus(search, category_id="home") == ["CH-1", "LA-1", "CH-2", "BD-1", "TR-1"]
    assert skus(search, category_id="home-seating") == ["CH-1", "CH-2"]
    assert skus(search, category_id="nowhere") == []
    assert search.count(SearchQuery(category_id="home")) == 5


def test_browse_windows_are_exact_at_every_offset(cache: CacheStore) -> None:
    search = CatalogSearch(cache)
    everything = skus(search)
    for offset in range(7):
        for limit in (1, 2, 5):
            window = search.search(SearchQuery(), offset, limit).hits
            assert [h.sku for h in window] == everything[offset : offset + limit]
    assert search.search(SearchQuery(), 1000, 10).hits == ()
    assert search.search(SearchQuery(), -5, -1).hits == ()


def test_filters_combine(cache: CacheStore) -> None:
    search = CatalogSearch(cache)
    assert skus(search, brands=frozenset({"Nordvik", "Vitala"})) == ["KE-1", "CH-2"]
    assert skus(search, currency="CZK", price_min=60_000, price_max=150_000) == [
        "CH-1",
        "CH-2",
        "BD-1",
        "TR-1",
    ]
    assert skus(search, min_rating=4.0) == ["CH-1", "CH-2", "BD-1"]
    assert skus(search, in_stock_at=STORE) == ["LA-1", "CH-2", "BD-1"]
    assert skus(search, "stol", in_stock_at=STORE) == ["LA-1"]
    assert skus(search, "z", category_id="chairs", min_rating=4.0) == ["CH-1", "CH-2"]
    # Filters list at most TEXT_CAP rows, as text does; plain browsing is never capped.
    assert search.search(SearchQuery(min_rating=1.0), 0, 1).cap == TEXT_CAP
    assert search.search(SearchQuery(category_id="home"), 0, 1).cap is None
    # A price filter in a currency the index has no column for matches nothing rather than everything.
    assert skus(search, currency="USD", price_min=1) == []


def test_facets_count_each_facet_without_its_own_filter(cache: CacheStore) -> None:
    search = CatalogSearch(cache)
    facets = search.facets(SearchQuery(currency="CZK", brands=frozenset({"Solvik"})), here=STORE)
    brands = {f.value: f.count for f in facets.brands}
    assert brands == {"Solvik": 1, "Nordvik": 1, "Vitala": 1, "Woodlane": 1, "Dreamwood": 1, "Forest": 1}
    categories = {f.value: f.count for f in facets.categories}
    assert categories == {"home": 1, "home-seating": 1, "chairs": 1}  # the brand filter applies here
    assert facets.in_stock_here == 0  # CH-1 (Solvik) has none here
    facets = search.facets(SearchQuery(text="stol", language="cs"), here=STORE)
    assert {f.value: f.count for f in facets.brands} == {"Woodlane": 1}
    assert [(f.value, f.label) for f in facets.categories][-1] == ("table-lamps", "Stolní lampy")
    facets = search.facets(SearchQuery(currency="CZK"))
    assert facets.in_stock_here is None
    assert not facets.capped
    assert {f.value: f.count for f in facets.categories} == {
        "home": 5, "home-seating": 2, "chairs": 2, "home-lighting": 1, "table-lamps": 1,
        "kitchen": 1, "kettles": 1,
    }  # fmt: skip
    kitchen = search.facets(SearchQuery(category_id="kitchen"))
    assert {f.value: f.count for f in kitchen.brands} == {"Vitala": 1}
    assert {f.value: f.count for f in facets.ratings} == {"4": 3, "3": 4, "2": 5, "1": 5}
    assert [(f.value, f.label, f.count) for f in facets.price_bands] == [
        ("50000-99999", "500–1,000 CZK", 4),
        ("100000-249999", "1,000–2,500 CZK", 2),
    ]


def test_categories_tree_with_counts(cache: CacheStore) -> None:
    nodes = CatalogSearch(cache).categories("cs")
    assert [n.category_id for n in nodes] == [
        "home", "home-lighting", "table-lamps", "home-seating", "chairs", "kitchen", "kettles",
    ]  # fmt: skip
    by_id = {n.category_id: n for n in nodes}
    assert (by_id["home"].product_count, by_id["chairs"].product_count, by_id["kitchen"].product_count) == (
        5,
        2,
        1,
    )
    assert (by_id["chairs"].name, by_id["chairs"].parent_id) == ("Židle", "home-seating")


def test_hits_for_keeps_the_order_and_skips_unknown(cache: CacheStore) -> None:
    hits = CatalogSearch(cache).hits_for(["KE-1", "nope", "CH-2", "KE-1"], language="pl", here=STORE)
    assert [(h.sku, h.name, h.available_here) for h in hits] == [
        ("KE-1", "Czajnik Vitala Mira", 0),
        ("CH-2", "Krzesło Nordvik Runa", 4),
    ]


# -- codes -----------------------------------------------------------------------------------------


def test_lookup_code_by_gtin_upc_gtin14_and_sku(cache: CacheStore) -> None:
    search = CatalogSearch(cache)
    gtin = make_gtin13("859400000001")
    assert search.lookup_code(gtin) == "CH-1"
    assert search.lookup_code("0" + gtin) == "CH-1"  # GTIN-14 with a leading zero
    assert search.lookup_code(f"  {gtin}\n") == "CH-1"
    assert search.lookup_code(f"(01)0{gtin}(21)XYZ") == "CH-1"
    assert search.lookup_code(f"]C1010{gtin}21XYZ\x1d10LOT") == "CH-1"  # GS1-128 with FNC1 as GS
    upc = make_gtin13("003600029145")[1:]  # stored as 13 digits with a leading 0; scanned as UPC-A
    assert len(upc) == 12
    assert search.lookup_code(upc) == "LA-1"
    assert search.lookup_code("0" + upc) == "LA-1"
    assert search.lookup_code("CH-2") == "CH-2"


@pytest.mark.parametrize(
    "code", ["", "   ", "8594000000010", "859400000001x", "12345", "CH-2\x00", "9" * 14, "x" * 10_000, "\x1d"]
)
def test_lookup_code_refuses_what_is_not_a_known_code(cache: CacheStore, code: str) -> None:
    assert CatalogSearch(cache).lookup_code(code) is None


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ['"', '"zidle', "*", "zid*", "(", "zidle)", "NEAR", "NEAR(zidle lampa)", "-", "-zidle", "zidle OR lampa",
     "AND", "a AND", "^zidle", "col:zidle", "\x00", "zi\x00dle", "x" * 10_000, "zidle " * 2_000, "😀",
     "\u202e", "_"],
)  # fmt: skip
def test_fts_syntax_and_junk_never_raise(cache: CacheStore, text: str) -> None:
    search = CatalogSearch(cache)
    result = search.search(SearchQuery(text=text), 0, 10)
    assert result.total == len(result.hits) or result.total > 10
    search.facets(SearchQuery(text=text))
    assert search.count(SearchQuery(text=text)) == result.total


def test_syntax_characters_are_separators(cache: CacheStore) -> None:
    search = CatalogSearch(cache)
    assert skus(search, '"zidle"') == ["CH-1", "CH-2"]
    assert skus(search, "stolni*lampa") == ["LA-1"]
    assert skus(search, "NEAR(zidle)") == []  # "near" is a word like any other, and no name has it


# -- deltas and swaps ------------------------------------------------------------------------------


def test_delta_rename_moves_the_product_in_the_index(cache: CacheStore) -> None:
    renamed = {"en": "Nordvik Stool Runa", "cs": "Stolička Nordvik Runa"}
    delta(cache, [product("CH-2", renamed, brand="Nordvik", popularity=500, version=5)])
    search = CatalogSearch(cache)
    assert skus(search, "zidle") == ["CH-1"]
    assert skus(search, "stolicka") == ["CH-2"]
    assert skus(search, "sto") == ["LA-1", "CH-2"]


def test_delta_tombstone_leaves_every_structure(cache: CacheStore) -> None:
    delta(cache, [tombstone("LA-1")])
    search = CatalogSearch(cache)
    assert skus(search, "lampa") == []
    assert skus(search, "la") == []
    assert "LA-1" not in skus(search)
    assert search.count(SearchQuery(category_id="home")) == 4
    assert {n.category_id: n.product_count for n in search.categories("en")}["table-lamps"] == 0
    assert search.search(SearchQuery(), 0, 10).total == 5


def test_delta_popularity_change_reorders(cache: CacheStore) -> None:
    delta(cache, [product("TR-1", {"en": "Spruce Tree Yolka", "bg": "Ёлка Смърч"}, brand="Forest",
                          popularity=10_000, category_id="home", version=7)])  # fmt: skip
    search = CatalogSearch(cache)
    assert skus(search)[0] == "TR-1"
    assert skus(search, category_id="home")[0] == "TR-1"
    assert skus(search, "ел") == ["TR-1"]
    assert skus(search, "yolka") == ["TR-1"]


def test_delta_category_move_updates_descendant_counts(cache: CacheStore) -> None:
    # Move the lighting department under kitchen: the lamp follows it.
    delta(cache, [category("home-lighting", "kitchen", "Lighting", "Osvětlení", version=3)])
    search = CatalogSearch(cache)
    assert skus(search, category_id="kitchen") == ["KE-1", "LA-1"]
    assert search.count(SearchQuery(category_id="home")) == 4


def test_price_only_delta_does_not_touch_fts(cache: CacheStore) -> None:
    seen: list[str] = []
    writer = cache.reader().conn  # this thread also writes the delta
    writer.set_trace_callback(seen.append)
    delta(cache, [product("CH-1", CH1_NAMES, popularity=900, czk=10_000, version=9,
                          gtin=make_gtin13("859400000001"))])  # fmt: skip
    writer.set_trace_callback(None)
    assert not any("search_fts" in sql for sql in seen), [sql for sql in seen if "search_fts" in sql]
    hit = CatalogSearch(cache).search(SearchQuery(currency="CZK"), 0, 1).hits[0]
    assert (hit.sku, hit.price_minor, hit.popularity) == ("CH-1", 10_000, 900)


def test_refetch_swap_replaces_the_index(cache: CacheStore) -> None:
    replacement = [category(*c) for c in CATEGORIES] + [
        product("NEW-1", {"en": "Brand New Sofa", "cs": "Nová pohovka"}, popularity=5),
    ]
    full_load(cache, "catalog", replacement)
    search = CatalogSearch(cache)
    assert skus(search) == ["NEW-1"]
    assert skus(search, "zidle") == skus(search, "z") == []
    assert skus(search, "pohovka") == skus(search, "po") == ["NEW-1"]
    assert search.lookup_code(make_gtin13("859400000001")) is None


def test_a_reader_never_sees_an_empty_or_half_catalog_during_a_swap(cache: CacheStore) -> None:
    old = CatalogSearch(cache).count(SearchQuery())
    bigger = [category(*c) for c in CATEGORIES] + [
        product(f"N-{i:04d}", {"en": f"Lamp number {i}"}, popularity=i, category_id="table-lamps")
        for i in range(600)
    ]
    seen: set[tuple[int, int]] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        search = CatalogSearch(cache)
        db = cache.reader()  # this thread's connection: the one CatalogSearch reads through
        try:
            while not stop.is_set():
                # Both reads in one snapshot: what a screen shows together must come from one state.
                db.execute("BEGIN")
                try:
                    total = search.count(SearchQuery())
                    lamps = search.search(SearchQuery(text="lamp"), 0, 5).total
                finally:
                    db.execute("COMMIT")
                seen.add((total, lamps))
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        full_load(cache, "catalog", bigger, page=60)
    finally:
        stop.set()
        reader.join()
    assert not errors
    assert seen <= {(old, 1), (600, 600)}, seen
    assert (old, 1) in seen


# -- properties ------------------------------------------------------------------------------------

LETTERS = string.ascii_letters + "áčďéěíňóřšťúůýžąćęłńóśźżÁČŁŻабвгдежзийклмнопрстуфхцчшщъьюяЁёЙй"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(
        st.lists(st.text(LETTERS, min_size=1, max_size=8), min_size=1, max_size=4).map(" ".join),
        min_size=1,
        max_size=25,
    ),
    pick=st.integers(0, 10_000),
    length=st.integers(1, 6),
    upper=st.booleans(),
)
def test_every_product_with_a_word_starting_with_the_query_is_found(
    names: list[str], pick: int, length: int, upper: bool
) -> None:
    catalog = [
        product(f"S-{i:03d}", {"cs": name}, popularity=i % 7, brand="") for i, name in enumerate(names)
    ]
    source = names[pick % len(names)].split()[pick % 3 % len(names[pick % len(names)].split())]
    typed = source[:length].upper() if upper else fold(source[:length])
    wanted = fold(typed)
    expected = {
        c.key
        for c, name in zip(catalog, names, strict=True)
        if any(w.startswith(wanted) for w in words(name))
    }
    with tempfile.TemporaryDirectory() as tmp:
        store = CacheStore.open(Path(tmp) / "cache.db")
        try:
            full_load(store, "catalog", catalog, page=10)
            found = CatalogSearch(store).search(SearchQuery(text=typed), 0, 1000)
            assert {h.sku for h in found.hits} == expected
            pops = [h.popularity for h in found.hits]
            assert pops == sorted(pops, reverse=True)
        finally:
            store.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.tuples(
            st.integers(0, 39),
            st.one_of(st.none(), st.integers(0, 3000)),
            st.sampled_from(["chairs", "kettles"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_browse_windows_match_a_sorted_list_after_any_deltas(
    steps: list[tuple[int, int | None, str]],
) -> None:
    """Upserts and tombstones in delta pages keep every window equal to the slice of the sorted catalog."""
    model: dict[str, tuple[int, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = CacheStore.open(Path(tmp) / "cache.db")
        try:
            full_load(store, "catalog", [category(*c) for c in CATEGORIES])
            for n in range(0, len(steps), 7):
                page = []
                for index, popularity, where in {s[0]: s for s in steps[n : n + 7]}.values():
                    sku = f"P-{index:02d}"
                    if popularity is None:
                        page.append(tombstone(sku))
                        model.pop(sku, None)
                    else:
                        page.append(
                            product(sku, {"en": f"Thing {index}"}, popularity=popularity, category_id=where)
                        )
                        model[sku] = (popularity, where)
                delta(store, page)
            search = CatalogSearch(store)
            for scope in (None, "kitchen", "home"):
                rows = search.search(SearchQuery(category_id=scope), 0, 1000).hits
                members = {
                    s
                    for s, (_, c) in model.items()
                    if scope is None or c == ("kettles" if scope == "kitchen" else "chairs")
                }
                assert {h.sku for h in rows} == members
                assert [h.popularity for h in rows] == sorted((model[s][0] for s in members), reverse=True)
                for offset in range(0, len(rows) + 1, 3):
                    window = search.search(SearchQuery(category_id=scope), offset, 4).hits
                    assert window == rows[offset : offset + 4]
        finally:
            store.close()


_WORDS = ("chair", "chest", "kettle", "kite", "lamp", "lámpa", "židle")
_QUERIES = (None, "c", "ch", "ki", "zid", "chair", "lamp kettle", "k l")


def _answers(store: CacheStore) -> list[tuple[object, ...]]:
    """Every browse and text answer the checks compare, whole: SKUs in order and the count."""
    search = CatalogSearch(store)
    answers: list[tuple[object, ...]] = []
    for scope in (None, "home", "kitchen"):
        for text in _QUERIES:
            found = search.search(SearchQuery(text=text or "", category_id=scope), 0, 1000)
            answers.append((scope, text, found.total, [h.sku for h in found.hits]))
    return answers


_catalog_steps = st.lists(
    st.tuples(
        st.integers(0, 59),
        st.one_of(st.none(), st.sampled_from([0, 1, 63, 64, 65, 900, 901, 902, 930, 5000])),
        st.sampled_from(["chairs", "kettles", "table-lamps"]),
        st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3),
    ),
    max_size=80,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=_catalog_steps, pages=st.lists(_catalog_steps, min_size=1, max_size=6))
def test_an_index_kept_by_deltas_answers_as_one_built_afresh(
    first: list[tuple[int, int | None, str, list[str]]],
    pages: list[list[tuple[int, int | None, str, list[str]]]],
) -> None:
    """Browse and text answers after any delta pages equal those of a full load of the same catalog:
    the same products in the same order (popularity, then SKU), with ties and crowded classes."""
    catalog: dict[str, Change] = {}

    def changes(steps: list[tuple[int, int | None, str, list[str]]]) -> list[Change]:
        page: dict[str, Change] = {}
        for index, popularity, where, name in steps:
            sku = f"P-{index:02d}"
            if popularity is None:
                page[sku] = tombstone(sku)
                catalog.pop(sku, None)
            else:
                page[sku] = catalog[sku] = product(
                    sku, {"en": " ".join(name)}, popularity=popularity, category_id=where
                )
        return list(page.values())

    with tempfile.TemporaryDirectory() as tmp:
        kept = CacheStore.open(Path(tmp) / "kept.db")
        fresh = CacheStore.open(Path(tmp) / "fresh.db")
        try:
            full_load(kept, "catalog", [category(*c) for c in CATEGORIES] + [
                c for c in changes(first) if c.op == "upsert"
            ])  # fmt: skip
            for steps in pages:
                delta(kept, changes(steps))
            full_load(fresh, "catalog", [category(*c) for c in CATEGORIES] + list(catalog.values()))
            assert _answers(kept) == _answers(fresh)
        finally:
            kept.close()
            fresh.close()


def test_products_crowding_between_two_neighbours_keep_their_order(tmp_path: Path) -> None:
    """Products landing one by one between the same two neighbours use up the free slots there; a
    stretch of the class is then spread out again, and the order stays exact throughout."""
    store = CacheStore.open(tmp_path / "cache.db")
    try:
        neighbours = [
            product(f"M-{n:03d}", {"en": f"Chair {n}"}, popularity=500) for n in range(0, 1000, 100)
        ]
        full_load(store, "catalog", [category(*c) for c in CATEGORIES] + neighbours)
        docids = dict(store.reader().execute("SELECT sku, docid FROM search_doc").fetchall())
        skus = [c.key for c in neighbours]
        for n in range(499, 400, -1):  # each sorts just before the last one placed, after M-400
            sku = f"M-{n:03d}"
            delta(store, [product(sku, {"en": f"Chair {n}"}, popularity=500)])
            skus.append(sku)
            found = CatalogSearch(store).search(SearchQuery(), 0, 1000)
            assert [h.sku for h in found.hits] == sorted(skus)
            assert [
                h.sku for h in CatalogSearch(store).search(SearchQuery(text="chair"), 0, 1000).hits
            ] == sorted(skus)
        moved = dict(store.reader().execute("SELECT sku, docid FROM search_doc").fetchall())
        assert any(moved[sku] != docid for sku, docid in docids.items())  # the stretch was spread out
    finally:
        store.close()


def test_an_old_cache_schema_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE product (sku TEXT PRIMARY KEY)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = CacheStore.open(path)
    assert CatalogSearch(store).search(SearchQuery(text="anything"), 0, 10).total == 0
    store.close()
