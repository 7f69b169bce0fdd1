"""The base of every passive screen view: build once, retranslate on language change, draw a frozen state."""

from __future__ import annotations

from typing import override

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QWidget


class ScreenView[S](QWidget):
    """Subclasses implement `_setup_ui()` (widgets, objectNames), `retranslate()` (every text and
    accessibleName) and `_render(state)` (draw one state). The language can change at any time (a kiosk
    customer taps a flag), so a language change sets the texts again and redraws the current state, whose
    formatting (prices, dates) may depend on the language too.
    """

    def __init__(self, initial: S, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = initial
        self._setup_ui()
        self.retranslate()
        self._render(initial)

    @property
    def state(self) -> S:
        return self._state

    def _setup_ui(self) -> None:
        raise NotImplementedError

    def retranslate(self) -> None:
        raise NotImplementedError

    def _render(self, state: S) -> None:
        raise NotImplementedError

    def render_state(self, state: S) -> None:
        """Slot for the presenter's ``state_changed``."""
        self._state = state
        self._render(state)

    @override
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self._render(self._state)
        super().changeEvent(event)
