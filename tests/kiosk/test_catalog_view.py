"""The catalog screen with qtbot: typing, categories, facets, taps, scans, empty and error states, images."""

from __future__ import annotations

import asyncio
import io
import itertools
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import qasync
from PIL import Image
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListWidget,
    QScrollArea,
    QScroller,
    QTreeView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kiosk.services.cache_reader import CacheReader
from kiosk.services.catalog import CatalogService
from kiosk.ui.main_window import MainWindow
from kiosk.ui.models.product_card_delegate import CARD_SIZE, IMAGE_SIZE, MARGIN, CardImages, card_image
from kiosk.ui.models.product_roles import ProductRole
from kiosk.ui.screens.catalog import connect_catalog
from kiosk.ui.screens.catalog.presenter import CatalogPresenter
from kiosk.ui.screens.catalog.state import CatalogProblem, CatalogState, FacetKind
from kiosk.ui.screens.catalog.view import CatalogView
from kiosk.ui.status.view import StatusView
from kiosk.ui.task_runner import TaskRunner
from kiosk.ui.widgets.onscreen_keyboard import OnScreenKeyboard
from kiosk.ui.widgets.touch_button import TOUCH_MIN
from offline_cache.cache_store import CacheStore

from .test_catalog_presenter import HERE, FakeCatalog, gtin_of

RED = (220, 20, 30)


def jpeg(colour: tuple[int, int, int] = RED) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 120), colour).save(out, "JPEG", quality=95)
    return out.getvalue()


class FakeImages:
    """The image service's ``image``: a red square for every path, after ``gate`` opens."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.gate = asyncio.Event()

    async def image(self, path: str) -> bytes | None:
        self.asked.append(path)
        await self.gate.wait()
        return jpeg()


@dataclass
class Screen:
    view: CatalogView
    presenter: CatalogPresenter
    catalog: FakeCatalog
    runner: TaskRunner
    opened: list[str]
    images: FakeImages

    def settled(self) -> bool:
        return not self.runner.names


@pytest.fixture
def screen(qasync_loop: qasync.QEventLoop, qtbot: QtBot, tmp_path: Path) -> Iterator[Screen]:
    cache = CacheStore.open(tmp_path / "cache.db")
    catalog = FakeCatalog(60)
    reader = CacheReader(cache)
    runner = TaskRunner()
    service = CatalogService(reader, lambda _c: catalog)
    presenter = CatalogPresenter(service, runner, here=HERE, debounce=0.01, facet_delay=0.01)
    images = FakeImages()
    card_images = CardImages(images.image)
    view = CatalogView(images=card_images)
    qtbot.addWidget(view)
    connect_catalog(view, presenter)
    opened: list[str] = []
    presenter.product_requested.connect(opened.append)
    view.resize(QSize(300 + 4 * CARD_SIZE.width() + 120, 2 * CARD_SIZE.height() + 260))
    view.show()
    qtbot.waitExposed(view)
    presenter.start()
    rig = Screen(view, presenter, catalog, runner, opened, images)
    qtbot.waitUntil(lambda: rig.settled() and presenter.state.results is not None, timeout=5000)
    yield rig
    card_images.close()
    view.hide()
    reader.close()
    cache.close()


def child[W: QWidget](view: QWidget, kind: type[W], name: str) -> W:
    found = view.findChild(kind, name)
    assert found is not None, name
    return found


def test_first_render_shows_the_catalog(screen: Screen) -> None:
    view = screen.view
    assert child(view, QLabel, "catalogResultCount").text() == "60 products"
    assert view.grid_model.total == 60
    assert view.grid_model.columns == 4
    tree = child(view, QTreeView, "catalogCategoryTree")
    assert tree.model().rowCount() == 2  # Home and Garden
    brands = child(view, QListWidget, "catalogBrandList")
    assert brands.count() == 3
    assert child(view, QAbstractButton, "catalogInStockHere").isEnabled()
    # Finger drags scroll the grid with momentum, pixel by pixel.
    assert QScroller.hasScroller(view.grid.viewport())
    assert view.grid.verticalScrollMode() == QAbstractItemView.ScrollMode.ScrollPerPixel


def test_every_control_has_a_name_and_a_touch_size(screen: Screen) -> None:
    controls: list[QWidget] = [
        w for w in screen.view.findChildren(QWidget) if isinstance(w, QAbstractButton | QLineEdit)
    ]
    controls += [screen.view.grid, child(screen.view, QTreeView, "catalogCategoryTree")]
    controls += screen.view.findChildren(QListWidget)
    for control in controls:
        if isinstance(control.parent(), QLineEdit | QAbstractItemView):
            continue  # Qt's own parts: the field's clear button, the table's corner button
        assert control.objectName().startswith("catalog"), control
        assert control.accessibleName(), control.objectName()
        if isinstance(control, QAbstractButton | QLineEdit):
            assert control.minimumHeight() >= TOUCH_MIN or control.sizeHint().height() >= TOUCH_MIN
    assert child(screen.view, QLineEdit, "catalogSearchField").isClearButtonEnabled()


def test_typing_in_the_search_field_searches(screen: Screen, qtbot: QtBot) -> None:
    field = screen.view.search_field
    field.setFocus()
    qtbot.keyClicks(field, "lamp")
    qtbot.waitUntil(lambda: field.text() == "lamp")  # held by the scanner check for a few ms, then typed
    qtbot.waitUntil(
        lambda: (
            screen.presenter.state.results is not None and screen.presenter.state.results.query.text == "lamp"
        )
    )
    qtbot.waitUntil(screen.settled)
    assert screen.view.grid_model.total == 15
    assert child(screen.view, QLabel, "catalogResultCount").text() == "15 products"
    assert screen.view.grid_model.index(0, 0).data(ProductRole.NAME).startswith("Lamp")


def test_clicking_a_category_filters(screen: Screen, qtbot: QtBot) -> None:
    tree = child(screen.view, QTreeView, "catalogCategoryTree")
    home = tree.model().index(0, 0)
    tree.expand(home)
    chairs = tree.model().index(0, 0, home)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(chairs).center())
    qtbot.waitUntil(lambda: screen.presenter.state.filters.category_id == "chairs")
    qtbot.waitUntil(screen.settled)
    assert screen.view.grid_model.total == 20
    assert "Chairs" in child(screen.view, QLabel, "catalogBreadcrumb").text()
    assert tree.currentIndex() == chairs
    qtbot.mouseClick(child(screen.view, QAbstractButton, "catalogAllCategories"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.presenter.state.filters.category_id is None)


def test_toggling_facets(screen: Screen, qtbot: QtBot) -> None:
    brands = child(screen.view, QListWidget, "catalogBrandList")
    qtbot.waitUntil(lambda: brands.count() == 3)
    item = brands.item(0)
    value = item.data(Qt.ItemDataRole.UserRole + 1)
    qtbot.mouseClick(brands.viewport(), Qt.MouseButton.LeftButton, pos=brands.visualItemRect(item).center())
    qtbot.waitUntil(lambda: screen.presenter.state.filters.brands == {value})
    qtbot.waitUntil(screen.settled)
    assert screen.view.grid_model.total == 20
    assert brands.item(0).checkState() == Qt.CheckState.Checked
    rating = child(screen.view, QAbstractButton, "catalogRating4")
    qtbot.mouseClick(rating, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.presenter.state.filters.min_rating == 4)
    qtbot.waitUntil(screen.settled)
    assert rating.isChecked()
    stock = child(screen.view, QAbstractButton, "catalogInStockHere")
    qtbot.mouseClick(stock, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.presenter.state.filters.in_stock_here)
    qtbot.waitUntil(screen.settled)
    assert stock.isChecked()
    screen.view.search_field.setText("chair")
    qtbot.mouseClick(child(screen.view, QAbstractButton, "catalogClearFilters"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.presenter.state.has_filters)
    assert screen.view.search_field.text() == ""


def test_tapping_a_card_opens_the_product(screen: Screen, qtbot: QtBot) -> None:
    grid = screen.view.grid
    # The first card: kinetic scrolling re-sends a held press to the widget at its global position,
    # and the offscreen test screen is only 800 x 600 px, smaller than this window.
    cell = grid.model().index(0, 0)
    with qtbot.waitSignal(screen.presenter.product_requested, timeout=3000) as opened:
        qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualRect(cell).center())
    assert opened.args == ["SKU-000000"]


def test_a_scan_opens_the_product_and_leaves_the_field_alone(screen: Screen, qtbot: QtBot) -> None:
    field = screen.view.search_field
    field.setFocus()
    qtbot.keyClicks(field, gtin_of(11))
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.opened == ["SKU-000011"])
    qtbot.wait(60)
    assert field.text() == ""
    assert screen.presenter.state.text == ""


def test_a_bad_scan_shows_a_clear_message(screen: Screen, qtbot: QtBot) -> None:
    screen.view.grid.setFocus()
    before = screen.presenter.state.results
    qtbot.keyClicks(screen.view.grid, "4006381333932")  # wrong check digit
    qtbot.keyClick(screen.view.grid, Qt.Key.Key_Return)
    notice = child(screen.view, QLabel, "catalogScanNotice")
    qtbot.waitUntil(notice.isVisible)
    assert "4006381333932" in notice.text()
    assert "not a product barcode" in notice.text()
    assert screen.opened == []
    assert screen.presenter.state.results == before


def test_empty_and_error_states(screen: Screen, qtbot: QtBot) -> None:
    screen.presenter.type_text("xylophone")
    qtbot.waitUntil(lambda: screen.presenter.state.is_empty)
    empty = child(screen.view, QLabel, "catalogEmptyText")
    qtbot.waitUntil(empty.isVisible)
    assert "xylophone" in empty.text()
    clear = child(screen.view, QAbstractButton, "catalogEmptyClear")
    assert clear.isVisible()
    screen.catalog.failing = sqlite3.OperationalError("disk I/O error")
    screen.presenter.type_text("lamp")
    qtbot.waitUntil(lambda: screen.presenter.state.problem == CatalogProblem.UNAVAILABLE)
    error = child(screen.view, QLabel, "catalogErrorText")
    assert error.isVisible()
    screen.catalog.failing = None
    qtbot.mouseClick(child(screen.view, QAbstractButton, "catalogRetry"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.presenter.state.problem is None and screen.settled())
    assert screen.view.grid.isVisible()


def test_capped_counts_read_more_than(qtbot: QtBot, qapp: object) -> None:
    from kiosk.services.catalog import SearchQuery
    from kiosk.ui.screens.catalog.state import Results

    view = CatalogView(kinetic=False)
    qtbot.addWidget(view)
    view.render_state(CatalogState(results=Results(SearchQuery(text="a"), 1, 10_000, True)))
    count = child(view, QLabel, "catalogResultCount").text()
    assert count == "more than 10,000 results"


def test_a_placeholder_until_the_image_arrives_then_only_that_cell_repaints(
    screen: Screen, qtbot: QtBot
) -> None:
    grid = screen.view.grid
    model = screen.view.grid_model
    qtbot.waitUntil(lambda: len(screen.images.asked) >= 4)  # the visible cards asked for their pictures
    cell = model.index(0, 0)
    rect = grid.visualRect(cell)
    probe = QPoint(rect.left() + MARGIN + IMAGE_SIZE.width() // 2, rect.top() + MARGIN + 12)

    def colour() -> QColor:
        return grid.viewport().grab().toImage().pixelColor(probe)

    assert abs(colour().red() - RED[0]) > 30 or colour().green() > 80  # the placeholder, not the photo
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, _roles=(): changed.append((a.row(), a.column())))
    screen.images.gate.set()
    qtbot.waitUntil(lambda: (0, 0) in changed)
    qtbot.waitUntil(lambda: abs(colour().red() - RED[0]) < 25 and colour().green() < 60)
    assert all(a == b for a, b in [(c, c) for c in changed])
    assert len(changed) <= len(set(screen.images.asked))  # one repaint per arrived picture, no more


def test_card_image_is_cut_to_the_card(qapp: object) -> None:
    image = card_image(jpeg())
    assert image.size() == IMAGE_SIZE
    centre = image.pixelColor(IMAGE_SIZE.width() // 2, IMAGE_SIZE.height() // 2)
    assert abs(centre.red() - RED[0]) < 25
    assert image.pixelColor(0, 0).alpha() == 0  # the rounded corner stays transparent
    assert card_image(b"not an image").isNull()


def test_facet_toggles_from_view_reach_the_presenter(screen: Screen, qtbot: QtBot) -> None:
    prices = child(screen.view, QListWidget, "catalogPriceList")
    qtbot.waitUntil(lambda: prices.count() == 2)
    assert prices.item(1).text().startswith("€100 +")  # the band in the store's currency and language
    with qtbot.waitSignal(screen.view.facet_toggled) as toggled:
        qtbot.mouseClick(
            prices.viewport(), Qt.MouseButton.LeftButton, pos=prices.visualItemRect(prices.item(1)).center()
        )
    assert toggled.args == [FacetKind.PRICE_BAND, "10000-"]
    qtbot.waitUntil(lambda: screen.presenter.state.filters.price_band == "10000-")


def test_with_the_keyboard_up_the_filters_scroll_instead_of_squeezing(qtbot: QtBot) -> None:
    window = MainWindow(StatusView())
    qtbot.addWidget(window)
    view = CatalogView()
    window.add_screen("catalog", view)
    keyboard = OnScreenKeyboard("en", window)
    keyboard.hide()
    window.dock_keyboard(keyboard)
    window.resize(1280, 800)  # the kiosk's screen
    window.show_screen("catalog")
    window.show()
    qtbot.waitExposed(window)
    keyboard.show()  # a text field took the focus
    qtbot.waitUntil(lambda: view.height() < 500)
    panel = child(view, QScrollArea, "catalogSidePanel")
    filters: list[QWidget] = [
        child(view, QTreeView, "catalogCategoryTree"),
        *(child(view, QListWidget, name) for name in ("catalogBrandList", "catalogPriceList")),
        *(
            child(view, QAbstractButton, name)
            for name in (
                "catalogAllCategories",
                "catalogRating4",
                "catalogRating3",
                "catalogRating2",
                "catalogInStockHere",
                "catalogClearFilters",
            )
        ),
    ]
    # The panel is shorter than its controls (it would have squeezed them), so it scrolls ...
    assert panel.viewport().height() < panel.widget().minimumSizeHint().height()
    assert panel.verticalScrollBar().maximum() > 0
    # ... and every control keeps a finger's height, none on top of another.
    for control in filters:
        least = 2 * TOUCH_MIN if isinstance(control, QAbstractItemView) else TOUCH_MIN
        assert control.height() >= least, control.objectName()
    column = sorted((c for c in filters if c.x() == 0), key=lambda c: c.mapTo(panel.widget(), QPoint()).y())
    for upper, lower in itertools.pairwise(column):
        bottom = upper.mapTo(panel.widget(), QPoint()).y() + upper.height()
        assert bottom <= lower.mapTo(panel.widget(), QPoint()).y(), upper.objectName()
    # The last one can be scrolled to and stays whole on screen.
    clear = child(view, QAbstractButton, "catalogClearFilters")
    panel.ensureWidgetVisible(clear)
    top = clear.mapTo(panel.viewport(), QPoint(0, 0)).y()
    assert top >= 0
    assert top + clear.height() <= panel.viewport().height()
    assert QScroller.hasScroller(panel.viewport())  # dragged like the grid beside it
    keyboard.hide()
    qtbot.waitUntil(lambda: panel.verticalScrollBar().maximum() == 0)  # without it, all fit again
