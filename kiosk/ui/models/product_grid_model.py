"""The catalog grid's table model: up to millions of cards read lazily in windows, never on the UI thread."""

from __future__ import annotations

import asyncio
import logging
import math
import zlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from typing import Final, override

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from kiosk.services.catalog import ProductHit
from kiosk.ui.formatting import display_locale, price
from kiosk.ui.models.product_roles import Availability, ProductRole

log = logging.getLogger(__name__)

BLOCK_SIZE: Final = 200
MAX_BLOCKS: Final = 40  # 8,000 cards in memory: many screens of scrolling back without a read
LOW_STOCK: Final = 3  # at most this many here: "only a few left"

type HitLoader = Callable[[object, int, int], Awaitable[Sequence[ProductHit]]]
# SKUs of out-of-stock cards on screen -> those another location has available.
type ElsewhereLoader = Callable[[Sequence[str]], Awaitable[frozenset[str]]]


def availability_of(available_here: int | None, elsewhere: bool | None = None) -> Availability:
    """The badge for this store's stock figure; None (no figure for here) draws no badge.

    ``elsewhere`` says whether another location has it. A search hit carries this store's figure
    only, so a card starts as "out of stock" and the grid model asks about the cards on screen.
    """
    if available_here is None:
        return Availability.UNKNOWN
    if available_here > LOW_STOCK:
        return Availability.IN_STOCK
    if available_here > 0:
        return Availability.LOW_STOCK
    return Availability.ELSEWHERE if elsewhere else Availability.OUT_OF_STOCK


class SerialReader:
    """Runs ``read()`` as a task, one at a time, and never starts it inside another running task.

    The model's reads are asked for from ``data()``, which Qt calls while painting, and a paint can
    happen inside a running task (one of its slots repainted or processed events). A task created
    then may be stepped by qasync inside the running one, which asyncio refuses: it never runs nor
    ends, and as one read runs at a time nothing would be read again. A start asked for inside a
    task therefore waits for a zero-delay timer, which fires once that task has yielded.
    """

    def __init__(
        self,
        parent: QObject,
        name: str,
        read: Callable[[], Coroutine[object, object, None]],
        wanted: Callable[[], bool],
    ) -> None:
        self._name = name
        self._read = read  # a new read, of everything asked for until it ends
        self._wanted = wanted  # whether anything is asked for
        self._task: asyncio.Task[None] | None = None
        self._later = QTimer(parent, singleShot=True, interval=0)
        self._later.timeout.connect(self.start)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start a read of what is asked for, unless one runs (it reads what was asked meanwhile too).

        Called during a paint, the read first runs after it: every cell of the paint has asked by then.
        """
        if self.running or not self._wanted():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop yet (a render outside the app): asked again at the next paint
        if asyncio.current_task(loop) is not None:
            self._later.start()
            return
        self._task = loop.create_task(self._read(), name=self._name)

    def cancel(self) -> None:
        """Drop the read in flight and any start that waits."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        self._later.stop()


@dataclass(frozen=True, slots=True)
class GridCard:
    """One card, formatted for display."""

    sku: str
    name: str
    brand: str
    price_text: str
    rating: float
    rating_count: int
    availability: Availability
    image: str | None
    hue: float  # the placeholder's colour, stable per product


class CardFormatter:
    """ProductHit to GridCard in one language and currency (prices through QLocale)."""

    def __init__(self, language: str = "en", currency: str = "EUR") -> None:
        self.language = language
        self.currency = currency
        self._locale = display_locale(language)

    def price(self, price_minor: int | None) -> str:
        return price(self._locale, price_minor, self.currency)

    def card(self, hit: ProductHit) -> GridCard:
        rating = hit.rating_average if math.isfinite(hit.rating_average) else 0.0
        return GridCard(
            sku=hit.sku,
            name=hit.name,
            brand=hit.brand,
            price_text=self.price(hit.price_minor) if hit.currency == self.currency else "",
            rating=min(max(rating, 0.0), 5.0),
            rating_count=max(hit.rating_count, 0),
            availability=availability_of(hit.available_here),
            image=hit.image,
            hue=(zlib.crc32(hit.sku.encode()) % 360) / 360.0,
        )


class ProductGridModel(QAbstractTableModel):
    """Cards laid out row by row in ``columns`` columns: cell (row, column) is hit row*columns+column.

    Only windows (blocks) of hits are held, in an LRU. ``data()`` never waits: a cell whose block
    is missing answers LOADING and asks for the block; the asks of one paint are coalesced and read
    one block at a time through ``loader(key, offset, limit)``, the most recently asked first, and
    blocks that scrolled out of view meanwhile are skipped. When a block arrives only its cells are
    announced changed. A new query resets the model; a new width changes the columns without reading
    anything again.

    Out-of-stock cards that are painted ask, coalesced per paint, whether another location has the
    product (``set_elsewhere_loader``); those that have it turn "Available elsewhere" when the
    answer comes, and only their cells are announced. Answers are kept until the next query.
    """

    block_loaded = Signal(int)  # block number: tests and benchmarks wait for it

    def __init__(
        self,
        loader: HitLoader,
        formatter: CardFormatter | None = None,
        *,
        block_size: int = BLOCK_SIZE,
        max_blocks: int = MAX_BLOCKS,
        columns: int = 1,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._loader = loader
        self._formatter = formatter or CardFormatter()
        self._block_size = block_size
        self._max_blocks = max(max_blocks, 2)
        self._columns = max(columns, 1)
        self._key: object = None
        self._total = 0
        self._rows = 0
        self._generation = 0
        self._blocks: OrderedDict[int, tuple[GridCard, ...]] = OrderedDict()
        self._wanted: OrderedDict[int, None] = OrderedDict()  # most recently asked last
        self._failed: set[int] = set()
        self._partial: set[int] = set()  # blocks holding only their first cards (from set_results)
        self._loading: int | None = None
        self._block_reader = SerialReader(
            self,
            "product-grid blocks",
            lambda: self._read_wanted(self._generation),
            lambda: bool(self._wanted),
        )
        self._visible: tuple[int, int] | None = None  # first and last visible row, when a view says
        self._image_cells: dict[str, set[int]] = {}  # image path -> positions of loaded cards
        self._elsewhere_loader: ElsewhereLoader | None = None
        self._elsewhere: dict[str, bool] = {}  # sku -> another location has it (out-of-stock cards)
        self._elsewhere_asked: dict[str, set[int]] = {}  # sku -> positions of painted cards asking
        self._elsewhere_reader = SerialReader(
            self,
            "product-grid elsewhere",
            lambda: self._read_elsewhere(self._generation),
            lambda: bool(self._elsewhere_asked) and self._elsewhere_loader is not None,
        )

    # -- what the view calls ------------------------------------------------------------------------
    @property
    def total(self) -> int:
        return self._total

    @property
    def columns(self) -> int:
        return self._columns

    @property
    def key(self) -> object:
        return self._key

    def set_results(
        self,
        key: object,
        total: int,
        first: Sequence[ProductHit] = (),
        formatter: CardFormatter | None = None,
    ) -> None:
        """A new query's answer: ``total`` hits, of which ``first`` are the first ones (read already)."""
        self.beginResetModel()
        self._cancel_reads()
        self._generation += 1
        self._key = key
        self._total = max(total, 0)
        self._rows = self._rows_for(self._columns)
        if formatter is not None:
            self._formatter = formatter
        self._blocks.clear()
        self._wanted.clear()
        self._failed.clear()
        self._image_cells.clear()
        self._partial.clear()
        self._elsewhere.clear()  # stock may have moved since: ask again
        self._elsewhere_asked.clear()
        for start in range(0, len(first), self._block_size):
            block = start // self._block_size
            chunk = first[start : start + self._block_size]
            self._store(block, chunk, announce=False)
            if len(chunk) < self._expected(block):
                # The first cards came with the count; the rest of the block is read when shown.
                self._partial.add(block)
        self.endResetModel()

    def set_columns(self, columns: int) -> None:
        """Cards per row for a new width: cells move, nothing is read again, and there is no reset."""
        columns = max(columns, 1)
        if columns == self._columns:
            return
        old = self._columns
        if columns > old:
            self.beginInsertColumns(QModelIndex(), old, columns - 1)
            self._columns = columns
            self.endInsertColumns()
        else:
            self.beginRemoveColumns(QModelIndex(), columns, old - 1)
            self._columns = columns
            self.endRemoveColumns()
        rows = self._rows_for(columns)
        if rows < self._rows:
            self.beginRemoveRows(QModelIndex(), rows, self._rows - 1)
            self._rows = rows
            self.endRemoveRows()
        elif rows > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, rows - 1)
            self._rows = rows
            self.endInsertRows()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(self._rows - 1, self._columns - 1))

    def set_loader(self, loader: HitLoader) -> None:
        """A new source of hits (the presenter arrived after the view): reads in flight are dropped."""
        self._cancel_reads()
        self._loader = loader
        self._failed.clear()

    def set_elsewhere_loader(self, loader: ElsewhereLoader | None) -> None:
        """Where out-of-stock cards on screen learn whether another location has them (None: never)."""
        self._cancel_reads()
        self._elsewhere_loader = loader
        self._elsewhere_asked.clear()

    def set_visible_rows(self, first: int, last: int) -> None:
        """The rows on screen: blocks asked for but scrolled away meanwhile are not read."""
        self._visible = (max(first, 0), max(last, first, 0))

    def card_at(self, index: QModelIndex | QPersistentModelIndex) -> GridCard | None:
        position = self._position(index)
        if position is None:
            return None
        card = self._card(position, ask=False)
        if card is not None and card.availability is Availability.OUT_OF_STOCK:
            card = self._elsewhere_card(card, position, ask=False)
        return card

    def image_arrived(self, path: str) -> None:
        """Slot for CardImages.ready: repaint only the cells that show ``path``."""
        for position in sorted(self._image_cells.get(path, ())):
            row, column = divmod(position, self._columns)
            if row < self._rows:
                cell = self.index(row, column)
                self.dataChanged.emit(cell, cell, [int(ProductRole.IMAGE_PATH)])

    def close(self) -> None:
        self._cancel_reads()

    # -- Qt model interface ---------------------------------------------------------------------------
    @override
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    @override
    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._columns

    @override
    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if self._position(index) is None:
            return Qt.ItemFlag.NoItemFlags  # the empty cells after the last card
        return Qt.ItemFlag.ItemIsEnabled

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        position = self._position(index)
        if position is None:
            return None
        card = self._card(position, ask=True)
        if card is None:
            if role == ProductRole.LOADING:
                return True
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return QCoreApplication.translate("ProductGridModel", "Loading…")
            return None
        if card.availability is Availability.OUT_OF_STOCK:
            card = self._elsewhere_card(card, position, ask=True)
        if role == ProductRole.CARD:
            return card
        if role in (Qt.ItemDataRole.DisplayRole, ProductRole.NAME, Qt.ItemDataRole.ToolTipRole):
            return card.name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return ", ".join(part for part in (card.brand, card.name, card.price_text) if part)
        if role == ProductRole.SKU:
            return card.sku
        if role == ProductRole.BRAND:
            return card.brand
        if role == ProductRole.PRICE_TEXT:
            return card.price_text
        if role == ProductRole.RATING:
            return card.rating
        if role == ProductRole.RATING_COUNT:
            return card.rating_count
        if role == ProductRole.AVAILABILITY:
            return card.availability.value
        if role == ProductRole.IMAGE_HUE:
            return card.hue
        if role == ProductRole.IMAGE_PATH:
            return card.image
        if role == ProductRole.LOADING:
            return False
        return None

    @override
    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role in ProductRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names

    # -- windows ----------------------------------------------------------------------------------------
    def _rows_for(self, columns: int) -> int:
        return -(-self._total // columns)

    def _position(self, index: QModelIndex | QPersistentModelIndex) -> int | None:
        if not index.isValid() or index.model() is not self:
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < self._rows and 0 <= column < self._columns):
            return None
        position = row * self._columns + column
        return position if position < self._total else None

    def _card(self, position: int, *, ask: bool) -> GridCard | None:
        block, offset = divmod(position, self._block_size)
        cards = self._blocks.get(block)
        if cards is None:
            if ask:
                self._ask(block)
            return None
        self._blocks.move_to_end(block)
        if offset < len(cards):
            return cards[offset]
        if ask and block in self._partial:
            self._ask(block)
        return None

    def _expected(self, block: int) -> int:
        return max(0, min(self._block_size, self._total - block * self._block_size))

    def _ask(self, block: int) -> None:
        if block in self._failed or block == self._loading:
            return
        self._wanted[block] = None
        self._wanted.move_to_end(block)
        self._block_reader.start()

    def _next_wanted(self) -> int | None:
        """The most recently asked block that is still on screen (or near it); others are dropped."""
        near: range | None = None
        if self._visible is not None:
            first, last = self._visible
            per_block = self._block_size
            near = range(
                max(first * self._columns // per_block - 1, 0),
                (last + 1) * self._columns // per_block + 2,
            )
        while self._wanted:
            block, _ = self._wanted.popitem(last=True)
            if (block not in self._blocks or block in self._partial) and (near is None or block in near):
                return block
        return None

    async def _read_wanted(self, generation: int) -> None:
        while (block := self._next_wanted()) is not None:
            offset = block * self._block_size
            limit = min(self._block_size, self._total - offset)
            if limit <= 0:
                continue
            self._loading = block
            try:
                hits = await self._loader(self._key, offset, limit)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Cells of this block stay skeletons until the next query: no retry storm on a bad cache.
                log.warning("product grid: reading hits %d..%d failed", offset, offset + limit, exc_info=True)
                self._failed.add(block)
                continue
            finally:
                self._loading = None
            if generation != self._generation:
                return
            self._partial.discard(block)
            self._store(block, hits[:limit], announce=True)

    def _store(self, block: int, hits: Sequence[ProductHit], *, announce: bool) -> None:
        cards = tuple(self._formatter.card(hit) for hit in hits)
        self._blocks[block] = cards
        self._blocks.move_to_end(block)
        start = block * self._block_size
        for offset, card in enumerate(cards):
            if card.image:
                self._image_cells.setdefault(card.image, set()).add(start + offset)
        while len(self._blocks) > self._max_blocks:
            evicted, old = self._blocks.popitem(last=False)
            self._forget_images(evicted, old)
        if announce:
            self._announce(start, start + self._block_size)
            self.block_loaded.emit(block)

    def _forget_images(self, block: int, cards: tuple[GridCard, ...]) -> None:
        start = block * self._block_size
        for offset, card in enumerate(cards):
            if card.image and (cells := self._image_cells.get(card.image)) is not None:
                cells.discard(start + offset)
                if not cells:
                    del self._image_cells[card.image]

    def _announce(self, start: int, end: int) -> None:
        """dataChanged for positions start..end-1 (clipped to the cards): at most three rectangles."""
        end = min(end, self._total)
        if start >= end:
            return
        columns = self._columns
        first_row, first_col = divmod(start, columns)
        last_row, last_col = divmod(end - 1, columns)
        if first_row == last_row:
            self.dataChanged.emit(self.index(first_row, first_col), self.index(last_row, last_col))
            return
        if first_col:  # a partly covered first row
            self.dataChanged.emit(self.index(first_row, first_col), self.index(first_row, columns - 1))
            first_row += 1
        if last_col != columns - 1:  # a partly covered last row
            self.dataChanged.emit(self.index(last_row, 0), self.index(last_row, last_col))
            last_row -= 1
        if first_row <= last_row:
            self.dataChanged.emit(self.index(first_row, 0), self.index(last_row, columns - 1))

    def _cancel_reads(self) -> None:
        self._block_reader.cancel()
        self._loading = None
        self._elsewhere_reader.cancel()

    # -- available elsewhere ------------------------------------------------------------------------------
    def _elsewhere_card(self, card: GridCard, position: int, *, ask: bool) -> GridCard:
        """An out-of-stock card as known so far; unknown ones on screen are asked about."""
        known = self._elsewhere.get(card.sku)
        if known:
            return replace(card, availability=Availability.ELSEWHERE)
        if known is None and ask and self._elsewhere_loader is not None:
            self._elsewhere_asked.setdefault(card.sku, set()).add(position)
            self._elsewhere_reader.start()
        return card

    def _on_screen(self, positions: set[int]) -> bool:
        if self._visible is None:
            return True
        first, last = self._visible
        return any(first - 1 <= position // self._columns <= last + 1 for position in positions)

    async def _read_elsewhere(self, generation: int) -> None:
        while self._elsewhere_asked and self._elsewhere_loader is not None:
            asked, self._elsewhere_asked = self._elsewhere_asked, {}
            # Cards scrolled away meanwhile are asked again if they come back.
            skus = [
                sku for sku, cells in asked.items() if sku not in self._elsewhere and self._on_screen(cells)
            ]
            if not skus:
                continue
            try:
                found = await self._elsewhere_loader(skus)
            except asyncio.CancelledError:
                raise
            except Exception:
                # They keep "out of stock" until the next query: no retry storm on a bad cache.
                log.warning("product grid: reading stock elsewhere failed", exc_info=True)
                found = frozenset()
            if generation != self._generation:
                return
            for sku in skus:
                self._elsewhere[sku] = sku in found
            for sku in sorted(found.intersection(skus)):
                for position in sorted(asked[sku]):
                    self._announce(position, position + 1)
