"""Paints a product card (image or placeholder, badge, brand, name, stars, price) from ProductRole item data.

Also owns the decoded card pictures (CardImages): the delegate draws from them and they are cut to
the card's image area once, so painting a card never scales or clips an image.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, override

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QSizeF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QTextLayout,
    QTextLine,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from kiosk.ui.colours import ACCENT, INK, MUTED, RULE, SURFACE
from kiosk.ui.models.product_grid_model import GridCard
from kiosk.ui.models.product_roles import Availability, ProductRole
from kiosk.ui.widgets.star_rating import STAR_COUNT, paint_stars

log = logging.getLogger(__name__)

CARD_SIZE = QSize(232, 318)
MARGIN = 8  # space between cards
PADDING = 14
RADIUS = 14.0
# The picture area inside the card's border: the top half of the card, 1 px in from its outline.
IMAGE_SIZE = QSize(CARD_SIZE.width() - 2 * MARGIN - 2, (CARD_SIZE.height() - 2 * MARGIN) // 2 - 1)
SKELETON = QColor("#eef0f3")
HUE_STEPS = 72  # placeholder colours: 5 degree steps look continuous and keep 72 sprites at most
SPRITE_PAD = 2  # px around a sprite, so an antialiased edge on its border is not cut
# Card tops with their placeholder colours (about 11 MB for the 72), letters, brands, badges, stars.
SPRITE_BYTES = 24 * 1024 * 1024
LETTER_HUES = 24  # the placeholder's letter in 15 degree steps: 26 letters x 24 stay in SPRITE_BYTES
INITIAL_SIZE = QSizeF(80, 80)  # the placeholder's letter
# Whole cards kept drawn: about 110 at 1x (a cell is 295 kB): the screen, the next one drawn ahead, and
# some scrolling back.
CARD_CACHE_BYTES = 32 * 1024 * 1024
# Seconds into a frame's painting after which no more new cards are drawn in it: with Qt's own
# work around the paint (scrolling, the scroll bar), a frame stays within 8 ms.
FRAME_BUDGET = 0.003
STAR_SIZE = 16.0
STAR_GAP = 3.0

BADGE_COLOURS = {
    Availability.IN_STOCK: (QColor("#e3f5ea"), QColor("#146c3a")),
    Availability.LOW_STOCK: (QColor("#fff3d6"), QColor("#8a5a00")),
    Availability.OUT_OF_STOCK: (QColor("#fde4e4"), QColor("#a61b1b")),
    Availability.ELSEWHERE: (QColor("#e6eefc"), QColor("#1d4fa8")),
}


def badge_text(availability: Availability) -> str:
    if availability == Availability.IN_STOCK:
        return QCoreApplication.translate("ProductCardDelegate", "In stock here")
    if availability == Availability.LOW_STOCK:
        return QCoreApplication.translate("ProductCardDelegate", "Only a few left")
    if availability == Availability.OUT_OF_STOCK:
        return QCoreApplication.translate("ProductCardDelegate", "Out of stock")
    if availability == Availability.ELSEWHERE:
        return QCoreApplication.translate("ProductCardDelegate", "Available elsewhere")
    return ""


def _draw_two_lines(painter: QPainter, text: str, font: QFont, at: QPointF, width: int) -> None:
    """``text`` in up to two lines from ``at`` (the first line's top left), wrapped at word boundaries,
    a line that does not fit ending in an ellipsis: names stay readable at card width.

    One QTextLayout shapes the text once and its lines are drawn from it; wrapping by measuring word
    after word, then drawing each line, shaped the name five or six times.
    """
    text = " ".join(text.split())
    layout = QTextLayout(text, font)
    layout.setTextOption(_WORD_WRAP)
    layout.beginLayout()
    lines: list[QTextLine] = []
    top = 0.0
    while len(lines) < 2:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0, top))
        top += line.height()
        lines.append(line)
    layout.endLayout()
    for number, line in enumerate(lines):
        start, length = line.textStart(), line.textLength()
        last = number == len(lines) - 1
        if line.naturalTextWidth() <= width and not (last and start + length < len(text)):
            line.draw(painter, at)
            continue
        # An overlong word, or a third line's worth of words: this line is cut with an ellipsis.
        rest = text[start:].strip() if last else text[start : start + length].strip()
        baseline = QPointF(at.x(), at.y() + line.y() + line.ascent())
        painter.drawText(baseline, QFontMetrics(font).elidedText(rest, Qt.TextElideMode.ElideRight, width))


_WORD_WRAP = QTextOption()
_WORD_WRAP.setWrapMode(QTextOption.WrapMode.WordWrap)


@dataclass(frozen=True, slots=True)
class _CardKey:
    """Everything a drawn card depends on: equal keys give identical pixels."""

    card: GridCard
    width: int
    height: int
    dpr: float
    selected: bool
    picture: int  # QPixmap.cacheKey() of the decoded picture, 0 for the placeholder
    badge: str
    label: str
    background: int  # QColor.rgba() under the margins; 0 leaves them transparent


@dataclass(frozen=True, slots=True, eq=False)
class _Geometry:
    """Where each part of a card goes in its cell, for one cell size: worked out once, not per card."""

    frame: QRectF  # the card's outline, inside the cell's margin
    picture: QPoint
    initial: QPointF
    badge: QPointF
    text_width: int
    brand: QPointF  # the brand line's top left
    name_top: QPointF  # the first line's top left
    stars: QPointF
    label: QPointF
    price: QPointF

    @staticmethod
    def of(
        width: int,
        height: int,
        brand: QFontMetrics,
        small: QFontMetrics,
        price: QFontMetrics,
    ) -> _Geometry:
        frame = QRectF(MARGIN, MARGIN, width - 2 * MARGIN, height - 2 * MARGIN)
        image = QRectF(frame.left(), frame.top(), frame.width(), frame.height() * 0.5)
        inner = frame.adjusted(PADDING, 0, -PADDING, -PADDING)
        centre = image.center()
        brand_top = image.bottom() + 10
        stars_top = inner.bottom() - 30 - 22
        return _Geometry(
            frame=frame,
            picture=QPoint(round(image.left()) + 1, round(image.top()) + 1),
            initial=QPointF(centre.x() - INITIAL_SIZE.width() / 2, centre.y() - INITIAL_SIZE.height() / 2),
            badge=QPointF(image.left() + 10, image.top() + 10),
            text_width=int(inner.width()),
            brand=QPointF(inner.left(), brand_top),
            name_top=QPointF(inner.left(), brand_top + brand.height() + 4),
            stars=QPointF(inner.left(), stars_top),
            # Centred on the stars' row, as AlignVCenter would in a STAR_SIZE + 4 px high box.
            label=QPointF(
                inner.left() + STAR_COUNT * (STAR_SIZE + STAR_GAP) + 4,
                stars_top - 2 + (STAR_SIZE + 4 - small.height()) / 2 + small.ascent(),
            ),
            price=QPointF(inner.left(), inner.bottom() - price.descent()),
        )


def _rating_label(rating: float, count: int) -> str:
    if count:
        return f"{rating:.1f} ({count})"
    return QCoreApplication.translate("ProductCardDelegate", "No reviews")


def _bytes(pixmap: QPixmap) -> int:
    return pixmap.width() * pixmap.height() * 4


def _card_from_roles(index: QModelIndex | QPersistentModelIndex) -> GridCard:
    """A card from the separate roles, for models without ProductRole.CARD (the home screen's)."""
    found = index.data(ProductRole.IMAGE_PATH)
    return GridCard(
        sku=_text(index.data(ProductRole.SKU)),
        name=_text(index.data(ProductRole.NAME)),
        brand=_text(index.data(ProductRole.BRAND)),
        price_text=_text(index.data(ProductRole.PRICE_TEXT)),
        rating=_float(index.data(ProductRole.RATING)),
        rating_count=int(_float(index.data(ProductRole.RATING_COUNT))),
        availability=_availability(index.data(ProductRole.AVAILABILITY)),
        image=found if isinstance(found, str) else None,
        hue=_float(index.data(ProductRole.IMAGE_HUE)) % 1.0,
    )


class CardImageSource(Protocol):
    def pixmap(self, path: str) -> QPixmap | None:
        """The picture if decoded already; otherwise None, and it is fetched (``ready`` tells when)."""
        ...


def card_image(data: bytes, size: QSize = IMAGE_SIZE) -> QImage:
    """``data`` decoded and cut to the card's image area (cover, centred, rounded top corners).

    Plain QImage work, so it runs on a worker thread; a null image when the bytes do not decode.
    """
    source = QImage.fromData(data)
    if source.isNull():
        return QImage()
    scaled = source.scaled(
        size, Qt.AspectRatioMode.KeepAspectRatioByExpanding, Qt.TransformationMode.SmoothTransformation
    )
    result = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    result.fill(Qt.GlobalColor.transparent)
    painter = QPainter(result)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    clip = QPainterPath()
    area = QRectF(0, 0, size.width(), size.height())
    clip.addRoundedRect(area.adjusted(0, 0, 0, RADIUS), RADIUS - 1, RADIUS - 1)
    painter.setClipPath(clip)
    painter.drawImage(
        QPointF((size.width() - scaled.width()) / 2, (size.height() - scaled.height()) / 2), scaled
    )
    painter.end()
    return result


class CardImages(QObject):
    """Decoded card pictures by image path: an LRU of pixmaps, filled in the background.

    ``pixmap(path)`` never waits: a miss starts a fetch (``fetch`` is the image service's
    ``image``), the bytes are decoded and cut on a worker thread, and ``ready(path)`` lets the
    model repaint only the cells showing that path. Only the latest ``max_pending`` misses are
    kept going, so a fling through thousands of cards does not queue thousands of downloads; a
    path that gave nothing (offline, not an image) is not asked for again for ``retry_after`` s.
    """

    ready = Signal(str)

    def __init__(
        self,
        fetch: Callable[[str], Awaitable[bytes | None]] | None = None,
        *,
        capacity: int = 400,
        max_pending: int = 48,
        retry_after: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._capacity = capacity
        self._max_pending = max_pending
        self._retry_after = retry_after
        self._clock = clock
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: OrderedDict[str, asyncio.Task[None]] = OrderedDict()
        self._missing: OrderedDict[str, float] = OrderedDict()

    def set_fetch(self, fetch: Callable[[str], Awaitable[bytes | None]] | None) -> None:
        self._fetch = fetch
        self._missing.clear()

    def pixmap(self, path: str) -> QPixmap | None:
        found = self._pixmaps.get(path)
        if found is not None:
            self._pixmaps.move_to_end(path)
            return found
        self._request(path)
        return None

    @property
    def pending(self) -> int:
        return len(self._pending)

    def close(self) -> None:
        for task in self._pending.values():
            task.cancel()
        self._pending.clear()

    async def aclose(self) -> None:
        """`close`, then wait until the cancelled loads have unwound: before the HTTP client they read
        through is closed, so no download is left half-read on a closed connection. Cards painted
        after this (the window is still up while the app shuts down) get placeholders, and start
        no download."""
        tasks = list(self._pending.values())
        self._fetch = None
        self.close()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _request(self, path: str) -> None:
        if self._fetch is None or path in self._pending:
            return
        if self._missing.get(path, float("-inf")) > self._clock():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # painted outside the app's loop (an offscreen render): placeholders only
        self._pending[path] = loop.create_task(self._load(path, self._fetch), name=f"card-image {path}")
        while len(self._pending) > self._max_pending:
            _, oldest = self._pending.popitem(last=False)
            oldest.cancel()  # scrolled past long ago, most likely

    async def _load(self, path: str, fetch: Callable[[str], Awaitable[bytes | None]]) -> None:
        try:
            data = await fetch(path)
            image = await asyncio.to_thread(card_image, data) if data is not None else QImage()
            if image.isNull():
                self._missing[path] = self._clock() + self._retry_after
                while len(self._missing) > self._capacity * 4:
                    self._missing.popitem(last=False)
                return
            self._pixmaps[path] = QPixmap.fromImage(image)  # QPixmap only on the GUI thread
            while len(self._pixmaps) > self._capacity:
                self._pixmaps.popitem(last=False)
            self.ready.emit(path)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("card image %s could not be loaded", path)
        finally:
            task = self._pending.get(path)
            if task is not None and task is asyncio.current_task():
                del self._pending[path]


class ProductCardDelegate(QStyledItemDelegate):
    """Cards all have one size, so views can set uniformItemSizes and lay out a million rows cheaply."""

    def __init__(
        self,
        parent: QWidget | None = None,
        images: CardImageSource | None = None,
        *,
        card_budget: int = CARD_CACHE_BYTES,
    ) -> None:
        super().__init__(parent)
        self._images = images
        self._card_budget = card_budget
        self._brand_font = QFont()
        self._brand_font.setPixelSize(12)
        self._brand_font.setBold(True)
        self._brand_font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 106)
        self._name_font = QFont()
        self._name_font.setPixelSize(16)
        self._name_font.setWeight(QFont.Weight.DemiBold)
        self._price_font = QFont()
        self._price_font.setPixelSize(20)
        self._price_font.setBold(True)
        self._small_font = QFont()
        self._small_font.setPixelSize(12)
        self._initial_font = QFont()
        self._initial_font.setPixelSize(56)
        self._initial_font.setBold(True)
        self._brand_metrics = QFontMetrics(self._brand_font)
        self._small_metrics = QFontMetrics(self._small_font)
        self._price_metrics = QFontMetrics(self._price_font)
        self._sprites: OrderedDict[tuple[object, ...], QPixmap] = OrderedDict()
        self._sprite_bytes = 0
        self._badge_widths: dict[str, int] = {}
        self._cards: OrderedDict[_CardKey, QPixmap] = OrderedDict()
        self._card_bytes = 0
        self._geometries: dict[tuple[int, int], _Geometry] = {}
        self._background: QColor | None = None
        self._deadline: float | None = None  # until when the frame being painted may draw new cards
        self._fresh = 0  # new cards drawn in this frame
        self._deferred: list[tuple[int, int]] = []

    @property
    def cached_cards(self) -> int:
        """Cards kept drawn: tests check the budget holds."""
        return len(self._cards)

    @override
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return CARD_SIZE

    @override
    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        card = index.data(ProductRole.CARD)
        if not isinstance(card, GridCard):
            if index.data(ProductRole.LOADING) is True:
                self._paint_loading(painter, option.rect)
                return
            if not isinstance(index.data(ProductRole.SKU), str):
                self._paint_empty(painter, option.rect)  # a cell after the last card
                return
            card = _card_from_roles(index)
        cell = option.rect
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        key, picture = self._key(card, cell.width(), cell.height(), dpr, selected)
        rendered = self._cards.get(key)
        if rendered is not None:
            self._cards.move_to_end(key)
        elif self._deadline is not None and self._fresh and time.perf_counter() > self._deadline:
            # This frame has used its time: the card follows in the next frame (see begin_frame).
            self._deferred.append((index.row(), index.column()))
            self._paint_loading(painter, cell)
            return
        else:
            rendered = self._render_card(key, picture)
            self._fresh += 1
        painter.drawPixmap(cell.topLeft(), rendered)

    def set_background(self, colour: QColor | None) -> None:
        """The colour under the cards, for a view that lets cards fill their whole cell (margins too).

        Cards drawn over a known opaque colour are copied into the frame without blending and the view
        need not clear its background first: about a third of a frame's pixel work. None (the default)
        leaves the margins untouched, for views and images with a background of their own.
        """
        self._background = QColor(colour) if colour is not None and colour.alpha() == 255 else None

    def begin_frame(self, budget: float | None = None) -> None:
        """A view starts painting a frame: new cards are drawn only during its first ``budget`` seconds.

        A jump or a fast fling brings a screenful of new cards at once, each costing a few hundred
        microseconds to draw the first time; past the budget (FRAME_BUDGET by default) a card is
        painted as loading and listed by ``end_frame`` for the next frame, so no frame is late. At
        least one new card is drawn per frame, so the screen always completes.
        """
        self._deadline = time.perf_counter() + (FRAME_BUDGET if budget is None else budget)
        self._fresh = 0
        self._deferred = []

    def end_frame(self) -> list[tuple[int, int]]:
        """The frame is painted: the (row, column) cells that were left for the next one."""
        deferred, self._deferred = self._deferred, []
        self._deadline = None
        return deferred

    def prepare(self, card: GridCard, size: QSize, dpr: float, *, selected: bool = False) -> bool:
        """Draws ``card`` for a cell of ``size`` before it is shown (a row about to scroll in).

        True when it drew; False when the card was drawn already, so callers can stop early.
        """
        key, picture = self._key(card, size.width(), size.height(), dpr, selected)
        if key in self._cards:
            return False
        self._render_card(key, picture)
        return True

    @property
    def card_capacity(self) -> int:
        """About how many cards of the usual size the cache holds: what a view may draw ahead."""
        return self._card_budget // (CARD_SIZE.width() * CARD_SIZE.height() * 4)

    def _key(
        self, card: GridCard, width: int, height: int, dpr: float, selected: bool
    ) -> tuple[_CardKey, QPixmap | None]:
        picture = self._images.pixmap(card.image) if self._images is not None and card.image else None
        # Everything drawn is in the key, translated texts too, so a new language never shows old words.
        key = _CardKey(
            card,
            width,
            height,
            dpr,
            selected,
            picture.cacheKey() if picture is not None else 0,
            badge_text(card.availability),
            _rating_label(card.rating, card.rating_count),
            self._background.rgba() if self._background is not None else 0,
        )
        return key, picture

    def _paint_loading(self, painter: QPainter, cell: QRect) -> None:
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        background = self._background
        if background is None:
            inner = QRectF(cell).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
            sprite = self._sprite(("skeleton",), inner.size(), dpr, self._paint_skeleton)
            self._blit(painter, inner.topLeft(), sprite)
            return
        # The whole cell, margins in the background colour: the view does not clear under the cards.
        whole = self._sprite(
            ("skeleton", background.rgba()),
            QSizeF(cell.size()),
            dpr,
            lambda p, r: self._on_background(p, r, background, self._paint_skeleton),
            pad=0,
            opaque=True,
        )
        painter.drawPixmap(cell.topLeft(), whole)

    def _paint_empty(self, painter: QPainter, cell: QRect) -> None:
        if self._background is not None:
            painter.fillRect(cell, self._background)

    @staticmethod
    def _on_background(
        painter: QPainter, cell: QRectF, background: QColor, draw: Callable[[QPainter, QRectF], None]
    ) -> None:
        painter.fillRect(cell, background)
        draw(painter, cell.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN))

    # -- whole cards ------------------------------------------------------------------------------------
    def _render_card(self, key: _CardKey, picture: QPixmap | None) -> QPixmap:
        """The card drawn once into a pixmap of its cell, kept: later frames copy it in one blit.

        Drawing a card costs a few hundred microseconds (text shaping, sprites, Python calls); a
        screen of 25 of them blows an 8 ms frame, while copying one takes some tens of microseconds.
        """
        dpr = key.dpr
        width, height = math.ceil(key.width * dpr), math.ceil(key.height * dpr)
        pixmap = self._make_room(width, height, opaque=key.background != 0)
        pixmap.setDevicePixelRatio(dpr)
        painter = QPainter(pixmap)
        try:
            self._draw_card(painter, key, self._geometry(key.width, key.height), picture)
        finally:
            painter.end()
        self._cards[key] = pixmap
        self._card_bytes += _bytes(pixmap)
        return pixmap

    def _make_room(self, width: int, height: int, *, opaque: bool) -> QPixmap:
        """Evicts the least recently drawn cards until a ``width`` x ``height`` one fits; reuses one of them.

        A new 300 kB pixmap is fresh memory from the kernel (page faults, zeroing): reusing an evicted
        card's pixels makes drawing a card for the first time cheaper.
        """
        spare: QPixmap | None = None
        while self._cards and self._card_bytes + width * height * 4 > self._card_budget:
            _, old = self._cards.popitem(last=False)
            self._card_bytes -= _bytes(old)
            if old.width() == width and old.height() == height and old.hasAlphaChannel() != opaque:
                spare = old
        if spare is not None:
            return spare
        pixmap = QPixmap(width, height)  # without an alpha channel: copied, never blended, when shown
        if not opaque:
            pixmap.fill(Qt.GlobalColor.transparent)  # gives it one: the margins stay see-through
        return pixmap

    def _geometry(self, width: int, height: int) -> _Geometry:
        found = self._geometries.get((width, height))
        if found is None:
            if len(self._geometries) > 8:
                self._geometries.clear()  # a view being resized cell by cell: keep only the sizes in use
            found = _Geometry.of(
                width,
                height,
                self._brand_metrics,
                self._small_metrics,
                self._price_metrics,
            )
            self._geometries[(width, height)] = found
        return found

    def _draw_card(self, painter: QPainter, key: _CardKey, at: _Geometry, picture: QPixmap | None) -> None:
        card, dpr, selected = key.card, key.dpr, key.selected
        # Everything but the texts comes from small pre-drawn pixmaps (sprites): antialiased rounded
        # shapes and gradients cost about a millisecond each in software, a blit a few microseconds.
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        bucket = round((card.hue % 1.0) * HUE_STEPS) % HUE_STEPS
        # The card with its placeholder picture is copied from sprites the size of the cell, margins
        # included, over whatever the (reused) pixmap held: no clearing, no blending. The picture is
        # in the top half, so only that half has a sprite per colour; the bottom half is one for all.
        base_key = ("frame", selected) if picture is not None else ("placeholder", selected, bucket)
        background = self._background
        width, height = key.width, key.height

        def draw_base(p: QPainter, shift: float) -> None:
            cell = QRectF(0, -shift, width, height)
            if background is not None:
                p.fillRect(cell, background)
            self._paint_card(p, cell.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN), selected, picture, bucket)

        opaque = background is not None
        split = height // 2
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        if (split * dpr).is_integer():
            top = self._sprite(
                (*base_key, key.background, "top"),
                QSizeF(width, split),
                dpr,
                lambda p, _r: draw_base(p, 0),
                pad=0,
                opaque=opaque,
            )
            bottom = self._sprite(
                ("bottom", selected, key.background),
                QSizeF(width, height - split),
                dpr,
                lambda p, _r: draw_base(p, split),
                pad=0,
                opaque=opaque,
            )
            painter.drawPixmap(QPoint(0, 0), top)
            painter.drawPixmap(QPoint(0, split), bottom)
        else:  # a fractional device pixel ratio: halves would not meet on a pixel edge
            whole = self._sprite(
                (*base_key, key.background),
                QSizeF(width, height),
                dpr,
                lambda p, _r: draw_base(p, 0),
                pad=0,
                opaque=opaque,
            )
            painter.drawPixmap(QPoint(0, 0), whole)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        if picture is not None:
            painter.drawPixmap(at.picture, picture)
        else:
            initial = (card.brand or card.name)[:1].upper()
            if initial:
                # A 56 px glyph is the dearest text on the card: drawn once per letter and colour.
                tint = round((card.hue % 1.0) * LETTER_HUES) % LETTER_HUES
                letter = self._sprite(
                    ("initial", initial, tint),
                    INITIAL_SIZE,
                    dpr,
                    lambda p, r: self._paint_initial(p, r, initial, tint / LETTER_HUES),
                )
                self._blit(painter, at.initial, letter)
        text = key.badge
        if text:
            availability = card.availability
            badge_width = self._badge_widths.get(text)
            if badge_width is None:
                badge_width = self._badge_widths.setdefault(text, self._small_metrics.horizontalAdvance(text))
            badge = self._sprite(
                ("badge", availability, text),
                QSizeF(badge_width + 20, 24),
                dpr,
                lambda p, r: self._paint_badge(p, r, availability, text),
            )
            self._blit(painter, at.badge, badge)

        # Texts are drawn at their baselines: drawText into a rectangle lays each one out first.
        width = at.text_width
        brand = card.brand
        if brand:
            # Brands repeat from card to card: each is laid out and drawn once.
            line = self._sprite(
                ("brand", brand, width),
                QSizeF(width, self._brand_metrics.height()),
                dpr,
                lambda p, r: self._paint_brand(p, r, brand),
            )
            self._blit(painter, at.brand, line)
        painter.setFont(self._name_font)  # for a line cut with an ellipsis, drawn outside the layout
        painter.setPen(INK)
        _draw_two_lines(painter, card.name, self._name_font, at.name_top, width)

        tenths = round(min(max(card.rating, 0.0), float(STAR_COUNT)) * 10)
        stars = self._sprite(
            ("stars", tenths),
            QSizeF(STAR_COUNT * (STAR_SIZE + STAR_GAP), STAR_SIZE),
            dpr,
            lambda p, _r: self._paint_stars(p, tenths / 10),
        )
        self._blit(painter, at.stars, stars)
        painter.setFont(self._small_font)
        painter.setPen(MUTED)
        painter.drawText(at.label, key.label)
        painter.setFont(self._price_font)
        painter.setPen(ACCENT)
        painter.drawText(at.price, card.price_text)

    # -- sprites --------------------------------------------------------------------------------------
    def _sprite(
        self,
        key: tuple[object, ...],
        size: QSizeF,
        dpr: float,
        draw: Callable[[QPainter, QRectF], None],
        *,
        pad: int = SPRITE_PAD,
        opaque: bool = False,
    ) -> QPixmap:
        """A pixmap of ``size`` (plus a pad for antialiased edges) drawn once by ``draw`` and kept.

        ``opaque``: ``draw`` covers every pixel, so the pixmap needs no alpha channel and is copied,
        not blended, wherever it is drawn.
        """
        full = (*key, size.width(), size.height(), dpr)
        found = self._sprites.get(full)
        if found is not None:
            self._sprites.move_to_end(full)
            return found
        width = math.ceil((size.width() + 2 * pad) * dpr)
        height = math.ceil((size.height() + 2 * pad) * dpr)
        pixmap = QPixmap(width, height)
        pixmap.setDevicePixelRatio(dpr)
        if not opaque:
            pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        draw(painter, QRectF(pad, pad, size.width(), size.height()))
        painter.end()
        self._sprites[full] = pixmap
        self._sprite_bytes += _bytes(pixmap)
        while self._sprite_bytes > SPRITE_BYTES and len(self._sprites) > 1:
            _, old = self._sprites.popitem(last=False)
            self._sprite_bytes -= _bytes(old)
        return pixmap

    @staticmethod
    def _blit(painter: QPainter, at: QPointF, sprite: QPixmap) -> None:
        # Whole pixels: a pixmap at a fractional position is resampled instead of copied.
        painter.drawPixmap(QPoint(round(at.x()) - SPRITE_PAD, round(at.y()) - SPRITE_PAD), sprite)

    def _paint_brand(self, painter: QPainter, rect: QRectF, brand: str) -> None:
        painter.setFont(self._brand_font)
        painter.setPen(MUTED)
        metrics = self._brand_metrics
        text = metrics.elidedText(brand.upper(), Qt.TextElideMode.ElideRight, int(rect.width()))
        painter.drawText(QPointF(rect.left(), rect.top() + metrics.ascent()), text)

    def _paint_initial(self, painter: QPainter, rect: QRectF, initial: str, hue: float) -> None:
        painter.setFont(self._initial_font)
        painter.setPen(QColor.fromHsvF(hue, 0.55, 0.55))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, initial)

    def _paint_card(
        self, painter: QPainter, rect: QRectF, selected: bool, picture: QPixmap | None, bucket: int
    ) -> None:
        painter.setPen(QPen(ACCENT if selected else RULE, 2.0 if selected else 1.0))
        painter.setBrush(SURFACE)
        painter.drawRoundedRect(rect, RADIUS, RADIUS)
        if picture is None:
            image = QRectF(rect.left(), rect.top(), rect.width(), rect.height() * 0.5)
            self._paint_image(painter, image, bucket / HUE_STEPS)

    def _paint_skeleton(self, painter: QPainter, rect: QRectF) -> None:
        """A card whose product is still being read: its outline and grey blocks where the text goes."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(RULE, 1.0))
        painter.setBrush(SURFACE)
        painter.drawRoundedRect(rect, RADIUS, RADIUS)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(SKELETON)
        image = QRectF(rect.left() + 1, rect.top() + 1, rect.width() - 2, rect.height() * 0.5 - 1)
        painter.drawRoundedRect(image, RADIUS - 1, RADIUS - 1)
        painter.drawRect(QRectF(image.left(), image.bottom() - RADIUS, image.width(), RADIUS))
        inner = rect.adjusted(PADDING, 0, -PADDING, -PADDING)
        top = image.bottom() + 12
        for offset, fraction in ((0, 0.35), (24, 0.9), (46, 0.7)):
            painter.drawRoundedRect(QRectF(inner.left(), top + offset, inner.width() * fraction, 12), 6, 6)
        painter.drawRoundedRect(QRectF(inner.left(), inner.bottom() - 24, inner.width() * 0.4, 20), 6, 6)
        painter.restore()

    def _paint_image(self, painter: QPainter, image: QRectF, hue: float) -> None:
        gradient = QLinearGradient(image.topLeft(), image.bottomRight())
        gradient.setColorAt(0.0, QColor.fromHsvF(hue, 0.22, 0.98))
        gradient.setColorAt(1.0, QColor.fromHsvF(hue, 0.38, 0.90))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(gradient))
        # Rounded like the card at the top, square at the bottom: a rounded rect plus a strip over
        # its lower corners is much cheaper than clipping to the card's path.
        inset = image.adjusted(1, 1, -1, 0)
        painter.drawRoundedRect(inset, RADIUS - 1, RADIUS - 1)
        painter.drawRect(QRectF(inset.left(), inset.bottom() - RADIUS, inset.width(), RADIUS))
        painter.setBrush(QColor.fromHsvF(hue, 0.30, 1.0, 0.55))
        radius = image.height() * 0.34
        painter.drawEllipse(image.center(), radius, radius)

    def _paint_badge(self, painter: QPainter, badge: QRectF, availability: Availability, text: str) -> None:
        background, foreground = BADGE_COLOURS[availability]
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(badge, 12, 12)
        painter.setPen(foreground)
        painter.setFont(self._small_font)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_stars(self, painter: QPainter, rating: float) -> None:
        paint_stars(painter, QPointF(SPRITE_PAD, SPRITE_PAD), rating, STAR_SIZE, STAR_GAP)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value) if math.isfinite(value) else 0.0


def _availability(value: object) -> Availability:
    try:
        return Availability(value) if isinstance(value, str) else Availability.UNKNOWN
    except ValueError:
        return Availability.UNKNOWN
