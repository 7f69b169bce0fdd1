"""The product page's presenter: open a product, pick variants and images, browse reviews, follow stock."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.services.product import ProductService, ReviewQuery
from kiosk.ui.screens.product.state import (
    MAX_QUANTITY,
    STALE_AFTER,
    ProductPhase,
    ProductState,
    freshness,
)
from kiosk.ui.task_runner import TaskRunner
from offline_cache.product_view import REVIEW_SORTS, STARS, ReviewSort, parse_time

log = logging.getLogger(__name__)

LOAD_TASK = "product.load"
DETAIL_TASK = "product.detail"
REVIEWS_TASK = "product.reviews"
STOCK_TASK = "product.stock"
IMAGE_TASK = "product.image:"
FRESHNESS_TICK_MS = 5000  # "last known" appears at most this long after the figures turn 60 s old

type ImageLoader = Callable[[str], Awaitable[bytes | None]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ProductPresenter(QObject):
    """Holds the ProductState. Each intent is a plain method for the view plus the coroutine behind it."""

    state_changed = Signal(object)  # ProductState
    add_to_bag_requested = Signal(str, int)  # sku, quantity: the bag (another screen's) takes it from here
    back_requested = Signal()
    image_ready = Signal(str, object)  # path, encoded image bytes: for the gallery

    def __init__(
        self,
        service: ProductService,
        runner: TaskRunner,
        *,
        language: str,
        currency: str,
        images: ImageLoader | None = None,
        clock: Callable[[], datetime] = _utc_now,
        stale_after: timedelta = STALE_AFTER,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._images = images
        self._clock = clock
        self._stale_after = stale_after
        self._image_tasks: set[str] = set()
        self._state = ProductState(language=language, currency=currency)
        # Staleness comes from time passing, not from an event: re-check it while a page is open.
        self._ticker = QTimer(self)
        self._ticker.setInterval(FRESHNESS_TICK_MS)
        self._ticker.timeout.connect(self.reevaluate_freshness)

    @property
    def state(self) -> ProductState:
        return self._state

    @property
    def ticker(self) -> QTimer:
        return self._ticker

    # -- intents ---------------------------------------------------------------------------------------
    def open(self, sku: str) -> None:
        for name in self._image_tasks:
            self._runner.cancel(name)
        self._image_tasks.clear()
        self._ticker.start()
        # LOADING now, not when the load task first runs: until then the page must not offer to add the
        # product it showed before to the bag (a tap landing in that gap would take the wrong product).
        self._set(replace(self._state, phase=ProductPhase.LOADING, sku=sku, review_query=ReviewQuery()))
        self._runner.run(LOAD_TASK, self.load(sku), on_failure=self._on_load_bug)

    def choose_variant(self, sku: str) -> None:
        detail = self._state.detail
        if detail is not None and sku != detail.sku and any(v.sku == sku for v in detail.variants):
            self.open(sku)

    def retry(self) -> None:
        if self._state.sku is not None:
            self.open(self._state.sku)

    def back(self) -> None:
        self._ticker.stop()
        for name in (LOAD_TASK, DETAIL_TASK, REVIEWS_TASK, STOCK_TASK, *self._image_tasks):
            self._runner.cancel(name)
        self._image_tasks.clear()
        self.back_requested.emit()

    def select_image(self, index: int) -> None:
        detail = self._state.detail
        if detail is not None and 0 <= index < len(detail.images):
            self._set(replace(self._state, image_index=index))

    def set_quantity(self, quantity: int) -> None:
        self._set(replace(self._state, quantity=min(max(quantity, 1), MAX_QUANTITY)))

    def add_to_bag(self, sku: str, quantity: int) -> None:
        """Hands the line to the bag: only the product on screen, when it can be sold, in a sane quantity."""
        if (
            self._state.can_add_to_bag
            and self._state.detail is not None
            and sku == self._state.detail.sku
            and 1 <= quantity <= MAX_QUANTITY
        ):
            self.add_to_bag_requested.emit(sku, quantity)
        else:
            log.warning(
                "add to bag refused: %r x %r (not the product on screen, or not for sale)", sku, quantity
            )

    def sort_reviews(self, order: str) -> None:
        sort = review_sort(order)
        if sort is not None:
            self._query(replace(self._state.review_query, sort=sort, offset=0))

    def filter_stars(self, stars: int) -> None:
        """Toggles one star value in the filter (the histogram's bars)."""
        if stars not in STARS:
            return
        chosen = self._state.review_query.stars ^ {stars}
        self._query(replace(self._state.review_query, stars=chosen, offset=0))

    def clear_star_filter(self) -> None:
        self._query(replace(self._state.review_query, stars=frozenset(), offset=0))

    def filter_language(self, language: str | None) -> None:
        reviews = self._state.reviews
        if language is not None and (reviews is None or language not in dict(reviews.languages)):
            return
        self._query(replace(self._state.review_query, language=language, offset=0))

    def next_page(self) -> None:
        reviews = self._state.reviews
        if reviews is not None and reviews.has_next:
            self._query(replace(self._state.review_query, offset=reviews.offset + reviews.limit))

    def previous_page(self) -> None:
        reviews = self._state.reviews
        if reviews is not None and reviews.has_previous:
            self._query(replace(self._state.review_query, offset=max(0, reviews.offset - reviews.limit)))

    def refresh_stock(self) -> None:
        if self._state.phase == ProductPhase.READY:
            self._runner.run(STOCK_TASK, self.reload_stock())

    def set_language(self, language: str) -> None:
        """The customer switched the kiosk's language: names and descriptions follow."""
        if language == self._state.language:
            return
        self._set(replace(self._state, language=language))
        if self._state.phase == ProductPhase.READY:
            self._runner.run(DETAIL_TASK, self.reload_detail())

    def want_image(self, path: str) -> None:
        """The gallery needs an image: load it through the injected loader and send it back."""
        detail = self._state.detail
        if self._images is None or detail is None or path not in detail.images:
            return
        name = IMAGE_TASK + path
        if not self._runner.is_running(name):
            self._image_tasks.add(name)
            self._runner.run(name, self.load_image(path))

    # -- notifications from the sync engine ---------------------------------------------------------------
    def on_cache_changed(self, streams: Iterable[str]) -> None:
        """Pulled pages landed in the cache: re-read just the parts of the page they touch."""
        if self._state.phase != ProductPhase.READY:
            return
        changed = frozenset(streams)
        if any(stream.startswith("stock:") for stream in changed):
            self._runner.run(STOCK_TASK, self.reload_stock())
        if "catalog" in changed:
            self._runner.run(DETAIL_TASK, self.reload_detail())
        if "reviews" in changed:
            self._runner.run(REVIEWS_TASK, self.load_reviews(self._state.review_query))

    def on_connectivity(self, online: bool, last_sync_iso: str | None) -> None:
        """Whether the sync engine reaches the central system, and when a sync last completed.

        ``last_sync_iso`` confirms every stock figure up to that time (a full pull round, or the
        event stream saying nothing changed); a time that cannot be read changes nothing.
        """
        last_sync = parse_time(last_sync_iso) if last_sync_iso is not None else None
        if last_sync_iso is not None and last_sync is None:
            log.warning("ignoring an unreadable last sync time %r", last_sync_iso)
        newer = last_sync if last_sync is not None and self._is_newer(last_sync) else self._state.last_sync
        self._set(replace(self._state, online=online, last_sync=newer))

    def reevaluate_freshness(self) -> None:
        self._set(self._state)

    # -- the coroutines behind the intents ---------------------------------------------------------------
    async def load(self, sku: str) -> None:
        query = ReviewQuery()
        # What is on screen stays until the new product is read (a few ms from the cache): switching
        # variants must not blank the page. Adding to the bag waits for READY, so it never takes the
        # old product by mistake.
        self._set(replace(self._state, phase=ProductPhase.LOADING, sku=sku, review_query=query))
        page = await self._service.page(sku, self._state.language, self._state.currency, query)
        if self._state.sku != sku:
            return
        if page is None:
            self._set(replace(self._state, phase=ProductPhase.NOT_FOUND, detail=None, reviews=None, stock=()))
            return
        self._set(
            replace(
                self._state,
                phase=ProductPhase.READY,
                detail=page.detail,
                reviews=page.reviews,
                stock=page.stock,
                image_index=0,
                quantity=1,
            )
        )

    async def load_reviews(self, query: ReviewQuery) -> None:
        sku = self._state.sku
        if sku is None or self._state.phase != ProductPhase.READY:
            return
        page = await self._service.reviews(sku, query)
        if self._state.sku == sku and self._state.review_query == query:
            self._set(replace(self._state, reviews=page))

    async def reload_stock(self) -> None:
        sku = self._state.sku
        if sku is None:
            return
        stock = await self._service.stock(sku)
        if self._state.sku == sku and self._state.phase == ProductPhase.READY:
            self._set(replace(self._state, stock=stock))

    async def reload_detail(self) -> None:
        sku, language = self._state.sku, self._state.language
        if sku is None:
            return
        detail = await self._service.detail(sku, language, self._state.currency)
        if self._state.sku != sku or self._state.language != language:
            return
        if detail is None:
            # Deleted from the catalog while on screen: say so rather than show a product we cannot sell.
            self._set(replace(self._state, phase=ProductPhase.NOT_FOUND, detail=None))
            return
        index = self._state.image_index if self._state.image_index < len(detail.images) else 0
        self._set(replace(self._state, detail=detail, image_index=index))

    async def load_image(self, path: str) -> None:
        if self._images is None:
            return
        try:
            data = await self._images(path)
        finally:
            self._image_tasks.discard(IMAGE_TASK + path)
        if data:
            self.image_ready.emit(path, data)

    # -- helpers -------------------------------------------------------------------------------------------
    def _query(self, query: ReviewQuery) -> None:
        if self._state.phase != ProductPhase.READY or query == self._state.review_query:
            return
        # Shown as chosen at once (the sort button lights up); the rows follow when read.
        self._set(replace(self._state, review_query=query))
        self._runner.run(REVIEWS_TASK, self.load_reviews(query))

    def _is_newer(self, when: datetime) -> bool:
        return self._state.last_sync is None or when > self._state.last_sync

    def _on_load_bug(self, error: BaseException) -> None:
        del error  # the task runner logged it with its traceback
        self._set(replace(self._state, phase=ProductPhase.FAILED, detail=None, reviews=None, stock=()))

    def _set(self, state: ProductState) -> None:
        state = replace(state, freshness=freshness(state, self._clock(), self._stale_after))
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)


def review_sort(order: str) -> ReviewSort | None:
    """A sort order from outside text (a saved preference, a test), or None when it is not one."""
    return next((s for s in REVIEW_SORTS if s == order), None)
