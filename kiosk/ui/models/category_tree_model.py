"""The category tree's item model: names in the display language with counts, built from flat nodes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, overload, override

from PySide6.QtCore import (
    QAbstractItemModel,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)

from kiosk.services.catalog import CategoryNode
from kiosk.ui.widgets.touch_button import TOUCH_MIN

CATEGORY_ID_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 1
COUNT_ROLE: Final = int(Qt.ItemDataRole.UserRole) + 2
_ROOT: Final = -1


class CategoryTreeModel(QAbstractItemModel):
    """A read-only tree. Nodes whose parent is unknown become roots and a cycle in the cached data is
    cut, so whatever the cache holds, every node shows up exactly once.

    Internal ids are positions in the node list (``_ROOT`` for the invisible root), so indexes carry
    no Python object pointers.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._nodes: tuple[CategoryNode, ...] = ()
        self._parent_of: list[int] = []
        self._children: dict[int, list[int]] = {_ROOT: []}
        self._row_of: list[int] = []
        self._by_id: dict[str, int] = {}
        self._locale = QLocale()

    def set_categories(self, nodes: Sequence[CategoryNode], locale: QLocale | None = None) -> None:
        nodes = tuple(nodes)
        if nodes == self._nodes and (locale is None or locale == self._locale):
            return
        self.beginResetModel()
        if locale is not None:
            self._locale = locale
        self._build(nodes)
        self.endResetModel()

    def index_of(self, category_id: str | None) -> QModelIndex:
        position = self._by_id.get(category_id) if category_id is not None else None
        if position is None:
            return QModelIndex()
        return self.createIndex(self._row_of[position], 0, position)

    def _build(self, nodes: tuple[CategoryNode, ...]) -> None:
        # Duplicate ids (a damaged cache): the first one wins.
        unique: dict[str, CategoryNode] = {}
        for node in nodes:
            unique.setdefault(node.category_id, node)
        self._nodes = tuple(unique.values())
        self._by_id = {node.category_id: i for i, node in enumerate(self._nodes)}
        self._parent_of = [
            self._by_id.get(node.parent_id, _ROOT) if node.parent_id is not None else _ROOT
            for node in self._nodes
        ]
        for position in range(len(self._nodes)):
            # Follow the parent chain: meeting ourselves means a cycle, so hang this node at the root.
            seen = {position}
            ancestor = self._parent_of[position]
            while ancestor != _ROOT:
                if ancestor in seen:
                    self._parent_of[position] = _ROOT
                    break
                seen.add(ancestor)
                ancestor = self._parent_of[ancestor]
        self._children = {_ROOT: []}
        for position, parent in enumerate(self._parent_of):
            self._children.setdefault(parent, []).append(position)
        self._row_of = [0] * len(self._nodes)
        for siblings in self._children.values():
            siblings.sort(key=lambda p: (self._nodes[p].position, self._nodes[p].name))
            for row, position in enumerate(siblings):
                self._row_of[position] = row

    # -- Qt model interface -------------------------------------------------------------------------
    @override
    def index(
        self,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        siblings = self._children.get(self._internal(parent), [])
        if row >= len(siblings):
            return QModelIndex()
        return self.createIndex(row, 0, siblings[row])

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, child: QModelIndex | QPersistentModelIndex, /) -> QModelIndex: ...
    @override
    def parent(
        self, child: QModelIndex | QPersistentModelIndex | None = None
    ) -> QModelIndex | QObject | None:
        if child is None:
            return super().parent()  # QObject.parent(): the owner, not an index's parent
        if not child.isValid():
            return QModelIndex()
        parent = self._parent_of[child.internalId()]
        if parent == _ROOT:
            return QModelIndex()
        return self.createIndex(self._row_of[parent], 0, parent)

    @override
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children.get(self._internal(parent), []))

    @override
    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid():
            return None
        node = self._nodes[index.internalId()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{node.name}  ({self._locale.toString(node.product_count)})"
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return node.name
        if role == CATEGORY_ID_ROLE:
            return node.category_id
        if role == COUNT_ROLE:
            return node.product_count
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(0, TOUCH_MIN)
        return None

    @override
    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _internal(self, index: QModelIndex | QPersistentModelIndex) -> int:
        return index.internalId() if index.isValid() else _ROOT
