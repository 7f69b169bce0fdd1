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
from typing import Protocol, override

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
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
    QPolygonF,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from kiosk.ui.models.product_grid_model import GridCard
from kiosk.ui.models.product_roles import Availability, ProductRole

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
MAX_SPRITES = 600  # frames, placeholders, letters, badges, star strips: a few MB
INITIAL_SIZE = QSizeF(80, 80)  # the placeholder's letter
MAX_LINES = 4000  # wrapped names kept: several screens of cards
STAR_COUNT = 5
STAR_SIZE = 16.0
STAR_GAP = 3.0

INK = QColor("#1b2430")
MUTED = QColor("#6b7480")
BORDER = QColor("#e2e5ea")
ACCENT = QColor("#0b6e4f")
STAR_ON = QColor("#f5a524")
STAR_OFF = QColor("#dde1e6")
SURFACE = QColor("#ffffff")

BADGE_COLOURS = {
    Availability.IN_STOCK: (QColor("#e3f5ea"), QColor("#146c3a")),
    Availability.LOW_STOCK: (QColor("#fff3d6"), QColor("#8a5a00")),
    Availability.OUT_OF_STOCK: (QColor("#fde4e4"), QColor("#a61b1b")),
    Availability.ELSEWHERE: (QColor("#e6eefc"), QColor("#1d4fa8")),
}


def _star(size: float, points: int = 5) -> QPolygonF:
    """A star ``size`` px wide centred on 0,0; built once and moved with translate() when painted."""
    corners = []
    for i in range(points * 2):
        radius = size / 2 if i % 2 == 0 else size * 0.225
        angle = -math.pi / 2 + i * math.pi / points
        corners.append(QPointF(radius * math.cos(angle), radius * math.sin(angle)))
    return QPolygonF(corners)


_STAR = _star(STAR_SIZE)


def badge_text(availability: Availability) -> str:
    if availability == Availability.IN_STOCK:
        return QCoreApplication.translate("ProductCardDelegate", "In stock here")
    if availability == Availability.LOW_STOCK:
        return QCoreApplication.translate("ProductCardDelegate", "Only a few left")
    if availability == Availability.OUT_OF_STOCK:
        return QCoreApplication.translate("ProductCardDelegate", "Out of stock")
    if availability == Availability.ELSEWHERE:
        return QCoreApplication.translate("ProductCardDelegate", "Available to order")
    return ""


def _wrap_two_lines(text: str, metrics: QFontMetrics, width: int) -> list[str]:
    """Up to two lines at word boundaries, the second elided: names stay readable at card width."""
    words = text.split()
    first = ""
    rest = 0
    for i, word in enumerate(words):
        candidate = f"{first} {word}" if first else word
        if metrics.horizontalAdvance(candidate) > width and first:
            rest = i
            break
        first = candidate
    else:
        return [metrics.elidedText(first, Qt.TextElideMode.ElideRight, width)]
    second = metrics.elidedText(" ".join(words[rest:]), Qt.TextElideMode.ElideRight, width)
    return [first, second]


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

    def __init__(self, parent: QWidget | None = None, images: CardImageSource | None = None) -> None:
        super().__init__(parent)
        self._images = images
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
        self._name_metrics = QFontMetrics(self._name_font)
        self._sprites: OrderedDict[tuple[object, ...], QPixmap] = OrderedDict()
        self._lines: OrderedDict[tuple[str, int], list[str]] = OrderedDict()

    @override
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return CARD_SIZE

    @override
    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        rect = QRectF(option.rect).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        card = index.data(ProductRole.CARD)
        if isinstance(card, GridCard):
            # One call for the whole card: nine data() calls per card add up over a screenful.
            name, brand, price = card.name, card.brand, card.price_text
            rating, count, hue = card.rating, card.rating_count, card.hue % 1.0
            availability, path = card.availability, card.image
        elif index.data(ProductRole.LOADING) is True:
            skeleton = self._sprite(("skeleton",), rect.size(), dpr, self._paint_skeleton)
            self._blit(painter, rect.topLeft(), skeleton)
            return
        else:
            name = _text(index.data(ProductRole.NAME))
            brand = _text(index.data(ProductRole.BRAND))
            price = _text(index.data(ProductRole.PRICE_TEXT))
            rating = _float(index.data(ProductRole.RATING))
            count = int(_float(index.data(ProductRole.RATING_COUNT)))
            hue = _float(index.data(ProductRole.IMAGE_HUE)) % 1.0
            availability = _availability(index.data(ProductRole.AVAILABILITY))
            found = index.data(ProductRole.IMAGE_PATH)
            path = found if isinstance(found, str) else None
        selected = bool(option.state & QStyle.StateFlag.State_Selected)

        # Everything but the texts comes from small pre-drawn pixmaps (sprites): antialiased rounded
        # shapes and gradients cost about a millisecond each in software, a blit a few microseconds.
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        image = QRectF(rect.left(), rect.top(), rect.width(), rect.height() * 0.5)
        picture = self._images.pixmap(path) if self._images is not None and path else None
        bucket = round(hue * HUE_STEPS) % HUE_STEPS
        # The card and its placeholder picture are one sprite per colour: one blit instead of two.
        card_key = ("frame", selected) if picture is not None else ("placeholder", selected, bucket)
        self._blit(
            painter,
            rect.topLeft(),
            self._sprite(
                card_key, rect.size(), dpr, lambda p, r: self._paint_card(p, r, selected, picture, bucket)
            ),
        )
        if picture is not None:
            painter.drawPixmap(QPoint(round(image.left()) + 1, round(image.top()) + 1), picture)
        else:
            initial = (brand or name)[:1].upper()
            if initial:
                # A 56 px glyph is the dearest text on the card: drawn once per letter and colour.
                letter = self._sprite(
                    ("initial", initial, bucket),
                    INITIAL_SIZE,
                    dpr,
                    lambda p, r: self._paint_initial(p, r, initial, bucket / HUE_STEPS),
                )
                centre = image.center()
                corner = QPointF(
                    centre.x() - INITIAL_SIZE.width() / 2, centre.y() - INITIAL_SIZE.height() / 2
                )
                self._blit(painter, corner, letter)
        text = badge_text(availability)
        if text:
            badge = self._sprite(
                ("badge", availability, text),
                QSizeF(self._small_metrics.horizontalAdvance(text) + 20, 24),
                dpr,
                lambda p, r: self._paint_badge(p, r, availability, text),
            )
            self._blit(painter, QPointF(image.left() + 10, image.top() + 10), badge)

        # Texts are drawn at their baselines: drawText into a rectangle lays each one out first.
        inner = rect.adjusted(PADDING, 0, -PADDING, -PADDING)
        left = inner.left()
        y = image.bottom() + 10
        painter.setFont(self._brand_font)
        painter.setPen(MUTED)
        brand_metrics = self._brand_metrics
        painter.drawText(
            QPointF(left, y + brand_metrics.ascent()),
            brand_metrics.elidedText(brand.upper(), Qt.TextElideMode.ElideRight, int(inner.width())),
        )
        y += brand_metrics.height() + 4

        painter.setFont(self._name_font)
        painter.setPen(INK)
        name_metrics = self._name_metrics
        for line in self._name_lines(name, int(inner.width())):
            painter.drawText(QPointF(left, y + name_metrics.ascent()), line)
            y += name_metrics.height()

        stars_top = inner.bottom() - 30 - 22
        tenths = round(min(max(rating, 0.0), float(STAR_COUNT)) * 10)
        stars = self._sprite(
            ("stars", tenths),
            QSizeF(STAR_COUNT * (STAR_SIZE + STAR_GAP), STAR_SIZE),
            dpr,
            lambda p, _r: self._paint_stars(p, tenths / 10),
        )
        self._blit(painter, QPointF(left, stars_top), stars)
        painter.setFont(self._small_font)
        painter.setPen(MUTED)
        label = (
            f"{rating:.1f} ({count})"
            if count
            else QCoreApplication.translate("ProductCardDelegate", "No reviews")
        )
        small = self._small_metrics
        # Centred on the stars' row, as AlignVCenter would in a STAR_SIZE + 4 px high box.
        baseline = stars_top - 2 + (STAR_SIZE + 4 - small.height()) / 2 + small.ascent()
        painter.drawText(QPointF(left + STAR_COUNT * (STAR_SIZE + STAR_GAP) + 4, baseline), label)

        painter.setFont(self._price_font)
        painter.setPen(ACCENT)
        painter.drawText(QPointF(left, inner.bottom() - self._price_metrics.descent()), price)
        painter.restore()

    def _name_lines(self, name: str, width: int) -> list[str]:
        """The name wrapped to two lines, remembered: measuring words is a third of a card's paint."""
        key = (name, width)
        lines = self._lines.get(key)
        if lines is None:
            lines = _wrap_two_lines(name, self._name_metrics, width)
            self._lines[key] = lines
            if len(self._lines) > MAX_LINES:
                self._lines.popitem(last=False)
        return lines

    # -- sprites --------------------------------------------------------------------------------------
    def _sprite(
        self,
        key: tuple[object, ...],
        size: QSizeF,
        dpr: float,
        draw: Callable[[QPainter, QRectF], None],
    ) -> QPixmap:
        """A pixmap of ``size`` (plus a pad for antialiased edges) drawn once by ``draw`` and kept."""
        full = (*key, size.width(), size.height(), dpr)
        found = self._sprites.get(full)
        if found is not None:
            self._sprites.move_to_end(full)
            return found
        width = math.ceil((size.width() + 2 * SPRITE_PAD) * dpr)
        height = math.ceil((size.height() + 2 * SPRITE_PAD) * dpr)
        pixmap = QPixmap(width, height)
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        draw(painter, QRectF(SPRITE_PAD, SPRITE_PAD, size.width(), size.height()))
        painter.end()
        self._sprites[full] = pixmap
        while len(self._sprites) > MAX_SPRITES:
            self._sprites.popitem(last=False)
        return pixmap

    @staticmethod
    def _blit(painter: QPainter, at: QPointF, sprite: QPixmap) -> None:
        # Whole pixels: a pixmap at a fractional position is resampled instead of copied.
        painter.drawPixmap(QPoint(round(at.x()) - SPRITE_PAD, round(at.y()) - SPRITE_PAD), sprite)

    def _paint_initial(self, painter: QPainter, rect: QRectF, initial: str, hue: float) -> None:
        painter.setFont(self._initial_font)
        painter.setPen(QColor.fromHsvF(hue, 0.55, 0.55))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, initial)

    def _paint_card(
        self, painter: QPainter, rect: QRectF, selected: bool, picture: QPixmap | None, bucket: int
    ) -> None:
        painter.setPen(QPen(ACCENT if selected else BORDER, 2.0 if selected else 1.0))
        painter.setBrush(SURFACE)
        painter.drawRoundedRect(rect, RADIUS, RADIUS)
        if picture is None:
            image = QRectF(rect.left(), rect.top(), rect.width(), rect.height() * 0.5)
            self._paint_image(painter, image, bucket / HUE_STEPS)

    def _paint_skeleton(self, painter: QPainter, rect: QRectF) -> None:
        """A card whose product is still being read: its outline and grey blocks where the text goes."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(BORDER, 1.0))
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
        painter.setPen(Qt.PenStyle.NoPen)
        painter.translate(SPRITE_PAD + STAR_SIZE / 2, SPRITE_PAD + STAR_SIZE / 2)
        for i in range(STAR_COUNT):
            painter.setBrush(STAR_OFF)
            painter.drawPolygon(_STAR)
            fill = min(max(rating - i, 0.0), 1.0)
            if fill > 0:
                painter.save()
                # A partly lit star: clip the lit star to the rating's fraction of its width.
                painter.setClipRect(QRectF(-STAR_SIZE / 2, -STAR_SIZE / 2, STAR_SIZE * fill, STAR_SIZE))
                painter.setBrush(STAR_ON)
                painter.drawPolygon(_STAR)
                painter.restore()
            painter.translate(STAR_SIZE + STAR_GAP, 0)


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
