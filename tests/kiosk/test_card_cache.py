"""The card delegate's drawn-card cache, its per-frame budget for new cards, and drawing ahead."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace

import pytest
import qasync
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from kiosk.services.catalog import ProductHit, SearchQuery
from kiosk.ui.models import product_card_delegate
from kiosk.ui.models.product_card_delegate import CARD_SIZE, MARGIN, SKELETON, CardImages, ProductCardDelegate
from kiosk.ui.models.product_grid_model import CardFormatter, ProductGridModel
from kiosk.ui.screens.catalog import view as catalog_view
from kiosk.ui.screens.catalog.state import CatalogState, Results
from kiosk.ui.screens.catalog.view import CatalogView
from tests.fixtures.product_hits import FAKE_CURRENCY, fake_hit

SENTINEL = QColor("#ff00ff")
TOTAL = 5_000


async def window(key: object, offset: int, limit: int) -> list[ProductHit]:
    del key
    return [fake_hit(p) for p in range(offset, min(offset + limit, TOTAL))]


@pytest.fixture
def model(qapp: QApplication) -> Iterator[ProductGridModel]:
    grid = ProductGridModel(window, CardFormatter("cs", FAKE_CURRENCY), columns=4)
    grid.set_results("all", TOTAL, [fake_hit(p) for p in range(40)])
    yield grid
    grid.close()


def paint(delegate: ProductCardDelegate, model: ProductGridModel, cells: list[int]) -> QImage:
    """The cards at ``cells`` (positions) side by side on a sentinel-coloured image."""
    image = QImage(
        len(cells) * CARD_SIZE.width(), CARD_SIZE.height(), QImage.Format.Format_ARGB32_Premultiplied
    )
    image.fill(SENTINEL)
    painter = QPainter(image)
    option = QStyleOptionViewItem()
    for slot, position in enumerate(cells):
        option.rect = QRect(slot * CARD_SIZE.width(), 0, CARD_SIZE.width(), CARD_SIZE.height())
        delegate.paint(painter, option, model.index(*divmod(position, model.columns)))
    painter.end()
    return image


def card_pixels(image: QImage, slot: int) -> QImage:
    return image.copy(QRect(slot * CARD_SIZE.width(), 0, CARD_SIZE.width(), CARD_SIZE.height()))


def in_picture_area(image: QImage, slot: int) -> QColor:
    """A pixel of the card's picture area away from the badge and the letter: placeholder or skeleton."""
    return image.pixelColor(QPoint(slot * CARD_SIZE.width() + CARD_SIZE.width() - MARGIN - 12, MARGIN + 130))


def test_a_card_is_drawn_once_then_copied(model: ProductGridModel) -> None:
    delegate = ProductCardDelegate()
    first = paint(delegate, model, [0, 1])
    assert delegate.cached_cards == 2
    again = paint(delegate, model, [0, 1])
    assert delegate.cached_cards == 2  # nothing drawn a second time
    assert card_pixels(again, 0) == card_pixels(first, 0)
    assert card_pixels(first, 0) != card_pixels(first, 1)
    assert first.pixelColor(1, 1) == SENTINEL  # the margins stay the view's own


def test_the_cache_stays_within_its_budget(model: ProductGridModel) -> None:
    card_bytes = CARD_SIZE.width() * CARD_SIZE.height() * 4
    delegate = ProductCardDelegate(card_budget=3 * card_bytes)
    reference = paint(ProductCardDelegate(), model, list(range(10)))
    image = paint(delegate, model, list(range(10)))
    assert delegate.cached_cards == 3
    assert image == reference  # drawing into reused pixmaps changes no pixel


def test_on_a_known_background_cards_cover_their_whole_cell(model: ProductGridModel) -> None:
    delegate = ProductCardDelegate()
    delegate.set_background(QColor("#f3f4f6"))
    image = paint(delegate, model, [0])
    assert image.pixelColor(1, 1) == QColor("#f3f4f6")
    plain = paint(ProductCardDelegate(), model, [0])
    # Inside the card the pixels are the same as over any background.
    inner = QRect(MARGIN + 4, MARGIN + 20, CARD_SIZE.width() - 2 * MARGIN - 8, 200)
    assert image.copy(inner) == plain.copy(inner)


def test_a_frame_out_of_time_leaves_new_cards_for_the_next(model: ProductGridModel) -> None:
    delegate = ProductCardDelegate()
    delegate.begin_frame(0.0)
    image = paint(delegate, model, [0, 1, 2])
    assert delegate.end_frame() == [(0, 1), (0, 2)]  # the first new card is always drawn
    assert delegate.cached_cards == 1
    assert in_picture_area(image, 0) != SKELETON
    assert in_picture_area(image, 1) == SKELETON
    delegate.begin_frame(60.0)  # time enough on any machine
    image = paint(delegate, model, [0, 1, 2])
    assert delegate.end_frame() == []
    assert in_picture_area(image, 1) != SKELETON
    assert card_pixels(image, 1) == card_pixels(paint(ProductCardDelegate(), model, [1]), 0)


def test_cards_drawn_ahead_cost_a_frame_nothing(model: ProductGridModel) -> None:
    delegate = ProductCardDelegate()
    card = model.card_at(model.index(0, 3))
    assert card is not None
    assert delegate.prepare(card, CARD_SIZE, 1.0) is True
    assert delegate.prepare(card, CARD_SIZE, 1.0) is False  # already there: callers stop early
    delegate.begin_frame(0.0)
    paint(delegate, model, [2, 3])
    assert delegate.end_frame() == []  # card 2 is the frame's one new card, card 3 was ready
    assert delegate.cached_cards == 2


def test_a_changed_card_is_drawn_again(model: ProductGridModel) -> None:
    delegate = ProductCardDelegate()
    before = paint(delegate, model, [0])
    model.set_results(
        "all", TOTAL, [replace(fake_hit(0), price_minor=99_900), *(fake_hit(p) for p in range(1, 40))]
    )
    after = paint(delegate, model, [0])
    assert delegate.cached_cards == 2
    assert after != before


def test_cells_after_the_last_card_paint_nothing(model: ProductGridModel) -> None:
    model.set_results("few", 2, [fake_hit(0), fake_hit(1)])
    delegate = ProductCardDelegate()
    image = paint(delegate, model, [0, 3])
    assert card_pixels(image, 1).pixelColor(CARD_SIZE.width() // 2, CARD_SIZE.height() // 2) == SENTINEL
    delegate.set_background(QColor("#ffffff"))
    image = paint(delegate, model, [3])
    assert image.pixelColor(CARD_SIZE.width() // 2, CARD_SIZE.height() // 2) == QColor("#ffffff")


# -- the grid's frames -------------------------------------------------------------------------------


def results(serial: int, total: int = TOTAL) -> CatalogState:
    first = tuple(fake_hit(p) for p in range(60))
    return CatalogState(currency=FAKE_CURRENCY, results=Results(SearchQuery(), serial, total, False, first))


@pytest.fixture
def grid_view(qasync_loop: qasync.QEventLoop, qtbot: QtBot) -> Iterator[CatalogView]:
    view = CatalogView(kinetic=False)
    qtbot.addWidget(view)
    view.set_hit_loader(window)
    view.resize(QSize(300 + 4 * CARD_SIZE.width() + 120, 2 * CARD_SIZE.height() + 260))
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.shutdown()


def test_cards_left_by_a_short_frame_are_drawn_in_the_next(
    grid_view: CatalogView, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog_view, "SETTLE_BUDGET", 0.0)
    monkeypatch.setattr(product_card_delegate, "FRAME_BUDGET", 0.0)
    grid_view.render_state(results(1))
    grid = grid_view.grid
    grid.viewport().repaint()
    assert grid.deferred_cells > 0  # one new card per frame at most
    qtbot.waitUntil(lambda: grid.deferred_cells == 0)
    image = grid.viewport().grab().toImage()
    for column in range(grid_view.grid_model.columns):
        rect = grid.visualRect(grid_view.grid_model.index(0, column))
        probe = QPoint(rect.right() - MARGIN - 12, rect.top() + MARGIN + 130)
        assert image.pixelColor(probe) != SKELETON


def test_rows_below_the_screen_are_drawn_while_idle(grid_view: CatalogView, qtbot: QtBot) -> None:
    grid_view.render_state(results(1))
    grid = grid_view.grid
    model = grid_view.grid_model
    grid.viewport().repaint()
    qtbot.waitUntil(lambda: grid.deferred_cells == 0)
    last = grid.rowAt(grid.viewport().height() - 1)
    next_row = [model.card_at(model.index(last + 1, c)) for c in range(model.columns)]
    delegate = grid.itemDelegate()
    assert isinstance(delegate, ProductCardDelegate)
    dpr = grid.viewport().devicePixelRatioF()

    def ahead() -> bool:
        # prepare() is False for a card drawn already.
        return all(card is not None and not delegate.prepare(card, CARD_SIZE, dpr) for card in next_row)

    qtbot.waitUntil(ahead)


def test_a_hidden_grid_draws_nothing_ahead(grid_view: CatalogView, qtbot: QtBot) -> None:
    grid_view.render_state(results(1))
    grid = grid_view.grid
    grid.viewport().repaint()
    delegate = grid.itemDelegate()
    assert isinstance(delegate, ProductCardDelegate)
    grid_view.hide()
    cached = delegate.cached_cards
    qtbot.wait(50)
    assert delegate.cached_cards == cached


async def test_aclose_returns_once_the_cancelled_picture_loads_have_unwound(qapp: QApplication) -> None:
    """The app closes its HTTP client right after: no download may still be on it then."""
    started = asyncio.Event()
    unwound: list[str] = []

    async def fetch(path: str) -> bytes | None:
        started.set()
        try:
            await asyncio.sleep(3600)
        finally:
            unwound.append(path)
        return None

    images = CardImages(fetch)
    assert images.pixmap("/v1/images/SKU-1/0.jpg") is None
    await started.wait()
    assert images.pending == 1
    await images.aclose()
    assert unwound == ["/v1/images/SKU-1/0.jpg"]
    assert images.pending == 0
    # Cards painted while the rest of the app shuts down get placeholders and start no download.
    assert images.pixmap("/v1/images/SKU-2/0.jpg") is None
    assert images.pending == 0
