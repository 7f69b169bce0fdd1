"""What the associate sign-in screen shows, as one frozen value."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.services.associate_session import SignInProblem


class BadgePhase(StrEnum):
    WAITING = "waiting"  # for a badge scan or an employee id + PIN
    SIGNING_IN = "signing_in"
    SIGNED_IN = "signed_in"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class BadgeState:
    phase: BadgePhase = BadgePhase.WAITING
    problem: SignInProblem | None = None
    associate_name: str = ""
    role: str | None = None
