"""Locale and money formatting for the display language: one place for prices as customers read them."""

from __future__ import annotations

import re
from typing import Final

from PySide6.QtCore import QLocale

CURRENCY_SYMBOLS: Final = {"CZK": "Kč", "PLN": "zł", "EUR": "€"}
COUNTRY_OF_LANGUAGE: Final = {"en": "GB", "cs": "CZ", "pl": "PL", "bg": "BG"}


def display_locale(language: str) -> QLocale:
    """The locale of a UI language in the country the chain sells it in (English as in Britain)."""
    return QLocale(f"{language}_{COUNTRY_OF_LANGUAGE.get(language, 'GB')}")


def money(locale: QLocale, minor: int, currency: str) -> str:
    """An amount in minor units with the currency's symbol; whole amounts without decimals ("1 299 Kč")."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    return locale.toCurrencyString(minor / 100, symbol, 0 if minor % 100 == 0 else 2)


def price(locale: QLocale, minor: int | None, currency: str) -> str:
    """A price that may be missing (not sold in this currency): empty text rather than a made-up amount."""
    return "" if minor is None else money(locale, minor, currency)


_ARG = re.compile(r"%([1-9])")


def fill(template: str, *values: str) -> str:
    """Qt-style ``%1``..``%9`` placeholders filled in one pass, like ``QString::arg``.

    Chained ``str.replace`` calls would also replace a ``%2`` that the first value brought in (a
    product name is server text); one pass never looks at what it inserted.
    """
    return _ARG.sub(
        lambda m: values[int(m.group(1)) - 1] if int(m.group(1)) <= len(values) else m.group(0), template
    )
