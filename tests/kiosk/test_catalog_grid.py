"""The product grid model: model tester, lazy windows at 1,000,000 rows, columns by width, image repaints."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QModelIndex, QSize
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from kiosk.services.catalog import CategoryNode, ProductHit
from kiosk.ui.models.category_tree_model import CATEGORY_ID_ROLE, COUNT_ROLE, CategoryTreeModel
from kiosk.ui.models.product_card_delegate import CARD_SIZE, ProductCardDelegate, badge_text
from kiosk.ui.models.product_grid_model import (
    CardFormatter,
    ProductGridModel,
    availability_of,
)
from kiosk.ui.models.product_roles import Availability, ProductRole
from kiosk.ui.screens.catalog.view import ProductGrid
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.search import available_elsewhere
from tests.kiosk.test_bag import HERE, OTHER_STORE, seed_bag_cache

MILLION = 1_000_000


def hit(position: int) -> ProductHit:
    return ProductHit(
        sku=f"SKU-{position:07d}",
        name=f"Product {position}",
        brand="Acme",
        price_minor=12_990 + position % 100,
        currency="EUR",
        rating_average=4.2,
        rating_count=17,
        image=f"/v1/images/SKU-{position:07d}/0.jpg",
        popularity=MILLION - position,
        available_here=position % 6,
        parent_sku=None,
    )


class FakeHits:
    """A query of ``total`` hits answered by position; records every window asked for."""

    def __init__(self, total: int, *, fail: bool = False) -> None:
        self.total = total
        self.calls: list[tuple[object, int, int]] = []
        self.fail = fail
        self.gate: asyncio.Event | None = None

    async def __call__(self, key: object, offset: int, limit: int) -> Sequence[ProductHit]:
        self.calls.append((key, offset, limit))
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("the cache went away")
        return [hit(p) for p in range(offset, min(offset + limit, self.total))]

    @property
    def offsets(self) -> list[int]:
        return [offset for _, offset, _ in self.calls]


def all_cells(model: ProductGridModel) -> list[QModelIndex]:
    return [model.index(r, c) for r in range(model.rowCount()) for c in range(model.columnCount())]


# -- the model on its own ------------------------------------------------------------------------------


def test_small_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    hits = FakeHits(37)
    model = ProductGridModel(hits, columns=5)
    model.set_results("q", 37, [hit(p) for p in range(37)])
    qtmodeltester.check(model)
    assert (model.rowCount(), model.columnCount()) == (8, 5)
    assert model.index(7, 1).data(ProductRole.SKU) == "SKU-0000036"
    assert model.index(7, 2).data(ProductRole.SKU) is None  # after the last card
    assert not model.flags(model.index(7, 2))
    assert hits.calls == []  # the first window came with the count


def test_model_tester_through_column_changes(qtmodeltester: ModelTester) -> None:
    model = ProductGridModel(FakeHits(23), columns=3)
    model.set_results("q", 23, [hit(p) for p in range(23)])
    qtmodeltester.check(model, force_py=True)
    for columns in (5, 2, 7, 1, 4):
        model.set_columns(columns)
        assert model.rowCount() == -(-23 // columns)
        assert model.index(0, 1 if columns > 1 else 0).data(ProductRole.SKU) == (
            "SKU-0000001" if columns > 1 else "SKU-0000000"
        )


def test_cards_are_formatted_for_the_store() -> None:
    model = ProductGridModel(FakeHits(3), CardFormatter("cs", "CZK"), columns=3)
    czk = ProductHit("S1", "Židle", "Dřevák", 129_900, "CZK", 4.5, 12, None, 1, 2, None)
    eur = ProductHit("S2", "Lampa", "Acme", 1_990, "EUR", 9.0, -3, None, 1, None, None)
    model.set_results("q", 2, [czk, eur])
    first, second = model.index(0, 0), model.index(0, 1)
    assert first.data(ProductRole.PRICE_TEXT).replace("\xa0", " ") == "1 299 Kč"
    assert first.data(ProductRole.AVAILABILITY) == Availability.LOW_STOCK.value
    assert second.data(ProductRole.PRICE_TEXT) == ""  # a price in another currency is not this store's
    assert second.data(ProductRole.RATING) == 5.0  # clamped
    assert second.data(ProductRole.RATING_COUNT) == 0
    assert second.data(ProductRole.AVAILABILITY) == Availability.UNKNOWN.value
    assert "Židle" in first.data(0)


def test_availability_badges() -> None:
    assert availability_of(None) == Availability.UNKNOWN
    assert availability_of(10) == Availability.IN_STOCK
    assert availability_of(2) == Availability.LOW_STOCK
    assert availability_of(0) == Availability.OUT_OF_STOCK
    assert availability_of(0, elsewhere=True) == Availability.ELSEWHERE
    assert badge_text(Availability.ELSEWHERE) == "Available elsewhere"
    assert badge_text(Availability.OUT_OF_STOCK) == "Out of stock"


def test_announced_cells_follow_the_block_edges() -> None:
    model = ProductGridModel(FakeHits(1000), columns=3, block_size=10)
    model.set_results("q", 1000)
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda a, b, _roles=(): changed.append((a.row(), a.column(), b.row(), b.column()))
    )
    model._announce(10, 20)  # positions 10..19 in 3 columns: (3,1)-(3,2), rows 4..5 whole, (6,0)-(6,1)
    assert changed == [(3, 1, 3, 2), (6, 0, 6, 1), (4, 0, 5, 2)]


def test_missing_windows_load_lazily_and_announce_only_their_cells(
    qasync_loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    hits = FakeHits(MILLION)
    model = ProductGridModel(hits, columns=4, block_size=200)
    model.set_results("q", MILLION, [hit(p) for p in range(200)])
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda a, b, _roles=(): changed.append((a.row(), a.column(), b.row(), b.column()))
    )
    cell = model.index(100_000, 1)  # position 400,001: block 2000
    assert cell.data(ProductRole.LOADING) is True
    assert cell.data(ProductRole.SKU) is None
    assert hits.calls == []  # data() never waits; the read is scheduled
    with qtbot.waitSignal(model.block_loaded, timeout=5000):
        pass
    assert hits.calls == [("q", 400_000, 200)]
    assert cell.data(ProductRole.SKU) == "SKU-0400001"
    assert cell.data(ProductRole.LOADING) is False
    # Positions 400,000..400,199 are rows 100,000..100,049 exactly: one rectangle, nothing else.
    assert changed == [(100_000, 0, 100_049, 3)]


def test_a_partial_first_window_is_completed_when_shown(qasync_loop: qasync.QEventLoop, qtbot: QtBot) -> None:
    hits = FakeHits(1000)
    model = ProductGridModel(hits, columns=4, block_size=200)
    model.set_results("q", 1000, [hit(p) for p in range(12)])  # the first 12 came with the count
    assert model.index(2, 3).data(ProductRole.SKU) == "SKU-0000011"
    assert hits.calls == []
    assert model.index(3, 0).data(ProductRole.LOADING) is True  # position 12: beyond what came
    qtbot.waitUntil(lambda: model.index(3, 0).data(ProductRole.SKU) == "SKU-0000012")
    assert hits.calls == [("q", 0, 200)]
    assert model.index(49, 3).data(ProductRole.SKU) == "SKU-0000199"


def test_asks_of_one_paint_are_coalesced(qasync_loop: qasync.QEventLoop, qtbot: QtBot) -> None:
    hits = FakeHits(MILLION)
    model = ProductGridModel(hits, columns=5, block_size=200)
    model.set_results("q", MILLION)
    for row in range(500, 520):
        for column in range(5):
            model.index(row, column).data(ProductRole.NAME)
    qtbot.waitUntil(lambda: len(hits.calls) == 1 and model.index(519, 4).data(ProductRole.SKU) is not None)
    # 100 cells in rows 500..519 are positions 2,500..2,599: all in block 12, read once.
    assert hits.offsets == [2400]


def test_blocks_are_kept_in_a_bounded_lru(qasync_loop: qasync.QEventLoop, qtbot: QtBot) -> None:
    hits = FakeHits(10_000)
    model = ProductGridModel(hits, columns=10, block_size=100, max_blocks=3)
    model.set_results("q", 10_000)

    def loaded(cell: QModelIndex) -> bool:
        return cell.data(ProductRole.SKU) is not None

    for block in range(5):
        cell = model.index(block * 10, 0)
        cell.data(ProductRole.SKU)
        qtbot.waitUntil(partial(loaded, cell))
    cached = [b for b in range(5) if model.card_at(model.index(b * 10, 0)) is not None]
    assert cached == [2, 3, 4]


def test_a_new_query_drops_a_window_in_flight(qasync_loop: qasync.QEventLoop, qtbot: QtBot) -> None:
    hits = FakeHits(MILLION)
    hits.gate = asyncio.Event()
    model = ProductGridModel(hits, columns=4)
    model.set_results("old", MILLION)
    model.index(10, 0).data(ProductRole.SKU)
    qtbot.waitUntil(lambda: len(hits.calls) == 1)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.set_results("new", 10, [hit(p) for p in range(10)])
    hits.gate.set()
    qtbot.wait(50)
    assert resets == [1]
    assert model.total == 10
    assert model.index(0, 0).data(ProductRole.SKU) == "SKU-0000000"
    assert model.index(10, 0).data(ProductRole.SKU) is None


def test_a_failed_window_is_logged_once_not_retried_per_paint(
    qasync_loop: qasync.QEventLoop, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    hits = FakeHits(1000, fail=True)
    model = ProductGridModel(hits, columns=4, block_size=100)
    model.set_results("q", 1000)
    with caplog.at_level(logging.WARNING):
        model.index(30, 0).data(ProductRole.SKU)
        qtbot.waitUntil(lambda: len(hits.calls) == 1)
        qtbot.wait(20)
        for _ in range(5):
            assert model.index(30, 0).data(ProductRole.LOADING) is True
        qtbot.wait(20)
    assert len(hits.calls) == 1
    assert "reading hits 100..200 failed" in caplog.text


def test_image_arrival_repaints_only_its_cell() -> None:
    model = ProductGridModel(FakeHits(50), columns=4)
    model.set_results("q", 50, [hit(p) for p in range(50)])
    changed: list[tuple[int, int, list[int]]] = []
    model.dataChanged.connect(lambda a, b, roles=(): changed.append((a.row(), a.column(), list(roles))))
    model.image_arrived("/v1/images/SKU-0000013/0.jpg")
    model.image_arrived("/v1/images/NOT-SHOWN/0.jpg")
    assert changed == [(3, 1, [int(ProductRole.IMAGE_PATH)])]
    model.set_columns(5)
    changed.clear()
    model.image_arrived("/v1/images/SKU-0000013/0.jpg")
    assert changed == [(2, 3, [int(ProductRole.IMAGE_PATH)])]


class FakeElsewhere:
    """Another location has the products at even positions; records every set of SKUs asked about."""

    def __init__(self, *, fail: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.fail = fail

    async def __call__(self, skus: Sequence[str]) -> frozenset[str]:
        self.calls.append(list(skus))
        await asyncio.sleep(0)
        if self.fail:
            raise RuntimeError("the cache went away")
        return frozenset(sku for sku in skus if int(sku.removeprefix("SKU-")) % 2 == 0)


def test_out_of_stock_cards_on_screen_learn_they_are_available_elsewhere(
    qasync_loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    # hit(p) has p % 6 available here: positions 0, 6, 12 ... are out of stock; the even ones are all
    # of those, so "elsewhere" marks them all but one asked-for odd SKU, which a second batch checks.
    model = ProductGridModel(FakeHits(MILLION), columns=4, block_size=200)
    elsewhere = FakeElsewhere()
    model.set_elsewhere_loader(elsewhere)
    model.set_results("q", MILLION, [hit(p) for p in range(200)])
    model.set_visible_rows(0, 4)  # positions 0..19 on screen
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda a, b, _roles=(): changed.append((a.row(), a.column(), b.row(), b.column()))
    )
    for row in range(5):
        for column in range(4):
            model.index(row, column).data(ProductRole.CARD)
    assert model.index(0, 0).data(ProductRole.AVAILABILITY) == Availability.OUT_OF_STOCK.value  # not yet
    qtbot.waitUntil(lambda: model.index(0, 0).data(ProductRole.AVAILABILITY) == Availability.ELSEWHERE.value)
    # One read for the paint, of the out-of-stock cards only; only their cells were announced.
    assert elsewhere.calls == [["SKU-0000000", "SKU-0000006", "SKU-0000012", "SKU-0000018"]]
    assert changed == [(0, 0, 0, 0), (1, 2, 1, 2), (3, 0, 3, 0), (4, 2, 4, 2)]
    card = model.index(1, 2).data(ProductRole.CARD)
    assert card.availability == Availability.ELSEWHERE
    assert model.card_at(model.index(1, 2)) == card
    assert model.index(0, 1).data(ProductRole.AVAILABILITY) == Availability.LOW_STOCK.value  # 1 here
    # Known answers are not asked again; a card far off screen is not asked about at all.
    model.index(0, 0).data(ProductRole.CARD)
    model.index(100, 0).data(ProductRole.CARD)  # position 400: loading, and not on screen anyway
    qtbot.wait(20)
    assert len(elsewhere.calls) == 1
    # A new query forgets the answers: stock may have moved.
    model.set_results("q2", MILLION, [hit(p) for p in range(200)])
    assert model.index(0, 0).data(ProductRole.AVAILABILITY) == Availability.OUT_OF_STOCK.value
    qtbot.waitUntil(lambda: len(elsewhere.calls) == 2)


def test_a_failed_elsewhere_read_keeps_out_of_stock_and_is_not_retried_per_paint(
    qasync_loop: qasync.QEventLoop, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    model = ProductGridModel(FakeHits(50), columns=4)
    elsewhere = FakeElsewhere(fail=True)
    model.set_elsewhere_loader(elsewhere)
    model.set_results("q", 50, [hit(p) for p in range(50)])
    with caplog.at_level(logging.WARNING):
        model.index(0, 0).data(ProductRole.CARD)
        qtbot.waitUntil(lambda: len(elsewhere.calls) == 1)
        qtbot.wait(20)
        for _ in range(3):
            model.index(0, 0).data(ProductRole.CARD)
        qtbot.wait(20)
    assert len(elsewhere.calls) == 1
    assert model.index(0, 0).data(ProductRole.AVAILABILITY) == Availability.OUT_OF_STOCK.value
    assert "reading stock elsewhere failed" in caplog.text


def test_cards_painted_inside_a_task_that_processes_events_still_learn_it(
    qasync_loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    # A slot run by a task repaints and processes events (the typing benchmark does): a task started
    # right then would be stepped inside the running one, which asyncio refuses, and never finish.
    model = ProductGridModel(FakeHits(50), columns=4)
    elsewhere = FakeElsewhere()
    model.set_elsewhere_loader(elsewhere)
    model.set_results("q", 50, [hit(p) for p in range(50)])

    async def paint_and_process_events() -> None:
        model.index(0, 0).data(ProductRole.CARD)
        for _ in range(5):
            QApplication.processEvents()

    task = qasync_loop.create_task(paint_and_process_events())
    qtbot.waitUntil(task.done)
    assert task.exception() is None
    qtbot.waitUntil(lambda: model.index(0, 0).data(ProductRole.AVAILABILITY) == Availability.ELSEWHERE.value)
    assert elsewhere.calls == [["SKU-0000000"]]


def test_windows_asked_for_inside_a_task_that_processes_events_are_still_read(
    qasync_loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    # The same weakness as above, for the windows of hits: a read started inside the running task
    # would never run, and as it never finished no later ask would start another (the grid stayed
    # skeletons for good).
    hits = FakeHits(MILLION)
    model = ProductGridModel(hits, columns=4, block_size=200)
    model.set_results("q", MILLION, [hit(p) for p in range(200)])
    loaded: list[int] = []
    model.block_loaded.connect(loaded.append)

    async def paint_and_process_events() -> None:
        assert model.index(100, 1).data(ProductRole.LOADING) is True  # position 401: block 2
        for _ in range(5):
            QApplication.processEvents()

    task = qasync_loop.create_task(paint_and_process_events())
    qtbot.waitUntil(task.done)
    assert task.exception() is None
    qtbot.waitUntil(lambda: loaded == [2])
    assert hits.calls == [("q", 400, 200)]
    assert model.index(100, 1).data(ProductRole.SKU) == "SKU-0000401"
    # Later asks, from inside a task or not, are read too: nothing is left stuck.
    model.index(1000, 0).data(ProductRole.SKU)  # position 4,000: block 20
    qtbot.waitUntil(lambda: model.index(1000, 0).data(ProductRole.SKU) == "SKU-0004000")
    assert hits.offsets == [400, 4000]


def test_available_elsewhere_reads_the_other_locations_stock(tmp_path: Path) -> None:
    cache = CacheStore.open(tmp_path / CACHE_FILE)
    try:
        seed_bag_cache(cache)
        asked = ["SKU-CHAIR", "SKU-TABLE", "SKU-GONE", "SKU-RUG", "SKU-LAMP", "NOT-A-SKU", "SKU-CHAIR"]
        # Chair: other store and warehouse; table: warehouse only; gone, lamp: here only; rug: nowhere.
        assert available_elsewhere(cache, asked, HERE) == {"SKU-CHAIR", "SKU-TABLE"}
        assert available_elsewhere(cache, ["SKU-LAMP"], OTHER_STORE) == {"SKU-LAMP"}
        assert available_elsewhere(cache, [], HERE) == frozenset()
    finally:
        cache.close()


# -- the model in its view at 1,000,000 rows ---------------------------------------------------------------


class Host(QWidget):
    """Keeps the grid and its model referenced for as long as the test holds the host."""

    grid: ProductGrid
    model: ProductGridModel


def grid_widget(qtbot: QtBot, hits: FakeHits) -> Host:
    host = Host()
    qtbot.addWidget(host)
    model = ProductGridModel(hits, parent=host)
    grid = ProductGrid(model, ProductCardDelegate(host), host)
    grid.resize(QSize(4 * CARD_SIZE.width() + 40, 2 * CARD_SIZE.height() + 100))
    model.set_results("q", hits.total, [hit(p) for p in range(200)])
    host.grid, host.model = grid, model
    host.show()
    qtbot.waitExposed(host)
    return host


def test_scrolling_to_the_end_reads_only_the_visible_windows(
    qasync_loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    hits = FakeHits(MILLION)
    host = grid_widget(qtbot, hits)
    grid, model = host.grid, host.model
    assert model.columns == 4
    assert model.rowCount() == MILLION // 4
    grid.scrollToBottom()
    qtbot.waitUntil(lambda: model.index(model.rowCount() - 1, 3).data(ProductRole.SKU) is not None)
    qtbot.wait(50)
    assert hits.offsets
    assert min(hits.offsets) >= MILLION - 1000  # nothing between the top and the end was read
    assert len(hits.calls) <= 3
    assert model.index(model.rowCount() - 1, 3).data(ProductRole.SKU) == "SKU-0999999"


def test_a_resize_changes_columns_without_reset_or_reads(
    qasync_loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    hits = FakeHits(MILLION)
    host = grid_widget(qtbot, hits)
    grid, model = host.grid, host.model
    resets: list[int] = []
    model.modelAboutToBeReset.connect(lambda: resets.append(1))
    assert model.columns == 4
    grid.resize(QSize(6 * CARD_SIZE.width() + 40, grid.height()))
    qtbot.waitUntil(lambda: model.columns == 6)
    assert model.rowCount() == -(-MILLION // 6)
    assert model.index(0, 5).data(ProductRole.SKU) == "SKU-0000005"
    assert model.index(1, 0).data(ProductRole.SKU) == "SKU-0000006"
    grid.resize(QSize(2 * CARD_SIZE.width() + 40, grid.height()))
    qtbot.waitUntil(lambda: model.columns == 2)
    assert model.index(1, 0).data(ProductRole.SKU) == "SKU-0000002"
    qtbot.wait(30)
    assert resets == []
    assert hits.calls == []  # the first 200 hits cover the top rows at every width


# -- the category tree ---------------------------------------------------------------------------------------


def test_category_tree_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = CategoryTreeModel()
    model.set_categories(
        [
            CategoryNode("b", None, "Garden", 2, 40),
            CategoryNode("a", None, "Home", 1, 60),
            CategoryNode("a1", "a", "Chairs", 2, 25),
            CategoryNode("a0", "a", "Lamps", 1, 35),
            CategoryNode("x", "missing", "Orphan", 3, 1),  # parent unknown: shown at the top level
            CategoryNode("c1", "c2", "Loop 1", 1, 0),  # a cycle in damaged data: cut, shown once
            CategoryNode("c2", "c1", "Loop 2", 1, 0),
            CategoryNode("a", None, "Duplicate", 9, 0),
        ]
    )
    qtmodeltester.check(model)
    top = [model.index(r, 0).data(CATEGORY_ID_ROLE) for r in range(model.rowCount())]
    # By position, then name; the orphan and the cut end of the cycle are top-level nodes.
    assert top == ["a", "c1", "b", "x"]
    home = model.index_of("a")
    assert [model.index(r, 0, home).data(CATEGORY_ID_ROLE) for r in range(model.rowCount(home))] == [
        "a0",
        "a1",
    ]
    assert model.index_of("a1").parent() == home
    assert model.index_of("a1").data(COUNT_ROLE) == 25
    assert model.index_of("a").data() == "Home  (60)"
    assert not model.index_of("nope").isValid()
    total = 0
    stack = [QModelIndex()]
    while stack:
        parent = stack.pop()
        for r in range(model.rowCount(parent)):
            total += 1
            stack.append(model.index(r, 0, parent))
    assert total == 7  # every unique node exactly once
