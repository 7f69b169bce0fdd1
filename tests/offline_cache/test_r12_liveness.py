"""R12: one push that keeps failing with no new local writes; the timer alone keeps retrying, then drains.

A kiosk queues one action and then does nothing. The server answers every push with 503 for 20
virtual minutes while pulls still work; the production `SyncEngine.run_forever()` must retry at
least once per 60 s (the backoff cap) the whole time, its watchdog must restart the pusher after
120 s without progress while the server is reachable, and once the server recovers the queue must
be empty within 2 x the cap. Time is virtual (`VirtualTimeLoop`): the run takes seconds.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import shutil
import tempfile
from pathlib import Path

import httpx
import pytest

from kiosk.api.remote import CentralRemote
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.engine import SyncEngine, SyncStatus
from offline_cache.outbox import OUTBOX_FILE, Outbox
from tests.offline_cache.faults.history import History
from tests.offline_cache.faults.simulation import BASE_URL, STORE, Central, Template, build_template
from tests.offline_cache.faults.transport import PUSH_PATH, FaultNet
from tests.offline_cache.faults.virtual_time import VirtualTimeLoop

BACKOFF_CAP_S = 60.0
WATCHDOG_S = 120.0
OUTAGE_S = 20 * 60.0


class PushOutage(httpx.AsyncBaseTransport):
    """Pushes get 503 until ``recover()``; everything else reaches the real server."""

    def __init__(self, net: FaultNet) -> None:
        self.net = net
        self.down = True
        self.push_attempts: list[float] = []

    def recover(self) -> None:
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == PUSH_PATH:
            self.push_attempts.append(asyncio.get_running_loop().time())
            if self.down:
                return httpx.Response(503, content=b"Service Unavailable")
        return await self.net.forward(request)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return build_template(tmp_path_factory.mktemp("r12-template"), terminals=1)


async def _scenario(template: Template, directory: Path) -> tuple[list[float], float, float, SyncStatus]:
    """(push attempt times, recovery time, drain time, status at recovery), all in virtual seconds."""
    loop = asyncio.get_running_loop()
    assert isinstance(loop, VirtualTimeLoop)
    central = Central(template, directory)
    net = FaultNet(central.transport, History(loop.time))
    loop.set_busy(net.busy)
    outage = PushOutage(net)
    device = template.devices[0]
    outbox = Outbox.open(directory / OUTBOX_FILE, device.device_id)
    cache = CacheStore.open(directory / CACHE_FILE)
    remote = CentralRemote(BASE_URL, device.token, transport=outage)
    engine = SyncEngine(
        remote,
        cache,
        outbox,
        terminal_id=device.device_id,
        streams=[f"stock:{STORE}"],
        rng=random.Random(12),
        clock=loop.time,
        live=False,
    )
    draft = outbox.open_draft("cart")
    order = {
        "order_id": "5b0e7d1c-4f6a-4c3e-9a41-1d2e3f405162",
        "store_id": STORE,
        "kind": "kiosk_request",
        "customer": {"first_name": "Jana"},
        "lines": [{"sku": template.plenty[0], "qty": 1, "location_id": STORE, "fulfilment": "ship_to_home"}],
        "payment_method": "pay_at_till",
    }
    outbox.submit(draft, "order.create", order, None, "kiosk:r12")
    task = loop.create_task(engine.run_forever())
    try:
        await asyncio.sleep(OUTAGE_S)  # no new writes, nobody calls notify_queued()
        at_recovery = engine.status()
        outage.recover()
        recovered = loop.time()
        while outbox.counts()["pending"]:
            assert loop.time() - recovered < 10 * BACKOFF_CAP_S, "the queue never drained"
            await asyncio.sleep(0.5)
        drained = loop.time()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        engine.close()
        outbox.close()
        cache.close()
        await remote.aclose()
        central.close()
    return [t - recovered for t in outage.push_attempts], recovered, drained - recovered, at_recovery


def test_a_failing_push_is_retried_by_the_timer_and_drains_after_recovery(template: Template) -> None:
    directory = Path(tempfile.mkdtemp(prefix="r12-"))
    try:
        attempts, _, drain_s, status = asyncio.run(
            _scenario(template, directory), loop_factory=VirtualTimeLoop
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    during = [t for t in attempts if t < 0]
    gaps = [b - a for a, b in itertools.pairwise(during)]
    print(
        f"R12: {len(during)} push attempts in {OUTAGE_S / 60:.0f} virtual minutes "
        f"(largest gap {max(gaps):.1f} s), "
        f"watchdog restarts {status.watchdog_restarts}, drained {drain_s:.1f} s after recovery"
    )
    assert during[0] <= -OUTAGE_S + 1.0, "the first push went out late"
    assert max(gaps) <= BACKOFF_CAP_S, "a minute passed without a retry"
    assert -during[-1] <= BACKOFF_CAP_S, "retries stopped before the server recovered"
    assert drain_s <= 2 * BACKOFF_CAP_S
    assert status.pending == 1
    # The server answered pulls all along: no progress for 120 s must trip the watchdog.
    assert status.watchdog_restarts >= 1
    assert status.stalled_since is not None
