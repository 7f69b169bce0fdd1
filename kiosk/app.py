"""The composition root: builds and wires everything, runs Qt and asyncio together, shuts down in order."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sqlite3
import sys
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

import qasync
from PySide6.QtCore import QMessageLogContext, QObject, QTimer, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from kiosk.api.remote import CentralRemote
from kiosk.config import Mode, Settings
from kiosk.demo import DemoCentral, DemoEndpoint, DemoError, DemoStopped
from kiosk.services.cache_reader import CacheReader
from kiosk.services.enrolment import EnrolmentNeeded, EnrolmentPlan
from kiosk.services.sync_session import SessionOptions, SyncSession
from kiosk.ui.idle_watch import IdleWatch
from kiosk.ui.main_window import HOME, MainWindow
from kiosk.ui.screens.home.presenter import HomePresenter
from kiosk.ui.screens.home.state import HomeProblem
from kiosk.ui.screens.home.view import HomeView
from kiosk.ui.status.presenter import StatusPresenter
from kiosk.ui.status.state import Notice, NoticeKind
from kiosk.ui.status.view import StatusView
from kiosk.ui.task_runner import TaskFailure, TaskRunner
from kiosk.ui.theme import apply_locale, apply_theme
from kiosk.ui.translations import install_translator
from offline_cache.cache_store import CacheStore
from offline_cache.data_dir_lock import DataDirBusy
from offline_cache.engine import SyncEngine
from offline_cache.outbox import Outbox, OutboxError
from offline_cache.remote import RemoteError

log = logging.getLogger(__name__)

CONNECT_TASK = "app.connect"
ENGINE_TASK = "app.sync-engine"
ENGINE_RESTART_DELAY = 5.0  # after a bug ended the engine's task: start it again, not in a tight loop
DEMO_WINDOW_SIZE = (1280, 800)
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


class KioskApp:
    """Owns every long-lived object of one run. Qt objects are built in __init__; the backend (demo
    server, data folder, sync engine) in `connect()`, exposed as `cache`, `outbox`, `engine`, `reader`
    and `remote` once `backend.ready` has fired."""

    def __init__(self, settings: Settings, *, session_options: SessionOptions | None = None) -> None:
        self.settings = settings
        self._session_options = session_options or SessionOptions()
        self.runner = TaskRunner()
        self.backend = BackendSignals()
        self.status = StatusPresenter()
        self.status_view = StatusView()
        self.window = MainWindow(self.status_view)
        self.home_view = HomeView()
        self.window.add_screen(HOME, self.home_view)
        self.window.show_home()
        self.home = HomePresenter(
            self.runner, kiosk_mode=settings.mode == Mode.KIOSK, language=settings.language
        )
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
        self.runner.failed.connect(self._on_task_failure)
        self.window.close_requested.connect(self.request_quit)
        self.idle_watch: IdleWatch | None = None
        if settings.mode == Mode.KIOSK:
            # A kiosk keeps nothing of the previous customer on screen after a quiet spell.
            self.idle_watch = IdleWatch(settings.idle_timeout, self.window)
            self.idle_watch.idle.connect(self.window.show_home)

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
            self.window.showFullScreen()
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
        self._start_engine(session)
        self.status.watch(session.engine)
        self.home.attach(session.reader, session.record.location_id)
        self.backend.ready.emit()

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
        await self.runner.shutdown()
        session, self.session = self.session, None
        if session is not None:
            self.backend.closing.emit()
            self.home.detach()
            await session.close()
        if self.demo is not None:
            await asyncio.to_thread(self.demo.stop)
        self.window.hide()
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
    apply_theme(app)
    apply_locale(settings.language)
    translator = install_translator(app, settings.language)

    root = KioskApp(settings)
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
        del translator  # held until here: Qt does not own installed translators
