"""The sign-in screen's presenter, and the gate keeping associate screens closed without a signed-in badge."""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from kiosk.services.associate_session import (
    AssociateGrant,
    AssociateSession,
    NotSignedIn,
    SignInProblem,
    SignInRefused,
)
from kiosk.ui.screens.badge.state import BadgePhase, BadgeState
from kiosk.ui.task_runner import TaskRunner

log = logging.getLogger(__name__)

SIGN_IN_TASK = "badge.sign_in"


class BadgePresenter(QObject):
    """Holds the BadgeState; each intent is a plain method plus the coroutine behind it."""

    state_changed = Signal(object)  # BadgeState
    signed_in = Signal(object)  # AssociateGrant
    cancelled = Signal()

    def __init__(self, session: AssociateSession, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._runner = runner
        self._state = BadgeState()

    @property
    def state(self) -> BadgeState:
        return self._state

    def sign_in_badge(self, badge: str) -> None:
        self._runner.run(SIGN_IN_TASK, self.badge(badge), on_failure=self._on_bug)

    def sign_in_pin(self, employee_id: str, pin: str) -> None:
        self._runner.run(SIGN_IN_TASK, self.pin(employee_id, pin), on_failure=self._on_bug)

    def cancel(self) -> None:
        self._runner.cancel(SIGN_IN_TASK)
        self._set(BadgeState())
        self.cancelled.emit()

    def reset(self) -> None:
        """The idle reset: sign out and forget what was on the form."""
        self._runner.cancel(SIGN_IN_TASK)
        self._session.sign_out()
        self._set(BadgeState())

    async def badge(self, badge: str) -> None:
        self._set(BadgeState(BadgePhase.SIGNING_IN))
        try:
            grant = await self._session.sign_in_badge(badge)
        except SignInRefused as refused:
            self._set(BadgeState(BadgePhase.REFUSED, refused.problem))
            return
        self._granted(grant)

    async def pin(self, employee_id: str, pin: str) -> None:
        self._set(BadgeState(BadgePhase.SIGNING_IN))
        try:
            grant = await self._session.sign_in_pin(employee_id, pin)
        except SignInRefused as refused:
            self._set(BadgeState(BadgePhase.REFUSED, refused.problem))
            return
        self._granted(grant)

    def _granted(self, grant: AssociateGrant) -> None:
        self._set(BadgeState(BadgePhase.SIGNED_IN, None, grant.name, grant.role))
        self.signed_in.emit(grant)

    def _on_bug(self, error: BaseException) -> None:
        del error  # logged by the runner
        self._set(replace(self._state, phase=BadgePhase.REFUSED, problem=SignInProblem.FAILED))

    def _set(self, state: BadgeState) -> None:
        self._state = state
        self.state_changed.emit(state)


class AssociateGate(QObject):
    """The only way to an associate screen on a kiosk: opens it for a signed-in associate, else asks for one.

    The composition root shows a screen only on `open_screen`, and the badge screen on `sign_in_required`;
    after a successful sign-in (`on_signed_in`) the screen that was asked for opens.
    """

    open_screen = Signal(str)
    sign_in_required = Signal(str)

    def __init__(self, session: AssociateSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._pending: tuple[str, str] | None = None

    @property
    def pending(self) -> str | None:
        return self._pending[0] if self._pending is not None else None

    def request(self, screen: str, role: str = "associate") -> bool:
        """True when ``screen`` opened now; otherwise the sign-in is asked for and the screen waits."""
        try:
            self._session.require(role)
        except NotSignedIn:
            self._pending = (screen, role)
            self.sign_in_required.emit(screen)
            return False
        self._pending = None
        self.open_screen.emit(screen)
        return True

    def on_signed_in(self, grant: object) -> None:
        del grant  # the session holds it; the gate asks the session, never trusts a signal's payload
        if self._pending is None:
            return
        screen, role = self._pending
        self.request(screen, role)

    def cancel(self) -> None:
        self._pending = None

    def lock(self) -> None:
        """The idle reset: sign out; nothing associate stays reachable."""
        self._pending = None
        self._session.sign_out()
