"""One page of a product's reviews as an item model, with the roles the review delegate paints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum
from typing import override

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QDate,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from offline_cache.product_view import Review

_BASE = int(Qt.ItemDataRole.UserRole)


class ReviewRole(IntEnum):
    REVIEW_ID = _BASE + 1
    RATING = _BASE + 2  # int 1..5
    AUTHOR = _BASE + 3
    TITLE = _BASE + 4
    BODY = _BASE + 5
    DATE_TEXT = _BASE + 6  # str, in the display language's date format; "" when unknown
    LANGUAGE = _BASE + 7  # str language code, "" when unknown
    VERIFIED = _BASE + 8  # bool: a verified purchase
    HELPFUL = _BASE + 9  # int


class ReviewListModel(QAbstractListModel):
    """A page holds at most a hundred reviews (twenty on screen); paging is the presenter's, not fetchMore."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reviews: tuple[Review, ...] = ()
        self._locale = QLocale()

    def set_reviews(self, reviews: Sequence[Review], locale: QLocale) -> None:
        new = tuple(reviews)
        if new == self._reviews and locale == self._locale:
            return
        self.beginResetModel()
        self._reviews = new
        self._locale = locale
        self.endResetModel()

    def review(self, row: int) -> Review:
        return self._reviews[row]

    @override
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._reviews)

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._reviews) or index.column() != 0:
            return None
        review = self._reviews[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, ReviewRole.TITLE):
            return review.title
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._spoken(review)
        values: dict[int, object] = {
            ReviewRole.REVIEW_ID: review.review_id,
            ReviewRole.RATING: review.rating,
            ReviewRole.AUTHOR: review.author,
            ReviewRole.BODY: review.body,
            ReviewRole.DATE_TEXT: self._date(review.created_at),
            ReviewRole.LANGUAGE: review.language or "",
            ReviewRole.VERIFIED: review.verified_purchase,
            ReviewRole.HELPFUL: review.helpful,
        }
        return values.get(role)

    @override
    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        # Reviews are read, not picked: enabled (screen readers reach them) but not selectable.
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren

    @override
    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role in ReviewRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names

    def _date(self, when: datetime | None) -> str:
        if when is None:
            return ""
        local = when.astimezone()
        return self._locale.toString(
            QDate(local.year, local.month, local.day), QLocale.FormatType.ShortFormat
        )

    def _spoken(self, review: Review) -> str:
        stars = QCoreApplication.translate("ReviewListModel", "%n of 5 stars", "", review.rating)
        parts = [stars, review.title, review.body, review.author, self._date(review.created_at)]
        return ". ".join(part for part in parts if part)
