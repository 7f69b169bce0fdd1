"""The status strip widget: online/offline, first-sync progress with time left, last sync, actions waiting."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from kiosk.ui.screen_view import ScreenView
from kiosk.ui.status.state import Connectivity, Notice, NoticeKind, StatusState

STRIP_HEIGHT = 64


def _repolish(widget: QWidget) -> None:
    # QSS attribute selectors ([connectivity="online"]) are evaluated at polish time only.
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def _set_style_property(widget: QWidget, name: str, value: object) -> None:
    if widget.property(name) != value:
        widget.setProperty(name, value)
        _repolish(widget)


class StatusView(ScreenView[StatusState]):
    """Passive: draws a StatusState; no timers, no business rules."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(StatusState(), parent)

    def _setup_ui(self) -> None:
        self.setObjectName("statusView")
        self.setFixedHeight(STRIP_HEIGHT)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # The theme styles a QFrame#statusStrip (background, top border): a plain QWidget would not paint it.
        strip = QFrame(self)
        strip.setObjectName("statusStrip")
        outer.addWidget(strip)
        layout = QHBoxLayout(strip)
        layout.setContentsMargins(20, 8, 20, 8)
        layout.setSpacing(20)

        self._connectivity = QLabel(strip)
        self._connectivity.setObjectName("connectivityBadge")
        self._connectivity.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._connectivity.setMinimumWidth(150)
        layout.addWidget(self._connectivity)

        middle = QVBoxLayout()
        middle.setSpacing(4)
        self._message = QLabel(strip)
        self._message.setObjectName("statusMessage")
        self._message.setTextFormat(Qt.TextFormat.PlainText)
        middle.addWidget(self._message)
        self._progress = QProgressBar(strip)
        self._progress.setObjectName("syncProgress")
        self._progress.setRange(0, 1000)
        self._progress.setTextVisible(False)
        self._progress.setFixedHeight(8)
        middle.addWidget(self._progress)
        layout.addLayout(middle, 1)

        self._last_sync = QLabel(strip)
        self._last_sync.setObjectName("lastSyncLabel")
        self._last_sync.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self._last_sync)

        self._waiting = QLabel(strip)
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

    # -- drawing ----------------------------------------------------------------------------
    def _render(self, state: StatusState) -> None:
        self._connectivity.setText(self._connectivity_text(state.connectivity))
        _set_style_property(self._connectivity, "connectivity", state.connectivity.value)

        severity = state.notice.severity.value if state.notice is not None else "info"
        _set_style_property(self._message, "severity", severity)
        self._message.setText(self._message_text(state))

        self._progress.setVisible(state.progress is not None)
        if state.progress is not None:
            self._progress.setValue(round(min(max(state.progress.fraction, 0.0), 1.0) * 1000))

        self._last_sync.setText(self._last_sync_text(state.last_sync_minutes))
        if state.actions_waiting == 0:
            self._waiting.setText(self.tr("Nothing waiting to send"))
        else:
            self._waiting.setText(self.tr("Waiting to send: %n", "", state.actions_waiting))
        # The theme's [waiting="true"] is amber: only once the oldest action has waited too long.
        _set_style_property(self._waiting, "waiting", state.actions_overdue)

    def _connectivity_text(self, connectivity: Connectivity) -> str:
        if connectivity == Connectivity.ONLINE:
            return self.tr("● Online")
        if connectivity == Connectivity.OFFLINE:
            return self.tr("● Offline")
        return self.tr("● Connecting…")

    def _last_sync_text(self, minutes: int | None) -> str:
        if minutes is None:
            return self.tr("Not synced yet")
        if minutes < 1:
            return self.tr("Synced just now")
        if minutes < 60:
            return self.tr("Synced %n min ago", "", minutes)
        if minutes < 48 * 60:
            return self.tr("Synced %n h ago", "", minutes // 60)
        return self.tr("Synced %n days ago", "", minutes // (24 * 60))

    def _message_text(self, state: StatusState) -> str:
        # A notice outranks progress; progress outranks the idle summary.
        if state.notice is not None:
            return self._notice_text(state.notice)
        if state.progress is not None:
            text = self.tr("Downloading the catalog… {percent}%").format(percent=state.progress.percent)
            if state.progress.eta_seconds is not None and state.progress.fraction < 1.0:
                text += " · " + self._eta_text(state.progress.eta_seconds)
            if state.connectivity == Connectivity.OFFLINE:
                text += " · " + self.tr("paused while offline")
            return text
        if state.connectivity == Connectivity.OFFLINE:
            if state.last_sync_minutes is not None:
                return self.tr("Working offline with the data from the last sync")
            return self.tr("Waiting for the central system…")
        if state.connectivity == Connectivity.CONNECTING:
            return self.tr("Connecting to the central system…")
        if state.last_sync_minutes is not None:
            return self.tr("All data up to date")
        return self.tr("Connected")

    def _notice_text(self, notice: Notice) -> str:
        kind = notice.kind
        if kind == NoticeKind.DEMO_STARTING:
            return self.tr("Starting the demo store server…")
        if kind == NoticeKind.DEMO_SEEDING:
            return self.tr("Creating the demo store (first start only)… {done} of {total} products").format(
                done=self.locale().toString(notice.done), total=self.locale().toString(notice.total)
            )
        if kind == NoticeKind.DEMO_FAILED:
            return self.tr("The demo server could not start. The log file has the details.")
        if kind == NoticeKind.DATA_DIR_BUSY:
            return self.tr("Another copy of the app or kiosk-sync is using this data folder.")
        if kind == NoticeKind.DATA_DIR_UNUSABLE:
            return self.tr("The data folder cannot be used. The log file has the details.")
        if kind == NoticeKind.ENROLMENT_NEEDED:
            return self.tr("This device needs to be enrolled again. Ask a store manager.")
        if kind == NoticeKind.SYNC_BLOCKED:
            return self.tr("The central system refuses to sync with this device. Ask a store manager.")
        if kind == NoticeKind.CENTRAL_FAILED:
            return self.tr("The central system answered with an error. Trying again later.")
        return self.tr("Something went wrong and the screen was reset. The details are in the log.")

    def _eta_text(self, seconds: float) -> str:
        if seconds < 60:
            return self.tr("about %n s left", "", max(1, round(seconds)))
        return self.tr("about %n min left", "", round(seconds / 60))
