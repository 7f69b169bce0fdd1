"""What the start screen shows, as one frozen value."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.services.enrolment import EnrolmentIssue
from kiosk.services.first_sync import ProductHighlight, StoreInfo


class HomePhase(StrEnum):
    STARTING = "starting"  # the backend (demo server, client) is not ready yet
    ENROLLING = "enrolling"
    LOADING_STORE = "loading_store"
    COUNTING = "counting"  # the store is known, the catalog walk is running
    READY = "ready"
    WAITING_FOR_CENTRAL = "waiting_for_central"  # unreachable; retried when it comes back
    NEEDS_ENROLMENT = "needs_enrolment"
    FAILED = "failed"  # the central system or the demo failed; a retry button is offered


class HomeProblem(StrEnum):
    """Why the screen is not READY, beyond the enrolment issues."""

    CENTRAL_FAILED = "central_failed"
    STORE_UNKNOWN = "store_unknown"
    DEMO_FAILED = "demo_failed"
    UNEXPECTED = "unexpected"


@dataclass(frozen=True, slots=True)
class CatalogCount:
    products: int
    categories: int


@dataclass(frozen=True, slots=True)
class HomeState:
    phase: HomePhase = HomePhase.STARTING
    kiosk_mode: bool = True
    store: StoreInfo | None = None
    catalog: CatalogCount | None = None
    highlights: tuple[ProductHighlight, ...] = ()
    enrolment_issue: EnrolmentIssue | None = None
    problem: HomeProblem | None = None
    language: str = "en"  # for product names: the configured language, else the store's

    @property
    def can_retry(self) -> bool:
        return self.phase in (HomePhase.FAILED, HomePhase.WAITING_FOR_CENTRAL, HomePhase.NEEDS_ENROLMENT)
