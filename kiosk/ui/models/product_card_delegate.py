"""Paints a product card (image placeholder, badge, brand, name, stars, price) from ProductRole item data."""

from __future__ import annotations

import math
from typing import override

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QLinearGradient,
    QPainter,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from kiosk.ui.models.product_roles import Availability, ProductRole

CARD_SIZE = QSize(232, 318)
MARGIN = 8  # space between cards
PADDING = 14
RADIUS = 14.0
STAR_COUNT = 5
STAR_SIZE = 16.0
STAR_GAP = 3.0

INK = QColor("#1b2430")
MUTED = QColor("#6b7480")
BORDER = QColor("#e2e5ea")
ACCENT = QColor("#0b6e4f")
STAR_ON = QColor("#f5a524")
STAR_OFF = QColor("#dde1e6")
SURFACE = QColor("#ffffff")

BADGE_COLOURS = {
    Availability.IN_STOCK: (QColor("#e3f5ea"), QColor("#146c3a")),
    Availability.LOW_STOCK: (QColor("#fff3d6"), QColor("#8a5a00")),
    Availability.OUT_OF_STOCK: (QColor("#fde4e4"), QColor("#a61b1b")),
    Availability.ELSEWHERE: (QColor("#e6eefc"), QColor("#1d4fa8")),
}


def _star(size: float, points: int = 5) -> QPolygonF:
    """A star ``size`` px wide centred on 0,0; built once and moved with translate() when painted."""
    corners = []
    for i in range(points * 2):
        radius = size / 2 if i % 2 == 0 else size * 0.225
        angle = -math.pi / 2 + i * math.pi / points
        corners.append(QPointF(radius * math.cos(angle), radius * math.sin(angle)))
    return QPolygonF(corners)


_STAR = _star(STAR_SIZE)


def badge_text(availability: Availability) -> str:
    if availability == Availability.IN_STOCK:
        return QCoreApplication.translate("ProductCardDelegate", "In stock here")
    if availability == Availability.LOW_STOCK:
        return QCoreApplication.translate("ProductCardDelegate", "Only a few left")
    if availability == Availability.OUT_OF_STOCK:
        return QCoreApplication.translate("ProductCardDelegate", "Out of stock")
    if availability == Availability.ELSEWHERE:
        return QCoreApplication.translate("ProductCardDelegate", "Available to order")
    return ""


def _wrap_two_lines(text: str, metrics: QFontMetrics, width: int) -> list[str]:
    """Up to two lines at word boundaries, the second elided: names stay readable at card width."""
    words = text.split()
    first = ""
    rest = 0
    for i, word in enumerate(words):
        candidate = f"{first} {word}" if first else word
        if metrics.horizontalAdvance(candidate) > width and first:
            rest = i
            break
        first = candidate
    else:
        return [metrics.elidedText(first, Qt.TextElideMode.ElideRight, width)]
    second = metrics.elidedText(" ".join(words[rest:]), Qt.TextElideMode.ElideRight, width)
    return [first, second]


class ProductCardDelegate(QStyledItemDelegate):
    """Cards all have one size, so views can set uniformItemSizes and lay out a million rows cheaply."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._brand_font = QFont()
        self._brand_font.setPixelSize(12)
        self._brand_font.setBold(True)
        self._brand_font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 106)
        self._name_font = QFont()
        self._name_font.setPixelSize(16)
        self._name_font.setWeight(QFont.Weight.DemiBold)
        self._price_font = QFont()
        self._price_font.setPixelSize(20)
        self._price_font.setBold(True)
        self._small_font = QFont()
        self._small_font.setPixelSize(12)
        self._initial_font = QFont()
        self._initial_font.setPixelSize(56)
        self._initial_font.setBold(True)

    @override
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return CARD_SIZE

    @override
    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        name = _text(index.data(ProductRole.NAME))
        brand = _text(index.data(ProductRole.BRAND))
        price = _text(index.data(ProductRole.PRICE_TEXT))
        rating = _float(index.data(ProductRole.RATING))
        count = int(_float(index.data(ProductRole.RATING_COUNT)))
        hue = _float(index.data(ProductRole.IMAGE_HUE)) % 1.0
        availability = _availability(index.data(ProductRole.AVAILABILITY))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)

        rect = QRectF(option.rect).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)

        painter.setPen(QPen(ACCENT if selected else BORDER, 2.0 if selected else 1.0))
        painter.setBrush(SURFACE)
        painter.drawRoundedRect(rect, RADIUS, RADIUS)

        image = QRectF(rect.left(), rect.top(), rect.width(), rect.height() * 0.5)
        self._paint_image(painter, image, hue, brand or name)
        self._paint_badge(painter, image, availability)

        inner = rect.adjusted(PADDING, 0, -PADDING, -PADDING)
        y = image.bottom() + 10
        painter.setFont(self._brand_font)
        painter.setPen(MUTED)
        brand_metrics = QFontMetrics(self._brand_font)
        painter.drawText(
            QRectF(inner.left(), y, inner.width(), brand_metrics.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            brand_metrics.elidedText(brand.upper(), Qt.TextElideMode.ElideRight, int(inner.width())),
        )
        y += brand_metrics.height() + 4

        painter.setFont(self._name_font)
        painter.setPen(INK)
        name_metrics = QFontMetrics(self._name_font)
        for line in _wrap_two_lines(name, name_metrics, int(inner.width())):
            painter.drawText(
                QRectF(inner.left(), y, inner.width(), name_metrics.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                line,
            )
            y += name_metrics.height()

        stars_top = inner.bottom() - 30 - 22
        self._paint_stars(painter, QPointF(inner.left(), stars_top), rating, count)

        painter.setFont(self._price_font)
        painter.setPen(ACCENT)
        painter.drawText(
            QRectF(inner.left(), inner.bottom() - 30, inner.width(), 30),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
            price,
        )
        painter.restore()

    def _paint_image(self, painter: QPainter, image: QRectF, hue: float, label: str) -> None:
        painter.save()
        gradient = QLinearGradient(image.topLeft(), image.bottomRight())
        gradient.setColorAt(0.0, QColor.fromHsvF(hue, 0.22, 0.98))
        gradient.setColorAt(1.0, QColor.fromHsvF(hue, 0.38, 0.90))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(gradient))
        # Rounded like the card at the top, square at the bottom: a rounded rect plus a strip over
        # its lower corners is much cheaper than clipping to the card's path.
        inset = image.adjusted(1, 1, -1, 0)
        painter.drawRoundedRect(inset, RADIUS - 1, RADIUS - 1)
        painter.drawRect(QRectF(inset.left(), inset.bottom() - RADIUS, inset.width(), RADIUS))
        painter.setBrush(QColor.fromHsvF(hue, 0.30, 1.0, 0.55))
        radius = image.height() * 0.34
        painter.drawEllipse(image.center(), radius, radius)
        painter.setFont(self._initial_font)
        painter.setPen(QColor.fromHsvF(hue, 0.55, 0.55))
        painter.drawText(image, Qt.AlignmentFlag.AlignCenter, label[:1].upper())
        painter.restore()

    def _paint_badge(self, painter: QPainter, image: QRectF, availability: Availability) -> None:
        text = badge_text(availability)
        if not text:
            return
        background, foreground = BADGE_COLOURS[availability]
        metrics = QFontMetrics(self._small_font)
        width = metrics.horizontalAdvance(text) + 20
        badge = QRectF(image.left() + 10, image.top() + 10, width, 24)
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(badge, 12, 12)
        painter.setPen(foreground)
        painter.setFont(self._small_font)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def _paint_stars(self, painter: QPainter, origin: QPointF, rating: float, count: int) -> None:
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.translate(origin.x() + STAR_SIZE / 2, origin.y() + STAR_SIZE / 2)
        for i in range(STAR_COUNT):
            painter.setBrush(STAR_OFF)
            painter.drawPolygon(_STAR)
            fill = min(max(rating - i, 0.0), 1.0)
            if fill > 0:
                painter.save()
                # A partly lit star: clip the lit star to the rating's fraction of its width.
                painter.setClipRect(QRectF(-STAR_SIZE / 2, -STAR_SIZE / 2, STAR_SIZE * fill, STAR_SIZE))
                painter.setBrush(STAR_ON)
                painter.drawPolygon(_STAR)
                painter.restore()
            painter.translate(STAR_SIZE + STAR_GAP, 0)
        painter.restore()
        painter.setFont(self._small_font)
        painter.setPen(MUTED)
        text_left = origin.x() + STAR_COUNT * (STAR_SIZE + STAR_GAP) + 4
        label = (
            f"{rating:.1f} ({count})"
            if count
            else QCoreApplication.translate("ProductCardDelegate", "No reviews")
        )
        painter.drawText(
            QRectF(text_left, origin.y() - 2, 120, STAR_SIZE + 4),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            label,
        )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value) if math.isfinite(value) else 0.0


def _availability(value: object) -> Availability:
    try:
        return Availability(value) if isinstance(value, str) else Availability.UNKNOWN
    except ValueError:
        return Availability.UNKNOWN
