"""The on-screen keyboard: cs, pl and bg letters typed into a field; sizes, focus, showing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.widgets.onscreen_keyboard import LAYOUTS, ORDER, OnScreenKeyboard
from kiosk.ui.widgets.touch_button import TOUCH_MIN


class Form(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.field = QLineEdit(self)
        self.field.setObjectName("field")
        self.other = QLineEdit(self)
        self.button = QPushButton("OK", self)
        self.button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.keyboard = OnScreenKeyboard("en", self)
        for widget in (self.field, self.other, self.button, self.keyboard):
            layout.addWidget(widget)


@pytest.fixture
def form(qtbot: QtBot, qapp: QApplication) -> Iterator[Form]:
    widget = Form()
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget.field)
    return widget


def press(qtbot: QtBot, keyboard: OnScreenKeyboard, char: str) -> None:
    """Tap the keys a person would: AltGr and/or Shift as needed, then the key."""
    for r, row in enumerate(keyboard.layout_spec.rows):
        for c, key in enumerate(row):
            for shift, alt in ((False, False), (True, False), (False, True), (True, True)):
                if key.text(shift, alt) != char:
                    continue
                if alt:
                    qtbot.mouseClick(
                        keyboard.findChild(QPushButton, "keyboardAltGr"), Qt.MouseButton.LeftButton
                    )
                if shift:
                    qtbot.mouseClick(
                        keyboard.findChild(QPushButton, "keyboardShift"), Qt.MouseButton.LeftButton
                    )
                button = keyboard.key_button(r, c)
                assert button.text().replace("&&", "&") == char
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
                return
    if char == " ":
        qtbot.mouseClick(keyboard.findChild(QPushButton, "keyboardSpace"), Qt.MouseButton.LeftButton)
        return
    raise AssertionError(f"{char!r} is not on the {keyboard.language} keyboard")


def type_text(qtbot: QtBot, keyboard: OnScreenKeyboard, text: str) -> None:
    for char in text:
        press(qtbot, keyboard, char)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "Řeřicha žížala, ůú ěščřžýáíé"),
        ("pl", "Zażółć gęślą jaźń ŁÓDŹ"),
        ("bg", "Жълтата дюля беше щастлива, че пухът, който цъфна, замръзна като гьон."),
        ("en", "Hello, World!"),
    ],
)
def test_typing_a_language_s_letters_into_the_focused_field(
    qtbot: QtBot, form: Form, language: str, text: str
) -> None:
    form.keyboard.set_language(language)
    type_text(qtbot, form.keyboard, text)
    assert form.field.text() == text
    assert QApplication.focusWidget() is form.field  # the keys never took the focus


def test_backspace_and_enter_are_real_key_events(qtbot: QtBot, form: Form) -> None:
    form.keyboard.set_language("cs")
    type_text(qtbot, form.keyboard, "ža")
    qtbot.mouseClick(form.keyboard.findChild(QPushButton, "keyboardBackspace"), Qt.MouseButton.LeftButton)
    assert form.field.text() == "ž"
    with qtbot.waitSignals([form.field.returnPressed, form.keyboard.enter_pressed], timeout=1000):
        qtbot.mouseClick(form.keyboard.findChild(QPushButton, "keyboardEnter"), Qt.MouseButton.LeftButton)


def test_validators_and_max_length_still_hold(qtbot: QtBot, form: Form) -> None:
    form.field.setMaxLength(2)
    type_text(qtbot, form.keyboard, "abc")
    assert form.field.text() == "ab"


def test_shift_and_altgr_are_one_shot(qtbot: QtBot, form: Form) -> None:
    form.keyboard.set_language("pl")
    qtbot.mouseClick(form.keyboard.findChild(QPushButton, "keyboardShift"), Qt.MouseButton.LeftButton)
    assert form.keyboard.shift
    assert form.keyboard.key_button(2, 0).text() == "A"
    qtbot.mouseClick(form.keyboard.key_button(2, 0), Qt.MouseButton.LeftButton)
    assert not form.keyboard.shift
    qtbot.mouseClick(form.keyboard.findChild(QPushButton, "keyboardAltGr"), Qt.MouseButton.LeftButton)
    assert form.keyboard.alt
    qtbot.mouseClick(form.keyboard.key_button(2, 0), Qt.MouseButton.LeftButton)  # a -> ą
    assert not form.keyboard.alt
    assert form.field.text() == "Aą"


def test_the_language_key_cycles_the_layouts(qtbot: QtBot, form: Form) -> None:
    seen = []
    form.keyboard.language_changed.connect(seen.append)
    key = form.keyboard.findChild(QPushButton, "keyboardLanguage")
    for _ in ORDER:
        qtbot.mouseClick(key, Qt.MouseButton.LeftButton)
    assert seen == [*ORDER[1:], ORDER[0]]
    alt_gr = form.keyboard.findChild(QPushButton, "keyboardAltGr")
    for language in ORDER:
        form.keyboard.set_language(language)
        assert alt_gr.isHidden() is not LAYOUTS[language].has_alt, language
    assert [code for code in ORDER if LAYOUTS[code].has_alt] == ["cs", "pl"]


def test_every_key_is_a_touch_target_with_a_name_and_takes_no_focus(form: Form) -> None:
    for language in ORDER:
        form.keyboard.set_language(language)
        QApplication.processEvents()
        buttons = [b for b in form.keyboard.findChildren(QPushButton) if not b.isHidden()]
        assert len(buttons) > 40
        for button in buttons:
            assert button.minimumHeight() >= TOUCH_MIN
            assert button.height() >= TOUCH_MIN
            assert button.width() >= TOUCH_MIN, (language, button.objectName(), button.width())
            assert button.objectName().startswith("keyboard")
            assert button.accessibleName()
            assert button.focusPolicy() == Qt.FocusPolicy.NoFocus
        names = [b.objectName() for b in buttons]
        assert len(names) == len(set(names))


def test_it_appears_for_a_text_field_and_hides_when_the_focus_leaves(qtbot: QtBot, form: Form) -> None:
    keyboard = form.keyboard
    keyboard.hide()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    keyboard.follow_focus(app)
    form.other.setFocus()
    qtbot.waitUntil(keyboard.isVisible)
    form.button.setFocus()
    qtbot.waitUntil(lambda: not keyboard.isVisible())
    form.field.setReadOnly(True)
    form.field.setFocus()
    qtbot.wait(20)
    assert not keyboard.isVisible()  # nothing to type into
    form.other.setFocus()
    qtbot.waitUntil(keyboard.isVisible)
    qtbot.mouseClick(keyboard.findChild(QPushButton, "keyboardHide"), Qt.MouseButton.LeftButton)
    assert not keyboard.isVisible()


def test_unknown_layouts_are_ignored(form: Form) -> None:
    form.keyboard.set_language("xx")
    assert form.keyboard.language == "en"
