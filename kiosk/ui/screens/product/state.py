"""What the product page shows, as one frozen value, and how fresh its stock figures are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from kiosk.services.product import ReviewQuery
from offline_cache.product_view import LocationStock, ProductDetail, ReviewsPage

STALE_AFTER = timedelta(seconds=60)
MAX_QUANTITY = 99


class ProductPhase(StrEnum):
    EMPTY = "empty"  # no product opened yet
    LOADING = "loading"
    READY = "ready"
    NOT_FOUND = "not_found"  # the SKU is not in the local catalog
    FAILED = "failed"  # reading the cache failed unexpectedly; the log has the details


class StockFreshness(StrEnum):
    FRESH = "fresh"  # confirmed by the central system within the last minute
    STALE = "stale"  # online, but nothing confirmed the figures for over a minute: "last known"
    OFFLINE = "offline"  # the sync engine cannot reach the central system: "last known"
    UNKNOWN = "unknown"  # no stock figures at all


@dataclass(frozen=True, slots=True)
class ProductState:
    phase: ProductPhase = ProductPhase.EMPTY
    sku: str | None = None
    language: str = "en"
    currency: str = "EUR"
    detail: ProductDetail | None = None
    image_index: int = 0
    quantity: int = 1
    reviews: ReviewsPage | None = None
    review_query: ReviewQuery = field(default_factory=ReviewQuery)
    stock: tuple[LocationStock, ...] = ()
    online: bool | None = None  # None until the sync engine has said
    last_sync: datetime | None = None  # when the device last confirmed it is in step with the central system
    freshness: StockFreshness = StockFreshness.UNKNOWN

    @property
    def stock_as_of(self) -> datetime | None:
        """When every figure shown was last confirmed: the oldest row's time, or the last sync if later."""
        if not self.stock:
            return None
        return self._confirmed(min((r.as_of for r in self.stock if r.as_of is not None), default=None))

    def row_as_of(self, row: LocationStock) -> datetime | None:
        return self._confirmed(row.as_of)

    def _confirmed(self, as_of: datetime | None) -> datetime | None:
        # A whole sync that succeeded after a row's pull confirmed that row too.
        if as_of is None or (self.last_sync is not None and self.last_sync > as_of):
            return self.last_sync
        return as_of

    @property
    def can_add_to_bag(self) -> bool:
        """Priced in this store's currency and on hand somewhere in the chain (this device's view)."""
        return (
            self.phase == ProductPhase.READY
            and self.detail is not None
            and self.detail.price_minor is not None
            and any(row.available > 0 for row in self.stock)
        )

    @property
    def here(self) -> LocationStock | None:
        return next((row for row in self.stock if row.is_here), None)


def freshness(state: ProductState, now: datetime, stale_after: timedelta = STALE_AFTER) -> StockFreshness:
    """Offline wins over age: a figure confirmed a second ago is still only "last known" without a link."""
    if not state.stock:
        return StockFreshness.UNKNOWN
    if state.online is False:
        return StockFreshness.OFFLINE
    as_of = state.stock_as_of
    if as_of is None or now - as_of > stale_after:
        return StockFreshness.STALE
    return StockFreshness.FRESH
