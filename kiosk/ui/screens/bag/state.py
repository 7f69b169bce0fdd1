"""What the bag screen shows, as one frozen value."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kiosk.services.bag import BagItem, BagSnapshot


class BagPhase(StrEnum):
    LOADING = "loading"  # restoring the bag after a start
    READY = "ready"
    FAILED = "failed"  # reading the cache failed unexpectedly; the lines are still in the draft


class BagNotice(StrEnum):
    """The one message under the bag; each is worded by the view."""

    NONE = "none"
    ADDED = "added"
    UNKNOWN_PRODUCT = "unknown_product"
    NOT_SOLD_HERE = "not_sold_here"
    BAD_QUANTITY = "bad_quantity"
    OVER_AVAILABLE = "over_available"
    BAG_FULL = "bag_full"
    NOT_IN_BAG = "not_in_bag"
    STORAGE = "storage"
    DRAFT_DAMAGED = "draft_damaged"  # a saved bag could not be read back and was set aside
    EMPTY_HANDOFF = "empty_handoff"
    HANDOFF_OPENED = "handoff_opened"  # an associate opened a customer's bag from its code
    OTHER_BAG = "other_bag"  # a handed-off bag was not opened over the lines already here
    HANDOFF_DAMAGED = "handoff_damaged"  # a bag code that does not read back whole
    HANDOFF_NEWER = "handoff_newer"  # a bag code from a newer app version
    HANDOFF_UNKNOWN_PRODUCT = "handoff_unknown_product"  # names products this device does not know
    HANDOFF_USED = "handoff_used"  # this device already queued that bag's order
    CONFIRM_EMPTY = "confirm_empty"  # "empty the bag" was tapped once: a second tap empties it


@dataclass(frozen=True, slots=True)
class BagState:
    phase: BagPhase = BagPhase.LOADING
    snapshot: BagSnapshot = field(default_factory=lambda: BagSnapshot(None, "EUR"))
    language: str = "en"
    selected: str | None = None  # the SKU whose line the quantity controls act on
    notice: BagNotice = BagNotice.NONE
    notice_limit: int | None = None  # the most a line may hold, for OVER_AVAILABLE / BAD_QUANTITY
    handoff_code: str = ""  # "" while the code is not shown

    @property
    def selected_item(self) -> BagItem | None:
        return next((item for item in self.snapshot.items if item.sku == self.selected), None)

    @property
    def can_hand_off(self) -> bool:
        return self.phase == BagPhase.READY and not self.snapshot.is_empty

    @property
    def can_empty(self) -> bool:
        return self.phase == BagPhase.READY and not self.snapshot.is_empty and not self.handoff_code
