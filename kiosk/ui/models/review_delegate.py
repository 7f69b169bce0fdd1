"""Paints one review (stars, title, author and date, the word-wrapped text) from ReviewRole item data."""

from __future__ import annotations

from collections.abc import Callable
from typing import override

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from kiosk.ui.colours import INK, MUTED, OK_TEXT, RULE
from kiosk.ui.models.review_list_model import ReviewRole
from kiosk.ui.widgets.star_rating import paint_stars, stars_width

PADDING = 16
STAR_SIZE = 16.0
STAR_GAP = 3.0
LINE_GAP = 6
MIN_WIDTH = 200


class ReviewDelegate(QStyledItemDelegate):
    """Rows grow with their text; ``width`` says how wide the view lays them out (its viewport)."""

    def __init__(self, width: Callable[[], int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._width = width
        self._title_font = QFont()
        self._title_font.setPixelSize(16)
        self._title_font.setWeight(QFont.Weight.DemiBold)
        self._meta_font = QFont()
        self._meta_font.setPixelSize(13)
        self._body_font = QFont()
        self._body_font.setPixelSize(15)

    def _layout(self, width: int, body: str) -> tuple[int, int, int, int]:
        """Heights of the title line, the meta line and the body, and the whole row, at ``width``."""
        inner = max(width, MIN_WIDTH) - 2 * PADDING
        title = max(QFontMetrics(self._title_font).height(), int(STAR_SIZE))
        meta = QFontMetrics(self._meta_font).height()
        text = (
            QFontMetrics(self._body_font)
            .boundingRect(QRect(0, 0, inner, 1_000_000), Qt.TextFlag.TextWordWrap, body)
            .height()
            if body
            else 0
        )
        return (
            title,
            meta,
            text,
            PADDING + title + LINE_GAP + meta + (LINE_GAP + text if text else 0) + PADDING,
        )

    @override
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        width = self._width()
        return QSize(max(width, MIN_WIDTH), self._layout(width, _text(index.data(ReviewRole.BODY)))[3])

    @override
    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        rect = QRect(option.rect)
        body = _text(index.data(ReviewRole.BODY))
        title_h, meta_h, body_h, _ = self._layout(rect.width(), body)
        left = rect.left() + PADDING
        inner = rect.width() - 2 * PADDING
        y = rect.top() + PADDING
        rating = index.data(ReviewRole.RATING)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        paint_stars(
            painter,
            QPointF(left, y + (title_h - STAR_SIZE) / 2),
            float(rating) if isinstance(rating, int) else 0.0,
            STAR_SIZE,
            STAR_GAP,
        )
        title_left = left + int(stars_width(STAR_SIZE, STAR_GAP)) + 10
        painter.setFont(self._title_font)
        painter.setPen(INK)
        title = QFontMetrics(self._title_font).elidedText(
            _text(index.data(ReviewRole.TITLE)),
            Qt.TextElideMode.ElideRight,
            max(0, left + inner - title_left),
        )
        painter.drawText(
            QRect(title_left, y, max(0, left + inner - title_left), title_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            title,
        )
        y += title_h + LINE_GAP

        painter.setFont(self._meta_font)
        meta = " · ".join(
            part
            for part in (_text(index.data(ReviewRole.AUTHOR)), _text(index.data(ReviewRole.DATE_TEXT)))
            if part
        )
        metrics = QFontMetrics(self._meta_font)
        painter.setPen(MUTED)
        painter.drawText(
            QRect(left, y, inner, meta_h), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, meta
        )
        if index.data(ReviewRole.VERIFIED) is True:
            painter.setPen(OK_TEXT)
            verified = QCoreApplication.translate("ReviewDelegate", "✓ Verified purchase")
            x = left + metrics.horizontalAdvance(meta) + (16 if meta else 0)
            painter.drawText(
                QRect(x, y, max(0, left + inner - x), meta_h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                metrics.elidedText(verified, Qt.TextElideMode.ElideRight, max(0, left + inner - x)),
            )
        y += meta_h

        if body:
            y += LINE_GAP
            painter.setFont(self._body_font)
            painter.setPen(INK)
            painter.drawText(
                QRect(left, y, inner, body_h),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap),
                body,
            )

        painter.setPen(QPen(RULE, 1.0))
        painter.drawLine(
            QPointF(rect.left() + PADDING, rect.bottom()), QPointF(rect.right() - PADDING, rect.bottom())
        )
        painter.restore()


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
