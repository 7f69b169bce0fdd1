"""Return (BORIS) rules: codes, the return window, returnable quantities and the refund."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

RETURN_WINDOW_DAYS = 30


class ReturnReason(StrEnum):
    CHANGED_MIND = "changed_mind"
    DEFECTIVE = "defective"
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    ARRIVED_LATE = "arrived_late"
    OTHER = "other"


class ItemCondition(StrEnum):
    UNOPENED = "unopened"
    OPENED = "opened"
    USED = "used"
    DAMAGED = "damaged"


class Disposition(StrEnum):
    RESTOCK = "restock"  # back to this store's sellable stock
    DAMAGED = "damaged"  # written off
    RETURN_TO_VENDOR = "return_to_vendor"
    SEND_TO_WAREHOUSE = "send_to_warehouse"


class RefundMethod(StrEnum):
    ORIGINAL = "original"
    STORE_CREDIT = "store_credit"


class ReturnRuleError(ValueError):
    """A return line breaks a rule; ``code`` is the stable API problem code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_disposition(condition: ItemCondition, disposition: Disposition) -> None:
    """Damaged or used goods never go back on the shelf as new."""
    if disposition is Disposition.RESTOCK and condition in (ItemCondition.DAMAGED, ItemCondition.USED):
        raise ReturnRuleError(
            "invalid_disposition", f"an item in {condition.value} condition cannot be restocked"
        )


def window_open(purchased_at: float, now: float, days: int = RETURN_WINDOW_DAYS) -> bool:
    """True while ``now`` is within ``days`` of the purchase (or collection) time."""
    return now <= purchased_at + days * 86400.0


def returnable(bought: int, already_returned: int) -> int:
    return max(0, bought - already_returned)


def paid_for_units(line_paid: int, qty: int, units: int) -> int:
    """What the first ``units`` of a line cost, promotions prorated, in minor units.

    Cumulative, so any sequence of partial returns refunds exactly what was paid in total:
    paid_for_units(p, q, q) == p.
    """
    if not 0 <= units <= qty:
        raise ValueError("units out of range")
    return line_paid * units // qty


@dataclass(frozen=True, slots=True)
class LineRefund:
    line_no: int
    qty: int
    amount: int


def refund_for_line(line_paid: int, qty: int, already_returned: int, returning: int) -> int:
    """The refund for returning ``returning`` more units of a line (minor units)."""
    if returning <= 0:
        raise ReturnRuleError("invalid_quantity", "a return line needs a positive quantity")
    if already_returned + returning > qty:
        raise ReturnRuleError(
            "return_exceeds_purchase",
            f"only {returnable(qty, already_returned)} of {qty} can still be returned",
        )
    return paid_for_units(line_paid, qty, already_returned + returning) - paid_for_units(
        line_paid, qty, already_returned
    )
