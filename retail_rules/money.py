"""Money in integer minor units, per-currency rules and proration without lost cents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Currency(StrEnum):
    CZK = "CZK"
    PLN = "PLN"
    EUR = "EUR"

    @property
    def minor_digits(self) -> int:
        return 2


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount in minor units (haléř, grosz, cent) of one currency."""

    minor: int
    currency: Currency

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.minor * quantity, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def as_text(self) -> str:
        """A locale-neutral rendering for receipts and logs, e.g. ``1 299.00 CZK``."""
        sign = "-" if self.minor < 0 else ""
        whole, cents = divmod(abs(self.minor), 10**self.currency.minor_digits)
        return f"{sign}{whole:,}.{cents:02d} {self.currency.value}".replace(",", " ")


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` minor units in proportion to ``weights`` with no unit lost or invented.

    Largest-remainder method; ties go to the earlier weight, so the result is deterministic
    and the client and the server agree to the unit.
    """
    if not weights:
        return []
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        shares = [0] * len(weights)
        shares[0] = total
        return shares
    shares = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        shares[i] += 1
    return shares
