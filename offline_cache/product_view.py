"""Read-only queries for one product's page in ``cache.db``: detail, variants, reviews and stock by location.

Everything read here was pulled from the central system and sits on disk, so every field is checked
on the way out: a row that does not have the expected shape is skipped (a review, a location) or
makes the product unknown (its own record), never an exception in the screen. Each function runs on
the calling thread's connection (``CacheStore.reader()``); the kiosk calls them on its cache-reader
thread.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

from offline_cache.cache_store import CacheStore
from offline_cache.outbox import Reservation

log = logging.getLogger(__name__)

type ReviewSort = Literal["newest", "highest", "lowest"]
REVIEW_SORTS: Final[tuple[ReviewSort, ...]] = ("newest", "highest", "lowest")
STARS: Final = (5, 4, 3, 2, 1)
FALLBACK_LANGUAGE: Final = "en"
MAX_PAGE: Final = 100
EARTH_RADIUS_KM: Final = 6371.0088
_NUMBER_RUN = re.compile(r"(\d+)")
_VARIANT_SEPARATOR: Final = " – "  # product names end with " – <variant>" (colour, size, format)


@dataclass(frozen=True, slots=True)
class Rating:
    average: float  # 0 when there are no reviews
    count: int


@dataclass(frozen=True, slots=True)
class Variant:
    """One member of a product family (the parent and the products naming it in ``parent_sku``)."""

    sku: str
    label: str  # what tells it apart from its siblings, in the display language
    available: bool  # some location of the chain has it (the server's figure)
    current: bool  # the product the page shows


@dataclass(frozen=True, slots=True)
class ProductDetail:
    sku: str
    gtin: str | None
    parent_sku: str | None
    category_id: str | None
    brand: str
    name: str  # in the display language, else English, else any
    description: str
    currency: str
    price_minor: int | None  # None: not sold in this currency
    specs: tuple[tuple[str, str], ...]  # in the catalog's order
    images: tuple[str, ...]  # paths on the central API
    rating: Rating
    variants: tuple[Variant, ...]  # empty for a product without a family


@dataclass(frozen=True, slots=True)
class Review:
    review_id: str
    rating: int  # 1..5
    language: str | None
    author: str
    title: str
    body: str
    created_at: datetime | None  # UTC; None when the cache holds no readable date
    verified_purchase: bool
    helpful: int


@dataclass(frozen=True, slots=True)
class ReviewsPage:
    """One page of a product's reviews and the summary the filters are chosen from.

    ``histogram`` counts the reviews in the chosen language (all when none is chosen) per star,
    ignoring the star filter, so every bar stays a filter the customer can tap; ``total`` counts
    those that pass both filters, so with no star filter ``sum(histogram.values()) == total``.
    """

    sku: str
    sort: ReviewSort
    stars: frozenset[int]
    language: str | None
    offset: int  # where this page starts (clamped into the results)
    limit: int
    total: int
    histogram: Mapping[int, int]  # star -> count, for 5..1
    languages: tuple[tuple[str, int], ...]  # (language, reviews) over all reviews, most first
    reviews: tuple[Review, ...]

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.reviews) < self.total


@dataclass(frozen=True, slots=True)
class LocationStock:
    """Stock of one product at one location, as the page shows it."""

    location_id: str
    kind: str  # store | warehouse | unknown
    name: str
    city: str
    is_here: bool
    available: int  # displayed: the server's figure minus this device's pending orders
    on_hand: int
    pending_local: int
    as_of: datetime | None  # UTC: when this device last confirmed the figure (last pull of its stream)
    distance_km: float | None  # great-circle distance from this store; None when a position is unknown


# -- detail -------------------------------------------------------------------------------------------------


def product_detail(cache: CacheStore, sku: str, language: str, currency: str) -> ProductDetail | None:
    """The product in ``language`` (falling back to English) priced in ``currency``; None if unknown."""
    db = cache.reader()
    data = _record(db.execute("SELECT data FROM product WHERE sku = ?", (sku,)).fetchone(), f"product {sku}")
    if data is None or data.get("sku") != sku:
        return None
    parent = _text(data, "parent_sku")
    root = parent or sku
    family = _family(cache, root)
    prices = data.get("prices")
    price = _int(prices, currency) if isinstance(prices, dict) else None
    return ProductDetail(
        sku=sku,
        gtin=_text(data, "gtin"),
        parent_sku=parent,
        category_id=_text(data, "category_id"),
        brand=_text(data, "brand") or "",
        name=localized(data.get("names"), language),
        description=localized(data.get("descriptions"), language),
        currency=currency,
        price_minor=price if price is not None and price >= 0 else None,
        specs=_specs(data.get("specs")),
        images=_images(data.get("images")),
        rating=_rating(data.get("rating")),
        variants=_variants(cache, family, sku, language),
    )


def localized(texts: object, language: str) -> str:
    """The text in ``language``, else English, else any language the record has; "" when none."""
    if not isinstance(texts, dict):
        return ""
    for key in (language, FALLBACK_LANGUAGE):
        value = texts.get(key)
        if isinstance(value, str) and value:
            return value
    return next((v for v in texts.values() if isinstance(v, str) and v), "")


def _family(cache: CacheStore, root: str) -> list[dict[str, Any]]:
    """The parent and every product naming it as parent, parent first, siblings in SKU order."""
    rows = cache.reader().execute(
        "SELECT sku, data FROM product WHERE sku = ? OR parent_sku = ?", (root, root)
    )
    members = []
    for member_sku, raw in rows:
        data = _record((raw,), f"product {member_sku}")
        if data is not None and data.get("sku") == member_sku:
            members.append(data)
    members.sort(key=lambda d: (d["sku"] != root, _natural(str(d["sku"]))))
    return members


def _variants(
    cache: CacheStore, family: Sequence[Mapping[str, Any]], sku: str, language: str
) -> tuple[Variant, ...]:
    if len(family) < 2:
        return ()
    skus = [str(d["sku"]) for d in family]
    in_stock = {
        row[0]
        for row in cache.reader().execute(
            "SELECT sku FROM stock WHERE sku IN (SELECT value FROM json_each(?)) "
            "GROUP BY sku HAVING MAX(available) > 0",
            (json.dumps(skus),),
        )
    }
    names = [localized(d.get("names"), language) for d in family]
    labels = _variant_labels(names, [d.get("variant") for d in family])
    return tuple(Variant(s, label, s in in_stock, s == sku) for s, label in zip(skus, labels, strict=True))


def _variant_labels(names: Sequence[str], variants: Sequence[object]) -> list[str]:
    """What sets each member apart: the end of its name after the family's shared part (already in
    the display language, e.g. "černá", "EU 42"), else its variant values, else its name."""
    shared = _common_prefix(names)
    cut = shared.rfind(_VARIANT_SEPARATOR)
    if cut >= 0:
        tails = [name[cut + len(_VARIANT_SEPARATOR) :].strip() for name in names]
        if all(tails) and len(set(tails)) == len(tails):
            return tails
    labels = []
    for name, variant in zip(names, variants, strict=True):
        values = (
            [v for v in variant.values() if isinstance(v, str) and v] if isinstance(variant, dict) else []
        )
        labels.append(" / ".join(values) or name)
    return labels


def _common_prefix(texts: Sequence[str]) -> str:
    if not texts:
        return ""
    low, high = min(texts), max(texts)
    end = 0
    while end < len(low) and low[end] == high[end]:
        end += 1
    return low[:end]


def _specs(specs: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(specs, dict):
        return ()
    pairs = []
    for key, value in specs.items():
        shown = value if isinstance(value, str) else None
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            shown = str(value)
        if isinstance(key, str) and key and shown:
            pairs.append((key, shown))
    return tuple(pairs)


def _images(images: object) -> tuple[str, ...]:
    if not isinstance(images, list):
        return ()
    return tuple(i for i in images if isinstance(i, str) and 0 < len(i) <= 2048 and i.isprintable())


def _rating(rating: object) -> Rating:
    if not isinstance(rating, dict):
        return Rating(0.0, 0)
    average = _float(rating, "average")
    count = _int(rating, "count")
    if average is None or count is None or count <= 0:
        return Rating(0.0, 0)
    return Rating(min(max(average, 0.0), 5.0), count)


# -- reviews ------------------------------------------------------------------------------------------------


def reviews_page(
    cache: CacheStore,
    sku: str,
    *,
    sort: ReviewSort = "newest",
    stars: frozenset[int] = frozenset(),
    language: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> ReviewsPage:
    """One page of ``sku``'s reviews; an offset past the end gives the last page.

    A product has tens, at most a few thousand reviews: they are read through the ``review_sku``
    index and sorted here, which also lets every row be checked once, the same way for the
    histogram, the count and the page.
    """
    if sort not in REVIEW_SORTS:
        raise ValueError(f"unknown review order {sort!r}")
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise ValueError(f"a page needs 1 <= limit <= {MAX_PAGE} and offset >= 0, got {limit}, {offset}")
    if not stars <= set(STARS):
        raise ValueError(f"stars must be within 1..5, got {sorted(stars)}")
    rows = cache.reader().execute("SELECT review_id, rating, data FROM review WHERE sku = ?", (sku,))
    everything = [r for r in (_review(sku, *row) for row in rows) if r is not None]

    spoken: dict[str, int] = {}
    for review in everything:
        if review.language is not None:
            spoken[review.language] = spoken.get(review.language, 0) + 1
    in_language = [r for r in everything if language is None or r.language == language]
    histogram = dict.fromkeys(STARS, 0)
    for review in in_language:
        histogram[review.rating] += 1
    chosen = [r for r in in_language if not stars or r.rating in stars]
    chosen.sort(key=_newest_first)
    if sort == "highest":
        chosen.sort(key=lambda r: -r.rating)  # stable: newest first within a star
    elif sort == "lowest":
        chosen.sort(key=lambda r: r.rating)
    total = len(chosen)
    start = min(offset, max(0, (total - 1) // limit * limit))
    return ReviewsPage(
        sku=sku,
        sort=sort,
        stars=stars,
        language=language,
        offset=start,
        limit=limit,
        total=total,
        histogram=histogram,
        languages=tuple(sorted(spoken.items(), key=lambda item: (-item[1], item[0]))),
        reviews=tuple(chosen[start : start + limit]),
    )


def _newest_first(review: Review) -> tuple[bool, float, str]:
    when = review.created_at
    return (when is None, -when.timestamp() if when is not None else 0.0, review.review_id)


def _review(sku: str, review_id: object, rating: object, raw: object) -> Review | None:
    data = _record((raw,), f"review {review_id}")
    if (
        data is None
        or not isinstance(review_id, str)
        or not isinstance(rating, int)
        or rating not in STARS
        or data.get("sku") != sku
    ):
        return None
    language = _text(data, "language")
    helpful = _int(data, "helpful")
    return Review(
        review_id=review_id,
        rating=rating,
        language=language if language and len(language) <= 16 else None,
        author=_text(data, "author") or "",
        title=_text(data, "title") or "",
        body=_text(data, "body") or "",
        created_at=parse_time(data.get("created_at")),
        verified_purchase=data.get("verified_purchase") is True,
        helpful=helpful if helpful is not None and helpful > 0 else 0,
    )


# -- stock -------------------------------------------------------------------------------------------------


def stock_by_location(
    cache: CacheStore, sku: str, here: str, reservations: Iterable[Reservation], now: datetime
) -> tuple[LocationStock, ...]:
    """Stock at every location that has a figure: this store, other stores nearest first, warehouses.

    ``available`` has this device's queued orders subtracted (the outbox overlay), so a customer
    never sees the unit they just ordered as still on the shelf. ``as_of`` is when this device last
    heard from the central system about that location's stock, never later than ``now`` (a device
    clock behind the server's must not show a time in the future).
    """
    db = cache.reader()
    places: dict[str, tuple[str, dict[str, Any]]] = {}
    for location_id, kind, raw in db.execute("SELECT location_id, kind, data FROM location"):
        data = _record((raw,), f"location {location_id}")
        if isinstance(location_id, str) and data is not None:
            places[location_id] = (kind if kind in ("store", "warehouse") else "unknown", data)
    confirmed = {
        stream.removeprefix("stock:"): parse_time(when)
        for stream, when in db.execute(
            "SELECT stream, last_pull_ok_at FROM sync_stream WHERE stream LIKE 'stock:%'"
        )
    }
    origin = _position(places[here][1]) if here in places else None
    rows = []
    for level in cache.stock_for(sku, reservations):
        kind, data = places.get(level.location_id, ("unknown", {}))
        where = _position(data)
        as_of = confirmed.get(level.location_id) or parse_time(level.updated_at)
        rows.append(
            LocationStock(
                location_id=level.location_id,
                kind=kind,
                name=_text(data, "name") or level.location_id,
                city=_text(data, "city") or "",
                is_here=level.location_id == here,
                available=level.displayed_available,
                on_hand=max(0, level.on_hand),
                pending_local=level.pending_local,
                as_of=min(as_of, now.astimezone(UTC)) if as_of is not None else None,
                distance_km=(
                    0.0
                    if level.location_id == here
                    else great_circle_km(origin, where)
                    if origin is not None and where is not None
                    else None
                ),
            )
        )
    group = {"store": 1, "warehouse": 2}
    rows.sort(
        key=lambda r: (
            0 if r.is_here else group.get(r.kind, 3),
            r.distance_km is None,
            r.distance_km or 0.0,
            r.name,
            r.location_id,
        )
    )
    return tuple(rows)


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (lat, lon) points in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _position(data: Mapping[str, Any]) -> tuple[float, float] | None:
    lat, lon = _float(data, "lat"), _float(data, "lon")
    if lat is None or lon is None or not -90 <= lat <= 90 or not -180 <= lon <= 180:
        return None
    return lat, lon


# -- checked reads of cached JSON -------------------------------------------------------------------------


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time as aware UTC; None for anything else (a naive time is taken as UTC)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _record(row: Sequence[object] | None, what: str) -> dict[str, Any] | None:
    if row is None:
        return None
    raw = row[0]
    try:
        data = json.loads(raw) if isinstance(raw, str | bytes) else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        log.warning("cache: %s is not a JSON object; ignored", what)
        return None
    return data


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """SKU-7-2 before SKU-7-10."""
    return tuple((1, int(part)) if part.isdigit() else (0, part) for part in _NUMBER_RUN.split(text) if part)
