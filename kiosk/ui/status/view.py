"""The status strip widget: online/offline, sync progress with time left, last sync, actions waiting."""

from __future__ import annotations

from datetime import datetime
from typing import override

from PySide6.QtCore import QDate, QDateTime, QEvent, QLocale, Qt, QTime
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from kiosk.ui.status.state import Connectivity, Notice, NoticeKind, StatusState

STRIP_HEIGHT = 64


def _repolish(widget: QWidget) -> None:
    # QSS attribute selectors ([connectivity="online"]) are evaluated at polish time only.
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


class StatusView(QFrame):
    """Passive: draws a StatusState; no timers, no business rules."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = StatusState()
        self._setup_ui()
        self.retranslate()

    def _setup_ui(self) -> None:
        self.setObjectName("statusStrip")
        self.setFixedHeight(STRIP_HEIGHT)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 8, 20, 8)
        layout.setSpacing(20)

        self._connectivity = QLabel(self)
        self._connectivity.setObjectName("connectivityBadge")
        self._connectivity.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._connectivity.setMinimumWidth(150)
        layout.addWidget(self._connectivity)

        middle = QVBoxLayout()
        middle.setSpacing(4)
        self._message = QLabel(self)
        self._message.setObjectName("statusMessage")
        self._message.setTextFormat(Qt.TextFormat.PlainText)
        middle.addWidget(self._message)
        self._progress = QProgressBar(self)
        self._progress.setObjectName("syncProgress")
        self._progress.setRange(0, 1000)
        self._progress.setTextVisible(False)
        self._progress.setFixedHeight(8)
        middle.addWidget(self._progress)
        layout.addLayout(middle, 1)

        self._last_sync = QLabel(self)
        self._last_sync.setObjectName("lastSyncLabel")
        self._last_sync.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self._last_sync)

        self._waiting = QLabel(self)
        self._waiting.setObjectName("actionsWaitingLabel")
        self._waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self._waiting)

    def retranslate(self) -> None:
        self.setAccessibleName(self.tr("Sync status"))
        self._connectivity.setAccessibleName(self.tr("Connection"))
        self._message.setAccessibleName(self.tr("Status message"))
        self._progress.setAccessibleName(self.tr("Catalog download progress"))
        self._last_sync.setAccessibleName(self.tr("Last successful sync"))
        self._waiting.setAccessibleName(self.tr("Actions waiting to be sent"))
        self._render(self._state)

    @override
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def render_state(self, state: object) -> None:
        """Slot for StatusPresenter.state_changed."""
        if isinstance(state, StatusState):
            self._state = state
            self._render(state)

    # -- drawing ----------------------------------------------------------------------------
    def _render(self, state: StatusState) -> None:
        self._connectivity.setText(self._connectivity_text(state.connectivity))
        if self._connectivity.property("connectivity") != state.connectivity.value:
            self._connectivity.setProperty("connectivity", state.connectivity.value)
            _repolish(self._connectivity)

        severity = state.notice.severity.value if state.notice is not None else "info"
        if self._message.property("severity") != severity:
            self._message.setProperty("severity", severity)
            _repolish(self._message)
        self._message.setText(self._message_text(state))

        self._progress.setVisible(state.progress is not None)
        if state.progress is not None:
            self._progress.setValue(round(state.progress.fraction * 1000))

        if state.last_sync_at is None:
            self._last_sync.setText(self.tr("Not synced yet"))
        else:
            self._last_sync.setText(self.tr("Last sync {time}").format(time=self._when(state.last_sync_at)))
        if state.actions_waiting == 0:
            self._waiting.setText(self.tr("Nothing waiting to send"))
        else:
            self._waiting.setText(self.tr("Waiting to send: {count}").format(count=state.actions_waiting))
        if self._waiting.property("waiting") != (state.actions_waiting > 0):
            self._waiting.setProperty("waiting", state.actions_waiting > 0)
            _repolish(self._waiting)

    def _connectivity_text(self, connectivity: Connectivity) -> str:
        if connectivity == Connectivity.ONLINE:
            return self.tr("● Online")
        if connectivity == Connectivity.OFFLINE:
            return self.tr("● Offline")
        return self.tr("● Connecting…")

    def _message_text(self, state: StatusState) -> str:
        # A notice outranks progress; progress outranks the idle summary.
        if state.notice is not None:
            return self._notice_text(state.notice)
        if state.progress is not None:
            progress = state.progress
            percent = round(progress.fraction * 100)
            text = self.tr("Downloading the catalog… {items} items, {percent}%").format(
                items=QLocale().toString(progress.items), percent=percent
            )
            if progress.eta_seconds is not None and progress.fraction < 1.0:
                text += " · " + self._eta_text(progress.eta_seconds)
            return text
        if state.connectivity == Connectivity.OFFLINE:
            if state.last_sync_at is not None:
                return self.tr("Working offline with the data from the last sync")
            return self.tr("Waiting for the central system…")
        if state.connectivity == Connectivity.CONNECTING:
            return self.tr("Connecting to the central system…")
        if state.last_sync_at is not None:
            return self.tr("All data up to date")
        return self.tr("Connected")

    def _notice_text(self, notice: Notice) -> str:
        kind = notice.kind
        if kind == NoticeKind.DEMO_STARTING:
            return self.tr("Starting the demo store server…")
        if kind == NoticeKind.DEMO_SEEDING:
            return self.tr("Creating the demo store (first start only)… {done} of {total} products").format(
                done=QLocale().toString(notice.done), total=QLocale().toString(notice.total)
            )
        if kind == NoticeKind.DEMO_FAILED:
            return self.tr("The demo server could not start. The log file has the details.")
        if kind == NoticeKind.ENROLMENT_NEEDED:
            return self.tr("This device needs to be enrolled again. Ask a store manager.")
        if kind == NoticeKind.CENTRAL_FAILED:
            return self.tr("The central system answered with an error. Trying again later.")
        return self.tr("Something went wrong and the screen was reset. The details are in the log.")

    def _eta_text(self, seconds: float) -> str:
        if seconds < 60:
            return self.tr("about {seconds} s left").format(seconds=max(1, round(seconds)))
        return self.tr("about {minutes} min left").format(minutes=round(seconds / 60))

    def _when(self, at: datetime) -> str:
        local = at.astimezone()
        time_text = QLocale().toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
        if local.date() == datetime.now().astimezone().date():
            return time_text
        date = QDate(local.year, local.month, local.day)
        return QLocale().toString(
            QDateTime(date, QTime(local.hour, local.minute)), QLocale.FormatType.ShortFormat
        )
