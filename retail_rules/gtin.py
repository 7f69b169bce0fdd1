"""GTIN-8/12/13/14 check digits and parsing of scanned product codes (EAN-13, UPC-A, GS1)."""

from __future__ import annotations

from dataclasses import dataclass

_VALID_LENGTHS = (8, 12, 13, 14)


class InvalidGtin(ValueError):
    """A scanned or typed code is not a valid GTIN."""


def check_digit(body: str) -> int:
    """Return the GS1 mod-10 check digit for the digits of a GTIN without its check digit."""
    if not body.isdigit() or not body.isascii():
        raise InvalidGtin(f"not digits: {body!r}")
    total = 0
    # Weights alternate 3,1,3,... starting from the rightmost digit of the body.
    for position, char in enumerate(reversed(body)):
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def is_valid(code: str) -> bool:
    """True when ``code`` is a GTIN of a known length with a correct check digit."""
    if len(code) not in _VALID_LENGTHS or not code.isascii() or not code.isdigit():
        return False
    return check_digit(code[:-1]) == int(code[-1])


def make_gtin13(body12: str) -> str:
    """Append the check digit to a 12-digit body."""
    if len(body12) != 12:
        raise InvalidGtin(f"a GTIN-13 body has 12 digits, got {len(body12)}")
    return body12 + str(check_digit(body12))


def normalise(code: str) -> str:
    """Return the GTIN-14 form (left-padded with zeros) of a valid GTIN-8/12/13/14."""
    code = code.strip()
    if not is_valid(code):
        raise InvalidGtin(f"invalid GTIN: {code!r}")
    return code.zfill(14)


def to_gtin13(code: str) -> str:
    """Return the 13-digit form used as the catalog key (UPC-A gets a leading zero)."""
    full = normalise(code)
    if not full.startswith("0"):
        raise InvalidGtin(f"GTIN-14 {code!r} has a packaging indicator; not a consumer unit")
    return full[1:]


@dataclass(frozen=True, slots=True)
class ScannedProductCode:
    """A product code read from a scan: the GTIN-13 and, for GS1 element strings, extras."""

    gtin13: str
    serial: str | None = None
    batch: str | None = None


_GS = "\x1d"


def parse_scan(raw: str) -> ScannedProductCode:
    """Parse what a scanner sent: a plain EAN-13/UPC-A/EAN-8 or a GS1 element string.

    GS1 element strings are accepted with or without the ``]C1``/``]d2``/``]Q3`` symbology
    identifier, with FNC1 as ASCII GS, and in the human-readable ``(01)...(21)...`` form.
    """
    text = raw.strip()
    for prefix in ("]C1", "]e0", "]d2", "]Q3", "]E0", "]E3"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    if text.isdigit() and len(text) in (8, 12, 13):
        if not is_valid(text):
            raise InvalidGtin(f"check digit does not match: {text!r}")
        return ScannedProductCode(gtin13=text.zfill(13))
    if text.startswith("(01)"):
        return _parse_bracketed(text)
    if text.startswith("01") and len(text) >= 16:
        return _parse_element_string(text)
    raise InvalidGtin(f"not a product barcode: {raw!r}")


def _from_ai01(value: str) -> str:
    if len(value) != 14 or not is_valid(value):
        raise InvalidGtin(f"invalid GTIN in AI (01): {value!r}")
    return to_gtin13(value)


def _parse_bracketed(text: str) -> ScannedProductCode:
    fields: dict[str, str] = {}
    rest = text
    while rest:
        if not rest.startswith("(") or ")" not in rest:
            raise InvalidGtin(f"malformed GS1 text: {text!r}")
        ai, rest = rest[1:].split(")", 1)
        value, sep, tail = rest.partition("(")
        fields[ai] = value
        rest = sep + tail
    if "01" not in fields:
        raise InvalidGtin(f"GS1 text without a GTIN: {text!r}")
    return ScannedProductCode(
        gtin13=_from_ai01(fields["01"]), serial=fields.get("21"), batch=fields.get("10")
    )


# Fixed-length AIs that may follow (01) without an FNC1 separator.
_FIXED = {"01": 14, "11": 6, "13": 6, "15": 6, "17": 6}


def _parse_element_string(text: str) -> ScannedProductCode:
    fields: dict[str, str] = {}
    rest = text
    while rest:
        ai = rest[:2]
        if ai in _FIXED:
            length = _FIXED[ai]
            value = rest[2 : 2 + length]
            if len(value) != length:
                raise InvalidGtin(f"truncated GS1 element string: {text!r}")
            rest = rest[2 + length :]
        elif ai in ("10", "21"):
            value, _, rest = rest[2:].partition(_GS)
        else:
            raise InvalidGtin(f"unsupported GS1 application identifier {ai!r}")
        fields[ai] = value
        rest = rest.lstrip(_GS)
    return ScannedProductCode(
        gtin13=_from_ai01(fields["01"]), serial=fields.get("21"), batch=fields.get("10")
    )
