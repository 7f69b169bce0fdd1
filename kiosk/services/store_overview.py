"""What the start screen reads from the cache: this store, the catalog's size and its popular products.

Plain functions over a CacheStore, meant to run on the CacheReader's thread. The cache holds what
the server sent, so the store's fields are checked here and a bad one is shown as absent, never raised;
products come checked from ``offline_cache.search``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from offline_cache.cache_store import CacheStore
from offline_cache.search import CatalogSearch, SearchQuery

POPULAR_COUNT: Final = 12


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
class ProductSummary:
    """A product as a card on the start screen shows it; the name is already in the display language."""

    sku: str
    name: str
    brand: str
    price_minor: int | None  # in `currency`; None when the product has no price there
    currency: str
    rating_average: float
    rating_count: int
    image: str | None


@dataclass(frozen=True, slots=True)
class StoreOverview:
    store: StoreInfo | None  # None until the locations stream has brought this store
    language: str  # the display language: the configured one, else the store's, else English
    products: int
    categories: int
    popular: tuple[ProductSummary, ...]


def _text(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def store_info(location_id: str, data: Mapping[str, object] | None) -> StoreInfo | None:
    if data is None:
        return None
    return StoreInfo(
        id=location_id,
        name=_text(data, "name") or location_id,
        city=_text(data, "city"),
        address=_text(data, "address"),
        country=_text(data, "country"),
        currency=_text(data, "currency"),
        language=_text(data, "language"),
        timezone=_text(data, "timezone"),
    )


def read_overview(
    cache: CacheStore, location_id: str, language: str | None, *, limit: int = POPULAR_COUNT
) -> StoreOverview:
    """Everything the start screen shows, read on the calling thread (the CacheReader's)."""
    store = store_info(location_id, cache.location(location_id))
    shown_language = language or (store.language if store and store.language else "en")
    db = cache.reader()
    products = int(db.execute("SELECT COUNT(*) FROM product").fetchone()[0])
    categories = int(db.execute("SELECT COUNT(*) FROM category").fetchone()[0])
    popular: tuple[ProductSummary, ...] = ()
    if store is not None and store.currency and products:
        popular = popular_products(cache, store.currency, shown_language, limit)
    return StoreOverview(store, shown_language, products, categories, popular)


# -- popular products ---------------------------------------------------------------------------------


def popular_products(
    cache: CacheStore, currency: str, language: str, limit: int
) -> tuple[ProductSummary, ...]:
    """The most popular products, each once: variants (sizes, colours) are left to the product page."""
    # Browsing lists variants too; twice the window leaves enough after dropping them.
    result = CatalogSearch(cache).search(SearchQuery(currency=currency, language=language), 0, limit * 2)
    return tuple(
        ProductSummary(
            h.sku, h.name, h.brand, h.price_minor, h.currency, h.rating_average, h.rating_count, h.image
        )
        for h in result.hits
        if h.parent_sku is None
    )[:limit]
