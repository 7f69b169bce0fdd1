"""`FaultyTransport`: an httpx transport around the real central app that loses, repeats and delays.

Each terminal has its own transport (and its own seeded RNG, so one terminal's faults do not depend
on how the others interleave); they share a `FaultNet`: the in-process server, the fault counters,
the history and the heal switch. Faults per request (SYNC_DESIGN 4.2):

- ``drop_before``: ConnectError, the server never saw the request;
- ``drop_after``: the server commits, then the client gets ReadTimeout (the Odoo bug);
- ``duplicate``: a concurrent second copy, itself maybe delayed past later requests;
- ``delay``: the request waits before it reaches the server (independent of the rest);
- ``unavailable`` (503), ``throttle`` (429 + Retry-After);
- ``partition``: every request of this terminal fails for a window;
- ``garble``: the server commits, the answer arrives truncated.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
from dataclasses import dataclass, field, fields
from typing import Any, Final

import httpx

from tests.offline_cache.faults.history import History

PUSH_PATH: Final = "/v1/sync/push"
EVENTS_PATH: Final = "/v1/sync/events"


class SimulatedCrash(BaseException):
    """The client process dies here; a BaseException so no ``except Exception`` in the app swallows it."""


@dataclass(frozen=True, slots=True)
class FaultRates:
    drop_before: float = 0.10
    drop_after: float = 0.10
    duplicate: float = 0.05
    unavailable: float = 0.05
    throttle: float = 0.03
    partition: float = 0.02
    garble: float = 0.02
    delay: float = 0.20
    max_delay_s: float = 2.0
    partition_s: tuple[float, float] = (5.0, 60.0)
    retry_after_s: tuple[int, int] = (1, 5)

    def exclusive(self) -> list[tuple[str, float]]:
        return [
            ("drop_before", self.drop_before),
            ("drop_after", self.drop_after),
            ("duplicate", self.duplicate),
            ("unavailable", self.unavailable),
            ("throttle", self.throttle),
            ("partition", self.partition),
            ("garble", self.garble),
        ]


@dataclass(slots=True)
class FaultCounts:
    """What was injected; summed over seeds for the report."""

    requests: int = 0
    pushes: int = 0
    pulls: int = 0
    forwarded: int = 0
    drop_before: int = 0
    drop_after: int = 0
    duplicate: int = 0
    delay: int = 0
    unavailable: int = 0
    throttle: int = 0
    partition: int = 0
    partitioned: int = 0  # requests refused inside a partition window
    garble: int = 0
    crashes: int = 0

    def add(self, other: FaultCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class FaultNet:
    """The network all terminals of one run share."""

    inner: httpx.AsyncBaseTransport
    history: History
    rates: FaultRates = field(default_factory=FaultRates)
    counts: FaultCounts = field(default_factory=FaultCounts)
    healed: bool = False
    heal_event: asyncio.Event = field(default_factory=asyncio.Event)
    in_flight: int = 0
    strays: set[asyncio.Task[None]] = field(default_factory=set)

    def busy(self) -> bool:
        return self.in_flight > 0

    async def forward(self, request: httpx.Request) -> httpx.Response:
        """Let the real server handle ``request``; the clock stands still meanwhile (see virtual_time)."""
        self.in_flight += 1
        self.counts.forwarded += 1
        try:
            response = await self.inner.handle_async_request(request)
            body = await response.aread()
        finally:
            self.in_flight -= 1
        return httpx.Response(response.status_code, headers=response.headers, content=body)

    def is_healed(self) -> bool:
        return self.healed

    def heal(self) -> None:
        """No more faults; requests held back by a delay go now."""
        self.healed = True
        self.heal_event.set()

    async def hold(self, seconds: float) -> None:
        """A network delay, cut short by the heal."""
        try:
            async with asyncio.timeout(seconds):
                await self.heal_event.wait()
        except TimeoutError:
            pass

    async def settle(self) -> None:
        """Wait for stray duplicate copies still on their way."""
        while self.strays:
            await asyncio.gather(*list(self.strays))


def _copy(request: httpx.Request) -> httpx.Request:
    return httpx.Request(request.method, request.url, headers=request.headers, content=request.content)


def _push_ids(request: httpx.Request) -> tuple[str, ...]:
    try:
        body = json.loads(request.content)
        return tuple(str(a["action_id"]) for a in body["actions"])
    except (ValueError, KeyError, TypeError):
        return ()


def _push_outcome(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
        return {
            "status": response.status_code,
            "results": {r["action_id"]: r["status"] for r in body["results"]},
            "last_applied_seq": body["last_applied_seq"],
        }
    except (ValueError, KeyError, TypeError):
        return {"status": response.status_code}


class FaultyTransport(httpx.AsyncBaseTransport):
    """One terminal's way to the server."""

    def __init__(self, net: FaultNet, process: int, rng: random.Random) -> None:
        self.net = net
        self.process = process
        self.rng = rng
        self.partition_until = -math.inf
        self.crash_after_response = False  # armed by the simulation: die between answer and commit

    def _draw(self) -> str | None:
        u = self.rng.random()
        for name, rate in self.net.rates.exclusive():
            if u < rate:
                return name
            u -= rate
        return None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        net = self.net
        if request.url.path == EVENTS_PATH or "wait" in request.url.params:
            # An endless event stream (or a held long-poll) would keep the virtual clock from ever
            # moving: this network does not carry them, and the engine falls back to safety pulls.
            return httpx.Response(
                404,
                headers={"Content-Type": "application/problem+json"},
                content=b'{"code":"not_found","detail":"no live channel in this simulation"}',
            )
        push = request.url.path == PUSH_PATH
        net.counts.requests += 1
        if push:
            net.counts.pushes += 1
        else:
            net.counts.pulls += 1
        ids = _push_ids(request) if push else ()
        f = "push" if push else "pull"
        net.history.record(self.process, "invoke", f, ids)
        if net.healed:
            return await self._deliver(request, ids, f)
        fault = self._draw()
        delayed = self.rng.random() < net.rates.delay
        delay = self.rng.uniform(0, net.rates.max_delay_s) if delayed else 0.0
        if delayed:
            net.counts.delay += 1
            await net.hold(delay)
            if net.is_healed():
                return await self._deliver(request, ids, f)
        now = asyncio.get_running_loop().time()
        if now < self.partition_until:
            net.counts.partitioned += 1
            raise self._refused(request, ids, f, "partitioned")
        if fault == "partition":
            net.counts.partition += 1
            self.partition_until = now + self.rng.uniform(*net.rates.partition_s)
            raise self._refused(request, ids, f, "partition_start")
        if fault == "drop_before":
            net.counts.drop_before += 1
            raise self._refused(request, ids, f, "drop_before")
        if fault == "unavailable":
            net.counts.unavailable += 1
            net.history.record(self.process, "fail", f, ids, injected="503")
            return httpx.Response(503, content=b"Service Unavailable")
        if fault == "throttle":
            net.counts.throttle += 1
            wait = self.rng.randint(*net.rates.retry_after_s)
            net.history.record(self.process, "fail", f, ids, injected="429", retry_after=wait)
            return httpx.Response(
                429,
                headers={"Retry-After": str(wait), "Content-Type": "application/problem+json"},
                content=json.dumps({"code": "rate_limited", "detail": "slow down"}).encode(),
            )
        if fault == "duplicate":
            net.counts.duplicate += 1
            self._send_stray(_copy(request), ids, f)
        if fault == "drop_after":
            net.counts.drop_after += 1
            response = await self._forward(request)
            net.history.record(self.process, "info", f, ids, injected="drop_after", **_push_outcome(response))
            raise httpx.ReadTimeout(
                "injected: the answer was lost after the server committed", request=request
            )
        if fault == "garble":
            net.counts.garble += 1
            response = await self._forward(request)
            net.history.record(self.process, "info", f, ids, injected="garble", **_push_outcome(response))
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                content=response.content[: len(response.content) // 2],
            )
        return await self._deliver(request, ids, f)

    def _refused(self, request: httpx.Request, ids: tuple[str, ...], f: str, why: str) -> httpx.ConnectError:
        self.net.history.record(self.process, "fail", f, ids, injected=why)
        return httpx.ConnectError(f"injected: {why}", request=request)

    async def _forward(self, request: httpx.Request) -> httpx.Response:
        response = await self.net.forward(request)
        if self.crash_after_response and request.url.path == PUSH_PATH:
            # The server answered; the process dies before the results are committed locally.
            self.crash_after_response = False
            self.net.history.record(self.process, "info", "push", _push_ids(request), injected="crash_after")
            raise SimulatedCrash("after the push answer, before the results commit")
        return response

    async def _deliver(self, request: httpx.Request, ids: tuple[str, ...], f: str) -> httpx.Response:
        response = await self._forward(request)
        if f == "push":
            self.net.history.record(self.process, "ok", f, ids, **_push_outcome(response))
        else:
            self.net.history.record(self.process, "ok", f, (), status=response.status_code)
        return response

    def _send_stray(self, request: httpx.Request, ids: tuple[str, ...], f: str) -> None:
        """A second copy with its own delay; its answer goes nowhere. Outlives a crash of the client."""
        delay = self.rng.uniform(0, 2 * self.net.rates.max_delay_s)

        async def stray() -> None:
            await self.net.hold(delay)
            response = await self.net.forward(request)
            self.net.history.record(
                self.process, "info", f, ids, injected="duplicate_copy", **_push_outcome(response)
            )

        task = asyncio.get_running_loop().create_task(stray(), name=f"stray-{self.process}")
        self.net.strays.add(task)
        task.add_done_callback(self.net.strays.discard)
