"""The product page view: drawing states, intents out of every control, names for screen readers and tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import qasync
from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QLabel, QListView, QWidget
from pytestqt.qtbot import QtBot

from kiosk.services.cache_reader import CacheReader
from kiosk.services.product import ProductService, ReviewQuery
from kiosk.ui.models.review_list_model import ReviewRole
from kiosk.ui.screens.product.presenter import ProductPresenter
from kiosk.ui.screens.product.state import ProductPhase, ProductState, StockFreshness
from kiosk.ui.screens.product.view import ProductView, connect_product
from kiosk.ui.task_runner import TaskRunner
from kiosk.ui.theme import Theme, apply_theme
from kiosk.ui.widgets.gallery import Gallery
from kiosk.ui.widgets.star_rating import RatingBar
from kiosk.ui.widgets.touch_button import TOUCH_MIN
from offline_cache.cache_store import CacheStore
from offline_cache.product_view import (
    LocationStock,
    ProductDetail,
    Rating,
    Review,
    ReviewsPage,
    Variant,
)
from tests.offline_cache.conftest import STORE
from tests.offline_cache.test_product_view import most_reviewed

NOW = datetime.now(UTC).replace(microsecond=0)


def detail(**changes: object) -> ProductDetail:
    base = ProductDetail(
        sku="SKU-1-2",
        gtin="8590000000017",
        parent_sku="SKU-1",
        category_id="chairs",
        brand="Acme",
        name="Dubová židle <b>Tora</b> – černá",
        description="Pevná židle z dubu.",
        currency="CZK",
        price_minor=129900,
        specs=(("seat_height", "45 cm"), ("material", "oak")),
        images=("/v1/images/SKU-1-2/0.jpg", "/v1/images/SKU-1-2/1.jpg", "/v1/images/SKU-1-2/2.jpg"),
        rating=Rating(4.4, 27),
        variants=(
            Variant("SKU-1", "bílá", True, False),
            Variant("SKU-1-2", "černá", True, True),
            Variant("SKU-1-3", "šedá", False, False),
        ),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def review(i: int, rating: int = 5, language: str = "cs") -> Review:
    return Review(
        review_id=f"R{i}",
        rating=rating,
        language=language,
        author=f"Jana {i}.",
        title=f"Title {i}",
        body="Great chair. " * (1 + i % 4),
        created_at=NOW - timedelta(days=i),
        verified_purchase=i % 2 == 0,
        helpful=i,
    )


def reviews(offset: int = 0, total: int = 27, count: int = 20, **changes: object) -> ReviewsPage:
    page = ReviewsPage(
        sku="SKU-1-2",
        sort="newest",
        stars=frozenset(),
        language=None,
        offset=offset,
        limit=20,
        total=total,
        histogram={5: 15, 4: 7, 3: 3, 2: 1, 1: 1},
        languages=(("cs", 20), ("pl", 7)),
        reviews=tuple(review(offset + i) for i in range(count)),
    )
    return replace(page, **changes)  # type: ignore[arg-type]


def stock_row(location_id: str, available: int, *, here: bool = False, kind: str = "store") -> LocationStock:
    return LocationStock(
        location_id=location_id,
        kind=kind,
        name=f"Store {location_id}",
        city="Praha",
        is_here=here,
        available=available,
        on_hand=available,
        pending_local=0,
        as_of=NOW - timedelta(seconds=20),
        distance_km=None if here else 186.6,
    )


def ready(**changes: object) -> ProductState:
    state = ProductState(
        phase=ProductPhase.READY,
        sku="SKU-1-2",
        language="cs",
        currency="CZK",
        detail=detail(),
        reviews=reviews(),
        review_query=ReviewQuery(),
        stock=(
            stock_row(STORE, 3, here=True),
            stock_row("CZ-BRN-01", 0),
            stock_row("WH-CZ-01", 40, kind="warehouse"),
        ),
        online=True,
        freshness=StockFreshness.FRESH,
    )
    return replace(state, **changes)  # type: ignore[arg-type]


@pytest.fixture
def view(qtbot: QtBot, themed_app: QApplication) -> ProductView:
    shown = ProductView(ready())
    qtbot.addWidget(shown)
    shown.resize(1280, 736)
    shown.show()
    return shown


def find[W: QWidget](view: QWidget, kind: type[W], name: str) -> W:
    widget = view.findChild(kind, name)
    assert widget is not None, f"no {kind.__name__} {name!r}"
    return widget


def text(view: QWidget, name: str) -> str:
    return find(view, QLabel, name).text()


def record(signal: object) -> list[tuple[object, ...]]:
    seen: list[tuple[object, ...]] = []
    signal.connect(lambda *args: seen.append(args))  # type: ignore[attr-defined]
    return seen


def test_draws_a_ready_product(view: ProductView) -> None:
    assert text(view, "productName") == "Dubová židle <b>Tora</b> – černá"  # server text stays plain text
    assert find(view, QLabel, "productName").textFormat() == Qt.TextFormat.PlainText
    assert text(view, "productBrand") == "ACME"
    assert text(view, "productPrice").replace("\xa0", " ") == "1 299 Kč"
    assert "27" in text(view, "productRatingText")
    chips = view.findChildren(QAbstractButton, "productVariantChip")
    assert [c.text() for c in chips] == ["bílá", "černá", "šedá (sold out)"]
    assert [c.isChecked() for c in chips] == [False, True, False]
    assert text(view, "productDescription") == "Pevná židle z dubu."
    assert [lbl.text() for lbl in view.findChildren(QLabel, "productSpecName")] == ["Seat height", "Material"]
    names = [lbl.text() for lbl in view.findChildren(QLabel, "productStockName")]
    assert names == [f"Store {STORE} (this store)", "Store CZ-BRN-01", "Store WH-CZ-01"]
    counts = [lbl.text() for lbl in view.findChildren(QLabel, "productStockAvailable")]
    assert counts == ["3 available", "Out of stock", "40 available"]
    places = [lbl.text() for lbl in view.findChildren(QLabel, "productStockPlace")]
    assert places[1].replace("\xa0", " ") == "Praha · 187 km"
    assert "warehouse" in places[2]
    assert text(view, "productStockFreshness").startswith("Live stock · as of ")
    model = find(view, QListView, "productReviewList").model()
    assert model.rowCount() == 20
    assert model.index(0, 0).data(ReviewRole.TITLE) == "Title 0"
    assert text(view, "productReviewsRange") == "1–20 of 27"
    assert find(view, QAbstractButton, "productReviewsPrevious").isEnabled() is False
    assert find(view, QAbstractButton, "productReviewsNext").isEnabled()
    assert find(view, Gallery, "productGallery").paths == detail().images
    bars = {bar.stars: bar.count for bar in view.findChildren(RatingBar)}
    assert bars == {5: 15, 4: 7, 3: 3, 2: 1, 1: 1}


def test_every_interactive_control_has_a_name_and_an_accessible_name(view: ProductView) -> None:
    controls: list[QWidget] = [
        *view.findChildren(QAbstractButton),
        *view.findChildren(QAbstractItemView),
        *view.findChildren(Gallery),
    ]
    assert len(controls) > 20
    for control in controls:
        assert control.objectName().startswith("product"), control
        assert control.accessibleName(), control.objectName()
    for button in view.findChildren(QAbstractButton):
        assert button.minimumHeight() >= TOUCH_MIN or button.height() >= TOUCH_MIN, button.objectName()


def test_controls_send_the_intents(qtbot: QtBot, view: ProductView) -> None:
    left = record(view.back_clicked)
    variants = record(view.variant_chosen)
    quantities = record(view.quantity_changed)
    bag = record(view.add_to_bag_clicked)
    sorts = record(view.sort_chosen)
    stars = record(view.star_filter_toggled)
    languages = record(view.language_chosen)
    pages = record(view.next_page_clicked)
    images = record(view.image_selected)

    def click(name: str, index: int = 0) -> None:
        buttons = list(view.findChildren(QAbstractButton, name))
        assert buttons, name
        buttons[index].ensurePolished()
        qtbot.mouseClick(buttons[index], Qt.MouseButton.LeftButton)

    click("productBackButton")
    click("productVariantChip", 0)
    click("productQuantityIncrease")
    click("productAddToBagButton")
    click("productSortHighest")
    click("productStarFilter4")
    click("productReviewLanguageChip", 1)
    click("productReviewLanguageAll")
    click("productReviewsNext")
    click("productGalleryNext")
    assert left == [()]
    assert variants == [("SKU-1",)]
    assert quantities == [(2,)]
    assert bag == [("SKU-1-2", 1)]
    assert sorts == [("highest",)]
    assert stars == [(4,)]
    assert languages == [("pl",), (None,)]
    assert pages == [()]
    assert images == [(1,)]


def test_quantity_limits_and_a_product_that_cannot_be_sold(view: ProductView) -> None:
    decrease = find(view, QAbstractButton, "productQuantityDecrease")
    assert not decrease.isEnabled()  # quantity 1
    view.render_state(ready(quantity=99))
    assert not find(view, QAbstractButton, "productQuantityIncrease").isEnabled()
    assert text(view, "productQuantity") == "99"
    view.render_state(ready(detail=detail(price_minor=None)))
    assert not find(view, QAbstractButton, "productAddToBagButton").isEnabled()
    assert text(view, "productPrice") == "Not sold in this store"
    nowhere = tuple(replace(row, available=0) for row in ready().stock)
    view.render_state(ready(stock=nowhere))
    assert not find(view, QAbstractButton, "productAddToBagButton").isEnabled()


def test_stale_and_offline_stock_say_last_known(view: ProductView) -> None:
    view.render_state(ready(freshness=StockFreshness.STALE))
    stale = text(view, "productStockFreshness")
    assert stale.startswith("Last known stock · as of ")
    view.render_state(ready(freshness=StockFreshness.OFFLINE, online=False))
    offline = text(view, "productStockFreshness")
    assert offline.startswith("Offline · last known stock as of ")
    clock = (NOW - timedelta(seconds=20)).astimezone().strftime("%H:%M")
    assert clock in offline
    assert all(clock in lbl.text() for lbl in view.findChildren(QLabel, "productStockAsOf"))
    view.render_state(ready(stock=(), freshness=StockFreshness.UNKNOWN))
    assert text(view, "productStockFreshness") == "No stock figures yet"


def test_review_filters_and_empty_states(view: ProductView) -> None:
    filtered = ready(
        review_query=ReviewQuery(sort="lowest", stars=frozenset({1}), language="pl"),
        reviews=reviews(total=0, count=0, stars=frozenset({1}), language="pl", sort="lowest"),
    )
    view.render_state(filtered)
    assert find(view, QAbstractButton, "productSortLowest").isChecked()
    assert not find(view, QAbstractButton, "productSortNewest").isChecked()
    assert find(view, RatingBar, "productStarFilter1").isChecked()
    assert find(view, QAbstractButton, "productStarFilterClear").isVisible()
    chosen = [
        c.property("language")
        for c in view.findChildren(QAbstractButton, "productReviewLanguageChip")
        if c.isChecked()
    ]
    assert chosen == ["pl"]
    assert text(view, "productReviewsEmpty") == "No reviews match these filters."
    assert not find(view, QListView, "productReviewList").isVisible()
    assert not find(view, QAbstractButton, "productReviewsNext").isVisible()

    view.render_state(
        ready(reviews=reviews(total=0, count=0, histogram=dict.fromkeys((5, 4, 3, 2, 1), 0), languages=()))
    )
    assert text(view, "productReviewsEmpty") == "No reviews yet."
    assert not find(view, QWidget, "productReviewLanguages").isVisible()


def test_messages_for_loading_missing_and_failed(qtbot: QtBot, view: ProductView) -> None:
    retried = record(view.retry_clicked)
    view.render_state(ProductState(phase=ProductPhase.LOADING, sku="SKU-1"))
    assert text(view, "productMessageTitle") == "Loading the product…"
    view.render_state(ProductState(phase=ProductPhase.NOT_FOUND, sku="SKU-1"))
    assert text(view, "productMessageTitle") == "This product is not in the catalog"
    assert not find(view, QAbstractButton, "productRetryButton").isVisible()
    view.render_state(ProductState(phase=ProductPhase.FAILED, sku="SKU-1"))
    retry = find(view, QAbstractButton, "productRetryButton")
    assert retry.isVisible()
    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    assert retried == [()]
    assert find(view, QAbstractButton, "productBackButton").isVisible()  # a way out, always


def test_images_reach_the_gallery(view: ProductView) -> None:
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    view.set_image_data("/v1/images/SKU-1-2/0.jpg", bytes(data.data()))
    view.set_image_data("/v1/images/SKU-1-2/1.jpg", b"not an image")
    gallery = find(view, Gallery, "productGallery")
    assert gallery.has_image("/v1/images/SKU-1-2/0.jpg")
    assert not gallery.has_image("/v1/images/SKU-1-2/1.jpg")


# -- wired to the real presenter -------------------------------------------------------------------------


def test_view_and_presenter_together(
    qtbot: QtBot, qasync_loop: qasync.QEventLoop, seeded_cache: CacheStore
) -> None:
    sku, _ = most_reviewed(seeded_cache)
    reader = CacheReader(seeded_cache)
    runner = TaskRunner()
    presenter = ProductPresenter(ProductService(reader, STORE), runner, language="en", currency="CZK")
    view = ProductView()
    qtbot.addWidget(view)
    view.resize(1280, 736)
    view.show()
    connect_product(view, presenter)
    try:
        presenter.open(sku)
        qtbot.waitUntil(lambda: view.state.phase == ProductPhase.READY, timeout=10_000)
        assert text(view, "productName") == (seeded_cache.product(sku) or {})["names"]["en"]
        qtbot.mouseClick(find(view, QAbstractButton, "productSortLowest"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.state.reviews is not None and view.state.reviews.sort == "lowest")
        model = find(view, QListView, "productReviewList").model()
        ratings = [model.index(row, 0).data(ReviewRole.RATING) for row in range(model.rowCount())]
        assert ratings == sorted(ratings)
        qtbot.mouseClick(find(view, RatingBar, "productStarFilter5"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.state.reviews is not None and view.state.reviews.stars == frozenset({5}))
        left: list[bool] = []
        presenter.back_requested.connect(lambda: left.append(True))
        qtbot.mouseClick(find(view, QAbstractButton, "productBackButton"), Qt.MouseButton.LeftButton)
        assert left == [True]
    finally:
        presenter.ticker.stop()
        stopping = qasync_loop.create_task(runner.shutdown())
        qtbot.waitUntil(stopping.done)
        reader.close()


def test_a_language_change_redraws_without_duplicating_rows(view: ProductView) -> None:
    QApplication.sendEvent(view, QEvent(QEvent.Type.LanguageChange))
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert len(view.findChildren(QLabel, "productStockName")) == 3
    assert len(view.findChildren(QLabel, "productSpecName")) == 2
    assert text(view, "productStockTitle") == "Availability"
    view.render_state(ready(quantity=2))  # a redraw that changes no row keeps the rows as they are
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert len(view.findChildren(QLabel, "productStockName")) == 3


def test_colours_come_from_the_theme_so_high_contrast_reaches_the_page(
    qtbot: QtBot, qapp: QApplication
) -> None:
    assert apply_theme(qapp, theme=Theme.HIGH_CONTRAST)
    try:
        shown = ProductView(ready(freshness=StockFreshness.OFFLINE, online=False))
        qtbot.addWidget(shown)
        shown.resize(1280, 736)
        shown.show()
        qtbot.waitExposed(shown)
        # A widget's own style sheet wins over the theme's: no widget of the page sets colours itself.
        own = [w.styleSheet() for w in shown.findChildren(QWidget)]
        assert [sheet for sheet in own if "color" in sheet or "background" in sheet] == []

        def colour(label: QLabel) -> str:
            label.ensurePolished()
            return label.palette().color(label.foregroundRole()).name()

        assert colour(find(shown, QLabel, "productStockFreshness")) == "#ff8080"
        assert colour(find(shown, QLabel, "productPrice")) == "#ffffff"
        places = shown.findChildren(QLabel, "productStockPlace")
        assert places
        assert {colour(place) for place in places} == {"#ffffff"}  # muted grey would fail contrast on black
        shown.render_state(ready(freshness=StockFreshness.FRESH))
        assert colour(find(shown, QLabel, "productStockFreshness")) == "#5cff8a"
    finally:
        qapp.setStyleSheet("")
        qapp.setPalette(qapp.style().standardPalette())
