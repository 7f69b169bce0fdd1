"""The attract screen's presenter (start, language, high contrast, staff entry) and the kiosk's idle reset."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from kiosk.ui.idle_watch import IdleWatch
from kiosk.ui.screens.attract.state import AttractState

log = logging.getLogger(__name__)


class AttractPresenter(QObject):
    """Holds the AttractState; what a tap asks for goes out as a signal the composition root wires."""

    state_changed = Signal(object)  # AttractState
    start_requested = Signal()  # show the landing screen (home: popular products and search)
    staff_requested = Signal()  # an associate wants in: the badge gate decides
    language_requested = Signal(str)  # for the LanguageController; its language_changed comes back here
    high_contrast_requested = Signal(bool)  # apply the high-contrast theme (True) or the configured one

    def __init__(
        self,
        *,
        language: str,
        default_high_contrast: bool = False,
        store_name: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._default_high_contrast = default_high_contrast
        self._state = AttractState(language, default_high_contrast, store_name)

    @property
    def state(self) -> AttractState:
        return self._state

    def start(self) -> None:
        self.start_requested.emit()

    def staff(self) -> None:
        self.staff_requested.emit()

    def choose_language(self, language: str) -> None:
        self.language_requested.emit(language)

    def set_store_name(self, name: str) -> None:
        """The store's name from the cache (outside input: only its first line, at most 80 characters)."""
        text = name.strip().splitlines()[0][:80] if isinstance(name, str) and name.strip() else ""
        if text != self._state.store_name:
            self._set(replace(self._state, store_name=text))

    def on_language_changed(self, language: str) -> None:
        self._set(replace(self._state, language=language))

    def toggle_high_contrast(self) -> None:
        self._set_contrast(not self._state.high_contrast)

    def reset(self) -> None:
        """The idle reset: the next customer gets the configured theme, not the last one's choice."""
        self._set_contrast(self._default_high_contrast)

    def _set_contrast(self, on: bool) -> None:
        if on != self._state.high_contrast:
            self._set(replace(self._state, high_contrast=on))
            self.high_contrast_requested.emit(on)

    def _set(self, state: AttractState) -> None:
        self._state = state
        self.state_changed.emit(state)


class IdleReset(QObject):
    """Runs every registered reset step when the kiosk has been idle: nothing personal stays.

    Steps run in the order they were added, and one that fails (a bug) is logged and the others still
    run: a broken step must never leave the last customer's bag, session or search on screen.
    """

    done = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps: list[tuple[str, Callable[[], None]]] = []

    @property
    def step_names(self) -> list[str]:
        return [name for name, _ in self._steps]

    def add(self, name: str, step: Callable[[], None]) -> None:
        self._steps.append((name, step))

    def watch(self, idle: IdleWatch) -> None:
        idle.idle.connect(self.run)

    def run(self) -> None:
        for name, step in self._steps:
            try:
                step()
            except Exception:
                log.exception("idle reset step %r failed; continuing with the others", name)
        log.info("idle reset: %d steps", len(self._steps))
        self.done.emit()
