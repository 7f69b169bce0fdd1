"""The status strip's presenter: the sync engine's SyncStatus as the strip shows it, plus notices."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Final, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.services.enrolment import EnrolmentIssue, blocked_issue
from kiosk.ui.status.state import (
    BLOCKED_NOTICES,
    Connectivity,
    FirstSyncProgress,
    Notice,
    NoticeKind,
    StatusState,
)
from kiosk.ui.task_runner import TaskFailure
from offline_cache.engine import SyncStatus

log = logging.getLogger(__name__)

# The engine calls back on every change; this timer only keeps time-based texts current
# ("synced 3 min ago", an action turning overdue) while nothing else happens.
REFRESH_INTERVAL_MS: Final = 5000
OVERDUE_AFTER_S: Final = 300.0  # an action waiting longer than this turns the counter amber
_CONNECTIVITY: Final = {None: Connectivity.CONNECTING, True: Connectivity.ONLINE, False: Connectivity.OFFLINE}


class StatusSource(Protocol):
    """What the strip follows (SyncEngine implements it)."""

    def status(self) -> SyncStatus: ...

    def subscribe(self, callback: Callable[[SyncStatus], None]) -> Callable[[], None]: ...


def last_sync_epoch(status: SyncStatus) -> float | None:
    """The newest successful pull of any stream (seconds since the epoch), None if there was none."""
    newest: float | None = None
    for value in status.last_ok.values():
        if not value:
            continue
        try:
            at = datetime.fromisoformat(value).timestamp()
        except ValueError:
            continue  # the cache is outside input too: an unreadable time is no time
        newest = at if newest is None else max(newest, at)
    return newest


class StatusPresenter(QObject):
    """Holds the StatusState; emits `state_changed` on every change, `connectivity_changed` on flips and
    `blocked_changed` with the EnrolmentIssue (or None) when the engine's refusal changes."""

    state_changed = Signal(object)  # StatusState
    connectivity_changed = Signal(bool)  # True: online
    blocked_changed = Signal(object)  # EnrolmentIssue | None; also a SYNC_BLOCKED notice for other refusals
    sync_status = Signal(object)  # every SyncStatus read, for screens that follow the sync (the home screen)

    def __init__(
        self,
        *,
        wall_clock: Callable[[], float] = time.time,
        refresh_interval_ms: int = REFRESH_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._wall_clock = wall_clock
        self._state = StatusState()
        self._blocked: str | None = None
        self._source: StatusSource | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._source_failed = False
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_interval_ms)
        self._timer.timeout.connect(self.poll)

    @property
    def state(self) -> StatusState:
        return self._state

    # -- the engine ------------------------------------------------------------------------------
    def watch(self, source: StatusSource) -> None:
        """Follow ``source`` (the sync engine) from now on: its changes as they happen, time every few s."""
        self.stop_watching()
        self._source = source
        self._source_failed = False
        self._unsubscribe = source.subscribe(self.show_sync)
        self.poll()
        self._timer.start()

    def stop_watching(self) -> None:
        self._timer.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = None
        self._source = None

    def poll(self) -> None:
        if self._source is None:
            return
        try:
            status = self._source.status()
        except Exception:
            # A status read that fails (the cache closing under it) must not end the strip's updates.
            if not self._source_failed:
                log.exception("reading the sync status failed")
            self._source_failed = True
            return
        self._source_failed = False
        self.show_sync(status)

    def show_sync(self, status: SyncStatus) -> None:
        """Show ``status``: connectivity, last sync, actions waiting, first-sync progress, a refusal."""
        state = self._state
        connectivity = {
            None: Connectivity.CONNECTING,
            True: Connectivity.ONLINE,
            False: Connectivity.OFFLINE,
        }[status.online]
        last = last_sync_epoch(status)
        minutes = None if last is None else max(0, int((self._wall_clock() - last) // 60))
        overdue = status.pending > 0 and (status.oldest_pending_age or 0.0) > OVERDUE_AFTER_S
        # The engine reports progress while streams load whole: the first sync, or a rebuild.
        progress = None if status.progress is None else FirstSyncProgress(status.progress, status.eta_s)
        self._set(
            replace(
                state,
                connectivity=connectivity,
                last_sync_minutes=minutes,
                actions_waiting=status.pending,
                actions_overdue=overdue,
                progress=progress,
            )
        )
        if connectivity not in (state.connectivity, Connectivity.CONNECTING):
            self.connectivity_changed.emit(connectivity == Connectivity.ONLINE)
        self._show_blocked(status.blocked)
        self.sync_status.emit(status)

    def _show_blocked(self, blocked: str | None) -> None:
        if blocked == self._blocked:
            return
        self._blocked = blocked
        issue: EnrolmentIssue | None = None
        if blocked is None:
            self.clear_notice(*BLOCKED_NOTICES)
        else:
            log.warning("sync is blocked until a person acts: %s", blocked)
            issue = blocked_issue(blocked)
            kind = NoticeKind.ENROLMENT_NEEDED if issue is not None else NoticeKind.SYNC_BLOCKED
            self.show_notice(Notice(kind))
        self.blocked_changed.emit(issue)

    # -- notices from the rest of the app -------------------------------------------------------------
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

    def _set(self, state: StatusState) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)
