"""A small list model of product cards (the start screen's highlights); the real catalog model comes later."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import override

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QObject, QPersistentModelIndex, Qt

from kiosk.ui.models.product_roles import Availability, ProductRole


@dataclass(frozen=True, slots=True)
class ProductCard:
    """One card's data, already formatted for display."""

    sku: str
    name: str
    brand: str
    price_text: str
    rating: float
    rating_count: int
    availability: Availability
    image_hue: float
    image: str | None = None  # the picture's path; the delegate draws it once the image source has it


class ProductCardModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cards: tuple[ProductCard, ...] = ()

    def set_cards(self, cards: Sequence[ProductCard]) -> None:
        new = tuple(cards)
        if new == self._cards:
            return
        self.beginResetModel()
        self._cards = new
        self.endResetModel()

    def image_arrived(self, path: str) -> None:
        """A picture was decoded: repaint only the cards that show it."""
        for row, card in enumerate(self._cards):
            if card.image == path:
                index = self.index(row)
                self.dataChanged.emit(index, index, [int(ProductRole.IMAGE_PATH)])

    def card(self, row: int) -> ProductCard:
        return self._cards[row]

    @override
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        # A list model has children only under the invisible root.
        return 0 if parent.isValid() else len(self._cards)

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._cards) or index.column() != 0:
            return None
        card = self._cards[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, ProductRole.NAME):
            return card.name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{card.name}, {card.price_text}" if card.price_text else card.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return card.name
        values: dict[int, object] = {
            ProductRole.SKU: card.sku,
            ProductRole.BRAND: card.brand,
            ProductRole.PRICE_TEXT: card.price_text,
            ProductRole.RATING: card.rating,
            ProductRole.RATING_COUNT: card.rating_count,
            ProductRole.AVAILABILITY: card.availability.value,
            ProductRole.IMAGE_HUE: card.image_hue,
            ProductRole.IMAGE_PATH: card.image,
        }
        return values.get(role)

    @override
    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role in ProductRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names
