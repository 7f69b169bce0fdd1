"""The handoff code on screen: a QR (segno) and a Code 128 (python-barcode), drawn crisp at the widget's size.

Both are drawn module by module at a whole number of pixels per module, with their quiet zones (4 modules
for QR, 10 for Code 128): a scaled-down or smoothed symbol is what makes scanners fail at a distance.
segno and python-barcode are imported by the first code drawn, not at start: few visits end with one.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any, Final, override

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

log = logging.getLogger(__name__)

QR_QUIET: Final = 4  # modules, ISO/IEC 18004
CODE128_QUIET: Final = 10  # modules, ISO/IEC 15417
# The narrowest bar a general-purpose hand imager reads off a screen at 5-20 cm (about 10 mil). On a
# 24" full-HD kiosk one pixel is 0.27 mm; on a 15" one it is 0.18 mm, so there a module takes 2 px.
MIN_MODULE_MM: Final = 0.25
QR_ERROR: Final = "m"  # 15 % of the symbol may be unreadable (glare on the kiosk glass)
_DARK = QColor("#000000")
_LIGHT = QColor("#ffffff")


def qr_modules(text: str) -> list[list[bool]]:
    """The QR matrix of ``text`` (True is dark), no quiet zone; a tail of digits goes in numeric mode.

    Raises ValueError (segno's DataOverflowError) when ``text`` does not fit a QR code."""
    import segno  # noqa: PLC0415 - see the module docstring

    split = len(text.rstrip("0123456789"))
    # segno takes a list of (text, mode) segments too, beyond what its annotations say.
    segments: Any
    if 0 < split < len(text) and text[:split].isalnum() and text[:split].isupper():
        segments = [
            (text[:split], segno.consts.MODE_ALPHANUMERIC),
            (text[split:], segno.consts.MODE_NUMERIC),
        ]
    else:
        segments = text
    code = segno.make_qr(segments, error=QR_ERROR, boost_error=False)
    return [[bool(cell) for cell in row] for row in code.matrix]


def code128_modules(text: str) -> list[bool]:
    """The Code 128 bars of ``text`` (True is a dark module), start to stop, without quiet zone."""
    from barcode.codex import Code128  # noqa: PLC0415 - see the module docstring

    (pattern,) = Code128(text).build()
    return [bit == "1" for bit in pattern]


def qr_image(modules: Sequence[Sequence[bool]], max_side: int) -> QImage | None:
    """The symbol and quiet zone, as large as fits ``max_side`` px at a whole scale; None if it cannot fit."""
    count = len(modules) + 2 * QR_QUIET
    scale = max_side // count
    if scale < 1:
        return None
    image = QImage(count * scale, count * scale, QImage.Format.Format_RGB32)
    image.fill(_LIGHT)
    painter = QPainter(image)
    try:
        for y, row in enumerate(modules):
            for x, dark in enumerate(row):
                if dark:
                    cell = QRect((x + QR_QUIET) * scale, (y + QR_QUIET) * scale, scale, scale)
                    painter.fillRect(cell, _DARK)
    finally:
        painter.end()
    return image


def min_module_px(physical_dpi: float) -> int:
    """Whole pixels per module so that one module is at least MIN_MODULE_MM wide on this screen."""
    return max(1, math.ceil(MIN_MODULE_MM * physical_dpi / 25.4 - 1e-9))


def code128_image(modules: Sequence[bool], max_width: int, height: int, min_module: int = 1) -> QImage | None:
    """The bars and quiet zones at a whole number of px per module; None when they would be too fine."""
    count = len(modules) + 2 * CODE128_QUIET
    scale = max_width // count
    if scale < min_module or height < 1:
        return None
    image = QImage(count * scale, height, QImage.Format.Format_RGB32)
    image.fill(_LIGHT)
    painter = QPainter(image)
    try:
        x = 0
        while x < len(modules):
            if not modules[x]:
                x += 1
                continue
            end = x
            while end < len(modules) and modules[end]:
                end += 1
            painter.fillRect(QRect((x + CODE128_QUIET) * scale, 0, (end - x) * scale, height), _DARK)
            x = end
    finally:
        painter.end()
    return image


class HandoffCodeView(QWidget):
    """Shows one code as a QR above a Code 128; the barcode steps aside when it cannot be drawn coarse enough.

    Texts (the hint under the codes) come from the owning view, which also sets the accessible names.
    """

    BAR_HEIGHT: Final = 96
    barcode_shown_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handoffCode")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._text = ""
        self._qr: list[list[bool]] = []
        self._bars: list[bool] = []
        self._barcode_shown = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(16)
        self._qr_label = QLabel(self)
        self._qr_label.setObjectName("handoffQr")
        self._qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._qr_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._bar_label = QLabel(self)
        self._bar_label.setObjectName("handoffBarcode")
        self._bar_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._bar_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._bar_label.setFixedHeight(self.BAR_HEIGHT)
        layout.addWidget(self._qr_label, 1)
        layout.addWidget(self._bar_label)

    @property
    def text(self) -> str:
        return self._text

    @property
    def qr_label(self) -> QLabel:
        return self._qr_label

    @property
    def barcode_label(self) -> QLabel:
        return self._bar_label

    def set_code(self, text: str) -> None:
        """Show ``text`` ("" clears); a text neither symbology can hold is logged and shows nothing."""
        if text == self._text:
            return
        self._text = text
        self._qr, self._bars = [], []
        if text:
            try:
                self._qr = qr_modules(text)
                self._bars = code128_modules(text)
            except (ValueError, TypeError) as exc:  # segno's DataOverflowError is a ValueError
                log.warning("handoff code of %d characters cannot be drawn: %s", len(text), exc)
                self._qr, self._bars = [], []
        self._draw()

    def qr_image(self) -> QImage | None:
        pixmap = self._qr_label.pixmap()
        return None if pixmap.isNull() else pixmap.toImage()

    def barcode_image(self) -> QImage | None:
        pixmap = self._bar_label.pixmap()
        return None if pixmap.isNull() else pixmap.toImage()

    @override
    def sizeHint(self) -> QSize:
        return QSize(720, 560)

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._draw()

    def _draw(self) -> None:
        qr = qr_image(self._qr, min(self._qr_label.width(), self._qr_label.height())) if self._qr else None
        bars = (
            code128_image(
                self._bars,
                self._bar_label.width(),
                self.BAR_HEIGHT,
                min_module_px(self.physicalDpiX() * self.devicePixelRatioF()),
            )
            if self._bars
            else None
        )
        self._qr_label.setPixmap(QPixmap.fromImage(qr) if qr is not None else QPixmap())
        self._bar_label.setPixmap(QPixmap.fromImage(bars) if bars is not None else QPixmap())
        shown = bars is not None
        if shown != self._barcode_shown:
            self._barcode_shown = shown
            self.barcode_shown_changed.emit(shown)

    @property
    def barcode_shown(self) -> bool:
        """False when the bars would be finer than a hand scanner reads (long bag, narrow screen)."""
        return self._barcode_shown
