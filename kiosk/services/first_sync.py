"""A stand-in first sync: reads the store from ``locations`` and walks ``catalog`` to size it.

It keeps nothing on disk; ``offline_cache``'s sync engine replaces it. It is deliberately small,
talks to the central API only through the `PullSource` Protocol, and never imports Qt or httpx.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from kiosk.api.contract import Change, PullPage

FIRST_CURSOR = "v1.0"
PAGE_SIZE = 1000
HIGHLIGHTS = 12


class PullSource(Protocol):
    """Delta pull of one stream (CentralClient implements it; tests use fakes)."""

    async def pull(self, stream: str, cursor: str, limit: int) -> PullPage: ...


class StoreNotFound(Exception):
    """The ``locations`` stream does not contain this device's location."""


@dataclass(frozen=True, slots=True)
class StoreInfo:
    id: str
    name: str
    city: str
    address: str
    country: str
    currency: str
    language: str
    timezone: str


@dataclass(frozen=True, slots=True)
class ProductHighlight:
    """A popular product to show on the start screen before the real catalog exists."""

    sku: str
    names: Mapping[str, str]  # language -> name
    brand: str
    price_minor: int | None  # in the store's currency; None when it has no price there
    currency: str
    rating_average: float
    rating_count: int
    popularity: float


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """How far a stream walk is: positions on the server's version counter, items seen, time left."""

    stream: str
    items: int
    done: int
    total: int
    eta_seconds: float | None


@dataclass(frozen=True, slots=True)
class CatalogSummary:
    products: int
    categories: int
    highlights: tuple[ProductHighlight, ...]


def _text(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def store_from_change(change: Change) -> StoreInfo:
    data = change.data or {}
    return StoreInfo(
        id=change.key,
        name=_text(data, "name") or change.key,
        city=_text(data, "city"),
        address=_text(data, "address"),
        country=_text(data, "country"),
        currency=_text(data, "currency"),
        language=_text(data, "language"),
        timezone=_text(data, "timezone"),
    )


def highlight_from_change(change: Change, currency: str) -> ProductHighlight | None:
    """A product upsert as a highlight candidate; None for variants and for data it cannot use."""
    data = change.data or {}
    if data.get("parent_sku"):
        return None  # show each product once, not each of its sizes or colours
    raw_names = data.get("names")
    names = {k: v for k, v in raw_names.items() if isinstance(v, str)} if isinstance(raw_names, dict) else {}
    if not names:
        return None
    prices = data.get("prices")
    price = prices.get(currency) if isinstance(prices, dict) else None
    rating = data.get("rating")
    average = _number(rating.get("average")) if isinstance(rating, dict) else None
    count = _number(rating.get("count")) if isinstance(rating, dict) else None
    return ProductHighlight(
        sku=change.key,
        names=names,
        brand=_text(data, "brand"),
        price_minor=price if isinstance(price, int) and not isinstance(price, bool) and price >= 0 else None,
        currency=currency,
        rating_average=min(max(average or 0.0, 0.0), 5.0),
        rating_count=int(count or 0),
        popularity=_number(data.get("popularity")) or 0.0,
    )


class FirstSync:
    """Reads what the start screen needs, page by page, so the UI stays responsive between pages."""

    def __init__(
        self, source: PullSource, *, page_size: int = PAGE_SIZE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._source = source
        self._page_size = page_size
        self._clock = clock

    async def store(self, location_id: str) -> StoreInfo:
        found: StoreInfo | None = None
        cursor = FIRST_CURSOR
        while True:
            page = await self._source.pull("locations", cursor, self._page_size)
            for change in page.changes:
                if change.entity == "location" and change.key == location_id:
                    found = store_from_change(change) if change.op == "upsert" else None
            cursor = page.next_cursor
            if not page.has_more:
                break
        if found is None:
            raise StoreNotFound(location_id)
        return found

    async def catalog(self, currency: str, on_progress: Callable[[SyncProgress], None]) -> CatalogSummary:
        """Walk the whole catalog stream once, counting live products and categories."""
        products: set[str] = set()
        categories: set[str] = set()
        # A min-heap of (popularity, sku) keeps the most popular few without sorting the whole catalog.
        best: list[tuple[float, str, ProductHighlight]] = []
        cursor = FIRST_CURSOR
        started = self._clock()
        total = 0
        items = 0
        while True:
            page = await self._source.pull("catalog", cursor, self._page_size)
            total = max(total, page.server_version)
            for change in page.changes:
                items += 1
                keys = (
                    products
                    if change.entity == "product"
                    else categories
                    if change.entity == "category"
                    else None
                )
                if keys is None:
                    continue
                if change.op == "delete":
                    keys.discard(change.key)
                    best = [entry for entry in best if entry[1] != change.key]
                    heapq.heapify(best)
                    continue
                keys.add(change.key)
                if change.entity == "product":
                    candidate = highlight_from_change(change, currency)
                    if candidate is not None:
                        _keep_best(best, candidate)
            cursor = page.next_cursor
            done = total if not page.has_more else min(page.cursor_version, total)
            elapsed = self._clock() - started
            eta = elapsed * (total - done) / done if 0 < done < total else (0.0 if done >= total else None)
            on_progress(SyncProgress("catalog", items, done, total, eta))
            if not page.has_more:
                break
        highlights = tuple(entry[2] for entry in sorted(best, key=lambda e: (-e[0], e[1])))
        return CatalogSummary(products=len(products), categories=len(categories), highlights=highlights)


def _keep_best(best: list[tuple[float, str, ProductHighlight]], candidate: ProductHighlight) -> None:
    # A product updated during the walk shows up again: replace, never list it twice.
    for i, entry in enumerate(best):
        if entry[1] == candidate.sku:
            best[i] = (candidate.popularity, candidate.sku, candidate)
            heapq.heapify(best)
            return
    item = (candidate.popularity, candidate.sku, candidate)
    if len(best) < HIGHLIGHTS:
        heapq.heappush(best, item)
    elif item[:2] > best[0][:2]:
        heapq.heapreplace(best, item)
