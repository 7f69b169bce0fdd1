"""Kiosk inactivity: after a quiet period with no touch, key or scan, return to the start screen."""

from __future__ import annotations

from typing import override

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

# Events that mean "a person is here". Mouse moves are left out: a stray cursor is not a customer.
_ACTIVITY = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.KeyPress,
    QEvent.Type.Wheel,
}


class IdleWatch(QObject):
    """An application-wide event filter that emits `idle` once per quiet period."""

    idle = Signal()

    def __init__(self, timeout_seconds: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, round(timeout_seconds * 1000)))
        self._timer.timeout.connect(self.idle)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._timer.start()
        return False
