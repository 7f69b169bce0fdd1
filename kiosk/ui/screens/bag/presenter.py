"""The bag screen's presenter: lines in, quantities changed, the handoff code shown; idle reset empties it."""

from __future__ import annotations

import logging
import re
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from kiosk.services.bag import BagRefusal, BagRefused, BagService, BagSnapshot
from kiosk.services.handoff import HandoffInvalid, HandoffProblem, HandoffService, handoff_code
from kiosk.ui.screens.bag.state import BagNotice, BagPhase, BagState
from kiosk.ui.task_runner import TaskRunner

log = logging.getLogger(__name__)

CHANGE_TASK = "bag.change"
LOAD_TASK = "bag.load"
_TYPED_QUANTITY = re.compile(r"^[0-9]{1,2}$")
_NOTICES = {
    BagRefusal.UNKNOWN_PRODUCT: BagNotice.UNKNOWN_PRODUCT,
    BagRefusal.NOT_SOLD_HERE: BagNotice.NOT_SOLD_HERE,
    BagRefusal.BAD_QUANTITY: BagNotice.BAD_QUANTITY,
    BagRefusal.OVER_AVAILABLE: BagNotice.OVER_AVAILABLE,
    BagRefusal.BAG_FULL: BagNotice.BAG_FULL,
    BagRefusal.NOT_IN_BAG: BagNotice.NOT_IN_BAG,
    BagRefusal.STORAGE: BagNotice.STORAGE,
    BagRefusal.OTHER_BAG: BagNotice.OTHER_BAG,
    BagRefusal.HANDOFF_USED: BagNotice.HANDOFF_USED,
}
_HANDOFF_NOTICES = {
    HandoffProblem.NOT_A_HANDOFF: BagNotice.HANDOFF_DAMAGED,
    HandoffProblem.DAMAGED: BagNotice.HANDOFF_DAMAGED,
    HandoffProblem.NEWER_VERSION: BagNotice.HANDOFF_NEWER,
    HandoffProblem.UNKNOWN_PRODUCT: BagNotice.HANDOFF_UNKNOWN_PRODUCT,
}


class BagPresenter(QObject):
    """Holds the BagState; each intent is a plain method plus the coroutine behind it (tests await those)."""

    state_changed = Signal(object)  # BagState
    count_changed = Signal(int)  # units in the bag: for the bag button in other screens' headers
    back_requested = Signal()

    def __init__(
        self,
        service: BagService,
        runner: TaskRunner,
        *,
        language: str,
        handoff: HandoffService | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._handoff = handoff  # None: this device does not open handed-off bags (a kiosk)
        self._runner = runner
        self._changes = 0
        self._state = BagState(language=language, snapshot=BagSnapshot(None, service.currency))

    @property
    def state(self) -> BagState:
        return self._state

    # -- intents -------------------------------------------------------------------------------------------
    def start(self) -> None:
        """At app start: take up a bag an interruption left behind."""
        self._runner.run(LOAD_TASK, self.restore(), on_failure=self._on_bug)

    def add(self, sku: str, qty: int) -> None:
        """Slot for the product page's ``add_to_bag_requested(sku, qty)``."""
        self._change(self.add_line(sku, qty))

    def open_handoff(self, code: str) -> None:
        """A scanned handoff code (associate mode): the customer's bag becomes this device's bag."""
        self._change(self.open_handed_off(code))

    def select(self, sku: str) -> None:
        if any(item.sku == sku for item in self._state.snapshot.items):
            self._set(replace(self._state, selected=sku))

    def increase(self) -> None:
        item = self._state.selected_item
        if item is not None:
            self._change(self.change_quantity(item.sku, item.qty + 1))

    def decrease(self) -> None:
        item = self._state.selected_item
        if item is not None and item.qty > 1:
            self._change(self.change_quantity(item.sku, item.qty - 1))

    def set_quantity_text(self, text: str) -> None:
        """A quantity typed by the customer: whole numbers 1-99 only; anything else changes nothing."""
        item = self._state.selected_item
        if item is None:
            return
        typed = text.strip()
        if not _TYPED_QUANTITY.match(typed) or int(typed) < 1:
            self._set(replace(self._state, notice=BagNotice.BAD_QUANTITY, notice_limit=item.limit))
            return
        self._change(self.change_quantity(item.sku, int(typed)))

    def remove_selected(self) -> None:
        item = self._state.selected_item
        if item is not None:
            self._change(self.remove_line(item.sku))

    def empty_bag(self) -> None:
        """Every product out, in two taps: the first asks (the notice), the second, while that notice
        is still shown, empties the bag as the idle reset does (its draft discarded). Anything else
        done in between replaces the notice, and the next tap asks again."""
        if not self._state.can_empty:
            return
        if self._state.notice == BagNotice.CONFIRM_EMPTY:
            self.clear()
        else:
            self._set(replace(self._state, notice=BagNotice.CONFIRM_EMPTY, notice_limit=None))

    def show_handoff(self) -> None:
        snapshot = self._state.snapshot
        try:
            code = handoff_code(snapshot)
        except ValueError:
            self._set(replace(self._state, notice=BagNotice.EMPTY_HANDOFF, handoff_code=""))
            return
        self._set(replace(self._state, handoff_code=code, notice=BagNotice.NONE))

    def hide_handoff(self) -> None:
        self._set(replace(self._state, handoff_code=""))

    def dismiss_notice(self) -> None:
        self._set(replace(self._state, notice=BagNotice.NONE, notice_limit=None))

    def back(self) -> None:
        self.hide_handoff()
        self.back_requested.emit()

    def set_language(self, language: str) -> None:
        if language != self._state.language:
            self._set(replace(self._state, language=language))
            self.refresh()

    def refresh(self) -> None:
        """Names, prices or stock may have changed (language switch, pulled pages): read the lines again."""
        self._runner.run(LOAD_TASK, self.reload(), on_failure=self._on_bug)

    def on_cache_changed(self, streams: object) -> None:
        """Slot for the sync engine's "these streams changed": stock or catalog pages affect the lines."""
        if self._state.snapshot.items:
            self.refresh()

    def clear(self) -> None:
        """The idle reset: nothing of this customer's stays, on screen or on disk."""
        for name in self._runner.names:
            if name.startswith((CHANGE_TASK, LOAD_TASK)):
                self._runner.cancel(name)
        self._service.clear()
        self._set(BagState(phase=BagPhase.READY, language=self._state.language, snapshot=self._empty()))

    # -- the coroutines behind the intents -----------------------------------------------------------------
    async def restore(self) -> None:
        restored = await self._service.restore(self._state.language)
        notice = BagNotice.DRAFT_DAMAGED if restored.damaged else BagNotice.NONE
        self._show(restored.snapshot, notice=notice)

    async def reload(self) -> None:
        self._show(await self._service.snapshot(self._state.language), notice=self._state.notice)

    async def add_line(self, sku: str, qty: int) -> None:
        try:
            snapshot = await self._service.add(sku, qty, self._state.language)
        except BagRefused as refused:
            self._refused(refused)
            return
        self._show(snapshot, notice=BagNotice.ADDED, selected=sku)

    async def open_handed_off(self, code: str) -> None:
        if self._handoff is None:
            self._set(replace(self._state, notice=BagNotice.HANDOFF_DAMAGED, notice_limit=None))
            return
        try:
            handed = await self._handoff.open(code, self._state.language)
        except HandoffInvalid as invalid:
            log.info("handoff code not opened: %s", invalid)
            self._set(replace(self._state, notice=_HANDOFF_NOTICES[invalid.problem], notice_limit=None))
            return
        assert handed.action_id is not None  # a decoded code always names its key
        try:
            snapshot = await self._service.adopt(handed.action_id, handed.lines, self._state.language)
        except BagRefused as refused:
            self._refused(refused)
            return
        self._show(snapshot, notice=BagNotice.HANDOFF_OPENED)

    async def change_quantity(self, sku: str, qty: int) -> None:
        try:
            snapshot = await self._service.set_quantity(sku, qty, self._state.language)
        except BagRefused as refused:
            self._refused(refused)
            return
        self._show(snapshot)

    async def remove_line(self, sku: str) -> None:
        try:
            snapshot = await self._service.remove(sku, self._state.language)
        except BagRefused as refused:
            self._refused(refused)
            return
        self._show(snapshot)

    # -- internals ------------------------------------------------------------------------------------------
    def _change(self, coro: Coroutine[Any, Any, None]) -> None:
        # Every change runs to its end, in order (the service serializes them): none replaces another.
        self._changes += 1
        self._runner.run(f"{CHANGE_TASK}:{self._changes}", coro, on_failure=self._on_bug)

    def _empty(self) -> BagSnapshot:
        return BagSnapshot(None, self._service.currency)

    def _show(
        self, snapshot: BagSnapshot, *, notice: BagNotice = BagNotice.NONE, selected: str | None = None
    ) -> None:
        skus = [item.sku for item in snapshot.items]
        keep = selected or self._state.selected
        chosen = keep if keep in skus else (skus[-1] if skus else None)
        code = self._state.handoff_code
        if code:
            # The code on screen must always name the bag as it is now.
            try:
                code = handoff_code(snapshot)
            except ValueError:
                code = ""
        self._set(
            replace(
                self._state,
                phase=BagPhase.READY,
                snapshot=snapshot,
                selected=chosen,
                notice=notice,
                notice_limit=None,
                handoff_code=code,
            )
        )

    def _refused(self, refused: BagRefused) -> None:
        self._set(replace(self._state, notice=_NOTICES[refused.reason], notice_limit=refused.limit))

    def _on_bug(self, error: BaseException) -> None:
        del error  # logged by the runner
        self._set(replace(self._state, phase=BagPhase.FAILED))

    def _set(self, state: BagState) -> None:
        before = self._state.snapshot.count
        self._state = state
        self.state_changed.emit(state)
        if state.snapshot.count != before:
            self.count_changed.emit(state.snapshot.count)
