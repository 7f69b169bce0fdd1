"""The catalog screen widget: search field, category tree, facets, and the grid of product cards."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import override

from PySide6.QtCore import QEvent, QModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QPainter, QPaintEvent, QRegion, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from kiosk.services.catalog import CategoryNode, FacetCount, Facets
from kiosk.ui.formatting import display_locale
from kiosk.ui.models.category_tree_model import CATEGORY_ID_ROLE, CategoryTreeModel
from kiosk.ui.models.product_card_delegate import CARD_SIZE, CardImages, ProductCardDelegate
from kiosk.ui.models.product_grid_model import CardFormatter, ElsewhereLoader, HitLoader, ProductGridModel
from kiosk.ui.screen_view import ScreenView
from kiosk.ui.screens.catalog.state import CatalogProblem, CatalogState, FacetKind, ScanProblem, band_bounds
from kiosk.ui.widgets.kinetic import enable_kinetic_scrolling
from kiosk.ui.widgets.labels import plain_label
from kiosk.ui.widgets.scanner_wedge import ScannerWedge, WedgeTiming
from kiosk.ui.widgets.touch_button import TOUCH_MIN, TouchButton

VALUE_ROLE = int(Qt.ItemDataRole.UserRole) + 1
SIDE_PANEL_WIDTH = 300
# The filter lists' least height: two rows a finger can hit. With the on-screen keyboard up the panel
# is shorter than its controls; it scrolls then instead of squeezing them below a touch target.
FILTER_LIST_MIN = 2 * TOUCH_MIN
AHEAD_SLICE = 0.003  # seconds of drawing cards ahead per turn of the event loop: input waits no longer
# Seconds the first frame of new results or of a new width may spend drawing new cards: nothing moves
# then, and a screenful drawn in one frame (16 ms at 60 Hz) beats one completed over several.
SETTLE_BUDGET = 0.012
RATING_STEPS = (4, 3, 2)


async def _no_hits(key: object, offset: int, limit: int) -> tuple[()]:
    del key, offset, limit
    return ()


class ProductGrid(QTableView):
    """A table of same-size cards: fixed sections, so a million rows need no per-row layout.

    (QListView in icon mode lays out every item again on a reset or resize: 1.3 s at 1M rows;
    QTableView with fixed sections takes milliseconds.) The number of columns follows the width.
    """

    def __init__(self, model: ProductGridModel, delegate: ProductCardDelegate, parent: QWidget) -> None:
        super().__init__(parent)
        self._grid = model
        self._cards = delegate
        self._deferred: list[tuple[int, int]] = []
        self._last_value = 0
        self._downwards = True  # the way the person last scrolled: cards are drawn ahead that way first
        self._settling = False  # the next frame shows new results or a new width: see SETTLE_BUDGET
        # Cells a frame left as loading are drawn in the next turn of the event loop; when none are
        # left, the rows about to scroll in are drawn into the delegate's cache while nothing happens.
        self._finish = QTimer(self, singleShot=True, interval=0)
        self._finish.timeout.connect(self._finish_deferred)
        self._ahead = QTimer(self, singleShot=True, interval=0)
        self._ahead.timeout.connect(self._draw_ahead)
        self.setModel(model)
        self.setItemDelegate(delegate)
        self.setShowGrid(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Always there, so its appearing never changes the width and with it the number of columns.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        for header, size in (
            (self.horizontalHeader(), CARD_SIZE.width()),
            (self.verticalHeader(), CARD_SIZE.height()),
        ):
            header.hide()
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            header.setMinimumSectionSize(1)
            header.setDefaultSectionSize(size)
        self.verticalScrollBar().valueChanged.connect(self._tell_visible_rows)
        self.verticalScrollBar().valueChanged.connect(self._note_direction)
        model.modelReset.connect(self._settle)
        self._take_background()
        self.setMinimumWidth(CARD_SIZE.width() + self.verticalScrollBar().sizeHint().width())

    def columns_for_width(self) -> int:
        return max(1, self.viewport().width() // CARD_SIZE.width())

    @override
    def hideEvent(self, event: QHideEvent) -> None:
        self.stop()  # another screen is up: nothing of this one is drawn or asked for meanwhile
        super().hideEvent(event)

    @override
    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._take_background()  # a theme switch (high contrast): cards are drawn again on it

    def _take_background(self) -> None:
        viewport = self.viewport()
        self._background = viewport.palette().color(viewport.backgroundRole())
        self._cards.set_background(self._background)
        # On an opaque colour the cards cover their cells, margins included, and paintEvent the rest:
        # Qt need not clear the viewport before each frame.
        opaque = self._background.alpha() == 255
        viewport.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, opaque)

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        self._clear_outside_cells(event.rect())
        self._cards.begin_frame(SETTLE_BUDGET if self._settling else None)
        self._settling = False
        try:
            super().paintEvent(event)
        finally:
            deferred = self._cards.end_frame()
        # Cells left as loading by earlier frames stay listed until a frame paints them whole.
        painted = event.region()
        visible = self.viewport().rect()
        for row, column in self._deferred:
            cell = self.visualRect(self._grid.index(row, column)).intersected(visible)
            if not (QRegion(cell) - painted).isEmpty() and (row, column) not in deferred:
                deferred.append((row, column))
        self._deferred = deferred
        if deferred:
            self._finish.start()
        else:
            self._ahead.start()

    def _settle(self) -> None:
        self._settling = True

    def stop(self) -> None:
        """No more drawing ahead or finishing of cells (drawing ahead may ask for card pictures)."""
        self._finish.stop()
        self._ahead.stop()
        self._deferred = []

    @property
    def deferred_cells(self) -> int:
        """Cells on screen painted as loading for lack of time in their frame; the next frames draw them."""
        return len(self._deferred)

    def _clear_outside_cells(self, dirty: QRect) -> None:
        """The strip right of the last column and the space below the last row: no cell paints them."""
        area = self.viewport().rect()
        right = self.horizontalHeader().length() - self.horizontalOffset()
        bottom = self.verticalHeader().length() - self.verticalOffset()
        strips = [
            QRect(right, 0, area.width() - right, area.height()),
            QRect(0, bottom, right, area.height() - bottom),
        ]
        strips = [strip.intersected(dirty) for strip in strips]
        if any(not strip.isEmpty() for strip in strips):
            painter = QPainter(self.viewport())
            for strip in strips:
                if not strip.isEmpty():
                    painter.fillRect(strip, self._background)
            painter.end()

    def _finish_deferred(self) -> None:
        region = QRegion()
        for row, column in self._deferred:
            region += self.visualRect(self._grid.index(row, column))
        self.viewport().update(region)

    def _note_direction(self, value: int) -> None:
        self._downwards = value >= self._last_value
        self._last_value = value

    def _draw_ahead(self) -> None:
        """Draws the cards of the next screenful (the way of the last scroll) and one row back.

        A slice at a time, so a tap or a scroll waits at most AHEAD_SLICE; a frame then finds those
        cards drawn and only copies them.
        """
        first = self.rowAt(0)
        last = self.rowAt(self.viewport().height() - 1)
        if first < 0 or not self.isVisible():
            return
        if last < 0:
            last = self._grid.rowCount() - 1
        columns = self._grid.columnCount()
        # Never more than the cache holds besides what is on screen: drawing ahead must not evict it.
        spare_rows = max(self._cards.card_capacity // max(columns, 1) - (last - first + 1), 0)
        page = min(last - first + 1, spare_rows)
        below = range(last + 1, last + 1 + page)
        above = range(first - 1, first - 1 - page, -1)
        ahead, behind = (below, above) if self._downwards else (above, below)
        rows = [*ahead, *behind[:1]]
        dpr = self.viewport().devicePixelRatioF()
        deadline = time.perf_counter() + AHEAD_SLICE
        for row in rows:
            if not 0 <= row < self._grid.rowCount():
                continue
            for column in range(columns):
                index = self._grid.index(row, column)
                card = self._grid.card_at(index)
                if card is None:
                    continue
                if self._cards.prepare(card, self.visualRect(index).size(), dpr) and (
                    time.perf_counter() > deadline
                ):
                    self._ahead.start()  # the rest in the next turn of the event loop
                    return

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        self._settle()
        super().resizeEvent(event)
        self._grid.set_columns(self.columns_for_width())
        self._tell_visible_rows()

    def _tell_visible_rows(self) -> None:
        first = max(self.rowAt(0), 0)
        last = self.rowAt(self.viewport().height() - 1)
        self._grid.set_visible_rows(first, last if last >= 0 else self._grid.rowCount() - 1)


class CatalogView(ScreenView[CatalogState]):
    """Passive: draws a CatalogState and reports what the person did; owns no rules beyond formatting.

    A barcode scanned anywhere on this screen (whatever has the focus) comes out as ``code_scanned``;
    typing is not affected (see ScannerWedge).
    """

    text_edited = Signal(str)
    category_chosen = Signal(object)  # str | None (all products)
    facet_toggled = Signal(object, str)  # FacetKind, value
    filters_cleared = Signal()
    product_tapped = Signal(str)  # sku
    code_scanned = Signal(str)
    retry_requested = Signal()

    def __init__(
        self,
        loader: HitLoader | None = None,
        images: CardImages | None = None,
        *,
        kinetic: bool = True,
        wedge_timing: WedgeTiming | None = None,
        parent: QWidget | None = None,
    ) -> None:
        self._loader: HitLoader = loader or _no_hits
        self._images = images
        self._kinetic = kinetic
        self._wedge_timing = wedge_timing
        self._shown_serial: int | None = None
        self._shown_category: tuple[str | None, tuple[CategoryNode, ...]] | None = None
        self._shown_facets: tuple[Facets | None, frozenset[str], str | None] | None = None
        super().__init__(CatalogState(), parent)

    # -- building ---------------------------------------------------------------------------------
    @override
    def _setup_ui(self) -> None:
        self.setObjectName("catalogScreen")
        root = QVBoxLayout(self)
        root.setContentsMargins(24, 16, 24, 12)
        root.setSpacing(10)

        top = QHBoxLayout()
        top.setSpacing(16)
        self._search = QLineEdit(self)
        self._search.setObjectName("catalogSearchField")
        self._search.setClearButtonEnabled(True)
        self._search.setMinimumHeight(TOUCH_MIN)
        self._search.setMaxLength(100)
        self._search.textEdited.connect(self.text_edited)
        top.addWidget(self._search, 1)
        self._busy = plain_label("catalogBusy", self)
        top.addWidget(self._busy)
        self._count = plain_label("catalogResultCount", self)
        top.addWidget(self._count)
        root.addLayout(top)

        self._breadcrumb = plain_label("catalogBreadcrumb", self)
        root.addWidget(self._breadcrumb)
        self._scan_notice = plain_label("catalogScanNotice", self, wrap=True)
        self._scan_notice.hide()
        root.addWidget(self._scan_notice)

        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self._build_side_panel())
        self._pages = QStackedWidget(self)
        self._pages.setObjectName("catalogResultPages")
        self._pages.addWidget(self._build_grid())
        self._pages.addWidget(self._build_empty())
        self._pages.addWidget(self._build_error())
        if self._kinetic:
            enable_kinetic_scrolling(self._grid)
        body.addWidget(self._pages, 1)
        root.addLayout(body, 1)

        self._wedge = ScannerWedge(self, self._wedge_timing)
        self._wedge.scanned.connect(self.code_scanned)

    def _build_side_panel(self) -> QWidget:
        scroll = QScrollArea(self)
        scroll.setObjectName("catalogSidePanel")
        scroll.setFixedWidth(SIDE_PANEL_WIDTH)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidgetResizable(True)  # as tall as the screen allows; taller than that, it scrolls
        if self._kinetic:
            enable_kinetic_scrolling(scroll)
        panel = QWidget(scroll)
        panel.setObjectName("catalogFilters")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self._all = TouchButton("catalogAllCategories", variant="secondary", parent=panel)
        self._all.clicked.connect(lambda: self.category_chosen.emit(None))
        layout.addWidget(self._all)
        self._tree_model = CategoryTreeModel(self)
        self._tree = QTreeView(panel)
        self._tree.setObjectName("catalogCategoryTree")
        self._tree.setModel(self._tree_model)
        self._tree.setHeaderHidden(True)
        self._tree.setUniformRowHeights(True)
        self._tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._tree.clicked.connect(self._on_category_clicked)
        self._tree.setMinimumHeight(FILTER_LIST_MIN)
        layout.addWidget(self._tree, 3)

        self._brand_title = plain_label("catalogBrandTitle", panel)
        layout.addWidget(self._brand_title)
        self._brands = self._facet_list("catalogBrandList", panel, FacetKind.BRAND)
        layout.addWidget(self._brands, 2)
        self._price_title = plain_label("catalogPriceTitle", panel)
        layout.addWidget(self._price_title)
        self._prices = self._facet_list("catalogPriceList", panel, FacetKind.PRICE_BAND)
        layout.addWidget(self._prices, 1)
        self._rating_title = plain_label("catalogRatingTitle", panel)
        layout.addWidget(self._rating_title)
        ratings = QHBoxLayout()
        self._ratings: dict[int, TouchButton] = {}
        for stars in RATING_STEPS:
            button = TouchButton(f"catalogRating{stars}", variant="secondary", parent=panel)
            # Three share the panel's width: the theme's 28 px side padding would clip "★ 4+ (123)".
            button.setStyleSheet("padding: 0 4px;")
            button.setCheckable(True)
            button.clicked.connect(lambda _on=False, s=stars: self._toggle(FacetKind.RATING, str(s)))
            self._ratings[stars] = button
            ratings.addWidget(button)
        layout.addLayout(ratings)
        self._in_stock = TouchButton("catalogInStockHere", variant="secondary", parent=panel)
        self._in_stock.setCheckable(True)
        self._in_stock.clicked.connect(lambda: self._toggle(FacetKind.IN_STOCK_HERE, ""))
        layout.addWidget(self._in_stock)
        self._clear = TouchButton("catalogClearFilters", variant="secondary", parent=panel)
        self._clear.clicked.connect(self._on_clear)
        layout.addWidget(self._clear)
        scroll.setWidget(panel)
        return scroll

    def _facet_list(self, object_name: str, parent: QWidget, kind: FacetKind) -> QListWidget:
        facets = QListWidget(parent)
        facets.setObjectName(object_name)
        facets.setUniformItemSizes(True)
        facets.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        facets.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        facets.itemClicked.connect(lambda item: self._toggle(kind, str(item.data(VALUE_ROLE))))
        facets.setMinimumHeight(FILTER_LIST_MIN)
        return facets

    def _build_grid(self) -> QWidget:
        self._grid_model = ProductGridModel(self._loader, parent=self)
        self._delegate = ProductCardDelegate(self, self._images)
        self._grid = ProductGrid(self._grid_model, self._delegate, self)
        self._grid.setObjectName("catalogProductGrid")
        self._grid.clicked.connect(self._on_card_clicked)
        self._grid.activated.connect(self._on_card_clicked)
        if self._images is not None:
            self._images.ready.connect(self._grid_model.image_arrived)
        return self._grid

    def _build_empty(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("catalogEmptyPage")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self._empty_text = plain_label("catalogEmptyText", page, wrap=True)
        self._empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self._empty_text)
        self._empty_clear = TouchButton("catalogEmptyClear", parent=page)
        self._empty_clear.clicked.connect(self._on_clear)
        layout.addWidget(self._empty_clear, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return page

    def _build_error(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("catalogErrorPage")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self._error_text = plain_label("catalogErrorText", page, wrap=True)
        self._error_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self._error_text)
        self._retry = TouchButton("catalogRetry", parent=page)
        self._retry.clicked.connect(self.retry_requested)
        layout.addWidget(self._retry, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return page

    # -- wiring that is not state ---------------------------------------------------------------------
    def set_hit_loader(self, loader: HitLoader, elsewhere: ElsewhereLoader | None = None) -> None:
        """Where the grid reads its windows of hits (the presenter's ``window``) and, for out-of-stock
        cards on screen, whether another location has them (its ``elsewhere``; None: never asked)."""
        self._loader = loader
        self._grid_model.set_loader(loader)
        self._grid_model.set_elsewhere_loader(elsewhere)
        self._shown_serial = None  # a new presenter numbers its results from 1 again

    def shutdown(self) -> None:
        """Stop background reads (windows of hits, pictures): the composition root calls it at exit."""
        self._grid.stop()
        self._grid_model.close()
        if self._images is not None:
            self._images.close()
        self._wedge.uninstall()

    @property
    def grid(self) -> ProductGrid:
        return self._grid

    @property
    def grid_model(self) -> ProductGridModel:
        return self._grid_model

    @property
    def search_field(self) -> QLineEdit:
        return self._search

    @property
    def wedge(self) -> ScannerWedge:
        return self._wedge

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._wedge.install()

    @override
    def hideEvent(self, event: QHideEvent) -> None:
        self._wedge.uninstall()
        super().hideEvent(event)

    # -- texts ------------------------------------------------------------------------------------------
    @override
    def retranslate(self) -> None:
        self._search.setPlaceholderText(self.tr("Search products, brands, codes…"))
        self._search.setAccessibleName(self.tr("Search the catalog"))
        self._all.setText(self.tr("All products"))
        self._all.setAccessibleName(self.tr("Show all categories"))
        self._tree.setAccessibleName(self.tr("Categories"))
        self._brand_title.setText(self.tr("Brand"))
        self._brands.setAccessibleName(self.tr("Filter by brand"))
        self._price_title.setText(self.tr("Price"))
        self._prices.setAccessibleName(self.tr("Filter by price"))
        self._rating_title.setText(self.tr("Rating"))
        for stars, button in self._ratings.items():
            button.setAccessibleName(self.tr("Rated %n stars or more", "", stars))
        self._in_stock.setAccessibleName(self.tr("Only products in stock in this store"))
        self._clear.setText(self.tr("Clear filters"))
        self._clear.setAccessibleName(self.tr("Clear the search and all filters"))
        self._empty_clear.setText(self.tr("Clear filters"))
        self._empty_clear.setAccessibleName(self.tr("Clear the search and all filters"))
        self._retry.setText(self.tr("Try again"))
        self._retry.setAccessibleName(self.tr("Try loading the catalog again"))
        self._grid.setAccessibleName(self.tr("Products"))
        self._shown_facets = None  # facet labels are texts too

    # -- drawing ------------------------------------------------------------------------------------------
    @override
    def _render(self, state: CatalogState) -> None:
        locale = display_locale(state.language)
        results = state.results
        if results is not None and results.serial != self._shown_serial:
            self._shown_serial = results.serial
            self._grid_model.set_results(
                results.query, results.total, results.first, CardFormatter(state.language, state.currency)
            )
            self._grid.scrollToTop()
        if results is None:
            self._count.setText("")
        elif results.capped:
            count = locale.toString(results.total)
            self._count.setText(self.tr("more than {count} results", "", results.total).format(count=count))
        elif results.total == 1:
            self._count.setText(self.tr("1 product"))
        else:
            # The plural form comes from the translation (numerus), the digits from the store's locale.
            count = locale.toString(results.total)
            self._count.setText(self.tr("{count} products", "", results.total).format(count=count))
        self._busy.setText(self.tr("Searching…") if state.loading else "")

        self._tree_model.set_categories(state.categories, locale)
        shown = (state.filters.category_id, state.categories)
        if shown != self._shown_category:
            # Only when the choice changes: the tree is not pulled back while someone scrolls it.
            self._shown_category = shown
            current = self._tree_model.index_of(state.filters.category_id)
            if current.isValid():
                self._tree.setCurrentIndex(current)
                self._tree.scrollTo(current)
            else:
                self._tree.clearSelection()
        crumbs = [self.tr("All products"), *(node.name for node in state.category_path)]
        self._breadcrumb.setText(" › ".join(crumbs))

        self._render_facets(state)
        self._render_scan(state)
        self._clear.setEnabled(state.has_filters)

        if state.problem is not None:
            self._error_text.setText(self._problem_text(state.problem))
            self._pages.setCurrentIndex(2)
        elif state.is_empty:
            self._empty_text.setText(
                self.tr("Nothing matches “{text}”.").format(text=state.text)
                if state.text
                else self.tr("Nothing matches these filters.")
            )
            self._empty_clear.setVisible(state.has_filters)
            self._pages.setCurrentIndex(1)
        else:
            self._pages.setCurrentIndex(0)

    def _render_facets(self, state: CatalogState) -> None:
        facets = state.results.facets if state.results is not None else None
        filters = state.filters
        shown = (facets, filters.brands, filters.price_band)
        if shown != self._shown_facets:
            self._shown_facets = shown
            brands = facets.brands if facets is not None else ()
            self._fill(self._brands, brands, filters.brands)
            formatter = CardFormatter(state.language, state.currency)
            bands = tuple(
                replace(band, label=self._band_label(band.value, formatter) or band.label)
                for band in (facets.price_bands if facets is not None else ())
            )
            self._fill(self._prices, bands, {filters.price_band} if filters.price_band else set())
        counts = {c.value: c.count for c in facets.ratings} if facets is not None else {}
        locale = display_locale(state.language)
        for stars, button in self._ratings.items():
            count = counts.get(str(stars))
            suffix = f" ({locale.toString(count)})" if count is not None else ""
            button.setText(f"★ {stars}+{suffix}")
            button.setChecked(filters.min_rating == stars)
        here = facets.in_stock_here if facets is not None else None
        text = self.tr("In stock here")
        self._in_stock.setText(f"{text} ({locale.toString(here)})" if here is not None else text)
        self._in_stock.setChecked(filters.in_stock_here)
        self._in_stock.setEnabled(state.here is not None)

    def _fill(
        self, widget: QListWidget, counts: tuple[FacetCount, ...], chosen: set[str] | frozenset[str]
    ) -> None:
        widget.clear()
        listed = set()
        rows = [(c.value, f"{c.label} ({c.count})") for c in counts]
        # A chosen value the counts no longer list stays visible, so it can be switched off again.
        rows += [(value, value) for value in sorted(chosen) if value not in {c.value for c in counts}]
        for value, text in rows:
            if value in listed:
                continue
            listed.add(value)
            item = QListWidgetItem(text)
            item.setData(VALUE_ROLE, value)
            item.setSizeHint(QSize(0, TOUCH_MIN))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Checked if value in chosen else Qt.CheckState.Unchecked)
            widget.addItem(item)

    @staticmethod
    def _band_label(value: str, formatter: CardFormatter) -> str:
        """A price band in the store's currency and the customer's language: "250 Kč – 500 Kč"."""
        low, high = band_bounds(value)
        if low is None:
            return ""
        if high is None:
            return f"{formatter.price(low)} +"
        return f"{formatter.price(low)} – {formatter.price(high + 1)}"

    def _render_scan(self, state: CatalogState) -> None:
        notice = state.scan
        if notice is None:
            self._scan_notice.hide()
            return
        if notice.problem == ScanProblem.UNKNOWN_CODE:
            text = self.tr("No product with code {code}.").format(code=notice.code)
        else:
            text = self.tr("“{code}” is not a product barcode. Please scan the code on the product.").format(
                code=notice.code
            )
        self._scan_notice.setText(text)
        self._scan_notice.show()

    def _problem_text(self, problem: CatalogProblem) -> str:
        if problem == CatalogProblem.UNAVAILABLE:
            return self.tr(
                "The catalog on this device cannot be read right now. Please try again in a moment."
            )
        return self.tr("Something unexpected happened. The details are in the log.")

    # -- what the person did --------------------------------------------------------------------------------
    def _toggle(self, kind: FacetKind, value: str) -> None:
        self.facet_toggled.emit(kind, value)

    def _on_category_clicked(self, index: QModelIndex) -> None:
        category_id = index.data(CATEGORY_ID_ROLE)
        if isinstance(category_id, str):
            self.category_chosen.emit(category_id)

    def _on_card_clicked(self, index: QModelIndex) -> None:
        card = self._grid_model.card_at(index)
        if card is not None:
            self.product_tapped.emit(card.sku)

    def _on_clear(self) -> None:
        # The field is the person's; the view clears it here rather than overwrite it from a state.
        self._search.clear()
        self.filters_cleared.emit()

    @override
    def sizeHint(self) -> QSize:
        return QSize(SIDE_PANEL_WIDTH + 4 * CARD_SIZE.width() + 80, 2 * CARD_SIZE.height() + 160)
