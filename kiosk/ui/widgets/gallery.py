"""A swipeable image gallery: drag or flick between images, arrows for mouse users, dots, placeholders."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from typing import override

from PySide6.QtCore import (
    QEasingCurve,
    QElapsedTimer,
    QEvent,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QVariantAnimation,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.ui.colours import ACCENT, SURFACE
from kiosk.ui.widgets.touch_button import TOUCH_MIN, TouchButton

log = logging.getLogger(__name__)

DRAG_START_PX = 12  # below this a press is a tap, not a swipe
SWIPE_SHARE = 0.18  # a drag over this share of the width turns the page
FLICK_PX_PER_S = 700.0  # or a shorter drag this fast
EDGE_RESISTANCE = 0.3  # past the first or last image the strip follows the finger only this much
SLIDE_MS = 220
DOTS_HEIGHT = 28
DOT_RADIUS = 4.5
DOT_GAP = 14.0
DOT_OFF = QColor("#c5cbd3")


class Gallery(QWidget):
    """Shows one image at a time from a list of image paths.

    The gallery does not fetch anything: it asks for the images it is about to show with
    ``image_wanted(path)`` and draws a placeholder until ``set_image_data(path, data)`` delivers them.
    """

    current_changed = Signal(int)
    image_wanted = Signal(str)

    def __init__(self, object_name: str = "productGallery", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(4 * TOUCH_MIN, 4 * TOUCH_MIN))
        self._paths: tuple[str, ...] = ()
        self._pixmaps: dict[str, QPixmap] = {}
        self._asked: set[str] = set()
        self._current = 0
        self._offset = 0.0  # how far the strip is moved right of its rest position, in px
        self._press_x: float | None = None
        self._press_offset = 0.0
        self._dragging = False
        self._clock = QElapsedTimer()
        self._slide = QVariantAnimation(self)
        self._slide.setDuration(SLIDE_MS)
        self._slide.setEasingCurve(QEasingCurve.Type.OutCubic)
        self._slide.valueChanged.connect(self._on_slide)
        self._previous = TouchButton(f"{object_name}Previous", variant="secondary", parent=self)
        self._previous.setText("‹")
        self._previous.clicked.connect(self.show_previous)
        self._next = TouchButton(f"{object_name}Next", variant="secondary", parent=self)
        self._next.setText("›")
        self._next.clicked.connect(self.show_next)
        for arrow in (self._previous, self._next):
            arrow.setFixedSize(QSize(TOUCH_MIN, TOUCH_MIN))
            arrow.setStyleSheet("padding: 0; border-radius: 24px; font-size: 26px;")
        self.retranslate()
        self._update_arrows()

    # -- content -----------------------------------------------------------------------------------------
    @property
    def paths(self) -> tuple[str, ...]:
        return self._paths

    @property
    def current(self) -> int:
        return self._current

    def has_image(self, path: str) -> bool:
        return path in self._pixmaps

    def set_images(self, paths: Sequence[str], current: int = 0) -> None:
        new = tuple(paths)
        if new != self._paths:
            self._slide.stop()
            self._offset = 0.0
            self._paths = new
            self._pixmaps = {p: pixmap for p, pixmap in self._pixmaps.items() if p in new}
            self._asked &= set(new)
            self._current = -1  # so set_current below treats the index as new
        self.set_current(current)

    def set_image_data(self, path: str, data: bytes) -> bool:
        """Show a loaded image; bytes that are not an image leave the placeholder (and say so in the log)."""
        if path not in self._paths:
            return False
        pixmap = QPixmap()
        if not data or not pixmap.loadFromData(data):
            log.warning("gallery: %s is not a readable image; keeping the placeholder", path)
            return False
        self._pixmaps[path] = pixmap
        self.update()
        return True

    def set_current(self, index: int) -> None:
        """Show image ``index`` at once (no slide); out-of-range indexes are clamped."""
        index = min(max(index, 0), max(len(self._paths) - 1, 0))
        if index == self._current:
            return
        self._current = index
        self._after_move()

    def show_next(self) -> None:
        if self._current + 1 < len(self._paths):
            self._turn(+1, self._offset + self.width())

    def show_previous(self) -> None:
        if self._current > 0:
            self._turn(-1, self._offset - self.width())

    # -- texts ---------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setAccessibleName(self.tr("Product images"))
        self._previous.setAccessibleName(self.tr("Previous image"))
        self._previous.setToolTip(self.tr("Previous image"))
        self._next.setAccessibleName(self.tr("Next image"))
        self._next.setToolTip(self.tr("Next image"))
        self._describe()

    @override
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- swiping -------------------------------------------------------------------------------------------
    @override
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not self._paths:
            super().mousePressEvent(event)
            return
        self._slide.stop()
        self._press_x = event.position().x()
        self._press_offset = self._offset
        self._dragging = False
        self._clock.start()
        event.accept()

    @override
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press_x is None:
            super().mouseMoveEvent(event)
            return
        dx = event.position().x() - self._press_x
        if not self._dragging and abs(dx) < DRAG_START_PX:
            return
        self._dragging = True
        offset = self._press_offset + dx
        at_start = self._current == 0 and offset > 0
        at_end = self._current == len(self._paths) - 1 and offset < 0
        self._offset = offset * EDGE_RESISTANCE if at_start or at_end else offset
        self.update()
        event.accept()

    @override
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press_x is None:
            super().mouseReleaseEvent(event)
            return
        dx = event.position().x() - self._press_x
        seconds = max(self._clock.elapsed(), 1) / 1000
        self._press_x = None
        was_dragging, self._dragging = self._dragging, False
        event.accept()
        if not was_dragging:
            return
        # The finger's own travel decides, not where the strip is: a swipe that interrupts a
        # slide still in motion turns the page the way the finger went.
        far = abs(dx) > self.width() * SWIPE_SHARE
        fast = abs(dx) >= 2 * DRAG_START_PX and abs(dx) / seconds > FLICK_PX_PER_S
        if (far or fast) and dx < 0 and self._current + 1 < len(self._paths):
            self.show_next()
        elif (far or fast) and dx > 0 and self._current > 0:
            self.show_previous()
        else:
            self._animate_to_rest()

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Right:
            self.show_next()
        elif event.key() == Qt.Key.Key_Left:
            self.show_previous()
        else:
            super().keyPressEvent(event)

    def _turn(self, step: int, offset: float) -> None:
        # The strip keeps its on-screen position while the index moves, then slides to rest.
        self._current += step
        self._offset = offset
        self._after_move()
        self._animate_to_rest()

    def _animate_to_rest(self) -> None:
        self._slide.stop()
        if self._offset == 0:
            self.update()
            return
        self._slide.setStartValue(float(self._offset))
        self._slide.setEndValue(0.0)
        self._slide.start()

    def _on_slide(self, value: object) -> None:
        if isinstance(value, float):
            self._offset = value
            self.update()

    def _after_move(self) -> None:
        self._want(self._current - 1, self._current, self._current + 1)
        self._update_arrows()
        self._describe()
        self.update()
        self.current_changed.emit(self._current)

    def _want(self, *indexes: int) -> None:
        for index in indexes:
            if 0 <= index < len(self._paths):
                path = self._paths[index]
                if path not in self._pixmaps and path not in self._asked:
                    self._asked.add(path)
                    self.image_wanted.emit(path)

    def _update_arrows(self) -> None:
        many = len(self._paths) > 1
        self._previous.setVisible(many)
        self._next.setVisible(many)
        self._previous.setEnabled(self._current > 0)
        self._next.setEnabled(self._current + 1 < len(self._paths))

    def _describe(self) -> None:
        if self._paths:
            self.setAccessibleDescription(
                self.tr("Image {number} of {count}").format(number=self._current + 1, count=len(self._paths))
            )
        else:
            self.setAccessibleDescription(self.tr("No images"))

    # -- drawing -------------------------------------------------------------------------------------------
    @override
    def sizeHint(self) -> QSize:
        return QSize(560, 480)

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        y = (self.height() - DOTS_HEIGHT - TOUCH_MIN) // 2
        self._previous.move(8, y)
        self._next.move(self.width() - TOUCH_MIN - 8, y)
        super().resizeEvent(event)

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        width = float(self.width())
        area = QRectF(0, 0, width, self.height() - DOTS_HEIGHT)
        painter.fillRect(QRectF(self.rect()), SURFACE)
        painter.save()
        painter.setClipRect(area)
        for index in (self._current - 1, self._current, self._current + 1):
            if 0 <= index < len(self._paths):
                frame = area.translated((index - self._current) * width + self._offset, 0)
                if frame.intersects(area):
                    self._paint_image(painter, frame.adjusted(12, 12, -12, -12), self._paths[index])
        if not self._paths:
            self._paint_placeholder(painter, area.adjusted(12, 12, -12, -12), "")
        painter.restore()
        self._paint_dots(painter, QRectF(0, area.bottom(), width, DOTS_HEIGHT))
        painter.end()

    def _paint_image(self, painter: QPainter, frame: QRectF, path: str) -> None:
        pixmap = self._pixmaps.get(path)
        if pixmap is None:
            self._paint_placeholder(painter, frame, path)
            return
        size = pixmap.size().scaled(frame.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF(0, 0, size.width(), size.height())
        target.moveCenter(frame.center())
        painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))

    @staticmethod
    def _paint_placeholder(painter: QPainter, frame: QRectF, path: str) -> None:
        hue = (zlib.crc32(path.encode()) % 360) / 360.0
        gradient = QLinearGradient(frame.topLeft(), frame.bottomRight())
        gradient.setColorAt(0.0, QColor.fromHsvF(hue, 0.10, 0.98))
        gradient.setColorAt(1.0, QColor.fromHsvF(hue, 0.22, 0.92))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(gradient)
        painter.drawRoundedRect(frame, 16, 16)
        painter.setBrush(QColor.fromHsvF(hue, 0.25, 1.0, 0.6))
        radius = min(frame.width(), frame.height()) * 0.18
        painter.drawEllipse(frame.center(), radius, radius)

    def _paint_dots(self, painter: QPainter, strip: QRectF) -> None:
        count = len(self._paths)
        if count < 2:
            return
        left = strip.center().x() - (count - 1) * DOT_GAP / 2
        painter.setPen(Qt.PenStyle.NoPen)
        for index in range(count):
            painter.setBrush(ACCENT if index == self._current else DOT_OFF)
            painter.drawEllipse(QPointF(left + index * DOT_GAP, strip.center().y()), DOT_RADIUS, DOT_RADIUS)
