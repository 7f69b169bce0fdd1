"""The main window: a stacked area for screens above the status strip; knows nothing about data."""

from __future__ import annotations

from typing import override

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from kiosk.ui.status.view import StatusView

HOME = "home"


class MainWindow(QMainWindow):
    """Screens are added by the composition root; the window only switches between them."""

    close_requested = Signal()

    def __init__(self, status_view: StatusView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._screens: dict[str, QWidget] = {}
        self._status_view = status_view
        self._setup_ui()
        self.retranslate()

    def _setup_ui(self) -> None:
        self.setObjectName("mainWindow")
        central = QWidget(self)
        central.setObjectName("shell")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._stack = QStackedWidget(central)
        self._stack.setObjectName("screenStack")
        layout.addWidget(self._stack, 1)
        layout.addWidget(self._status_view)
        self.setCentralWidget(central)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Store"))

    @override
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @property
    def status_view(self) -> StatusView:
        return self._status_view

    def add_screen(self, name: str, screen: QWidget) -> None:
        self._screens[name] = screen
        self._stack.addWidget(screen)

    def show_screen(self, name: str) -> None:
        self._stack.setCurrentWidget(self._screens[name])

    def current_screen(self) -> str | None:
        current = self._stack.currentWidget()
        return next((name for name, widget in self._screens.items() if widget is current), None)

    def show_home(self) -> None:
        """The safe state: back to the start screen (after inactivity or an unexpected error)."""
        if HOME in self._screens:
            self.show_screen(HOME)

    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        # The composition root decides when to quit: it shuts tasks, HTTP and the demo server down first.
        event.ignore()
        self.close_requested.emit()
