"""The catalog screen's presenter: the query from text, category and facets; results, facets and scans."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from PySide6.QtCore import QObject, Signal

from kiosk.services.catalog import CatalogService, CatalogUnavailable, CategoryNode, ProductHit, SearchQuery
from kiosk.services.handoff import is_handoff_scan
from kiosk.ui.screens.catalog.state import (
    CatalogProblem,
    CatalogState,
    FacetKind,
    Filters,
    Results,
    ScanNotice,
    ScanProblem,
    band_bounds,
)
from kiosk.ui.task_runner import TaskRunner
from retail_rules.gtin import InvalidGtin, parse_scan

log = logging.getLogger(__name__)

QUERY_TASK: Final = "catalog.query"  # one name: a newer query (a keystroke, a tap) cancels the older one
SCAN_TASK: Final = "catalog.scan"
CATEGORIES_TASK: Final = "catalog.categories"
# Seconds: a key this soon after the previous one (a fast typist, an on-screen keyboard's repeat, a
# paste) waits this long before its search, so a burst runs one search for its last key. A key after
# a pause searches at once: the 50 ms a keystroke may take are not spent waiting.
DEBOUNCE: Final = 0.02
# Seconds the facets wait after the hits: while someone types they are never needed, and counting them
# would keep the one cache-reader thread busy when the next keystroke's search arrives.
FACET_DELAY: Final = 0.15
FIRST_WINDOW: Final = 60  # hits read with the count: the first screenful or two, without a second read
MAX_TEXT: Final = 100
MAX_VALUE: Final = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Typed text as a query: control characters dropped, spaces collapsed, length bounded."""
    return " ".join(_CONTROL.sub(" ", text).split())[:MAX_TEXT]


class CatalogPresenter(QObject):
    """Holds the CatalogState. Each intent has a plain method (for the view) and the coroutine behind it."""

    state_changed = Signal(object)  # CatalogState
    product_requested = Signal(str)  # sku: the composition root opens the product page
    handoff_requested = Signal(str)  # a kiosk's handoff code scanned here: the root opens it (associates)

    def __init__(
        self,
        catalog: CatalogService,
        runner: TaskRunner,
        *,
        language: str = "en",
        currency: str = "EUR",
        here: str | None = None,
        debounce: float = DEBOUNCE,
        facet_delay: float = FACET_DELAY,
        opens_handoffs: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._opens_handoffs = opens_handoffs  # an associate device: handoff codes are not product codes
        self._runner = runner
        self._debounce = debounce
        self._facet_delay = facet_delay
        self._serial = 0
        self._typed_at = float("-inf")  # time.monotonic() of the last keystroke
        self._state = CatalogState(language=language, currency=currency, here=here)

    @property
    def state(self) -> CatalogState:
        return self._state

    # -- intents ---------------------------------------------------------------------------------
    def start(self) -> None:
        self._runner.run(CATEGORIES_TASK, self.load_categories(), on_failure=self._on_bug)
        self._runner.run(QUERY_TASK, self.refresh(), on_failure=self._on_bug)

    def type_text(self, text: str) -> None:
        now = time.monotonic()
        burst = now - self._typed_at < self._debounce
        self._typed_at = now
        wait = self._debounce if burst else 0.0
        self._runner.run(QUERY_TASK, self.search_text(text, debounce=wait), on_failure=self._on_bug)

    def choose_category(self, category_id: str | None) -> None:
        self._runner.run(QUERY_TASK, self.select_category(category_id), on_failure=self._on_bug)

    def toggle_facet(self, kind: FacetKind, value: str = "") -> None:
        self._runner.run(QUERY_TASK, self.apply_facet(kind, value), on_failure=self._on_bug)

    def clear_filters(self) -> None:
        self._runner.run(QUERY_TASK, self.reset_filters(), on_failure=self._on_bug)

    def retry(self) -> None:
        self.start()

    def scanned(self, code: str) -> None:
        if self._opens_handoffs and is_handoff_scan(code):
            self.handoff_requested.emit(code)
            return
        self._runner.run(SCAN_TASK, self.look_up_scan(code), on_failure=self._on_bug)

    def open_product(self, sku: str) -> None:
        if sku and len(sku) <= MAX_VALUE:
            self.product_requested.emit(sku)

    def set_language(self, language: str) -> None:
        """The customer switched the language: names of categories and products follow."""
        if language and language != self._state.language:
            self._set(replace(self._state, language=language))
            self.start()

    # -- coroutines behind the intents --------------------------------------------------------------
    async def load_categories(self) -> None:
        language = self._state.language
        try:
            categories = await self._catalog.categories(language)
        except CatalogUnavailable:
            return  # the query beside it reports the problem; the tree stays as it was
        self._set(
            replace(
                self._state,
                categories=categories,
                category_path=_path(categories, self._state.filters.category_id),
            )
        )

    async def search_text(self, text: str, *, debounce: float | None = None) -> None:
        text = clean_text(text)
        self._set(replace(self._state, text=text, scan=None))
        # The debounce sits inside the task, so the next keystroke cancels this one before any read.
        await asyncio.sleep(self._debounce if debounce is None else debounce)
        await self.refresh()

    async def select_category(self, category_id: str | None) -> None:
        if category_id is not None and not any(c.category_id == category_id for c in self._state.categories):
            log.warning("catalog: unknown category %r chosen; ignored", category_id[:MAX_VALUE])
            return
        filters = replace(self._state.filters, category_id=category_id)
        self._set(
            replace(
                self._state,
                filters=filters,
                category_path=_path(self._state.categories, category_id),
                scan=None,
            )
        )
        await self.refresh()

    async def apply_facet(self, kind: FacetKind, value: str = "") -> None:
        filters = self._toggled(self._state.filters, kind, value)
        if filters is None:
            log.warning("catalog: facet %s=%r refused", kind, value[:MAX_VALUE])
            return
        self._set(replace(self._state, filters=filters, scan=None))
        await self.refresh()

    async def reset_filters(self) -> None:
        self._set(replace(self._state, text="", filters=Filters(), category_path=(), scan=None))
        await self.refresh()

    async def refresh(self) -> None:
        """Count and read the first window of the current query, then its facets."""
        query = self.query()
        self._set(replace(self._state, loading=True, problem=None))
        try:
            found = await self._catalog.search(query, 0, FIRST_WINDOW, here=self._state.here)
        except CatalogUnavailable:
            self._set(replace(self._state, loading=False, problem=CatalogProblem.UNAVAILABLE))
            return
        self._serial += 1
        results = Results(query, self._serial, found.total, found.capped, found.hits)
        # The cards first: the facets take longer to count and the person looks at the grid.
        self._set(replace(self._state, results=results, loading=False))
        if self._facet_delay:
            await asyncio.sleep(self._facet_delay)
        try:
            facets = await self._catalog.facets(query, here=self._state.here)
        except CatalogUnavailable:
            return  # the results stand; the facet panel keeps its last counts
        current = self._state.results
        if current is not None and current.serial == results.serial:
            self._set(replace(self._state, results=replace(current, facets=facets)))

    async def look_up_scan(self, raw: str) -> None:
        shown = clean_text(raw)[:40]
        try:
            code = parse_scan(raw)
        except InvalidGtin:
            self._set(replace(self._state, scan=ScanNotice(shown, ScanProblem.NOT_A_PRODUCT_CODE)))
            return
        try:
            sku = await self._catalog.lookup_code(code.gtin13)
        except CatalogUnavailable:
            self._set(replace(self._state, problem=CatalogProblem.UNAVAILABLE))
            return
        if sku is None:
            self._set(replace(self._state, scan=ScanNotice(shown, ScanProblem.UNKNOWN_CODE)))
            return
        self._set(replace(self._state, scan=None))
        self.product_requested.emit(sku)

    async def window(self, query: object, offset: int, limit: int) -> tuple[ProductHit, ...]:
        """Hits ``offset``..``offset+limit`` of ``query``: the grid's loader for the windows it shows."""
        if not isinstance(query, SearchQuery):
            return ()
        return await self._catalog.window(query, offset, limit, here=self._state.here)

    async def elsewhere(self, skus: Sequence[str]) -> frozenset[str]:
        """Of the SKUs on screen, those another location has: the grid's "Available elsewhere" badge."""
        here = self._state.here
        if here is None or not skus:
            return frozenset()
        return await self._catalog.available_elsewhere(skus, here)

    # -- helpers ------------------------------------------------------------------------------------
    def query(self) -> SearchQuery:
        state = self._state
        filters = state.filters
        low, high = band_bounds(filters.price_band)
        return SearchQuery(
            text=state.text,
            category_id=filters.category_id,
            brands=filters.brands,
            price_min=low,
            price_max=high,
            min_rating=float(filters.min_rating) if filters.min_rating is not None else None,
            in_stock_at=state.here if filters.in_stock_here else None,
            currency=state.currency,
            language=state.language,
        )

    def _toggled(self, filters: Filters, kind: FacetKind, value: str) -> Filters | None:
        """The filters with one facet value switched; None when the value is not acceptable."""
        if len(value) > MAX_VALUE:
            return None
        if kind == FacetKind.BRAND:
            if not value.strip():
                return None
            brands = filters.brands ^ {value}
            return replace(filters, brands=frozenset(brands))
        if kind == FacetKind.PRICE_BAND:
            if band_bounds(value) == (None, None):
                return None
            return replace(filters, price_band=None if filters.price_band == value else value)
        if kind == FacetKind.RATING:
            if not (value.isascii() and value.isdigit() and 1 <= int(value) <= 5):
                return None
            stars = int(value)
            return replace(filters, min_rating=None if filters.min_rating == stars else stars)
        if self._state.here is None:  # FacetKind.IN_STOCK_HERE
            return None  # a device without a store has no "here"
        return replace(filters, in_stock_here=not filters.in_stock_here)

    def _on_bug(self, error: BaseException) -> None:
        del error  # the task runner logged it with its traceback
        self._set(replace(self._state, loading=False, problem=CatalogProblem.UNEXPECTED))

    def _set(self, state: CatalogState) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)


def _path(categories: tuple[CategoryNode, ...], category_id: str | None) -> tuple[CategoryNode, ...]:
    """The chain from the root to ``category_id``; guarded against a cycle in cached data."""
    by_id = {c.category_id: c for c in categories}
    path: list[CategoryNode] = []
    current = by_id.get(category_id) if category_id is not None else None
    while current is not None and current not in path:
        path.append(current)
        current = by_id.get(current.parent_id) if current.parent_id is not None else None
    return tuple(reversed(path))
