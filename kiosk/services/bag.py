"""The customer's bag as a use case: lines and their limits, availability per line, kept as an outbox draft.

The bag is a draft in ``outbox.db`` (kind ``kiosk.bag``) from its first line on, so an app crash never
loses what a customer picked, and the draft's idempotency key is the key the order will carry when an
associate turns the handed-off bag into one. Each change is written to the draft first and takes effect
in memory only when that write succeeded: a refused or failed change leaves the bag as it was.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from kiosk.services.cache_reader import CacheReader
from offline_cache.cache_store import CacheStore
from offline_cache.outbox import Draft, KeyAlreadyUsed, Outbox, OutboxError, Reservation
from offline_cache.product_view import product_detail, stock_by_location

log = logging.getLogger(__name__)

DRAFT_KIND: Final = "kiosk.bag"
BODY_VERSION: Final = 1
MIN_QTY: Final = 1
MAX_QTY: Final = 99
MAX_LINES: Final = 20  # a kiosk bag, not a pallet: the handoff code must stay scannable
SKU_PATTERN: Final = re.compile(r"^[A-Za-z0-9._@:-]{1,40}$")  # the central API's Id


@dataclass(frozen=True, slots=True)
class BagLine:
    """What the bag holds for one product."""

    sku: str
    qty: int


@dataclass(frozen=True, slots=True)
class BagItem:
    """One line as the bag screen (or the associate opening a handoff) shows it."""

    sku: str
    qty: int
    found: bool  # the product is in this device's catalog
    name: str
    brand: str
    unit_price_minor: int | None  # None: not sold in this currency (or not found)
    available_here: int | None  # None: no stock figure for this store
    available_elsewhere: int  # other stores and warehouses together
    stock_known: bool  # any stock figure at all

    @property
    def available(self) -> int:
        return (self.available_here or 0) + self.available_elsewhere

    @property
    def limit(self) -> int:
        """The most this line may hold: 99, and no more than the chain has where the figures are known."""
        return min(MAX_QTY, self.available) if self.stock_known else MAX_QTY

    @property
    def short(self) -> bool:
        """Stock fell below the quantity after it was chosen (another buyer was quicker)."""
        return self.stock_known and self.qty > self.available

    @property
    def line_total_minor(self) -> int | None:
        return None if self.unit_price_minor is None else self.unit_price_minor * self.qty


@dataclass(frozen=True, slots=True)
class BagSnapshot:
    """The whole bag at one moment, priced in one currency."""

    action_id: str | None  # the idempotency key its order will carry; None while the bag was never filled
    currency: str
    items: tuple[BagItem, ...] = ()

    @property
    def lines(self) -> tuple[BagLine, ...]:
        return tuple(BagLine(item.sku, item.qty) for item in self.items)

    @property
    def count(self) -> int:
        return sum(item.qty for item in self.items)

    @property
    def total_minor(self) -> int:
        return sum(item.line_total_minor or 0 for item in self.items)

    @property
    def complete_prices(self) -> bool:
        return all(item.unit_price_minor is not None for item in self.items)

    @property
    def is_empty(self) -> bool:
        return not self.items


class BagRefusal(StrEnum):
    """Why a change to the bag was refused; the screen words each one for the customer."""

    UNKNOWN_PRODUCT = "unknown_product"
    NOT_SOLD_HERE = "not_sold_here"  # no price in this store's currency
    BAD_QUANTITY = "bad_quantity"  # not a whole number from 1 to 99
    OVER_AVAILABLE = "over_available"  # more than the chain has
    BAG_FULL = "bag_full"
    NOT_IN_BAG = "not_in_bag"
    STORAGE = "storage"  # the draft could not be written (disk full, damaged outbox)
    OTHER_BAG = "other_bag"  # a handed-off bag cannot be opened over lines of another bag
    HANDOFF_USED = "handoff_used"  # this device already queued the handed-off bag's order


class BagRefused(Exception):
    """A change the bag did not make; the bag is exactly as it was."""

    def __init__(self, reason: BagRefusal, *, limit: int | None = None) -> None:
        super().__init__(reason.value if limit is None else f"{reason.value} (limit {limit})")
        self.reason = reason
        self.limit = limit  # for OVER_AVAILABLE and BAD_QUANTITY: the most the line may hold


@dataclass(frozen=True, slots=True)
class Restored:
    """What `BagService.restore` found: the bag, and whether a draft on disk had to be ignored."""

    snapshot: BagSnapshot
    damaged: bool


def parse_lines(raw: object) -> tuple[BagLine, ...]:
    """A list of ``{"sku", "qty"}`` objects, checked strictly; ValueError for anything else."""
    if not isinstance(raw, list) or len(raw) > MAX_LINES:
        raise ValueError(f"lines must be a list of at most {MAX_LINES} entries")
    lines: list[BagLine] = []
    for entry in raw:
        if not isinstance(entry, dict) or set(entry) != {"sku", "qty"}:
            raise ValueError("a line must be an object with sku and qty")
        lines.append(checked_line(entry["sku"], entry["qty"]))
    if len({line.sku for line in lines}) != len(lines):
        raise ValueError("a product appears twice")
    return tuple(lines)


def checked_line(sku: object, qty: object) -> BagLine:
    if not isinstance(sku, str) or not SKU_PATTERN.match(sku):
        raise ValueError(f"{sku!r} is not a SKU")
    if not is_quantity(qty):
        raise ValueError(f"{qty!r} is not a quantity from {MIN_QTY} to {MAX_QTY}")
    assert isinstance(qty, int)
    return BagLine(sku, qty)


def is_quantity(qty: object) -> bool:
    # bool is an int in Python: True is not "one chair".
    return isinstance(qty, int) and not isinstance(qty, bool) and MIN_QTY <= qty <= MAX_QTY


def draft_body(lines: Iterable[BagLine]) -> dict[str, Any]:
    return {"v": BODY_VERSION, "lines": [{"sku": line.sku, "qty": line.qty} for line in lines]}


def parse_draft_body(body: Mapping[str, Any]) -> tuple[BagLine, ...]:
    """The lines of a draft read back from disk; ValueError when the body is not one this app wrote."""
    if not isinstance(body, Mapping) or set(body) != {"v", "lines"} or body.get("v") != BODY_VERSION:
        raise ValueError(f"not a bag draft of version {BODY_VERSION}")
    return parse_lines(body["lines"])


def read_items(
    cache: CacheStore,
    lines: Sequence[BagLine],
    here: str,
    language: str,
    currency: str,
    reservations: Sequence[Reservation],
    now: datetime,
) -> tuple[BagItem, ...]:
    """Each line with name, price and availability (outbox overlay subtracted); on the reader thread."""
    items = []
    for line in lines:
        detail = product_detail(cache, line.sku, language, currency)
        stock = stock_by_location(cache, line.sku, here, reservations, now)
        here_row = next((row for row in stock if row.is_here), None)
        items.append(
            BagItem(
                sku=line.sku,
                qty=line.qty,
                found=detail is not None,
                name=detail.name if detail is not None else line.sku,
                brand=detail.brand if detail is not None else "",
                unit_price_minor=detail.price_minor if detail is not None else None,
                available_here=here_row.available if here_row is not None else None,
                available_elsewhere=sum(row.available for row in stock if not row.is_here),
                stock_known=bool(stock),
            )
        )
    return tuple(items)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class BagService:
    """One kiosk's bag. The outbox is used on the caller's (event loop) thread, the cache on the reader's.

    Changes are serialized: a double tap adds twice in order, never one change over another. `clear`
    (idle reset) starts a new generation; a change still reading the cache when that happens is dropped,
    so a slow tap of the last customer never lands in the next customer's bag.
    """

    def __init__(
        self,
        reader: CacheReader,
        outbox: Outbox,
        here: str,
        currency: str,
        *,
        reservations: Callable[[], Iterable[Reservation]] | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._reader = reader
        self._outbox = outbox
        self._here = here
        self._currency = currency
        self._reservations = reservations or outbox.reservations
        self._clock = clock
        self._lines: tuple[BagLine, ...] = ()
        self._draft: Draft | None = None
        self._generation = 0
        self._lock = asyncio.Lock()

    @property
    def lines(self) -> tuple[BagLine, ...]:
        return self._lines

    @property
    def action_id(self) -> str | None:
        return self._draft.action_id if self._draft is not None else None

    @property
    def draft_id(self) -> str | None:
        return self._draft.draft_id if self._draft is not None else None

    @property
    def currency(self) -> str:
        return self._currency

    async def restore(self, language: str) -> Restored:
        """Take up the bag a crash interrupted: the newest open bag draft, when its body is one we wrote."""
        drafts = self._outbox.open_drafts(DRAFT_KIND)
        damaged = False
        self._generation += 1  # what is on disk wins over anything still in flight
        self._draft, self._lines = None, ()
        if drafts:
            newest = drafts[-1]
            try:
                lines = parse_draft_body(newest.body)
            except ValueError as exc:
                # Left as it is on disk: it may be looked at, and the idle reset removes it with the rest.
                log.warning("bag draft %s is not readable (%s); starting an empty bag", newest.draft_id, exc)
                damaged = True
            else:
                self._draft, self._lines = newest, lines
        return Restored(await self.snapshot(language), damaged)

    async def snapshot(self, language: str) -> BagSnapshot:
        lines, action_id = self._lines, self.action_id
        items = await self._items(lines, language)
        return BagSnapshot(action_id, self._currency, items)

    async def add(self, sku: str, qty: int, language: str) -> BagSnapshot:
        """Add ``qty`` of a product (to its line, if it has one)."""
        if not isinstance(sku, str) or not SKU_PATTERN.match(sku):
            raise BagRefused(BagRefusal.UNKNOWN_PRODUCT)
        if not is_quantity(qty):
            raise BagRefused(BagRefusal.BAD_QUANTITY, limit=MAX_QTY)
        async with self._lock:
            generation = self._generation
            (item,) = await self._items((BagLine(sku, 1),), language)
            if generation != self._generation:
                return await self.snapshot(language)
            current = next((line.qty for line in self._lines if line.sku == sku), 0)
            self._check(item, current + qty, adding=True)
            if current == 0 and len(self._lines) >= MAX_LINES:
                raise BagRefused(BagRefusal.BAG_FULL)
            if current:
                lines = tuple(
                    BagLine(line.sku, current + qty) if line.sku == sku else line for line in self._lines
                )
            else:
                lines = (*self._lines, BagLine(sku, qty))
            self._write(lines)
        return await self.snapshot(language)

    async def set_quantity(self, sku: str, qty: object, language: str) -> BagSnapshot:
        """Set a line's quantity (typed or stepped); a bad quantity changes nothing."""
        if not any(line.sku == sku for line in self._lines):
            raise BagRefused(BagRefusal.NOT_IN_BAG)
        if not is_quantity(qty):
            raise BagRefused(BagRefusal.BAD_QUANTITY, limit=MAX_QTY)
        assert isinstance(qty, int)
        async with self._lock:
            generation = self._generation
            (item,) = await self._items((BagLine(sku, qty),), language)
            if generation != self._generation:
                return await self.snapshot(language)
            current = next((line.qty for line in self._lines if line.sku == sku), None)
            if current is None:
                raise BagRefused(BagRefusal.NOT_IN_BAG)
            # Lowering a quantity is always allowed, even when stock fell below it meanwhile.
            if qty > current:
                self._check(item, qty, adding=False)
            self._write(tuple(BagLine(sku, qty) if line.sku == sku else line for line in self._lines))
        return await self.snapshot(language)

    async def remove(self, sku: str, language: str) -> BagSnapshot:
        async with self._lock:
            if not any(line.sku == sku for line in self._lines):
                raise BagRefused(BagRefusal.NOT_IN_BAG)
            self._write(tuple(line for line in self._lines if line.sku != sku))
        return await self.snapshot(language)

    async def adopt(self, action_id: str, lines: Sequence[BagLine], language: str) -> BagSnapshot:
        """Take up a handed-off bag as this device's bag, keeping its key (an associate opened its code).

        The bag must be empty or already this handoff's: lines of another bag are never replaced
        (OTHER_BAG). Opening the same handoff again keeps the bag as it is now, edits included.
        """
        checked = tuple(checked_line(line.sku, line.qty) for line in lines)
        async with self._lock:
            if self._draft is not None and self._draft.action_id == action_id:
                return await self.snapshot(language)
            if self._lines:
                raise BagRefused(BagRefusal.OTHER_BAG)
            previous = self._draft  # an emptied bag still has its draft: the handoff's takes its place
            try:
                draft = self._outbox.open_draft(DRAFT_KIND, draft_body(checked), action_id=action_id)
                try:
                    adopted = parse_draft_body(draft.body)
                except ValueError:
                    # A draft on disk with this key that this app cannot read: the code says what it holds.
                    draft = self._outbox.update_draft(draft.draft_id, draft_body(checked))
                    adopted = checked
            except KeyAlreadyUsed as exc:
                log.info("handoff %s not opened: %s", action_id, exc)
                raise BagRefused(BagRefusal.HANDOFF_USED) from exc
            except (OutboxError, sqlite3.Error) as exc:
                log.warning("handoff draft not written: %s", exc)
                raise BagRefused(BagRefusal.STORAGE) from exc
            self._generation += 1
            self._draft, self._lines = draft, adopted
            if previous is not None and previous.draft_id != draft.draft_id:
                try:
                    self._outbox.discard_draft(previous.draft_id)
                except (OutboxError, sqlite3.Error):
                    log.exception("could not discard the empty bag draft %s", previous.draft_id)
        return await self.snapshot(language)

    def clear(self) -> None:
        """Forget the bag and discard every bag draft on disk (the customer left: keep nothing personal)."""
        self._generation += 1
        self._lines = ()
        self._draft = None
        for draft in self._outbox.open_drafts(DRAFT_KIND):
            try:
                self._outbox.discard_draft(draft.draft_id)
            except (OutboxError, sqlite3.Error):
                log.exception("could not discard bag draft %s", draft.draft_id)

    # -- internals ---------------------------------------------------------------------------------------
    def _check(self, item: BagItem, qty: int, *, adding: bool) -> None:
        if not item.found:
            raise BagRefused(BagRefusal.UNKNOWN_PRODUCT)
        if adding and item.unit_price_minor is None:
            raise BagRefused(BagRefusal.NOT_SOLD_HERE)
        if qty > MAX_QTY:
            raise BagRefused(BagRefusal.BAD_QUANTITY, limit=MAX_QTY)
        if item.stock_known and qty > item.available:
            raise BagRefused(BagRefusal.OVER_AVAILABLE, limit=item.available)

    def _write(self, lines: tuple[BagLine, ...]) -> None:
        """Store the lines in the draft (opening it on the first line); memory follows only a good write."""
        try:
            if self._draft is None:
                draft = self._outbox.open_draft(DRAFT_KIND, draft_body(lines))
            else:
                draft = self._outbox.update_draft(self._draft.draft_id, draft_body(lines))
        except (OutboxError, sqlite3.Error) as exc:
            log.warning("bag draft not written: %s", exc)
            raise BagRefused(BagRefusal.STORAGE) from exc
        self._draft, self._lines = draft, lines

    async def _items(self, lines: Sequence[BagLine], language: str) -> tuple[BagItem, ...]:
        if not lines:
            return ()
        # The outbox belongs to this thread: read its reservations here, hand plain values over.
        taken = tuple(self._reservations())
        now = self._clock()
        here, currency = self._here, self._currency
        return await self._reader.run(
            lambda cache: read_items(cache, lines, here, language, currency, taken, now)
        )
