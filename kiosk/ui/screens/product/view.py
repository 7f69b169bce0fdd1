"""The product page widget: gallery, name, price, variants, bag controls, stock by location, reviews."""

from __future__ import annotations

from datetime import datetime
from typing import override

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QListView,
    QPushButton,
    QScrollArea,
    QScrollerProperties,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.formatting import display_locale, money
from kiosk.ui.models.review_delegate import ReviewDelegate
from kiosk.ui.models.review_list_model import ReviewListModel
from kiosk.ui.screen_view import ScreenView
from kiosk.ui.screens.product.presenter import ProductPresenter
from kiosk.ui.screens.product.state import MAX_QUANTITY, ProductPhase, ProductState, StockFreshness
from kiosk.ui.widgets.gallery import Gallery
from kiosk.ui.widgets.kinetic import enable_kinetic_scrolling
from kiosk.ui.widgets.labels import plain_label, set_style_property
from kiosk.ui.widgets.star_rating import RatingBar, StarRating
from kiosk.ui.widgets.touch_button import TOUCH_MIN, TouchButton
from offline_cache.product_view import STARS, LocationStock, ReviewSort

_SORTS: tuple[tuple[ReviewSort, str], ...] = (
    ("newest", "productSortNewest"),
    ("highest", "productSortHighest"),
    ("lowest", "productSortLowest"),
)


def _choose(button: QPushButton, chosen: bool) -> None:
    """A chosen chip or segment looks primary, the others secondary (the theme styles both)."""
    set_style_property(button, "variant", "primary" if chosen else "secondary")
    button.setChecked(chosen)


def _chip(object_name: str, parent: QWidget) -> TouchButton:
    chip = TouchButton(object_name, variant="secondary", parent=parent)
    chip.setCheckable(True)
    chip.setProperty("chip", True)  # the theme sizes chips: smaller than other buttons
    chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return chip


def _clear(layout: QHBoxLayout | QVBoxLayout | QGridLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.hide()
            widget.deleteLater()


class ProductView(ScreenView[ProductState]):
    """Passive: draws a ProductState and turns taps into intent signals; no rules beyond formatting."""

    back_clicked = Signal()
    retry_clicked = Signal()
    variant_chosen = Signal(str)
    image_selected = Signal(int)
    image_wanted = Signal(str)
    quantity_changed = Signal(int)
    add_to_bag_clicked = Signal(str, int)
    sort_chosen = Signal(str)
    star_filter_toggled = Signal(int)
    star_filter_cleared = Signal()
    language_chosen = Signal(object)  # a language code, or None for all languages
    next_page_clicked = Signal()
    previous_page_clicked = Signal()

    def __init__(self, initial: ProductState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(initial or ProductState(), parent)

    # -- building ----------------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.setObjectName("productScreen")
        self._variant_chips: dict[str, TouchButton] = {}
        self._language_chips: dict[str, TouchButton] = {}
        # What the rebuilt-per-row parts last drew: a redraw for the quantity or a review page keeps them.
        self._stock_drawn: object = None
        self._specs_drawn: object = None
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        bar = QFrame(self)
        bar.setObjectName("productTopBar")
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(24, 12, 24, 12)
        self._back = TouchButton("productBackButton", variant="secondary", parent=bar)
        self._back.clicked.connect(self.back_clicked)
        bar_layout.addWidget(self._back)
        bar_layout.addStretch(1)
        root.addWidget(bar)

        self._pages = QStackedWidget(self)
        self._pages.setObjectName("productPages")
        self._scroll = QScrollArea(self._pages)
        self._scroll.setObjectName("productScroll")
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(self._build_content())
        scroller = enable_kinetic_scrolling(self._scroll)
        # This page is mostly buttons: a tap must reach them at once, not after the scroller has
        # waited to see whether it becomes a drag (a quick tap could then be lost). A drag that
        # starts on a button still never clicks it: the scroller releases it outside when it takes over.
        properties = scroller.scrollerProperties()
        properties.setScrollMetric(QScrollerProperties.ScrollMetric.MousePressEventDelay, 0.0)
        scroller.setScrollerProperties(properties)
        self._pages.addWidget(self._scroll)
        self._pages.addWidget(self._build_message())
        root.addWidget(self._pages, 1)

    def _build_content(self) -> QWidget:
        page = QWidget()
        page.setObjectName("productContent")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(32, 16, 32, 32)
        layout.setSpacing(24)

        top = QHBoxLayout()
        top.setSpacing(32)
        self._gallery = Gallery("productGallery", page)
        self._gallery.current_changed.connect(self.image_selected)
        self._gallery.image_wanted.connect(self.image_wanted)
        self._gallery.setMinimumWidth(440)
        top.addWidget(self._gallery, 5)
        top.addLayout(self._build_summary(page), 4)
        layout.addLayout(top)

        self._description_title = plain_label("productDescriptionTitle", page)
        self._description = plain_label("productDescription", page, wrap=True)
        self._specs_title = plain_label("productSpecsTitle", page)
        self._specs = QWidget(page)
        self._specs.setObjectName("productSpecs")
        self._specs_grid = QGridLayout(self._specs)
        self._specs_grid.setContentsMargins(0, 0, 0, 0)
        self._specs_grid.setHorizontalSpacing(24)
        self._specs_grid.setVerticalSpacing(8)
        for widget in (self._description_title, self._description, self._specs_title, self._specs):
            layout.addWidget(widget)
        layout.addWidget(self._build_reviews(page))
        layout.addStretch(1)
        return page

    def _build_summary(self, page: QWidget) -> QVBoxLayout:
        info = QVBoxLayout()
        info.setSpacing(10)
        self._brand = plain_label("productBrand", page, tone="muted")
        self._name = plain_label("productName", page, wrap=True)
        rating_row = QHBoxLayout()
        self._stars = StarRating("productRatingStars", parent=page)
        self._rating_text = plain_label("productRatingText", page, tone="muted")
        rating_row.addWidget(self._stars)
        rating_row.addWidget(self._rating_text)
        rating_row.addStretch(1)
        self._price = plain_label("productPrice", page)
        self._variants_title = plain_label("productVariantsTitle", page, tone="muted")
        self._variants = QWidget(page)
        self._variants.setObjectName("productVariants")
        self._variants_row = QHBoxLayout(self._variants)
        self._variants_row.setContentsMargins(0, 0, 0, 0)
        self._variants_row.setSpacing(8)

        buy = QHBoxLayout()
        buy.setSpacing(8)
        self._decrease = TouchButton("productQuantityDecrease", variant="secondary", parent=page)
        self._decrease.setText("−")
        self._decrease.clicked.connect(lambda: self.quantity_changed.emit(self._state.quantity - 1))
        self._quantity = plain_label("productQuantity", page)
        self._quantity.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._quantity.setMinimumWidth(TOUCH_MIN)
        self._increase = TouchButton("productQuantityIncrease", variant="secondary", parent=page)
        self._increase.setText("+")
        self._increase.clicked.connect(lambda: self.quantity_changed.emit(self._state.quantity + 1))
        self._add = TouchButton("productAddToBagButton", parent=page)
        self._add.clicked.connect(self._on_add)
        for widget in (self._decrease, self._quantity, self._increase):
            buy.addWidget(widget)
        buy.addWidget(self._add, 1)

        stock = QFrame(page)
        stock.setObjectName("productStockCard")
        stock_layout = QVBoxLayout(stock)
        stock_layout.setContentsMargins(18, 14, 18, 14)
        stock_layout.setSpacing(8)
        self._stock_title = plain_label("productStockTitle", stock)
        self._freshness = plain_label("productStockFreshness", stock, wrap=True)
        self._stock_rows = QWidget(stock)
        self._stock_rows.setObjectName("productStockList")
        self._stock_grid = QGridLayout(self._stock_rows)
        self._stock_grid.setContentsMargins(0, 0, 0, 0)
        self._stock_grid.setHorizontalSpacing(16)
        self._stock_grid.setVerticalSpacing(2)
        self._stock_grid.setColumnStretch(0, 1)
        stock_layout.addWidget(self._stock_title)
        stock_layout.addWidget(self._freshness)
        stock_layout.addWidget(self._stock_rows)

        for widget in (self._brand, self._name):
            info.addWidget(widget)
        info.addLayout(rating_row)
        info.addWidget(self._price)
        info.addWidget(self._variants_title)
        info.addWidget(self._variants)
        info.addLayout(buy)
        info.addWidget(stock)
        info.addStretch(1)
        return info

    def _build_reviews(self, page: QWidget) -> QWidget:
        section = QWidget(page)
        section.setObjectName("productReviews")
        layout = QVBoxLayout(section)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        self._reviews_title = plain_label("productReviewsTitle", section)
        layout.addWidget(self._reviews_title)

        summary = QHBoxLayout()
        summary.setSpacing(32)
        overall = QVBoxLayout()
        self._average = plain_label("productReviewAverage", section)
        self._average_stars = StarRating("productReviewStars", parent=section)
        self._review_count = plain_label("productReviewCount", section, tone="muted")
        for widget in (self._average, self._average_stars, self._review_count):
            overall.addWidget(widget)
        overall.addStretch(1)
        summary.addLayout(overall)
        bars = QVBoxLayout()
        bars.setSpacing(0)
        self._bars: dict[int, RatingBar] = {}
        for stars in STARS:
            bar = RatingBar(f"productStarFilter{stars}", stars, section)
            bar.clicked.connect(lambda _checked=False, s=stars: self.star_filter_toggled.emit(s))
            self._bars[stars] = bar
            bars.addWidget(bar)
        self._clear_stars = TouchButton("productStarFilterClear", variant="secondary", parent=section)
        self._clear_stars.clicked.connect(self.star_filter_cleared)
        bars.addWidget(self._clear_stars, 0, Qt.AlignmentFlag.AlignLeft)
        summary.addLayout(bars, 1)
        layout.addLayout(summary)

        sorts = QHBoxLayout()
        sorts.setSpacing(8)
        self._sort_caption = plain_label("productSortCaption", section, tone="muted")
        sorts.addWidget(self._sort_caption)
        self._sort_buttons: dict[ReviewSort, TouchButton] = {}
        for sort, name in _SORTS:
            button = _chip(name, section)
            button.clicked.connect(lambda _checked=False, s=sort: self.sort_chosen.emit(s))
            self._sort_buttons[sort] = button
            sorts.addWidget(button)
        sorts.addStretch(1)
        layout.addLayout(sorts)

        languages = QWidget(section)
        languages.setObjectName("productReviewLanguages")
        self._languages = languages
        self._languages_row = QHBoxLayout(languages)
        self._languages_row.setContentsMargins(0, 0, 0, 0)
        self._languages_row.setSpacing(8)
        self._language_caption = plain_label("productLanguageCaption", languages, tone="muted")
        self._all_languages = _chip("productReviewLanguageAll", languages)
        self._all_languages.clicked.connect(lambda: self.language_chosen.emit(None))
        self._languages_row.addWidget(self._language_caption)
        self._languages_row.addWidget(self._all_languages)
        self._languages_row.addStretch(1)
        layout.addWidget(languages)

        self._review_model = ReviewListModel(self)
        self._review_list = QListView(section)
        self._review_list.setObjectName("productReviewList")
        self._review_list.setModel(self._review_model)
        self._review_list.setItemDelegate(
            ReviewDelegate(lambda: self._review_list.viewport().width(), self._review_list)
        )
        self._review_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self._review_list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._review_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._review_list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._review_list.setResizeMode(QListView.ResizeMode.Adjust)
        self._review_list.setFrameShape(QFrame.Shape.NoFrame)
        # The page scrolls, not the list: it is as tall as its twenty rows.
        self._review_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._review_list.viewport().installEventFilter(self)
        layout.addWidget(self._review_list)
        self._reviews_empty = plain_label("productReviewsEmpty", section, wrap=True, tone="muted")
        layout.addWidget(self._reviews_empty)

        pager = QHBoxLayout()
        self._previous_page = TouchButton("productReviewsPrevious", variant="secondary", parent=section)
        self._previous_page.clicked.connect(self.previous_page_clicked)
        self._page_range = plain_label("productReviewsRange", section)
        self._page_range.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._next_page = TouchButton("productReviewsNext", variant="secondary", parent=section)
        self._next_page.clicked.connect(self.next_page_clicked)
        pager.addWidget(self._previous_page)
        pager.addWidget(self._page_range, 1)
        pager.addWidget(self._next_page)
        layout.addLayout(pager)
        return section

    def _build_message(self) -> QWidget:
        page = QWidget(self._pages)
        page.setObjectName("productMessagePage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.addStretch(1)
        self._message_title = plain_label("productMessageTitle", page, wrap=True)
        self._message_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message_text = plain_label("productMessageText", page, wrap=True)
        self._message_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._retry = TouchButton("productRetryButton", parent=page)
        self._retry.clicked.connect(self.retry_clicked)
        layout.addWidget(self._message_title)
        layout.addWidget(self._message_text)
        layout.addWidget(self._retry, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return page

    # -- texts -----------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self._stock_drawn = self._specs_drawn = None  # their texts are translated too: draw them again
        texts: tuple[tuple[QPushButton, str, str], ...] = (
            (self._back, self.tr("‹ Back"), self.tr("Back")),
            (self._retry, self.tr("Try again"), self.tr("Try again")),
            (self._decrease, "−", self.tr("One fewer")),
            (self._increase, "+", self.tr("One more")),
            (self._add, self.tr("Add to bag"), self.tr("Add to bag")),
            (self._clear_stars, self.tr("Show all ratings"), self.tr("Show all ratings")),
            (self._sort_buttons["newest"], self.tr("Newest"), self.tr("Newest reviews first")),
            (self._sort_buttons["highest"], self.tr("Highest rated"), self.tr("Highest rated first")),
            (self._sort_buttons["lowest"], self.tr("Lowest rated"), self.tr("Lowest rated first")),
            (self._all_languages, self.tr("All languages"), self.tr("Reviews in all languages")),
            (self._previous_page, self.tr("‹ Previous"), self.tr("Previous reviews")),
            (self._next_page, self.tr("Next ›"), self.tr("Next reviews")),
        )
        for button, text, accessible in texts:
            button.setText(text)
            button.setAccessibleName(accessible)
        for stars, bar in self._bars.items():
            bar.setAccessibleName(self.tr("Show %n-star reviews", "", stars))
        self._gallery.retranslate()
        self._scroll.setAccessibleName(self.tr("Product details"))
        self._review_list.setAccessibleName(self.tr("Reviews"))
        self._description_title.setText(self.tr("Description"))
        self._specs_title.setText(self.tr("Specifications"))
        self._stock_title.setText(self.tr("Availability"))
        self._variants_title.setText(self.tr("Options"))
        self._reviews_title.setText(self.tr("Customer reviews"))
        self._sort_caption.setText(self.tr("Sort:"))
        self._language_caption.setText(self.tr("Language:"))

    # -- drawing ---------------------------------------------------------------------------------------------
    def set_image_data(self, path: str, data: object) -> None:
        """Slot for the presenter's ``image_ready``."""
        if isinstance(data, bytes):
            self._gallery.set_image_data(path, data)

    def _render(self, state: ProductState) -> None:
        detail = state.detail
        if detail is None:
            self._pages.setCurrentIndex(1)
            self._render_message(state)
            return
        self._pages.setCurrentIndex(0)
        locale = display_locale(state.language)
        self._gallery.set_images(detail.images, state.image_index)
        self._brand.setText(detail.brand.upper())
        self._name.setText(detail.name)
        self._stars.set_rating(detail.rating.average)
        if detail.rating.count:
            average = locale.toString(detail.rating.average, "f", 1)
            self._rating_text.setText(f"{average} · {self._reviews_text(detail.rating.count)}")
        else:
            self._rating_text.setText(self.tr("No reviews yet"))
        self._stars.setAccessibleDescription(self._rating_text.text())
        self._price.setText(
            money(locale, detail.price_minor, detail.currency)
            if detail.price_minor is not None
            else self.tr("Not sold in this store")
        )
        self._render_variants(state)
        self._quantity.setText(locale.toString(state.quantity))
        self._quantity.setAccessibleName(self.tr("Quantity"))
        self._decrease.setEnabled(state.quantity > 1)
        self._increase.setEnabled(state.quantity < MAX_QUANTITY)
        self._add.setEnabled(state.can_add_to_bag)
        self._render_stock(state, locale)
        self._description.setText(detail.description)
        self._description_title.setVisible(bool(detail.description))
        self._description.setVisible(bool(detail.description))
        self._render_specs(state)
        self._render_reviews(state, locale)

    def _render_message(self, state: ProductState) -> None:
        self._retry.setVisible(state.phase == ProductPhase.FAILED)
        if state.phase == ProductPhase.NOT_FOUND:
            self._message_title.setText(self.tr("This product is not in the catalog"))
            self._message_text.setText(
                self.tr("It may have been withdrawn. An associate can help you find something similar.")
            )
        elif state.phase == ProductPhase.FAILED:
            self._message_title.setText(self.tr("The product could not be shown"))
            self._message_text.setText(self.tr("Something unexpected happened. Please try again."))
        else:
            self._message_title.setText(self.tr("Loading the product…"))
            self._message_text.setText("")

    def _render_variants(self, state: ProductState) -> None:
        assert state.detail is not None
        variants = state.detail.variants
        if tuple(self._variant_chips) != tuple(v.sku for v in variants):
            _clear(self._variants_row)
            self._variant_chips = {}
            for variant in variants:
                chip = _chip("productVariantChip", self._variants)
                chip.setProperty("sku", variant.sku)
                chip.clicked.connect(lambda _checked=False, s=variant.sku: self.variant_chosen.emit(s))
                self._variant_chips[variant.sku] = chip
                self._variants_row.addWidget(chip)
            self._variants_row.addStretch(1)
        for variant in variants:
            chip = self._variant_chips[variant.sku]
            # A button reads "&" as a shortcut marker; catalog text shows as written.
            shown = variant.label.replace("&", "&&")
            chip.setText(shown if variant.available else self.tr("%1 (sold out)").replace("%1", shown))
            chip.setAccessibleName(
                self.tr("Option %1").replace("%1", variant.label)
                if variant.available
                else self.tr("Option %1, sold out").replace("%1", variant.label)
            )
            _choose(chip, variant.current)
        self._variants_title.setVisible(bool(variants))
        self._variants.setVisible(bool(variants))

    def _render_stock(self, state: ProductState, locale: QLocale) -> None:
        as_of = state.stock_as_of
        when = _time(locale, as_of) if as_of is not None else ""
        if state.freshness == StockFreshness.FRESH:
            text = self.tr("Live stock · as of %1").replace("%1", when)
        elif state.freshness == StockFreshness.STALE:
            text = self.tr("Last known stock · as of %1 · not confirmed in the last minute").replace(
                "%1", when
            )
        elif state.freshness == StockFreshness.OFFLINE:
            text = (
                self.tr("Offline · last known stock as of %1").replace("%1", when)
                if when
                else self.tr("Offline · stock figures may be out of date")
            )
        else:
            text = self.tr("No stock figures yet")
        self._freshness.setText(text)
        set_style_property(self._freshness, "freshness", state.freshness.value)

        drawn = (state.stock, state.last_sync, state.language)
        if drawn == self._stock_drawn:
            return
        self._stock_drawn = drawn
        _clear(self._stock_grid)
        for row, stock in enumerate(state.stock):
            self._stock_row(row, stock, state, locale)

    def _stock_row(self, row: int, stock: LocationStock, state: ProductState, locale: QLocale) -> None:
        parent = self._stock_rows
        name = plain_label("productStockName", parent)
        name.setProperty("here", stock.is_here)  # the theme sets this store's name in bold
        name.setText(self.tr("%1 (this store)").replace("%1", stock.name) if stock.is_here else stock.name)
        where = [stock.city] if stock.city else []
        if stock.kind == "warehouse":
            where.append(self.tr("warehouse"))
        if stock.distance_km is not None and not stock.is_here:
            where.append(_distance(locale, stock.distance_km))
        place = plain_label("productStockPlace", parent, tone="muted")
        place.setText(" · ".join(where))
        if stock.available > 0:
            count = self.tr("%n available", "", stock.available)
        else:
            count = self.tr("Out of stock")
        amount = plain_label("productStockAvailable", parent, tone="ok" if stock.available > 0 else "error")
        amount.setText(count)
        as_of = state.row_as_of(stock)
        when = plain_label("productStockAsOf", parent, tone="muted")
        when.setText(self.tr("as of %1").replace("%1", _time(locale, as_of)) if as_of is not None else "")
        # Two lines per location keep the card narrow: name over place, count over its time.
        amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        when.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._stock_grid.addWidget(name, 2 * row, 0)
        self._stock_grid.addWidget(amount, 2 * row, 1)
        self._stock_grid.addWidget(place, 2 * row + 1, 0)
        self._stock_grid.addWidget(when, 2 * row + 1, 1)

    def _render_specs(self, state: ProductState) -> None:
        assert state.detail is not None
        if state.detail.specs == self._specs_drawn:
            return
        self._specs_drawn = state.detail.specs
        _clear(self._specs_grid)
        for row, (key, value) in enumerate(state.detail.specs):
            name = plain_label("productSpecName", self._specs, tone="muted")
            name.setText(key.replace("_", " ").capitalize())
            text = plain_label("productSpecValue", self._specs, wrap=True)
            text.setText(value)
            self._specs_grid.addWidget(name, row, 0)
            self._specs_grid.addWidget(text, row, 1)
        self._specs_grid.setColumnStretch(1, 1)
        self._specs_title.setVisible(bool(state.detail.specs))

    def _render_reviews(self, state: ProductState, locale: QLocale) -> None:
        assert state.detail is not None
        page = state.reviews
        query = state.review_query
        rating = state.detail.rating
        self._average.setText(locale.toString(rating.average, "f", 1) if rating.count else "–")
        self._average_stars.set_rating(rating.average)
        self._review_count.setText(self._reviews_text(rating.count))
        in_language = sum(page.histogram.values()) if page is not None else 0
        for stars, bar in self._bars.items():
            bar.set_counts(page.histogram.get(stars, 0) if page is not None else 0, in_language)
            bar.setChecked(stars in query.stars)
        self._clear_stars.setVisible(bool(query.stars))
        for sort, button in self._sort_buttons.items():
            _choose(button, sort == query.sort)

        languages = page.languages if page is not None else ()
        if tuple(self._language_chips) != tuple(code for code, _ in languages):
            for chip in self._language_chips.values():
                self._languages_row.removeWidget(chip)
                chip.hide()
                chip.deleteLater()
            self._language_chips = {}
            for position, (code, _count) in enumerate(languages):
                chip = _chip("productReviewLanguageChip", self._languages)
                chip.setProperty("language", code)
                chip.clicked.connect(lambda _checked=False, c=code: self.language_chosen.emit(c))
                self._language_chips[code] = chip
                self._languages_row.insertWidget(2 + position, chip)
        for code, count in languages:
            chip = self._language_chips[code]
            name = _language_name(code)
            chip.setText(f"{name} ({locale.toString(count)})")
            chip.setAccessibleName(self.tr("Reviews in %1").replace("%1", name))
            _choose(chip, query.language == code)
        _choose(self._all_languages, query.language is None)
        self._languages.setVisible(len(languages) > 1 or query.language is not None)

        reviews = page.reviews if page is not None else ()
        self._review_model.set_reviews(reviews, locale)
        self._review_list.setVisible(bool(reviews))
        self._fit_review_list()
        if page is None:
            self._reviews_empty.setText(self.tr("Loading reviews…"))
        elif page.total == 0 and (query.stars or query.language):
            self._reviews_empty.setText(self.tr("No reviews match these filters."))
        else:
            self._reviews_empty.setText(self.tr("No reviews yet."))
        self._reviews_empty.setVisible(not reviews)
        paged = page is not None and (page.has_previous or page.has_next)
        self._previous_page.setVisible(paged)
        self._next_page.setVisible(paged)
        self._page_range.setVisible(paged)
        if page is not None:
            self._previous_page.setEnabled(page.has_previous)
            self._next_page.setEnabled(page.has_next)
            first, last = page.offset + 1, page.offset + len(page.reviews)
            self._page_range.setText(
                self.tr("%1–%2 of %3")
                .replace("%1", locale.toString(first))
                .replace("%2", locale.toString(last))
                .replace("%3", locale.toString(page.total))
            )

    def _fit_review_list(self) -> None:
        rows = self._review_model.rowCount()
        height = sum(max(self._review_list.sizeHintForRow(row), 0) for row in range(rows))
        self._review_list.setFixedHeight(height + 2 * self._review_list.frameWidth())

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._review_list.viewport() and event.type() == QEvent.Type.Resize:
            # Rows wrap to the new width: their heights, and so the list's, change.
            self._review_list.doItemsLayout()
            self._fit_review_list()
        return super().eventFilter(watched, event)

    def _reviews_text(self, count: int) -> str:
        return self.tr("1 review") if count == 1 else self.tr("%n reviews", "", count)

    @override
    def sizeHint(self) -> QSize:
        return QSize(1280, 736)

    def _on_add(self) -> None:
        detail = self._state.detail
        if detail is not None:
            self.add_to_bag_clicked.emit(detail.sku, self._state.quantity)


def connect_product(view: ProductView, presenter: ProductPresenter) -> None:
    """Wire a product view to its presenter: states and images one way, intents the other."""
    presenter.state_changed.connect(view.render_state)
    presenter.image_ready.connect(view.set_image_data)
    view.back_clicked.connect(presenter.back)
    view.retry_clicked.connect(presenter.retry)
    view.variant_chosen.connect(presenter.choose_variant)
    view.image_selected.connect(presenter.select_image)
    view.image_wanted.connect(presenter.want_image)
    view.quantity_changed.connect(presenter.set_quantity)
    view.add_to_bag_clicked.connect(presenter.add_to_bag)
    view.sort_chosen.connect(presenter.sort_reviews)
    view.star_filter_toggled.connect(presenter.filter_stars)
    view.star_filter_cleared.connect(presenter.clear_star_filter)
    view.language_chosen.connect(presenter.filter_language)
    view.next_page_clicked.connect(presenter.next_page)
    view.previous_page_clicked.connect(presenter.previous_page)


def _distance(locale: QLocale, km: float) -> str:
    return f"{locale.toString(km, 'f', 1) if km < 10 else locale.toString(round(km))} km"


def _time(locale: QLocale, when: datetime) -> str:
    """Today's times as 14:02; older ones with their date (the device's time zone)."""
    local = when.astimezone()
    clock = f"{local:%H:%M}"
    if local.date() == datetime.now().astimezone().date():
        return clock
    date = locale.toString(QDate(local.year, local.month, local.day), QLocale.FormatType.ShortFormat)
    return f"{date} {clock}"


def _language_name(code: str) -> str:
    """The language's own name ("čeština", "polski"), as speakers look for it."""
    locale = QLocale(code)
    if locale.language() == QLocale.Language.C:
        return code.upper()
    name = locale.nativeLanguageName()
    return name[:1].upper() + name[1:] if name else code.upper()
