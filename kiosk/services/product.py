"""Loading a product page from the local cache: detail, a page of reviews and stock by location."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kiosk.services.cache_reader import CacheReader
from offline_cache.cache_store import CacheStore
from offline_cache.outbox import Reservation
from offline_cache.product_view import (
    LocationStock,
    ProductDetail,
    ReviewSort,
    ReviewsPage,
    product_detail,
    reviews_page,
    stock_by_location,
)

REVIEWS_PER_PAGE = 20


@dataclass(frozen=True, slots=True)
class ReviewQuery:
    """Which reviews the customer asked for: order, star and language filters, and the page."""

    sort: ReviewSort = "newest"
    stars: frozenset[int] = field(default_factory=frozenset)
    language: str | None = None
    offset: int = 0
    limit: int = REVIEWS_PER_PAGE


@dataclass(frozen=True, slots=True)
class ProductPage:
    detail: ProductDetail
    reviews: ReviewsPage
    stock: tuple[LocationStock, ...]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _no_reservations() -> list[Reservation]:
    return []


class ProductService:
    """Reads one product's page on the cache-reader thread; the outbox overlay is taken on the caller's.

    ``reservations`` reads this device's queued orders from the outbox, which belongs to the event
    loop's thread: it is called there, and only its plain result crosses to the reader thread.
    """

    def __init__(
        self,
        reader: CacheReader,
        here: str,
        *,
        reservations: Callable[[], Iterable[Reservation]] = _no_reservations,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._reader = reader
        self._here = here
        self._reservations = reservations
        self._clock = clock

    @property
    def here(self) -> str:
        return self._here

    async def page(self, sku: str, language: str, currency: str, query: ReviewQuery) -> ProductPage | None:
        """Everything the page shows, in one trip to the reader thread; None for an unknown SKU."""
        taken = tuple(self._reservations())
        now = self._clock()

        def read(cache: CacheStore) -> ProductPage | None:
            detail = product_detail(cache, sku, language, currency)
            if detail is None:
                return None
            return ProductPage(
                detail,
                _reviews(cache, sku, query),
                stock_by_location(cache, sku, self._here, taken, now),
            )

        return await self._reader.run(read)

    async def detail(self, sku: str, language: str, currency: str) -> ProductDetail | None:
        return await self._reader.run(lambda cache: product_detail(cache, sku, language, currency))

    async def reviews(self, sku: str, query: ReviewQuery) -> ReviewsPage:
        return await self._reader.run(lambda cache: _reviews(cache, sku, query))

    async def stock(self, sku: str) -> tuple[LocationStock, ...]:
        taken = tuple(self._reservations())
        now = self._clock()
        return await self._reader.run(lambda cache: stock_by_location(cache, sku, self._here, taken, now))


def _reviews(cache: CacheStore, sku: str, query: ReviewQuery) -> ReviewsPage:
    return reviews_page(
        cache,
        sku,
        sort=query.sort,
        stars=query.stars,
        language=query.language,
        offset=query.offset,
        limit=query.limit,
    )
