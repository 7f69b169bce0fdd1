"""Deterministic, stylised product illustrations for the central server's demo catalogue."""

from __future__ import annotations

import colorsys
import io
import itertools
import math
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

__all__ = ["MOTIFS", "render_product_image"]

_Point = tuple[float, float]
_Colour = tuple[int, int, int]
_Radii = float | tuple[float, float, float, float]
_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

MOTIFS: tuple[str, ...] = (
    "chair",
    "sofa",
    "table",
    "lamp",
    "mug",
    "pan",
    "kettle",
    "headphones",
    "speaker",
    "phone",
    "laptop",
    "sneaker",
    "backpack",
    "tshirt",
    "ball",
    "bicycle",
    "plant",
    "watering_can",
    "teddy",
    "blocks",
    "book",
    "bottle",
    "watch",
    "sunglasses",
)

# Motifs are drawn in a 1000 x 1000 design space; objects stand on this line.
_GROUND = 820.0
# 2x supersampling with a box reduce: LANCZOS at this size costs ~18 ms, reduce ~1 ms.
_SS = 2
_JPEG_QUALITY = 85

_WOOD: _Colour = (214, 170, 122)
_WOOD_D: _Colour = (168, 122, 80)
_WOOD_L: _Colour = (236, 204, 160)
_BRASS: _Colour = (208, 170, 96)
_BRASS_D: _Colour = (160, 124, 60)
_METAL: _Colour = (208, 212, 218)
_METAL_D: _Colour = (150, 156, 166)
_METAL_L: _Colour = (240, 242, 246)
_INK: _Colour = (50, 52, 60)
_INK_D: _Colour = (28, 29, 34)
_INK_L: _Colour = (92, 96, 108)
_WHITE: _Colour = (250, 250, 248)
_WHITE_D: _Colour = (222, 224, 228)
_PAPER: _Colour = (246, 240, 224)
_PAPER_D: _Colour = (218, 208, 186)
_LEAF: _Colour = (78, 160, 98)
_LEAF_D: _Colour = (44, 118, 72)
_LEAF_L: _Colour = (132, 196, 118)
_COFFEE: _Colour = (104, 66, 42)
_COFFEE_L: _Colour = (150, 104, 70)


def _hls(hue: float, lightness: float, saturation: float) -> _Colour:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return (round(r * 255), round(g * 255), round(b * 255))


def _mix(a: _Colour, b: _Colour, t: float) -> _Colour:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


@dataclass(frozen=True, slots=True)
class _Palette:
    hue: float
    main: _Colour
    dark: _Colour
    deep: _Colour
    light: _Colour
    pale: _Colour
    accent: _Colour
    bg: _Colour

    @classmethod
    def of(cls, hue: float, bg: _Colour) -> _Palette:
        return cls(
            hue=hue,
            main=_product_colour(hue, 0.54, 0.62),
            dark=_product_colour(hue, 0.41, 0.56, -0.02),
            deep=_product_colour(hue, 0.29, 0.5, -0.03),
            light=_product_colour(hue, 0.68, 0.66),
            pale=_product_colour(hue, 0.86, 0.6),
            accent=_hls(hue + 0.5, 0.6, 0.55),
            bg=bg,
        )

    def tone(self, shift: float, lightness: float, saturation: float = 0.6) -> _Colour:
        return _product_colour(self.hue + shift, lightness, saturation)


def _product_colour(hue: float, lightness: float, saturation: float, warm: float = 0.0) -> _Colour:
    """HLS colour corrected so yellows stay golden instead of turning olive at mid lightness."""
    h = hue % 1.0
    yellow = max(0.0, 1.0 - abs(h - 0.15) / 0.08)
    return _hls(
        h + warm * yellow,
        min(lightness + 0.09 * yellow * (1.0 - lightness), 0.97),
        min(saturation + 0.3 * yellow, 1.0),
    )


# ---------------------------------------------------------------- geometry


def _arc_pts(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int) -> list[_Point]:
    step = (a1 - a0) / n
    return [
        (
            cx + rx * math.cos(math.radians(a0 + i * step)),
            cy + ry * math.sin(math.radians(a0 + i * step)),
        )
        for i in range(n + 1)
    ]


def _cubic(p0: _Point, p1: _Point, p2: _Point, p3: _Point, n: int = 18) -> list[_Point]:
    out: list[_Point] = []
    for i in range(n + 1):
        t = i / n
        u = 1 - t
        a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
        out.append(
            (
                a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
            )
        )
    return out


def _quad(p0: _Point, p1: _Point, p2: _Point, n: int = 14) -> list[_Point]:
    out: list[_Point] = []
    for i in range(n + 1):
        t = i / n
        u = 1 - t
        out.append(
            (
                u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0],
                u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1],
            )
        )
    return out


def _path(start: _Point, *segments: Sequence[_Point]) -> list[_Point]:
    """Chain curve segments; each segment's first point is the previous end."""
    out = [start]
    for seg in segments:
        out.extend(seg[1:] if seg and seg[0] == out[-1] else seg)
    return out


def _curve(p0: _Point, *controls: _Point, n: int = 18) -> list[_Point]:
    """Cubic bezier chain p0 c1 c2 p1 c3 c4 p2 ..."""
    out = [p0]
    for i in range(0, len(controls) - 2, 3):
        out.extend(_cubic(out[-1], controls[i], controls[i + 1], controls[i + 2], n)[1:])
    return out


def _rounded(pts: Sequence[_Point], r: float, n: int) -> list[_Point]:
    out: list[_Point] = []
    count = len(pts)
    for i in range(count):
        px, py = pts[i - 1]
        x, y = pts[i]
        nx, ny = pts[(i + 1) % count]
        la = math.hypot(px - x, py - y) or 1.0
        lb = math.hypot(nx - x, ny - y) or 1.0
        ra = min(r, la / 2)
        rb = min(r, lb / 2)
        a = (x + (px - x) * ra / la, y + (py - y) * ra / la)
        b = (x + (nx - x) * rb / lb, y + (ny - y) * rb / lb)
        out.extend(_quad(a, (x, y), b, n))
    return out


def _rrect_pts(x0: float, y0: float, x1: float, y1: float, r: _Radii, n: int) -> list[_Point]:
    tl, tr, br, bl = r if isinstance(r, tuple) else (r, r, r, r)
    half = min(x1 - x0, y1 - y0) / 2
    tl, tr, br, bl = (min(v, half) for v in (tl, tr, br, bl))
    out: list[_Point] = []
    for cx, cy, rad, a0 in (
        (x0 + tl, y0 + tl, tl, 180.0),
        (x1 - tr, y0 + tr, tr, 270.0),
        (x1 - br, y1 - br, br, 0.0),
        (x0 + bl, y1 - bl, bl, 90.0),
    ):
        if rad <= 0:
            out.append((cx, cy))
        else:
            out.extend(_arc_pts(cx, cy, rad, rad, a0, a0 + 90, n))
    return out


def _clip(pts: Sequence[_Point], a: float, b: float, c: float) -> list[_Point]:
    """Keep the part of a polygon where a*x + b*y <= c (Sutherland-Hodgman)."""
    out: list[_Point] = []
    count = len(pts)
    for i in range(count):
        p = pts[i - 1]
        q = pts[i]
        dp = a * p[0] + b * p[1] - c
        dq = a * q[0] + b * q[1] - c
        if dq <= 0:
            if dp > 0:
                t = dp / (dp - dq)
                out.append((p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t))
            out.append(q)
        elif dp <= 0:
            t = dp / (dp - dq)
            out.append((p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t))
    return out


def _clip_convex(pts: Sequence[_Point], window: Sequence[_Point]) -> list[_Point]:
    """Clip a polygon to a convex window by one half-plane per window edge."""
    cx = sum(x for x, _ in window) / len(window)
    cy = sum(y for _, y in window) / len(window)
    out = list(pts)
    for i in range(len(window)):
        px, py = window[i - 1]
        qx, qy = window[i]
        a, b = qy - py, px - qx
        if abs(a) + abs(b) < 1e-9:
            continue
        c = a * px + b * py
        if a * cx + b * cy > c:
            a, b, c = -a, -b, -c
        out = _clip(out, a, b, c)
        if not out:
            break
    return out


def _crescent(cx: float, cy: float, r: float, ox: float, oy: float, r2: float, n: int) -> list[_Point]:
    """Part of circle (cx, cy, r) outside circle (cx + ox, cy + oy, r2)."""

    def run(points: list[_Point], keep: list[bool]) -> list[_Point]:
        count = len(points)
        start = next((i for i in range(count) if keep[i] and not keep[i - 1]), None)
        if start is None:
            return points if all(keep) else []
        out: list[_Point] = []
        i = start
        while keep[i % count] and len(out) < count:
            out.append(points[i % count])
            i += 1
        return out

    a = _arc_pts(cx, cy, r, r, 0, 360, n)[:-1]
    b = _arc_pts(cx + ox, cy + oy, r2, r2, 0, 360, n)[:-1]
    outside_b = [math.hypot(x - cx - ox, y - cy - oy) > r2 for x, y in a]
    inside_a = [math.hypot(x - cx, y - cy) < r for x, y in b]
    return run(a, outside_b) + run(b, inside_a)[::-1]


def _scaled(pts: Sequence[_Point], cx: float, cy: float, f: float) -> list[_Point]:
    return [(cx + (x - cx) * f, cy + (y - cy) * f) for x, y in pts]


def _mirror_x(pts: Sequence[_Point]) -> list[_Point]:
    return [(1000 - x, y) for x, y in pts]


def _stroke_outline(pts: Sequence[_Point], w0: float, w1: float) -> list[_Point]:
    count = len(pts)
    lengths = [0.0]
    for i in range(1, count):
        lengths.append(lengths[-1] + math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]))
    total = lengths[-1] or 1.0
    left: list[_Point] = []
    right: list[_Point] = []
    for i in range(count):
        ax, ay = pts[max(i - 1, 0)]
        bx, by = pts[min(i + 1, count - 1)]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / norm, dx / norm
        hw = (w0 + (w1 - w0) * lengths[i] / total) / 2
        x, y = pts[i]
        left.append((x + nx * hw, y + ny * hw))
        right.append((x - nx * hw, y - ny * hw))
    return left + right[::-1]


# ---------------------------------------------------------------- drawing


@dataclass(frozen=True, slots=True)
class _View:
    k: float  # pixels per design unit
    cx: float  # pixel position of the design focus point
    cy: float
    fx: float  # design point placed at (cx, cy)
    fy: float
    mirror: bool = False
    angle: float = 0.0  # degrees, about the pivot
    pivot: _Point = (500.0, 500.0)

    def scaled(self, f: float, dx: float = 0.0, dy: float = 0.0) -> _View:
        return replace(self, k=self.k * f, cx=self.cx * f + dx, cy=self.cy * f + dy)


class _Pen:
    """Draws design-space shapes as polygons so mirroring and rotation stay exact."""

    def __init__(self, image: Image.Image, view: _View, mask: int | None = None) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)
        self.view = view
        self.k = view.k
        self._mask = mask
        self._rot: list[tuple[float, float, float, float]] = []
        rad = math.radians(view.angle)
        self._cos, self._sin = math.cos(rad), math.sin(rad)

    def pt(self, x: float, y: float) -> _Point:
        for c, s, px, py in reversed(self._rot):
            dx, dy = x - px, y - py
            x, y = px + dx * c - dy * s, py + dx * s + dy * c
        v = self.view
        if v.mirror:
            x = 1000 - x
        if v.angle:
            px, py = v.pivot
            dx, dy = x - px, y - py
            x, y = px + dx * self._cos - dy * self._sin, py + dx * self._sin + dy * self._cos
        return (v.cx + (x - v.fx) * v.k, v.cy + (y - v.fy) * v.k)

    @contextmanager
    def rotated(self, degrees: float, px: float, py: float) -> Iterator[None]:
        rad = math.radians(degrees)
        self._rot.append((math.cos(rad), math.sin(rad), px, py))
        try:
            yield
        finally:
            self._rot.pop()

    def segments(self, r: float, sweep: float = 360.0) -> int:
        px = max(r * self.k, 1.0)
        return max(4, min(160, int(math.sqrt(px) * 3.2 * sweep / 360) + 3))

    def _ink(self, fill: _Colour) -> _Colour | int:
        return fill if self._mask is None else self._mask

    def poly(self, pts: Sequence[_Point], fill: _Colour) -> None:
        if len(pts) >= 3:
            self.draw.polygon([self.pt(x, y) for x, y in pts], fill=self._ink(fill))

    def rpoly(self, pts: Sequence[_Point], fill: _Colour, r: float) -> None:
        self.poly(_rounded(pts, r, max(3, self.segments(r, 90))), fill)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, fill: _Colour) -> None:
        n = self.segments(max(rx, ry))
        self.poly(_arc_pts(cx, cy, rx, ry, 0, 360, n)[:-1], fill)

    def circle(self, cx: float, cy: float, r: float, fill: _Colour) -> None:
        self.ellipse(cx, cy, r, r, fill)

    def pie(self, cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, fill: _Colour) -> None:
        n = self.segments(max(rx, ry), abs(a1 - a0))
        self.poly([(cx, cy), *_arc_pts(cx, cy, rx, ry, a0, a1, n)], fill)

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: _Colour, r: _Radii = 0.0) -> None:
        big = max(r) if isinstance(r, tuple) else r
        self.poly(_rrect_pts(x0, y0, x1, y1, r, max(2, self.segments(big, 90))), fill)

    def stroke(
        self,
        pts: Sequence[_Point],
        fill: _Colour,
        w: float,
        w1: float | None = None,
        caps: bool = True,
    ) -> None:
        end_w = w if w1 is None else w1
        self.poly(_stroke_outline(pts, w, end_w), fill)
        if caps:
            self.circle(pts[0][0], pts[0][1], w / 2, fill)
            self.circle(pts[-1][0], pts[-1][1], end_w / 2, fill)

    def arc(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        a0: float,
        a1: float,
        fill: _Colour,
        w: float,
        caps: bool = True,
    ) -> None:
        n = self.segments(max(rx, ry), abs(a1 - a0))
        self.stroke(_arc_pts(cx, cy, rx, ry, a0, a1, n), fill, w, caps=caps)

    def ring(self, cx: float, cy: float, rx: float, ry: float, w: float, fill: _Colour) -> None:
        n = self.segments(max(rx, ry))
        outer = _arc_pts(cx, cy, rx + w / 2, ry + w / 2, 0, 360, n)
        inner = _arc_pts(cx, cy, rx - w / 2, ry - w / 2, 0, 360, n)
        self.poly(outer + inner[::-1], fill)

    def glaze(self, pts: Sequence[_Point], rgba: tuple[int, int, int, int]) -> None:
        """Translucent fill; ~1 ms each, so reserved for shading across many colours."""
        if self._mask is not None or len(pts) < 3:
            return
        ImageDraw.Draw(self.image, "RGBA").polygon([self.pt(x, y) for x, y in pts], fill=rgba)

    def text(self, x: float, y: float, s: str, fill: _Colour, height: float) -> None:
        if self._mask is not None:
            return
        px, py = self.pt(x, y)
        with _FONT_LOCK:
            font = _font(max(6, round(height * self.k)))
            b = font.getbbox(s)
            self.draw.text((px - (b[0] + b[2]) / 2, py - (b[1] + b[3]) / 2), s, font=font, fill=fill)


# Cached fonts are shared by the server's worker threads, and a FreeType face must only be
# used by one thread at a time (free-threaded Python would otherwise crash).
_FONT_LOCK = threading.Lock()


@lru_cache(maxsize=48)
def _font(px: int) -> _Font:
    try:
        return ImageFont.load_default(size=px)
    except (ImportError, OSError):
        # Without FreeType only the fixed bitmap font exists.
        return ImageFont.load_default()


# ---------------------------------------------------------------- motifs


def _leaf(p: _Pen, bx: float, by: float, angle: float, length: float, width: float, fill: _Colour) -> None:
    a = math.radians(angle)
    dx, dy = math.cos(a), math.sin(a)
    nx, ny = -dy, dx
    tip = (bx + dx * length, by + dy * length)
    base = (bx, by)

    def at(t: float, off: float) -> _Point:
        return (bx + dx * length * t + nx * off, by + dy * length * t + ny * off)

    side_a = _cubic(base, at(0.3, width * 1.25), at(0.78, width * 0.9), tip, 16)
    side_b = _cubic(tip, at(0.78, -width * 0.9), at(0.3, -width * 1.25), base, 16)
    p.poly(side_a + side_b[1:], fill)
    p.stroke([at(0.08, 0), at(0.5, width * 0.08), at(0.86, 0)], _mix(fill, _WHITE, 0.28), 6, 2)


def _chair(p: _Pen, c: _Palette) -> None:
    p.stroke([(386, 600), (376, 770)], _WOOD_D, 22, 16)
    p.stroke([(614, 600), (624, 770)], _WOOD_D, 22, 16)
    p.stroke([(394, 440), (398, 560)], _WOOD_D, 22, caps=False)
    p.stroke([(606, 440), (602, 560)], _WOOD_D, 22, caps=False)
    # A darker copy peeking out below reads as the shell's thickness.
    p.rect(316, 214, 684, 480, c.dark, r=86)
    p.rect(316, 196, 684, 462, c.main, r=86)
    p.stroke([(380, 222), (620, 222)], c.light, 12)
    p.rpoly([(292, 608), (708, 608), (704, 662), (296, 662)], c.dark, 24)
    p.rpoly([(352, 526), (648, 526), (712, 624), (288, 624)], c.main, 28)
    p.rpoly([(372, 534), (628, 534), (646, 560), (354, 560)], c.light, 12)
    for x0, x1 in ((334, 308), (666, 692)):
        p.stroke([(x0, 650), (x1, 815)], _WOOD, 32, 22)
        p.stroke([(x0 - 6, 662), (x1 - 5, 800)], _WOOD_L, 7, 5)


def _sofa(p: _Pen, c: _Palette) -> None:
    p.stroke([(222, 760), (212, 815)], _WOOD_D, 30, 22)
    p.stroke([(778, 760), (788, 815)], _WOOD_D, 30, 22)
    p.rect(160, 300, 840, 650, c.dark, r=74)
    for x0, x1 in ((204, 494), (506, 796)):
        p.rect(x0, 336, x1, 612, c.main, r=58)
        p.stroke([(x0 + 50, 356), (x1 - 50, 356)], c.light, 12)
        p.stroke([(x0 + 40, 600), ((x0 + x1) / 2, 588), (x1 - 40, 600)], c.dark, 8, caps=True)
    p.rect(180, 660, 820, 778, c.deep, r=30)
    with p.rotated(-10, 330, 520):
        cushion = _rounded(
            [(256, 446), (330, 458), (404, 446), (394, 520),
             (404, 594), (330, 582), (256, 594), (266, 520)],
            34, 8,
        )  # fmt: skip
        p.poly(cushion, _mix(c.accent, _INK, 0.15))
        p.poly(_scaled(cushion, 320, 510, 0.92), c.accent)
        p.stroke(_quad((282, 468), (330, 478), (378, 466)), _mix(c.accent, _WHITE, 0.35), 10)
    for x0, x1 in ((196, 500), (500, 804)):
        p.rect(x0, 598, x1, 712, c.dark, r=34)
        p.rect(x0 + 2, 592, x1 - 2, 690, c.main, r=34)
        p.stroke([(x0 + 44, 606), (x1 - 44, 606)], c.light, 10)
    p.rect(104, 472, 254, 784, c.deep, r=64)
    p.rect(104, 456, 242, 770, c.main, r=62)
    p.stroke([(140, 478), (206, 478)], c.light, 12)
    p.rect(746, 472, 896, 784, c.deep, r=64)
    p.rect(758, 456, 896, 770, c.main, r=62)
    p.stroke([(794, 478), (860, 478)], c.light, 12)


def _table(p: _Pen, c: _Palette) -> None:
    p.stroke([(262, 560), (266, 758)], _WOOD_D, 26, 18)
    p.stroke([(738, 560), (734, 758)], _WOOD_D, 26, 18)
    p.rect(108, 538, 892, 590, c.dark, r=18)
    p.rpoly([(228, 462), (772, 462), (892, 548), (108, 548)], c.main, 20)
    p.rpoly([(262, 470), (520, 470), (470, 500), (220, 500)], c.light, 14)
    p.stroke([(126, 552), (874, 552)], c.light, 6)
    for x0, x1 in ((172, 186), (828, 814)):
        p.stroke([(x0, 578), (x1, 815)], _WOOD, 36, 26)
        p.stroke([(x0 - 8, 592), (x1 - 6, 800)], _WOOD_L, 8, 5)
    # A vase with a sprig gives the table scale and a lived-in look.
    p.stroke(_quad((612, 380), (600, 300), (650, 230)), _LEAF_D, 7, caps=False)
    p.stroke(_quad((604, 380), (590, 290), (540, 250)), _LEAF_D, 7, caps=False)
    for x, y, ang in ((650, 232, -60), (540, 252, -130), (628, 290, -20), (566, 300, -160)):
        _leaf(p, x, y, ang, 60, 18, _LEAF)
    p.ellipse(606, 442, 58, 64, _WHITE_D)
    p.ellipse(598, 436, 52, 58, _WHITE)
    p.rect(584, 360, 628, 392, _WHITE, r=8)
    p.ellipse(606, 362, 24, 7, _WHITE_D)


def _lamp(p: _Pen, c: _Palette) -> None:
    p.rect(484, 470, 516, 560, _BRASS)
    p.ellipse(500, 668, 132, 142, _WHITE_D)
    p.ellipse(488, 656, 118, 128, _WHITE)
    p.ellipse(452, 612, 26, 44, (255, 255, 255))
    p.rect(420, 784, 580, 818, _BRASS_D, r=10)
    p.rect(420, 784, 572, 810, _BRASS, r=10)
    p.rect(476, 528, 524, 546, _BRASS_D, r=6)
    shade = [(372, 192), (628, 192), (738, 470), (262, 470)]
    p.ellipse(500, 470, 238, 24, c.deep)
    p.poly(shade, c.main)
    p.poly([(568, 192), (628, 192), (738, 470), (640, 470)], c.dark)
    p.poly([(398, 192), (430, 192), (346, 470), (306, 470)], c.light)
    p.ellipse(500, 192, 128, 12, c.dark)
    p.arc(500, 470, 238, 24, 0, 180, c.dark, 10, caps=False)
    p.ellipse(500, 502, 70, 14, (255, 236, 170))


def _mug(p: _Pen, c: _Palette) -> None:
    steam = _mix(c.bg, _INK, 0.16)
    for x, h in ((420, 150), (490, 190), (560, 140)):
        wisp = _curve(
            (x, 330),
            (x - 40, 300), (x + 40, 270), (x, 330 - h / 2),
            (x - 40, 320 - h), (x + 30, 330 - h), (x + 6, 330 - h - 10),
        )  # fmt: skip
        p.stroke(wisp, steam, 14, 6)
    p.arc(642, 585, 104, 118, -78, 78, c.dark, 46)
    p.rect(300, 375, 652, 808, c.main, r=(14, 14, 84, 84))
    p.rect(566, 375, 652, 808, c.dark, r=(0, 14, 84, 0))
    p.rect(336, 420, 374, 736, c.light, r=18)
    p.ellipse(476, 375, 176, 36, c.light)
    p.ellipse(476, 380, 154, 25, _COFFEE)
    p.ellipse(450, 376, 84, 10, _COFFEE_L)


def _pan(p: _Pen, c: _Palette) -> None:
    p.stroke([(650, 560), (905, 468)], _INK, 62, 50)
    p.stroke([(700, 530), (880, 466)], _INK_L, 10, 8)
    p.rect(648, 540, 700, 590, _METAL_D, r=10)
    p.ellipse(400, 640, 292, 142, c.deep)
    p.rect(108, 596, 692, 640, c.deep)
    p.ellipse(400, 640, 280, 132, c.dark)
    p.rect(120, 596, 680, 640, c.dark)
    p.ellipse(400, 596, 300, 146, c.main)
    p.ellipse(400, 598, 272, 122, _INK_L)
    p.ellipse(400, 612, 246, 104, _INK)
    p.arc(400, 612, 200, 80, 200, 250, (120, 124, 136), 12)
    p.arc(400, 596, 286, 134, 200, 260, c.light, 8)


def _kettle(p: _Pen, c: _Palette) -> None:
    p.arc(500, 450, 168, 230, 200, 340, _INK, 34)
    spout = _curve((330, 742), (250, 730), (206, 570), (140, 466)) + _curve(
        (176, 442), (232, 520), (270, 590), (340, 600)
    )
    p.poly(spout, c.dark)
    p.stroke(_curve((300, 690), (240, 660), (210, 560), (168, 480)), c.main, 14, 6)
    p.ellipse(158, 454, 24, 12, c.deep)
    body = _path(
        (366, 430),
        _cubic((366, 430), (300, 520), (230, 660), (236, 792)),
        _cubic((764, 792), (770, 660), (700, 520), (634, 430)),
    )
    p.rpoly(body, c.dark, 30)
    p.rpoly(_scaled(body, 430, 560, 0.93), c.main, 30)
    p.stroke(_cubic((340, 500), (300, 560), (280, 650), (282, 740)), c.light, 20, 12)
    p.rect(232, 770, 768, 815, c.deep, r=20)
    p.ellipse(500, 432, 160, 22, c.dark)
    p.pie(500, 430, 138, 74, 180, 360, c.light)
    p.pie(520, 430, 116, 62, 180, 360, c.main)
    p.ellipse(500, 354, 30, 24, _INK)


def _headphones(p: _Pen, c: _Palette) -> None:
    p.arc(500, 560, 266, 330, 194, 346, c.dark, 60)
    p.arc(500, 560, 266, 330, 198, 342, c.main, 42)
    p.arc(500, 560, 262, 324, 220, 290, c.light, 10)
    for side in (0, 1):

        def m(pts: list[_Point], flip: int = side) -> list[_Point]:
            return _mirror_x(pts) if flip else pts

        p.poly(m(_rrect_pts(226, 470, 258, 590, 8, 4)), _METAL_D)
        p.poly(m(_rrect_pts(232, 470, 252, 590, 6, 4)), _METAL)
        p.poly(m(_rrect_pts(152, 556, 324, 796, 76, 8)), c.deep)
        p.poly(m(_rrect_pts(152, 548, 312, 786, 74, 8)), c.main)
        p.poly(m(_rrect_pts(300, 574, 350, 772, 24, 6)), _INK)
        p.poly(m(_rrect_pts(300, 574, 322, 772, 10, 4)), _INK_L)
        p.poly(m(_arc_pts(230, 668, 46, 80, 0, 360, 32)), c.dark)
        p.poly(m(_arc_pts(226, 660, 40, 72, 0, 360, 32)), c.light)
        p.poly(m(_arc_pts(226, 660, 28, 58, 0, 360, 32)), c.main)


def _speaker(p: _Pen, c: _Palette) -> None:
    p.rpoly([(660, 226), (770, 270), (770, 792), (660, 818)], c.deep, 18)
    p.rect(240, 210, 700, 818, c.dark, r=38)
    p.rect(240, 210, 688, 806, c.main, r=38)
    p.stroke([(290, 232), (640, 232)], c.light, 10)
    for r, col in ((74, _METAL_D), (66, _METAL), (52, _INK), (28, _INK_L)):
        p.circle(464, 346, r, col)
    p.circle(455, 337, 9, _METAL_L)
    for r, col in ((162, _METAL_D), (152, _METAL), (136, _INK), (112, (64, 67, 76)), (56, _INK_L)):
        p.circle(464, 610, r, col)
    p.arc(464, 610, 124, 124, 200, 250, (100, 104, 116), 8)
    p.circle(448, 594, 14, _METAL_L)
    p.circle(464, 770, 9, c.light)
    p.rect(280, 806, 340, 824, _INK, r=6)
    p.rect(600, 806, 660, 824, _INK, r=6)


def _wallpaper(p: _Pen, c: _Palette, x0: float, y0: float, x1: float, y1: float, r: _Radii) -> None:
    screen = _rrect_pts(x0, y0, x1, y1, r, max(2, p.segments(40, 90)))
    p.poly(screen, c.deep)
    w, h = x1 - x0, y1 - y0
    u = min(w, h)
    for fx, fy, fr, col in (
        (0.05, 0.1, 0.8, c.dark),
        (1.0, 0.62, 0.72, c.main),
        (0.15, 1.0, 0.62, c.light),
        (0.9, 1.05, 0.34, c.pale),
    ):
        blob = _arc_pts(x0 + fx * w, y0 + fy * h, fr * u, fr * u, 0, 360, 48)
        p.poly(_clip_convex(blob, screen), col)


def _phone(p: _Pen, c: _Palette) -> None:
    with p.rotated(-12, 380, 470):
        p.rect(228, 168, 532, 772, c.deep, r=64)
        p.rect(236, 176, 524, 764, c.main, r=58)
        p.stroke([(252, 300), (252, 700)], c.light, 8)
        p.rect(262, 202, 398, 338, c.light, r=36)
        for x, y in ((302, 242), (358, 242), (302, 298)):
            p.circle(x, y, 25, _METAL_D)
            p.circle(x, y, 19, _INK)
            p.circle(x - 5, y - 5, 5, _INK_L)
        p.circle(358, 298, 9, _PAPER)
    p.rect(444, 228, 756, 818, c.dark, r=64)
    p.rect(452, 236, 748, 810, _INK_D, r=58)
    _wallpaper(p, c, 466, 250, 734, 796, 46)
    p.rect(560, 268, 640, 294, _INK_D, r=13)
    p.text(600, 360, "9:41", _WHITE, 46)
    p.rect(488, 716, 712, 772, _mix(c.deep, _WHITE, 0.25), r=24)
    for i, shift in enumerate((0.0, 0.15, 0.35, 0.6)):
        x = 512 + i * 52
        p.rect(x, 724, x + 40, 764, c.tone(shift, 0.72, 0.7), r=11)


def _laptop(p: _Pen, c: _Palette) -> None:
    p.rect(212, 236, 788, 666, c.dark, r=28)
    p.rect(222, 246, 778, 662, _INK_D, r=22)
    _wallpaper(p, c, 244, 268, 756, 640, 6)
    p.rect(482, 252, 518, 262, _INK, r=5)
    deck = _mix(c.light, _METAL, 0.45)
    deck_d = _mix(deck, _INK, 0.18)
    deck_dd = _mix(deck, _INK, 0.32)
    p.rpoly([(212, 664), (788, 664), (898, 772), (102, 772)], deck, 14)
    p.rpoly([(272, 680), (728, 680), (772, 730), (228, 730)], deck_dd, 10)
    for y, xl, xr in ((697, 257, 743), (713, 243, 757)):
        p.stroke([(xl, y), (xr, y)], deck_d, 3, caps=False)
    for i in range(1, 12):
        t = i / 12
        p.stroke([(272 + 456 * t, 682), (228 + 544 * t, 728)], deck_d, 3, caps=False)
    p.rpoly([(436, 740), (564, 740), (572, 764), (428, 764)], deck_d, 6)
    p.rect(100, 768, 900, 800, _mix(deck, _INK, 0.25), r=14)
    p.rect(104, 766, 896, 790, _mix(deck, _INK, 0.1), r=12)
    p.rect(452, 766, 548, 776, deck_d, r=4)


def _sneaker(p: _Pen, c: _Palette) -> None:
    upper = _curve(
        (152, 712),
        (136, 630), (140, 540), (170, 478),
        (190, 440), (236, 430), (280, 444),
        (330, 460), (372, 490), (420, 484),
        (446, 480), (452, 400), (480, 380),
        (500, 366), (540, 368), (552, 388),
        (600, 460), (660, 520), (740, 560),
        (820, 600), (880, 640), (890, 700),
        (894, 720), (884, 734), (870, 736),
    )  # fmt: skip
    p.poly(upper, c.main)
    p.poly(_clip(upper, 1, 0.32, 262 + 0.32 * 700), c.dark)
    p.poly(_clip(upper, -1, 0.62, -770 + 0.62 * 640), c.light)
    p.stroke(_curve((250, 690), (360, 620), (480, 590), (700, 600)), _WHITE, 46, 12)
    lace_line = _cubic((552, 388), (600, 460), (660, 520), (740, 560), 12)
    eyestay = [(x - 16, y + 22) for x, y in lace_line[1:10]]
    p.stroke(eyestay, c.dark, 44)
    for i in range(2, 10, 2):
        (ax, ay), (bx, by) = lace_line[i - 1], lace_line[i + 1]
        tx, ty = bx - ax, by - ay
        norm = math.hypot(tx, ty) or 1.0
        nx, ny = ty / norm, -tx / norm
        x, y = lace_line[i]
        p.stroke([(x - nx * 50, y - ny * 50), (x + nx * 2, y + ny * 2)], _WHITE, 13)
    p.stroke(
        _curve((172, 476), (200, 444), (240, 438), (282, 448), (330, 462), (372, 492), (420, 484)),
        _INK_L, 18, 12,
    )  # fmt: skip
    p.stroke(_curve((446, 470), (452, 420), (466, 396), (484, 386)), c.light, 12, 8)
    with p.rotated(-14, 170, 470):
        p.rect(150, 420, 196, 500, c.deep, r=14)
    sole = [(134, 700), (880, 726), (910, 758), (884, 800), (800, 816), (190, 816), (140, 790)]
    p.rpoly(sole, _WHITE, 30)
    p.poly(_clip(_rounded(sole, 30, 8), 0, -1, -794), _WHITE_D)
    p.stroke(_quad((150, 740), (500, 752), (880, 752)), _WHITE_D, 6, caps=False)
    p.stroke(_quad((170, 712), (500, 724), (860, 734)), _mix(_WHITE, c.main, 0.15), 4, caps=False)


def _backpack(p: _Pen, c: _Palette) -> None:
    p.arc(500, 246, 74, 66, 180, 360, _INK, 24)
    p.rect(224, 520, 268, 770, c.deep, r=20)
    p.rect(732, 520, 776, 770, c.deep, r=20)
    body = _rrect_pts(244, 224, 756, 814, (210, 210, 74, 74), 16)
    p.poly(body, c.dark)
    p.poly(_scaled(body, 470, 480, 0.955), c.main)
    p.arc(500, 470, 212, 212, 196, 344, c.deep, 10, caps=False)
    p.circle(326, 348, 14, _METAL_D)
    p.stroke([(326, 360), (318, 414)], _INK, 12)
    p.rect(316, 540, 684, 792, c.deep, r=60)
    p.rect(316, 532, 684, 780, c.dark, r=60)
    p.stroke([(344, 584), (656, 584)], c.deep, 8, caps=False)
    p.rect(372, 600, 420, 618, _INK, r=6)
    p.rect(450, 660, 550, 700, c.light, r=10)
    p.stroke([(360, 248), (470, 236)], c.light, 12, 8)


def _tshirt(p: _Pen, c: _Palette) -> None:
    hanger = _INK_L
    p.arc(500, 200, 26, 30, 180, 400, hanger, 8)
    p.stroke([(290, 300), (500, 228), (710, 300)], hanger, 12)
    shirt = [
        (408, 236), (290, 262), (142, 366), (206, 476), (300, 430),
        (306, 808), (694, 808), (700, 430), (794, 476), (858, 366),
        (710, 262), (592, 236),
    ]  # fmt: skip
    body = _rounded(shirt, 26, 6)[:-8] + _quad((594, 238), (500, 330), (406, 238))
    p.poly(body, c.main)
    p.pie(500, 236, 92, 30, 0, 180, c.deep)
    p.stroke(_quad((408, 238), (500, 326), (592, 238)), c.dark, 22)
    p.stroke([(156, 392), (218, 462)], c.dark, 16, caps=False)
    p.stroke([(844, 392), (782, 462)], c.dark, 16, caps=False)
    p.stroke([(312, 790), (688, 790)], c.dark, 6, caps=False)
    p.stroke(_quad((360, 520), (400, 640), (370, 760)), c.dark, 10, 4)
    p.stroke(_quad((640, 470), (610, 600), (650, 740)), c.dark, 8, 3)
    p.stroke(_quad((330, 300), (360, 400), (350, 470)), c.light, 12, 4)
    p.circle(500, 470, 62, c.pale)
    p.circle(500, 470, 40, c.main)


def _ball(p: _Pen, c: _Palette) -> None:
    cx, cy, r = 500.0, 524.0, 292.0
    second = c.tone(0.13, 0.62, 0.8)
    with p.rotated(-24, cx, cy):
        p.ellipse(cx, cy, r, r, c.main)
        p.ellipse(cx, cy, r * 0.74, r, _WHITE)
        p.ellipse(cx, cy, r * 0.45, r, second)
        p.ellipse(cx, cy, r * 0.15, r, _WHITE)
    p.glaze(_crescent(cx, cy, r, -50, -60, r * 1.04, p.segments(r) * 2), (20, 20, 40, 46))
    p.glaze(_arc_pts(cx - 128, cy - 150, 62, 40, 0, 360, 24), (255, 255, 255, 120))


def _wheel(p: _Pen, x: float, y: float) -> None:
    p.ring(x, y, 183, 183, 34, _INK)
    p.ring(x, y, 162, 162, 10, _METAL_D)
    for i in range(16):
        a = math.radians(i * 22.5 + 7)
        p.stroke([(x, y), (x + math.cos(a) * 158, y + math.sin(a) * 158)], _METAL_D, 4, caps=False)
    p.circle(x, y, 22, _METAL)
    p.circle(x, y, 10, _METAL_D)


def _bicycle(p: _Pen, c: _Palette) -> None:
    rear, front, bb = (278.0, 630.0), (728.0, 630.0), (480.0, 648.0)
    seat, head_t, head_b = (438.0, 430.0), (676.0, 420.0), (690.0, 482.0)
    _wheel(p, *rear)
    _wheel(p, *front)
    p.stroke([(rear[0], rear[1] - 16), (bb[0], bb[1] - 44)], _INK_L, 6, caps=False)
    p.stroke([(rear[0], rear[1] + 16), (bb[0], bb[1] + 44)], _INK_L, 6, caps=False)
    p.stroke([seat, (430, 380)], _METAL_D, 18)
    p.rpoly([(356, 364), (468, 356), (494, 374), (386, 394)], _INK, 14)
    p.stroke([head_t, (668, 372)], _METAL_D, 18)
    p.stroke([(668, 372), (640, 360), (604, 370)], _INK, 18)
    p.stroke([(612, 366), (586, 374)], _INK_L, 24)
    p.stroke([rear, seat], c.dark, 18)
    p.stroke([rear, bb], c.dark, 20)
    p.stroke([head_b, front], c.dark, 22, 16)
    p.stroke([bb, seat], c.main, 28)
    p.stroke([seat, head_t], c.main, 28)
    p.stroke([bb, head_b], c.main, 32)
    p.stroke([head_t, head_b], c.deep, 36)
    p.stroke([(446, 452), (662, 444)], c.light, 8, caps=False)
    p.ring(bb[0], bb[1], 44, 44, 12, _METAL_D)
    p.circle(bb[0], bb[1], 14, _METAL)
    p.stroke([bb, (516, 724)], _INK, 16)
    p.rect(494, 716, 548, 732, _INK_L, r=6)


def _plant(p: _Pen, c: _Palette) -> None:
    base = (500.0, 560.0)
    for ang, length, width, col in (
        (-160, 240, 62, _LEAF_D),
        (-20, 240, 62, _LEAF_D),
        (-132, 300, 78, _LEAF),
        (-48, 300, 78, _LEAF),
        (-112, 340, 84, _LEAF_L),
        (-70, 330, 80, _LEAF),
        (-92, 250, 70, _LEAF_D),
    ):
        _leaf(p, base[0], base[1], ang, length, width, col)
    pot = [(330, 570), (670, 570), (632, 812), (368, 812)]
    p.rpoly(pot, c.dark, 18)
    p.rpoly(_scaled(pot, 470, 690, 0.94), c.main, 18)
    p.poly([(380, 610), (412, 610), (420, 790), (396, 790)], c.light)
    p.rect(306, 540, 694, 604, c.dark, r=16)
    p.rect(306, 540, 686, 594, c.main, r=16)
    p.stroke([(330, 556), (520, 556)], c.light, 8)


def _watering_can(p: _Pen, c: _Palette) -> None:
    p.stroke(_curve((560, 476), (580, 300), (830, 300), (716, 640)), c.dark, 38)
    base, tip = (380.0, 716.0), (150.0, 420.0)
    p.stroke([(400, 640), tip], c.dark, 44, 28, caps=False)
    p.stroke([base, tip], c.dark, 80, 28, caps=False)
    p.stroke([(372, 690), (160, 424)], c.main, 18, 8, caps=False)
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    angle = math.degrees(math.atan2(dy, dx))
    with p.rotated(angle, *tip):
        x, y = tip
        p.poly([(x - 6, y - 18), (x + 56, y - 48), (x + 56, y + 48), (x - 6, y + 18)], c.deep)
        p.ellipse(x + 58, y, 16, 52, _METAL_D)
        p.ellipse(x + 62, y, 11, 46, _METAL)
        for oy in (-26, -9, 9, 26):
            p.circle(x + 62, y + oy, 4, _METAL_D)
    p.rect(316, 466, 724, 812, c.dark, r=(64, 64, 40, 40))
    p.rect(316, 466, 708, 800, c.main, r=(64, 64, 40, 40))
    p.rect(352, 520, 388, 760, c.light, r=16)
    p.rect(316, 740, 724, 766, c.dark)
    p.ellipse(600, 470, 76, 18, c.deep)
    p.ellipse(600, 466, 62, 12, _INK)


def _teddy(p: _Pen, c: _Palette) -> None:
    fur = c.tone(0.0, 0.58, 0.45)
    fur_d = c.tone(0.0, 0.46, 0.42)
    snout = c.tone(0.02, 0.82, 0.5)
    for x, ang in ((330, 28), (670, -28)):
        with p.rotated(ang, x, 590):
            p.ellipse(x, 600, 62, 104, fur_d)
            p.ellipse(x, 596, 56, 98, fur)
    p.ellipse(500, 628, 178, 182, fur_d)
    p.ellipse(494, 622, 168, 174, fur)
    p.ellipse(500, 662, 100, 110, snout)
    for x in (390, 610):
        p.ellipse(x, 766, 90, 62, fur_d)
        p.ellipse(x - 4, 762, 84, 56, fur)
        p.ellipse(x, 772, 46, 34, snout)
    for x in (362, 638):
        p.circle(x, 236, 64, fur_d)
        p.circle(x, 236, 38, snout)
    p.ellipse(500, 364, 170, 152, fur_d)
    p.ellipse(494, 358, 162, 146, fur)
    p.ellipse(500, 418, 76, 58, snout)
    p.ellipse(500, 392, 30, 22, _INK)
    p.circle(492, 386, 7, _INK_L)
    p.arc(484, 420, 16, 16, 20, 160, _INK, 7)
    p.arc(516, 420, 16, 16, 20, 160, _INK, 7)
    for x in (438, 562):
        p.circle(x, 338, 17, _INK)
        p.circle(x - 5, 332, 5, _WHITE)
    bow = c.accent
    p.poly([(500, 512), (420, 480), (420, 548)], bow)
    p.poly([(500, 512), (580, 480), (580, 548)], bow)
    p.circle(500, 512, 22, _mix(bow, _INK, 0.2))


def _block(p: _Pen, x: float, y: float, s: float, col: _Colour, letter: str) -> None:
    dx, dy = s * 0.24, -s * 0.2
    top = _mix(col, _WHITE, 0.35)
    side = _mix(col, _INK, 0.25)
    p.poly([(x, y - s), (x + s, y - s), (x + s + dx, y - s + dy), (x + dx, y - s + dy)], top)
    p.poly([(x + s, y - s), (x + s + dx, y - s + dy), (x + s + dx, y + dy), (x + s, y)], side)
    p.rect(x, y - s, x + s, y, col, r=6)
    p.rect(x + s * 0.1, y - s * 0.9, x + s * 0.9, y - s * 0.1, _mix(col, _WHITE, 0.18), r=14)
    p.rect(x + s * 0.14, y - s * 0.86, x + s * 0.86, y - s * 0.14, col, r=10)
    p.text(x + s / 2, y - s / 2, letter, _WHITE, s * 0.62)


def _blocks(p: _Pen, c: _Palette) -> None:
    s = 226.0
    _block(p, 246, 815, s, c.main, "A")
    _block(p, 486, 815, s, c.tone(0.5, 0.55, 0.55), "B")
    _block(p, 368, 815 - s - 2, s, c.tone(0.09, 0.6, 0.7), "C")


def _book(p: _Pen, c: _Palette) -> None:
    lying = c.tone(0.5, 0.42, 0.4)
    p.rect(180, 726, 800, 816, lying, r=10)
    p.rect(196, 740, 786, 802, _PAPER, r=4)
    for y in (754, 768, 782):
        p.stroke([(206, y), (776, y)], _PAPER_D, 3, caps=False)
    p.rpoly([(636, 246), (712, 276), (712, 728), (636, 728)], c.deep, 8)
    p.poly([(628, 256), (696, 284), (696, 726), (628, 726)], _PAPER)
    for x in (648, 664, 680):
        p.stroke([(x, 272 + (x - 628) * 0.4), (x, 722)], _PAPER_D, 3, caps=False)
    p.rect(288, 230, 646, 730, c.main, r=(10, 14, 4, 4))
    p.rect(288, 230, 330, 730, c.dark, r=(10, 0, 0, 4))
    p.stroke([(340, 236), (340, 724)], c.dark, 6, caps=False)
    p.rect(392, 318, 590, 456, c.pale, r=10)
    p.stroke([(424, 364), (558, 364)], c.dark, 16)
    p.stroke([(446, 408), (536, 408)], c.light, 10)
    p.stroke([(372, 640), (610, 640)], c.light, 8, caps=False)
    p.stroke([(372, 662), (610, 662)], c.light, 4, caps=False)
    p.poly([(530, 722), (560, 722), (560, 800), (545, 786), (530, 800)], c.accent)


def _bottle(p: _Pen, c: _Palette) -> None:
    p.arc(500, 150, 48, 44, 180, 360, _INK, 18)
    p.rect(412, 140, 588, 234, _INK, r=24)
    for x in (440, 470, 500, 530, 560):
        p.stroke([(x, 160), (x, 216)], _INK_L, 6)
    p.rect(430, 226, 570, 270, _METAL_D, r=8)
    body = _rrect_pts(356, 258, 644, 816, (110, 110, 54, 54), 16)
    p.poly(body, c.dark)
    p.poly(_scaled(body, 450, 520, 0.96), c.main)
    p.rect(390, 330, 428, 740, c.light, r=18)
    p.rect(358, 520, 642, 600, c.deep, r=6)
    p.circle(500, 440, 44, c.pale)
    p.circle(500, 440, 26, c.main)


def _watch(p: _Pen, c: _Palette) -> None:
    for y0, y1 in ((150, 380), (620, 850)):
        p.rect(404, y0, 596, y1, c.dark, r=30)
        p.rect(414, y0 + 6, 586, y1 - 6, c.main, r=26)
        p.stroke([(432, y0 + 24), (432, y1 - 24)], c.light, 4, caps=False)
        p.stroke([(568, y0 + 24), (568, y1 - 24)], c.light, 4, caps=False)
    for y in (700, 748, 796):
        p.ellipse(500, y, 13, 11, c.deep)
    p.rect(428, 320, 572, 680, _METAL_D, r=30)
    p.rect(666, 476, 706, 524, _METAL_D, r=8)
    p.rect(666, 482, 700, 518, _METAL, r=6)
    p.circle(500, 500, 182, _METAL_D)
    p.circle(494, 494, 174, _METAL)
    p.circle(500, 500, 152, _METAL_L)
    dial = _mix(c.deep, _INK_D, 0.35)
    p.circle(500, 500, 140, dial)
    # A lighter half-disc fakes the sunburst sheen of a coloured dial.
    p.pie(500, 500, 140, 140, 200, 340, _mix(dial, c.main, 0.22))
    p.circle(500, 500, 96, dial)
    for i in range(12):
        a = math.radians(i * 30)
        inner = 104 if i % 3 == 0 else 116
        p.stroke(
            [(500 + math.cos(a) * inner, 500 + math.sin(a) * inner),
             (500 + math.cos(a) * 127, 500 + math.sin(a) * 127)],
            _WHITE, 13 if i % 3 == 0 else 6, caps=False,
        )  # fmt: skip
    p.stroke([(500, 500), (560, 442)], _WHITE, 17)
    p.stroke([(500, 500), (444, 390)], _WHITE, 11)
    p.stroke([(522, 532), (448, 424)], c.light, 5)
    p.circle(500, 500, 13, c.light)
    p.arc(500, 500, 163, 163, 200, 250, _WHITE, 8)


def _sunglasses(p: _Pen, c: _Palette) -> None:
    lens_shape = [
        (150, 432), (468, 424), (466, 520), (438, 612),
        (378, 652), (252, 654), (180, 614), (152, 540),
    ]  # fmt: skip
    lens = _mix(_INK_D, c.deep, 0.35)
    for flip in (False, True):
        shape = _mirror_x(lens_shape) if flip else lens_shape
        cx = 690.0 if flip else 310.0
        lens_pts = _rounded(shape, 46, 8)
        frame = _scaled(lens_pts, cx, 540, 1.14)
        p.poly(frame, c.main)
        p.poly(_clip(frame, 0, 1, 468), c.dark)
        p.poly(lens_pts, lens)
        p.poly(_clip(lens_pts, 0, -1, -580), _mix(lens, c.main, 0.3))
        band = _clip(_clip(lens_pts, 1, 1, cx + 520), -1, -1, -(cx + 455))
        p.poly(band, _mix(lens, _WHITE, 0.2))
        hinge_x = 1000 - 118 if flip else 118
        p.rect(hinge_x - 18, 428, hinge_x + 18, 468, _METAL, r=8)
    p.stroke(_quad((458, 458), (500, 432), (542, 458)), c.dark, 30)


@dataclass(frozen=True, slots=True)
class _Motif:
    draw: Callable[[_Pen, _Palette], None]
    shadow: tuple[float, float, float]  # centre x, radius x, radius y on the ground line
    focus: _Point  # detail shown in the close-up view
    centre: _Point = (500.0, 510.0)
    small: bool = False  # stands on a plinth in the lifestyle scene
    drop: bool = False  # flat-lay object: drop shadow instead of a ground shadow
    tilt: float = 0.0  # rotation for the angled view
    base: float = _GROUND  # lowest design y, where it rests on a plinth
    zoom: float = 1.0  # slender objects are enlarged to fill the frame like the others


_SPECS: dict[str, _Motif] = {
    "chair": _Motif(_chair, (500, 240, 34), (500, 560)),
    "sofa": _Motif(_sofa, (500, 380, 36), (380, 560), centre=(500, 540)),
    "table": _Motif(_table, (500, 400, 38), (560, 450), centre=(500, 530), zoom=1.06),
    "lamp": _Motif(_lamp, (500, 180, 26), (500, 400), small=True, zoom=1.1),
    "mug": _Motif(_mug, (480, 240, 32), (520, 460), centre=(500, 530), small=True),
    "pan": _Motif(_pan, (440, 340, 40), (400, 600), centre=(500, 600), small=True),
    "kettle": _Motif(_kettle, (500, 280, 32), (420, 440), centre=(490, 520), small=True),
    "headphones": _Motif(_headphones, (500, 360, 30), (290, 560), small=True),
    "speaker": _Motif(_speaker, (500, 270, 30), (464, 560), small=True),
    "phone": _Motif(_phone, (520, 280, 26), (600, 420), small=True, tilt=-6),
    "laptop": _Motif(_laptop, (500, 400, 30), (420, 620), centre=(500, 520), small=True),
    "sneaker": _Motif(_sneaker, (530, 360, 30), (560, 560), centre=(530, 620), small=True),
    "backpack": _Motif(_backpack, (500, 270, 32), (500, 620)),
    "tshirt": _Motif(_tshirt, (500, 300, 30), (500, 330), drop=True, tilt=-5),
    "ball": _Motif(_ball, (500, 230, 30), (440, 440), centre=(500, 530), tilt=30),
    "bicycle": _Motif(_bicycle, (500, 380, 28), (480, 600), centre=(500, 560)),
    "plant": _Motif(_plant, (500, 200, 28), (500, 420)),
    "watering_can": _Motif(_watering_can, (520, 240, 30), (260, 480), centre=(470, 560)),
    "teddy": _Motif(_teddy, (500, 230, 30), (500, 380), small=True),
    "blocks": _Motif(_blocks, (530, 300, 30), (360, 560), centre=(510, 560), small=True),
    "book": _Motif(_book, (490, 330, 30), (490, 400), small=True),
    "bottle": _Motif(_bottle, (500, 180, 26), (500, 280), centre=(500, 490), small=True),
    "watch": _Motif(_watch, (500, 180, 26), (500, 500), drop=True, small=True, tilt=-16, base=850, zoom=1.18),
    "sunglasses": _Motif(
        _sunglasses, (500, 350, 24), (320, 520), (500, 540), drop=True, small=True, tilt=-8, base=700
    ),
}


# ---------------------------------------------------------------- scene


def _stop_colour(stops: Sequence[tuple[float, _Colour]], t: float) -> _Colour:
    for (t0, c0), (t1, c1) in itertools.pairwise(stops):
        if t <= t1:
            return _mix(c0, c1, (t - t0) / (t1 - t0) if t1 > t0 else 1.0)
    return stops[-1][1]


def _gradient(width: int, height: int, stops: Sequence[tuple[float, _Colour]]) -> Image.Image:
    """Vertical gradient built as one column and stretched: far cheaper than per-pixel maths."""
    column = bytearray()
    for y in range(height):
        column.extend(_stop_colour(stops, y / max(height - 1, 1)))
    return Image.frombytes("RGB", (1, height), bytes(column)).resize(
        (width, height), Image.Resampling.NEAREST
    )


def _soft_ellipse(
    image: Image.Image, cx: float, cy: float, rx: float, ry: float, colour: _Colour, opacity: float
) -> None:
    pad = ry * 1.6 + 4
    x0, y0 = math.floor(cx - rx - pad), math.floor(cy - ry - pad)
    x1, y1 = math.ceil(cx + rx + pad), math.ceil(cy + ry + pad)
    q = 4  # blur at quarter resolution, the result is smooth anyway
    mw, mh = max((x1 - x0) // q, 2), max((y1 - y0) // q, 2)
    mask = Image.new("L", (mw, mh), 0)
    d = ImageDraw.Draw(mask)
    sx, sy = mw / (x1 - x0), mh / (y1 - y0)
    mcx, mcy = (cx - x0) * sx, (cy - y0) * sy
    d.ellipse((mcx - rx * sx, mcy - ry * sy, mcx + rx * sx, mcy + ry * sy), fill=round(120 * opacity))
    d.ellipse(
        (mcx - rx * 0.72 * sx, mcy - ry * 0.45 * sy, mcx + rx * 0.72 * sx, mcy + ry * 0.45 * sy),
        fill=round(220 * opacity),
    )
    mask = mask.filter(ImageFilter.GaussianBlur(max(ry * sy * 0.55, 0.6)))
    image.paste(colour, (x0, y0, x1, y1), mask.resize((x1 - x0, y1 - y0), Image.Resampling.BILINEAR))


def _drop_shadow(image: Image.Image, spec: _Motif, view: _View, pal: _Palette, colour: _Colour) -> None:
    q = 4
    w, h = image.size
    mask = Image.new("L", (w // q, h // q), 0)
    off = w * 0.018
    spec.draw(_Pen(mask, view.scaled(1 / q, off / q, off * 1.4 / q), mask=150), pal)
    box = mask.getbbox()
    if box is None:
        return
    pad = 6
    x0, y0 = max(box[0] - pad, 0), max(box[1] - pad, 0)
    x1, y1 = min(box[2] + pad, mask.width), min(box[3] + pad, mask.height)
    part = mask.crop((x0, y0, x1, y1)).filter(ImageFilter.GaussianBlur(w / q * 0.012))
    image.paste(
        colour,
        (x0 * q, y0 * q, x1 * q, y1 * q),
        part.resize(((x1 - x0) * q, (y1 - y0) * q), Image.Resampling.BILINEAR),
    )


def _studio(w: int, hue: float, alt: bool) -> tuple[Image.Image, _Colour, _Colour]:
    """Soft seamless backdrop; the angled view uses the complementary tint for variety."""
    bh = hue + (0.5 if alt else 0.04)
    sat = 0.22 if alt else 0.32
    top, bottom = _hls(bh, 0.955, sat), _hls(bh, 0.895, sat * 0.9)
    shadow = _mix(bottom, _hls(bh, 0.3, 0.3), 0.55)
    return _gradient(w, w, [(0.0, top), (1.0, bottom)]), bottom, shadow


_HORIZON = 0.64


def _room(w: int, hue: float, rug: bool) -> tuple[Image.Image, _Colour, _Colour, _Colour]:
    """Wall with an arch niche and a wooden floor; returns image, wall, wall and floor shadows."""
    wall = _hls(hue + 0.5, 0.8, 0.3)
    wall_b = _hls(hue + 0.5, 0.75, 0.28)
    floor = _hls(0.08, 0.66, 0.36)
    floor_b = _hls(0.07, 0.55, 0.34)
    image = _gradient(w, w, [(0.0, wall), (_HORIZON, wall_b), (_HORIZON + 0.001, floor), (1.0, floor_b)])
    d = ImageDraw.Draw(image)
    arch = _mix(wall, _WHITE, 0.38)
    r = w * 0.3
    spring = w * 0.36
    d.rectangle((w / 2 - r, spring, w / 2 + r, w * _HORIZON), fill=arch)
    d.pieslice((w / 2 - r, spring - r, w / 2 + r, spring + r), 180, 360, fill=arch)
    d.rectangle((0, w * (_HORIZON - 0.02), w, w * _HORIZON), fill=_mix(wall, _WHITE, 0.6))
    d.rectangle((0, w * _HORIZON, w, w * (_HORIZON + 0.006)), fill=_mix(floor, _INK, 0.2))
    if rug:
        d.ellipse((w * 0.1, w * 0.845, w * 0.9, w * 0.955), fill=_mix(floor, _WHITE, 0.4))
    return image, wall, _mix(wall_b, _INK, 0.45), _mix(floor, _INK, 0.5)


def _plinth(image: Image.Image, w: int, pal: _Palette) -> tuple[float, _Colour]:
    """Cylindrical display plinth; returns the y of its top and a shadow colour for it."""
    d = ImageDraw.Draw(image)
    cx, top, bottom, rx, ry = w / 2, w * 0.72, w * 0.965, w * 0.28, w * 0.05
    face = _mix(_WHITE, pal.pale, 0.3)
    side = _mix(face, _INK, 0.13)
    d.ellipse((cx - rx, bottom - ry, cx + rx, bottom + ry), fill=side)
    d.rectangle((cx - rx, top, cx + rx, bottom), fill=side)
    # The lit band follows the curved bottom so the cylinder reads as round.
    band: list[_Point] = [(cx - rx * 0.62, top), (cx + rx * 0.1, top)]
    for i in range(17):
        x = cx + rx * (0.1 - 0.72 * i / 16)
        band.append((x, bottom + ry * math.sqrt(max(0.0, 1 - ((x - cx) / rx) ** 2))))
    d.polygon(band, fill=_mix(face, _INK, 0.04))
    d.ellipse((cx - rx, top - ry, cx + rx, top + ry), fill=face)
    return top, _mix(face, _INK, 0.45)


# ---------------------------------------------------------------- labels

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ye",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_EXTRA = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "ı": "i", "þ": "th",
    "ð": "d", "‘": "'", "’": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "…": "...",
}  # fmt: skip


def _build_translit() -> dict[int, str]:
    table: dict[int, str] = {}
    for src in (_CYRILLIC, _EXTRA):
        for k, v in src.items():
            table[ord(k)] = v
            up = k.upper()
            if len(up) == 1 and up != k:
                table[ord(up)] = v.capitalize()
    return table


_TRANSLIT = _build_translit()


def _ascii_label(label: str) -> str:
    """The built-in font only covers ASCII, so transliterate instead of drawing empty boxes."""
    text = unicodedata.normalize("NFKD", label.translate(_TRANSLIT))
    kept = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or 32 <= ord(ch) < 127)
    return " ".join(kept.split())


def _draw_label(image: Image.Image, label: str, size: int, pal: _Palette) -> None:
    """A small white pill tag in the top-left corner, like a shop's brand sticker."""
    text = _ascii_label(label)
    if not text:
        return
    w = image.width
    fs = max(6, round(size * 0.036)) * _SS
    with _FONT_LOCK:
        font = _font(fs)
        limit = w * 0.6
        if font.getlength(text) > limit:
            while text and font.getlength(text + "...") > limit:
                text = text[:-1]
            text = text.rstrip() + "..."
        b = font.getbbox(text)
        h = fs * 1.75
        margin = w * 0.04
        dot = h * 0.2
        x0, y0 = margin, margin
        x1 = x0 + h * 0.5 + dot * 2 + h * 0.3 + (b[2] - b[0]) + h * 0.5
        y1 = y0 + h
        d = ImageDraw.Draw(image)
        d.rounded_rectangle((x0, y0, x1, y1 + _SS), radius=h / 2, fill=_mix(pal.bg, _INK, 0.12))
        d.rounded_rectangle((x0, y0, x1, y1), radius=h / 2, fill=_WHITE)
        cx = x0 + h * 0.5 + dot
        d.ellipse((cx - dot, y0 + h / 2 - dot, cx + dot, y0 + h / 2 + dot), fill=pal.main)
        tx = cx + dot + h * 0.3 - b[0]
        d.text((tx, y0 + h / 2 - (b[1] + b[3]) / 2), text, font=font, fill=(58, 60, 70))


def _compose(spec: _Motif, hue: float, view: int, w: int) -> tuple[Image.Image, _Palette]:
    """Backdrop, shadow and object for one gallery view, at supersampled width w."""
    unit = w / 1000
    mid = w / 2
    fx, fy = spec.centre
    ground_shadow = not spec.drop
    if view == 3:
        hung = spec.drop and not spec.small
        image, bg, wall_shadow, shadow_colour = _room(w, hue, rug=not spec.small and not hung)
        if hung:
            v = _View(unit * 0.66, mid, w * 0.38, fx, fy)
            shadow_colour = wall_shadow
            peg = _Pen(image, v)
            peg.circle(500, 190, 15, _WOOD_D)
            peg.circle(497, 187, 10, _WOOD)
        elif spec.small:
            top, shadow_colour = _plinth(image, w, _Palette.of(hue, bg))
            v = _View(unit * 0.62, mid, top + w * 0.008, spec.shadow[0], spec.base)
            # Flat-lay objects stand upright on the plinth, so they cast a ground shadow there.
            ground_shadow = True
        else:
            v = _View(unit * 0.76, mid, w * 0.91, spec.shadow[0], _GROUND)
    else:
        image, bg, shadow_colour = _studio(w, hue, alt=view == 1)
        if view == 0:
            v = _View(unit * spec.zoom, mid, mid, fx, fy)
        elif view == 1:
            k = unit * spec.zoom * 0.9
            v = _View(k, mid, mid, 1000 - fx - 30, fy - 10, True, spec.tilt, (1000 - fx, fy))
        else:
            v = _View(unit * 2.2, mid, mid, spec.focus[0], spec.focus[1])

    pal = _Palette.of(hue, bg)
    if ground_shadow:
        scx, srx, sry = spec.shadow
        # The shadow stays on the floor even when the object itself is tilted.
        gx, gy = _Pen(image, replace(v, angle=0.0)).pt(scx, spec.base if view == 3 else _GROUND)
        _soft_ellipse(image, gx, gy, srx * v.k, sry * v.k, shadow_colour, 0.85)
    else:
        _drop_shadow(image, spec, v, pal, shadow_colour)
    spec.draw(_Pen(image, v), pal)
    return image, pal


# ---------------------------------------------------------------- public


def render_product_image(motif: str, hue: float, view: int = 0, size: int = 480, label: str = "") -> bytes:
    """Return a JPEG (quality ~85) of a square product picture."""
    spec = _SPECS.get(motif) if isinstance(motif, str) else None
    if spec is None:
        raise ValueError(f"unknown motif {motif!r}; expected one of: {', '.join(MOTIFS)}")
    if isinstance(hue, bool) or not isinstance(hue, (int, float)) or not 0.0 <= hue <= 1.0:
        raise ValueError(f"hue must be a number between 0.0 and 1.0, got {hue!r}")
    if isinstance(view, bool) or not isinstance(view, int) or not 0 <= view <= 3:
        raise ValueError(f"view must be an integer 0..3, got {view!r}")
    if isinstance(size, bool) or not isinstance(size, int) or not 64 <= size <= 1024:
        raise ValueError(f"size must be an integer 64..1024, got {size!r}")
    if not isinstance(label, str):
        raise ValueError(f"label must be a string, got {type(label).__name__}")

    image, pal = _compose(spec, float(hue), view, size * _SS)
    if label:
        _draw_label(image, label, size, pal)

    out = io.BytesIO()
    image.reduce(_SS).save(out, "JPEG", quality=_JPEG_QUALITY, optimize=False)
    return out.getvalue()
