"""The composition root: builds and wires everything, runs Qt and asyncio together, shuts down in order."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import socket
import sqlite3
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, Final

import qasync
import shiboken6
from PySide6.QtCore import QMessageLogContext, QObject, QTimer, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.api.errors import (
    CentralError,
    CentralFailed,
    CentralRejected,
    CentralUnauthorized,
    CentralUnreachable,
)
from kiosk.api.images import CentralImages
from kiosk.api.remote import CentralRemote
from kiosk.config import LANGUAGES, Mode, Settings
from kiosk.demo import DemoCentral, DemoEndpoint, DemoError, DemoStopped
from kiosk.services.associate_session import AssociateGrant, AssociateSession, BadgeCredentials, Credentials
from kiosk.services.bag import BagService
from kiosk.services.cache_reader import CacheReader
from kiosk.services.catalog import CatalogService, ProductHit
from kiosk.services.enrolment import EnrolmentNeeded, EnrolmentPlan
from kiosk.services.handoff import HandoffService, is_handoff_scan
from kiosk.services.images import ProductImages
from kiosk.services.product import ProductService
from kiosk.services.sync_feed import SyncFeed, SyncUpdate
from kiosk.services.sync_session import DeviceReenrolled, SessionOptions, SyncSession
from kiosk.ui.idle_watch import IdleWatch
from kiosk.ui.main_window import MainWindow
from kiosk.ui.models.product_card_delegate import CardImages
from kiosk.ui.navigation import ATTRACT, BADGE, BAG, CATALOG, HOME, PRODUCT
from kiosk.ui.screens.attract.presenter import AttractPresenter, IdleReset
from kiosk.ui.screens.attract.view import AttractView, connect_attract
from kiosk.ui.screens.badge.presenter import AssociateGate, BadgePresenter
from kiosk.ui.screens.bag.presenter import BagPresenter
from kiosk.ui.screens.catalog import connect_catalog
from kiosk.ui.screens.catalog.presenter import CatalogPresenter
from kiosk.ui.screens.catalog.state import CatalogState
from kiosk.ui.screens.home.presenter import HomePresenter
from kiosk.ui.screens.home.state import HomeProblem, HomeState
from kiosk.ui.screens.home.view import HomeView
from kiosk.ui.screens.product.presenter import ProductPresenter
from kiosk.ui.status.presenter import StatusPresenter
from kiosk.ui.status.state import Notice, NoticeKind
from kiosk.ui.status.view import StatusView
from kiosk.ui.task_runner import TaskFailure, TaskRunner
from kiosk.ui.theme import Theme, apply_theme
from kiosk.ui.widgets.language_switch import LanguageController
from kiosk.ui.widgets.onscreen_keyboard import OnScreenKeyboard
from kiosk.ui.widgets.scanner_wedge import ScannerWedge
from offline_cache.cache_store import CacheStore
from offline_cache.data_dir_lock import DataDirBusy
from offline_cache.engine import SyncEngine, SyncStatus
from offline_cache.outbox import Outbox, OutboxError
from offline_cache.remote import Rejected, RemoteError, RetryLater, ServerFailed, Unauthorized, Unreachable

if TYPE_CHECKING:
    # Built, and their modules imported, when first opened (see KioskApp._catalog_screen and others):
    # the first paint needs only the start screen.
    from kiosk.ui.screens.badge.view import BadgeView
    from kiosk.ui.screens.bag.view import BagView
    from kiosk.ui.screens.catalog.view import CatalogView
    from kiosk.ui.screens.product.view import ProductView

log = logging.getLogger(__name__)

CONNECT_TASK = "app.connect"
ENGINE_TASK = "app.sync-engine"
SCREENS_TASK = "app.screens"  # rebuilding the catalog and product presenters (idle reset, new store data)
SCAN_TASK = "app.scan"
IMAGES_DIR = "images"  # under the data dir: product pictures, size-bounded (kiosk.services.images)
DEFAULT_CURRENCY = "EUR"  # until the cached store says which currency it sells in
_CURRENCY: Final = re.compile(r"^[A-Z]{3}$")
ENGINE_RESTART_DELAY = 5.0  # after a bug ended the engine's task: start it again, not in a tight loop
DEMO_WINDOW_SIZE = (1280, 800)
# What the attract screen's staff button asks the badge gate for: the associates' first screen. None is
# built yet, so a signed-in associate lands on the start screen (see KioskApp._open_associate_screen).
ASSOCIATE_SCREEN = "fulfilment"
# Notices about bringing the backend up; a successful connect clears them.
_CONNECT_NOTICES = (
    NoticeKind.DATA_DIR_BUSY,
    NoticeKind.DATA_DIR_UNUSABLE,
    NoticeKind.ENROLMENT_NEEDED,
    NoticeKind.CENTRAL_FAILED,
    NoticeKind.UNEXPECTED_ERROR,
)


class BackendSignals(QObject):
    """Tells screens built by others when the data folder's objects exist and when they go away.

    `ready` fires after each successful connect (again after a reconnect: the objects are new then);
    `closing` fires before they are closed, so screens stop using them.
    """

    ready = Signal()
    closing = Signal()


@dataclass(frozen=True, slots=True)
class ScreenSettings:
    """What the browsing screens are built for: the display language and the store's currency."""

    language: str
    currency: str


def screen_settings(state: HomeState, fallback: ScreenSettings) -> ScreenSettings:
    """The language and currency the start screen settled on; the cached store is outside input, so a
    value that is not a known language or a currency code keeps the fallback's."""
    language = state.language if state.language in LANGUAGES else fallback.language
    store = state.store
    currency = store.currency if store is not None and _CURRENCY.match(store.currency) else fallback.currency
    return ScreenSettings(language, currency)


@dataclass(frozen=True, slots=True)
class _Services:
    """The browsing services of one open data folder (the bag's depends on the currency: built with it)."""

    catalog: CatalogService
    product: ProductService
    session: SyncSession

    @property
    def here(self) -> str:
        return self.session.record.location_id


class _Screens:
    """The catalog, product and bag presenters of one backend session and settings, with the runner of
    their tasks: dropping them cancels every task they started, so nothing of theirs outlives the cache."""

    def __init__(
        self, runner: TaskRunner, catalog: CatalogPresenter, product: ProductPresenter, bag: BagPresenter
    ) -> None:
        self.runner = runner
        self.catalog = catalog
        self.product = product
        self.bag = bag


async def _no_hits(key: object, offset: int, limit: int) -> tuple[ProductHit, ...]:
    del key, offset, limit
    return ()


def central_error(error: RemoteError) -> CentralError:
    """The associate sign-in's transport error by meaning, as the associate session words refusals:
    a 429 from the sign-in is its PIN lockout; other come-back-later answers mean "not reachable now"."""
    if isinstance(error, Unauthorized):
        return CentralUnauthorized(error.status, error.code, error.detail)
    if isinstance(error, Rejected):
        return CentralRejected(error.status, error.code, error.detail)
    if isinstance(error, RetryLater):
        if error.status == 429:
            return CentralRejected(429, "sign_in_locked", error.detail)
        return CentralUnreachable(error.detail)
    if isinstance(error, Unreachable):
        return CentralUnreachable(str(error))
    if isinstance(error, ServerFailed):
        return CentralFailed(error.detail, error.status)
    return CentralFailed(str(error))


class KioskApp:
    """Owns every long-lived object of one run. Qt objects are built in __init__; the backend (demo
    server, data folder, sync engine) in `connect()`, exposed as `cache`, `outbox` and `reader` once
    `backend.ready` has fired, `engine` and `remote` once the session is linked to the central (right
    after, without waiting for an answer when the device was enrolled already).

    The views live as long as the app; only the start screens (home, attract) are built with it, the
    others when first opened (or asked for through their property), and wired to the presenters of
    the moment then. The catalog and product presenters read the cache, so they are
    built once the backend is up and the store's currency is known, and dropped before the cache closes
    (a reconnect), after a quiet spell in kiosk mode, and when the display language or currency change.

    The display language is the configured one, else the store's; a kiosk customer may choose another
    for the visit (it wins until the idle reset). Kiosk mode adds the attract screen (shown once the
    backend is up, and after every idle reset), the badge gate in front of associate screens and the
    on-screen keyboard; `idle_reset` runs every step that forgets the last customer.
    """

    def __init__(self, settings: Settings, *, session_options: SessionOptions | None = None) -> None:
        qt_app = QApplication.instance()
        if not isinstance(qt_app, QApplication):
            raise RuntimeError("create the QApplication before the KioskApp")
        self._qt = qt_app
        self.settings = settings
        self.kiosk_mode = settings.mode == Mode.KIOSK
        # Installs the translator and locale now: every view built below starts in this language.
        self.language = LanguageController(qt_app, settings.language or "en")
        self._session_options = session_options or SessionOptions()
        self.runner = TaskRunner()
        self.backend = BackendSignals()
        self.status = StatusPresenter()
        self.status_view = StatusView()
        self.window = MainWindow(self.status_view)
        self.home_view = HomeView()
        self.window.add_screen(HOME, self.home_view)
        # Pictures come from the disk cache, and from the central API while a session is open.
        self.product_images = ProductImages(None, settings.state_dir / IMAGES_DIR)
        self.card_images = CardImages(self.product_images.image)
        self._catalog_view: CatalogView | None = None
        self._product_view: ProductView | None = None
        self._bag_view: BagView | None = None
        self._badge_view: BadgeView | None = None
        self.window.add_screen_later(CATALOG, self._catalog_screen)
        self.window.add_screen_later(PRODUCT, self._product_screen, own_back=True)
        self.window.add_screen_later(BAG, self._bag_screen, own_back=True)
        self.attract = AttractPresenter(
            language=self.language.language, default_high_contrast=settings.theme == Theme.HIGH_CONTRAST
        )
        self.attract_view = AttractView(self.attract.state)
        connect_attract(self.attract_view, self.attract)
        self.associates = AssociateSession(self._sign_in_associate)
        self.badge = BadgePresenter(self.associates, self.runner)
        self.gate = AssociateGate(self.associates)
        self.keyboard = OnScreenKeyboard(self.language.language, self.window)
        self.keyboard.hide()
        if self.kiosk_mode:
            self.window.add_screen(ATTRACT, self.attract_view)
            self.window.add_screen_later(BADGE, self._badge_screen, own_back=True)
            self.window.dock_keyboard(self.keyboard)
        self._welcomed = False  # the attract screen has been shown once the backend came up
        self.window.show_home()
        # A scan on the start screen, a product page or the bag opens the product too (the catalog has
        # its own); the product page's and the bag's wedges come with their screens.
        self._wedges = [ScannerWedge(self.home_view)]
        self._shown = False  # show() has installed the wedges: one added later installs itself
        self.screens: _Screens | None = None
        self._services: _Services | None = None
        self._screen_settings = ScreenSettings(settings.language or "en", DEFAULT_CURRENCY)
        self._feed = SyncFeed()
        self._last_update: SyncUpdate | None = None
        self._catalog_stale = False
        self.home = HomePresenter(self.runner, kiosk_mode=self.kiosk_mode, language=settings.language)
        self.session: SyncSession | None = None
        self.demo: DemoCentral | None = None
        self._demo_endpoint: DemoEndpoint | None = None
        self._engine_task: asyncio.Task[None] | None = None
        self._quit: asyncio.Event | None = None
        self._closed = False

        self.status.state_changed.connect(self.status_view.render_state)
        self.status.sync_status.connect(self.home.on_sync_status)
        self.status.blocked_changed.connect(self.home.on_blocked)
        self.home.state_changed.connect(self.home_view.render_state)
        self.home_view.retry_requested.connect(self._on_retry)
        self.home_view.browse_requested.connect(self.home.browse)
        self.home_view.search_requested.connect(self.home.search)
        self.home_view.product_requested.connect(self.home.open_product)
        self.home.browse_requested.connect(self.open_catalog)
        self.home.search_requested.connect(self.open_search)
        self.home.product_requested.connect(self.open_product)
        self.home.state_changed.connect(self._on_home_state)
        self.status.sync_status.connect(self._on_sync_status)
        self.window.screen_changed.connect(self._on_screen_changed)
        self.window.bag_requested.connect(self.open_bag)
        for wedge in self._wedges:
            wedge.scanned.connect(self.scan)
        self.runner.failed.connect(self._on_task_failure)
        self.window.close_requested.connect(self.request_quit)
        self._wire_kiosk_mode()
        self.idle_reset = self._idle_reset()
        self.idle_watch: IdleWatch | None = None
        if self.kiosk_mode:
            # A kiosk keeps nothing of the previous customer on screen after a quiet spell.
            self.idle_watch = IdleWatch(settings.idle_timeout, self.window)
            self.idle_reset.watch(self.idle_watch)

    def _wire_kiosk_mode(self) -> None:
        """Language, attract screen, badge gate and keyboard (the last three reachable in kiosk mode only)."""
        self.language.language_changed.connect(self._on_language_changed)
        attract = self.attract
        attract.start_requested.connect(self.window.show_home)  # popular products and search
        attract.language_requested.connect(self.language.set_language)
        attract.staff_requested.connect(self.staff)
        attract.high_contrast_requested.connect(self._on_high_contrast)
        self.gate.sign_in_required.connect(self._on_sign_in_required)
        self.gate.open_screen.connect(self._open_associate_screen)
        self.badge.signed_in.connect(self.gate.on_signed_in)
        self.badge.cancelled.connect(self._on_badge_cancelled)
        if self.kiosk_mode:
            self.keyboard.follow_focus(self._qt)

    def _idle_reset(self) -> IdleReset:
        """One path for "the next customer": every step runs even when one fails (IdleReset logs it)."""
        reset = IdleReset(self.window)
        reset.add("bag", self._clear_bag)
        reset.add("associate", self.gate.lock)
        reset.add("badge", self.badge.reset)
        reset.add("search", self._clear_search)
        reset.add("language", self.language.reset)
        reset.add("contrast", self.attract.reset)  # its high_contrast_requested restores the theme
        reset.add("keyboard", self.keyboard.hide)
        reset.add("screens", self._fresh_screens)  # a fresh product page, in the default language
        reset.add("start", self.show_start)
        return reset

    # -- what other screens use once the backend is up ---------------------------------------------
    def _session(self) -> SyncSession:
        if self.session is None:
            raise RuntimeError("the backend is not connected: wire screens on backend.ready")
        return self.session

    @property
    def cache(self) -> CacheStore:
        return self._session().cache

    @property
    def outbox(self) -> Outbox:
        return self._session().outbox

    @property
    def engine(self) -> SyncEngine:
        return self._session().engine

    @property
    def reader(self) -> CacheReader:
        return self._session().reader

    @property
    def remote(self) -> CentralRemote:
        return self._session().remote

    @property
    def location_id(self) -> str:
        """This device's store, from its enrolment."""
        return self._session().record.location_id

    def on_backend_ready(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever the backend comes up, and now if it is up already."""
        self.backend.ready.connect(callback)
        if self.session is not None:
            callback()

    # -- screens built when first opened ----------------------------------------------------------------
    # Each builder imports its view's module, builds the view and wires it to the presenter of the moment
    # (those built later are wired by _build_screens); the window calls it on the first visit.
    @property
    def catalog_view(self) -> CatalogView:
        """The catalog screen, built now if it was not yet."""
        self.window.screen_widget(CATALOG)
        assert self._catalog_view is not None
        return self._catalog_view

    @property
    def product_view(self) -> ProductView:
        """The product page, built now if it was not yet."""
        self.window.screen_widget(PRODUCT)
        assert self._product_view is not None
        return self._product_view

    @property
    def bag_view(self) -> BagView:
        """The bag screen, built now if it was not yet."""
        self.window.screen_widget(BAG)
        assert self._bag_view is not None
        return self._bag_view

    @property
    def badge_view(self) -> BadgeView:
        """The badge gate's sign-in screen (kiosk mode adds it to the window), built now if it was not yet."""
        if self._badge_view is None:
            if self.kiosk_mode:
                self.window.screen_widget(BADGE)
            else:
                self._badge_screen()
        assert self._badge_view is not None
        return self._badge_view

    def _catalog_screen(self) -> CatalogView:
        from kiosk.ui.screens.catalog.view import CatalogView  # noqa: PLC0415

        view = CatalogView(images=self.card_images)
        self._catalog_view = view
        if self.screens is not None:
            connect_catalog(view, self.screens.catalog)
        return view

    def _product_screen(self) -> ProductView:
        from kiosk.ui.screens.product.view import ProductView  # noqa: PLC0415

        view = ProductView()
        self._product_view = view
        if self.screens is not None:
            self._connect_product(view, self.screens.product)
        self._add_wedge(view)
        return view

    def _add_wedge(self, view: QWidget) -> None:
        """A scan on a screen built later works as on the start screen (`scan`)."""
        wedge = ScannerWedge(view)
        wedge.scanned.connect(self.scan)
        self._wedges.append(wedge)
        if self._shown and not self._closed:
            wedge.install()

    @staticmethod
    def _connect_product(view: ProductView, product: ProductPresenter) -> None:
        from kiosk.ui.screens.product.view import connect_product  # noqa: PLC0415

        connect_product(view, product)
        view.render_state(product.state)

    def _bag_screen(self) -> BagView:
        from kiosk.ui.screens.bag.view import BagView  # noqa: PLC0415

        view = BagView()
        self._bag_view = view
        if self.screens is not None:
            self._connect_bag(view, self.screens.bag)
        # An associate holding the scanner at the bag: a product opens its page (to add it), another
        # customer's bag code is weighed against this bag, as anywhere else.
        self._add_wedge(view)
        return view

    @staticmethod
    def _connect_bag(view: BagView, bag: BagPresenter) -> None:
        from kiosk.ui.screens.bag.view import connect_bag  # noqa: PLC0415

        connect_bag(view, bag)

    def _badge_screen(self) -> BadgeView:
        from kiosk.ui.screens.badge.view import BadgeView, connect_badge  # noqa: PLC0415

        view = BadgeView()
        self._badge_view = view
        connect_badge(view, self.badge)
        return view

    # -- navigation --------------------------------------------------------------------------------
    def open_catalog(self) -> None:
        if self.screens is not None:
            self.window.show_screen(CATALOG)

    def open_search(self) -> None:
        """The catalog with its search field focused (in kiosk mode that brings up the keyboard)."""
        if self.screens is not None:
            self.window.show_screen(CATALOG)
            self.catalog_view.search_field.setFocus()

    def open_product(self, sku: str) -> None:
        if self.screens is not None and sku:
            self.window.screen_widget(PRODUCT)  # built (and wired) before it loads: it sees every signal
            self.screens.product.open(sku)
            self.window.show_screen(PRODUCT)

    def open_bag(self) -> None:
        if self.screens is not None:
            self.window.show_screen(BAG)

    def scan(self, code: str) -> None:
        """A barcode scanned outside the catalog: the catalog's look-up opens the product, and a code it
        cannot use is explained on the catalog screen, where the notice is shown. On an associate device
        a kiosk's handoff code opens that bag on the bag screen (a kiosk never opens one: the catalog
        explains it as a code that names no product)."""
        screens = self.screens
        if screens is None:
            return
        if not self.kiosk_mode and is_handoff_scan(code):
            self._open_handoff(code)
            return
        screens.runner.run(SCAN_TASK, self._look_up_scan(screens.catalog, code))

    def _open_handoff(self, code: str) -> None:
        """A kiosk's handoff code scanned on an associate device: that bag, on the bag screen."""
        if self.screens is not None:
            self.screens.bag.open_handoff(code)
            self.window.show_screen(BAG)

    async def _look_up_scan(self, catalog: CatalogPresenter, code: str) -> None:
        await catalog.look_up_scan(code)  # a known product: its product_requested has opened it
        state = catalog.state
        if state.scan is not None or state.problem is not None:
            self.window.show_screen(CATALOG)

    def reset_for_next_customer(self) -> None:
        """The kiosk's idle reset: an empty bag (its draft discarded), no associate signed in, an empty
        search, the default language and theme, a fresh product page, and the attract screen."""
        self.idle_reset.run()

    def show_start(self) -> None:
        """Where a customer starts: attract in kiosk mode once the backend is up; home otherwise (before
        that, home shows the connection's progress or problem)."""
        if self.kiosk_mode and self.session is not None:
            self.window.show_attract()
        else:
            self.window.show_home()

    def _clear_search(self) -> None:
        if self._catalog_view is not None:
            self._catalog_view.search_field.clear()

    def _clear_bag(self) -> None:
        if self.screens is not None:
            self.screens.bag.clear()

    def _fresh_screens(self) -> None:
        if self.screens is not None:
            self.runner.run(SCREENS_TASK, self._rebuild_screens(reopen=False))

    # -- kiosk mode: language, contrast, staff ----------------------------------------------------------
    def _on_language_changed(self, language: str) -> None:
        """A customer's choice or the reset: views retranslate themselves (Qt's LanguageChange); names and
        prices are read and formatted again, through the start screen's state (see _on_home_state)."""
        self.attract.on_language_changed(language)
        self.keyboard.set_language(language)
        self.home.set_language(language)

    def _on_high_contrast(self, on: bool) -> None:
        apply_theme(self._qt, theme=Theme.HIGH_CONTRAST if on else Theme.STANDARD)

    def staff(self) -> None:
        """The staff button: the badge gate opens the associate screen, or asks for a badge first."""
        self.gate.request(ASSOCIATE_SCREEN)

    def _on_sign_in_required(self, screen: str) -> None:
        del screen  # the gate remembers it and asks again after the sign-in
        self.window.show_screen(BADGE)

    def _open_associate_screen(self, screen: str) -> None:
        """Only the gate calls this, for a signed-in associate. No associate screen is built yet: the
        associate gets the start screen, with the whole catalog and stock to look up."""
        if screen in (ATTRACT, BADGE):
            return  # not associate screens: a wiring mistake, never a way around the gate
        self.window.show_screen(screen)
        if self.window.current_screen() != screen:
            log.info("associate screen %r is not built yet: showing the start screen", screen)
            self.window.show_home()

    def _on_badge_cancelled(self) -> None:
        self.gate.cancel()
        self.window.go_back()

    async def _sign_in_associate(self, credentials: Credentials) -> AssociateGrant:
        """POST /v1/auth/associate through this device's session; errors by meaning (kiosk.api.errors)."""
        session = self.session
        if session is None or not session.linked:
            raise CentralUnreachable("the backend is not connected")
        try:
            if isinstance(credentials, BadgeCredentials):
                answer = await session.remote.sign_in_associate(badge=credentials.badge)
            else:
                answer = await session.remote.sign_in_associate(
                    employee_id=credentials.employee_id, pin=credentials.pin
                )
        except RemoteError as exc:
            raise central_error(exc) from exc
        return AssociateGrant(answer.token, answer.associate_id, answer.name, answer.role, answer.expires_at)

    def _add_to_bag(self, sku: str, qty: int) -> None:
        """The product page's "add to bag": the bag takes the line and shows it (back returns here)."""
        if self.screens is not None:
            self.screens.bag.add(sku, qty)
            self.window.show_screen(BAG)

    def _on_screen_changed(self, name: str) -> None:
        if name != BADGE and self.gate.pending is not None:
            # Left the sign-in before it succeeded: a late answer must neither open an associate screen
            # nor leave someone signed in with nobody at the kiosk.
            self.gate.cancel()
            self.badge.reset()
        screens = self.screens
        if name == CATALOG and screens is not None and self._catalog_stale:
            # New catalog data arrived while the grid was not shown: show it now, keeping the query.
            self._catalog_stale = False
            screens.catalog.retry()

    # -- browsing screens, built on the open cache ------------------------------------------------------
    def _attach_screens(self, session: SyncSession) -> None:
        here = session.record.location_id
        self._services = _Services(
            CatalogService(session.reader),
            ProductService(session.reader, here, reservations=session.outbox.reservations),
            session,
        )
        self._ensure_screens()

    async def _detach_screens(self) -> None:
        """Before the cache closes: no presenter, grid window or picture download may use it any more."""
        self._services = None
        self.product_images.use_source(None)
        self._feed.reset()  # the next engine's first status is a new baseline
        self._last_update = None
        await self._drop_screens()

    def _ensure_screens(self) -> None:
        """Build the presenters once the backend is up and the store (its currency prices every card) is
        known; a catalog without a cached store is browsed in the default currency rather than not at all."""
        state = self.home.state
        if self._services is None or self.screens is not None or self.runner.is_running(SCREENS_TASK):
            return
        if state.store is not None or state.can_browse:
            self._build_screens()

    def _build_screens(self, reopen: str | None = None) -> None:
        services = self._services
        if services is None:
            return
        runner = TaskRunner()
        runner.failed.connect(self._on_task_failure)
        language, currency = self._screen_settings.language, self._screen_settings.currency
        catalog = CatalogPresenter(
            services.catalog,
            runner,
            language=language,
            currency=currency,
            here=services.here,
            opens_handoffs=not self.kiosk_mode,
        )
        catalog.handoff_requested.connect(self._open_handoff)
        product = ProductPresenter(
            services.product, runner, language=language, currency=currency, images=self.product_images.image
        )
        if self._catalog_view is not None:
            connect_catalog(self._catalog_view, catalog)
        catalog.product_requested.connect(self.open_product)
        if self._product_view is not None:
            self._connect_product(self._product_view, product)
        product.back_requested.connect(self.window.go_back)
        product.add_to_bag_requested.connect(self._add_to_bag)
        session = services.session
        bag_service = BagService(
            session.reader, session.outbox, services.here, currency, reservations=session.outbox.reservations
        )
        handoff = (
            None
            if self.kiosk_mode
            else HandoffService(
                session.reader, services.here, currency, reservations=session.outbox.reservations
            )
        )
        bag = BagPresenter(bag_service, runner, language=language, handoff=handoff)
        if self._bag_view is not None:
            self._connect_bag(self._bag_view, bag)
        bag.back_requested.connect(self.window.go_back)
        bag.count_changed.connect(self.window.set_bag_count)
        self.screens = _Screens(runner, catalog, product, bag)
        if self._last_update is not None:
            self._feed_product(product, self._last_update, changed=False)
        self._catalog_stale = False
        self.window.set_bag_count(0)
        bag.start()  # takes up the bag a crash or a reconnect left in the outbox
        catalog.start()
        if reopen is not None:
            product.open(reopen)

    async def _drop_screens(self) -> None:
        screens, self.screens = self.screens, None
        if screens is None:
            return
        if self._catalog_view is not None:
            self._catalog_view.set_hit_loader(_no_hits)
        try:
            await screens.runner.shutdown()
        finally:
            # Deleted now, not later: their connections to the views go with them at once, so a tap
            # in between can never reach a presenter whose cache is gone.
            for presenter in (screens.catalog, screens.product, screens.bag, screens.runner):
                shiboken6.delete(presenter)

    async def _rebuild_screens(self, *, reopen: bool) -> None:
        screens = self.screens
        sku = screens.product.state.sku if screens is not None and reopen else None
        showing_product = self.window.current_screen() == PRODUCT
        await self._drop_screens()
        self._build_screens(sku if showing_product else None)

    def _on_home_state(self, state: HomeState) -> None:
        store = state.store
        if store is not None:
            self.attract.set_store_name(store.name)
            if self.settings.language is None and store.language in LANGUAGES:
                # No configured language: the store's own, unless a customer chose one for the visit.
                self.language.set_default(store.language)
                if state is not self.home.state:
                    return  # the language change re-entered this slot with the newer state
        settings = screen_settings(state, self._screen_settings)
        if settings != self._screen_settings:
            self._screen_settings = settings
            if self.screens is not None:
                self.runner.run(SCREENS_TASK, self._rebuild_screens(reopen=True))
                return
        self._ensure_screens()

    def _on_sync_status(self, status: object) -> None:
        """Each sync status: pulled pages reach the open screens, and the product page learns how
        current its stock figures are."""
        if not isinstance(status, SyncStatus):
            return
        update = self._feed.update(status, datetime.now(UTC))
        self._last_update = update
        screens = self.screens
        if screens is None:
            return
        self._feed_product(screens.product, update, changed=True)
        if update.changed:
            screens.bag.on_cache_changed(update.changed)
        if update.changed & {"catalog", "reviews", f"stock:{screens.catalog.state.here}"}:
            self._catalog_changed(screens.catalog)

    def _catalog_changed(self, catalog: CatalogPresenter) -> None:
        state: CatalogState = catalog.state
        if self.window.current_screen() != CATALOG:
            self._catalog_stale = True
        elif state.results is None or state.results.total == 0:
            # An empty grid (the first sync still running) fills in; a grid someone scrolls is left alone.
            catalog.retry()

    @staticmethod
    def _feed_product(product: ProductPresenter, update: SyncUpdate, *, changed: bool) -> None:
        if changed and update.changed:
            product.on_cache_changed(update.changed)
        if update.online is not None:
            confirmed = update.stock_confirmed_at
            product.on_connectivity(update.online, confirmed.isoformat() if confirmed is not None else None)

    # -- lifecycle -------------------------------------------------------------------------
    def show(self) -> None:
        if self.settings.demo or self.settings.mode == Mode.ASSOCIATE:
            width, height = DEMO_WINDOW_SIZE
            screen = self.window.screen()
            if screen is not None:  # a laptop screen may be smaller than the kiosk's 1280 x 800
                available = screen.availableGeometry()
                width, height = min(width, available.width()), min(height, available.height())
            self.window.resize(width, height)
            self.window.show()
        else:
            screen = self.window.screen()
            if screen is not None:
                # A kiosk often runs with no window manager to honour "full screen": cover it ourselves.
                self.window.setGeometry(screen.geometry())
            self.window.showFullScreen()
        self._shown = True
        for wedge in self._wedges:
            wedge.install()
        if self.idle_watch is not None:
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self.idle_watch)
            self.idle_watch.start()

    async def start(self) -> None:
        """Show the shell at once; connecting (and starting the demo) continues in the background."""
        self._quit = asyncio.Event()
        self.show()
        self.runner.run(CONNECT_TASK, self.connect(), on_failure=lambda _exc: self._connect_failed())

    async def connect(self) -> None:
        """Start the demo or take the configured central, open the data folder, enrol, start syncing."""
        if self.session is not None:
            return
        settings = self.settings
        self.home.connecting()
        central_url = settings.central_url
        enrol_key = settings.enrol_key
        if settings.demo:
            endpoint = await self._start_demo()
            if endpoint is None:
                return
            central_url, enrol_key = endpoint.url, endpoint.enrol_key
        if central_url is None:
            raise RuntimeError("no central URL outside demo mode; config validation should have refused this")
        plan = EnrolmentPlan(
            central_url=central_url,
            role=settings.mode.value,
            device_name=f"{settings.mode.value} on {socket.gethostname()}"[:80],
            location=settings.location,
            enrol_key=enrol_key,
            central_may_move=settings.demo,
        )
        session = await self._open_session(plan)
        if session is None:
            return
        self.session = session
        self.status.clear_notice(*_CONNECT_NOTICES)
        self.home.attach(session.reader, session.record.location_id)
        self._attach_screens(session)
        self.backend.ready.emit()
        if self.kiosk_mode and not self._welcomed and self.window.current_screen() == HOME:
            self._welcomed = True
            self.window.show_attract()
        # The cached catalog is on screen; only now reach the central (an enrolled device tries its token).
        await self._link_session(session)

    async def _link_session(self, session: SyncSession) -> None:
        """Make the open session's remote and engine, then sync; a problem is shown and the cache kept."""
        try:
            await session.link()
        except DeviceReenrolled as exc:
            # The outbox moves its pending actions to the new device id when the folder opens again.
            log.info("%s: opening the data folder again", exc)
            await self._close_session()
            await self.connect()
            return
        except EnrolmentNeeded as exc:
            log.warning("enrolment needed: %s", exc)
            self.status.show_notice(Notice(NoticeKind.ENROLMENT_NEEDED))
            self.home.needs_enrolment(exc.issue)
            if self.home.state.showing_problem and self.window.current_screen() == ATTRACT:
                self.window.show_home()  # nothing cached to browse: show what a person must do instead
            return
        except OSError as exc:
            log.error("the data folder %s cannot be used: %s", self.settings.state_dir, exc)
            self.status.show_notice(Notice(NoticeKind.DATA_DIR_UNUSABLE))
            return
        except RemoteError as exc:
            log.warning("the central system refused or failed the enrolment: %s", exc)
            self.status.show_notice(Notice(NoticeKind.CENTRAL_FAILED))
            return
        if self.session is not session:
            return
        self._start_engine(session)
        self.status.watch(session.engine)
        self.product_images.use_source(CentralImages(session.remote.http, session.remote.base_url))
        self.card_images.set_fetch(self.product_images.image)  # pictures missed while offline: ask again

    async def _open_session(self, plan: EnrolmentPlan) -> SyncSession | None:
        """The opened data folder, or None after putting the reason on screen."""
        try:
            return await SyncSession.open(
                self.settings.state_dir,
                plan,
                on_waiting=lambda _reason: self.home.waiting_for_central(),
                options=self._session_options,
            )
        except DataDirBusy as exc:
            log.error("the data folder is in use by another process: %s", exc.data_dir)
            self._show_problem(NoticeKind.DATA_DIR_BUSY, HomeProblem.DATA_DIR_BUSY)
        except EnrolmentNeeded as exc:
            log.warning("enrolment needed: %s", exc)
            self.status.show_notice(Notice(NoticeKind.ENROLMENT_NEEDED))
            self.home.needs_enrolment(exc.issue)
        except (OSError, sqlite3.Error, OutboxError) as exc:
            log.error("the data folder %s cannot be used: %s", self.settings.state_dir, exc)
            self._show_problem(NoticeKind.DATA_DIR_UNUSABLE, HomeProblem.DATA_DIR_UNUSABLE)
        except RemoteError as exc:
            log.warning("the central system refused or failed the enrolment: %s", exc)
            self._show_problem(NoticeKind.CENTRAL_FAILED, HomeProblem.CENTRAL_FAILED)
        return None

    def _show_problem(self, notice: NoticeKind, problem: HomeProblem) -> None:
        self.status.show_notice(Notice(notice))
        self.home.failed(problem)

    def _start_engine(self, session: SyncSession) -> None:
        def restart_later(error: BaseException) -> None:
            # A bug ended the engine (logged by the runner): nothing is lost, the outbox keeps every
            # action; start it again after a pause rather than leave the device without sync.
            del error
            if self.session is session and not self._closed:
                self._engine_task = self.runner.run(
                    ENGINE_TASK, self._run_engine_later(session), on_failure=restart_later
                )

        self._engine_task = self.runner.run(ENGINE_TASK, session.run(), on_failure=restart_later)

    async def _run_engine_later(self, session: SyncSession) -> None:
        await asyncio.sleep(ENGINE_RESTART_DELAY)
        await session.run()

    async def _start_demo(self) -> DemoEndpoint | None:
        if self.demo is not None and self.demo.running and self._demo_endpoint is not None:
            return self._demo_endpoint  # a reconnect: the demo server is still up
        settings = self.settings
        if self.demo is not None:  # a retry after a failed start: the old process must be gone first
            await asyncio.to_thread(self.demo.stop)
        demo = DemoCentral(
            settings.state_dir, location=settings.location or "CZ-PRG-01", role=settings.mode.value
        )
        self.demo = demo
        self.status.show_notice(Notice(NoticeKind.DEMO_STARTING))
        loop = asyncio.get_running_loop()

        def on_seed_progress(done: int, total: int) -> None:
            # Called on the worker thread: hand the update to the loop's (Qt's) thread.
            loop.call_soon_threadsafe(self.status.show_notice, Notice(NoticeKind.DEMO_SEEDING, done, total))

        try:
            endpoint = await asyncio.to_thread(demo.start, on_seed_progress)
        except DemoStopped:
            return None
        except (DemoError, OSError) as exc:
            log.error("the demo server could not start: %s", exc)
            self._show_problem(NoticeKind.DEMO_FAILED, HomeProblem.DEMO_FAILED)
            return None
        self.status.clear_notice(NoticeKind.DEMO_STARTING, NoticeKind.DEMO_SEEDING)
        self._demo_endpoint = endpoint
        return endpoint

    def _on_retry(self) -> None:
        if not self.runner.is_running(CONNECT_TASK):
            self.runner.run(CONNECT_TASK, self._reconnect(), on_failure=lambda _exc: self._connect_failed())

    async def _reconnect(self) -> None:
        """Try again from the start (a new enrolment key may have been set up meanwhile)."""
        await self._close_session()
        await self.connect()

    def _connect_failed(self) -> None:
        self.status.show_notice(Notice(NoticeKind.UNEXPECTED_ERROR))
        if self.session is None:
            self.home.failed(HomeProblem.UNEXPECTED)

    async def _close_session(self) -> None:
        session = self.session
        if session is None:
            return
        self.session = None
        self.backend.closing.emit()
        self.status.stop_watching()
        self.home.detach()
        await self._detach_screens()
        task, self._engine_task = self._engine_task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await session.close()

    def request_quit(self) -> None:
        if self._quit is not None:
            self._quit.set()

    async def wait_for_quit(self) -> None:
        if self._quit is None:
            raise RuntimeError("start() first")
        await self._quit.wait()

    async def shutdown(self) -> None:
        """In order: cancel tasks (the engine's too), close the engine, remote, cache and outbox, release
        the data folder, stop the demo server."""
        if self._closed:
            return
        self._closed = True
        if self.idle_watch is not None:
            self.idle_watch.stop()
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self.idle_watch)
        self.status.stop_watching()
        for wedge in self._wedges:
            wedge.uninstall()
        await self.runner.shutdown()
        await self._detach_screens()
        if self._catalog_view is not None:
            self._catalog_view.shutdown()
        # The start screen draws cards too: their pictures stop here, whether the catalog was opened or not.
        await self.card_images.aclose()
        await self.product_images.aclose()  # its downloads outlive the cards that asked for them
        session, self.session = self.session, None
        if session is not None:
            self.backend.closing.emit()
            self.home.detach()
            await session.close()
        if self.demo is not None:
            await asyncio.to_thread(self.demo.stop)
        self.window.hide()
        self.language.close()
        log.info("shut down cleanly")

    def stop_demo_now(self) -> None:
        """Last resort when the loop died: never leave the demo server running behind."""
        if self.demo is not None:
            self.demo.stop()

    # -- unexpected errors ------------------------------------------------------------------------
    def on_unexpected(self, context: str) -> None:
        """A bug surfaced outside a task: the user gets the start screen and a friendly note."""
        del context
        self.window.show_home()
        self.status.show_notice(Notice(NoticeKind.UNEXPECTED_ERROR))

    def _on_task_failure(self, failure: object) -> None:
        if isinstance(failure, TaskFailure):
            self.window.show_home()
            self.status.report_failure(failure)


# Platform plugins that cannot do something harmless say so on every window change.
_QT_NOISE = ("This plugin does not support propagateSizeHints()",)


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if message.startswith(_QT_NOISE):
        logging.getLogger("qt").debug("%s", message)
        return
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }.get(kind, logging.WARNING)
    logging.getLogger("qt").log(level, "%s (%s:%s)", message, context.file, context.line)


def _install_hooks(root: KioskApp) -> Callable[[], None]:
    """Send uncaught exceptions (Qt slots, callbacks, threads) to the log and a notice; returns an undo."""
    previous_hook = sys.excepthook
    previous_thread_hook = threading.excepthook

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            root.request_quit()
            return
        log.critical("uncaught exception", exc_info=(kind, error, tb))
        root.on_unexpected("uncaught exception")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        log.critical(
            "uncaught exception in thread %s: %s",
            args.thread.name if args.thread else "?",
            args.exc_type.__name__,
            exc_info=args.exc_value,
        )

    sys.excepthook = hook
    threading.excepthook = thread_hook
    previous_qt = qInstallMessageHandler(_qt_message)

    def undo() -> None:
        sys.excepthook = previous_hook
        threading.excepthook = previous_thread_hook
        qInstallMessageHandler(previous_qt)

    return undo


def _loop_exception_handler(root: KioskApp) -> Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None]:
    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        message = context.get("message", "asyncio error")
        if error is not None:
            log.error("asyncio: %s", message, exc_info=error)
        else:
            log.error("asyncio: %s (%s)", message, context)
        root.on_unexpected(str(message))

    return handle


def run(settings: Settings) -> int:
    """Build the app, run it until the window closes or SIGINT/SIGTERM, shut down in order."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0], "-name", "store-kiosk"])
    app.setApplicationName("store-kiosk")
    app.setApplicationDisplayName("Store")
    # The composition root decides when to quit, after shutting things down (see MainWindow.closeEvent).
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app, theme=Theme(settings.theme))

    root = KioskApp(settings)  # its LanguageController installs the translator and locale
    undo_hooks = _install_hooks(root)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: quitting", signal.Signals(signum).name)
        root.request_quit()

    previous_int = signal.signal(signal.SIGINT, on_signal)
    previous_term = signal.signal(signal.SIGTERM, on_signal)
    # Python runs signal handlers only between bytecodes; while Qt waits in C++ nothing would run
    # them, so a cheap timer hands control to Python a few times a second.
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(250)

    async def main() -> int:
        asyncio.get_running_loop().set_exception_handler(_loop_exception_handler(root))
        try:
            await root.start()
            await root.wait_for_quit()
        finally:
            await root.shutdown()
        return 0

    try:
        return asyncio.run(main(), loop_factory=lambda: qasync.QEventLoop(app))
    finally:
        wake.stop()
        root.stop_demo_now()
        undo_hooks()
        signal.signal(signal.SIGINT, previous_int)
        signal.signal(signal.SIGTERM, previous_term)
