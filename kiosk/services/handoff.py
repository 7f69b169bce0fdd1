"""The handoff code: a kiosk bag as short scannable text (QR, Code 128), and the associate side opening it.

Format ``KB1<digits>``: the version tag, then one decimal number holding, least significant first, a
32-bit checksum, the draft's idempotency key (a UUIDv7, its 122 free bits), and the lines sorted by SKU
(quantity, then the SKU front-coded against the previous one, in a 66-character alphabet), each field in
its own exact radix. Digits are what both symbologies pack best: QR numeric mode stores 3.3 bits per digit
and Code 128 set C two digits per symbol, so a three-line bag is about 120 characters.

The checksum catches damage and casual edits; it is not a signature (the kiosk has no key an associate
device could check). Nothing in the code is trusted beyond what it names: prices and stock come from the
associate device's own catalog, the order is checked again by the central system, and a key that is
reused with another body is refused there (``idempotency_key_reused``).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final

from kiosk.services.bag import MAX_LINES, MAX_QTY, BagLine, BagSnapshot, checked_line, read_items
from kiosk.services.cache_reader import CacheReader
from offline_cache.outbox import Reservation

PREFIX: Final = "KB1"
SKU_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-._@:"
MAX_SKU: Final = 40
CHECK_RADIX: Final = 1 << 32
ID_RADIX: Final = 1 << 122
MAX_CODE_CHARS: Final = 2000  # 20 lines of 40-character SKUs need about 1,600 digits
_DIGITS = re.compile(r"^[1-9][0-9]*$")
_OTHER_VERSION = re.compile(r"^KB[0-9]+")


class HandoffProblem(StrEnum):
    """Why a scanned code does not open a bag; the associate's screen words each one."""

    NOT_A_HANDOFF = "not_a_handoff"  # another barcode (a product, an order slip) or typed text
    NEWER_VERSION = "newer_version"  # a kiosk with a newer app: update this device
    DAMAGED = "damaged"  # truncated, misread or edited: the checksum or the structure does not hold
    UNKNOWN_PRODUCT = "unknown_product"  # names products this device's catalog does not have (yet)


class HandoffInvalid(Exception):
    """A code that does not open a bag; nothing was changed."""

    def __init__(self, problem: HandoffProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True, slots=True)
class HandoffBag:
    """What a code carries: the draft's key and its lines, sorted by SKU."""

    action_id: str
    lines: tuple[BagLine, ...]


# -- the code ------------------------------------------------------------------------------------------------


def encode(action_id: str, lines: Iterable[BagLine]) -> str:
    """The code of a bag; ValueError when the key is not a UUIDv7 or a line is not a valid bag line."""
    key = _uuid7(action_id)
    canonical = _canonical(lines)
    fields: list[tuple[int, int]] = [
        (_checksum(str(key), canonical), CHECK_RADIX),
        (_pack_uuid7(key), ID_RADIX),
        (len(canonical) - 1, MAX_LINES),
    ]
    previous = ""
    for line in canonical:
        fields.append((line.qty - 1, MAX_QTY))
        shared = _shared_prefix(previous, line.sku) if previous else 0
        if previous:
            fields.append((shared, len(previous) + 1))
        suffix = line.sku[shared:]
        fields.append((len(suffix) - 1, MAX_SKU - shared))
        fields.extend((SKU_ALPHABET.index(ch), len(SKU_ALPHABET)) for ch in suffix)
        previous = line.sku
    value = 0
    for digit, radix in reversed(fields):
        value = value * radix + digit
    return PREFIX + str(value)


def decode(text: str) -> HandoffBag:
    """The bag a scanned or typed code names; HandoffInvalid for anything that is not a whole, valid code."""
    if not isinstance(text, str):
        raise HandoffInvalid(HandoffProblem.NOT_A_HANDOFF, "not text")
    code = text.strip()
    if len(code) > MAX_CODE_CHARS:
        raise HandoffInvalid(HandoffProblem.NOT_A_HANDOFF, f"{len(code)} characters")
    head = code[: len(PREFIX)].upper()
    if head != PREFIX:
        if _OTHER_VERSION.match(code.upper()):
            raise HandoffInvalid(HandoffProblem.NEWER_VERSION, code[:6])
        raise HandoffInvalid(HandoffProblem.NOT_A_HANDOFF)
    digits = code[len(PREFIX) :]
    if not _DIGITS.match(digits):
        raise HandoffInvalid(HandoffProblem.DAMAGED, "not a canonical number")
    reader = _Radix(int(digits))
    check = reader.take(CHECK_RADIX)
    key = _unpack_uuid7(reader.take(ID_RADIX))
    count = reader.take(MAX_LINES) + 1
    lines: list[BagLine] = []
    previous = ""
    for _ in range(count):
        qty = reader.take(MAX_QTY) + 1
        shared = reader.take(len(previous) + 1) if previous else 0
        if shared >= MAX_SKU:
            raise HandoffInvalid(HandoffProblem.DAMAGED, "a SKU is too long")
        length = reader.take(MAX_SKU - shared) + 1
        suffix = "".join(SKU_ALPHABET[reader.take(len(SKU_ALPHABET))] for _ in range(length))
        sku = previous[:shared] + suffix
        if sku <= previous:
            raise HandoffInvalid(HandoffProblem.DAMAGED, "lines out of order")
        lines.append(BagLine(sku, qty))
        previous = sku
    if reader.rest != 0:
        raise HandoffInvalid(HandoffProblem.DAMAGED, "trailing data")
    if _checksum(str(key), lines) != check:
        raise HandoffInvalid(HandoffProblem.DAMAGED, "checksum mismatch")
    if encode(str(key), lines) != PREFIX + digits:
        # One bag has one code: a field that is valid but not how the kiosk writes it is an edit.
        raise HandoffInvalid(HandoffProblem.DAMAGED, "not in canonical form")
    return HandoffBag(str(key), tuple(lines))


def is_handoff_scan(text: object) -> bool:
    """Whether a scan is meant as a handoff code (any version, whole or not), not a product barcode."""
    return isinstance(text, str) and text.strip()[:2].upper() == PREFIX[:2]


def handoff_code(snapshot: BagSnapshot) -> str:
    """The code of a bag on screen; ValueError for an empty bag (nothing to hand over)."""
    if snapshot.action_id is None or not snapshot.items:
        raise ValueError("an empty bag has no handoff code")
    return encode(snapshot.action_id, snapshot.lines)


class _Radix:
    """Reads mixed-radix digits off a number, least significant first."""

    def __init__(self, value: int) -> None:
        self.rest = value

    def take(self, radix: int) -> int:
        self.rest, digit = divmod(self.rest, radix)
        return digit


def _canonical(lines: Iterable[BagLine]) -> list[BagLine]:
    checked = [checked_line(line.sku, line.qty) for line in lines]
    if not checked or len(checked) > MAX_LINES:
        raise ValueError(f"a handoff holds 1 to {MAX_LINES} lines")
    if len({line.sku for line in checked}) != len(checked):
        raise ValueError("a product appears twice")
    return sorted(checked, key=lambda line: line.sku)


def _checksum(key: str, lines: Sequence[BagLine]) -> int:
    text = f"{PREFIX}|{key}|" + ",".join(f"{line.sku}:{line.qty}" for line in lines)
    return int.from_bytes(hashlib.sha256(text.encode("ascii")).digest()[:4], "big")


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    # At most len(b) - 1: the suffix keeps a character (a sorted SKU is never a prefix of the one before).
    while n < min(len(a), len(b) - 1) and a[n] == b[n]:
        n += 1
    return n


def _uuid7(action_id: str) -> uuid.UUID:
    try:
        key = uuid.UUID(action_id)
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"{action_id!r} is not a UUID") from None
    if key.version != 7 or key.variant != uuid.RFC_4122:
        raise ValueError(f"{action_id} is not a UUIDv7")
    return key


def _pack_uuid7(key: uuid.UUID) -> int:
    n = key.int  # 48 time | 4 version | 12 rand_a | 2 variant | 62 rand_b
    return ((n >> 80) << 74) | (((n >> 64) & 0xFFF) << 62) | (n & ((1 << 62) - 1))


def _unpack_uuid7(packed: int) -> uuid.UUID:
    time48, rand_a, rand_b = packed >> 74, (packed >> 62) & 0xFFF, packed & ((1 << 62) - 1)
    return uuid.UUID(int=(time48 << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b)


# -- the associate side ------------------------------------------------------------------------------


def _no_reservations() -> list[Reservation]:
    return []


def _utc_now() -> datetime:
    return datetime.now(UTC)


class HandoffService:
    """Opens a scanned handoff code on an associate device, against that device's own catalog and stock."""

    def __init__(
        self,
        reader: CacheReader,
        here: str,
        currency: str,
        *,
        reservations: Callable[[], Iterable[Reservation]] = _no_reservations,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._reader = reader
        self._here = here
        self._currency = currency
        self._reservations = reservations
        self._clock = clock

    async def open(self, code: str, language: str = "en") -> BagSnapshot:
        """The bag, priced and with availability as this device knows them; HandoffInvalid otherwise."""
        bag = decode(code)
        taken = tuple(self._reservations())
        now = self._clock()
        here, currency = self._here, self._currency
        items = await self._reader.run(
            lambda cache: read_items(cache, bag.lines, here, language, currency, taken, now)
        )
        unknown = [item.sku for item in items if not item.found]
        if unknown:
            raise HandoffInvalid(HandoffProblem.UNKNOWN_PRODUCT, ", ".join(unknown))
        return BagSnapshot(bag.action_id, currency, items)
