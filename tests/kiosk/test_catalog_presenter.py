"""The catalog presenter: intents awaited directly over a small in-memory catalog that fakes CatalogSearch."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from kiosk.services.cache_reader import CacheReader
from kiosk.services.catalog import (
    CatalogService,
    CategoryNode,
    FacetCount,
    Facets,
    ProductHit,
    SearchQuery,
    SearchResult,
)
from kiosk.ui.screens.catalog.presenter import QUERY_TASK, CatalogPresenter, clean_text
from kiosk.ui.screens.catalog.state import (
    CatalogProblem,
    CatalogState,
    FacetKind,
    Filters,
    ScanProblem,
    band_bounds,
)
from kiosk.ui.task_runner import TaskRunner
from offline_cache.cache_store import CacheStore
from retail_rules.gtin import make_gtin13
from tests.kiosk.test_bag import seed_bag_cache

HERE = "CZ-PRG-01"
CATEGORIES = (
    CategoryNode("home", None, "Home", 1, 0),
    CategoryNode("chairs", "home", "Chairs", 1, 0),
    CategoryNode("lamps", "home", "Lamps", 2, 0),
    CategoryNode("garden", None, "Garden", 2, 0),
)
LEAVES = ("chairs", "lamps", "garden")
BRANDS = ("Nordhus", "Acme", "Dřevák")


@dataclass(frozen=True, slots=True)
class FakeProduct:
    hit: ProductHit
    category_id: str
    gtin: str


def gtin_of(i: int) -> str:
    return make_gtin13(f"859{i:09d}")


def demo_products(count: int) -> list[FakeProduct]:
    words = ("Chair", "Lamp", "Table", "Židle")
    return [
        FakeProduct(
            ProductHit(
                sku=f"SKU-{i:06d}",
                name=f"{words[i % len(words)]} {i}",
                brand=BRANDS[i % len(BRANDS)],
                price_minor=1000 + (i % 50) * 1000,
                currency="EUR",
                rating_average=(i % 5) + 0.5,
                rating_count=i % 40,
                image=f"/v1/images/SKU-{i:06d}/0.jpg",
                popularity=count - i,
                available_here=i % 7,
                parent_sku=None,
            ),
            LEAVES[i % len(LEAVES)],
            gtin_of(i),
        )
        for i in range(count)
    ]


def _fold(text: str) -> str:
    return text.casefold().replace("ž", "z")


class FakeCatalog:
    """The methods of offline_cache.search.CatalogSearch over a list; records every call (any thread)."""

    def __init__(self, count: int = 60, *, delay: float = 0.0) -> None:
        self.products = demo_products(count)
        self.delay = delay
        self.searches: list[tuple[SearchQuery, int, int]] = []
        self.failing: BaseException | None = None
        self._lock = threading.Lock()

    def _call(self) -> None:
        if self.failing is not None:
            raise self.failing
        if self.delay:
            time.sleep(self.delay)

    def _matches(self, query: SearchQuery, skip: str = "") -> list[FakeProduct]:
        found = []
        children = {c.category_id: c.parent_id for c in CATEGORIES}
        for product in self.products:
            hit = product.hit
            if query.text and not all(
                _fold(w) in _fold(hit.name + " " + hit.brand) for w in query.text.split()
            ):
                continue
            if query.category_id and skip != "category":
                ancestry = {product.category_id, children.get(product.category_id)}
                if query.category_id not in ancestry:
                    continue
            if query.brands and skip != "brand" and hit.brand not in query.brands:
                continue
            price = hit.price_minor or 0
            if skip != "price" and (
                (query.price_min is not None and price < query.price_min)
                or (query.price_max is not None and price > query.price_max)
            ):
                continue
            if query.min_rating is not None and skip != "rating" and hit.rating_average < query.min_rating:
                continue
            if query.in_stock_at is not None and not (hit.available_here or 0) > 0:
                continue
            found.append(product)
        return found

    def search(self, query: SearchQuery, offset: int, limit: int, *, here: str | None = None) -> SearchResult:
        with self._lock:
            self.searches.append((query, offset, limit))
        self._call()
        found = self._matches(query)
        hits = tuple(
            p.hit if here else replace(p.hit, available_here=None) for p in found[offset : offset + limit]
        )
        return SearchResult(len(found), False, hits)

    def count(self, query: SearchQuery) -> int:
        return len(self._matches(query))

    def facets(self, query: SearchQuery, *, here: str | None = None) -> Facets:
        self._call()
        brands: dict[str, int] = {}
        for product in self._matches(query, skip="brand"):
            brands[product.hit.brand] = brands.get(product.hit.brand, 0) + 1
        cheap = sum(1 for p in self._matches(query, skip="price") if (p.hit.price_minor or 0) <= 9999)
        dear = sum(1 for p in self._matches(query, skip="price") if (p.hit.price_minor or 0) >= 10000)
        ratings = tuple(
            FacetCount(
                str(s), f"{s}+", sum(1 for p in self._matches(query, "rating") if p.hit.rating_average >= s)
            )
            for s in (4, 3, 2, 1)
        )
        stocked = sum(1 for p in self._matches(query) if (p.hit.available_here or 0) > 0) if here else None
        return Facets(
            categories=(),
            brands=tuple(FacetCount(b, b, n) for b, n in sorted(brands.items(), key=lambda kv: -kv[1])),
            price_bands=(FacetCount("0-9999", "0–100 EUR", cheap), FacetCount("10000-", "100+ EUR", dear)),
            ratings=ratings,
            in_stock_here=stocked,
        )

    def lookup_code(self, code: str) -> str | None:
        self._call()
        return next((p.hit.sku for p in self.products if code in (p.gtin, p.hit.sku)), None)

    def categories(self, language: str) -> tuple[CategoryNode, ...]:
        self._call()
        return tuple(
            replace(
                c, product_count=sum(1 for p in self.products if c.category_id in (p.category_id, "home"))
            )
            for c in CATEGORIES
        )


@dataclass
class Rig:
    catalog: FakeCatalog
    service: CatalogService
    runner: TaskRunner
    presenter: CatalogPresenter
    states: list[CatalogState]
    opened: list[str]

    async def settle(self) -> None:
        """Wait until the presenter's tasks (and any they start) are done."""
        async with asyncio.timeout(10):
            while pending := [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
                await asyncio.wait(pending)
        assert not self.runner.names


def make_rig(cache: CacheStore, catalog: FakeCatalog, *, here: str | None = HERE) -> Rig:
    service = CatalogService(CacheReader(cache), lambda _cache: catalog)
    runner = TaskRunner()
    presenter = CatalogPresenter(service, runner, here=here, debounce=0.02, facet_delay=0)
    states: list[CatalogState] = []
    opened: list[str] = []
    presenter.state_changed.connect(states.append)
    presenter.product_requested.connect(opened.append)
    return Rig(catalog, service, runner, presenter, states, opened)


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[CacheStore]:
    store = CacheStore.open(tmp_path / "cache.db")
    yield store
    store.close()


@pytest.fixture
def rig(cache: CacheStore) -> Rig:
    return make_rig(cache, FakeCatalog())


async def loaded(rig: Rig) -> CatalogState:
    await rig.presenter.load_categories()
    await rig.presenter.refresh()
    return rig.presenter.state


# -- helpers --------------------------------------------------------------------------------------------


def test_typed_text_is_cleaned() -> None:
    assert clean_text("  chair\t\x00  oak ") == "chair oak"
    assert len(clean_text("x" * 500)) == 100


def test_price_band_values() -> None:
    assert band_bounds("0-9999") == (0, 9999)
    assert band_bounds("10000-") == (10000, None)
    assert band_bounds("-") == (None, None)
    assert band_bounds("abc") == (None, None)
    assert band_bounds(None) == (None, None)


# -- loading and searching ----------------------------------------------------------------------------------


async def test_start_reads_categories_results_and_facets(rig: Rig) -> None:
    state = await loaded(rig)
    assert [c.category_id for c in state.categories] == ["home", "chairs", "lamps", "garden"]
    results = state.results
    assert results is not None
    assert results.total == 60
    assert len(results.first) == 60
    assert results.first[0].sku == "SKU-000000"
    assert results.facets is not None
    assert results.facets.in_stock_here is not None  # the store is known: availability counted for it
    assert not state.loading
    assert state.problem is None
    # The hits come before the facets: the grid can paint while the facets are counted.
    with_results = [s for s in rig.states if s.results is not None]
    first_shown = with_results[0].results
    assert first_shown is not None
    assert first_shown.facets is None


async def test_search_text_finds_and_counts(rig: Rig) -> None:
    await rig.presenter.search_text("  židle ")
    state = rig.presenter.state
    assert state.text == "židle"
    assert state.results is not None
    assert state.results.total == 15
    assert all("Židle" in hit.name for hit in state.results.first)
    assert state.results.query.text == "židle"
    assert state.results.query.in_stock_at is None


async def test_typing_fast_runs_only_the_last_query(rig: Rig) -> None:
    for text in ("c", "ch", "cha", "chai", "chair"):
        rig.presenter.type_text(text)  # no await between keystrokes, as with a fast typist
    await rig.settle()
    searched = [query.text for query, _, _ in rig.catalog.searches]
    assert searched == ["chair"]
    rendered = {s.results.query.text for s in rig.states if s.results is not None}
    assert rendered == {"chair"}


async def test_a_keystroke_cancels_a_query_in_flight(cache: CacheStore) -> None:
    rig = make_rig(cache, FakeCatalog(delay=0.15))
    rig.presenter.type_text("lamp")
    await asyncio.sleep(0.08)  # past the debounce: the search for "lamp" is running on the reader thread
    assert rig.runner.is_running(QUERY_TASK)
    rig.presenter.type_text("lamp 1")
    await rig.settle()
    assert [q.text for q, _, _ in rig.catalog.searches] == ["lamp", "lamp 1"]
    rendered = [s.results.query.text for s in rig.states if s.results is not None]
    assert rendered
    assert set(rendered) == {"lamp 1"}  # the answer for "lamp" arrived after it was replaced: never shown
    assert rig.presenter.state.results is not None
    assert rig.presenter.state.results.total == 5  # Lamp 1, 13, 17, 21 and 41


async def test_category_narrows_and_builds_the_path(rig: Rig) -> None:
    await loaded(rig)
    await rig.presenter.select_category("chairs")
    state = rig.presenter.state
    assert state.filters.category_id == "chairs"
    assert [c.name for c in state.category_path] == ["Home", "Chairs"]
    assert state.results is not None
    assert state.results.total == 20
    await rig.presenter.select_category(None)
    assert rig.presenter.state.category_path == ()
    assert rig.presenter.state.results is not None
    assert rig.presenter.state.results.total == 60


async def test_an_unknown_category_changes_nothing(rig: Rig) -> None:
    await loaded(rig)
    before = rig.presenter.state
    searches = len(rig.catalog.searches)
    await rig.presenter.select_category("no-such-category")
    assert rig.presenter.state == before
    assert len(rig.catalog.searches) == searches


async def test_facets_toggle_on_and_off(rig: Rig) -> None:
    await loaded(rig)
    presenter = rig.presenter
    await presenter.apply_facet(FacetKind.BRAND, "Acme")
    assert presenter.state.filters.brands == {"Acme"}
    assert presenter.state.results is not None
    assert presenter.state.results.total == 20
    await presenter.apply_facet(FacetKind.RATING, "4")
    assert presenter.state.filters.min_rating == 4
    assert presenter.query().min_rating == 4.0
    await presenter.apply_facet(FacetKind.PRICE_BAND, "10000-")
    assert presenter.query().price_min == 10000
    assert presenter.query().price_max is None
    await presenter.apply_facet(FacetKind.IN_STOCK_HERE)
    assert presenter.query().in_stock_at == HERE
    assert presenter.state.results is not None
    assert all((h.available_here or 0) > 0 for h in presenter.state.results.first)
    for kind, value in (
        (FacetKind.BRAND, "Acme"),
        (FacetKind.RATING, "4"),
        (FacetKind.PRICE_BAND, "10000-"),
        (FacetKind.IN_STOCK_HERE, ""),
    ):
        await presenter.apply_facet(kind, value)
    assert presenter.state.filters == Filters()
    assert presenter.state.results is not None
    assert presenter.state.results.total == 60


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (FacetKind.BRAND, "  "),
        (FacetKind.BRAND, "x" * 500),
        (FacetKind.RATING, "9"),
        (FacetKind.RATING, "four"),
        (FacetKind.PRICE_BAND, "cheap"),
        (FacetKind.PRICE_BAND, "-"),
    ],
)
async def test_bad_facet_values_change_nothing(rig: Rig, kind: FacetKind, value: str) -> None:
    await loaded(rig)
    before = rig.presenter.state
    await rig.presenter.apply_facet(kind, value)
    assert rig.presenter.state == before


async def test_in_stock_here_needs_a_store(cache: CacheStore) -> None:
    rig = make_rig(cache, FakeCatalog(), here=None)
    await loaded(rig)
    before = rig.presenter.state
    await rig.presenter.apply_facet(FacetKind.IN_STOCK_HERE)
    assert rig.presenter.state == before
    assert before.results is not None
    assert before.results.facets is not None
    assert before.results.facets.in_stock_here is None


async def test_clear_filters_resets_text_and_filters(rig: Rig) -> None:
    await loaded(rig)
    await rig.presenter.search_text("chair")
    await rig.presenter.select_category("chairs")
    await rig.presenter.apply_facet(FacetKind.BRAND, "Acme")
    assert rig.presenter.state.has_filters
    await rig.presenter.reset_filters()
    state = rig.presenter.state
    assert (state.text, state.filters, state.category_path) == ("", Filters(), ())
    assert not state.has_filters
    assert state.results is not None
    assert state.results.total == 60


async def test_nothing_matches_is_an_empty_state(rig: Rig) -> None:
    await rig.presenter.search_text("xylophone")
    assert rig.presenter.state.is_empty


# -- scans ---------------------------------------------------------------------------------------------------


async def test_a_scan_of_a_known_code_opens_the_product(rig: Rig) -> None:
    await rig.presenter.look_up_scan(gtin_of(7))
    assert rig.opened == ["SKU-000007"]
    assert rig.presenter.state.scan is None


async def test_a_scan_of_an_unknown_code_says_so(rig: Rig) -> None:
    unknown = make_gtin13("400000000001")
    await rig.presenter.look_up_scan(unknown)
    assert rig.opened == []
    notice = rig.presenter.state.scan
    assert notice is not None
    assert (notice.code, notice.problem) == (unknown, ScanProblem.UNKNOWN_CODE)


@pytest.mark.parametrize("raw", ["4006381333932", "hello world", "12345", "\x00\x01"])
async def test_a_bad_scan_changes_nothing_but_the_notice(rig: Rig, raw: str) -> None:
    await loaded(rig)
    before = rig.presenter.state
    await rig.presenter.look_up_scan(raw)
    assert rig.opened == []
    after = rig.presenter.state
    assert after.scan is not None
    assert after.scan.problem == ScanProblem.NOT_A_PRODUCT_CODE
    assert replace(after, scan=None) == before
    # The next thing the person does clears the notice.
    await rig.presenter.search_text("lamp")
    assert rig.presenter.state.scan is None


async def test_an_associate_catalog_hands_a_handoff_scan_to_the_root_and_a_kiosk_does_not(
    cache: CacheStore,
) -> None:
    code = "KB1" + "7" * 60  # the prefix is what routes it; the bag screen decodes (and refuses) the rest
    service = CatalogService(CacheReader(cache), lambda _cache: FakeCatalog())
    runner = TaskRunner()
    associate = CatalogPresenter(service, runner, here=HERE, opens_handoffs=True)
    handed: list[str] = []
    associate.handoff_requested.connect(handed.append)
    associate.scanned(f" {code.lower()} ")
    assert handed == [f" {code.lower()} "]
    assert runner.names == []  # no look-up ...
    assert associate.state.scan is None  # ... and no notice
    kiosk = make_rig(cache, FakeCatalog())  # a kiosk: the code names no product
    kiosk.presenter.handoff_requested.connect(handed.append)
    kiosk.presenter.scanned(code)
    await kiosk.settle()
    assert handed == [f" {code.lower()} "]
    assert kiosk.presenter.state.scan is not None
    assert kiosk.presenter.state.scan.problem == ScanProblem.NOT_A_PRODUCT_CODE


async def test_open_product_emits_the_sku(rig: Rig) -> None:
    rig.presenter.open_product("SKU-000003")
    rig.presenter.open_product("")
    assert rig.opened == ["SKU-000003"]


# -- failures ------------------------------------------------------------------------------------------


async def test_an_unreadable_cache_shows_a_problem_and_retry_recovers(rig: Rig) -> None:
    await loaded(rig)
    rig.catalog.failing = sqlite3.DatabaseError("database disk image is malformed")
    await rig.presenter.search_text("lamp")
    assert rig.presenter.state.problem == CatalogProblem.UNAVAILABLE
    assert not rig.presenter.state.loading
    rig.catalog.failing = None
    rig.presenter.retry()
    await rig.settle()
    recovered = rig.presenter.state
    assert recovered.problem is None
    assert recovered.results is not None
    assert recovered.results.query.text == "lamp"


async def test_a_bug_returns_the_screen_to_a_safe_state(rig: Rig) -> None:
    rig.catalog.failing = RuntimeError("bug in the search")
    rig.presenter.type_text("lamp")
    await rig.settle()
    assert rig.presenter.state.problem == CatalogProblem.UNEXPECTED
    assert not rig.presenter.state.loading


async def test_window_reads_hits_for_the_grid(rig: Rig) -> None:
    hits = await rig.presenter.window(SearchQuery(text="lamp"), 2, 3)
    assert [h.name for h in hits] == ["Lamp 9", "Lamp 13", "Lamp 17"]
    assert hits[0].available_here is not None  # read for this store
    assert await rig.presenter.window("not a query", 0, 10) == ()


async def test_elsewhere_reads_which_cards_another_location_has(cache: CacheStore) -> None:
    seed_bag_cache(cache)  # chair: here and elsewhere; table: the warehouse only; gone: here only, none
    rig = make_rig(cache, FakeCatalog(10))
    found = await rig.presenter.elsewhere(["SKU-CHAIR", "SKU-GONE", "SKU-TABLE", "SKU-RUG"])
    assert found == {"SKU-CHAIR", "SKU-TABLE"}
    assert await rig.presenter.elsewhere([]) == frozenset()
    storeless = make_rig(cache, FakeCatalog(10), here=None)
    assert await storeless.presenter.elsewhere(["SKU-CHAIR"]) == frozenset()  # no "here" to compare with
