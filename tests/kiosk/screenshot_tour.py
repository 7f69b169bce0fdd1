"""A tour of the real app on a real X display, saving a screenshot of each main screen (test_screenshots).

Run in its own process with ``QT_QPA_PLATFORM=xcb`` and ``DISPLAY`` set (the test suite runs Qt
offscreen, and a Qt process cannot switch platforms): ``python -m tests.kiosk.screenshot_tour OUT WORK``.
It seeds a small demo central in WORK, serves it on loopback, runs the kiosk against it full screen,
walks attract (where kiosk mode lands) → home in high contrast → home → catalog with the on-screen
keyboard (a search) → catalog → product page → bag → the product page offline, and writes one PNG per
screen into OUT. Exit status 0 only when every screenshot was taken.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import text

from central.auth import create_enrolment_key
from central.db import Database
from central.seed import seed
from central.server import ServerThread
from kiosk.app import KioskApp
from kiosk.config import Mode, Settings
from kiosk.services.sync_session import SessionOptions
from kiosk.ui.navigation import ATTRACT, BAG, CATALOG, HOME, PRODUCT
from kiosk.ui.screens.product.state import ProductPhase
from kiosk.ui.theme import apply_locale, apply_theme
from kiosk.ui.widgets.gallery import Gallery

LOCATION = "CZ-PRG-01"
PRODUCTS = 300
SEARCH = "lamp"
STEP_TIMEOUT = 60.0
SETTLE = 0.6  # seconds for pictures and layouts to arrive before a screenshot

log = logging.getLogger("screenshot-tour")


async def _until(what: str, condition: Callable[[], bool]) -> None:
    """Poll ``condition`` on the loop (Qt keeps painting meanwhile) for at most STEP_TIMEOUT seconds."""
    try:
        async with asyncio.timeout(STEP_TIMEOUT):
            while not condition():  # noqa: ASYNC110 - a plain condition on Qt state: nothing to wait on
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise TimeoutError(f"waited {STEP_TIMEOUT:.0f} s for {what}") from None


async def _settle(app: KioskApp) -> None:
    """Until no card picture is loading (a few seconds at most), then a moment for painting."""
    try:
        async with asyncio.timeout(5):
            while app.card_images.pending:  # noqa: ASYNC110 - a count on Qt state: nothing to wait on
                await asyncio.sleep(0.05)
    except TimeoutError:
        log.info("card pictures still loading; taking the screenshot anyway")
    await asyncio.sleep(SETTLE)


def _shoot(out: Path, name: str) -> None:
    screen = QGuiApplication.primaryScreen()
    pixmap = screen.grabWindow(0)
    path = out / f"{name}.png"
    if not pixmap.save(str(path), "PNG"):
        raise RuntimeError(f"could not save {path}")
    log.info("saved %s (%dx%d)", path, pixmap.width(), pixmap.height())


def _product_to_show(db: Database) -> str:
    """A product of the search's results with reviews, pictures and stock in this store."""
    with db.read() as conn:
        rows = conn.execute(
            text(
                "SELECT p.sku, p.data FROM products p "
                "JOIN stock s ON s.sku = p.sku AND s.location_id = :here "
                "WHERE NOT p.deleted AND s.on_hand - s.reserved > 0 ORDER BY p.sku"
            ),
            {"here": LOCATION},
        ).all()
    for row in rows:
        data = json.loads(row.data)
        if SEARCH in data["names"]["en"].lower() and data["rating"]["count"] >= 5 and data["images"]:
            return str(row.sku)
    raise RuntimeError(f"no product matching {SEARCH!r} with reviews and stock")


async def tour(out: Path, work: Path) -> None:
    db = Database(f"sqlite:///{work / 'central.db'}")
    seed(db, products=PRODUCTS, seed_value=42, with_orders=False)
    server = ServerThread(db).start()
    try:
        settings = Settings(
            demo=False,
            central_url=server.url,
            data_dir=work / "device",
            mode=Mode.KIOSK,
            enrol_key=create_enrolment_key(db, LOCATION, "kiosk"),
            location=LOCATION,
            language="en",
        )
        app = KioskApp(settings, session_options=SessionOptions(pull_interval=1.0))
        await app.start()
        try:
            await _walk(app, db, server, out)
        finally:
            await app.shutdown()
    finally:
        server.stop()
        db.dispose()


async def _walk(app: KioskApp, db: Database, server: ServerThread, out: Path) -> None:
    window = app.window
    await _until("the first sync", lambda: app.session is not None and app.engine.status().first_sync_done)
    await _until("the browsing screens", lambda: app.screens is not None)
    await _until("popular products", lambda: len(app.home.state.popular) > 0)
    await _until("the attract screen", lambda: window.current_screen() == ATTRACT)
    await _settle(app)
    _shoot(out, ATTRACT)

    # High contrast is chosen on the attract screen; the start screen shows more of what it changes.
    contrast = app.attract_view.findChild(QPushButton, "attractContrastToggle")
    start = app.attract_view.findChild(QPushButton, "attractStartButton")
    assert contrast is not None
    assert start is not None
    QTest.mouseClick(contrast, Qt.MouseButton.LeftButton)
    QTest.mouseClick(start, Qt.MouseButton.LeftButton)
    await _until("the start screen", lambda: window.current_screen() == HOME)
    await _settle(app)
    _shoot(out, "home-high-contrast")
    app.attract.toggle_high_contrast()
    await _settle(app)
    _shoot(out, HOME)

    app.open_search()
    await _until("the on-screen keyboard", app.keyboard.isVisible)
    for row, column in _key_positions(app, SEARCH):
        # A person's pace on the on-screen keyboard (a scanner's burst would be taken for a scan).
        QTest.mouseClick(app.keyboard.key_button(row, column), Qt.MouseButton.LeftButton)
        await asyncio.sleep(0.12)
    await _until("the typed search", lambda: app.catalog_view.search_field.text() == SEARCH)
    grid = app.catalog_view.grid_model
    await _until("search results", lambda: 0 < grid.total < PRODUCTS and app.screens is not None)
    await _until(
        "facets",
        lambda: (
            app.screens is not None
            and app.screens.catalog.state.results is not None
            and app.screens.catalog.state.results.facets is not None
        ),
    )
    await _settle(app)
    _shoot(out, "catalog-keyboard")
    app.keyboard.hide()
    await _settle(app)
    _shoot(out, CATALOG)

    sku = _product_to_show(db)
    app.open_product(sku)
    view = app.product_view
    await _until("the product page", lambda: view.state.phase == ProductPhase.READY and view.state.sku == sku)
    await _until("reviews", lambda: view.state.reviews is not None)
    gallery = view.findChild(Gallery, "productGallery")
    assert gallery is not None
    await _until("the product's picture", lambda: gallery.has_image(gallery.paths[0]))
    await asyncio.sleep(SETTLE)
    _shoot(out, PRODUCT)

    add = view.findChild(QPushButton, "productAddToBagButton")
    assert add is not None
    QTest.mouseClick(add, Qt.MouseButton.LeftButton)
    await _until("the bag", lambda: app.screens is not None and app.screens.bag.state.snapshot.count == 1)
    await asyncio.sleep(SETTLE)
    _shoot(out, BAG)
    window.go_back()

    server.stop()
    await _until("offline", lambda: app.status.state.connectivity.value == "offline")
    await _until("last-known stock", lambda: view.state.freshness.value == "offline")
    await asyncio.sleep(SETTLE)
    _shoot(out, "product-offline")


def _key_positions(app: KioskApp, text: str) -> list[tuple[int, int]]:
    """Where each character of ``text`` sits on the keyboard's current layout (unshifted)."""
    rows = app.keyboard.layout_spec.rows
    keys = {key.normal: (r, c) for r, row in enumerate(rows) for c, key in enumerate(row)}
    return [keys[character] for character in text]


def main(argv: list[str]) -> int:
    out, work = Path(argv[1]), Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    qt = QApplication([argv[0], "-name", "store-kiosk"])
    qt.setApplicationName("store-kiosk")
    qt.setQuitOnLastWindowClosed(False)
    apply_theme(qt)
    apply_locale("en")
    asyncio.run(tour(out, work), loop_factory=lambda: qasync.QEventLoop(qt))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
