"""End to end: an associate device (the real app, real central server) opens a kiosk's bag code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk.app import KioskApp
from kiosk.config import Mode
from kiosk.services.bag import DRAFT_KIND, BagLine
from kiosk.services.handoff import encode
from offline_cache.outbox import new_key

from .conftest import FLIP, CentralServer, device_settings, running_app
from .test_app_end_to_end import _other_product, _product_in_stock_with_reviews


def _text(root: QWidget, name: str) -> str:
    label = root.findChild(QLabel, name)
    assert label is not None, f"no QLabel {name!r}"
    return label.text()


def _scan(qtbot: QtBot, target: QWidget, code: str) -> None:
    """A keyboard-wedge scanner: the code's keys in one fast burst, then Enter (what qtbot.keyClicks does)."""
    del qtbot
    QTest.keyClicks(target, code)
    QTest.keyClick(target, Qt.Key.Key_Return)


@pytest.fixture
def associate_app(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    central_server: CentralServer,
    tmp_path: Path,
    themed_app: QApplication,
) -> Iterator[KioskApp]:
    settings = device_settings(central_server, tmp_path / "associate", Mode.ASSOCIATE)
    with running_app(qtbot, qasync_loop, settings) as app:
        yield app


def test_a_scanned_handoff_code_opens_the_customers_bag_with_its_key(
    qtbot: QtBot, associate_app: KioskApp, central_server: CentralServer
) -> None:
    app, window = associate_app, associate_app.window
    assert not app.kiosk_mode
    first = _product_in_stock_with_reviews(central_server)
    second = _other_product(central_server, first.sku)
    key = new_key()  # the kiosk's bag draft key
    code = encode(key, [BagLine(first.sku, 1), BagLine(second.sku, 2)])
    assert app.screens is not None
    bag = app.screens.bag

    # A damaged code: the bag screen says so, and nothing is opened or written.
    _scan(qtbot, app.home_view, code[:-2])
    qtbot.waitUntil(lambda: window.current_screen() == "bag", timeout=FLIP)
    qtbot.waitUntil(
        lambda: _text(window, "bagNotice") == "This bag code could not be read. Please scan it again.",
        timeout=FLIP,
    )
    assert bag.state.snapshot.is_empty
    assert app.outbox.open_drafts(DRAFT_KIND) == []

    # The whole code, scanned on the start screen: the customer's bag, with the kiosk's key.
    window.show_home()
    _scan(qtbot, app.home_view, code)
    qtbot.waitUntil(lambda: bag.state.snapshot.action_id == key, timeout=FLIP)
    assert window.current_screen() == "bag"
    assert set(bag.state.snapshot.lines) == {BagLine(first.sku, 1), BagLine(second.sku, 2)}
    assert _text(window, "bagNotice") == "Opened the customer's bag."
    [draft] = app.outbox.open_drafts(DRAFT_KIND)
    assert draft.action_id == key

    # The same code once more, scanned on the catalog screen (its own scanner): still one bag, one draft.
    app.open_catalog()
    qtbot.waitUntil(lambda: window.current_screen() == "catalog", timeout=FLIP)
    _scan(qtbot, app.catalog_view, code)
    qtbot.waitUntil(lambda: window.current_screen() == "bag", timeout=FLIP)
    qtbot.waitUntil(lambda: not app.screens or not app.screens.runner.names, timeout=FLIP)
    assert [d.draft_id for d in app.outbox.open_drafts(DRAFT_KIND)] == [draft.draft_id]

    # Another customer's code while this bag still holds products: the bag is kept, the associate told.
    window.show_home()
    _scan(qtbot, app.home_view, encode(new_key(), [BagLine(first.sku, 3)]))
    qtbot.waitUntil(
        lambda: _text(window, "bagNotice").startswith("This bag still holds products."), timeout=FLIP
    )
    assert bag.state.snapshot.action_id == key
    assert [d.draft_id for d in app.outbox.open_drafts(DRAFT_KIND)] == [draft.draft_id]

    # The scanner held at the bag screen itself: a product's barcode opens its page, the bag kept.
    app.open_bag()
    qtbot.waitUntil(lambda: window.current_screen() == "bag", timeout=FLIP)
    _scan(qtbot, app.bag_view, second.gtin)
    qtbot.waitUntil(lambda: window.current_screen() == "product", timeout=FLIP)
    qtbot.waitUntil(lambda: app.product_view.state.sku == second.sku, timeout=FLIP)
    assert bag.state.snapshot.action_id == key
    assert set(bag.state.snapshot.lines) == {BagLine(first.sku, 1), BagLine(second.sku, 2)}


def test_a_kiosk_does_not_open_a_handoff_code(qtbot: QtBot, kiosk: KioskApp) -> None:
    """A customer scanning their own bag's code: the catalog explains it names no product."""
    code = encode(new_key(), [BagLine("SKU-1", 1)])
    kiosk.window.show_home()
    _scan(qtbot, kiosk.home_view, code)
    qtbot.waitUntil(lambda: kiosk.window.current_screen() == "catalog", timeout=FLIP)
    qtbot.waitUntil(
        lambda: _text(kiosk.window, "catalogScanNotice").endswith(
            "” is not a product barcode. Please scan the code on the product."
        ),
        timeout=FLIP,
    )
    assert kiosk.outbox.open_drafts(DRAFT_KIND) == []
    assert kiosk.screens is not None
    assert kiosk.screens.bag.state.snapshot.is_empty
