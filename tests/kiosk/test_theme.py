"""The high-contrast theme: it applies, its QSS parses without a Qt warning, and its colours meet WCAG AA."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QListView, QProgressBar, QWidget
from pytestqt.logging import QtLoggingPlugin
from pytestqt.qtbot import QtBot

from kiosk.config import CliOptions, ConfigError, load_settings
from kiosk.ui.screens.attract.state import AttractState
from kiosk.ui.screens.attract.view import AttractView
from kiosk.ui.screens.badge.view import BadgeView
from kiosk.ui.screens.bag.view import BagView
from kiosk.ui.theme import (
    HIGH_CONTRAST_FILE,
    HIGH_CONTRAST_PALETTE,
    THEME_FILE,
    WCAG_AA,
    Theme,
    apply_theme,
    contrast_ratio,
)
from kiosk.ui.widgets.onscreen_keyboard import OnScreenKeyboard

_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_DECLARATION = re.compile(r"(?<![-\w])(color|background)\s*:\s*(#[0-9a-fA-F]{6})\b")


def rules(path: Path) -> list[tuple[str, dict[str, str]]]:
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    found = []
    for selector, body in _RULE.findall(text):
        found.append((selector.strip(), {name: value.lower() for name, value in _DECLARATION.findall(body)}))
    return found


@pytest.fixture
def high_contrast(qapp: QApplication) -> Iterator[QApplication]:
    assert apply_theme(qapp, theme=Theme.HIGH_CONTRAST)
    yield qapp
    qapp.setStyleSheet("")
    qapp.setPalette(qapp.style().standardPalette())


def polish_everything(qtbot: QtBot) -> QWidget:
    """Every kind of widget the kiosk screens use, shown, so each style rule is parsed and applied."""
    host = QWidget()
    qtbot.addWidget(host)
    children: list[QWidget] = [
        AttractView(AttractState(store_name="Praha")),
        BagView(),
        BadgeView(),
        OnScreenKeyboard("pl"),
        QLineEdit(),
        QListView(),
    ]
    for tone in ("muted", "warning", "error", "ok"):
        label = QLabel(tone)
        label.setProperty("tone", tone)
        children.append(label)
    bar = QProgressBar()
    bar.setObjectName("syncProgress")
    children.append(bar)
    for child in children:
        child.setParent(host)
    host.resize(1280, 900)
    host.show()
    qtbot.waitExposed(host)
    for child in host.findChildren(QWidget):
        child.ensurePolished()
    return host


def test_high_contrast_applies_its_sheet_and_palette(high_contrast: QApplication, qtbot: QtBot) -> None:
    assert high_contrast.styleSheet() == HIGH_CONTRAST_FILE.read_text(encoding="utf-8")
    palette = high_contrast.palette()
    assert palette.color(QPalette.ColorRole.Window).name() == "#000000"
    assert palette.color(QPalette.ColorRole.WindowText).name() == "#ffffff"
    host = polish_everything(qtbot)
    start = host.findChild(QWidget, "attractStartButton")
    assert start is not None
    # The style sheet reached the widgets: a primary button is yellow on black in this theme.
    image = start.grab().toImage()
    centre = image.pixelColor(image.width() // 2, 4)
    assert centre.name() == "#ffd400"


def test_both_sheets_parse_without_a_qt_warning(qapp: QApplication, qtbot: QtBot) -> None:
    # Qt reports a sheet it cannot parse as a warning, and every kiosk test fails on a Qt warning.
    for theme in Theme:
        assert apply_theme(qapp, theme=theme)
        polish_everything(qtbot)
    qapp.setStyleSheet("")
    qapp.setPalette(qapp.style().standardPalette())


@pytest.mark.qt_log_ignore("Could not parse")
def test_a_broken_sheet_would_be_caught(qapp: QApplication, qtbot: QtBot, qtlog: QtLoggingPlugin) -> None:
    """The check above has teeth: a broken sheet does produce the warning it would fail on."""
    qapp.setStyleSheet("QWidget { color: #fff; ")
    try:
        host = QWidget()
        qtbot.addWidget(host)
        host.show()
        host.ensurePolished()
    finally:
        qapp.setStyleSheet("")
    assert any("Could not parse" in record.message for record in qtlog.records)


def test_every_pair_in_the_high_contrast_sheet_meets_wcag_aa() -> None:
    checked = 0
    for selector, colours in rules(HIGH_CONTRAST_FILE):
        if "color" not in colours:
            continue
        # A rule without its own background sits on the theme's black.
        background = colours.get("background", "#000000")
        ratio = contrast_ratio(colours["color"], background)
        assert ratio >= WCAG_AA, f"{selector}: {colours['color']} on {background} is {ratio:.2f}:1"
        checked += 1
    assert checked >= 30


def test_the_palette_meets_wcag_aa_and_mostly_aaa() -> None:
    ratios = {name: contrast_ratio(fg, bg) for name, fg, bg in HIGH_CONTRAST_PALETTE.pairs()}
    assert min(ratios.values()) >= WCAG_AA, ratios
    assert sum(r >= 7 for r in ratios.values()) >= len(ratios) - 1, ratios


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic AA grey
    with pytest.raises(ValueError, match="colour"):
        contrast_ratio("nope", "#ffffff")


def test_the_standard_sheet_keeps_loading(qapp: QApplication) -> None:
    assert apply_theme(qapp)
    assert qapp.styleSheet() == THEME_FILE.read_text(encoding="utf-8")
    qapp.setStyleSheet("")


@pytest.mark.parametrize(
    ("value", "expected"), [("high-contrast", "high-contrast"), ("STANDARD", "standard")]
)
def test_the_theme_is_a_setting(value: str, expected: str) -> None:
    settings = load_settings(CliOptions(demo=True), {"KIOSK_THEME": value})
    assert settings.theme == expected
    assert Theme(settings.theme).value == expected


def test_an_unknown_theme_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="KIOSK_THEME: unknown theme 'neon'"):
        load_settings(CliOptions(demo=True), {"KIOSK_THEME": "neon"})
    assert load_settings(CliOptions(demo=True), {}).theme == "standard"
