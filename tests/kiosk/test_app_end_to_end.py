"""End to end: the real app (composition root, sync engine) against the real central server on loopback."""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QListView, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import text as sa_text

from central.orders import bump_stock_versions, change_stock
from kiosk.app import KioskApp
from kiosk.services.bag import DRAFT_KIND
from kiosk.services.sync_session import SessionOptions
from kiosk.ui.status.state import NoticeKind, StatusState
from kiosk.ui.widgets.gallery import Gallery
from kiosk.ui.widgets.touch_button import TOUCH_MIN
from offline_cache.data_dir_lock import DataDirBusy, DataDirLock

from .conftest import CentralServer, device_settings

START = 60_000  # ms; generous: a loaded CI machine may be slow
FLIP = 30_000
# Small pages so the first sync takes several steps and shows its progress; quick safety pulls so an
# outage is noticed even if the live event stream is not in use.
OPTIONS = SessionOptions(pull_interval=0.5, page_size=100)


def text(root: QWidget, name: str) -> str:
    label = root.findChild(QLabel, name)
    assert label is not None, f"no QLabel {name!r}"
    return label.text()


def shut_down(app: KioskApp, loop: qasync.QEventLoop, qtbot: QtBot) -> None:
    task = loop.create_task(app.shutdown())
    qtbot.waitUntil(task.done, timeout=FLIP)
    assert task.exception() is None
    assert app.runner.names == []


def test_enrol_first_sync_then_offline_and_back(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    central_server: CentralServer,
    tmp_path: Path,
    themed_app: QApplication,
) -> None:
    store = json.loads(str(central_server.scalar("SELECT data FROM locations WHERE id = 'CZ-PRG-01'")))
    products = central_server.scalar("SELECT count(*) FROM products WHERE NOT deleted")
    categories = central_server.scalar("SELECT count(*) FROM categories WHERE NOT deleted")
    data_dir = tmp_path / "device"
    app = KioskApp(device_settings(central_server, data_dir), session_options=OPTIONS)
    qtbot.addWidget(app.window)
    states: list[StatusState] = []
    app.status.state_changed.connect(states.append)
    ready: list[bool] = []
    app.on_backend_ready(lambda: ready.append(True))
    qasync_loop.create_task(app.start())

    window = app.window
    qtbot.waitUntil(lambda: text(window, "catalogCount") == str(products), timeout=START)
    qtbot.waitUntil(lambda: "Online" in text(window, "connectivityBadge"), timeout=START)
    assert ready == [True]
    assert text(window, "homeStoreName") == store["name"]
    assert store["city"] in text(window, "homeStorePlace")
    assert text(window, "catalogDetail") == f"products in {categories} categories"
    popular = window.findChild(QListView, "homeHighlightsList")
    assert popular is not None
    qtbot.waitUntil(lambda: popular.model().rowCount() == 12, timeout=FLIP)
    # The first sync showed its progress in the strip while it ran, then the bar went away.
    progress = [s.progress for s in states if s.progress is not None]
    assert progress, "no progress was shown during the first sync"
    assert any("Downloading the catalog" in line for line in _messages(states, app))
    qtbot.waitUntil(lambda: app.status.state.progress is None, timeout=START)
    qtbot.waitUntil(lambda: app.engine.status().first_sync_done, timeout=START)
    assert text(window, "lastSyncLabel") == "Synced just now"
    assert text(window, "actionsWaitingLabel") == "Nothing waiting to send"
    assert app.window.current_screen() == "attract"  # kiosk mode: the welcome, once the backend is up
    # What other screens get once the backend is up.
    assert app.cache.location("CZ-PRG-01") is not None
    assert app.outbox.counts()["pending"] == 0
    assert app.location_id == "CZ-PRG-01"

    device = data_dir / "device.json"
    assert stat.S_IMODE(device.stat().st_mode) == 0o600
    assert json.loads(device.read_text())["location_id"] == "CZ-PRG-01"
    with pytest.raises(DataDirBusy):  # kiosk-sync (or a second app) would be refused this folder
        DataDirLock.acquire(data_dir)

    central_server.stop()
    qtbot.waitUntil(lambda: "Offline" in text(window, "connectivityBadge"), timeout=FLIP)
    assert text(window, "statusMessage") == "Working offline with the data from the last sync"
    assert text(window, "catalogCount") == str(products)  # the cache stays on screen
    assert popular.model().rowCount() == 12
    assert app.status.state.notice is None  # no error, let alone a traceback

    central_server.start()  # back, on the same address
    qtbot.waitUntil(lambda: "Online" in text(window, "connectivityBadge"), timeout=FLIP)
    assert app.status.state.actions_waiting == 0
    assert text(window, "actionsWaitingLabel") == "Nothing waiting to send"
    shut_down(app, qasync_loop, qtbot)
    DataDirLock.acquire(data_dir).release()  # shutdown released the folder


def _messages(states: list[StatusState], app: KioskApp) -> list[str]:
    """The strip's message for each state it went through, as the view words it."""
    view = app.status_view
    current = view.state
    lines = []
    for state in states:
        view.render_state(state)
        lines.append(text(view, "statusMessage"))
    view.render_state(current)
    return lines


def test_refused_token_asks_for_re_enrolment_on_screen(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    central_server: CentralServer,
    tmp_path: Path,
    themed_app: QApplication,
) -> None:
    data_dir = tmp_path / "device"
    data_dir.mkdir()
    # A device.json whose token the server never issued (or has since revoked).
    (data_dir / "device.json").write_text(
        json.dumps(
            {
                "device_id": "T-GONE",
                "token": "d.not-a-valid-token",
                "role": "kiosk",
                "location_id": "CZ-PRG-01",
                "central_url": central_server.url,
            }
        )
    )
    app = KioskApp(device_settings(central_server, data_dir, with_key=False), session_options=OPTIONS)
    qtbot.addWidget(app.window)
    qasync_loop.create_task(app.start())

    window = app.window
    qtbot.waitUntil(lambda: text(window, "problemTitle") == "This device needs to be enrolled", timeout=START)
    assert "no longer accepts" in text(window, "problemText")
    notice = app.status.state.notice
    assert notice is not None
    assert notice.kind == NoticeKind.ENROLMENT_NEEDED
    assert "enrolled again" in text(window, "statusMessage")
    retry = window.findChild(QPushButton, "homeRetryButton")
    assert retry is not None
    assert retry.isVisible()
    assert retry.height() >= TOUCH_MIN
    # The folder stays open while a person is needed: what the device has (cache, outbox) is kept.
    with pytest.raises(DataDirBusy):
        DataDirLock.acquire(data_dir)
    shut_down(app, qasync_loop, qtbot)
    DataDirLock.acquire(data_dir).release()


def test_a_folder_in_use_is_said_on_screen_and_retry_connects_once_it_is_free(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    central_server: CentralServer,
    tmp_path: Path,
    themed_app: QApplication,
) -> None:
    data_dir = tmp_path / "device"
    other = DataDirLock.acquire(data_dir)  # as a running kiosk-sync holds it
    app = KioskApp(device_settings(central_server, data_dir), session_options=OPTIONS)
    qtbot.addWidget(app.window)
    qasync_loop.create_task(app.start())
    window = app.window
    qtbot.waitUntil(
        lambda: "Another copy of the app or kiosk-sync" in text(window, "problemText"), timeout=START
    )
    assert text(window, "statusMessage") == "Another copy of the app or kiosk-sync is using this data folder."
    assert app.session is None

    other.release()
    retry = window.findChild(QPushButton, "homeRetryButton")
    assert retry is not None
    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Online" in text(window, "connectivityBadge"), timeout=START)
    assert app.status.state.notice is None
    shut_down(app, qasync_loop, qtbot)


@dataclass(frozen=True)
class _Product:
    sku: str
    gtin: str
    brand: str
    reviews: int


def _product_in_stock_with_reviews(server: CentralServer) -> _Product:
    with server.db.read() as conn:
        row = conn.execute(
            sa_text(
                "SELECT p.sku, p.gtin, p.data, (SELECT count(*) FROM reviews r WHERE r.sku = p.sku) AS n "
                "FROM products p JOIN stock s ON s.sku = p.sku AND s.location_id = 'CZ-PRG-01' "
                "WHERE NOT p.deleted AND s.on_hand - s.reserved > 0 AND p.parent_sku IS NULL "
                "AND (SELECT count(*) FROM reviews r WHERE r.sku = p.sku) > 0 ORDER BY p.sku LIMIT 1"
            )
        ).one()
    return _Product(row.sku, row.gtin, json.loads(row.data)["brand"], int(row.n))


def _other_product(server: CentralServer, sku: str) -> _Product:
    with server.db.read() as conn:
        row = conn.execute(
            sa_text(
                "SELECT sku, gtin, data FROM products "
                "WHERE NOT deleted AND parent_sku IS NULL AND sku <> :sku ORDER BY sku LIMIT 1"
            ),
            {"sku": sku},
        ).one()
    return _Product(row.sku, row.gtin, json.loads(row.data)["brand"], 0)


def _move_stock(server: CentralServer, sku: str, delta: int) -> None:
    """A delivery at the store, written on the server as its own tills would (and poked to devices)."""
    with server.db.write() as tx:
        key = (sku, "CZ-PRG-01")
        assert not change_stock(tx, {key: (delta, 0)})
        bump_stock_versions(tx, [key])


def _here_available(window: QWidget) -> str:
    """The count shown beside this store on the product page ("7 available")."""
    names = window.findChildren(QLabel, "productStockName")
    amounts = window.findChildren(QLabel, "productStockAvailable")
    here = [a.text() for n, a in zip(names, amounts, strict=True) if "(this store)" in n.text()]
    assert len(here) == 1, [n.text() for n in names]
    return here[0]


def _scan(qtbot: QtBot, target: QWidget, code: str) -> None:
    """A keyboard-wedge scanner: the code's keys in one fast burst, then Enter."""
    qtbot.keyClicks(target, code)
    qtbot.keyClick(target, Qt.Key.Key_Return)


def test_browse_search_scan_product_and_stock_through_an_outage(
    qtbot: QtBot,
    qasync_loop: qasync.QEventLoop,
    central_server: CentralServer,
    tmp_path: Path,
    themed_app: QApplication,
) -> None:
    """Issue 4, item 8: sync, search, scan, product with reviews and stock, offline with last-known
    stock, back online with current stock, all through the real app against the real server."""
    product = _product_in_stock_with_reviews(central_server)
    total = int(str(central_server.scalar("SELECT count(*) FROM products WHERE NOT deleted")))
    app = KioskApp(
        device_settings(central_server, tmp_path / "device"),
        session_options=OPTIONS,
    )
    qtbot.addWidget(app.window)
    qasync_loop.create_task(app.start())
    window = app.window
    qtbot.waitUntil(lambda: text(window, "catalogCount") == str(total), timeout=START)
    qtbot.waitUntil(lambda: app.engine.status().first_sync_done, timeout=START)
    qtbot.waitUntil(lambda: app.screens is not None, timeout=FLIP)
    start = window.findChild(QPushButton, "attractStartButton")
    assert start is not None
    qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "home"

    # Home → search: the catalog opens with its search field focused; typing searches as you type.
    home_search = window.findChild(QLineEdit, "homeSearchField")
    assert home_search is not None
    qtbot.mouseClick(home_search, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "catalog"
    field = window.findChild(QLineEdit, "catalogSearchField")
    assert field is not None
    qtbot.waitUntil(field.hasFocus, timeout=FLIP)
    assert app.status_view.isVisible()  # the strip is on every screen
    grid = app.catalog_view.grid_model
    qtbot.waitUntil(lambda: grid.total == total, timeout=FLIP)
    qtbot.keyClicks(field, product.brand)
    qtbot.waitUntil(lambda: 0 < grid.total < total, timeout=FLIP)
    assert field.text() == product.brand
    qtbot.waitUntil(
        lambda: text(window, "catalogResultCount").endswith(("products", "1 product")), timeout=FLIP
    )
    assert all(
        (card := grid.card_at(grid.index(0, column))) is None or card.brand == product.brand
        for column in range(grid.columnCount())
    )

    # A scan while the search field has the focus: the product opens, the field keeps the typed text.
    _scan(qtbot, field, product.gtin)
    qtbot.waitUntil(lambda: window.current_screen() == "product", timeout=FLIP)
    assert field.text() == product.brand
    qtbot.waitUntil(lambda: text(window, "productBrand") == product.brand.upper(), timeout=FLIP)
    reviews = window.findChild(QListView, "productReviewList")
    assert reviews is not None
    qtbot.waitUntil(lambda: reviews.model().rowCount() == min(product.reviews, 20), timeout=FLIP)
    assert text(window, "productReviewCount") != ""
    qtbot.waitUntil(lambda: text(window, "productStockFreshness").startswith("Live stock"), timeout=FLIP)
    before = _here_available(window)
    assert before.endswith("available")
    assert app.status_view.isVisible()
    gallery = window.findChild(Gallery, "productGallery")
    assert gallery is not None
    qtbot.waitUntil(lambda: gallery.has_image(gallery.paths[0]), timeout=FLIP)  # fetched from the central

    # Stock moves on the server: the page follows without a reload.
    count = int(before.split()[0])
    _move_stock(central_server, product.sku, 10)
    qtbot.waitUntil(lambda: _here_available(window) == f"{count + 10} available", timeout=FLIP)

    # The server goes away: offline, and the page keeps the figures, marked as last known.
    central_server.stop()
    qtbot.waitUntil(lambda: "Offline" in text(window, "connectivityBadge"), timeout=FLIP)
    qtbot.waitUntil(
        lambda: text(window, "productStockFreshness").startswith("Offline · last known stock as of"),
        timeout=FLIP,
    )
    freshness = window.findChild(QLabel, "productStockFreshness")
    assert freshness is not None
    assert freshness.property("freshness") == "offline"
    assert _here_available(window) == f"{count + 10} available"
    assert app.status.state.notice is None  # no error, let alone a traceback

    # Back on the same address: online, and the figures current again.
    central_server.start()
    qtbot.waitUntil(lambda: "Online" in text(window, "connectivityBadge"), timeout=FLIP)
    qtbot.waitUntil(lambda: freshness.property("freshness") == "fresh", timeout=FLIP)
    assert text(window, "productStockFreshness").startswith("Live stock · as of")

    # Another product scanned on the product page opens in its place (back still leads to the catalog).
    other = _other_product(central_server, product.sku)
    _scan(qtbot, app.product_view, other.gtin)
    qtbot.waitUntil(lambda: app.product_view.state.sku == other.sku, timeout=FLIP)
    assert window.history.behind == ("home", "catalog")

    # Back to the catalog (its query kept), home, and a scan on the start screen opens the product again.
    back = window.findChild(QPushButton, "productBackButton")
    assert back is not None
    qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "catalog"
    assert field.text() == product.brand
    home = window.findChild(QPushButton, "navigationHomeButton")
    assert home is not None
    assert home.isVisible()
    qtbot.mouseClick(home, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "home"
    _scan(qtbot, app.home_view, product.gtin)
    qtbot.waitUntil(lambda: window.current_screen() == "product", timeout=FLIP)
    assert window.history.behind == ("home",)

    # Into the bag: the bag shows the line (kept as an outbox draft), and back returns to the product.
    add = window.findChild(QPushButton, "productAddToBagButton")
    assert add is not None
    qtbot.waitUntil(add.isEnabled, timeout=FLIP)
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "bag"
    assert app.screens is not None
    bag = app.screens.bag
    qtbot.waitUntil(lambda: bag.state.snapshot.count == 1, timeout=FLIP)
    assert [item.sku for item in bag.state.snapshot.items] == [product.sku]
    assert len(app.outbox.open_drafts(DRAFT_KIND)) == 1
    bag_back = window.findChild(QPushButton, "bagBackButton")
    assert bag_back is not None
    qtbot.mouseClick(bag_back, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "product"
    bag_button = window.findChild(QPushButton, "navigationBagButton")
    assert bag_button is not None
    assert bag_button.isVisible()
    assert bag_button.text() == "Bag · 1"

    # The kiosk's idle reset: the start screen, an empty search and bag, no product of the last customer.
    app.reset_for_next_customer()
    assert window.current_screen() == "attract"
    assert field.text() == ""
    assert app.outbox.open_drafts(DRAFT_KIND) == []
    qtbot.waitUntil(lambda: app.screens is not None and app.screens.product.state.sku is None, timeout=FLIP)
    assert app.product_view.state.detail is None
    qtbot.waitUntil(lambda: grid.total == total, timeout=FLIP)

    # A valid barcode of no product in the catalog, scanned on the start screen: the catalog says so.
    qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
    _scan(qtbot, app.home_view, "4006381333931")
    qtbot.waitUntil(lambda: window.current_screen() == "catalog", timeout=FLIP)
    qtbot.waitUntil(
        lambda: text(window, "catalogScanNotice") == "No product with code 4006381333931.", timeout=FLIP
    )
    shut_down(app, qasync_loop, qtbot)
