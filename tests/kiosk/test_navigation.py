"""Navigation between screens (history, the shell's bar) and what the screens learn from sync statuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.app import ScreenSettings, screen_settings
from kiosk.services.store_overview import StoreInfo
from kiosk.services.sync_feed import LIVE_STEP_S, SSE_SILENCE, SyncFeed, changed_streams, stock_confirmed_at
from kiosk.ui.main_window import MainWindow
from kiosk.ui.navigation import ATTRACT, BADGE, BAG, CATALOG, HOME, PRODUCT, History
from kiosk.ui.screens.home.state import CatalogCount, HomeState
from kiosk.ui.screens.product.state import STALE_AFTER
from kiosk.ui.status.view import STRIP_HEIGHT, StatusView
from kiosk.ui.widgets.touch_button import TOUCH_MIN
from offline_cache.cache_store import StreamState
from offline_cache.engine import LiveTransport, SyncStatus

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)

# -- history ---------------------------------------------------------------------------------------


def test_history_goes_forward_and_back_to_home() -> None:
    history = History().open(CATALOG).open(PRODUCT)
    assert history == History(PRODUCT, (HOME, CATALOG))
    assert history.previous == CATALOG
    assert history.back() == History(CATALOG, (HOME,))
    assert history.back().back() == History()
    assert History().back() == History()  # nothing behind home


def test_opening_a_screen_already_behind_goes_back_to_it() -> None:
    history = History().open(CATALOG).open(PRODUCT)
    assert history.open(CATALOG) == History(CATALOG, (HOME,))
    assert history.open(PRODUCT) is history  # another product on the product page: still one step
    assert history.open(HOME) == History()


def test_home_straight_to_a_product_goes_back_to_home() -> None:
    history = History().open(PRODUCT)
    assert history.behind == (HOME,)
    assert history.back() == History()


# -- the window ----------------------------------------------------------------------------------


def _window(qtbot: QtBot) -> tuple[MainWindow, dict[str, QWidget]]:
    window = MainWindow(StatusView())
    qtbot.addWidget(window)
    screens = {name: QWidget() for name in (HOME, CATALOG, PRODUCT)}
    window.add_screen(HOME, screens[HOME])
    window.add_screen(CATALOG, screens[CATALOG])
    window.add_screen(PRODUCT, screens[PRODUCT], own_back=True)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window, screens


def _button(window: MainWindow, name: str) -> QPushButton:
    button = window.findChild(QPushButton, name)
    assert button is not None
    return button


def test_the_bar_leads_home_from_every_screen_and_back_where_a_screen_has_no_back_of_its_own(
    qtbot: QtBot,
) -> None:
    window, _screens = _window(qtbot)
    bar = window.findChild(QWidget, "navigationBar")
    assert bar is not None
    back, home = _button(window, "navigationBackButton"), _button(window, "navigationHomeButton")
    assert window.current_screen() == HOME
    assert not bar.isVisible()

    changes: list[str] = []
    window.screen_changed.connect(changes.append)
    window.show_screen(CATALOG)
    assert bar.isVisible()
    assert home.isVisible()
    assert not back.isVisible()  # back would lead home: one button says it
    assert home.height() >= TOUCH_MIN
    assert home.accessibleName() == "Back to the start screen"

    window.show_screen(PRODUCT)
    assert bar.isVisible()
    assert home.isVisible()
    assert not back.isVisible()  # the product page has its own
    window.go_back()
    assert window.current_screen() == CATALOG
    qtbot.mouseClick(home, Qt.MouseButton.LeftButton)
    assert window.current_screen() == HOME
    assert changes == [CATALOG, PRODUCT, CATALOG, HOME]


def test_back_shows_on_a_barred_screen_reached_from_another_screen(qtbot: QtBot) -> None:
    window, screens = _window(qtbot)
    window.add_screen("bag", QWidget())
    window.show_screen(PRODUCT)
    window.show_screen("bag")
    back = _button(window, "navigationBackButton")
    assert back.isVisible()
    assert back.accessibleName() == "Back"
    qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    assert window.current_screen() == PRODUCT
    assert window.centralWidget().findChild(QWidget, "screenStack") is screens[PRODUCT].parentWidget()


def test_unknown_screens_are_ignored_and_home_is_the_safe_state(qtbot: QtBot) -> None:
    window, _screens = _window(qtbot)
    window.show_screen("nowhere")
    assert window.current_screen() == HOME
    window.show_screen(CATALOG)
    window.show_screen(PRODUCT)
    window.show_home()
    assert window.current_screen() == HOME
    assert window.history == History()


def test_attract_stands_in_front_of_home_without_a_bar(qtbot: QtBot) -> None:
    window, _screens = _window(qtbot)
    window.show_attract()
    assert window.current_screen() == HOME  # no attract screen added (associate mode): nothing happens
    window.add_screen(ATTRACT, QWidget())
    window.add_screen(BADGE, QWidget(), own_back=True)
    bar = window.findChild(QWidget, "navigationBar")
    assert bar is not None
    window.show_attract()
    assert window.current_screen() == ATTRACT
    assert window.history == History(ATTRACT)
    assert not bar.isVisible()
    assert window.status_view.isVisible()
    window.show_screen(BADGE)  # the staff button, through the gate
    assert window.history == History(BADGE, (ATTRACT,))
    window.go_back()  # the badge screen's cancel
    assert window.current_screen() == ATTRACT
    window.show_screen(HOME)  # touch to start: attract is not on the way back
    assert window.history == History()
    assert History(ATTRACT).back() == History()


def test_a_docked_keyboard_sits_between_the_screens_and_the_strip(qtbot: QtBot) -> None:
    window, _screens = _window(qtbot)
    keyboard = QWidget()
    keyboard.setFixedHeight(200)
    window.dock_keyboard(keyboard)
    keyboard.show()
    stack = window.findChild(QWidget, "screenStack")
    assert stack is not None
    qtbot.waitUntil(lambda: stack.height() == window.centralWidget().height() - STRIP_HEIGHT - 200)
    assert stack.geometry().bottom() < keyboard.geometry().top()
    assert keyboard.geometry().bottom() < window.status_view.geometry().top()
    keyboard.hide()
    qtbot.waitUntil(lambda: stack.height() == window.centralWidget().height() - STRIP_HEIGHT)


def test_the_status_strip_is_below_every_screen(qtbot: QtBot) -> None:
    window, _screens = _window(qtbot)
    for name in (HOME, CATALOG, PRODUCT):
        window.show_screen(name)
        assert window.status_view.isVisible()
        badge = window.status_view.findChild(QLabel, "connectivityBadge")
        assert badge is not None
        assert badge.isVisible()
        # The navigation sits beside the strip: every screen keeps the window's height less the strip.
        stack = window.findChild(QWidget, "screenStack")
        assert stack is not None
        assert stack.height() == window.centralWidget().height() - STRIP_HEIGHT


# -- the language and currency the browsing screens are built for --------------------------------------


def _store(currency: str) -> StoreInfo:
    return StoreInfo("CZ-PRG-01", "Praha", "Praha", "Na Příkopě 1", "CZ", currency, "cs", "Europe/Prague")


def test_screen_settings_follow_the_store_and_refuse_bad_values() -> None:
    fallback = ScreenSettings("en", "EUR")
    assert screen_settings(HomeState(), fallback) == ScreenSettings("en", "EUR")
    ready = HomeState(store=_store("CZK"), catalog=CatalogCount(10, 2), language="cs")
    assert screen_settings(ready, fallback) == ScreenSettings("cs", "CZK")
    # The cached store is outside input: a currency that is no code, a language we do not ship.
    odd = HomeState(store=_store("Kč<b>"), language="xx")
    assert screen_settings(odd, fallback) == fallback


# -- sync statuses as screens use them -----------------------------------------------------------------


def _stream(name: str, cursor: str | None, applied: int, last_ok: str | None = None) -> StreamState:
    return StreamState(name, cursor, False, None, None, last_ok, 1, 1, applied)


def _status(
    *streams: StreamState,
    online: bool | None = True,
    live: LiveTransport = "none",
    last_ok: dict[str, str | None] | None = None,
    live_seen_at: str | None = None,
) -> SyncStatus:
    return SyncStatus(
        online=online,
        last_ok=last_ok if last_ok is not None else {s.stream: s.last_pull_ok_at for s in streams},
        pending=0,
        rejected=0,
        needs_review=0,
        oldest_pending_age=None,
        progress_done=len(streams),
        progress_total=len(streams),
        streams=streams,
        live=live,
        live_seen_at=live_seen_at,
    )


def test_changed_streams_are_those_whose_cursor_or_count_moved() -> None:
    first = _status(_stream("catalog", "c1", 5), _stream("stock:CZ-PRG-01", "s1", 3))
    assert changed_streams(None, first) == frozenset()  # no baseline: nothing to compare
    same = _status(_stream("catalog", "c1", 5), _stream("stock:CZ-PRG-01", "s1", 3))
    assert changed_streams(first, same) == frozenset()
    moved = _status(
        _stream("catalog", "c1", 5), _stream("stock:CZ-PRG-01", "s2", 4), _stream("reviews", "r1", 1)
    )
    assert changed_streams(first, moved) == {"stock:CZ-PRG-01", "reviews"}


def test_stock_is_confirmed_up_to_the_oldest_stock_pull() -> None:
    status = _status(
        last_ok={
            "catalog": "2026-11-22T13:59:50+00:00",
            "stock:CZ-PRG-01": "2026-11-22T13:59:00+00:00",
            "stock:CZ-BRQ-01": "2026-11-22T13:58:00+00:00",
        }
    )
    assert stock_confirmed_at(status, NOW) == datetime(2026, 11, 22, 13, 58, tzinfo=UTC)


def test_a_stock_stream_never_pulled_or_unreadable_confirms_nothing() -> None:
    never = _status(last_ok={"stock:CZ-PRG-01": "2026-11-22T13:59:00+00:00", "stock:CZ-BRQ-01": None})
    assert stock_confirmed_at(never, NOW) is None
    garbage = _status(last_ok={"stock:CZ-PRG-01": "yesterday-ish"})
    assert stock_confirmed_at(garbage, NOW) is None


def test_a_connected_event_stream_confirms_stock_as_of_its_last_heartbeat() -> None:
    old = {"stock:CZ-PRG-01": "2026-11-22T13:40:00+00:00"}
    beat = "2026-11-22T13:59:47.250+00:00"  # NOW is 14:00: the last heartbeat came 12.75 s ago
    live = _status(online=True, live="sse", last_ok=old, live_seen_at=beat)
    assert stock_confirmed_at(live, NOW) == datetime(2026, 11, 22, 13, 59, 40, tzinfo=UTC)  # whole steps
    # A heartbeat long ago confirms only then, not "now less a silence" as a guess would.
    quiet = _status(online=True, live="sse", last_ok=old, live_seen_at="2026-11-22T13:50:05+00:00")
    assert stock_confirmed_at(quiet, NOW) == datetime(2026, 11, 22, 13, 50, tzinfo=UTC)
    assert SSE_SILENCE + timedelta(seconds=LIVE_STEP_S) < STALE_AFTER  # a quiet, connected stream stays live
    # Connected but nothing heard yet, long-polling (only this store's stream) and offline: pulls only.
    for status in (
        _status(online=True, live="sse", last_ok=old),
        _status(online=True, live="long-poll", last_ok=old, live_seen_at=beat),
        _status(online=False, live="sse", last_ok=old, live_seen_at=beat),
        _status(online=True, live="sse", last_ok=old, live_seen_at="not a time"),
    ):
        assert stock_confirmed_at(status, NOW) == datetime(2026, 11, 22, 13, 40, tzinfo=UTC)


def test_the_feed_remembers_the_previous_status_until_reset() -> None:
    feed = SyncFeed()
    first = _status(_stream("catalog", "c1", 5))
    assert feed.update(first, NOW).changed == frozenset()
    update = feed.update(_status(_stream("catalog", "c2", 6), online=False), NOW)
    assert update.changed == {"catalog"}
    assert update.online is False
    feed.reset()
    assert feed.update(_status(_stream("catalog", "c3", 7)), NOW).changed == frozenset()


def test_the_bag_button_shows_while_the_bag_holds_something(qtbot: QtBot) -> None:
    window, _screens = _window(qtbot)
    window.add_screen(BAG, QWidget(), own_back=True)
    bag = _button(window, "navigationBagButton")
    window.show_screen(CATALOG)
    assert not bag.isVisible()  # an empty bag: nothing to go to
    window.set_bag_count(3)
    assert bag.isVisible()
    assert bag.text() == "Bag · 3"
    assert bag.accessibleName() == "Your bag, 3 item(s)"
    with qtbot.waitSignal(window.bag_requested):
        qtbot.mouseClick(bag, Qt.MouseButton.LeftButton)
    window.show_screen(BAG)
    assert not bag.isVisible()  # already there
    window.set_bag_count(-1)  # nonsense from outside counts as empty
    window.go_back()
    assert not bag.isVisible()
