"""The composition root: builds and wires everything, runs Qt and asyncio together, shuts down in order."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

import qasync
from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from kiosk.api.central_client import CentralClient
from kiosk.config import Mode, Settings
from kiosk.demo import DemoCentral, DemoError, DemoStopped
from kiosk.services.connectivity import HealthCheck
from kiosk.services.enrolment import Enrolment, EnrolmentPlan
from kiosk.services.first_sync import FirstSync
from kiosk.ui.idle_watch import IdleWatch
from kiosk.ui.main_window import HOME, MainWindow
from kiosk.ui.screens.home.presenter import HomePresenter
from kiosk.ui.screens.home.state import HomePhase, HomeProblem, HomeState
from kiosk.ui.screens.home.view import HomeView
from kiosk.ui.status.presenter import HEALTH_INTERVAL, StatusPresenter
from kiosk.ui.status.state import Notice, NoticeKind
from kiosk.ui.status.view import StatusView
from kiosk.ui.task_runner import TaskFailure, TaskRunner
from kiosk.ui.theme import apply_locale, apply_theme
from kiosk.ui.translations import install_translator
from offline_cache.device_record import device_store

log = logging.getLogger(__name__)

CONNECT_TASK = "app.connect"
DEMO_WINDOW_SIZE = (1280, 800)
_WORKING_PHASES = (HomePhase.ENROLLING, HomePhase.LOADING_STORE, HomePhase.COUNTING, HomePhase.READY)


class KioskApp:
    """Owns every long-lived object of one run. Qt objects are built in __init__; the backend
    (demo server, HTTP client, services) once the central URL is known, in `connect()`."""

    def __init__(self, settings: Settings, *, health_interval: float = HEALTH_INTERVAL) -> None:
        self.settings = settings
        self.runner = TaskRunner()
        self.status = StatusPresenter(self.runner, interval=health_interval)
        self.status_view = StatusView()
        self.window = MainWindow(self.status_view)
        self.home_view = HomeView()
        self.window.add_screen(HOME, self.home_view)
        self.window.show_home()
        self.home: HomePresenter | None = None
        self.client: CentralClient | None = None
        self.demo: DemoCentral | None = None
        self._quit: asyncio.Event | None = None
        self._closed = False

        self.status.state_changed.connect(self.status_view.render_state)
        self.runner.failed.connect(self._on_task_failure)
        self.window.close_requested.connect(self.request_quit)
        self.home_view.retry_requested.connect(self._on_retry)
        self.idle_watch: IdleWatch | None = None
        if settings.mode == Mode.KIOSK:
            # A kiosk keeps nothing of the previous customer on screen after a quiet spell.
            self.idle_watch = IdleWatch(settings.idle_timeout, self.window)
            self.idle_watch.idle.connect(self.window.show_home)

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
        settings = self.settings
        central_url = settings.central_url
        enrol_key = settings.enrol_key
        if settings.demo:
            endpoint = await self._start_demo()
            if endpoint is None:
                return
            central_url, enrol_key = endpoint
        if central_url is None:
            raise RuntimeError("no central URL outside demo mode; config validation should have refused this")
        if self.client is not None:  # a retry after a failed connect: one client at a time
            await self.client.aclose()
        self.client = CentralClient(central_url)
        plan = EnrolmentPlan(
            central_url=central_url,
            role=settings.mode.value,
            device_name=f"{settings.mode.value} on {socket.gethostname()}"[:80],
            location=settings.location,
            enrol_key=enrol_key,
            central_may_move=settings.demo,
        )
        enrolment = Enrolment(self.client, device_store(settings.state_dir), plan)
        home = HomePresenter(
            enrolment,
            FirstSync(self.client),
            self.runner,
            kiosk_mode=settings.mode == Mode.KIOSK,
            language=settings.language,
        )
        self.home = home
        self._wire_home(home)
        self.status.watch(HealthCheck(self.client))
        home.start()

    def _wire_home(self, home: HomePresenter) -> None:
        home.state_changed.connect(self.home_view.render_state)
        home.sync_progressed.connect(self.status.sync_progressed)
        home.sync_succeeded.connect(self.status.sync_succeeded)
        home.sync_stopped.connect(self.status.sync_stopped)
        home.central_reachable.connect(self.status.central_reachable)
        home.central_unreachable.connect(self.status.central_unreachable)
        home.central_failed.connect(lambda: self.status.show_notice(Notice(NoticeKind.CENTRAL_FAILED)))
        home.enrolment_needed.connect(lambda: self.status.show_notice(Notice(NoticeKind.ENROLMENT_NEEDED)))
        home.state_changed.connect(lambda _state: self._clear_recovered_notice())
        self.status.connectivity_changed.connect(home.on_connectivity_changed)
        self.home_view.render_state(home.state)

    def _clear_recovered_notice(self) -> None:
        home = self.home
        if home is not None and home.state.phase in _WORKING_PHASES:
            self.status.clear_notice(NoticeKind.CENTRAL_FAILED, NoticeKind.ENROLMENT_NEEDED)

    async def _start_demo(self) -> tuple[str, str] | None:
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
            self.status.show_notice(Notice(NoticeKind.DEMO_FAILED))
            self._show_failure_screen(HomeProblem.DEMO_FAILED)
            return None
        self.status.clear_notice(NoticeKind.DEMO_STARTING, NoticeKind.DEMO_SEEDING)
        return endpoint.url, endpoint.enrol_key

    def _show_failure_screen(self, problem: HomeProblem) -> None:
        # No backend means no HomePresenter yet: the view draws the failure directly; its retry
        # button comes back here (see _on_retry).
        self.home_view.render_state(
            HomeState(phase=HomePhase.FAILED, kiosk_mode=self.settings.mode == Mode.KIOSK, problem=problem)
        )

    def _on_retry(self) -> None:
        if self.home is not None:
            self.home.retry()
        elif not self.runner.is_running(CONNECT_TASK):
            # The backend never came up (the demo failed): try the whole connection again.
            self.runner.run(CONNECT_TASK, self.connect(), on_failure=lambda _exc: self._connect_failed())

    def _connect_failed(self) -> None:
        self.status.show_notice(Notice(NoticeKind.UNEXPECTED_ERROR))
        if self.home is None:
            self._show_failure_screen(HomeProblem.UNEXPECTED)

    def request_quit(self) -> None:
        if self._quit is not None:
            self._quit.set()

    async def wait_for_quit(self) -> None:
        if self._quit is None:
            raise RuntimeError("start() first")
        await self._quit.wait()

    async def shutdown(self) -> None:
        """In order: stop tasks (nothing uses the client afterwards), close HTTP, stop the demo server."""
        if self._closed:
            return
        self._closed = True
        if self.idle_watch is not None:
            self.idle_watch.stop()
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self.idle_watch)
        await self.runner.shutdown()
        if self.client is not None:
            await self.client.aclose()
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
