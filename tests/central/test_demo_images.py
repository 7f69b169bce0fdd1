"""Generated demo product pictures: valid, deterministic, colourful, fast, and strict about input."""

from __future__ import annotations

import io
import math
import statistics
import time
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageStat

from central.demo_images import MOTIFS, render_product_image

EXPECTED_MOTIFS = (
    "chair", "sofa", "table", "lamp", "mug", "pan", "kettle", "headphones", "speaker", "phone",
    "laptop", "sneaker", "backpack", "tshirt", "ball", "bicycle", "plant", "watering_can",
    "teddy", "blocks", "book", "bottle", "watch", "sunglasses",
)  # fmt: skip

# A pixel belongs to the object when some channel differs this much from the corner backdrop;
# the studio backdrop's own gradient stays well below it.
OBJECT_THRESHOLD = 40


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    image.load()
    return image


def object_mask(image: Image.Image) -> Image.Image:
    rgb = image.convert("RGB")
    corner = rgb.getpixel((1, 1))
    assert isinstance(corner, tuple)
    diff = ImageChops.difference(rgb, Image.new("RGB", rgb.size, corner))
    r, g, b = diff.split()
    strongest = ImageChops.lighter(ImageChops.lighter(r, g), b)
    return strongest.point(lambda v: 255 if v > OBJECT_THRESHOLD else 0)


def coverage(image: Image.Image) -> float:
    return object_mask(image).histogram()[255] / (image.width * image.height)


def object_colour(image: Image.Image) -> list[float]:
    return list(ImageStat.Stat(image.convert("RGB"), object_mask(image)).mean)


def distinct_colours(image: Image.Image) -> int:
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None
    return len(colours)


def test_motif_names_and_order() -> None:
    assert MOTIFS == EXPECTED_MOTIFS


@pytest.mark.parametrize("motif", MOTIFS)
@pytest.mark.parametrize(("view", "size"), [(0, 64), (1, 200), (2, 333), (3, 480), (0, 1024)])
def test_renders_valid_jpeg_of_requested_size(motif: str, view: int, size: int) -> None:
    data = render_product_image(motif, 0.42, view, size)
    assert data.startswith(b"\xff\xd8\xff")
    assert data.endswith(b"\xff\xd9")
    image = decode(data)
    assert image.size == (size, size)
    assert image.mode == "RGB"


@pytest.mark.parametrize("motif", MOTIFS)
def test_same_arguments_give_identical_bytes(motif: str) -> None:
    for view in range(4):
        first = render_product_image(motif, 0.77, view, 160, "Acme")
        assert render_product_image(motif, 0.77, view, 160, "Acme") == first


@pytest.mark.parametrize("motif", MOTIFS)
def test_hue_sets_the_dominant_colour(motif: str) -> None:
    for a, b in ((0.0, 0.5), (0.33, 0.66)):
        colour_a = object_colour(decode(render_product_image(motif, a, 0, 200)))
        colour_b = object_colour(decode(render_product_image(motif, b, 0, 200)))
        distance = sum(abs(x - y) for x, y in zip(colour_a, colour_b, strict=True))
        assert distance > 40, (motif, a, b, colour_a, colour_b)


@pytest.mark.parametrize("motif", MOTIFS)
@pytest.mark.parametrize("hue", [0.0, 0.15, 0.6])
def test_object_fills_a_sensible_share_of_the_frame(motif: str, hue: float) -> None:
    hero = decode(render_product_image(motif, hue, 0, 240))
    assert 0.15 <= coverage(hero) <= 0.75
    angled = decode(render_product_image(motif, hue, 1, 240))
    assert 0.1 <= coverage(angled) <= 0.75


@pytest.mark.parametrize("motif", MOTIFS)
def test_pictures_are_detailed_not_flat(motif: str) -> None:
    for view in range(4):
        image = decode(render_product_image(motif, 0.55, view, 240))
        spread = statistics.mean(ImageStat.Stat(image).stddev)
        assert spread > 20, (motif, view, spread)
        assert distinct_colours(image) > 500, (motif, view)


@pytest.mark.parametrize("motif", MOTIFS)
def test_views_are_different_pictures(motif: str) -> None:
    images = [decode(render_product_image(motif, 0.3, view, 160)).convert("L") for view in range(4)]
    for i, a in enumerate(images):
        for b in images[i + 1 :]:
            diff = ImageStat.Stat(ImageChops.difference(a, b)).mean[0]
            assert diff > 5, motif


def test_lifestyle_view_has_a_floor_and_a_wall() -> None:
    image = decode(render_product_image("chair", 0.1, 3, 200)).convert("RGB")
    wall = image.getpixel((5, 20))
    floor = image.getpixel((5, 190))
    assert isinstance(wall, tuple)
    assert isinstance(floor, tuple)
    assert sum(abs(x - y) for x, y in zip(wall, floor, strict=True)) > 60


@pytest.mark.parametrize(
    "label", ["Židle Čaj Кресло", "ACME", "中文 🙂", "\x00\n\t", "x" * 500, "ŁÓDŹ — «Šťastný» Ελλάδα"]
)
def test_label_with_any_text_renders(label: str) -> None:
    image = decode(render_product_image("mug", 0.6, 0, 320, label))
    assert image.size == (320, 320)


def test_label_is_drawn_in_a_corner_only() -> None:
    plain = decode(render_product_image("chair", 0.6, 0, 320))
    labelled = decode(render_product_image("chair", 0.6, 0, 320, "Židle Čaj Кресло"))
    changed = ImageChops.difference(plain, labelled).convert("L").point(lambda v: 255 if v > 24 else 0)
    box = changed.getbbox()
    assert box is not None
    assert box[2] < 320 * 0.7
    assert box[3] < 320 * 0.2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"motif": "unicorn"}, "motif"),
        ({"motif": ""}, "motif"),
        ({"motif": "Chair"}, "motif"),
        ({"hue": -0.1}, "hue"),
        ({"hue": 1.5}, "hue"),
        ({"hue": math.nan}, "hue"),
        ({"hue": math.inf}, "hue"),
        ({"view": 7}, "view"),
        ({"view": -1}, "view"),
        ({"size": 10}, "size"),
        ({"size": 63}, "size"),
        ({"size": 1025}, "size"),
        ({"size": 5000}, "size"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"motif": "chair", "hue": 0.5, "view": 0, "size": 128} | kwargs
    with pytest.raises(ValueError, match=message):
        render_product_image(**args)


@pytest.mark.parametrize("hue", [0, 1, 0.0, 1.0])
def test_hue_range_is_inclusive(hue: float) -> None:
    assert decode(render_product_image("ball", hue, 0, 64)).size == (64, 64)


def test_render_is_fast_enough_for_on_demand_serving() -> None:
    # Budget is 25 ms at 480 px; the bound here is loose so a busy CI runner does not flake.
    render_product_image("bicycle", 0.2, 0, 480)
    timings = []
    for i, motif in enumerate(MOTIFS):
        start = time.perf_counter()
        render_product_image(motif, i / len(MOTIFS), i % 4, 480)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.1
