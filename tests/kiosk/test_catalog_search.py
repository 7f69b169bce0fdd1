"""The catalog presenter over a real cache.db and the real CatalogSearch with a few hundred demo products."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.services.cache_reader import CacheReader
from kiosk.services.catalog import CatalogService, SearchQuery
from kiosk.ui.models.product_grid_model import CardFormatter
from kiosk.ui.screens.catalog.presenter import FIRST_WINDOW, CatalogPresenter
from kiosk.ui.screens.catalog.state import FacetKind, ScanProblem
from kiosk.ui.task_runner import TaskRunner
from offline_cache.cache_store import CacheStore
from tests.benchmarks.bench_search import STORE, build_cache

PRODUCTS = 300


@pytest.fixture(scope="module")
def demo_cache_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("catalog") / "cache.db"
    build_cache(path, PRODUCTS)
    return path


@pytest.fixture
def presenter(demo_cache_file: Path) -> Iterator[CatalogPresenter]:
    cache = CacheStore.open(demo_cache_file)
    reader = CacheReader(cache)
    yield CatalogPresenter(
        CatalogService(reader), TaskRunner(), language="cs", currency="CZK", here=STORE, facet_delay=0
    )
    reader.close()
    cache.close()


async def test_browse_search_filter_and_scan_on_the_real_search(
    presenter: CatalogPresenter, demo_cache_file: Path
) -> None:
    await presenter.load_categories()
    await presenter.refresh()
    state = presenter.state
    assert state.categories
    assert all(node.name for node in state.categories)
    results = state.results
    assert results is not None
    assert results.total == PRODUCTS
    assert len(results.first) == FIRST_WINDOW
    assert results.facets is not None
    assert results.facets.brands
    assert results.facets.in_stock_here is not None
    first = results.first[0]
    assert first.currency == "CZK"
    assert first.available_here is not None  # stock for this store was synced
    assert CardFormatter("cs", "CZK").card(first).price_text.endswith("Kč")

    # The grid's windows continue where the first one ended.
    rest = await presenter.window(results.query, FIRST_WINDOW, 500)
    assert len(rest) == PRODUCTS - FIRST_WINDOW
    assert {h.sku for h in rest}.isdisjoint(h.sku for h in results.first)

    # A top-level category narrows the results to its products and descendants.
    top = next(node for node in state.categories if node.parent_id is None and node.product_count)
    await presenter.select_category(top.category_id)
    narrowed = presenter.state.results
    assert narrowed is not None
    assert narrowed.total == top.product_count
    assert presenter.state.category_path[-1] == top

    # A brand facet from the counts gives exactly that many hits.
    assert narrowed.facets is not None
    brand = narrowed.facets.brands[0]
    await presenter.apply_facet(FacetKind.BRAND, brand.value)
    by_brand = presenter.state.results
    assert by_brand is not None
    assert by_brand.total == brand.count
    assert {h.brand for h in by_brand.first} == {brand.value}
    await presenter.reset_filters()

    # Typing part of a product's name without diacritics finds it.
    word = next(w for w in first.name.split() if len(w) >= 4)
    folded = word.lower().translate(str.maketrans("áčďéěíňóřšťúůýž", "acdeeinorstuuyz"))
    await presenter.search_text(folded)
    found = presenter.state.results
    assert found is not None
    assert found.total >= 1
    assert first.sku in {h.sku for h in await presenter.window(found.query, 0, 500)}

    # A scanned EAN-13 opens its product; an unknown one says so.
    opened: list[str] = []
    presenter.product_requested.connect(opened.append)
    cache = CacheStore.open(demo_cache_file)
    try:
        sku, gtin = (
            cache.reader().execute("SELECT sku, gtin FROM product WHERE gtin IS NOT NULL LIMIT 1").fetchone()
        )
    finally:
        cache.close()
    await presenter.look_up_scan(gtin)
    assert opened == [sku]
    await presenter.look_up_scan("4006381333931")
    assert presenter.state.scan is not None
    assert presenter.state.scan.problem == ScanProblem.UNKNOWN_CODE
    assert opened == [sku]


async def test_in_stock_here_only_lists_products_on_this_shelf(presenter: CatalogPresenter) -> None:
    await presenter.refresh()
    results = presenter.state.results
    assert results is not None
    assert results.facets is not None
    stocked = results.facets.in_stock_here
    assert stocked is not None
    await presenter.apply_facet(FacetKind.IN_STOCK_HERE)
    filtered = presenter.state.results
    assert filtered is not None
    assert filtered.total == stocked
    assert all((h.available_here or 0) > 0 for h in filtered.first)
    assert presenter.query() == SearchQuery(in_stock_at=STORE, currency="CZK", language="cs")
