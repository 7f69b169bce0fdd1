"""What the status strip shows, as one frozen value."""

from __future__ import annotations

from dataclasses import dataclass
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
    DATA_DIR_BUSY = "data_dir_busy"  # another copy of the app or kiosk-sync holds the data folder
    DATA_DIR_UNUSABLE = "data_dir_unusable"  # the data folder or its files cannot be opened
    ENROLMENT_NEEDED = "enrolment_needed"
    SYNC_BLOCKED = "sync_blocked"  # the central refuses this device for another reason a person must fix
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
    NoticeKind.DATA_DIR_BUSY: Severity.ERROR,
    NoticeKind.DATA_DIR_UNUSABLE: Severity.ERROR,
    NoticeKind.ENROLMENT_NEEDED: Severity.WARNING,
    NoticeKind.SYNC_BLOCKED: Severity.WARNING,
    NoticeKind.CENTRAL_FAILED: Severity.WARNING,
    NoticeKind.UNEXPECTED_ERROR: Severity.ERROR,
}

# Notices that describe the sync engine's refusal; they go away when the engine stops being blocked.
BLOCKED_NOTICES = (NoticeKind.ENROLMENT_NEEDED, NoticeKind.SYNC_BLOCKED)


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
    """The first sync's progress: 0..1 done, and seconds left (None until the rate is known)."""

    fraction: float
    eta_seconds: float | None

    @property
    def percent(self) -> int:
        return int(min(max(self.fraction, 0.0), 1.0) * 100)


@dataclass(frozen=True, slots=True)
class StatusState:
    connectivity: Connectivity = Connectivity.CONNECTING
    # Whole minutes since the newest successful pull (None: never). Minutes, not a time stamp, so the
    # state (and the screen) changes only when the text "synced 3 min ago" does.
    last_sync_minutes: int | None = None
    actions_waiting: int = 0
    actions_overdue: bool = False  # the oldest waiting action is older than OVERDUE_AFTER
    progress: FirstSyncProgress | None = None
    notice: Notice | None = None
