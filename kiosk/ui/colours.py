"""The colours that delegates and custom-painted widgets draw with, where the style sheet does not reach.

They are the standard theme's own (resources/theme.qss uses the same values), so painted parts and
styled widgets look like one screen.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtGui import QColor

INK: Final = QColor("#1b2430")  # text
MUTED: Final = QColor("#6b7480")  # secondary text: brands, authors, dates
RULE: Final = QColor("#e2e5ea")  # hairlines between rows, card outlines
ACCENT: Final = QColor("#0b6e4f")  # the brand green: primary buttons, the current page's dot
OK_TEXT: Final = QColor("#146c3a")  # good news: in stock, a verified purchase (the "ok" tone)
SURFACE: Final = QColor("#ffffff")  # what cards and pictures sit on
