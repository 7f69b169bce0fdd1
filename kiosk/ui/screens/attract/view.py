"""The attract screen widget: a big welcome, touch anywhere to start, languages, contrast, staff entry."""

from __future__ import annotations

from typing import override

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.ui.screen_view import ScreenView
from kiosk.ui.screens.attract.presenter import AttractPresenter
from kiosk.ui.screens.attract.state import AttractState
from kiosk.ui.widgets.labels import plain_label
from kiosk.ui.widgets.language_switch import LanguageSwitch
from kiosk.ui.widgets.touch_button import TouchButton

START_SIZE = QSize(360, 96)  # "Touch to start": the one thing a passer-by should see and hit


def _centred(label: QLabel) -> QLabel:
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class AttractView(ScreenView[AttractState]):
    """Passive: a touch anywhere outside the controls starts, as customers expect of a kiosk."""

    start_clicked = Signal()
    staff_clicked = Signal()
    language_chosen = Signal(str)
    contrast_toggled = Signal()

    def __init__(self, initial: AttractState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(initial or AttractState(), parent)

    def _setup_ui(self) -> None:
        self.setObjectName("attractScreen")
        root = QVBoxLayout(self)
        root.setContentsMargins(48, 32, 48, 32)
        root.setSpacing(24)
        top = QHBoxLayout()
        self._languages = LanguageSwitch(self._state.language, parent=self)
        self._languages.language_chosen.connect(self.language_chosen)
        self._contrast = TouchButton("attractContrastToggle", variant="secondary", parent=self)
        self._contrast.setCheckable(True)
        self._contrast.clicked.connect(self.contrast_toggled)
        top.addWidget(self._languages)
        top.addStretch(1)
        top.addWidget(self._contrast)
        root.addLayout(top)
        root.addStretch(2)
        self._store = _centred(plain_label("attractStoreName", self, wrap=True, pixel_size=22))
        self._title = _centred(plain_label("attractTitle", self, wrap=True, pixel_size=56, bold=True))
        self._subtitle = _centred(
            plain_label("attractSubtitle", self, wrap=True, pixel_size=24, tone="muted")
        )
        self._start = TouchButton("attractStartButton", parent=self)
        # The theme's QPushButton rule (min-height 48 px, 17 px text) beats setMinimumSize and setFont;
        # a rule on the button itself is more specific and keeps it the big target it is meant to be.
        self._start.setStyleSheet(
            f"min-width: {START_SIZE.width()}px; min-height: {START_SIZE.height()}px; font-size: 28px;"
        )
        self._start.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._start.clicked.connect(self.start_clicked)
        for widget in (self._store, self._title, self._subtitle):
            root.addWidget(widget)
        root.addWidget(self._start, 0, Qt.AlignmentFlag.AlignHCenter)
        root.addStretch(3)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self._staff = TouchButton("attractStaffButton", variant="secondary", parent=self)
        self._staff.clicked.connect(self.staff_clicked)
        bottom.addWidget(self._staff)
        root.addLayout(bottom)

    @property
    def language_switch(self) -> LanguageSwitch:
        return self._languages

    def retranslate(self) -> None:
        self._title.setText(self.tr("Welcome"))
        self._subtitle.setText(self.tr("Browse the whole catalog, check stock and build your bag."))
        for button, text, accessible in (
            (self._start, self.tr("Touch to start"), self.tr("Start browsing")),
            (self._contrast, self.tr("High contrast"), self.tr("High contrast display")),
            (self._staff, self.tr("Staff"), self.tr("Staff sign-in")),
        ):
            button.setText(text)
            button.setAccessibleName(accessible)
        self.setAccessibleName(self.tr("Start screen"))

    def _render(self, state: AttractState) -> None:
        self._store.setText(state.store_name)
        self._store.setVisible(bool(state.store_name))
        self._languages.set_current(state.language)
        self._contrast.setChecked(state.high_contrast)

    @override
    def mousePressEvent(self, event: QMouseEvent) -> None:
        # Only presses on the background reach here: the controls take their own.
        if event.button() == Qt.MouseButton.LeftButton:
            self.start_clicked.emit()
        super().mousePressEvent(event)

    @override
    def sizeHint(self) -> QSize:
        return QSize(1280, 736)


def connect_attract(view: AttractView, presenter: AttractPresenter) -> None:
    """Wire the attract view to its presenter: states one way, intents the other."""
    presenter.state_changed.connect(view.render_state)
    view.start_clicked.connect(presenter.start)
    view.staff_clicked.connect(presenter.staff)
    view.language_chosen.connect(presenter.choose_language)
    view.contrast_toggled.connect(presenter.toggle_high_contrast)
    view.render_state(presenter.state)
