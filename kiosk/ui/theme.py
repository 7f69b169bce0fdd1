"""The look: the QSS theme (standard or high contrast) with its palette, the font stack and the UI locale."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
THEME_FILE = RESOURCES / "theme.qss"
HIGH_CONTRAST_FILE = RESOURCES / "theme-high-contrast.qss"
FONT_FAMILIES = ["Inter", "Noto Sans", "Segoe UI", "Cantarell", "DejaVu Sans"]
BASE_PIXEL_SIZE = 15
_COUNTRY = {"en": "GB", "cs": "CZ", "pl": "PL", "bg": "BG"}
WCAG_AA = 4.5  # normal text; WCAG 2.x success criterion 1.4.3


class Theme(StrEnum):
    STANDARD = "standard"
    HIGH_CONTRAST = "high-contrast"


@dataclass(frozen=True, slots=True)
class Palette:
    """The colours of widgets the style sheet does not reach (dialogs, item views, text cursors)."""

    window: str
    window_text: str
    base: str
    text: str
    button: str
    button_text: str
    highlight: str
    highlighted_text: str
    link: str
    disabled_text: str
    placeholder: str

    def pairs(self) -> tuple[tuple[str, str, str], ...]:
        """(name, foreground, background) of every pair a person reads."""
        return (
            ("window text", self.window_text, self.window),
            ("text", self.text, self.base),
            ("button text", self.button_text, self.button),
            ("highlighted text", self.highlighted_text, self.highlight),
            ("link", self.link, self.base),
            ("disabled text", self.disabled_text, self.window),
            ("placeholder", self.placeholder, self.base),
        )


HIGH_CONTRAST_PALETTE = Palette(
    window="#000000",
    window_text="#ffffff",
    base="#000000",
    text="#ffffff",
    button="#ffd400",
    button_text="#000000",
    highlight="#ffd400",
    highlighted_text="#000000",
    link="#00e5ff",
    disabled_text="#a6a6a6",
    placeholder="#c8c8c8",
)
# The standard theme keeps the platform style's own palette: its style sheet covers what people see.
THEMES: dict[Theme, tuple[Path, Palette | None]] = {
    Theme.STANDARD: (THEME_FILE, None),
    Theme.HIGH_CONTRAST: (HIGH_CONTRAST_FILE, HIGH_CONTRAST_PALETTE),
}


def apply_theme(app: QApplication, path: Path | None = None, *, theme: Theme = Theme.STANDARD) -> bool:
    """Load the theme's style sheet and palette; without the file the app still works, only plainer."""
    default_path, palette = THEMES[theme]
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPixelSize(BASE_PIXEL_SIZE)
    app.setFont(font)
    app.setPalette(qpalette(palette) if palette is not None else app.style().standardPalette())
    path = path or default_path
    try:
        app.setStyleSheet(path.read_text(encoding="utf-8"))
    except OSError as exc:
        log.warning("cannot load the theme %s: %s", path, exc)
        return False
    return True


def qpalette(palette: Palette) -> QPalette:
    result = QPalette()
    role = QPalette.ColorRole
    for which, colour in (
        (role.Window, palette.window),
        (role.WindowText, palette.window_text),
        (role.Base, palette.base),
        (role.AlternateBase, palette.base),
        (role.Text, palette.text),
        (role.Button, palette.button),
        (role.ButtonText, palette.button_text),
        (role.Highlight, palette.highlight),
        (role.HighlightedText, palette.highlighted_text),
        (role.Link, palette.link),
        (role.PlaceholderText, palette.placeholder),
        (role.ToolTipBase, palette.window_text),
        (role.ToolTipText, palette.window),
    ):
        result.setColor(which, QColor(colour))
    for which in (role.WindowText, role.Text, role.ButtonText):
        result.setColor(QPalette.ColorGroup.Disabled, which, QColor(palette.disabled_text))
    return result


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour such as ``#1b2430``."""
    c = QColor(colour)
    if not c.isValid():
        raise ValueError(f"{colour!r} is not a colour")

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio, 1 to 21."""
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def apply_locale(language: str | None) -> None:
    """Numbers, dates and prices follow the UI language (English when none is configured)."""
    language = language or "en"
    QLocale.setDefault(QLocale(f"{language}_{_COUNTRY.get(language, 'GB')}"))
