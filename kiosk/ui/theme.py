"""The look: the QSS theme from resources/theme.qss, the font stack and the UI locale."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

THEME_FILE = Path(__file__).resolve().parents[2] / "resources" / "theme.qss"
FONT_FAMILIES = ["Inter", "Noto Sans", "Segoe UI", "Cantarell", "DejaVu Sans"]
BASE_PIXEL_SIZE = 15
_COUNTRY = {"en": "GB", "cs": "CZ", "pl": "PL", "bg": "BG"}


def apply_theme(app: QApplication, path: Path = THEME_FILE) -> bool:
    """Load the style sheet; without it the app still works, only plainer (logged, not fatal)."""
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPixelSize(BASE_PIXEL_SIZE)
    app.setFont(font)
    try:
        app.setStyleSheet(path.read_text(encoding="utf-8"))
    except OSError as exc:
        log.warning("cannot load the theme %s: %s", path, exc)
        return False
    return True


def apply_locale(language: str | None) -> None:
    """Numbers, dates and prices follow the UI language (English when none is configured)."""
    language = language or "en"
    QLocale.setDefault(QLocale(f"{language}_{_COUNTRY.get(language, 'GB')}"))
