"""The bag screen widget: the lines, the chosen line's quantity controls, the total, and the handoff code."""

from __future__ import annotations

from typing import override

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.formatting import display_locale, money
from kiosk.ui.models.bag_model import BagModel, BagRole
from kiosk.ui.screen_view import ScreenView
from kiosk.ui.screens.bag.presenter import BagPresenter
from kiosk.ui.screens.bag.state import BagNotice, BagPhase, BagState
from kiosk.ui.widgets.handoff_code import HandoffCodeView
from kiosk.ui.widgets.kinetic import enable_kinetic_scrolling
from kiosk.ui.widgets.labels import plain_label, set_tone
from kiosk.ui.widgets.touch_button import TouchButton

_ERRORS = frozenset(
    {
        BagNotice.UNKNOWN_PRODUCT,
        BagNotice.NOT_SOLD_HERE,
        BagNotice.BAD_QUANTITY,
        BagNotice.OVER_AVAILABLE,
        BagNotice.BAG_FULL,
        BagNotice.NOT_IN_BAG,
        BagNotice.STORAGE,
        BagNotice.DRAFT_DAMAGED,
        BagNotice.EMPTY_HANDOFF,
        BagNotice.OTHER_BAG,
        BagNotice.HANDOFF_DAMAGED,
        BagNotice.HANDOFF_NEWER,
        BagNotice.HANDOFF_UNKNOWN_PRODUCT,
        BagNotice.HANDOFF_USED,
    }
)


class BagView(ScreenView[BagState]):
    """Passive: draws a BagState and turns taps into intent signals."""

    back_clicked = Signal()
    line_selected = Signal(str)
    increase_clicked = Signal()
    decrease_clicked = Signal()
    quantity_typed = Signal(str)
    remove_clicked = Signal()
    empty_clicked = Signal()
    handoff_clicked = Signal()
    handoff_closed = Signal()

    def __init__(self, initial: BagState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(initial or BagState(), parent)

    # -- building ----------------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.setObjectName("bagScreen")
        root = QVBoxLayout(self)
        root.setContentsMargins(32, 16, 32, 24)
        root.setSpacing(16)
        bar = QHBoxLayout()
        self._back = TouchButton("bagBackButton", variant="secondary", parent=self)
        self._back.clicked.connect(self.back_clicked)
        self._title = plain_label("bagTitle", self, wrap=True, pixel_size=28, bold=True)
        bar.addWidget(self._back)
        bar.addWidget(self._title, 1)
        root.addLayout(bar)

        self._pages = QStackedWidget(self)
        self._pages.setObjectName("bagPages")
        self._pages.addWidget(self._build_lines_page())
        self._pages.addWidget(self._build_handoff_page())
        root.addWidget(self._pages, 1)

    def _build_lines_page(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("bagLinesPage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        self._model = BagModel(self)
        self._list = QListView(page)
        self._list.setObjectName("bagList")
        self._list.setModel(self._model)
        self._list.setUniformItemSizes(True)
        self._list.setWordWrap(True)
        self._list.setSpacing(4)
        self._list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        font = QFont(self._list.font())
        font.setPixelSize(18)
        self._list.setFont(font)
        self._list.clicked.connect(self._on_clicked)
        enable_kinetic_scrolling(self._list)
        self._empty = plain_label("bagEmpty", page, wrap=True, pixel_size=20)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self._list, 1)
        layout.addWidget(self._empty, 1)

        controls = QFrame(page)
        controls.setObjectName("bagLineControls")
        row = QHBoxLayout(controls)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        self._selected_name = plain_label("bagSelectedName", controls, wrap=True, bold=True)
        self._decrease = TouchButton("bagDecrease", variant="secondary", parent=controls)
        self._decrease.clicked.connect(self.decrease_clicked)
        self._quantity = QLineEdit(controls)
        self._quantity.setObjectName("bagQuantity")
        self._quantity.setMaxLength(2)
        self._quantity.setFixedWidth(72)
        self._quantity.setMinimumHeight(48)
        self._quantity.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._quantity.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self._quantity.returnPressed.connect(lambda: self.quantity_typed.emit(self._quantity.text()))
        self._increase = TouchButton("bagIncrease", variant="secondary", parent=controls)
        self._increase.clicked.connect(self.increase_clicked)
        self._remove = TouchButton("bagRemove", variant="secondary", parent=controls)
        self._remove.clicked.connect(self.remove_clicked)
        row.addWidget(self._selected_name, 1)
        for widget in (self._decrease, self._quantity, self._increase, self._remove):
            row.addWidget(widget)
        layout.addWidget(controls)
        self._controls = controls

        self._notice = plain_label("bagNotice", page, wrap=True, pixel_size=17)
        layout.addWidget(self._notice)
        footer = QHBoxLayout()
        self._total = plain_label("bagTotal", page, wrap=True, pixel_size=24, bold=True)
        self._empty_bag = TouchButton("bagClearButton", variant="secondary", parent=page)
        self._empty_bag.clicked.connect(self.empty_clicked)
        self._handoff = TouchButton("bagHandoffButton", parent=page)
        self._handoff.clicked.connect(self.handoff_clicked)
        footer.addWidget(self._total, 1)
        footer.addWidget(self._empty_bag)
        footer.addWidget(self._handoff)
        layout.addLayout(footer)
        return page

    def _build_handoff_page(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("bagHandoffPage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        self._handoff_hint = plain_label("bagHandoffHint", page, wrap=True, pixel_size=20)
        self._handoff_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._code = HandoffCodeView(page)
        self._code.barcode_shown_changed.connect(self._show_barcode_note)
        self._barcode_note = plain_label("bagBarcodeNote", page, wrap=True)
        self._barcode_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._close_handoff = TouchButton("bagHandoffClose", variant="secondary", parent=page)
        self._close_handoff.clicked.connect(self.handoff_closed)
        layout.addWidget(self._handoff_hint)
        layout.addWidget(self._code, 1)
        layout.addWidget(self._barcode_note)
        layout.addWidget(self._close_handoff, 0, Qt.AlignmentFlag.AlignHCenter)
        return page

    @property
    def model(self) -> BagModel:
        return self._model

    @property
    def code_view(self) -> HandoffCodeView:
        return self._code

    # -- texts -------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        for button, text, accessible in (
            (self._back, self.tr("‹ Continue shopping"), self.tr("Continue shopping")),
            (self._decrease, "−", self.tr("One fewer")),
            (self._increase, "+", self.tr("One more")),
            (self._remove, self.tr("Remove"), self.tr("Remove this product from the bag")),
            (self._empty_bag, self.tr("Empty the bag"), self.tr("Remove every product from the bag")),
            (self._handoff, self.tr("Hand to an associate"), self.tr("Show a code for an associate")),
            (self._close_handoff, self.tr("Back to the bag"), self.tr("Back to the bag")),
        ):
            button.setText(text)
            button.setAccessibleName(accessible)
        self._title.setText(self.tr("Your bag"))
        self._list.setAccessibleName(self.tr("Products in the bag"))
        self._quantity.setAccessibleName(self.tr("Quantity"))
        self._empty.setText(self.tr("Your bag is empty. Add products from their pages."))
        self._handoff_hint.setText(
            self.tr("Show this code to a store associate. They scan it to take over your bag.")
        )
        self._code.setAccessibleName(self.tr("Handoff code"))
        self._code.qr_label.setAccessibleName(self.tr("QR code of your bag"))
        self._code.barcode_label.setAccessibleName(self.tr("Barcode of your bag"))

    def notice_text(self, state: BagState) -> str:
        limit = state.notice_limit
        texts = {
            BagNotice.NONE: "",
            BagNotice.ADDED: self.tr("Added to your bag."),
            BagNotice.UNKNOWN_PRODUCT: self.tr("This product is not in the catalog on this kiosk."),
            BagNotice.NOT_SOLD_HERE: self.tr("This product is not sold in this store's currency."),
            BagNotice.BAD_QUANTITY: self.tr("Please enter a whole number from 1 to %n.", "", limit or 99),
            BagNotice.OVER_AVAILABLE: (
                self.tr("Sorry, this product is out of stock.")
                if limit == 0
                else self.tr("Only %n available.", "", limit or 0)
            ),
            BagNotice.BAG_FULL: self.tr("The bag is full. Please hand it to an associate first."),
            BagNotice.NOT_IN_BAG: self.tr("That product is no longer in your bag."),
            BagNotice.STORAGE: self.tr(
                "The bag could not be saved, so nothing was changed. Please ask staff."
            ),
            BagNotice.DRAFT_DAMAGED: self.tr("A saved bag could not be read back. Please start a new one."),
            BagNotice.EMPTY_HANDOFF: self.tr("Add a product first: an empty bag has nothing to hand over."),
            BagNotice.HANDOFF_OPENED: self.tr("Opened the customer's bag."),
            BagNotice.OTHER_BAG: self.tr(
                "This bag still holds products. Remove them before opening another customer's bag."
            ),
            BagNotice.HANDOFF_DAMAGED: self.tr("This bag code could not be read. Please scan it again."),
            BagNotice.HANDOFF_NEWER: self.tr(
                "This bag code comes from a newer kiosk app. Please update this device."
            ),
            BagNotice.HANDOFF_UNKNOWN_PRODUCT: self.tr(
                "This bag holds products this device does not know yet. Please try again later."
            ),
            BagNotice.HANDOFF_USED: self.tr("This bag was already ordered on this device."),
            BagNotice.CONFIRM_EMPTY: self.tr("Tap “Empty the bag” again to remove every product."),
        }
        return texts[state.notice]

    # -- drawing -----------------------------------------------------------------------------------------
    def _render(self, state: BagState) -> None:
        snapshot = state.snapshot
        self._model.set_snapshot(snapshot, state.language)
        empty = snapshot.is_empty
        self._list.setVisible(not empty)
        self._empty.setVisible(empty and state.phase == BagPhase.READY)
        item = state.selected_item
        self._controls.setVisible(item is not None)
        if item is not None:
            self._selected_name.setText(item.name)
            if not self._quantity.hasFocus():
                self._quantity.setText(str(item.qty))
            self._decrease.setEnabled(item.qty > 1)
            self._increase.setEnabled(item.qty < item.limit)
            row = self._model.row_of(item.sku)
            selection = self._list.selectionModel()
            if row >= 0 and self._list.currentIndex().row() != row:
                selection.setCurrentIndex(
                    self._model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
        locale = display_locale(state.language)
        if empty:
            self._total.setText("")
        else:
            total = money(locale, snapshot.total_minor, snapshot.currency)
            # As in the catalog's count: English has no translation file, so its singular is a message of
            # its own; other counts take their plural form from the translation, their digits from the locale.
            count = snapshot.count
            items = (
                self.tr("1 item")
                if count == 1
                else self.tr("{count} items", "", count).format(count=locale.toString(count))
            )
            self._total.setText(self.tr("Total: {total} ({items})").format(total=total, items=items))
        self._handoff.setEnabled(state.can_hand_off)
        self._empty_bag.setVisible(state.can_empty)
        self._notice.setText(self.notice_text(state))
        if state.phase == BagPhase.FAILED:
            self._notice.setText(self.tr("The bag could not be shown. Your products are kept; try again."))
        set_tone(self._notice, "error" if state.notice in _ERRORS or state.phase == BagPhase.FAILED else "ok")
        self._code.set_code(state.handoff_code)
        self._show_barcode_note(self._code.barcode_shown)
        self._pages.setCurrentIndex(1 if state.handoff_code else 0)

    def _show_barcode_note(self, barcode_shown: bool) -> None:
        empty = barcode_shown or not self._code.text
        self._barcode_note.setText(
            "" if empty else self.tr("This bag is too large for a barcode: please scan the QR code.")
        )

    def _on_clicked(self, index: QModelIndex) -> None:
        sku = self._model.data(index, BagRole.SKU)
        if isinstance(sku, str):
            self.line_selected.emit(sku)

    @override
    def sizeHint(self) -> QSize:
        return QSize(1280, 736)


def connect_bag(view: BagView, presenter: BagPresenter) -> None:
    """Wire a bag view to its presenter: states one way, intents the other."""
    presenter.state_changed.connect(view.render_state)
    view.back_clicked.connect(presenter.back)
    view.line_selected.connect(presenter.select)
    view.increase_clicked.connect(presenter.increase)
    view.decrease_clicked.connect(presenter.decrease)
    view.quantity_typed.connect(presenter.set_quantity_text)
    view.remove_clicked.connect(presenter.remove_selected)
    view.empty_clicked.connect(presenter.empty_bag)
    view.handoff_clicked.connect(presenter.show_handoff)
    view.handoff_closed.connect(presenter.hide_handoff)
    view.render_state(presenter.state)
