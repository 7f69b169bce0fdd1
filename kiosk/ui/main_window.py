"""The main window: screens above a bottom row of navigation and status strip; knows nothing about data."""

from __future__ import annotations

from collections.abc import Callable
from typing import override

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from kiosk.ui.navigation import ATTRACT, BAG, HOME, History
from kiosk.ui.status.view import STRIP_HEIGHT, StatusView
from kiosk.ui.widgets.touch_button import TouchButton

__all__ = ["HOME", "MainWindow"]

STACK_MIN_HEIGHT = 240  # px: the top of a screen (its search field) stays in view above a keyboard


class MainWindow(QMainWindow):
    """Screens are added by the composition root; the window switches between them and keeps the way back.

    Below every screen: the status strip, and left of it on every screen but the start screen, the
    way back to the start, to the previous screen (for screens without a back button of their own) and
    to the bag while it holds something. The bottom row takes no height from the screens: they are laid
    out for 1280 x 800 less the strip. The kiosk's attract screen shows no bar either; an on-screen
    keyboard, when docked, sits between the screens and the bottom row and shrinks the screens while shown.
    """

    close_requested = Signal()
    screen_changed = Signal(str)  # the name of the screen now shown
    bag_requested = Signal()

    def __init__(self, status_view: StatusView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._screens: dict[str, QWidget] = {}
        self._builders: dict[str, Callable[[], QWidget]] = {}  # screens built when first wanted
        self._own_back: set[str] = set()
        self._history = History()
        self._bag_count = 0
        self._status_view = status_view
        self._setup_ui()
        self.retranslate()
        self._show()

    def _setup_ui(self) -> None:
        self.setObjectName("mainWindow")
        central = QWidget(self)
        central.setObjectName("shell")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._stack = QStackedWidget(central)
        self._stack.setObjectName("screenStack")
        # Screens are laid out for the full height; with the on-screen keyboard up, the stack may get
        # less than their minimum and clips their lower part, rather than push the strip off the screen.
        self._stack.setMinimumHeight(STACK_MIN_HEIGHT)
        layout.addWidget(self._stack, 1)
        self._layout = layout
        bottom = QHBoxLayout()
        bottom.setSpacing(0)
        self._bar = QFrame(central)
        self._bar.setObjectName("navigationBar")  # styled as the status strip it sits beside
        self._bar.setFixedHeight(STRIP_HEIGHT)
        bar_layout = QHBoxLayout(self._bar)
        bar_layout.setContentsMargins(16, 5, 0, 5)  # a secondary button is 52 px with its border
        bar_layout.setSpacing(8)
        self._home = TouchButton("navigationHomeButton", variant="secondary", parent=self._bar)
        self._home.clicked.connect(self.show_home)
        self._back = TouchButton("navigationBackButton", variant="secondary", parent=self._bar)
        self._back.clicked.connect(self.go_back)
        self._bag = TouchButton("navigationBagButton", parent=self._bar)
        self._bag.clicked.connect(self.bag_requested)
        bar_layout.addWidget(self._home)
        bar_layout.addWidget(self._back)
        bar_layout.addWidget(self._bag)
        bottom.addWidget(self._bar)
        bottom.addWidget(self._status_view, 1)
        layout.addLayout(bottom)
        self.setCentralWidget(central)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Store"))
        self._back.setText(self.tr("‹ Back"))
        self._back.setAccessibleName(self.tr("Back"))
        self._home.setText(self.tr("⌂ Start"))
        self._home.setAccessibleName(self.tr("Back to the start screen"))
        self._bag.setText(self.tr("Bag · %n", "", self._bag_count))
        self._bag.setAccessibleName(self.tr("Your bag, %n item(s)", "", self._bag_count))

    @override
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @property
    def status_view(self) -> StatusView:
        return self._status_view

    @property
    def history(self) -> History:
        return self._history

    def add_screen(self, name: str, screen: QWidget, *, own_back: bool = False) -> None:
        """Add a screen; ``own_back``: it has a back button of its own, the shell shows none for it."""
        self._screens[name] = screen
        if own_back:
            self._own_back.add(name)
        self._stack.addWidget(screen)
        self._show()

    def add_screen_later(self, name: str, build: Callable[[], QWidget], *, own_back: bool = False) -> None:
        """Add a screen that ``build()`` makes the first time it is shown or asked for (`screen_widget`):
        a screen nobody opens yet costs the start nothing."""
        self._builders[name] = build
        if own_back:
            self._own_back.add(name)

    def screen_widget(self, name: str) -> QWidget | None:
        """The screen called ``name``, built now if it was added with `add_screen_later`; None if unknown."""
        screen = self._screens.get(name)
        if screen is None:
            build = self._builders.pop(name, None)
            if build is not None:
                screen = build()
                self._screens[name] = screen
                self._stack.addWidget(screen)
        return screen

    def is_built(self, name: str) -> bool:
        """Whether the screen ``name`` exists as a widget (added, or built since)."""
        return name in self._screens

    def dock_keyboard(self, keyboard: QWidget) -> None:
        """Put ``keyboard`` below the screens, above the status strip; it shows and hides itself."""
        self._layout.insertWidget(1, keyboard)

    def set_bag_count(self, count: int) -> None:
        """Units in the customer's bag: the bag button shows while there are any."""
        self._bag_count = max(0, count)
        self.retranslate()
        self._show()

    def show_screen(self, name: str) -> None:
        """Go forward to ``name`` (back returns to the screen shown now); unknown names are ignored."""
        if self.screen_widget(name) is not None:
            self._set(self._history.open(name))

    def go_back(self) -> None:
        self._set(self._history.back())

    def current_screen(self) -> str | None:
        current = self._stack.currentWidget()
        return next((name for name, widget in self._screens.items() if widget is current), None)

    def show_home(self) -> None:
        """The safe state: back to the start screen (after inactivity or an unexpected error)."""
        self._set(History())

    def show_attract(self) -> None:
        """The kiosk's welcome, with nothing behind it; ignored when no attract screen was added."""
        if ATTRACT in self._screens:
            self._set(History(ATTRACT))

    def _set(self, history: History) -> None:
        changed = history.current != self._history.current
        self._history = history
        self._show()
        if changed:
            self.screen_changed.emit(history.current)

    def _show(self) -> None:
        screen = self._screens.get(self._history.current)
        if screen is None:
            self._bar.hide()
            return
        self._stack.setCurrentWidget(screen)
        self._bar.setVisible(self._history.current not in (HOME, ATTRACT))
        # With home right behind, "back" and "start" are one place: one button says it.
        self._back.setVisible(
            self._history.current not in self._own_back and self._history.previous not in (None, HOME)
        )
        self._bag.setVisible(self._bag_count > 0 and self._history.current != BAG)

    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        # The composition root decides when to quit: it shuts tasks, HTTP and the demo server down first.
        event.ignore()
        self.close_requested.emit()
