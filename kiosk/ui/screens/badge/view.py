"""The associate sign-in widget: scan a badge, or type employee id and PIN; refusals explained."""

from __future__ import annotations

from typing import override

from PySide6.QtCore import QRegularExpression, QSize, Qt, Signal
from PySide6.QtGui import QFont, QRegularExpressionValidator
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.services.associate_session import SignInProblem
from kiosk.ui.screen_view import ScreenView
from kiosk.ui.screens.badge.presenter import BadgePresenter
from kiosk.ui.screens.badge.state import BadgePhase, BadgeState
from kiosk.ui.widgets.touch_button import TouchButton


def _field(object_name: str, parent: QWidget, *, secret: bool = False) -> QLineEdit:
    field = QLineEdit(parent)
    field.setObjectName(object_name)
    field.setMinimumHeight(48)
    if secret:
        field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class BadgeView(ScreenView[BadgeState]):
    """Passive: the badge field takes a scanner's keystrokes (ended by Enter); the form submits id + PIN."""

    badge_entered = Signal(str)
    pin_entered = Signal(str, str)
    cancel_clicked = Signal()

    def __init__(self, initial: BadgeState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(initial or BadgeState(), parent)

    def _setup_ui(self) -> None:
        self.setObjectName("badgeScreen")
        root = QVBoxLayout(self)
        root.setContentsMargins(48, 32, 48, 32)
        root.setSpacing(20)
        self._title = QLabel(self)
        self._title.setObjectName("badgeTitle")
        font = QFont(self._title.font())
        font.setPixelSize(30)
        font.setBold(True)
        self._title.setFont(font)
        self._hint = QLabel(self)
        self._hint.setObjectName("badgeHint")
        self._hint.setWordWrap(True)
        # Badges are scanned into this field; what a badge carries is a credential, never shown.
        self._badge = _field("badgeCode", self, secret=True)
        self._badge.returnPressed.connect(self._submit_badge)
        form = QFormLayout()
        form.setSpacing(12)
        self._employee = _field("badgeEmployeeId", self)
        self._employee.setMaxLength(40)
        self._pin = _field("badgePin", self, secret=True)
        self._pin.setMaxLength(8)
        self._pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,8}"), self._pin))
        self._pin.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData)
        self._pin.returnPressed.connect(self._submit_pin)
        self._employee_label = QLabel(self)
        self._pin_label = QLabel(self)
        form.addRow(self._employee_label, self._employee)
        form.addRow(self._pin_label, self._pin)
        self._message = QLabel(self)
        self._message.setObjectName("badgeMessage")
        self._message.setWordWrap(True)
        self._message.setProperty("tone", "error")
        buttons = QHBoxLayout()
        self._sign_in = TouchButton("badgeSignInButton", parent=self)
        self._sign_in.clicked.connect(self._submit_pin)
        self._cancel = TouchButton("badgeCancelButton", variant="secondary", parent=self)
        self._cancel.clicked.connect(self.cancel_clicked)
        buttons.addWidget(self._cancel)
        buttons.addStretch(1)
        buttons.addWidget(self._sign_in)
        for widget in (self._title, self._hint, self._badge):
            root.addWidget(widget)
        root.addLayout(form)
        root.addWidget(self._message)
        root.addStretch(1)
        root.addLayout(buttons)

    def retranslate(self) -> None:
        self._title.setText(self.tr("Staff sign-in"))
        self._hint.setText(self.tr("Scan your badge, or enter your employee ID and PIN."))
        self._badge.setAccessibleName(self.tr("Badge"))
        self._badge.setPlaceholderText(self.tr("Scan your badge"))
        self._employee_label.setText(self.tr("Employee ID"))
        self._employee.setAccessibleName(self.tr("Employee ID"))
        self._pin_label.setText(self.tr("PIN"))
        self._pin.setAccessibleName(self.tr("PIN"))
        for button, text in ((self._sign_in, self.tr("Sign in")), (self._cancel, self.tr("Cancel"))):
            button.setText(text)
            button.setAccessibleName(text)

    def message_text(self, state: BadgeState) -> str:
        if state.phase == BadgePhase.SIGNING_IN:
            return self.tr("Signing in…")
        if state.phase == BadgePhase.SIGNED_IN:
            return self.tr("Signed in as %1.").replace("%1", state.associate_name)
        texts = {
            SignInProblem.BAD_INPUT: self.tr("That is not a badge or PIN of this store. Please try again."),
            SignInProblem.INVALID_CREDENTIALS: self.tr("Badge or PIN not recognised."),
            SignInProblem.LOCKED: self.tr("Too many wrong PINs. Sign-in is locked for a while."),
            SignInProblem.WRONG_STORE: self.tr("This associate does not work at this store."),
            SignInProblem.NOT_ALLOWED_HERE: self.tr("Associates cannot sign in on this device."),
            SignInProblem.OFFLINE: self.tr("Signing in needs the central system, which cannot be reached."),
            SignInProblem.FAILED: self.tr("Signing in failed. Please try again."),
        }
        return texts.get(state.problem, "") if state.problem is not None else ""

    def _render(self, state: BadgeState) -> None:
        self._message.setText(self.message_text(state))
        busy = state.phase == BadgePhase.SIGNING_IN
        for widget in (self._badge, self._employee, self._pin, self._sign_in):
            widget.setEnabled(not busy)
        if state.phase != BadgePhase.SIGNING_IN:
            # Credentials never stay on the form: not after a refusal, not after a success.
            self._badge.clear()
            self._pin.clear()
        if state.phase in (BadgePhase.WAITING, BadgePhase.SIGNED_IN):
            # Who tried to sign in stays only for another try after a refusal: a fresh form (the idle
            # reset, Cancel) or a finished sign-in keeps nothing personal.
            self._employee.clear()

    def _submit_badge(self) -> None:
        self.badge_entered.emit(self._badge.text())

    def _submit_pin(self) -> None:
        self.pin_entered.emit(self._employee.text(), self._pin.text())

    @override
    def sizeHint(self) -> QSize:
        return QSize(960, 640)


def connect_badge(view: BadgeView, presenter: BadgePresenter) -> None:
    presenter.state_changed.connect(view.render_state)
    view.badge_entered.connect(presenter.sign_in_badge)
    view.pin_entered.connect(presenter.sign_in_pin)
    view.cancel_clicked.connect(presenter.cancel)
    view.render_state(presenter.state)
