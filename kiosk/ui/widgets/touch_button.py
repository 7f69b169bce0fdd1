"""A push button sized for fingers: at least 48 px high at 96 dpi, found by objectName and accessible name."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

TOUCH_MIN = 48  # px at 96 dpi: the smallest target a finger hits reliably (WCAG 2.5.5 asks for 44)


class TouchButton(QPushButton):
    """Texts come from the owning view's retranslate(); `variant` picks the QSS look (primary, secondary)."""

    def __init__(self, object_name: str, *, variant: str = "primary", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setProperty("variant", variant)
        self.setMinimumHeight(TOUCH_MIN)
        self.setMinimumWidth(TOUCH_MIN)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        # Touch screens have no keyboard focus ring to show; keyboards (associate PCs) still tab through.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
