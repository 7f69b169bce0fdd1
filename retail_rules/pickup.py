"""The pickup (BOPIS/curbside) state machine: which event may follow which state."""

from __future__ import annotations

from enum import StrEnum


class PickupState(StrEnum):
    PLACED = "placed"
    PICKING = "picking"
    PICKED = "picked"
    STAGED = "staged"
    READY = "ready"
    PARTIALLY_COLLECTED = "partially_collected"
    COLLECTED = "collected"
    EXPIRED = "expired"
    RETURNED_TO_STOCK = "returned_to_stock"
    CANCELLED = "cancelled"


class PickupEvent(StrEnum):
    PICKING_STARTED = "picking_started"
    PICKED = "picked"
    STAGED = "staged"
    READY = "ready"
    CUSTOMER_ARRIVED = "customer_arrived"
    HANDED_OVER = "handed_over"
    EXPIRED = "expired"
    RETURNED_TO_STOCK = "returned_to_stock"
    CANCELLED = "cancelled"


S = PickupState
E = PickupEvent

# event -> (states it may follow, state it leads to; None = decided by the event's data)
TRANSITIONS: dict[PickupEvent, tuple[frozenset[PickupState], PickupState | None]] = {
    E.PICKING_STARTED: (frozenset({S.PLACED}), S.PICKING),
    E.PICKED: (frozenset({S.PICKING}), S.PICKED),
    E.STAGED: (frozenset({S.PICKED}), S.STAGED),
    E.READY: (frozenset({S.STAGED}), S.READY),
    E.CUSTOMER_ARRIVED: (frozenset({S.READY, S.PARTIALLY_COLLECTED}), None),
    E.HANDED_OVER: (frozenset({S.READY, S.PARTIALLY_COLLECTED}), None),
    E.EXPIRED: (frozenset({S.READY, S.PARTIALLY_COLLECTED}), S.EXPIRED),
    E.RETURNED_TO_STOCK: (frozenset({S.EXPIRED, S.CANCELLED}), S.RETURNED_TO_STOCK),
    E.CANCELLED: (frozenset({S.PLACED, S.PICKING, S.PICKED, S.STAGED, S.READY}), S.CANCELLED),
}

FINAL_STATES = frozenset({S.COLLECTED, S.RETURNED_TO_STOCK})


class InvalidTransition(ValueError):
    """The event cannot follow the order's current state."""

    def __init__(self, state: PickupState, event: PickupEvent) -> None:
        super().__init__(f"{event.value} is not allowed when the order is {state.value}")
        self.state = state
        self.event = event


def next_state(state: PickupState, event: PickupEvent, *, fully_collected: bool = False) -> PickupState:
    """The state after ``event``; raises InvalidTransition when it may not follow ``state``."""
    allowed, target = TRANSITIONS[event]
    if state not in allowed:
        raise InvalidTransition(state, event)
    if event is E.HANDED_OVER:
        return S.COLLECTED if fully_collected else S.PARTIALLY_COLLECTED
    if event is E.CUSTOMER_ARRIVED:
        return state
    assert target is not None
    return target
