"""The bag screen: presenter over the real service, the view's controls, the list model, the handoff code."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QStackedWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from kiosk.services.bag import DRAFT_KIND, BagItem, BagLine, BagService, BagSnapshot
from kiosk.services.cache_reader import CacheReader
from kiosk.services.handoff import decode
from kiosk.ui.models.bag_model import BagModel, BagRole
from kiosk.ui.screens.bag.presenter import BagPresenter
from kiosk.ui.screens.bag.state import BagNotice, BagPhase, BagState
from kiosk.ui.screens.bag.view import BagView, connect_bag
from kiosk.ui.task_runner import TaskRunner
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.outbox import OUTBOX_FILE, Outbox
from tests.kiosk.test_bag import HERE, seed_bag_cache

from .conftest import settle_runner


@dataclass
class Screen:
    presenter: BagPresenter
    view: BagView
    runner: TaskRunner
    outbox: Outbox
    counts: list[int]

    async def settle(self) -> None:
        await settle_runner(self.runner)

    def click(self, qtbot: QtBot, name: str) -> None:
        button = self.view.findChild(QAbstractButton, name)
        assert button is not None, name
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def notice(self) -> str:
        return self.view.findChild(QLabel, "bagNotice").text()

    def lines(self) -> tuple[BagLine, ...]:
        return self.presenter.state.snapshot.lines


@pytest.fixture
async def screen(tmp_path: Path, qtbot: QtBot, qapp: QApplication) -> AsyncIterator[Screen]:
    cache = CacheStore.open(tmp_path / CACHE_FILE)
    seed_bag_cache(cache)
    outbox = Outbox.open(tmp_path / OUTBOX_FILE, "kiosk-1")
    reader = CacheReader(cache)
    runner = TaskRunner()
    presenter = BagPresenter(BagService(reader, outbox, HERE, "CZK"), runner, language="cs")
    view = BagView()
    qtbot.addWidget(view)
    connect_bag(view, presenter)
    view.resize(1280, 800)
    view.show()
    counts: list[int] = []
    presenter.count_changed.connect(counts.append)
    yield Screen(presenter, view, runner, outbox, counts)
    await runner.shutdown()
    reader.close()
    outbox.close()
    cache.close()


async def test_lines_from_the_product_page_show_with_availability(screen: Screen) -> None:
    screen.presenter.add("SKU-CHAIR", 2)  # the product page's add_to_bag_requested
    screen.presenter.add("SKU-TABLE", 1)
    await screen.settle()
    model = screen.view.model
    assert model.rowCount() == 2
    first, second = model.index(0), model.index(1)
    assert model.data(first, BagRole.NAME) == "Židle Tora"
    assert model.data(first, BagRole.AVAILABILITY) == "3 in this store"
    assert model.data(first, BagRole.TONE) == "ok"
    assert model.data(second, BagRole.AVAILABILITY) == "From another store or warehouse (2 available)"
    assert str(model.data(first, BagRole.LINE_TOTAL)).replace("\xa0", " ") == "2 598 Kč"
    assert screen.notice() == "Added to your bag."
    total = screen.view.findChild(QLabel, "bagTotal").text().replace("\xa0", " ")
    assert total == "Total: 7 597,50 Kč (3 items)"
    assert screen.counts == [2, 3]


async def test_typed_quantities_are_checked_and_bad_ones_change_nothing(qtbot: QtBot, screen: Screen) -> None:
    await screen.presenter.add_line("SKU-CHAIR", 1)
    field = screen.view.findChild(QLineEdit, "bagQuantity")
    for bad in ("abc", "0", "-1", "1.5", "", " "):
        field.setText(bad)
        field.returnPressed.emit()
        await screen.settle()
        assert screen.lines() == (BagLine("SKU-CHAIR", 1),), bad
        assert screen.presenter.state.notice == BagNotice.BAD_QUANTITY
        assert screen.notice() == "Please enter a whole number from 1 to 8."
    field.setText("9")
    field.returnPressed.emit()
    await screen.settle()
    assert screen.lines() == (BagLine("SKU-CHAIR", 1),)
    assert screen.notice() == "Only 8 available."
    field.setText("5")
    field.returnPressed.emit()
    await screen.settle()
    assert screen.lines() == (BagLine("SKU-CHAIR", 5),)
    assert field.text() == "5"


async def test_plus_minus_and_remove_act_on_the_chosen_line(qtbot: QtBot, screen: Screen) -> None:
    await screen.presenter.add_line("SKU-CHAIR", 1)
    await screen.presenter.add_line("SKU-TABLE", 2)
    assert screen.presenter.state.selected == "SKU-TABLE"  # the line just added
    assert not screen.view.findChild(QAbstractButton, "bagIncrease").isEnabled()  # 2 is all there is
    screen.click(qtbot, "bagDecrease")
    await screen.settle()
    assert screen.lines() == (BagLine("SKU-CHAIR", 1), BagLine("SKU-TABLE", 1))
    assert not screen.view.findChild(QAbstractButton, "bagDecrease").isEnabled()  # never below 1
    screen.presenter.select("SKU-CHAIR")
    screen.click(qtbot, "bagIncrease")
    await screen.settle()
    assert screen.lines() == (BagLine("SKU-CHAIR", 2), BagLine("SKU-TABLE", 1))
    screen.click(qtbot, "bagRemove")
    await screen.settle()
    assert screen.lines() == (BagLine("SKU-TABLE", 1),)
    assert screen.presenter.state.selected == "SKU-TABLE"
    (draft,) = screen.outbox.open_drafts(DRAFT_KIND)
    assert draft.body["lines"] == [{"sku": "SKU-TABLE", "qty": 1}]


async def test_emptying_the_bag_takes_two_taps_and_discards_its_draft(qtbot: QtBot, screen: Screen) -> None:
    """An associate done with a customer's bag (or a customer starting over) empties it in two taps;
    the second must follow the first, with nothing else done in between."""
    await screen.presenter.add_line("SKU-CHAIR", 1)
    await screen.presenter.add_line("SKU-TABLE", 2)
    button = screen.view.findChild(QAbstractButton, "bagClearButton")
    assert button is not None
    assert button.isVisible()
    assert button.text() == "Empty the bag"

    screen.click(qtbot, "bagClearButton")  # asks first
    assert screen.notice() == "Tap “Empty the bag” again to remove every product."
    assert len(screen.lines()) == 2
    screen.click(qtbot, "bagDecrease")  # something else in between: the question lapses
    await screen.settle()
    assert screen.presenter.state.notice == BagNotice.NONE
    screen.click(qtbot, "bagClearButton")
    assert len(screen.lines()) == 2

    screen.click(qtbot, "bagClearButton")  # the second tap, right after the question
    await screen.settle()
    assert screen.presenter.state.snapshot.is_empty
    assert screen.outbox.open_drafts(DRAFT_KIND) == []
    assert screen.notice() == ""
    assert screen.counts[-1] == 0
    assert not button.isVisible()  # nothing to empty
    assert screen.view.findChild(QLabel, "bagEmpty").isVisible()

    await screen.presenter.add_line("SKU-CHAIR", 1)  # a new bag: a new draft, with a new key
    (draft,) = screen.outbox.open_drafts(DRAFT_KIND)
    assert draft.body["lines"] == [{"sku": "SKU-CHAIR", "qty": 1}]


async def test_refusals_are_worded_for_the_customer(screen: Screen) -> None:
    await screen.presenter.add_line("SKU-LAMP", 1)
    assert screen.notice() == "This product is not sold in this store's currency."
    await screen.presenter.add_line("SKU-GONE", 1)
    assert screen.notice() == "Sorry, this product is out of stock."
    await screen.presenter.add_line("SKU-NOPE", 1)
    assert screen.notice() == "This product is not in the catalog on this kiosk."
    assert screen.lines() == ()
    assert screen.view.findChild(QLabel, "bagNotice").property("tone") == "error"


async def test_the_handoff_code_names_the_bag_as_it_is(qtbot: QtBot, screen: Screen) -> None:
    screen.click(qtbot, "bagHandoffButton")  # disabled while empty
    assert screen.presenter.state.handoff_code == ""
    screen.presenter.show_handoff()
    assert screen.presenter.state.notice == BagNotice.EMPTY_HANDOFF
    await screen.presenter.add_line("SKU-CHAIR", 2)
    screen.click(qtbot, "bagHandoffButton")
    code = screen.presenter.state.handoff_code
    assert code
    pages = screen.view.findChild(QStackedWidget, "bagPages")
    assert pages.currentIndex() == 1
    assert screen.view.code_view.text == code
    bag = decode(code)
    assert bag.action_id == screen.presenter.state.snapshot.action_id
    assert bag.lines == (BagLine("SKU-CHAIR", 2),)
    await screen.presenter.add_line("SKU-TABLE", 1)  # e.g. a scan while the code is up
    assert decode(screen.presenter.state.handoff_code).lines == (
        BagLine("SKU-CHAIR", 2),
        BagLine("SKU-TABLE", 1),
    )
    screen.click(qtbot, "bagHandoffClose")
    assert pages.currentIndex() == 0


async def test_the_bag_comes_back_after_a_restart_and_a_damaged_one_is_said(
    screen: Screen, tmp_path: Path
) -> None:
    await screen.presenter.add_line("SKU-CHAIR", 2)
    screen.presenter.start()
    await screen.settle()
    assert screen.presenter.state.phase == BagPhase.READY
    assert screen.lines() == (BagLine("SKU-CHAIR", 2),)
    conn = sqlite3.connect(tmp_path / OUTBOX_FILE)
    with conn:
        conn.execute('UPDATE draft SET body = \'{"v": 1, "lines": [{"sku": "SKU-CHAIR", "qty": 1000}]}\'')
    conn.close()
    screen.presenter.start()
    await screen.settle()
    assert screen.lines() == ()
    assert screen.notice() == "A saved bag could not be read back. Please start a new one."


async def test_a_language_switch_reads_the_names_again(screen: Screen) -> None:
    await screen.presenter.add_line("SKU-CHAIR", 1)
    screen.presenter.set_language("en")
    await screen.settle()
    assert screen.view.model.data(screen.view.model.index(0), BagRole.NAME) == "Tora chair"


def test_the_model_passes_the_model_tester(qtmodeltester: ModelTester, qapp: QApplication) -> None:
    model = BagModel()
    item = BagItem("SKU-1", 2, True, "Židle", "Acme", 129900, 1, 5, True)
    model.set_snapshot(
        BagSnapshot("k", "CZK", (item, BagItem("SKU-2", 1, False, "SKU-2", "", None, None, 0, False))), "cs"
    )
    qtmodeltester.check(model, force_py=True)
    assert (
        model.data(model.index(0), BagRole.AVAILABILITY) == "1 in this store, the rest from another location"
    )
    assert model.data(model.index(1), BagRole.AVAILABILITY) == "No longer in the catalog"
    assert model.data(model.index(0), Qt.ItemDataRole.AccessibleTextRole).startswith("Židle, quantity 2")
    model.set_snapshot(BagSnapshot(None, "CZK"), "cs")
    qtmodeltester.check(model, force_py=True)


@pytest.mark.parametrize(
    ("qty", "expected"), [(1, "Total: 1 299 Kč (1 item)"), (2, "Total: 2 598 Kč (2 items)")]
)
def test_the_total_reads_as_english_for_one_item_and_for_more(qtbot: QtBot, qty: int, expected: str) -> None:
    # Czech digits, English words (no translator installed): English has no translation file, so its
    # singular is a message of its own rather than "%n item(s)".
    item = BagItem("SKU-1", qty, True, "Tora chair", "Acme", 129900, 5, 0, True)
    view = BagView(BagState(BagPhase.READY, BagSnapshot("k", "CZK", (item,)), language="cs"))
    qtbot.addWidget(view)
    total = view.findChild(QLabel, "bagTotal")
    assert total is not None
    assert total.text().replace("\xa0", " ") == expected
