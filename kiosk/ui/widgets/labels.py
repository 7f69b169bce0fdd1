"""Plain-text labels for the screens: server texts are never read as HTML, and the theme colours them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QWidget


def plain_label(
    object_name: str,
    parent: QWidget,
    *,
    wrap: bool = False,
    tone: str = "",
    pixel_size: int = 0,
    bold: bool = False,
) -> QLabel:
    """A label the theme finds by its object name (and ``tone``); server texts are never read as HTML."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    if tone:
        label.setProperty("tone", tone)  # before the first polish, so no re-polish is needed
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if pixel_size or bold:
        font = QFont(label.font())
        if pixel_size:
            font.setPixelSize(pixel_size)
        font.setBold(bold)
        label.setFont(font)
    return label


def set_style_property(widget: QWidget, name: str, value: str) -> None:
    """Set a property the theme's rules select on (``tone``, ``freshness``); Qt restyles on re-polish."""
    if widget.property(name) != value:
        widget.setProperty(name, value)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def set_tone(label: QLabel, tone: str) -> None:
    """The theme colours labels by their ``tone`` (ok, warning, error, muted): high contrast applies too."""
    set_style_property(label, "tone", tone)
