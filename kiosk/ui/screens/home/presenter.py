"""The start screen's presenter: the store and catalog at a glance from the cache, and entry points."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import replace
from functools import partial

from PySide6.QtCore import QObject, Signal

from kiosk.services.cache_reader import CacheReader
from kiosk.services.enrolment import EnrolmentIssue
from kiosk.services.store_overview import StoreOverview, read_overview
from kiosk.ui.screens.home.state import CatalogCount, HomePhase, HomeProblem, HomeState
from kiosk.ui.task_runner import TaskRunner
from offline_cache.engine import SyncStatus

log = logging.getLogger(__name__)

REFRESH_TASK = "home.refresh"
# The streams whose arrival changes what this screen shows.
_SHOWN_STREAMS = frozenset({"locations", "catalog"})


def _shown_version(status: SyncStatus) -> tuple[object, ...]:
    return tuple(
        (s.stream, s.changes_applied, s.caught_up_version, s.cursor)
        for s in status.streams
        if s.stream in _SHOWN_STREAMS
    )


class HomePresenter(QObject):
    """Holds the HomeState. The composition root reports the backend's progress; the data comes from the
    cache through the CacheReader, re-read when the sync engine reports new store or catalog data."""

    state_changed = Signal(object)  # HomeState
    browse_requested = Signal()
    search_requested = Signal()
    product_requested = Signal(str)  # sku

    def __init__(
        self,
        runner: TaskRunner,
        *,
        kiosk_mode: bool = True,
        language: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._language = language
        self._reader: CacheReader | None = None
        self._location_id = ""
        self._seen: tuple[object, ...] | None = None
        self._dirty = False
        self._state = HomeState(kiosk_mode=kiosk_mode, language=language or "en")

    @property
    def state(self) -> HomeState:
        return self._state

    # -- the backend, as the composition root brings it up --------------------------------------
    def connecting(self) -> None:
        self._set(replace(self._state, phase=HomePhase.ENROLLING, problem=None, enrolment_issue=None))

    def waiting_for_central(self) -> None:
        self._set(replace(self._state, phase=HomePhase.WAITING_FOR_CENTRAL, problem=None))

    def needs_enrolment(self, issue: EnrolmentIssue) -> None:
        self._set(replace(self._state, phase=HomePhase.NEEDS_ENROLMENT, enrolment_issue=issue, problem=None))

    def failed(self, problem: HomeProblem) -> None:
        self._set(replace(self._state, phase=HomePhase.FAILED, problem=problem))

    def attach(self, reader: CacheReader, location_id: str) -> None:
        """The cache is open: show what it holds and follow the sync from now on."""
        self._reader = reader
        self._location_id = location_id
        self._seen = None
        self._set(replace(self._state, phase=HomePhase.SYNCING, problem=None, enrolment_issue=None))
        self.refresh()

    def detach(self) -> None:
        """The cache is closing: stop reading it (what is on screen stays)."""
        self._runner.cancel(REFRESH_TASK)
        self._reader = None

    def on_sync_status(self, status: SyncStatus) -> None:
        """Slot for each sync status: re-read when store or catalog data arrived; READY once synced."""
        if self._reader is None:
            return
        if self._state.phase in (HomePhase.SYNCING, HomePhase.READY):
            phase = HomePhase.READY if status.first_sync_done else HomePhase.SYNCING
            self._set(replace(self._state, phase=phase))
        version = _shown_version(status)
        if version != self._seen:
            self._seen = version
            self.refresh()

    def on_blocked(self, issue: object) -> None:
        """Slot for the strip's `blocked_changed`: a refused device says so here too."""
        if isinstance(issue, EnrolmentIssue):
            self.needs_enrolment(issue)
        elif self._state.phase == HomePhase.NEEDS_ENROLMENT and self._reader is not None:
            self._set(replace(self._state, phase=HomePhase.SYNCING, enrolment_issue=None))

    # -- intents ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self._runner.is_running(REFRESH_TASK):
            self._dirty = True  # the running read picks this up: reads never pile up on the reader thread
            return
        self._runner.run(REFRESH_TASK, self.load(), on_failure=self._on_bug)

    def set_language(self, language: str) -> None:
        """The kiosk's display language changed (a customer's choice, or back after the idle reset):
        product names and prices are read again in it."""
        if language != self._language:
            self._language = language
            self._set(replace(self._state, language=language))
            self.refresh()

    def browse(self) -> None:
        self.browse_requested.emit()

    def search(self) -> None:
        self.search_requested.emit()

    def open_product(self, sku: str) -> None:
        if sku:
            self.product_requested.emit(sku)

    async def load(self) -> None:
        """Read the overview until no newer data arrived meanwhile."""
        while True:
            self._dirty = False
            reader = self._reader
            if reader is None:
                return
            read = partial(read_overview, location_id=self._location_id, language=self._language)
            try:
                overview = await reader.run(read)
            except (sqlite3.Error, RuntimeError) as exc:
                # The cache being rebuilt or closed is the environment's fault: keep what is shown.
                log.warning("the start screen could not read the cache: %s", exc)
                return
            self._show(overview)
            if not self._dirty:
                return
            await asyncio.sleep(0)

    def _show(self, overview: StoreOverview) -> None:
        self._set(
            replace(
                self._state,
                store=overview.store or self._state.store,
                catalog=CatalogCount(overview.products, overview.categories),
                popular=overview.popular,
                language=overview.language,
            )
        )

    def _on_bug(self, error: BaseException) -> None:
        del error  # the task runner logged it with its traceback
        self.failed(HomeProblem.UNEXPECTED)

    def _set(self, state: HomeState) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)
