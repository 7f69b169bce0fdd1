"""The start screen widget: store header, catalog at a glance, popular products, and what to do when stuck."""

from __future__ import annotations

import zlib
from typing import override

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QScroller,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.services.enrolment import EnrolmentIssue
from kiosk.services.store_overview import ProductSummary
from kiosk.ui.formatting import display_locale, price
from kiosk.ui.models.product_card_delegate import CARD_SIZE, CardImages, ProductCardDelegate
from kiosk.ui.models.product_card_model import ProductCard, ProductCardModel
from kiosk.ui.models.product_roles import Availability, ProductRole
from kiosk.ui.screen_view import ScreenView
from kiosk.ui.screens.home.state import HomePhase, HomeProblem, HomeState
from kiosk.ui.widgets.labels import plain_label
from kiosk.ui.widgets.touch_button import TOUCH_MIN, TouchButton


class _SearchEntry(QLineEdit):
    """Looks like a search field; a tap (or Enter) opens the catalog's search, where typing happens."""

    tapped = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("homeSearchField")
        self.setReadOnly(True)
        self.setMinimumHeight(TOUCH_MIN)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    @override
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.tapped.emit()
        super().mouseReleaseEvent(event)

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.tapped.emit()
            return
        super().keyPressEvent(event)


class HomeView(ScreenView[HomeState]):
    """Passive: draws a HomeState and forwards taps as signals; owns no rules beyond formatting."""

    retry_requested = Signal()
    browse_requested = Signal()
    search_requested = Signal()
    product_requested = Signal(str)  # sku

    def __init__(self, parent: QWidget | None = None, *, images: CardImages | None = None) -> None:
        # The catalog's picture cache, shared: a product seen on one screen is not fetched again.
        self._images = images
        super().__init__(HomeState(), parent)

    # -- building ---------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.setObjectName("homeScreen")
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        header = QFrame(self)
        header.setObjectName("homeHeader")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(32, 18, 32, 18)
        header_layout.setSpacing(18)
        self._logo = plain_label("homeLogo", header)
        self._logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._logo.setFixedSize(QSize(56, 56))
        header_layout.addWidget(self._logo)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        self._store_name = plain_label("homeStoreName", header)
        self._store_place = plain_label("homeStorePlace", header)
        titles.addWidget(self._store_name)
        titles.addWidget(self._store_place)
        header_layout.addLayout(titles, 1)
        self._mode_tag = plain_label("homeModeTag", header)
        self._mode_tag.setAlignment(Qt.AlignmentFlag.AlignCenter)
        header_layout.addWidget(self._mode_tag, 0, Qt.AlignmentFlag.AlignVCenter)
        root.addWidget(header)

        self._pages = QStackedWidget(self)
        self._pages.setObjectName("homePages")
        self._pages.addWidget(self._build_content())
        self._pages.addWidget(self._build_problem())
        root.addWidget(self._pages, 1)

    def _build_content(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("homeContent")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(32, 28, 32, 20)
        layout.setSpacing(20)

        cards = QHBoxLayout()
        cards.setSpacing(20)
        welcome = QFrame(page)
        welcome.setObjectName("welcomeCard")
        welcome_layout = QVBoxLayout(welcome)
        welcome_layout.setContentsMargins(28, 24, 28, 24)
        welcome_layout.setSpacing(8)
        self._welcome_title = plain_label("welcomeTitle", welcome, wrap=True)
        self._welcome_text = plain_label("welcomeText", welcome, wrap=True)
        welcome_layout.addWidget(self._welcome_title)
        welcome_layout.addWidget(self._welcome_text)
        welcome_layout.addStretch(1)
        cards.addWidget(welcome, 3)

        catalog = QFrame(page)
        catalog.setObjectName("catalogCard")
        catalog_layout = QVBoxLayout(catalog)
        catalog_layout.setContentsMargins(28, 24, 28, 24)
        catalog_layout.setSpacing(4)
        self._catalog_caption = plain_label("catalogCaption", catalog)
        self._catalog_count = plain_label("catalogCount", catalog)
        self._catalog_detail = plain_label("catalogDetail", catalog, wrap=True)
        catalog_layout.addWidget(self._catalog_caption)
        catalog_layout.addWidget(self._catalog_count)
        catalog_layout.addWidget(self._catalog_detail)
        catalog_layout.addStretch(1)
        cards.addWidget(catalog, 2)
        layout.addLayout(cards)

        actions = QHBoxLayout()
        actions.setSpacing(20)
        self._search = _SearchEntry(page)
        self._search.tapped.connect(self.search_requested)
        actions.addWidget(self._search, 3)
        self._browse = TouchButton("homeBrowseButton", parent=page)
        self._browse.clicked.connect(self.browse_requested)
        actions.addWidget(self._browse, 2)
        layout.addLayout(actions)

        self._highlights_title = plain_label("highlightsTitle", page)
        layout.addWidget(self._highlights_title)
        # The product strip and its placeholder share one slot: switching pages never changes the
        # screen's minimum height (showing one before hiding the other would grow the window).
        self._highlights_slot = QStackedWidget(page)
        self._highlights_slot.setObjectName("highlightsSlot")
        self._highlights_slot.setFixedHeight(CARD_SIZE.height() + 4)
        self._highlights_model = ProductCardModel(self)
        self._highlights = QListView(self._highlights_slot)
        self._highlights.setObjectName("homeHighlightsList")
        self._highlights.setModel(self._highlights_model)
        self._highlights.setItemDelegate(ProductCardDelegate(self._highlights, self._images))
        if self._images is not None:
            self._images.ready.connect(self._highlights_model.image_arrived)
        self._highlights.setFlow(QListView.Flow.LeftToRight)
        self._highlights.setWrapping(False)
        self._highlights.setUniformItemSizes(True)
        self._highlights.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._highlights.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._highlights.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._highlights.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self._highlights.setFrameShape(QFrame.Shape.NoFrame)
        self._highlights.clicked.connect(self._on_card_clicked)
        # Finger drags scroll the strip, with momentum, as on a phone.
        QScroller.grabGesture(
            self._highlights.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
        )
        self._highlights_empty = plain_label("highlightsPlaceholder", self._highlights_slot, wrap=True)
        self._highlights_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._highlights_slot.addWidget(self._highlights_empty)
        self._highlights_slot.addWidget(self._highlights)
        layout.addWidget(self._highlights_slot)
        layout.addStretch(1)
        return page

    def _build_problem(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("homeProblemPage")
        outer = QVBoxLayout(page)
        outer.setContentsMargins(32, 32, 32, 32)
        outer.addStretch(1)
        card = QFrame(page)
        card.setObjectName("problemCard")
        card.setMaximumWidth(720)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(36, 32, 36, 32)
        layout.setSpacing(12)
        self._problem_icon = plain_label("problemIcon", card)
        self._problem_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._problem_title = plain_label("problemTitle", card, wrap=True)
        self._problem_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._problem_text = plain_label("problemText", card, wrap=True)
        self._problem_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._retry = TouchButton("homeRetryButton", parent=card)
        self._retry.clicked.connect(self.retry_requested)
        layout.addWidget(self._problem_icon)
        layout.addWidget(self._problem_title)
        layout.addWidget(self._problem_text)
        layout.addSpacing(8)
        layout.addWidget(self._retry, 0, Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        return page

    # -- texts ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self._retry.setText(self.tr("Try again"))
        self._retry.setAccessibleName(self.tr("Try again"))
        self._browse.setText(self.tr("Browse the catalog"))
        self._browse.setAccessibleName(self.tr("Browse the catalog"))
        self._search.setPlaceholderText(self.tr("Search products…"))
        self._search.setAccessibleName(self.tr("Search products"))
        self._highlights.setAccessibleName(self.tr("Popular products"))
        self._highlights_title.setText(self.tr("Popular right now"))
        self._catalog_caption.setText(self.tr("OUR WHOLE RANGE"))

    def _on_card_clicked(self, index: QModelIndex | QPersistentModelIndex) -> None:
        sku = index.data(ProductRole.SKU)
        if isinstance(sku, str) and sku:
            self.product_requested.emit(sku)

    # -- drawing ----------------------------------------------------------------------------
    def _render(self, state: HomeState) -> None:
        store = state.store
        self._logo.setText((store.name[:1] if store else "S").upper())
        self._store_name.setText(store.name if store else self.tr("Store"))
        if store is not None:
            place = " · ".join(part for part in (store.city, store.address) if part)
            self._store_place.setText(place)
        else:
            self._store_place.setText(self._phase_text(state.phase))
        self._mode_tag.setText(self.tr("Self-service") if state.kiosk_mode else self.tr("Associate"))

        self._pages.setCurrentIndex(1 if state.showing_problem else 0)
        if state.showing_problem:
            self._render_problem(state)
        else:
            self._render_content(state)

    def _render_content(self, state: HomeState) -> None:
        if state.kiosk_mode:
            self._welcome_title.setText(
                self.tr("Welcome to {store}").format(store=state.store.name)
                if state.store
                else self.tr("Welcome")
            )
            self._welcome_text.setText(
                self.tr(
                    "Browse everything we sell, also what is not on the shelves here, check stock in "
                    "nearby stores and order to pick up or to your door."
                )
            )
        else:
            self._welcome_title.setText(self.tr("Store tools"))
            self._welcome_text.setText(
                self.tr("Endless-aisle orders, pickups and returns keep working when the network does not.")
            )
        # The search field and the catalog button lead somewhere only once there is a catalog to show.
        self._search.setEnabled(state.can_browse)
        self._browse.setEnabled(state.can_browse)
        if state.catalog is not None and state.can_browse:
            locale = display_locale(state.language)
            products, categories = state.catalog.products, state.catalog.categories
            self._catalog_count.setText(locale.toString(products))
            # Counts as in the catalog's: English has no translation file, so its singular is a message of
            # its own; other counts take their plural form from the translation, their digits from the
            # locale. The word under the big number agrees with the products, the phrase after it with
            # the categories.
            in_categories = (
                self.tr("in 1 category")
                if categories == 1
                else self.tr("in {count} categories", "", categories).format(
                    count=locale.toString(categories)
                )
            )
            detail = (
                self.tr("product {in_categories}")
                if products == 1
                else self.tr("products {in_categories}", "", products)
            )
            self._catalog_detail.setText(detail.format(in_categories=in_categories))
        else:
            self._catalog_count.setText("…")
            self._catalog_detail.setText(self._phase_text(state.phase))
        self._highlights_model.set_cards([self._card(p, state.language) for p in state.popular])
        self._highlights_slot.setCurrentWidget(self._highlights if state.popular else self._highlights_empty)
        self._highlights_empty.setText(self.tr("Popular products appear here once the catalog has loaded."))

    def _render_problem(self, state: HomeState) -> None:
        self._problem_icon.setText("!" if state.phase != HomePhase.WAITING_FOR_CENTRAL else "⟳")
        self._retry.setVisible(state.can_retry)
        if state.phase == HomePhase.WAITING_FOR_CENTRAL:
            self._problem_title.setText(self.tr("Waiting for the central system"))
            self._problem_text.setText(
                self.tr(
                    "The store's central system cannot be reached. This screen continues by itself "
                    "when it is back."
                )
            )
            return
        if state.phase == HomePhase.NEEDS_ENROLMENT:
            self._problem_title.setText(self.tr("This device needs to be enrolled"))
            self._problem_text.setText(self._enrolment_text(state.enrolment_issue))
            return
        self._problem_title.setText(self.tr("Something is not working"))
        self._problem_text.setText(self._problem_text_for(state.problem))

    def _phase_text(self, phase: HomePhase) -> str:
        if phase == HomePhase.STARTING:
            return self.tr("Getting ready…")
        if phase == HomePhase.ENROLLING:
            return self.tr("Connecting this device…")
        if phase == HomePhase.SYNCING:
            return self.tr("Loading the catalog…")
        return ""

    def _enrolment_text(self, issue: EnrolmentIssue | None) -> str:
        if issue == EnrolmentIssue.CREDENTIALS_REFUSED:
            return self.tr(
                "The central system no longer accepts this device's credentials. A store manager needs to "
                "enrol it again with a new enrolment key."
            )
        if issue == EnrolmentIssue.DEVICE_REVOKED:
            return self.tr("This device has been revoked. A store manager can enrol it again with a new key.")
        if issue == EnrolmentIssue.KEY_REFUSED:
            return self.tr("The enrolment key was not accepted: it is unknown, already used or expired.")
        if issue == EnrolmentIssue.ROLE_MISMATCH:
            return self.tr("The enrolment is for a different kind of device (kiosk or associate).")
        if issue == EnrolmentIssue.LOCATION_MISMATCH:
            return self.tr("The enrolment is for a different store than this device is set up for.")
        if issue == EnrolmentIssue.OTHER_CENTRAL:
            return self.tr("This device was enrolled with a different central system.")
        if issue == EnrolmentIssue.DEVICE_FILE_INVALID:
            return self.tr("The device's enrolment file is damaged. Enrol it again with a new key.")
        return self.tr("Start the app with an enrolment key from a store manager (--enrol-key).")

    def _problem_text_for(self, problem: HomeProblem | None) -> str:
        if problem == HomeProblem.DATA_DIR_BUSY:
            return self.tr(
                "Another copy of the app or kiosk-sync is using this data folder. Close it, then try again."
            )
        if problem == HomeProblem.DATA_DIR_UNUSABLE:
            return self.tr("The data folder cannot be used. The log file has the details.")
        if problem == HomeProblem.DEMO_FAILED:
            return self.tr("The demo store server could not start. The log file has the details.")
        if problem == HomeProblem.CENTRAL_FAILED:
            return self.tr("The central system answered with an error. Please try again in a moment.")
        return self.tr("Something unexpected happened. The details are in the log.")

    @staticmethod
    def _card(product: ProductSummary, language: str) -> ProductCard:
        return ProductCard(
            sku=product.sku,
            name=product.name,
            brand=product.brand,
            price_text=price(display_locale(language), product.price_minor, product.currency),
            rating=product.rating_average,
            rating_count=product.rating_count,
            availability=Availability.UNKNOWN,  # stock is not synced yet
            image_hue=(zlib.crc32(product.sku.encode()) % 360) / 360.0,
            image=product.image,
        )
