"""What the catalog screen shows, as one frozen value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from kiosk.services.catalog import CategoryNode, Facets, ProductHit, SearchQuery

_BAND = re.compile(r"^(\d{0,12})-(\d{0,12})$")


def band_bounds(value: str | None) -> tuple[int | None, int | None]:
    """A price band's value ``"low-high"`` (minor units, high inclusive, either end open) as bounds;
    a value not of that form gives no bounds."""
    match = _BAND.match(value or "")
    if match is None:
        return None, None
    low, high = (int(part) if part else None for part in match.groups())
    return low, high


class CatalogProblem(StrEnum):
    UNAVAILABLE = "unavailable"  # the cache could not be read; a retry may help
    UNEXPECTED = "unexpected"  # a bug: logged, the screen offers a retry


class ScanProblem(StrEnum):
    NOT_A_PRODUCT_CODE = "not_a_product_code"  # not an EAN/UPC/GS1 product code, or its check digit is wrong
    UNKNOWN_CODE = "unknown_code"  # a valid code that no product in the catalog has


class FacetKind(StrEnum):
    BRAND = "brand"
    PRICE_BAND = "price_band"
    RATING = "rating"
    IN_STOCK_HERE = "in_stock_here"


@dataclass(frozen=True, slots=True)
class ScanNotice:
    code: str  # as scanned, shortened for display
    problem: ScanProblem


@dataclass(frozen=True, slots=True)
class Filters:
    """What the person chose, besides the text: the search query is built from these."""

    category_id: str | None = None
    brands: frozenset[str] = frozenset()
    price_band: str | None = None  # a FacetCount.value of Facets.price_bands
    min_rating: int | None = None
    in_stock_here: bool = False


@dataclass(frozen=True, slots=True)
class Results:
    """One query's answer: its count, the first window of hits (the grid fetches the rest) and facets."""

    query: SearchQuery
    serial: int  # grows with each answer: the grid resets only when this changes
    total: int = 0
    capped: bool = False  # total is a lower bound ("more than …")
    first: tuple[ProductHit, ...] = ()
    facets: Facets | None = None  # None until counted (they follow the hits)


@dataclass(frozen=True, slots=True)
class CatalogState:
    text: str = ""
    filters: Filters = Filters()
    results: Results | None = None
    categories: tuple[CategoryNode, ...] = ()
    category_path: tuple[CategoryNode, ...] = ()  # root first, the chosen category last
    loading: bool = False
    problem: CatalogProblem | None = None
    scan: ScanNotice | None = None
    language: str = "en"
    currency: str = "EUR"
    here: str | None = None  # this store's location id: availability is shown for it

    @property
    def has_filters(self) -> bool:
        return bool(self.text.strip()) or self.filters != Filters()

    @property
    def is_empty(self) -> bool:
        return self.results is not None and self.results.total == 0 and not self.loading
