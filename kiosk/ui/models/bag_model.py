"""The bag's lines as a list model: name, quantity, prices and availability per line, ready to display."""

from __future__ import annotations

from enum import IntEnum
from typing import override

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from kiosk.services.bag import BagItem, BagSnapshot
from kiosk.ui.formatting import display_locale, fill, money


class BagRole(IntEnum):
    SKU = Qt.ItemDataRole.UserRole + 1
    QUANTITY = Qt.ItemDataRole.UserRole + 2
    NAME = Qt.ItemDataRole.UserRole + 3
    BRAND = Qt.ItemDataRole.UserRole + 4
    UNIT_PRICE = Qt.ItemDataRole.UserRole + 5  # formatted text, "" when not sold in this currency
    LINE_TOTAL = Qt.ItemDataRole.UserRole + 6  # formatted text
    AVAILABILITY = Qt.ItemDataRole.UserRole + 7  # formatted text
    TONE = Qt.ItemDataRole.UserRole + 8  # ok | warning | error | muted: how the availability reads
    LIMIT = Qt.ItemDataRole.UserRole + 9  # the most this line may hold


def availability_text(item: BagItem) -> tuple[str, str]:
    """(text, tone) of a line's availability, in the current UI language."""
    # Literal contexts and texts at every call: lupdate only sees those.
    translate = QCoreApplication.translate
    if not item.found:
        return translate("BagModel", "No longer in the catalog"), "error"
    if not item.stock_known:
        return translate("BagModel", "Availability not known on this kiosk"), "muted"
    if item.available == 0:
        return translate("BagModel", "Out of stock everywhere"), "error"
    if item.short:
        return translate("BagModel", "Only %n available now", "", item.available), "warning"
    here = item.available_here or 0
    if here >= item.qty:
        return translate("BagModel", "%n in this store", "", here), "ok"
    if here > 0:
        return translate("BagModel", "%n in this store, the rest from another location", "", here), "warning"
    return (
        translate("BagModel", "From another store or warehouse (%n available)", "", item.available_elsewhere),
        "warning",
    )


class BagModel(QAbstractListModel):
    """One row per bag line; `set_snapshot` redraws rows in place when the same products stay in order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._snapshot = BagSnapshot(None, "EUR")
        self._language = "en"

    @property
    def snapshot(self) -> BagSnapshot:
        return self._snapshot

    def set_snapshot(self, snapshot: BagSnapshot, language: str) -> None:
        same_rows = [i.sku for i in snapshot.items] == [i.sku for i in self._snapshot.items]
        if same_rows:
            self._snapshot, self._language = snapshot, language
            if snapshot.items:
                self.dataChanged.emit(self.index(0), self.index(len(snapshot.items) - 1))
            return
        self.beginResetModel()
        self._snapshot, self._language = snapshot, language
        self.endResetModel()

    def row_of(self, sku: str) -> int:
        return next((row for row, item in enumerate(self._snapshot.items) if item.sku == sku), -1)

    @override
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._snapshot.items)

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._snapshot.items):
            return None
        item = self._snapshot.items[index.row()]
        locale = display_locale(self._language)
        currency = self._snapshot.currency
        if role == Qt.ItemDataRole.DisplayRole:
            # Two lines, so the list shows what matters without a custom delegate: what and how many,
            # then what it costs and where it comes from.
            total = item.line_total_minor
            price = "" if total is None else money(locale, total, currency)
            return (
                f"{item.qty} × {item.name}\n{' · '.join(t for t in (price, availability_text(item)[0]) if t)}"
            )
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text, _ = availability_text(item)
            return fill(
                QCoreApplication.translate("BagModel", "%1, quantity %2, %3"), item.name, str(item.qty), text
            )
        if role == BagRole.SKU:
            return item.sku
        if role == BagRole.QUANTITY:
            return item.qty
        if role == BagRole.NAME:
            return item.name
        if role == BagRole.BRAND:
            return item.brand
        if role == BagRole.UNIT_PRICE:
            return "" if item.unit_price_minor is None else money(locale, item.unit_price_minor, currency)
        if role == BagRole.LINE_TOTAL:
            total = item.line_total_minor
            return "" if total is None else money(locale, total, currency)
        if role == BagRole.AVAILABILITY:
            return availability_text(item)[0]
        if role == BagRole.TONE:
            return availability_text(item)[1]
        if role == BagRole.LIMIT:
            return item.limit
        return None

    @override
    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role in BagRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names
