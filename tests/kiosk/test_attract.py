"""Kiosk mode: the attract screen, the language switch, the idle reset, and the badge gate for associates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTranslator
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from kiosk.api.errors import CentralRejected, CentralUnauthorized, CentralUnreachable
from kiosk.services.associate_session import (
    AssociateGrant,
    AssociateSession,
    BadgeCredentials,
    Credentials,
    NotSignedIn,
    PinCredentials,
    SignInProblem,
    SignInRefused,
)
from kiosk.services.bag import DRAFT_KIND, BagService
from kiosk.services.cache_reader import CacheReader
from kiosk.ui.idle_watch import IdleWatch
from kiosk.ui.screens.attract.presenter import AttractPresenter, IdleReset
from kiosk.ui.screens.attract.state import AttractState
from kiosk.ui.screens.attract.view import START_SIZE, AttractView, connect_attract
from kiosk.ui.screens.badge.presenter import AssociateGate, BadgePresenter
from kiosk.ui.screens.badge.state import BadgePhase
from kiosk.ui.screens.badge.view import BadgeView, connect_badge
from kiosk.ui.screens.bag.presenter import BagPresenter
from kiosk.ui.screens.bag.view import BagView, connect_bag
from kiosk.ui.task_runner import TaskRunner
from kiosk.ui.widgets.language_switch import LanguageController, LanguageSwitch, connect_language
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.outbox import OUTBOX_FILE, Outbox
from tests.kiosk.test_bag import HERE, seed_bag_cache

from .conftest import settle_runner

CZECH = {
    "Welcome": "Vítejte",
    "Touch to start": "Dotkněte se pro start",
    "Your bag": "Váš košík",
    "Staff sign-in": "Přihlášení personálu",
}


class DictTranslator(QTranslator):
    """A translator from a dict, standing in for a compiled .qm file."""

    def __init__(self, texts: dict[str, str], parent: QCoreApplication) -> None:
        super().__init__(parent)
        self._texts = texts

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        return self._texts.get(source, "")

    def isEmpty(self) -> bool:
        return False


@dataclass
class Installs:
    calls: list[str | None] = field(default_factory=list)

    def __call__(self, app: QCoreApplication, language: str | None) -> QTranslator | None:
        self.calls.append(language)
        if language != "cs":
            return None
        translator = DictTranslator(CZECH, app)
        app.installTranslator(translator)
        return translator


settle = settle_runner  # the name the tests here use


def interactive(widget: QWidget) -> list[QWidget]:
    return [w for w in widget.findChildren(QWidget) if isinstance(w, QAbstractButton | QLineEdit)]


# -- attract screen --------------------------------------------------------------------------------


@pytest.fixture
def attract(qtbot: QtBot) -> tuple[AttractView, AttractPresenter]:
    presenter = AttractPresenter(language="en", store_name="Praha Centrum")
    view = AttractView()
    qtbot.addWidget(view)
    connect_attract(view, presenter)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    return view, presenter


def test_a_touch_anywhere_starts(qtbot: QtBot, attract: tuple[AttractView, AttractPresenter]) -> None:
    view, presenter = attract
    with qtbot.waitSignal(presenter.start_requested, timeout=1000):
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.rect().center() + view.rect().topLeft())
    with qtbot.waitSignal(presenter.start_requested, timeout=1000):
        qtbot.mouseClick(view.findChild(QAbstractButton, "attractStartButton"), Qt.MouseButton.LeftButton)
    assert view.findChild(QLabel, "attractStoreName").text() == "Praha Centrum"


def test_staff_contrast_and_language_go_out_as_requests(
    qtbot: QtBot, attract: tuple[AttractView, AttractPresenter]
) -> None:
    view, presenter = attract
    started: list[None] = []
    presenter.start_requested.connect(lambda: started.append(None))
    with qtbot.waitSignal(presenter.staff_requested, timeout=1000):
        qtbot.mouseClick(view.findChild(QAbstractButton, "attractStaffButton"), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(presenter.high_contrast_requested, timeout=1000) as contrast:
        qtbot.mouseClick(view.findChild(QAbstractButton, "attractContrastToggle"), Qt.MouseButton.LeftButton)
    assert contrast.args == [True]
    assert view.findChild(QAbstractButton, "attractContrastToggle").isChecked()
    with qtbot.waitSignal(presenter.language_requested, timeout=1000) as chosen:
        qtbot.mouseClick(view.findChild(QAbstractButton, "languageButton_bg"), Qt.MouseButton.LeftButton)
    assert chosen.args == ["bg"]
    assert started == []  # the controls never count as "touch anywhere"
    with qtbot.waitSignal(presenter.high_contrast_requested, timeout=1000) as back:
        presenter.reset()
    assert back.args == [False]
    assert presenter.state == AttractState("en", False, "Praha Centrum")


def test_every_control_has_a_name_for_screen_readers_and_tests(qtbot: QtBot) -> None:
    for view in (AttractView(), BagView(), BadgeView()):
        qtbot.addWidget(view)
        controls = interactive(view)
        assert controls
        for control in controls:
            assert control.objectName(), control
            assert control.accessibleName(), control.objectName()
        names = [c.objectName() for c in controls if not c.objectName().startswith("qt_")]
        assert len(names) == len(set(names)), names


# -- language --------------------------------------------------------------------------------------


@pytest.fixture
def languages(qapp: QApplication) -> Iterator[tuple[LanguageController, Installs]]:
    installs = Installs()
    controller = LanguageController(qapp, "en", install=installs)
    yield controller, installs
    controller.set_language("en")
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))


def test_switching_the_language_retranslates_every_view(
    qtbot: QtBot, languages: tuple[LanguageController, Installs]
) -> None:
    controller, installs = languages
    attract, bag, badge = AttractView(), BagView(), BadgeView()
    for view in (attract, bag, badge):
        qtbot.addWidget(view)
        view.show()
    switch = LanguageSwitch("en")
    qtbot.addWidget(switch)
    connect_language(switch, controller)
    title = attract.findChild(QLabel, "attractTitle")
    assert title.text() == "Welcome"
    qtbot.mouseClick(switch.button("cs"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: title.text() == "Vítejte")
    assert bag.findChild(QLabel, "bagTitle").text() == "Váš košík"
    assert badge.findChild(QLabel, "badgeTitle").text() == "Přihlášení personálu"
    assert attract.findChild(QAbstractButton, "attractStartButton").text() == "Dotkněte se pro start"
    assert controller.language == "cs"
    assert QLocale().name() == "cs_CZ"
    assert switch.button("cs").property("variant") == "primary"
    controller.reset()
    qtbot.waitUntil(lambda: title.text() == "Welcome")
    assert installs.calls == ["en", "cs", "en"]
    assert switch.current == "en"


def test_an_unknown_language_changes_nothing(languages: tuple[LanguageController, Installs]) -> None:
    controller, installs = languages
    controller.set_language("xx")
    assert controller.language == "en"
    assert installs.calls == ["en"]


def test_the_store_language_is_the_default_until_a_customer_chooses(
    qapp: QApplication, languages: tuple[LanguageController, Installs]
) -> None:
    controller, _installs = languages
    changes: list[str] = []
    controller.language_changed.connect(changes.append)
    controller.set_default("cs")  # learned from the cache: nobody chose yet, so it shows now
    assert (controller.language, controller.default, controller.chosen) == ("cs", "cs", False)
    controller.set_language("pl")
    controller.set_default("bg")  # the cache moved on: the customer's choice still wins for the visit
    controller.set_default("xx")  # outside input we do not ship: ignored
    assert (controller.language, controller.default, controller.chosen) == ("pl", "bg", True)
    controller.reset()
    assert (controller.language, controller.chosen) == ("bg", False)
    assert changes == ["cs", "pl", "bg"]
    controller.set_language("cs")
    assert QLocale().language() == QLocale.Language.Czech
    controller.close()  # the translator goes, the locale is the one from before the controller
    assert QCoreApplication.translate("AttractView", "Welcome") == "Welcome"
    assert QLocale().language() == QLocale.Language.English


def test_the_start_button_keeps_its_size_under_the_theme(qtbot: QtBot, themed_app: QApplication) -> None:
    view = AttractView()
    qtbot.addWidget(view)
    view.resize(1280, 736)
    view.show()
    qtbot.waitExposed(view)
    start = view.findChild(QAbstractButton, "attractStartButton")
    assert start is not None
    assert start.width() >= START_SIZE.width()
    assert start.height() >= START_SIZE.height()
    assert start.fontInfo().pixelSize() == 28  # the big label, not the theme's 17 px for buttons


# -- associate session and the badge gate ----------------------------------------------------------


@dataclass
class FakeCentral:
    """The injected sign-in call: one badge and one PIN are good; it records what was sent."""

    now: float = 1_000_000.0
    sent: list[Credentials] = field(default_factory=list)
    error: Exception | None = None

    async def __call__(self, credentials: Credentials) -> AssociateGrant:
        self.sent.append(credentials)
        await asyncio.sleep(0)
        if self.error is not None:
            raise self.error
        if credentials == BadgeCredentials("BADGE-0001"):
            return AssociateGrant("tok-1", "A-1", "Eva", "associate", self.now + 900)
        if credentials == PinCredentials("S-1", "4321"):
            return AssociateGrant("tok-2", "S-1", "Petr", "supervisor", self.now + 900)
        raise CentralUnauthorized(401, "invalid_credentials", "Badge or PIN not recognised.")

    def clock(self) -> float:
        return self.now


@pytest.fixture
def central() -> FakeCentral:
    return FakeCentral()


@pytest.fixture
def session(central: FakeCentral) -> AssociateSession:
    return AssociateSession(central, clock=central.clock)


async def test_without_a_badge_no_associate_screen_opens(qtbot: QtBot, session: AssociateSession) -> None:
    gate = AssociateGate(session)
    opened: list[str] = []
    asked: list[str] = []
    gate.open_screen.connect(opened.append)
    gate.sign_in_required.connect(asked.append)
    assert not gate.request("fulfilment")
    assert opened == []
    assert asked == ["fulfilment"]
    assert gate.pending == "fulfilment"
    gate.on_signed_in(
        AssociateGrant("forged", "X", "X", "supervisor", 9e18)
    )  # a signal's payload is no proof
    assert opened == []
    with pytest.raises(NotSignedIn):
        session.require()


async def test_a_valid_badge_signs_in_with_a_role_and_opens_the_screen(
    qtbot: QtBot, qapp: QApplication, session: AssociateSession, central: FakeCentral
) -> None:
    runner = TaskRunner()
    presenter = BadgePresenter(session, runner)
    view = BadgeView()
    qtbot.addWidget(view)
    connect_badge(view, presenter)
    gate = AssociateGate(session)
    presenter.signed_in.connect(gate.on_signed_in)
    opened: list[str] = []
    gate.open_screen.connect(opened.append)
    gate.request("fulfilment")
    badge = view.findChild(QLineEdit, "badgeCode")
    badge.setText("BADGE-0001")
    badge.returnPressed.emit()  # a badge scanner ends with Enter
    await settle(runner)
    assert presenter.state.phase == BadgePhase.SIGNED_IN
    assert opened == ["fulfilment"]
    assert session.role == "associate"
    grant = session.current
    assert grant is not None
    assert grant.token == "tok-1"
    assert "tok-1" not in repr(grant)  # the token never reaches a log line
    assert badge.text() == ""  # credentials never stay on the form
    assert view.findChild(QLabel, "badgeMessage").text() == "Signed in as Eva."
    # An associate may not open what only a supervisor may.
    assert not gate.request("override", role="supervisor")
    central.now += 901  # the short-lived token ran out
    assert session.current is None
    assert not gate.request("fulfilment")
    await runner.shutdown()


async def test_idle_locks_the_gate(session: AssociateSession) -> None:
    await session.sign_in_pin("S-1", "4321")
    gate = AssociateGate(session)
    assert session.role == "supervisor"
    assert gate.request("override", role="supervisor")
    gate.lock()
    assert session.current is None
    assert not gate.request("fulfilment")


@pytest.mark.parametrize(
    ("error", "problem", "message"),
    [
        (None, SignInProblem.INVALID_CREDENTIALS, "Badge or PIN not recognised."),
        (
            CentralRejected(429, "sign_in_locked", "Too many wrong PINs; try again later."),
            SignInProblem.LOCKED,
            "Too many wrong PINs. Sign-in is locked for a while.",
        ),
        (
            CentralRejected(403, "wrong_store", "x"),
            SignInProblem.WRONG_STORE,
            "This associate does not work at this store.",
        ),
        (
            CentralRejected(403, "forbidden", "Associates sign in on an associate device."),
            SignInProblem.NOT_ALLOWED_HERE,
            "Associates cannot sign in on this device.",
        ),
        (
            CentralUnreachable("down"),
            SignInProblem.OFFLINE,
            "Signing in needs the central system, which cannot be reached.",
        ),
    ],
)
async def test_refusals_are_explained_and_sign_nobody_in(
    qtbot: QtBot,
    qapp: QApplication,
    session: AssociateSession,
    central: FakeCentral,
    error: Exception | None,
    problem: SignInProblem,
    message: str,
) -> None:
    central.error = error
    runner = TaskRunner()
    presenter = BadgePresenter(session, runner)
    view = BadgeView()
    qtbot.addWidget(view)
    connect_badge(view, presenter)
    await presenter.pin("A-1", "1111")
    assert presenter.state.phase == BadgePhase.REFUSED
    assert presenter.state.problem == problem
    assert view.findChild(QLabel, "badgeMessage").text() == message
    assert view.findChild(QLineEdit, "badgePin").text() == ""
    assert session.current is None
    await runner.shutdown()


async def test_the_idle_reset_clears_the_employee_id_and_every_field(
    qtbot: QtBot, qapp: QApplication, session: AssociateSession, central: FakeCentral
) -> None:
    runner = TaskRunner()
    presenter = BadgePresenter(session, runner)
    view = BadgeView()
    qtbot.addWidget(view)
    connect_badge(view, presenter)
    employee = view.findChild(QLineEdit, "badgeEmployeeId")
    pin = view.findChild(QLineEdit, "badgePin")
    badge = view.findChild(QLineEdit, "badgeCode")
    employee.setText("A-1")
    pin.setText("1111")
    pin.returnPressed.emit()
    await settle(runner)
    assert presenter.state.phase == BadgePhase.REFUSED
    assert employee.text() == "A-1"  # kept for another try at the PIN ...
    assert pin.text() == ""
    employee.setText("A-2")  # ... and typed, never sent, when the customer walked away
    badge.setText("BADGE-9")
    presenter.reset()
    assert (employee.text(), pin.text(), badge.text()) == ("", "", "")
    assert view.findChild(QLabel, "badgeMessage").text() == ""
    employee.setText("A-3")  # a form already fresh is cleared again
    presenter.reset()
    assert employee.text() == ""
    employee.setText("S-1")
    pin.setText("4321")
    pin.returnPressed.emit()
    await settle(runner)
    assert presenter.state.phase == BadgePhase.SIGNED_IN
    assert employee.text() == ""  # nothing of a finished sign-in stays on the form
    await runner.shutdown()


@pytest.mark.parametrize(
    ("employee", "pin"),
    [("A-1", "12"), ("A-1", "12345678901"), ("A-1", "12ab"), ("", "1234"), ("a b", "1234")],
)
async def test_malformed_credentials_are_never_sent(
    session: AssociateSession, central: FakeCentral, employee: str, pin: str
) -> None:
    with pytest.raises(SignInRefused) as refused:
        await session.sign_in_pin(employee, pin)
    assert refused.value.problem == SignInProblem.BAD_INPUT
    with pytest.raises(SignInRefused):
        await session.sign_in_badge("\x00\x01" if employee else "")
    assert central.sent == []


# -- the idle reset --------------------------------------------------------------------------------


@pytest.fixture
async def bag_rig(
    tmp_path: Path, qapp: QApplication
) -> AsyncIterator[tuple[BagPresenter, Outbox, TaskRunner]]:
    cache = CacheStore.open(tmp_path / CACHE_FILE)
    seed_bag_cache(cache)
    outbox = Outbox.open(tmp_path / OUTBOX_FILE, "kiosk-1")
    reader = CacheReader(cache)
    runner = TaskRunner()
    presenter = BagPresenter(BagService(reader, outbox, HERE, "CZK"), runner, language="cs")
    yield presenter, outbox, runner
    await runner.shutdown()
    reader.close()
    outbox.close()
    cache.close()


async def test_idle_reset_clears_everything_personal(
    qtbot: QtBot,
    bag_rig: tuple[BagPresenter, Outbox, TaskRunner],
    languages: tuple[LanguageController, Installs],
    session: AssociateSession,
) -> None:
    bag, outbox, _ = bag_rig
    controller, _ = languages
    attract = AttractPresenter(language="en")
    controller.language_changed.connect(attract.on_language_changed)
    controller.language_changed.connect(bag.set_language)
    gate = AssociateGate(session)
    search = QLineEdit()  # the catalog's search field, as the composition root registers it
    search.setObjectName("catalogSearch")
    qtbot.addWidget(search)
    shown: list[str] = []

    # What a customer leaves behind: a bag with a draft, a language, a theme, a search, a signed-in associate.
    await bag.add_line("SKU-CHAIR", 2)
    bag.show_handoff()
    assert bag.state.handoff_code
    attract.choose_language("cs")
    controller.set_language("cs")
    attract.toggle_high_contrast()
    search.setText("židle tora")
    await session.sign_in_badge("BADGE-0001")
    assert outbox.open_drafts(DRAFT_KIND)

    reset = IdleReset()
    reset.add("bag", bag.clear)
    reset.add("associate", gate.lock)
    reset.add("search", search.clear)
    reset.add("language", controller.reset)
    reset.add("theme", attract.reset)
    reset.add("broken", lambda: 1 / 0)  # a bug in one step must not stop the rest
    reset.add("screen", lambda: shown.append("attract"))
    idle = IdleWatch(0.05)
    reset.watch(idle)
    idle.start()
    with qtbot.waitSignal(reset.done, timeout=2000):
        pass

    assert bag.state.snapshot.is_empty
    assert bag.state.handoff_code == ""
    assert outbox.open_drafts(DRAFT_KIND) == []
    assert controller.language == "en"
    assert attract.state.language == "en"
    assert not attract.state.high_contrast
    assert search.text() == ""
    assert session.current is None
    assert shown == ["attract"]


async def test_the_bag_view_follows_the_presenter(
    qtbot: QtBot, bag_rig: tuple[BagPresenter, Outbox, TaskRunner]
) -> None:
    presenter, _, _ = bag_rig
    view = BagView()
    qtbot.addWidget(view)
    connect_bag(view, presenter)
    await presenter.add_line("SKU-CHAIR", 1)
    assert view.model.rowCount() == 1
    presenter.clear()
    assert view.model.rowCount() == 0
