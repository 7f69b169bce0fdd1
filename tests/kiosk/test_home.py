"""The start screen: presenter with a fake central API (awaited directly), and the view drawing its states."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListView, QPushButton
from pytestqt.qtbot import QtBot

from kiosk.api.errors import CentralFailed, CentralUnreachable
from kiosk.services.enrolment import Enrolment, EnrolmentIssue, EnrolmentPlan
from kiosk.services.first_sync import FirstSync, ProductHighlight, StoreInfo
from kiosk.ui.models.product_roles import ProductRole
from kiosk.ui.screens.home.presenter import HomePresenter
from kiosk.ui.screens.home.state import CatalogCount, HomePhase, HomeProblem, HomeState
from kiosk.ui.screens.home.view import HomeView
from kiosk.ui.task_runner import TaskRunner
from kiosk.ui.widgets.touch_button import TOUCH_MIN
from offline_cache.device_record import DeviceRecord, DeviceStore

from .fakes import FakeCentral, enrolment, standard_central

URL = "http://central.test:8700"


def build(central: FakeCentral, tmp_path: Path, key: str | None = "KEY-1") -> HomePresenter:
    plan = EnrolmentPlan(URL, "kiosk", "kiosk on test", "CZ-PRG-01", key)
    service = Enrolment(central, DeviceStore(tmp_path / "device.json"), plan)
    return HomePresenter(service, FirstSync(central, page_size=10), TaskRunner())


class Recorder:
    """Collects what the presenter tells the status strip."""

    def __init__(self, presenter: HomePresenter) -> None:
        self.progress: list[object] = []
        self.events: list[str] = []
        presenter.sync_progressed.connect(self.progress.append)
        presenter.sync_succeeded.connect(lambda: self.events.append("succeeded"))
        presenter.sync_stopped.connect(lambda: self.events.append("stopped"))
        presenter.central_reachable.connect(lambda: self.events.append("reachable"))
        presenter.central_unreachable.connect(lambda: self.events.append("unreachable"))
        presenter.central_failed.connect(lambda: self.events.append("failed"))
        presenter.enrolment_needed.connect(lambda: self.events.append("enrolment_needed"))


async def test_first_start_enrols_reads_the_store_and_counts_the_catalog(tmp_path: Path) -> None:
    central = standard_central(products=25, categories=4)
    presenter = build(central, tmp_path)
    recorder = Recorder(presenter)
    phases: list[HomePhase] = []
    presenter.state_changed.connect(lambda s: phases.append(s.phase))
    await presenter.load()
    state = presenter.state
    assert state.phase == HomePhase.READY
    assert state.store is not None
    assert (state.store.name, state.store.city) == ("Praha Můstek", "Praha")
    assert state.catalog == CatalogCount(products=25, categories=4)
    assert state.language == "cs"  # nothing configured: the store's language
    assert len(state.highlights) == 12
    assert phases == [HomePhase.ENROLLING, HomePhase.LOADING_STORE, HomePhase.COUNTING, HomePhase.READY]
    assert len(recorder.progress) == 3
    assert recorder.events == ["reachable", "succeeded"]
    assert (tmp_path / "device.json").exists()


async def test_stored_token_refused_without_a_key_asks_for_re_enrolment(tmp_path: Path) -> None:
    DeviceStore(tmp_path / "device.json").save(DeviceRecord("T-1", "d.revoked", "kiosk", "CZ-PRG-01", URL))
    central = standard_central()  # d.revoked is not among its valid tokens: every pull gets a 401
    presenter = build(central, tmp_path, key=None)
    recorder = Recorder(presenter)
    await presenter.load()
    assert presenter.state.phase == HomePhase.NEEDS_ENROLMENT
    assert presenter.state.enrolment_issue == EnrolmentIssue.CREDENTIALS_REFUSED
    assert presenter.state.can_retry
    assert recorder.events == ["stopped", "enrolment_needed"]


async def test_stored_token_refused_with_a_key_enrols_again(tmp_path: Path) -> None:
    DeviceStore(tmp_path / "device.json").save(DeviceRecord("T-1", "d.revoked", "kiosk", "CZ-PRG-01", URL))
    central = standard_central()
    central.keys = {"KEY-1": enrolment(token="d.fresh")}
    presenter = build(central, tmp_path)
    await presenter.load()
    assert presenter.state.phase == HomePhase.READY
    assert central.enrolments == ["KEY-1"]


async def test_unreachable_waits_and_resumes_when_the_central_system_is_back(tmp_path: Path) -> None:
    central = standard_central()
    down = True
    central.pull_error = lambda _s: CentralUnreachable("connection refused") if down else None
    presenter = build(central, tmp_path)
    recorder = Recorder(presenter)
    await presenter.load()
    assert presenter.state.phase == HomePhase.WAITING_FOR_CENTRAL
    assert "unreachable" in recorder.events

    down = False
    presenter.on_connectivity_changed(True)  # what the status strip says when health checks succeed
    for _ in range(100):
        if presenter.state.phase == HomePhase.READY:
            break
        await asyncio.sleep(0.01)
    assert presenter.state.phase == HomePhase.READY


async def test_server_error_fails_with_retry(tmp_path: Path) -> None:
    central = standard_central()
    failing = True
    central.pull_error = lambda s: CentralFailed("server error", 500) if failing and s == "catalog" else None
    presenter = build(central, tmp_path)
    recorder = Recorder(presenter)
    await presenter.load()
    assert (presenter.state.phase, presenter.state.problem) == (HomePhase.FAILED, HomeProblem.CENTRAL_FAILED)
    assert presenter.state.store is not None  # what was read stays on screen
    assert "failed" in recorder.events
    failing = False
    await presenter.load()
    assert presenter.state.phase == HomePhase.READY


async def test_a_bug_during_load_ends_in_a_safe_state(tmp_path: Path) -> None:
    central = standard_central()

    def explode(_stream: str) -> CentralFailed | None:
        raise ZeroDivisionError("bug")

    central.pull_error = explode
    presenter = build(central, tmp_path)
    presenter.start()
    for _ in range(100):
        if presenter.state.phase == HomePhase.FAILED:
            break
        await asyncio.sleep(0.01)
    assert (presenter.state.phase, presenter.state.problem) == (HomePhase.FAILED, HomeProblem.UNEXPECTED)


STORE = StoreInfo("CZ-PRG-01", "Praha Můstek", "Praha", "Na Příkopě 1", "CZ", "CZK", "cs", "Europe/Prague")


def highlight(sku: str, price: int | None = 129900) -> ProductHighlight:
    return ProductHighlight(
        sku, {"en": f"Oak chair {sku}", "cs": f"Dubová židle {sku}"}, "Acme", price, "CZK", 4.5, 12, 1
    )


def label(view: HomeView, name: str) -> str:
    widget = view.findChild(QLabel, name)
    assert widget is not None, f"no QLabel {name!r}"
    return widget.text()


def test_view_shows_the_store_and_the_catalog(qtbot: QtBot) -> None:
    view = HomeView()
    qtbot.addWidget(view)
    view.resize(1280, 736)
    view.show()
    view.render_state(
        HomeState(
            phase=HomePhase.READY,
            store=STORE,
            catalog=CatalogCount(5000, 36),
            highlights=(highlight("A"), highlight("B", None)),
            language="cs",
        )
    )
    assert label(view, "homeStoreName") == "Praha Můstek"
    assert label(view, "homeStorePlace") == "Praha · Na Příkopě 1"
    assert label(view, "catalogCount").replace("\xa0", " ").replace(",", " ") == "5 000"
    assert label(view, "catalogDetail") == "products in 36 categories"
    assert label(view, "welcomeTitle") == "Welcome to Praha Můstek"
    products = view.findChild(QListView, "homeHighlightsList")
    assert products is not None
    assert products.isVisible()
    model = products.model()
    assert model.rowCount() == 2
    assert model.index(0, 0).data() == "Dubová židle A"  # product names in the store's language
    assert "Kč" in str(model.index(0, 0).data(ProductRole.PRICE_TEXT))
    assert model.index(1, 0).data(ProductRole.PRICE_TEXT) == ""  # no price in this currency: none shown
    assert products.accessibleName() == "Popular products"
    # Loading more content never makes the screen taller than a 1280 x 800 kiosk minus the strip.
    assert view.minimumSizeHint().height() <= 736


def test_view_shows_re_enrolment_with_a_touch_sized_retry(qtbot: QtBot) -> None:
    view = HomeView()
    qtbot.addWidget(view)
    view.show()
    retried: list[bool] = []
    view.retry_requested.connect(lambda: retried.append(True))
    view.render_state(
        HomeState(phase=HomePhase.NEEDS_ENROLMENT, enrolment_issue=EnrolmentIssue.CREDENTIALS_REFUSED)
    )
    assert label(view, "problemTitle") == "This device needs to be enrolled"
    assert "enrol it again" in label(view, "problemText")
    button = view.findChild(QPushButton, "homeRetryButton")
    assert button is not None
    assert button.isVisible()
    assert button.accessibleName() == "Try again"
    assert button.height() >= TOUCH_MIN
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert retried == [True]


def test_view_while_loading_has_no_empty_numbers(qtbot: QtBot) -> None:
    view = HomeView()
    qtbot.addWidget(view)
    view.render_state(HomeState(phase=HomePhase.COUNTING, store=STORE))
    assert label(view, "catalogCount") == "…"
    assert label(view, "catalogDetail") == "Loading the catalog…"
    assert label(view, "highlightsPlaceholder")
