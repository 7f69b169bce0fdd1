"""The start screen: the overview read from a real cache, the presenter awaited directly, the view drawn."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QPushButton
from pytestqt.qtbot import QtBot

from kiosk.services.cache_reader import CacheReader
from kiosk.services.enrolment import EnrolmentIssue
from kiosk.services.store_overview import ProductSummary, StoreInfo, read_overview, store_info
from kiosk.ui.models.product_card_delegate import IMAGE_SIZE, MARGIN, CardImages
from kiosk.ui.models.product_roles import ProductRole
from kiosk.ui.screens.home.presenter import HomePresenter
from kiosk.ui.screens.home.state import CatalogCount, HomePhase, HomeProblem, HomeState
from kiosk.ui.screens.home.view import HomeView
from kiosk.ui.task_runner import TaskRunner
from kiosk.ui.widgets.touch_button import TOUCH_MIN
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.engine import SyncStatus

from .fakes import OTHER_STORE, STORE, catalog, fill, location, product
from .test_catalog_view import RED, FakeImages

HERE = "CZ-PRG-01"


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[CacheStore]:
    store = CacheStore.open(tmp_path / CACHE_FILE)
    yield store
    store.close()


def filled(cache: CacheStore, products: int = 25) -> CacheStore:
    fill(cache, "locations", [location(STORE, 1), location(OTHER_STORE, 2)])
    changes = catalog(products, categories=4)
    changes.append(product("SKU-VARIANT", 999, popularity=10_000, parent="SKU-0001"))
    fill(cache, "catalog", changes)
    return cache


def test_overview_reads_the_store_counts_and_popular_products(cache: CacheStore) -> None:
    overview = read_overview(filled(cache), HERE, None)
    assert overview.store is not None
    assert (overview.store.name, overview.store.city, overview.store.currency) == (
        "Praha Můstek",
        "Praha",
        "CZK",
    )
    assert overview.language == "cs"  # nothing configured: the store's language
    assert (overview.products, overview.categories) == (26, 4)
    assert len(overview.popular) == 12
    assert overview.popular[0].sku == "SKU-0024"  # most popular first, the variant left out
    assert "SKU-VARIANT" not in [p.sku for p in overview.popular]
    assert overview.popular[0].name == "Židle SKU-0024"
    assert overview.popular[0].price_minor == 129900
    assert read_overview(cache, HERE, "en").popular[0].name == "Chair SKU-0024"


def test_overview_of_an_empty_cache_and_of_an_unknown_store(cache: CacheStore) -> None:
    empty = read_overview(cache, HERE, None)
    assert (empty.store, empty.products, empty.popular, empty.language) == (None, 0, (), "en")
    assert read_overview(filled(cache), "XX-NONE-01", "en").store is None


def test_bad_store_data_is_shown_as_absent_never_raised() -> None:
    odd = store_info("XX-1", {"name": 5, "city": None, "currency": ["CZK"]})
    assert odd == StoreInfo("XX-1", "XX-1", "", "", "", "", "", "")
    assert store_info("XX-1", None) is None


def sync_status(cache: CacheStore, *, done: bool) -> SyncStatus:
    streams = tuple(cache.streams())
    return SyncStatus(
        online=True,
        last_ok={s.stream: s.last_pull_ok_at for s in streams},
        pending=0,
        rejected=0,
        needs_review=0,
        oldest_pending_age=None,
        progress_done=len(streams) if done else 0,
        progress_total=len(streams),
        streams=streams,
    )


async def settle(presenter: HomePresenter, runner: TaskRunner) -> None:
    for _ in range(200):
        if not runner.names:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"tasks still running: {runner.names}")


async def test_presenter_shows_the_cache_and_follows_the_sync(cache: CacheStore) -> None:
    runner = TaskRunner()
    presenter = HomePresenter(runner, kiosk_mode=True)
    reader = CacheReader(cache)
    try:
        presenter.connecting()
        assert presenter.state == HomeState(phase=HomePhase.ENROLLING, language="en")
        presenter.attach(reader, HERE)  # an empty cache: the first sync has not brought anything yet
        await settle(presenter, runner)
        assert presenter.state.phase == HomePhase.SYNCING
        assert not presenter.state.can_browse

        fill(cache, "locations", [location(STORE, 1)])
        presenter.on_sync_status(sync_status(cache, done=False))
        await settle(presenter, runner)
        assert presenter.state.store == STORE_INFO  # the store as soon as its stream arrived

        fill(cache, "catalog", catalog(30, categories=3))
        presenter.on_sync_status(sync_status(cache, done=True))
        await settle(presenter, runner)
        state = presenter.state
        assert state.phase == HomePhase.READY
        assert state.catalog == CatalogCount(30, 3)
        assert len(state.popular) == 12
        assert state.can_browse

        # The same status again reads nothing: the screen re-reads only when its data changed.
        reads: list[object] = []
        presenter.state_changed.connect(reads.append)
        presenter.on_sync_status(sync_status(cache, done=True))
        assert runner.names == []
        assert reads == []
    finally:
        reader.close()


async def test_presenter_keeps_what_it_shows_when_the_cache_goes_away(cache: CacheStore) -> None:
    runner = TaskRunner()
    presenter = HomePresenter(runner, kiosk_mode=False, language="en")
    reader = CacheReader(filled(cache))
    try:
        presenter.attach(reader, HERE)
        await settle(presenter, runner)
        before = presenter.state
        assert before.store is not None
        assert not before.kiosk_mode
        cache.close()
        await presenter.load()  # a closed cache is the environment's fault: logged, the screen stays
        assert presenter.state == before
    finally:
        reader.close()


def test_presenter_entry_points_and_problems() -> None:
    presenter = HomePresenter(TaskRunner())
    asked: list[object] = []
    presenter.browse_requested.connect(lambda: asked.append("browse"))
    presenter.search_requested.connect(lambda: asked.append("search"))
    presenter.product_requested.connect(asked.append)
    presenter.browse()
    presenter.search()
    presenter.open_product("SKU-0001")
    presenter.open_product("")
    assert asked == ["browse", "search", "SKU-0001"]

    presenter.waiting_for_central()
    assert presenter.state.phase == HomePhase.WAITING_FOR_CENTRAL
    assert presenter.state.showing_problem
    presenter.failed(HomeProblem.DATA_DIR_BUSY)
    assert (presenter.state.phase, presenter.state.problem) == (HomePhase.FAILED, HomeProblem.DATA_DIR_BUSY)
    presenter.on_blocked(EnrolmentIssue.DEVICE_REVOKED)
    assert presenter.state.enrolment_issue == EnrolmentIssue.DEVICE_REVOKED
    assert presenter.state.can_retry


STORE_INFO = StoreInfo(
    "CZ-PRG-01", "Praha Můstek", "Praha", "Na Příkopě 1", "CZ", "CZK", "cs", "Europe/Prague"
)


def popular(sku: str, price: int | None = 129900) -> ProductSummary:
    return ProductSummary(sku, f"Dubová židle {sku}", "Acme", price, "CZK", 4.5, 12, None)


def label(view: HomeView, name: str) -> str:
    widget = view.findChild(QLabel, name)
    assert widget is not None, f"no QLabel {name!r}"
    return widget.text()


READY = HomeState(
    phase=HomePhase.READY,
    store=STORE_INFO,
    catalog=CatalogCount(5000, 36),
    popular=(popular("A"), popular("B", None)),
    language="cs",
)


def test_view_shows_the_store_the_catalog_and_popular_products(qtbot: QtBot) -> None:
    view = HomeView()
    qtbot.addWidget(view)
    view.resize(1280, 736)
    view.show()
    view.render_state(READY)
    assert label(view, "homeStoreName") == "Praha Můstek"
    assert label(view, "homeStorePlace") == "Praha · Na Příkopě 1"
    assert label(view, "catalogCount").replace("\xa0", " ").replace(",", " ") == "5 000"
    assert label(view, "catalogDetail") == "products in 36 categories"
    assert label(view, "welcomeTitle") == "Welcome to Praha Můstek"
    products = view.findChild(QListView, "homeHighlightsList")
    assert products is not None
    assert products.isVisible()
    model = products.model()
    assert model.rowCount() == 2
    assert model.index(0, 0).data() == "Dubová židle A"
    assert "Kč" in str(model.index(0, 0).data(ProductRole.PRICE_TEXT))
    assert model.index(1, 0).data(ProductRole.PRICE_TEXT) == ""  # no price in this currency: none shown
    assert products.accessibleName() == "Popular products"
    # Loading more content never makes the screen taller than a 1280 x 800 kiosk minus the strip.
    assert view.minimumSizeHint().height() <= 736


def test_view_entry_points_emit_signals(qtbot: QtBot) -> None:
    view = HomeView()
    qtbot.addWidget(view)
    view.resize(1280, 736)
    view.show()
    view.render_state(READY)
    browse = view.findChild(QPushButton, "homeBrowseButton")
    search = view.findChild(QLineEdit, "homeSearchField")
    products = view.findChild(QListView, "homeHighlightsList")
    assert browse is not None
    assert search is not None
    assert products is not None
    assert browse.accessibleName() == "Browse the catalog"
    assert search.accessibleName() == "Search products"
    assert browse.height() >= TOUCH_MIN
    assert search.height() >= TOUCH_MIN
    with qtbot.waitSignal(view.browse_requested, timeout=1000):
        qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.search_requested, timeout=1000):
        qtbot.mouseClick(search, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.product_requested, timeout=1000) as tapped:
        products.clicked.emit(products.model().index(1, 0))
    assert tapped.args == ["B"]


def test_view_while_the_first_sync_runs(qtbot: QtBot) -> None:
    view = HomeView()
    qtbot.addWidget(view)
    view.render_state(HomeState(phase=HomePhase.SYNCING, store=STORE_INFO, catalog=CatalogCount(0, 0)))
    assert label(view, "catalogCount") == "…"
    assert label(view, "catalogDetail") == "Loading the catalog…"
    assert label(view, "highlightsPlaceholder")
    browse = view.findChild(QPushButton, "homeBrowseButton")
    assert browse is not None
    assert not browse.isEnabled()  # nothing to browse yet


def test_view_shows_re_enrolment_with_a_touch_sized_retry(qtbot: QtBot) -> None:
    view = HomeView()
    qtbot.addWidget(view)
    view.show()
    retried: list[bool] = []
    view.retry_requested.connect(lambda: retried.append(True))
    view.render_state(
        HomeState(phase=HomePhase.NEEDS_ENROLMENT, enrolment_issue=EnrolmentIssue.CREDENTIALS_REFUSED)
    )
    assert label(view, "problemTitle") == "This device needs to be enrolled"
    assert "enrol it again" in label(view, "problemText")
    button = view.findChild(QPushButton, "homeRetryButton")
    assert button is not None
    assert button.isVisible()
    assert button.accessibleName() == "Try again"
    assert button.height() >= TOUCH_MIN
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert retried == [True]


def test_view_says_when_another_process_has_the_data_folder(qtbot: QtBot) -> None:
    view = HomeView()
    qtbot.addWidget(view)
    view.render_state(HomeState(phase=HomePhase.FAILED, problem=HomeProblem.DATA_DIR_BUSY))
    assert "Another copy of the app or kiosk-sync" in label(view, "problemText")


def test_a_refused_device_with_a_cached_store_keeps_showing_it(qtbot: QtBot) -> None:
    view = HomeView()
    qtbot.addWidget(view)
    view.render_state(
        HomeState(
            phase=HomePhase.NEEDS_ENROLMENT,
            enrolment_issue=EnrolmentIssue.DEVICE_REVOKED,
            store=STORE_INFO,
            catalog=CatalogCount(10, 1),
        )
    )
    # Browsing goes on from the cache; the status strip carries the request for a person.
    assert label(view, "catalogCount") == "10"


def test_view_counts_read_as_english_for_one(qtbot: QtBot) -> None:
    view = HomeView()
    qtbot.addWidget(view)
    view.render_state(replace(READY, catalog=CatalogCount(1, 1)))
    assert label(view, "catalogDetail") == "product in 1 category"
    view.render_state(replace(READY, catalog=CatalogCount(2, 1)))
    assert label(view, "catalogDetail") == "products in 1 category"


def test_popular_cards_show_the_product_pictures(qtbot: QtBot, qasync_loop: qasync.QEventLoop) -> None:
    """The same picture cache as the catalog's: a letter placeholder only until the picture arrives."""
    images = FakeImages()
    card_images = CardImages(images.image)
    view = HomeView(images=card_images)
    qtbot.addWidget(view)
    view.resize(1280, 736)
    view.show()
    pictured = tuple(replace(p, image=f"/v1/images/{p.sku}/0.jpg") for p in READY.popular)
    view.render_state(replace(READY, popular=pictured))
    strip = view.findChild(QListView, "homeHighlightsList")
    assert strip is not None
    rect = strip.visualRect(strip.model().index(0, 0))
    probe = QPoint(rect.left() + MARGIN + IMAGE_SIZE.width() // 2, rect.top() + MARGIN + 12)

    def colour() -> QColor:
        return strip.viewport().grab().toImage().pixelColor(probe)

    qtbot.waitUntil(lambda: set(images.asked) == {"/v1/images/A/0.jpg", "/v1/images/B/0.jpg"})
    assert abs(colour().red() - RED[0]) > 30 or colour().green() > 80  # the placeholder, not the photo
    images.gate.set()
    qtbot.waitUntil(lambda: abs(colour().red() - RED[0]) < 25 and colour().green() < 60)
    card_images.close()
