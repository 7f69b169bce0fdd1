"""The keyboard wedge: scanner bursts become one scan, human typing reaches the field unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.widgets.scanner_wedge import ScannerWedge, WedgeTiming


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Screen:
    def __init__(self, qtbot: QtBot, timing: WedgeTiming | None = None) -> None:
        self.widget = QWidget()
        qtbot.addWidget(self.widget)
        layout = QVBoxLayout(self.widget)
        self.field = QLineEdit(self.widget)
        self.button = QPushButton("x", self.widget)
        layout.addWidget(self.field)
        layout.addWidget(self.button)
        self.clock = Clock()
        self.wedge = ScannerWedge(self.widget, timing, clock=self.clock)
        self.scans: list[str] = []
        self.wedge.scanned.connect(self.scans.append)
        self.widget.show()
        self.wedge.install()

    def key(self, target: QWidget, key: Qt.Key, text: str = "", gap_ms: float = 0.0) -> None:
        self.clock.now += gap_ms / 1000
        press = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, text)
        QApplication.sendEvent(target, press)

    def type(self, target: QWidget, text: str, gap_ms: float) -> None:
        for char in text:
            self.key(target, Qt.Key(ord(char.upper())) if char.isalnum() else Qt.Key.Key_Space, char, gap_ms)

    def enter(self, target: QWidget, gap_ms: float = 5) -> None:
        self.key(target, Qt.Key.Key_Return, "\r", gap_ms)


@pytest.fixture
def screen(qtbot: QtBot) -> Iterator[Screen]:
    screen = Screen(qtbot)
    yield screen
    screen.wedge.uninstall()


def test_a_fast_burst_ending_in_enter_is_a_scan(screen: Screen) -> None:
    screen.field.setFocus()
    screen.type(screen.field, "4006381333931", gap_ms=4)
    screen.enter(screen.field)
    assert screen.scans == ["4006381333931"]
    assert screen.field.text() == ""  # nothing of the scan reached the field
    assert screen.wedge.holding == ""


def test_a_scan_works_with_focus_outside_the_field(screen: Screen) -> None:
    screen.button.setFocus()
    screen.type(screen.button, "5901234123457", gap_ms=2)
    screen.key(screen.button, Qt.Key.Key_Tab, "\t", 3)
    assert screen.scans == ["5901234123457"]


def test_human_typing_reaches_the_field_in_order(screen: Screen, qtbot: QtBot) -> None:
    screen.field.setFocus()
    screen.type(screen.field, "židle", gap_ms=120)
    # Each key was held at most 30 ms; the last one is delivered when its timer fires.
    qtbot.waitUntil(lambda: screen.field.text() == "židle", timeout=1000)
    screen.enter(screen.field, gap_ms=200)
    assert screen.scans == []


def test_a_short_fast_burst_is_typing(screen: Screen, qtbot: QtBot) -> None:
    screen.field.setFocus()
    screen.type(screen.field, "abc", gap_ms=5)
    screen.enter(screen.field)
    assert screen.scans == []
    assert screen.field.text() == "abc"  # Enter delivered the held keys first, then itself


def test_fast_keys_without_enter_are_delivered_after_the_gap(screen: Screen, qtbot: QtBot) -> None:
    screen.field.setFocus()
    screen.type(screen.field, "12345678", gap_ms=3)
    assert screen.field.text() == ""
    qtbot.waitUntil(lambda: screen.field.text() == "12345678", timeout=1000)
    assert screen.scans == []


def test_a_slow_key_splits_a_burst(screen: Screen) -> None:
    screen.field.setFocus()
    screen.type(screen.field, "123", gap_ms=3)
    screen.type(screen.field, "4567890", gap_ms=60)  # a person, fast but not a scanner
    screen.enter(screen.field)
    assert screen.scans == []
    assert screen.field.text() == "1234567890"


def test_backspace_delivers_held_keys_before_itself(screen: Screen) -> None:
    screen.field.setFocus()
    screen.type(screen.field, "abcd", gap_ms=3)
    screen.key(screen.field, Qt.Key.Key_Backspace, "\b", 3)
    assert screen.field.text() == "abc"


def test_thresholds_are_configurable(qtbot: QtBot) -> None:
    screen = Screen(qtbot, WedgeTiming(max_gap_ms=80, min_length=4))
    try:
        screen.field.setFocus()
        screen.type(screen.field, "ABCD", gap_ms=50)
        screen.enter(screen.field, gap_ms=50)
        assert screen.scans == ["ABCD"]
    finally:
        screen.wedge.uninstall()


def test_keys_outside_the_screen_and_when_hidden_are_untouched(screen: Screen, qtbot: QtBot) -> None:
    other = QLineEdit()
    qtbot.addWidget(other)
    other.show()
    screen.type(other, "4006381333931", gap_ms=1)
    screen.enter(other)
    assert other.text() == "4006381333931"
    screen.widget.hide()
    screen.type(screen.field, "4006381333931", gap_ms=1)
    screen.enter(screen.field)
    assert screen.scans == []
    assert screen.field.text() == "4006381333931"


def test_uninstall_delivers_what_is_held(screen: Screen) -> None:
    screen.field.setFocus()
    screen.type(screen.field, "xy", gap_ms=2)
    screen.wedge.uninstall()
    assert screen.field.text() == "xy"
