"""The product page presenter over the real service and a real seeded cache, awaited directly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.services.cache_reader import CacheReader
from kiosk.services.product import ProductPage, ProductService, ReviewQuery
from kiosk.ui.screens.product.presenter import FRESHNESS_TICK_MS, ProductPresenter
from kiosk.ui.screens.product.state import ProductPhase, ProductState, StockFreshness
from kiosk.ui.task_runner import TaskRunner
from offline_cache.cache_store import CacheStore
from offline_cache.product_view import LocationStock, ProductDetail, ReviewsPage
from tests.offline_cache.conftest import STORE
from tests.offline_cache.test_product_view import (
    family_with_children,
    most_reviewed,
    put,
    upsert,
)

from .conftest import settle_runner


@pytest.fixture
def cache(seeded_cache: CacheStore) -> CacheStore:
    """The shared synced product cache (tests/fixtures/databases.py), a fresh copy per test."""
    return seeded_cache


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now


class CountingService(ProductService):
    """The real service, counting what the presenter asks it for."""

    def __init__(self, reader: CacheReader) -> None:
        super().__init__(reader, STORE)
        self.calls: list[str] = []

    async def page(self, sku: str, language: str, currency: str, query: ReviewQuery) -> ProductPage | None:
        self.calls.append("page")
        return await super().page(sku, language, currency, query)

    async def detail(self, sku: str, language: str, currency: str) -> ProductDetail | None:
        self.calls.append("detail")
        return await super().detail(sku, language, currency)

    async def reviews(self, sku: str, query: ReviewQuery) -> ReviewsPage:
        self.calls.append("reviews")
        return await super().reviews(sku, query)

    async def stock(self, sku: str) -> tuple[LocationStock, ...]:
        self.calls.append("stock")
        return await super().stock(sku)


@dataclass
class Rig:
    presenter: ProductPresenter
    service: CountingService
    runner: TaskRunner
    cache: CacheStore
    clock: Clock
    states: list[ProductState]
    bag: list[tuple[str, int]]
    images: list[tuple[str, bytes]]

    async def settle(self) -> None:
        await settle_runner(self.runner)


async def fake_image(path: str) -> bytes | None:
    return b"image:" + path.encode() if path.endswith("0.jpg") else None


@pytest.fixture
async def rig(cache: CacheStore, qapp: QApplication) -> AsyncIterator[Rig]:
    reader = CacheReader(cache)
    service = CountingService(reader)
    runner = TaskRunner()
    clock = Clock()
    presenter = ProductPresenter(
        service, runner, language="cs", currency="CZK", images=fake_image, clock=clock
    )
    built = Rig(presenter, service, runner, cache, clock, [], [], [])
    presenter.state_changed.connect(built.states.append)
    presenter.add_to_bag_requested.connect(lambda sku, qty: built.bag.append((sku, qty)))
    presenter.image_ready.connect(lambda path, data: built.images.append((path, data)))
    yield built
    presenter.ticker.stop()
    await runner.shutdown()
    reader.close()


async def test_open_reads_detail_reviews_and_stock(rig: Rig) -> None:
    sku, count = most_reviewed(rig.cache)
    rig.presenter.open(sku)
    assert rig.presenter.ticker.isActive()
    assert rig.presenter.ticker.interval() <= FRESHNESS_TICK_MS
    await rig.settle()
    state = rig.presenter.state
    assert state.phase == ProductPhase.READY
    assert rig.states[0].phase == ProductPhase.LOADING
    assert state.detail is not None
    assert state.detail.sku == sku
    assert state.detail.name == (rig.cache.product(sku) or {})["names"]["cs"]
    assert state.reviews is not None
    assert state.reviews.total == count
    assert state.stock[0].location_id == STORE
    assert state.freshness == StockFreshness.FRESH  # just pulled, and nobody said offline
    assert rig.service.calls == ["page"]  # one trip to the reader thread


async def test_an_unknown_product_is_not_found(rig: Rig) -> None:
    await rig.presenter.load("SKU-NOPE")
    assert rig.presenter.state.phase == ProductPhase.NOT_FOUND
    assert rig.presenter.state.detail is None


async def test_choosing_a_variant_opens_it_and_keeps_the_page_meanwhile(rig: Rig) -> None:
    parent, children = family_with_children(rig.cache)
    await rig.presenter.load(parent)
    rig.presenter.choose_variant(children[0])
    await rig.settle()
    [loading] = [s for s in rig.states if s.phase == ProductPhase.LOADING and s.sku == children[0]]
    assert loading.detail is not None  # the old page stays until the new one is read
    assert loading.detail.sku == parent
    assert not loading.can_add_to_bag  # but it cannot be added to the bag meanwhile
    state = rig.presenter.state
    assert state.phase == ProductPhase.READY
    assert state.detail is not None
    assert state.detail.sku == children[0]
    assert [v.sku for v in state.detail.variants if v.current] == [children[0]]

    rig.presenter.choose_variant("SKU-0000001")  # not in this family: ignored
    await rig.settle()
    assert rig.presenter.state.detail is not None
    assert rig.presenter.state.detail.sku == children[0]


async def test_sort_filter_and_language(rig: Rig) -> None:
    sku, _ = most_reviewed(rig.cache)
    await rig.presenter.load(sku)

    rig.presenter.sort_reviews("lowest")
    assert rig.presenter.state.review_query.sort == "lowest"  # the choice shows at once
    await rig.settle()
    reviews = rig.presenter.state.reviews
    assert reviews is not None
    assert reviews.sort == "lowest"
    assert [r.rating for r in reviews.reviews] == sorted(r.rating for r in reviews.reviews)
    rig.presenter.sort_reviews("cheapest")  # not an order: nothing changes
    assert rig.presenter.state.review_query.sort == "lowest"

    rig.presenter.filter_stars(5)
    await rig.settle()
    reviews = rig.presenter.state.reviews
    assert reviews is not None
    assert reviews.stars == frozenset({5})
    assert {r.rating for r in reviews.reviews} == {5}
    rig.presenter.filter_stars(5)  # a second tap on the bar clears it
    rig.presenter.filter_stars(9)  # no such bar
    await rig.settle()
    assert rig.presenter.state.review_query.stars == frozenset()

    language = reviews.languages[-1][0]
    rig.presenter.filter_language(language)
    await rig.settle()
    reviews = rig.presenter.state.reviews
    assert reviews is not None
    assert {r.language for r in reviews.reviews} == {language}
    rig.presenter.filter_language("xx")  # not among the reviews' languages
    assert rig.presenter.state.review_query.language == language
    rig.presenter.filter_language(None)
    await rig.settle()
    assert rig.presenter.state.reviews is not None
    assert rig.presenter.state.reviews.language is None


async def test_paging_by_twenty(rig: Rig) -> None:
    sku = "SKU-0000001"
    put(
        rig.cache,
        "reviews",
        *(
            upsert(
                "review",
                f"{sku}-X{i}",
                {
                    "review_id": f"{sku}-X{i}",
                    "sku": sku,
                    "rating": 1 + i % 5,
                    "language": "cs",
                    "author": "Test",
                    "title": f"Review {i}",
                    "body": "Text",
                    "created_at": f"2026-01-{1 + i % 28:02d}T10:00:00Z",
                    "verified_purchase": False,
                    "helpful": 0,
                },
            )
            for i in range(45)
        ),
    )
    await rig.presenter.load(sku)
    first = rig.presenter.state.reviews
    assert first is not None
    total = first.total
    assert total >= 45
    assert (first.offset, len(first.reviews), first.has_previous) == (0, 20, False)
    rig.presenter.previous_page()  # already on the first page
    assert not rig.runner.names
    seen = [r.review_id for r in first.reviews]
    while True:
        current = rig.presenter.state.reviews
        assert current is not None
        if not current.has_next:
            break
        rig.presenter.next_page()
        await rig.settle()
        following = rig.presenter.state.reviews
        assert following is not None
        assert following.offset == current.offset + 20
        seen += [r.review_id for r in following.reviews]
    assert len(seen) == len(set(seen)) == total
    rig.presenter.next_page()  # already on the last page
    assert not rig.runner.names
    rig.presenter.previous_page()
    await rig.settle()
    back = rig.presenter.state.reviews
    assert back is not None
    assert back.offset == (total - 1) // 20 * 20 - 20

    rig.presenter.filter_stars(1)  # a new filter starts again at the first page
    await rig.settle()
    assert rig.presenter.state.reviews is not None
    assert rig.presenter.state.reviews.offset == 0


async def test_stock_turns_last_known_after_a_minute_without_news(rig: Rig) -> None:
    await rig.presenter.load("SKU-0000001")
    as_of = rig.presenter.state.stock_as_of
    assert as_of is not None
    rig.clock.now = as_of + timedelta(seconds=30)
    rig.presenter.reevaluate_freshness()
    assert rig.presenter.state.freshness == StockFreshness.FRESH
    rig.clock.now = as_of + timedelta(seconds=61)
    emitted = len(rig.states)
    rig.presenter.reevaluate_freshness()  # what the timer does every few seconds
    assert rig.presenter.state.freshness == StockFreshness.STALE
    assert len(rig.states) == emitted + 1
    rig.presenter.reevaluate_freshness()
    assert len(rig.states) == emitted + 1  # nothing changed: no redraw

    # A completed sync confirms the figures again, even when no stock changed.
    rig.presenter.on_connectivity(True, rig.clock.now.isoformat())
    assert rig.presenter.state.freshness == StockFreshness.FRESH
    assert rig.presenter.state.stock_as_of == rig.clock.now


async def test_offline_shows_last_known_and_bad_times_change_nothing(rig: Rig) -> None:
    await rig.presenter.load("SKU-0000001")
    rig.clock.now = (rig.presenter.state.stock_as_of or rig.clock.now) + timedelta(seconds=5)
    rig.presenter.on_connectivity(False, None)
    assert rig.presenter.state.freshness == StockFreshness.OFFLINE
    assert rig.presenter.state.online is False
    last_sync = rig.presenter.state.last_sync
    rig.presenter.on_connectivity(True, "yesterday-ish")
    assert rig.presenter.state.online is True
    assert rig.presenter.state.last_sync == last_sync
    assert rig.presenter.state.freshness == StockFreshness.FRESH
    synced = rig.clock.now
    rig.presenter.on_connectivity(True, synced.isoformat())
    assert rig.presenter.state.last_sync == synced
    older = datetime(2020, 1, 1, tzinfo=UTC).isoformat()
    rig.presenter.on_connectivity(True, older)  # an older time never moves "as of" back
    assert rig.presenter.state.last_sync == synced


async def test_a_stock_change_for_this_store_refreshes_only_the_stock(rig: Rig) -> None:
    sku = "SKU-0000001"
    await rig.presenter.load(sku)
    detail, reviews = rig.presenter.state.detail, rig.presenter.state.reviews
    here = rig.presenter.state.here
    assert here is not None
    put(
        rig.cache,
        f"stock:{STORE}",
        upsert(
            "stock",
            f"{sku}@{STORE}",
            {"sku": sku, "location_id": STORE, "on_hand": here.on_hand + 7, "reserved": 0},
        ),
    )
    rig.presenter.on_cache_changed(frozenset({"locations", f"stock:{STORE}"}))
    await rig.settle()
    state = rig.presenter.state
    assert state.here is not None
    assert state.here.on_hand == here.on_hand + 7
    assert state.here.available == here.on_hand + 7
    assert state.detail is detail  # not read again
    assert state.reviews is reviews
    assert rig.service.calls == ["page", "stock"]

    rig.presenter.on_cache_changed(frozenset({"orders:CZ-PRG-01"}))  # nothing on this page
    await rig.settle()
    assert rig.service.calls == ["page", "stock"]


async def test_catalog_and_review_changes_reread_their_parts(rig: Rig) -> None:
    sku = "SKU-0000001"
    await rig.presenter.load(sku)
    data = rig.cache.product(sku)
    assert data is not None
    data["prices"]["CZK"] = 12300
    put(rig.cache, "catalog", upsert("product", sku, data))
    rig.presenter.on_cache_changed(frozenset({"catalog", "reviews"}))
    await rig.settle()
    assert rig.presenter.state.detail is not None
    assert rig.presenter.state.detail.price_minor == 12300
    assert sorted(rig.service.calls) == ["detail", "page", "reviews"]


async def test_add_to_bag_only_for_the_product_on_screen(rig: Rig) -> None:
    rig.presenter.add_to_bag("SKU-0000001", 1)  # nothing open yet
    sku = (
        rig.cache.reader()
        .execute("SELECT sku FROM stock WHERE available > 0 ORDER BY sku LIMIT 1")
        .fetchone()[0]
    )
    await rig.presenter.load(sku)
    rig.presenter.set_quantity(3)
    assert rig.presenter.state.quantity == 3
    rig.presenter.set_quantity(0)
    assert rig.presenter.state.quantity == 1
    rig.presenter.add_to_bag(sku, 2)
    rig.presenter.add_to_bag("SKU-OTHER", 1)
    rig.presenter.add_to_bag(sku, 0)
    rig.presenter.add_to_bag(sku, 1000)
    assert rig.bag == [(sku, 2)]


async def test_opening_another_product_stops_the_page_offering_the_old_one_at_once(rig: Rig) -> None:
    """A tap on "Add to bag" between open() and its load task must not take the product shown before."""
    in_stock = "SELECT sku FROM stock WHERE available > 0 ORDER BY sku LIMIT 2"
    first, second = (row[0] for row in rig.cache.reader().execute(in_stock))
    await rig.presenter.load(first)
    assert rig.presenter.state.can_add_to_bag
    rig.presenter.open(second)  # the load task has not run yet
    assert rig.presenter.state.sku == second
    assert not rig.presenter.state.can_add_to_bag
    rig.presenter.add_to_bag(first, 1)
    assert rig.bag == []
    await rig.settle()
    assert rig.presenter.state.detail is not None
    assert rig.presenter.state.detail.sku == second
    rig.presenter.add_to_bag(second, 1)
    assert rig.bag == [(second, 1)]


async def test_images_load_through_the_injected_loader(rig: Rig) -> None:
    await rig.presenter.load("SKU-0000001")
    detail = rig.presenter.state.detail
    assert detail is not None
    first = detail.images[0]
    rig.presenter.want_image(first)
    rig.presenter.want_image("/v1/images/SKU-9999999/0.jpg")  # not this product's
    await rig.settle()
    assert rig.images == [(first, b"image:" + first.encode())]
    rig.presenter.select_image(len(detail.images))  # past the last image: ignored
    assert rig.presenter.state.image_index == 0


async def test_back_stops_the_timer_and_asks_to_leave(rig: Rig) -> None:
    left: list[bool] = []
    rig.presenter.back_requested.connect(lambda: left.append(True))
    rig.presenter.open("SKU-0000001")
    rig.presenter.back()
    await rig.settle()
    assert left == [True]
    assert not rig.presenter.ticker.isActive()


async def test_a_failing_read_ends_in_a_safe_state_with_retry(rig: Rig) -> None:
    calls = 0
    real_page = rig.service.page

    async def flaky(sku: str, language: str, currency: str, query: ReviewQuery) -> ProductPage | None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("disk I/O error")
        return await real_page(sku, language, currency, query)

    rig.service.page = flaky  # type: ignore[method-assign]
    rig.presenter.open("SKU-0000001")
    await rig.settle()
    assert rig.presenter.state.phase == ProductPhase.FAILED
    rig.presenter.retry()
    await rig.settle()
    assert rig.presenter.state.phase == ProductPhase.READY


async def test_switching_language_rereads_the_names(rig: Rig) -> None:
    await rig.presenter.load("SKU-0000001")
    rig.presenter.set_language("pl")
    await rig.settle()
    assert rig.presenter.state.detail is not None
    assert rig.presenter.state.detail.name == (rig.cache.product("SKU-0000001") or {})["names"]["pl"]
