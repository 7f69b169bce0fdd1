"""The handoff code: round trips, tampering refused, the associate side, the rendered QR and Code 128."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.services.bag import MAX_LINES, MAX_QTY, BagLine, BagService
from kiosk.services.cache_reader import CacheReader
from kiosk.services.handoff import (
    MAX_CODE_CHARS,
    PREFIX,
    SKU_ALPHABET,
    HandoffInvalid,
    HandoffProblem,
    HandoffService,
    decode,
    encode,
)
from kiosk.ui.widgets.handoff_code import (
    CODE128_QUIET,
    QR_QUIET,
    HandoffCodeView,
    code128_image,
    code128_modules,
    min_module_px,
    qr_image,
    qr_modules,
)
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.outbox import OUTBOX_FILE, Outbox, new_key
from tests.kiosk.test_bag import HERE, seed_bag_cache

KEY = new_key()
skus = st.text(alphabet=SKU_ALPHABET, min_size=1, max_size=40)
bags = st.dictionaries(skus, st.integers(1, MAX_QTY), min_size=1, max_size=MAX_LINES)


def lines_of(bag: dict[str, int]) -> list[BagLine]:
    return [BagLine(sku, qty) for sku, qty in bag.items()]


@given(bag=bags, key=st.uuids(version=4).map(lambda _: new_key()))
@settings(max_examples=300, deadline=None)
def test_any_bag_round_trips(bag: dict[str, int], key: str) -> None:
    code = encode(key, lines_of(bag))
    assert code.startswith(PREFIX)
    assert code[len(PREFIX) :].isdigit()
    assert len(code) <= MAX_CODE_CHARS
    decoded = decode(code)
    assert decoded.action_id == key
    assert {line.sku: line.qty for line in decoded.lines} == bag
    assert [line.sku for line in decoded.lines] == sorted(bag)


def test_the_order_of_lines_does_not_change_the_code() -> None:
    lines = [BagLine("SKU-0000123-2", 2), BagLine("SKU-0000045", 1), BagLine("SKU-0000123", 3)]
    assert encode(KEY, lines) == encode(KEY, list(reversed(lines)))


def test_a_typical_bag_stays_short() -> None:
    lines = [BagLine(f"SKU-{n:07d}", 1 + n % 3) for n in (123, 4567, 89012)] + [BagLine("SKU-0004567-2", 1)]
    code = encode(KEY, lines)
    # A keyboard-wedge scanner delivers at most 128 characters (kiosk.ui.widgets.scanner_wedge).
    assert len(code) <= 128, len(code)


def test_a_scan_with_spaces_or_lower_case_prefix_still_opens() -> None:
    code = encode(KEY, [BagLine("SKU-1", 2)])
    assert decode(f"  {code.lower()}\n").lines == (BagLine("SKU-1", 2),)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", HandoffProblem.NOT_A_HANDOFF),
        ("8590000000017", HandoffProblem.NOT_A_HANDOFF),  # a product's EAN
        ("https://example.com/KB1123", HandoffProblem.NOT_A_HANDOFF),
        ("KB2123456789", HandoffProblem.NEWER_VERSION),
        ("KB1", HandoffProblem.DAMAGED),
        ("KB1abc", HandoffProblem.DAMAGED),
        ("KB1١٢٣", HandoffProblem.DAMAGED),  # Arabic-Indic digits: isdigit() but not ours
        ("KB1" + "9" * 60, HandoffProblem.DAMAGED),
        ("KB1" + "1" * (MAX_CODE_CHARS + 1), HandoffProblem.NOT_A_HANDOFF),
    ],
)
def test_what_is_not_a_handoff_code_says_why(text: str, problem: HandoffProblem) -> None:
    with pytest.raises(HandoffInvalid) as invalid:
        decode(text)
    assert invalid.value.problem == problem


def test_truncated_extended_and_edited_codes_are_refused() -> None:
    code = encode(KEY, [BagLine("SKU-0000123", 2), BagLine("SKU-0000124", 1)])
    digits = code[len(PREFIX) :]
    forged = [
        code[:-1],  # the scan stopped early
        code[:-10],
        code + "0",
        code + "7",
        PREFIX + "0" + digits,  # a leading zero: same number, another text
    ]
    for i in range(len(digits)):
        changed = str((int(digits[i]) + 1) % 10)
        if i == 0 and changed == "0":
            continue
        forged.append(PREFIX + digits[:i] + changed + digits[i + 1 :])
    for text in forged:
        with pytest.raises(HandoffInvalid) as invalid:
            decode(text)
        assert invalid.value.problem == HandoffProblem.DAMAGED, text


def test_encode_refuses_what_is_not_a_bag() -> None:
    with pytest.raises(ValueError, match="UUID"):
        encode("not-a-key", [BagLine("SKU-1", 1)])
    with pytest.raises(ValueError, match="UUIDv7"):
        encode("9b2f0c6a-52b4-4c34-9d7e-2a3f2f0c6a52", [BagLine("SKU-1", 1)])
    with pytest.raises(ValueError, match="1 to"):
        encode(KEY, [])
    with pytest.raises(ValueError, match="quantity"):
        encode(KEY, [BagLine("SKU-1", 0)])
    with pytest.raises(ValueError, match="twice"):
        encode(KEY, [BagLine("SKU-1", 1), BagLine("SKU-1", 2)])
    with pytest.raises(ValueError, match="SKU"):
        encode(KEY, [BagLine("ščř", 1)])


# -- the associate side ----------------------------------------------------------------------------


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[CacheStore]:
    store = CacheStore.open(tmp_path / CACHE_FILE)
    seed_bag_cache(store)
    yield store
    store.close()


@pytest.fixture
async def reader(cache: CacheStore) -> AsyncIterator[CacheReader]:
    reader = CacheReader(cache)
    yield reader
    reader.close()


async def test_the_associate_opens_the_kiosk_bag_with_its_key(reader: CacheReader, tmp_path: Path) -> None:
    outbox = Outbox.open(tmp_path / OUTBOX_FILE, "kiosk-1")
    try:
        bag = BagService(reader, outbox, HERE, "CZK")
        await bag.add("SKU-TABLE", 1, "cs")
        kiosk_view = await bag.add("SKU-CHAIR", 2, "cs")
        code = encode(kiosk_view.action_id or "", kiosk_view.lines)
        opened = await HandoffService(reader, HERE, "CZK").open(code, language="en")
    finally:
        outbox.close()
    assert opened.action_id == kiosk_view.action_id
    assert opened.lines == (BagLine("SKU-CHAIR", 2), BagLine("SKU-TABLE", 1))
    assert [item.name for item in opened.items] == ["Tora chair", "Ola table"]
    assert opened.total_minor == kiosk_view.total_minor


async def test_a_code_naming_products_this_device_lacks_is_refused(reader: CacheReader) -> None:
    code = encode(KEY, [BagLine("SKU-CHAIR", 1), BagLine("SKU-FROM-THE-FUTURE", 1)])
    with pytest.raises(HandoffInvalid) as invalid:
        await HandoffService(reader, HERE, "CZK").open(code)
    assert invalid.value.problem == HandoffProblem.UNKNOWN_PRODUCT
    assert "SKU-FROM-THE-FUTURE" in invalid.value.detail


# -- rendering and scanning ------------------------------------------------------------------------


def pil(image: QImage) -> Image.Image:
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(grey.constBits())
    return Image.frombytes("L", (grey.width(), grey.height()), data, "raw", "L", grey.bytesPerLine())


def scan(image: QImage, fmt: zxingcpp.BarcodeFormat) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(pil(image), formats=fmt)]


def colours(image: QImage) -> set[int]:
    return {value for value, count in enumerate(pil(image).histogram()) if count}


BIG_BAG = [BagLine(f"SKU-{n:07d}", 1 + n % 5) for n in (12, 345, 6789, 10111, 213141)]


@pytest.mark.parametrize("lines", [[BagLine("SKU-0000001", 1)], BIG_BAG[:3], BIG_BAG])
def test_the_drawn_qr_and_barcode_scan_back_into_the_same_bag(
    qtbot: QtBot, qapp: QApplication, lines: list[BagLine]
) -> None:
    code = encode(KEY, lines)
    view = HandoffCodeView()
    qtbot.addWidget(view)
    view.resize(1900, 900)
    view.show()
    view.set_code(code)
    qtbot.waitUntil(lambda: view.qr_image() is not None)
    qr, bars = view.qr_image(), view.barcode_image()
    assert qr is not None
    assert bars is not None, "the barcode should fit a full-HD width"
    assert view.barcode_shown
    for image, fmt in ((qr, zxingcpp.BarcodeFormat.QRCode), (bars, zxingcpp.BarcodeFormat.Code128)):
        assert colours(image) == {0, 255}  # crisp: no grey from scaling
        (text,) = scan(image, fmt)
        assert text == code
        back = decode(text)
        assert (back.action_id, set(back.lines)) == (KEY, set(lines))


def test_modules_are_whole_pixels_with_quiet_zones() -> None:
    code = encode(KEY, BIG_BAG[:3])
    matrix = qr_modules(code)
    image = qr_image(matrix, 500)
    assert image is not None
    side = len(matrix) + 2 * QR_QUIET
    assert image.width() == image.height()
    assert image.width() % side == 0
    scale = image.width() // side
    assert scale >= 2
    assert all(image.pixelColor(x, x).name() == "#ffffff" for x in range(QR_QUIET * scale))
    bars = code128_modules(code)
    strip = code128_image(bars, 1800, 80)
    assert strip is not None
    assert strip.width() % (len(bars) + 2 * CODE128_QUIET) == 0
    assert code128_image(bars, 500, 80) is None  # narrower than one pixel a module
    assert code128_image(bars, 1000, 80, min_module=2) is None  # too fine for this screen
    assert min_module_px(92) == 1  # 24" full HD: 0.28 mm a pixel
    assert min_module_px(141) == 2  # 15.6" full HD: 0.18 mm a pixel
    assert min_module_px(300) == 3


def test_a_bag_too_long_for_the_screen_shows_only_the_qr(qtbot: QtBot) -> None:
    lines = [BagLine(f"SKU-{n:07d}-{n % 7}", 2) for n in range(1000, 1000 + 17 * MAX_LINES, 17)]
    view = HandoffCodeView()
    qtbot.addWidget(view)
    view.resize(1000, 800)
    view.show()
    view.set_code(encode(KEY, lines))
    qtbot.waitUntil(lambda: view.qr_image() is not None)
    assert not view.barcode_shown
    assert view.barcode_image() is None
    qr = view.qr_image()
    assert qr is not None
    (text,) = scan(qr, zxingcpp.BarcodeFormat.QRCode)
    assert len(decode(text).lines) == MAX_LINES
