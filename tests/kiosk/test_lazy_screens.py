"""Screens built when first opened: the window builds them once, and the app wires each to the presenter
of the moment, whichever of the two came first."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.app import KioskApp
from kiosk.ui.main_window import MainWindow
from kiosk.ui.navigation import BADGE, BAG, CATALOG, HOME, PRODUCT
from kiosk.ui.screens.product.state import ProductPhase
from kiosk.ui.status.view import StatusView

from .conftest import FLIP


def test_a_screen_added_for_later_is_built_on_its_first_visit_only(qtbot: QtBot) -> None:
    window = MainWindow(StatusView())
    qtbot.addWidget(window)
    window.add_screen(HOME, QWidget())
    built: list[QWidget] = []

    def build() -> QWidget:
        widget = QWidget()
        built.append(widget)
        return widget

    window.add_screen_later(PRODUCT, build, own_back=True)
    window.show()
    assert built == []
    assert not window.is_built(PRODUCT)
    assert window.current_screen() == HOME
    window.show_screen(PRODUCT)
    assert len(built) == 1
    assert window.is_built(PRODUCT)
    assert window.current_screen() == PRODUCT
    back = window.findChild(QPushButton, "navigationBackButton")
    assert back is not None
    assert not back.isVisible()  # the screen's own back button: the shell shows none for it
    window.go_back()
    window.show_screen(PRODUCT)
    assert window.screen_widget(PRODUCT) is built[0]
    assert len(built) == 1  # built once, kept
    window.show_screen("nowhere")
    assert window.current_screen() == PRODUCT  # unknown names change nothing
    assert window.screen_widget("nowhere") is None


def test_views_come_with_their_first_visit_and_follow_each_new_presenter(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    window = kiosk.window
    for name in (CATALOG, PRODUCT, BAG, BADGE):
        assert not window.is_built(name), name
    screens = kiosk.screens
    assert screens is not None

    # Built after its presenter: the catalog shows the presenter's state at once, and its results as
    # they come (the first sync's catalog is read again when the catalog is opened).
    kiosk.open_catalog()
    assert window.current_screen() == CATALOG
    view = kiosk.catalog_view
    assert view.state == screens.catalog.state
    qtbot.waitUntil(lambda: view.grid_model.rowCount() > 0, timeout=FLIP)
    assert view.state == screens.catalog.state
    assert not window.is_built(PRODUCT)

    # A product opened from the catalog builds its page before it loads, so the page sees the load.
    sku = kiosk.home.state.popular[0].sku
    kiosk.open_product(sku)
    assert window.current_screen() == PRODUCT
    page = kiosk.product_view
    qtbot.waitUntil(lambda: page.state.sku == sku and page.state.phase == ProductPhase.READY, timeout=FLIP)
    assert page.state == screens.product.state

    # The idle reset builds new presenters: the views built by then follow them.
    kiosk.reset_for_next_customer()
    qtbot.waitUntil(lambda: kiosk.screens is not None and kiosk.screens is not screens, timeout=FLIP)
    fresh = kiosk.screens
    assert fresh is not None
    fresh.catalog.type_text("lamp")
    qtbot.waitUntil(
        lambda: view.state.results is not None and view.state.results.query.text == "lamp", timeout=FLIP
    )
    assert view.state == fresh.catalog.state
    assert page.state == fresh.product.state  # the fresh, empty product page

    # The bag screen, opened after all that, shows the current presenter's bag.
    fresh.bag.add(sku, 1)
    qtbot.waitUntil(lambda: fresh.bag.state.snapshot.count == 1, timeout=FLIP)
    kiosk.open_bag()
    assert window.current_screen() == BAG
    assert kiosk.bag_view.state == fresh.bag.state
