"""Star ratings: a painter shared by widgets and delegates, read-only stars, and a histogram bar to tap."""

from __future__ import annotations

import math
from typing import override

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPolygonF
from PySide6.QtWidgets import QAbstractButton, QSizePolicy, QWidget

from kiosk.ui.colours import ACCENT, INK, MUTED
from kiosk.ui.widgets.touch_button import TOUCH_MIN

STAR_COUNT = 5
STAR_ON = QColor("#f5a524")
STAR_OFF = QColor("#dde1e6")
TRACK = QColor("#e9ecf0")


def star_polygon(size: float, points: int = 5) -> QPolygonF:
    """A star ``size`` px wide centred on 0,0."""
    corners = []
    for i in range(points * 2):
        radius = size / 2 if i % 2 == 0 else size * 0.225
        angle = -math.pi / 2 + i * math.pi / points
        corners.append(QPointF(radius * math.cos(angle), radius * math.sin(angle)))
    return QPolygonF(corners)


def stars_width(size: float, gap: float) -> float:
    return STAR_COUNT * size + (STAR_COUNT - 1) * gap


def paint_stars(painter: QPainter, origin: QPointF, rating: float, size: float, gap: float) -> None:
    """Five stars from ``origin`` (top left), lit up to ``rating`` (0..5), a partial star clipped."""
    rating = min(max(rating, 0.0), float(STAR_COUNT)) if math.isfinite(rating) else 0.0
    star = star_polygon(size)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.translate(origin.x() + size / 2, origin.y() + size / 2)
    for i in range(STAR_COUNT):
        painter.setBrush(STAR_OFF)
        painter.drawPolygon(star)
        fill = min(max(rating - i, 0.0), 1.0)
        if fill > 0:
            painter.save()
            painter.setClipRect(QRectF(-size / 2, -size / 2, size * fill, size))
            painter.setBrush(STAR_ON)
            painter.drawPolygon(star)
            painter.restore()
        painter.translate(size + gap, 0)
    painter.restore()


class StarRating(QWidget):
    """Read-only stars for an average rating; the owner sets an accessible description in words."""

    def __init__(self, object_name: str, *, size: float = 22.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._rating = 0.0
        self._size = size
        self._gap = size * 0.18
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    @property
    def rating(self) -> float:
        return self._rating

    def set_rating(self, rating: float) -> None:
        if rating != self._rating:
            self._rating = rating
            self.update()

    @override
    def sizeHint(self) -> QSize:
        return QSize(math.ceil(stars_width(self._size, self._gap)) + 2, math.ceil(self._size) + 2)

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        paint_stars(painter, QPointF(1, 1), self._rating, self._size, self._gap)
        painter.end()


class RatingBar(QAbstractButton):
    """One histogram row, "5 ★ ▮▮▮▮▯ 12", and a checkable filter for that star value."""

    def __init__(self, object_name: str, stars: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setCheckable(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(TOUCH_MIN)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._stars = stars
        self._count = 0
        self._total = 0

    @property
    def stars(self) -> int:
        return self._stars

    @property
    def count(self) -> int:
        return self._count

    def set_counts(self, count: int, total: int) -> None:
        if (count, total) != (self._count, self._total):
            self._count, self._total = count, total
            self.update()

    @override
    def sizeHint(self) -> QSize:
        return QSize(320, TOUCH_MIN)

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        if self.isChecked():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#e3f5ea"))
            painter.drawRoundedRect(rect, 10, 10)
        if self.hasFocus():
            painter.setPen(ACCENT)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 10, 10)
        metrics = QFontMetrics(self.font())
        label_width = metrics.horizontalAdvance("5") + 26.0
        count_width = metrics.horizontalAdvance("00000") + 8.0
        painter.setPen(INK)
        painter.drawText(
            QRectF(rect.left() + 10, rect.top(), label_width, rect.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            str(self._stars),
        )
        star_size = 14.0
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(STAR_ON)
        painter.translate(
            rect.left() + 10 + metrics.horizontalAdvance("5") + 4 + star_size / 2, rect.center().y()
        )
        painter.drawPolygon(star_polygon(star_size))
        painter.restore()
        track = QRectF(
            rect.left() + 10 + label_width,
            rect.center().y() - 5,
            max(0.0, rect.width() - 20 - label_width - count_width),
            10,
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(TRACK)
        painter.drawRoundedRect(track, 5, 5)
        if self._total > 0 and self._count > 0:
            filled = QRectF(
                track.left(), track.top(), track.width() * self._count / self._total, track.height()
            )
            painter.setBrush(STAR_ON)
            painter.drawRoundedRect(filled, 5, 5)
        painter.setPen(MUTED)
        painter.drawText(
            QRectF(rect.right() - 10 - count_width, rect.top(), count_width, rect.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            self.locale().toString(self._count),
        )
        painter.end()
