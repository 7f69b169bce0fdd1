"""What the start screen shows, as one frozen value."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.services.enrolment import EnrolmentIssue
from kiosk.services.store_overview import ProductSummary, StoreInfo


class HomePhase(StrEnum):
    STARTING = "starting"  # the backend (demo server, data folder) is not up yet
    ENROLLING = "enrolling"  # opening the data folder, enrolling this device
    WAITING_FOR_CENTRAL = "waiting_for_central"  # enrolling needs the central; retried by itself
    NEEDS_ENROLMENT = "needs_enrolment"
    FAILED = "failed"  # a retry button is offered
    SYNCING = "syncing"  # the first sync runs: shows what the cache holds so far
    READY = "ready"


class HomeProblem(StrEnum):
    """Why the screen is FAILED."""

    DEMO_FAILED = "demo_failed"
    DATA_DIR_BUSY = "data_dir_busy"
    DATA_DIR_UNUSABLE = "data_dir_unusable"
    CENTRAL_FAILED = "central_failed"
    UNEXPECTED = "unexpected"


@dataclass(frozen=True, slots=True)
class CatalogCount:
    products: int
    categories: int


_PROBLEM_PHASES = (HomePhase.WAITING_FOR_CENTRAL, HomePhase.NEEDS_ENROLMENT, HomePhase.FAILED)


@dataclass(frozen=True, slots=True)
class HomeState:
    phase: HomePhase = HomePhase.STARTING
    kiosk_mode: bool = True
    store: StoreInfo | None = None
    catalog: CatalogCount | None = None
    popular: tuple[ProductSummary, ...] = ()
    enrolment_issue: EnrolmentIssue | None = None
    problem: HomeProblem | None = None
    language: str = "en"  # for product names and numbers: the configured language, else the store's

    @property
    def can_retry(self) -> bool:
        return self.phase in _PROBLEM_PHASES

    @property
    def showing_problem(self) -> bool:
        """The problem page replaces the content only when there is no cached store to show instead."""
        return self.phase in _PROBLEM_PHASES and self.store is None

    @property
    def can_browse(self) -> bool:
        return self.catalog is not None and self.catalog.products > 0
