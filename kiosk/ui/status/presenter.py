"""The status strip's presenter: connectivity from periodic health checks, sync progress, notices."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from kiosk.services.connectivity import HealthCheck
from kiosk.services.first_sync import SyncProgress
from kiosk.ui.status.state import Connectivity, FirstSyncProgress, Notice, NoticeKind, StatusState
from kiosk.ui.task_runner import TaskFailure, TaskRunner

log = logging.getLogger(__name__)

HEALTH_INTERVAL = 5.0
WATCH_TASK = "status.health"


def _now() -> datetime:
    return datetime.now().astimezone()


class StatusPresenter(QObject):
    """Holds the StatusState; emits `state_changed` on every change and `connectivity_changed` on flips."""

    state_changed = Signal(object)  # StatusState
    connectivity_changed = Signal(bool)  # True: online

    def __init__(
        self,
        runner: TaskRunner,
        *,
        interval: float = HEALTH_INTERVAL,
        clock: Callable[[], datetime] = _now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._interval = interval
        self._clock = clock
        self._health: HealthCheck | None = None
        self._state = StatusState()

    @property
    def state(self) -> StatusState:
        return self._state

    # -- intents -------------------------------------------------------------------------
    def attach(self, health: HealthCheck) -> None:
        """The probe to use from now on (the central URL is known only once the backend is up)."""
        self._health = health

    def watch(self, health: HealthCheck) -> None:
        """Attach ``health`` and check the central API every few seconds from now on."""
        self.attach(health)
        self._runner.run(WATCH_TASK, self._watch())

    def check_now(self) -> None:
        self._runner.run("status.check", self.check_health())

    async def check_health(self) -> None:
        if self._health is None:
            return
        reachable = await self._health.probe()
        self._set_connectivity(Connectivity.ONLINE if reachable else Connectivity.OFFLINE)

    async def _watch(self) -> None:
        while True:
            try:
                await self.check_health()
            except Exception:
                # A bug in one probe must not end the watching for good: log it and keep going.
                log.exception("health check failed unexpectedly")
                self._set_connectivity(Connectivity.OFFLINE)
            await asyncio.sleep(self._interval)

    # -- reports from other parts of the app --------------------------------------------------
    def central_unreachable(self) -> None:
        """A request elsewhere found the central API unreachable: show it now, not at the next probe."""
        if self._health is not None:
            self._health.note(False, "a request failed to connect")
        self._set_connectivity(Connectivity.OFFLINE)

    def central_reachable(self) -> None:
        if self._health is not None:
            self._health.note(True)
        self._set_connectivity(Connectivity.ONLINE)

    def sync_progressed(self, progress: SyncProgress) -> None:
        self._set(
            replace(
                self._state,
                progress=FirstSyncProgress(
                    progress.items, progress.done, progress.total, progress.eta_seconds
                ),
            )
        )

    def sync_succeeded(self) -> None:
        self._set(replace(self._state, progress=None, last_sync_at=self._clock()))

    def sync_stopped(self) -> None:
        """The sync ended without success (offline, refused): drop the progress, keep the last sync time."""
        self._set(replace(self._state, progress=None))

    def show_notice(self, notice: Notice) -> None:
        self._set(replace(self._state, notice=notice))

    def clear_notice(self, *kinds: NoticeKind) -> None:
        """Clear the notice, or only a notice of one of ``kinds``."""
        current = self._state.notice
        if current is not None and (not kinds or current.kind in kinds):
            self._set(replace(self._state, notice=None))

    def report_failure(self, failure: TaskFailure) -> None:
        """An unexpected error somewhere: a friendly message here; the details are in the log."""
        del failure  # logged with its traceback where it happened
        self._set(replace(self._state, notice=Notice(NoticeKind.UNEXPECTED_ERROR)))

    # -- internals ---------------------------------------------------------------------------
    def _set_connectivity(self, connectivity: Connectivity) -> None:
        if connectivity == self._state.connectivity:
            return
        self._set(replace(self._state, connectivity=connectivity))
        self.connectivity_changed.emit(connectivity == Connectivity.ONLINE)

    def _set(self, state: StatusState) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)
