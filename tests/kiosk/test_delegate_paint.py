"""Regression guard: paint 10,000 product cards onto a QImage and check each one really drew.

PySide6 6.12 on Python 3.11 aborted with "none_dealloc" after thousands of setPen/save/restore
calls in a delegate's paint(); this test paints enough cells to hit that again if it comes back.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem
from pytestqt.modeltest import ModelTester

from kiosk.ui.models.product_card_delegate import (
    BADGE_COLOURS,
    CARD_SIZE,
    MARGIN,
    PADDING,
    ProductCardDelegate,
)
from kiosk.ui.models.product_card_model import ProductCard, ProductCardModel
from kiosk.ui.models.product_roles import Availability, ProductRole
from kiosk.ui.widgets.star_rating import STAR_ON

COLUMNS = 10
ROWS = 5
CELLS = 10_000
SENTINEL = QColor("#ff00ff")
AVAILABILITIES = list(Availability)


def cards(count: int) -> list[ProductCard]:
    names = [
        "Dubová jídelní židle s područkami a čalouněným sedákem",
        "Lampa",
        "Krzesło biurowe ergonomiczne z regulacją wysokości",
        "Маса за хранене от масивна дървесина",
    ]
    return [
        ProductCard(
            sku=f"SKU-{i:05d}",
            name=names[i % len(names)],
            brand=["Nordhus", "Acme", "Dřevák", "Sofia Home"][i % 4],
            price_text=f"{1000 + i * 7:,} Kč".replace(",", "\xa0"),
            rating=1.0 + (i % 9) * 0.5,  # 1.0 .. 5.0: the first star is always lit
            rating_count=i % 300,
            availability=AVAILABILITIES[i % len(AVAILABILITIES)],
            image_hue=(i * 37 % 360) / 360,
        )
        for i in range(count)
    ]


def test_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = ProductCardModel()
    model.set_cards(cards(20))
    qtmodeltester.check(model)
    assert model.rowCount() == 20
    assert model.index(3, 0).data(ProductRole.SKU) == "SKU-00003"
    assert model.index(3, 0).data(ProductRole.AVAILABILITY) == AVAILABILITIES[3].value
    assert model.index(3, 0).data(Qt.ItemDataRole.AccessibleTextRole).startswith(cards(4)[3].name)
    assert model.roleNames()[int(ProductRole.PRICE_TEXT)] == b"price_text"


def test_paint_ten_thousand_cards(qapp: QApplication) -> None:
    model = ProductCardModel()
    slots = COLUMNS * ROWS
    model.set_cards(cards(slots))
    delegate = ProductCardDelegate()
    width, height = CARD_SIZE.width(), CARD_SIZE.height()
    image = QImage(COLUMNS * width, ROWS * height, QImage.Format.Format_ARGB32_Premultiplied)
    option = QStyleOptionViewItem()
    painted = 0
    passes = CELLS // slots
    problems: list[str] = []
    for pass_no in range(passes):
        image.fill(SENTINEL)
        painter = QPainter(image)
        for slot in range(slots):
            option.rect = QRect((slot % COLUMNS) * width, (slot // COLUMNS) * height, width, height)
            delegate.paint(painter, option, model.index(slot, 0))
            painted += 1
        painter.end()
        # Check every card of the first and last pass closely, and a few of the others.
        check = range(slots) if pass_no in (0, passes - 1) else range(pass_no % 7, slots, 7)
        for slot in check:
            problems += card_problems(image, slot, model.card(slot))
    assert painted == CELLS
    assert problems == []


def card_problems(image: QImage, slot: int, card: ProductCard) -> list[str]:
    left = (slot % COLUMNS) * CARD_SIZE.width()
    top = (slot // COLUMNS) * CARD_SIZE.height()
    inner_top = top + MARGIN
    image_height = (CARD_SIZE.height() - 2 * MARGIN) * 0.5
    found: list[str] = []

    def colour(x: float, y: float) -> QColor:
        return image.pixelColor(QPoint(round(x), round(y)))

    if colour(left + 1, top + 1) != SENTINEL:
        found.append(f"card {slot}: painted outside its margin")
    placeholder = colour(left + CARD_SIZE.width() - MARGIN - 20, inner_top + image_height - 8)
    if placeholder in (SENTINEL, QColor("white")):
        found.append(f"card {slot}: no placeholder image ({placeholder.name()})")
    below_image = colour(left + CARD_SIZE.width() - MARGIN - 6, inner_top + image_height + 6)
    if below_image != QColor("white"):
        found.append(f"card {slot}: card body is not white ({below_image.name()})")
    # The first star's centre: lit, since every rating here is at least 1.
    inner_bottom = top + CARD_SIZE.height() - MARGIN - PADDING
    star = colour(left + MARGIN + PADDING + 8, inner_bottom - 52 + 8)
    if abs(star.hue() - STAR_ON.hue()) > 8 or star.saturation() < 150:
        found.append(f"card {slot}: first star not lit ({star.name()})")
    # Inside the badge pill, left of its text: the badge's own background colour, or no badge at all.
    badge = colour(left + MARGIN + 10 + 5, inner_top + 10 + 12)
    expected = BADGE_COLOURS.get(card.availability)
    if expected is not None and badge != expected[0]:
        found.append(f"card {slot}: {card.availability} badge missing ({badge.name()})")
    if expected is None and badge in [background for background, _ in BADGE_COLOURS.values()]:
        found.append(f"card {slot}: badge drawn for {card.availability}")
    # Some dark text (the name) in the text area.
    dark = any(
        colour(x, y).lightness() < 110
        for x in range(left + MARGIN + PADDING, left + CARD_SIZE.width() - MARGIN - PADDING, 3)
        for y in range(round(inner_top + image_height + 30), round(inner_top + image_height + 50), 3)
    )
    if not dark:
        found.append(f"card {slot}: no name text")
    return found
