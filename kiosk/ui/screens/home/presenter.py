"""The start screen's presenter: enrol if needed, read the store, size the catalog, report sync progress."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from kiosk.api.errors import CentralFailed, CentralRejected, CentralUnreachable, needs_enrolment
from kiosk.services.enrolment import Enrolment, EnrolmentIssue, EnrolmentNeeded
from kiosk.services.first_sync import FirstSync, StoreNotFound
from kiosk.ui.screens.home.state import CatalogCount, HomePhase, HomeProblem, HomeState
from kiosk.ui.task_runner import TaskRunner
from offline_cache.device_record import DeviceRecord

log = logging.getLogger(__name__)

LOAD_TASK = "home.load"


class HomePresenter(QObject):
    """Holds the HomeState. Each intent has a plain method (for the view) and the coroutine behind it."""

    state_changed = Signal(object)  # HomeState
    # For the status strip; the composition root connects them, this presenter does not know the strip.
    sync_progressed = Signal(object)  # kiosk.services.first_sync.SyncProgress
    sync_succeeded = Signal()
    sync_stopped = Signal()
    central_reachable = Signal()
    central_unreachable = Signal()
    central_failed = Signal()
    enrolment_needed = Signal()

    def __init__(
        self,
        enrolment: Enrolment,
        first_sync: FirstSync,
        runner: TaskRunner,
        *,
        kiosk_mode: bool = True,
        language: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._enrolment = enrolment
        self._first_sync = first_sync
        self._runner = runner
        self._language = language
        self._state = HomeState(kiosk_mode=kiosk_mode, language=language or "en")

    @property
    def state(self) -> HomeState:
        return self._state

    # -- intents -------------------------------------------------------------------------------
    def start(self) -> None:
        self._runner.run(LOAD_TASK, self.load(), on_failure=self._on_bug)

    def retry(self) -> None:
        self.start()

    def on_connectivity_changed(self, online: bool) -> None:
        """Slot: when the central system comes back, finish what waited for it."""
        if (
            online
            and self._state.phase == HomePhase.WAITING_FOR_CENTRAL
            and not self._runner.is_running(LOAD_TASK)
        ):
            self.start()

    async def load(self) -> None:
        try:
            await self._load_once()
        except asyncio.CancelledError:
            self.sync_stopped.emit()
            raise
        except EnrolmentNeeded as exc:
            log.warning("enrolment needed: %s", exc)
            self._needs_enrolment(exc.issue)
        except CentralUnreachable as exc:
            log.info("start screen waits for the central system: %s", exc)
            self.sync_stopped.emit()
            self.central_unreachable.emit()
            self._set(replace(self._state, phase=HomePhase.WAITING_FOR_CENTRAL, problem=None))
        except CentralRejected as exc:
            if needs_enrolment(exc):
                # Refused again right after a fresh enrolment: only a person can sort this out.
                issue = (
                    EnrolmentIssue.DEVICE_REVOKED if exc.status == 403 else EnrolmentIssue.CREDENTIALS_REFUSED
                )
                self._needs_enrolment(issue)
            else:
                self._failed(HomeProblem.CENTRAL_FAILED, exc)
        except CentralFailed as exc:
            self._failed(HomeProblem.CENTRAL_FAILED, exc)
        except StoreNotFound as exc:
            self._failed(HomeProblem.STORE_UNKNOWN, exc)

    # -- steps ----------------------------------------------------------------------------------
    async def _load_once(self) -> None:
        self._set(replace(self._state, phase=HomePhase.ENROLLING, problem=None, enrolment_issue=None))
        record = await self._enrolment.ensure()
        try:
            await self._read(record)
        except CentralRejected as exc:
            if not needs_enrolment(exc):
                raise
            record = await self._enrolment.recover(exc)
            await self._read(record)

    async def _read(self, record: DeviceRecord) -> None:
        self._set(replace(self._state, phase=HomePhase.LOADING_STORE))
        store = await self._first_sync.store(record.location_id)
        self.central_reachable.emit()
        language = self._language or store.language or "en"
        self._set(replace(self._state, phase=HomePhase.COUNTING, store=store, language=language))
        summary = await self._first_sync.catalog(store.currency, self.sync_progressed.emit)
        self._set(
            replace(
                self._state,
                phase=HomePhase.READY,
                catalog=CatalogCount(summary.products, summary.categories),
                highlights=summary.highlights,
            )
        )
        self.sync_succeeded.emit()

    # -- outcomes -------------------------------------------------------------------------------
    def _needs_enrolment(self, issue: EnrolmentIssue) -> None:
        self.sync_stopped.emit()
        self.enrolment_needed.emit()
        self._set(replace(self._state, phase=HomePhase.NEEDS_ENROLMENT, enrolment_issue=issue, problem=None))

    def _failed(self, problem: HomeProblem, error: Exception) -> None:
        log.warning("start screen could not load: %s", error)
        self.sync_stopped.emit()
        if problem == HomeProblem.CENTRAL_FAILED:
            self.central_failed.emit()
        self._set(replace(self._state, phase=HomePhase.FAILED, problem=problem))

    def _on_bug(self, error: BaseException) -> None:
        del error  # the task runner logged it with its traceback
        self.sync_stopped.emit()
        self._set(replace(self._state, phase=HomePhase.FAILED, problem=HomeProblem.UNEXPECTED))

    def _set(self, state: HomeState) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)
