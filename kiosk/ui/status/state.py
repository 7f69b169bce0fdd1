"""What the status strip shows, as one frozen value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Connectivity(StrEnum):
    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"


class NoticeKind(StrEnum):
    """Messages the strip can show; the view turns each into translated text."""

    DEMO_STARTING = "demo_starting"
    DEMO_SEEDING = "demo_seeding"
    DEMO_FAILED = "demo_failed"
    ENROLMENT_NEEDED = "enrolment_needed"
    CENTRAL_FAILED = "central_failed"
    UNEXPECTED_ERROR = "unexpected_error"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


SEVERITY = {
    NoticeKind.DEMO_STARTING: Severity.INFO,
    NoticeKind.DEMO_SEEDING: Severity.INFO,
    NoticeKind.DEMO_FAILED: Severity.ERROR,
    NoticeKind.ENROLMENT_NEEDED: Severity.WARNING,
    NoticeKind.CENTRAL_FAILED: Severity.WARNING,
    NoticeKind.UNEXPECTED_ERROR: Severity.ERROR,
}


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NoticeKind
    done: int = 0  # for DEMO_SEEDING: products seeded so far
    total: int = 0

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.kind]


@dataclass(frozen=True, slots=True)
class FirstSyncProgress:
    """The first sync's progress: positions done/total, items received, seconds left (None: unknown yet)."""

    items: int
    done: int
    total: int
    eta_seconds: float | None

    @property
    def fraction(self) -> float:
        return min(max(self.done / self.total, 0.0), 1.0) if self.total > 0 else 0.0


@dataclass(frozen=True, slots=True)
class StatusState:
    connectivity: Connectivity = Connectivity.CONNECTING
    last_sync_at: datetime | None = None
    actions_waiting: int = 0  # always 0 until the outbox exists
    progress: FirstSyncProgress | None = None
    notice: Notice | None = None
