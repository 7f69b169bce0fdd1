"""Keyboard-wedge barcode scanners told apart from human typing by keystroke timing."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import override

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

_TERMINATORS = frozenset({int(Qt.Key.Key_Return), int(Qt.Key.Key_Enter), int(Qt.Key.Key_Tab)})
# A scan is plain characters; a chord with these is a shortcut, never part of a code.
_CHORD = (
    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
)
MAX_CODE_LENGTH = 128  # longer than any GS1 element string a product label carries


@dataclass(frozen=True, slots=True)
class WedgeTiming:
    """What counts as a scanner burst: at least ``min_length`` characters, each at most ``max_gap_ms``
    after the previous one, ended by one of ``terminators`` (Enter or Tab by default).

    Scanners type a whole code within a few milliseconds per character; people need 80 ms or more
    between keys, and even fast typists rarely keep six keys under 30 ms apart.
    """

    max_gap_ms: int = 30
    min_length: int = 6
    terminators: frozenset[int] = field(default=_TERMINATORS)


@dataclass(slots=True)
class _HeldKey:
    receiver: QObject
    key: int
    modifiers: Qt.KeyboardModifier
    text: str
    at: float


class ScannerWedge(QObject):
    """An application-wide event filter for one screen: a scanner burst becomes ``scanned(code)``.

    Every printable key pressed inside ``scope`` is held back for at most ``max_gap_ms``: if the next
    key follows that fast the burst grows, otherwise the held keys are delivered, in order, to the
    widgets they were meant for. A person therefore sees each character a few milliseconds late and
    nothing else changes, while a scan never lands in the search field (or any other field) first.
    The filter watches the whole application because a scan must work wherever the focus is.
    """

    scanned = Signal(str)

    def __init__(
        self,
        scope: QWidget,
        timing: WedgeTiming | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(scope)
        self._scope = scope
        self._timing = timing or WedgeTiming()
        self._clock = clock
        self._held: list[_HeldKey] = []
        self._replaying = False
        self._installed = False
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self.flush)

    @property
    def timing(self) -> WedgeTiming:
        return self._timing

    def set_timing(self, timing: WedgeTiming) -> None:
        self.flush()
        self._timing = timing

    def install(self) -> None:
        """Start watching (when the screen is shown); idempotent."""
        app = QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def uninstall(self) -> None:
        """Stop watching (when the screen is hidden); keys still held are delivered first."""
        self.flush()
        app = QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    @property
    def holding(self) -> str:
        """The characters held back right now (for tests and diagnostics)."""
        return "".join(held.text for held in self._held)

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not self._in_scope(watched):
            return False
        now = self._clock()
        if self._held and (now - self._held[-1].at) * 1000 > self._timing.max_gap_ms:
            # The previous keys were typed slowly; the timer may simply not have fired yet.
            self.flush()
        key = event.key()
        if key in self._timing.terminators and not event.modifiers() & _CHORD:
            return self._terminate()
        text = event.text()
        if not _printable(text) or event.modifiers() & _CHORD or len(self._held) >= MAX_CODE_LENGTH:
            self.flush()
            return False
        self._held.append(_HeldKey(watched, key, event.modifiers(), text, now))
        self._flush_timer.start(self._timing.max_gap_ms)
        return True

    def flush(self) -> None:
        """Deliver the held keys to their widgets as if nothing had come between."""
        self._flush_timer.stop()
        held, self._held = self._held, []
        self._replaying = True
        try:
            for key in held:
                if shiboken6.isValid(key.receiver):
                    press = QKeyEvent(QEvent.Type.KeyPress, key.key, key.modifiers, key.text)
                    QCoreApplication.sendEvent(key.receiver, press)
        finally:
            self._replaying = False

    def _terminate(self) -> bool:
        """Enter or Tab: a scan if the burst is long enough, else ordinary keys (delivered, not eaten)."""
        if len(self._held) >= self._timing.min_length:
            code = self.holding
            self._held = []
            self._flush_timer.stop()
            self.scanned.emit(code)
            return True
        self.flush()
        return False

    def _in_scope(self, watched: QObject) -> bool:
        if not self._scope.isVisible() or not isinstance(watched, QWidget):
            return False
        if watched is self._scope or self._scope.isAncestorOf(watched):
            return True
        # With no widget focused, keys go to the window itself: a scan there is still for this screen.
        window = self._scope.window()
        return watched is window and window.focusWidget() is None


def _printable(text: str) -> bool:
    return len(text) == 1 and text.isprintable()
