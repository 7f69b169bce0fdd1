"""Kiosk mode wired into the real app: attract, language, contrast, idle reset, badge gate and keyboard."""

from __future__ import annotations

import json

import httpx
import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QListView, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.api.errors import CentralFailed, CentralRejected, CentralUnauthorized, CentralUnreachable
from kiosk.api.remote import CentralRemote
from kiosk.app import ASSOCIATE_SCREEN, KioskApp, central_error
from kiosk.services.associate_session import SignInProblem
from kiosk.services.bag import DRAFT_KIND
from kiosk.ui.formatting import display_locale, price
from kiosk.ui.models.product_card_model import ProductCardModel
from kiosk.ui.screens.attract.view import START_SIZE
from kiosk.ui.screens.badge.state import BadgePhase
from kiosk.ui.theme import HIGH_CONTRAST_FILE, THEME_FILE
from offline_cache.remote import (
    MalformedResponse,
    Rejected,
    RetryLater,
    ServerFailed,
    Unauthorized,
    Unreachable,
)

from .conftest import FLIP, CentralServer


def _text(root: QWidget, name: str) -> str:
    label = root.findChild(QLabel, name)
    assert label is not None, f"no QLabel {name!r}"
    return label.text()


def _button(root: QWidget, name: str) -> QPushButton:
    button = root.findChild(QPushButton, name)
    assert button is not None, f"no button {name!r}"
    return button


def test_lands_on_attract_and_start_opens_home(
    qtbot: QtBot, kiosk: KioskApp, central_server: CentralServer
) -> None:
    window = kiosk.window
    store = json.loads(str(central_server.scalar("SELECT data FROM locations WHERE id = 'CZ-PRG-01'")))
    assert window.current_screen() == "attract"
    assert window.history.behind == ()
    bar = window.findChild(QWidget, "navigationBar")
    assert bar is not None
    assert not bar.isVisible()  # the welcome is the whole screen
    assert _text(window, "attractStoreName") == store["name"]
    start = _button(window, "attractStartButton")
    # The theme's button rule must not shrink the big target.
    assert start.width() >= START_SIZE.width()
    assert start.height() >= START_SIZE.height()
    for code, name in (("en", "English"), ("cs", "Čeština"), ("pl", "Polski"), ("bg", "Български")):
        assert _button(window, f"languageButton_{code}").text() == name  # words, not emoji flags
    qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "home"
    assert window.history.behind == ()  # back from home does not return to the welcome


def test_a_language_choice_retranslates_and_reformats_until_the_idle_reset(
    qtbot: QtBot, kiosk: KioskApp, themed_app: QApplication
) -> None:
    window = kiosk.window
    title = _text(window, "attractTitle")
    assert title == "Welcome"
    qtbot.mouseClick(_button(window, "languageButton_cs"), Qt.MouseButton.LeftButton)
    assert kiosk.language.language == "cs"
    czech = QCoreApplication.translate("AttractView", "Welcome")
    assert czech != "Welcome", "no Czech translation installed"
    qtbot.waitUntil(lambda: _text(window, "attractTitle") == czech, timeout=FLIP)  # LanguageChange is posted
    assert _button(window, "languageButton_cs").property("variant") == "primary"
    assert kiosk.keyboard.language == "cs"
    # Names and prices follow: the screens are rebuilt for Czech, the start screen formats in Czech.
    qtbot.waitUntil(
        lambda: kiosk.screens is not None and kiosk.screens.catalog.state.language == "cs", timeout=FLIP
    )
    assert kiosk.screens is not None
    assert kiosk.screens.product.state.language == "cs"
    assert kiosk.screens.bag.state.language == "cs"
    qtbot.waitUntil(
        lambda: kiosk.home.state.language == "cs" and len(kiosk.home.state.popular) > 0, timeout=FLIP
    )
    popular = window.findChild(QListView, "homeHighlightsList")
    assert popular is not None
    model = popular.model()
    assert isinstance(model, ProductCardModel)
    first = next(p for p in kiosk.home.state.popular if p.price_minor is not None)
    row = kiosk.home.state.popular.index(first)
    qtbot.waitUntil(lambda: model.rowCount() > row, timeout=FLIP)
    expected = price(display_locale("cs"), first.price_minor, first.currency)
    assert model.card(row).price_text == expected
    assert expected != price(display_locale("en"), first.price_minor, first.currency)

    # A bag line, high contrast and the keyboard open: the idle reset forgets them all.
    sku = first.sku
    kiosk.screens.bag.add(sku, 1)
    qtbot.waitUntil(
        lambda: kiosk.screens is not None and kiosk.screens.bag.state.snapshot.count == 1, timeout=FLIP
    )
    assert len(kiosk.outbox.open_drafts(DRAFT_KIND)) == 1
    qtbot.mouseClick(_button(window, "attractContrastToggle"), Qt.MouseButton.LeftButton)
    assert themed_app.styleSheet() == HIGH_CONTRAST_FILE.read_text(encoding="utf-8")
    kiosk.open_search()
    field = kiosk.catalog_view.search_field
    qtbot.waitUntil(field.hasFocus, timeout=FLIP)
    qtbot.waitUntil(kiosk.keyboard.isVisible, timeout=FLIP)
    field.setText("lamp")

    kiosk.reset_for_next_customer()
    assert window.current_screen() == "attract"
    assert kiosk.language.language == "en"
    qtbot.waitUntil(lambda: _text(window, "attractTitle") == "Welcome", timeout=FLIP)
    assert themed_app.styleSheet() == THEME_FILE.read_text(encoding="utf-8")
    assert not kiosk.attract.state.high_contrast
    assert not kiosk.keyboard.isVisible()
    assert field.text() == ""
    assert kiosk.outbox.open_drafts(DRAFT_KIND) == []
    qtbot.waitUntil(
        lambda: kiosk.screens is not None and kiosk.screens.catalog.state.language == "en", timeout=FLIP
    )
    qtbot.waitUntil(
        lambda: kiosk.screens is not None and kiosk.screens.bag.state.snapshot.count == 0, timeout=FLIP
    )


def test_staff_without_a_badge_gets_the_badge_screen_and_never_an_associate_screen(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    window = kiosk.window
    qtbot.mouseClick(_button(window, "attractStaffButton"), Qt.MouseButton.LeftButton)
    assert window.current_screen() == "badge"
    assert kiosk.gate.pending == ASSOCIATE_SCREEN
    # The central refuses associate sign-in on a kiosk device: the gate says so and nothing opens.
    badge = window.findChild(QLineEdit, "badgeCode")
    assert badge is not None
    badge.setText("BADGE-0001")
    qtbot.keyClick(badge, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: kiosk.badge.state.phase == BadgePhase.REFUSED, timeout=FLIP)
    assert kiosk.badge.state.problem == SignInProblem.NOT_ALLOWED_HERE
    assert _text(window, "badgeMessage") == "Associates cannot sign in on this device."
    assert kiosk.associates.current is None
    assert window.current_screen() == "badge"
    assert badge.text() == ""  # the credential does not stay on the form
    qtbot.mouseClick(_button(window, "badgeCancelButton"), Qt.MouseButton.LeftButton)
    assert window.current_screen() == "attract"
    assert kiosk.gate.pending is None

    # Leaving by the bar's Start while the sign-in runs: nothing opens later, the form starts afresh.
    kiosk.staff()
    assert window.current_screen() == "badge"
    kiosk.badge.sign_in_badge("BADGE-0002")  # its task starts on the next turn of the loop
    qtbot.mouseClick(_button(window, "navigationHomeButton"), Qt.MouseButton.LeftButton)
    assert window.current_screen() == "home"
    assert kiosk.gate.pending is None
    assert kiosk.badge.state.phase == BadgePhase.WAITING
    qtbot.wait(300)
    assert kiosk.badge.state.phase == BadgePhase.WAITING  # the sign-in was cancelled, not answered
    assert kiosk.associates.current is None
    assert window.current_screen() == "home"


def test_the_keyboard_types_into_the_search_one_key_per_tap(qtbot: QtBot, kiosk: KioskApp) -> None:
    window = kiosk.window
    window.show_home()
    kiosk.open_search()
    field = kiosk.catalog_view.search_field
    qtbot.waitUntil(field.hasFocus, timeout=FLIP)
    keyboard = kiosk.keyboard
    qtbot.waitUntil(keyboard.isVisible, timeout=FLIP)
    stack = window.findChild(QWidget, "screenStack")
    assert stack is not None
    assert keyboard.geometry().top() >= stack.geometry().bottom()  # docked below the screens
    for row, column in ((1, 0), (1, 1), (1, 2)):  # q w e
        qtbot.mouseClick(keyboard.key_button(row, column), Qt.MouseButton.LeftButton)
        qtbot.wait(60)  # a person's pace; a scanner's burst would be taken for a scan
    qtbot.waitUntil(lambda: field.text() == "qwe", timeout=FLIP)
    assert field.hasFocus()  # the keys never take it
    assert kiosk.screens is not None
    assert kiosk.screens.catalog.state.scan is None


# -- the associate sign-in call --------------------------------------------------------------------------


async def _answer(status: int, body: object, headers: dict[str, str] | None = None) -> CentralRemote:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/auth/associate"
        assert request.headers["Authorization"] == "Bearer d.token"
        assert json.loads(request.content) == {"employee_id": "A-1", "pin": "1234"}
        return httpx.Response(status, json=body, headers=headers)

    return CentralRemote("http://central.test", "d.token", transport=httpx.MockTransport(handler))


async def test_sign_in_answers_are_checked() -> None:
    good = {"token": "a.t", "associate_id": "A-1", "name": "Jana", "role": "supervisor", "expires_at": 2e9}
    remote = await _answer(200, good)
    answer = await remote.sign_in_associate(employee_id="A-1", pin="1234")
    assert (answer.associate_id, answer.name, answer.role, answer.expires_at) == (
        "A-1",
        "Jana",
        "supervisor",
        2e9,
    )
    assert "a.t" not in repr(answer)
    await remote.aclose()
    for bad in ({**good, "role": "root"}, {**good, "expires_at": "soon"}, {**good, "token": ""}, ["x"]):
        remote = await _answer(200, bad)
        with pytest.raises(MalformedResponse):
            await remote.sign_in_associate(employee_id="A-1", pin="1234")
        await remote.aclose()
    problem = {
        "type": "about:blank",
        "code": "forbidden",
        "title": "Forbidden",
        "detail": "Associates sign in on an associate device.",
    }
    remote = await _answer(403, problem, {"Content-Type": "application/problem+json"})
    with pytest.raises(Rejected) as refused:
        await remote.sign_in_associate(employee_id="A-1", pin="1234")
    await remote.aclose()
    assert isinstance(central_error(refused.value), CentralRejected)


def test_transport_errors_map_to_sign_in_problems_by_meaning() -> None:
    assert isinstance(central_error(Unauthorized(401, "invalid_credentials", "no")), CentralUnauthorized)
    locked = central_error(RetryLater("locked", 30.0, 429))
    assert isinstance(locked, CentralRejected)
    assert locked.code == "sign_in_locked"
    assert isinstance(central_error(RetryLater("busy", None, 503)), CentralUnreachable)
    assert isinstance(central_error(Unreachable("down")), CentralUnreachable)
    assert isinstance(central_error(ServerFailed("boom", 500)), CentralFailed)
    assert isinstance(central_error(MalformedResponse("odd")), CentralFailed)
