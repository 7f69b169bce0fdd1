"""Our own touch keyboard for kiosk mode: en (QWERTY), cs (QWERTZ), pl (programmer + AltGr), bg (phonetic).

Qt Virtual Keyboard is QML and does not work reliably with Widgets (nor offscreen), hence this widget.
Keys never take the focus: a tap types into whatever text field has it, through ordinary key events,
so validators, max lengths and the field's own signals behave exactly as with a hardware keyboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, override

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.widgets.touch_button import TouchButton

KEY_SIZE: Final = 56  # px: above the 48 px touch minimum, ten keys fit 600 px


@dataclass(frozen=True, slots=True)
class Key:
    """What one key types: plain, with Shift, with AltGr, with AltGr and Shift ("" where nothing)."""

    normal: str
    shifted: str
    alt: str = ""
    alt_shifted: str = ""

    def text(self, shift: bool, alt: bool) -> str:
        if alt:
            return (self.alt_shifted if shift else self.alt) or ""
        return self.shifted if shift else self.normal


@dataclass(frozen=True, slots=True)
class KeyboardLayout:
    language: str
    label: str  # on the language key: the layout's own short name
    rows: tuple[tuple[Key, ...], ...]

    @property
    def has_alt(self) -> bool:
        return any(key.alt for row in self.rows for key in row)


def _row(normal: str, shifted: str, alt: dict[str, str] | None = None) -> tuple[Key, ...]:
    assert len(normal) == len(shifted), (normal, shifted)
    extra = alt or {}
    return tuple(
        Key(n, s, extra.get(n, ""), extra.get(n, "").upper()) for n, s in zip(normal, shifted, strict=True)
    )


_POLISH_ALT = {"a": "ą", "c": "ć", "e": "ę", "l": "ł", "n": "ń", "o": "ó", "s": "ś", "z": "ż", "x": "ź"}
# Czech keyboards put accented lower-case letters on the number row and digits under Shift; capitals of
# those letters (Ř in Řehoř) have no key there, so AltGr gives them, which a touch keyboard can offer.
_CZECH_ALT = {c: c.upper() for c in "ěščřžýáíéůú"}

LAYOUTS: Final[dict[str, KeyboardLayout]] = {
    "en": KeyboardLayout(
        "en",
        "EN",
        (
            _row("1234567890-", "!@#$%^&*()_"),
            _row("qwertyuiop", "QWERTYUIOP"),
            _row("asdfghjkl'", 'ASDFGHJKL"'),
            _row("zxcvbnm,./", "ZXCVBNM<>?"),
        ),
    ),
    "cs": KeyboardLayout(
        "cs",
        "CS",
        (
            _row("+ěščřžýáíé=", "1234567890%", _CZECH_ALT),
            _row("qwertzuiopú", "QWERTZUIOP/", _CZECH_ALT),
            _row("asdfghjklů", 'ASDFGHJKL"', _CZECH_ALT),
            _row("yxcvbnm,.-", "YXCVBNM?:_"),
        ),
    ),
    "pl": KeyboardLayout(
        "pl",
        "PL",
        (
            _row("1234567890-", "!@#$%^&*()_"),
            _row("qwertyuiop", "QWERTYUIOP", _POLISH_ALT),
            _row("asdfghjkl'", 'ASDFGHJKL"', _POLISH_ALT),
            _row("zxcvbnm,./", "ZXCVBNM<>?", _POLISH_ALT),
        ),
    ),
    "bg": KeyboardLayout(
        "bg",
        "БГ",
        (
            _row("1234567890-", "!@№$%€§*()_"),
            _row("явертъуиопшщ", "ЯВЕРТЪУИОПШЩ"),
            _row("асдфгхйключ", "АСДФГХЙКЛЮЧ"),
            _row("зьцжбнм,.", "ЗЬЦЖБНМ;:"),
        ),
    ),
}
ORDER: Final = ("en", "cs", "pl", "bg")


def is_text_field(widget: QWidget | None) -> bool:
    """A field a person types text into (the keyboard appears for these)."""
    if isinstance(widget, QLineEdit):
        return not widget.isReadOnly() and widget.isEnabled()
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        return not widget.isReadOnly() and widget.isEnabled()
    return isinstance(widget, QAbstractSpinBox) and not widget.isReadOnly() and widget.isEnabled()


def _key_button(object_name: str, parent: QWidget, *, variant: str = "secondary") -> TouchButton:
    button = TouchButton(object_name, variant=variant, parent=parent)
    # A key must never take the focus: the text field keeps it, and the next tap types there too.
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setAutoRepeat(False)
    button.setMinimumSize(KEY_SIZE, KEY_SIZE)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    button.setStyleSheet("padding: 0 4px;")
    return button


class OnScreenKeyboard(QWidget):
    """A touch keyboard that types into the focused text field; see `follow_focus` for showing itself."""

    language_changed = Signal(str)
    enter_pressed = Signal()

    def __init__(self, language: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("onscreenKeyboard")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._layout = LAYOUTS.get(language, LAYOUTS["en"])
        self._shift = False
        self._alt = False
        self._keys: list[list[TouchButton]] = []
        self._app: QApplication | None = None
        root = QVBoxLayout(self)
        root.setContentsMargins(12, 12, 12, 12)
        root.setSpacing(8)
        self._rows = QVBoxLayout()
        self._rows.setSpacing(8)
        root.addLayout(self._rows)
        bottom = QHBoxLayout()
        bottom.setSpacing(8)
        self._shift_key = _key_button("keyboardShift", self)
        self._shift_key.setCheckable(True)
        self._shift_key.clicked.connect(self._toggle_shift)
        self._alt_key = _key_button("keyboardAltGr", self)
        self._alt_key.setCheckable(True)
        self._alt_key.clicked.connect(self._toggle_alt)
        self._language_key = _key_button("keyboardLanguage", self)
        self._language_key.clicked.connect(self.next_language)
        self._space = _key_button("keyboardSpace", self)
        self._space.clicked.connect(lambda: self._type(" "))
        self._backspace = _key_button("keyboardBackspace", self)
        self._backspace.clicked.connect(lambda: self._send_key(Qt.Key.Key_Backspace))
        self._enter = _key_button("keyboardEnter", self, variant="primary")
        self._enter.clicked.connect(self._on_enter)
        self._hide = _key_button("keyboardHide", self)
        self._hide.clicked.connect(self.hide)
        for button, stretch in (
            (self._shift_key, 2),
            (self._alt_key, 2),
            (self._language_key, 2),
            (self._space, 8),
            (self._backspace, 2),
            (self._enter, 3),
            (self._hide, 2),
        ):
            bottom.addWidget(button, stretch)
        root.addLayout(bottom)
        self._build_keys()
        self.retranslate()

    # -- public --------------------------------------------------------------------------------------------
    @property
    def language(self) -> str:
        return self._layout.language

    @property
    def layout_spec(self) -> KeyboardLayout:
        return self._layout

    @property
    def shift(self) -> bool:
        return self._shift

    @property
    def alt(self) -> bool:
        return self._alt

    def key_button(self, row: int, column: int) -> TouchButton:
        return self._keys[row][column]

    def set_language(self, language: str) -> None:
        """Switch the layout (UI language changed, or the language key tapped); unknown ones are ignored."""
        layout = LAYOUTS.get(language)
        if layout is None or layout is self._layout:
            return
        self._layout = layout
        self._shift = self._alt = False
        self._build_keys()
        self.retranslate()
        self.language_changed.emit(layout.language)

    def next_language(self) -> None:
        self.set_language(ORDER[(ORDER.index(self._layout.language) + 1) % len(ORDER)])

    def follow_focus(self, app: QApplication) -> None:
        """Appear when a text field gets the focus, hide when the focus goes elsewhere (kiosk mode only)."""
        if self._app is None:
            self._app = app
            app.focusChanged.connect(self._on_focus_changed)

    def retranslate(self) -> None:
        specials = (
            (self._shift_key, "⇧", self.tr("Shift")),
            (self._alt_key, "AltGr", self.tr("Accented letters")),
            # The layout's own short name, no globe emoji: without an emoji font it renders as a box.
            (self._language_key, self._layout.label, self.tr("Keyboard language")),
            (self._space, "", self.tr("Space")),
            (self._backspace, "⌫", self.tr("Delete the last character")),
            (self._enter, "⏎", self.tr("Enter")),
            (self._hide, "⌨ ▾", self.tr("Hide the keyboard")),
        )
        for button, text, accessible in specials:
            button.setText(text)
            button.setAccessibleName(accessible)
        self._alt_key.setVisible(self._layout.has_alt)
        self._refresh_keys()

    @override
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- internals ------------------------------------------------------------------------------------------
    def _build_keys(self) -> None:
        for row in self._keys:
            for button in row:
                button.hide()
                button.deleteLater()
        while self._rows.count():
            item = self._rows.takeAt(0)
            row_layout = item.layout() if item is not None else None
            if row_layout is not None:
                row_layout.deleteLater()
        self._keys = []
        for r, keys in enumerate(self._layout.rows):
            line = QHBoxLayout()
            line.setSpacing(8)
            buttons = []
            for c, key in enumerate(keys):
                button = _key_button(f"keyboardKey_{r}_{c}", self)
                button.clicked.connect(lambda _=False, k=key: self._type_key(k))
                line.addWidget(button)
                buttons.append(button)
            self._rows.addLayout(line)
            self._keys.append(buttons)

    def _refresh_keys(self) -> None:
        for keys, buttons in zip(self._layout.rows, self._keys, strict=True):
            for key, button in zip(keys, buttons, strict=True):
                text = key.text(self._shift, self._alt)
                button.setText(text.replace("&", "&&"))  # a lone & would become a mnemonic
                button.setAccessibleName(text)
                button.setEnabled(bool(text))
        self._shift_key.setChecked(self._shift)
        self._alt_key.setChecked(self._alt)

    def _toggle_shift(self) -> None:
        self._shift = not self._shift
        self._refresh_keys()

    def _toggle_alt(self) -> None:
        self._alt = not self._alt and self._layout.has_alt
        self._refresh_keys()

    def _type_key(self, key: Key) -> None:
        text = key.text(self._shift, self._alt)
        if text:
            self._type(text)
        if self._shift or self._alt:  # one-shot, as on phones: the next letter is plain again
            self._shift = self._alt = False
            self._refresh_keys()

    def _type(self, text: str) -> None:
        target = QApplication.focusWidget()
        if target is None or target is self or self.isAncestorOf(target):
            return
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                target, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, text)
            )

    def _send_key(self, key: Qt.Key) -> None:
        target = QApplication.focusWidget()
        if target is None or self.isAncestorOf(target):
            return
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier))

    def _on_enter(self) -> None:
        self._send_key(Qt.Key.Key_Return)
        self.enter_pressed.emit()

    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        del old
        if is_text_field(new):
            self.show()
            self.raise_()
        elif new is None or not self.isAncestorOf(new):
            self.hide()
