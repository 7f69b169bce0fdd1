"""Whether the central API answers: a health probe that logs an outage once as it starts and as it ends."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from kiosk.api.contract import Health
from kiosk.api.errors import CentralError

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 4.0  # below the 5 s check interval, so a hung server never stacks probes


class HealthSource(Protocol):
    async def health(self) -> Health: ...


class HealthCheck:
    """Probes ``/v1/health``; `probe()` answers True (reachable) or False, never raises a CentralError."""

    def __init__(self, source: HealthSource, *, timeout: float = PROBE_TIMEOUT) -> None:
        self._source = source
        self._timeout = timeout
        self._reachable: bool | None = None

    @property
    def reachable(self) -> bool | None:
        """The last probe's answer (None before the first)."""
        return self._reachable

    async def probe(self) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                health = await self._source.health()
            ok = health.status == "ok"
            reason = "" if ok else f"status {health.status!r}"
        except TimeoutError:
            ok, reason = False, f"no answer within {self._timeout:g} s"
        except CentralError as exc:
            ok, reason = False, str(exc)
        self.note(ok, reason)
        return ok

    def note(self, reachable: bool, reason: str = "") -> None:
        """Record what a probe (or any other request) found; logs only the transitions."""
        if reachable and self._reachable is False:
            log.info("central API reachable again")
        elif not reachable and self._reachable is not False:
            log.warning("central API not reachable: %s", reason or "unknown reason")
        self._reachable = reachable
