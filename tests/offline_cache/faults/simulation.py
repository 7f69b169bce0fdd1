"""One seeded run of R1: kiosks ordering scarce stock through a faulty network, crashing, then healing.

Per seed: a fresh copy of a seeded central database, the real FastAPI app in-process, N kiosks each
with its own outbox.db, cache.db and `SyncEngine.run_forever()` (the production loop), a user
coroutine per kiosk that opens carts and submits them, and planned client crashes. Time is virtual
(`VirtualTimeLoop`): a minute of backoff costs nothing. After the fault phase the network heals,
every kiosk is told connectivity is back, the queues drain, and the checkers judge the result.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
from sqlalchemy import update

from central import schema
from central.app import create_app
from central.auth import create_enrolment_key, enrol_device
from central.db import Database
from central.seed import seed
from kiosk.api.remote import CentralRemote
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.engine import SyncEngine
from offline_cache.outbox import OUTBOX_FILE, Draft, Outbox
from tests.offline_cache.faults.checkers import CheckInput, check, read_stock
from tests.offline_cache.faults.history import History
from tests.offline_cache.faults.transport import (
    FaultCounts,
    FaultNet,
    FaultRates,
    FaultyTransport,
    SimulatedCrash,
)
from tests.offline_cache.faults.virtual_time import VirtualTimeLoop

STORE: Final = "CZ-PRG-01"
WAREHOUSE: Final = "WH-CZ-01"
BASE_URL: Final = "http://central.test"
TEMPLATE_PRODUCTS: Final = 16
HOT_SKUS: Final = 5  # scarce: most orders compete for these
CRASH_KINDS: Final = ("timer", "after_response", "after_submit")


@dataclass(frozen=True, slots=True)
class SimConfig:
    terminals: int = 4
    actions: int = 40
    crashes: int = 2
    rates: FaultRates = field(default_factory=FaultRates)
    think_s: float = 1.0  # mean virtual seconds between one kiosk's carts
    heal_bound_s: float = 1.0  # heal -> empty queues, virtual seconds
    drain_deadline_s: float = 900.0  # give up waiting (a bug) after this much virtual time


@dataclass(frozen=True, slots=True)
class Enrolled:
    device_id: str
    token: str


@dataclass(frozen=True, slots=True)
class Template:
    """A seeded central database with enrolled kiosks; copied fresh for every seed."""

    path: Path
    devices: tuple[Enrolled, ...]
    hot: tuple[str, ...]
    plenty: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SeedResult:
    seed: int
    violations: tuple[str, ...]
    counts: dict[str, int]
    confirmed: int
    heal_to_drain_s: float  # virtual
    heal_to_drain_real_s: float
    real_s: float
    cpu_s: float  # this process's CPU time: what the seed costs on an idle machine
    artifacts: Path | None

    @property
    def ok(self) -> bool:
        return not self.violations


def build_template(directory: Path, terminals: int = 4) -> Template:
    """Seed a small catalog without demo orders (no reservations before the run) and enrol kiosks."""
    path = directory / "central-template.db"
    db = Database(f"sqlite:///{path}")
    try:
        seed(db, products=TEMPLATE_PRODUCTS, seed_value=7, reviews_per_product=0, with_orders=False)
        devices = []
        for n in range(terminals):
            device_id, token, _role, _loc = enrol_device(
                db, create_enrolment_key(db, STORE, "kiosk"), f"k{n}"
            )
            devices.append(Enrolled(device_id, token))
        with db.read() as conn:
            skus = [
                r[0] for r in conn.execute(schema.products.select().with_only_columns(schema.products.c.sku))
            ]
    finally:
        db.dispose()
    skus.sort()
    return Template(path, tuple(devices), tuple(skus[:HOT_SKUS]), tuple(skus[HOT_SKUS : HOT_SKUS * 2]))


def _set_stock(db: Database, levels: dict[tuple[str, str], int]) -> None:
    """Stock for this seed, changed the way a server job would (new versions, so streams carry it)."""
    with db.write() as tx:
        first = tx.versions(len(levels))
        for offset, ((sku, loc), on_hand) in enumerate(sorted(levels.items())):
            tx.conn.execute(
                update(schema.stock)
                .where(schema.stock.c.sku == sku, schema.stock.c.location_id == loc)
                .values(
                    on_hand=on_hand, reserved=0, version=first + offset, updated_at="2026-01-01T00:00:00Z"
                )
            )


def _intents(rng: random.Random, template: Template, count: int) -> list[dict[str, Any]]:
    """Kiosk carts: order requests paid at the till, mostly for scarce SKUs, reserving or taking stock."""
    carts = []
    for _ in range(count):
        lines: dict[tuple[str, str], dict[str, Any]] = {}
        for _ in range(rng.choice((1, 1, 2))):
            sku = rng.choice(template.hot if rng.random() < 0.7 else template.plenty)
            take_now = rng.random() < 0.2
            loc = STORE if take_now or rng.random() < 0.6 else WAREHOUSE
            lines.setdefault(
                (sku, loc),
                {
                    "sku": sku,
                    "qty": rng.randint(1, 3),
                    "location_id": loc,
                    "fulfilment": "take_now" if take_now else "ship_to_home",
                },
            )
        carts.append(
            {
                "order_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "store_id": STORE,
                "kind": "kiosk_request",
                "customer": {"first_name": "Jana"},
                "lines": list(lines.values()),
                "payment_method": "pay_at_till",
            }
        )
    return carts


def _only_crashes(exc: BaseException | None) -> bool:
    if exc is None or isinstance(exc, SimulatedCrash):
        return True
    if isinstance(exc, BaseExceptionGroup):
        _, rest = exc.split(SimulatedCrash)
        return rest is None
    return False


class Terminal:
    """One kiosk process: outbox, cache, remote and engine, restarted from its files after a crash."""

    def __init__(
        self,
        index: int,
        enrolled: Enrolled,
        data_dir: Path,
        net: FaultNet,
        history: History,
        seed_value: int,
        intents: list[dict[str, Any]],
        think_s: float,
    ) -> None:
        self.index = index
        self.device_id = enrolled.device_id
        self.token = enrolled.token
        self.data_dir = data_dir
        self.history = history
        self.transport = FaultyTransport(net, index, random.Random(f"{seed_value}:net:{index}"))
        self.rng = random.Random(f"{seed_value}:user:{index}")
        self.seed_value = seed_value
        self.intents = intents
        self.next_intent = 0
        self.think_s = think_s
        self.crash_after_submit = False
        self.stopping = False
        self.done = asyncio.Event()  # every cart submitted
        self.running = asyncio.Event()  # up (not in a crash's downtime)
        self.lives = 0
        self.outbox: Outbox | None = None
        self.cache: CacheStore | None = None
        self.remote: CentralRemote | None = None
        self.engine: SyncEngine | None = None
        self._session: asyncio.Task[None] | None = None

    @property
    def outbox_path(self) -> Path:
        return self.data_dir / OUTBOX_FILE

    @property
    def cache_path(self) -> Path:
        return self.data_dir / CACHE_FILE

    def _start(self) -> SyncEngine:
        self.lives += 1
        loop = asyncio.get_running_loop()
        self.outbox = Outbox.open(self.outbox_path, self.device_id)
        self.cache = CacheStore.open(self.cache_path)
        self.remote = CentralRemote(BASE_URL, self.token, transport=self.transport)
        self.engine = SyncEngine(
            self.remote,
            self.cache,
            self.outbox,
            terminal_id=self.device_id,
            streams=[f"stock:{STORE}"],
            app_version="faults",
            rng=random.Random(f"{self.seed_value}:engine:{self.index}:{self.lives}"),
            clock=loop.time,
            live=False,  # pokes are hints; R1 is about the push path and the safety pulls
        )
        return self.engine

    async def _shutdown(self) -> None:
        # A crash drops these objects; what is on disk is all the next life gets.
        if self.engine is not None:
            self.engine.close()
        if self.outbox is not None:
            self.outbox.close()
        if self.cache is not None:
            self.cache.close()
        if self.remote is not None:
            await self.remote.aclose()
        self.engine = self.outbox = self.cache = self.remote = None

    async def life(self) -> None:
        """Run, crash, come back, until stopped."""
        while True:
            engine = self._start()
            self._session = asyncio.get_running_loop().create_task(self._session_body(engine))
            self.running.set()
            await asyncio.wait([self._session])
            error = None if self._session.cancelled() else self._session.exception()
            if self.stopping:
                await self._shutdown()
                if error is not None and not _only_crashes(error):
                    raise error
                return
            if not _only_crashes(error):
                assert error is not None
                raise error
            self.running.clear()
            self.transport.net.counts.crashes += 1
            self.history.record(self.index, "info", "crash", how=type(error).__name__ if error else "killed")
            await self._shutdown()
            await asyncio.sleep(self.rng.uniform(0.5, 5.0))  # down, then restarted by the OS service
            self.history.record(self.index, "ok", "restart")

    async def _session_body(self, engine: SyncEngine) -> None:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(engine.run_forever(), name=f"engine-{self.index}")
            tasks.create_task(self._user(engine), name=f"user-{self.index}")

    def arm(self, kind: str) -> None:
        """Plan a crash: now, at the next push answer, or right after the next submit commits."""
        if kind == "after_response" and not self.transport.crash_after_response:
            self.transport.crash_after_response = True
        elif kind == "after_submit" and not self.crash_after_submit:
            self.crash_after_submit = True
        else:
            self.crash()  # a timer crash, or the same moment is already armed: do not lose a crash

    def disarm(self) -> bool:
        """True when an armed crash had not happened yet."""
        armed = self.crash_after_submit or self.transport.crash_after_response
        self.crash_after_submit = self.transport.crash_after_response = False
        return armed

    def crash(self) -> None:
        """kill -9, as far as the files can tell: the tasks stop wherever they are."""
        if self._session is not None and not self._session.done():
            self._session.cancel()
            if not self.stopping:
                self.running.clear()

    async def stop(self) -> None:
        self.stopping = True
        self.crash()

    def pending(self) -> int:
        if self.outbox is None:
            return -1
        return self.outbox.counts()["pending"] + len(self.outbox.open_drafts())

    # -- the associate ------------------------------------------------------------------------

    async def _user(self, engine: SyncEngine) -> None:
        outbox = self.outbox
        assert outbox is not None
        confirmed = self.history.confirmed()
        for action in outbox.actions():
            if action.action_id not in confirmed:
                # Committed before the crash, never confirmed: shown as "recovered" at start.
                self.history.record(self.index, "ok", "recovered", (action.action_id,), seq=action.seq)
        for draft in outbox.open_drafts():
            self._submit(outbox, engine, draft)
        while self.next_intent < len(self.intents):
            await asyncio.sleep(self.rng.expovariate(1 / self.think_s))
            draft = outbox.open_draft("cart", self.intents[self.next_intent])
            self.next_intent += 1
            self.history.record(
                self.index, "ok", "draft", (draft.action_id,), order_id=draft.body["order_id"]
            )
            await asyncio.sleep(self.rng.uniform(0, 0.3))  # the customer checks the cart
            self._submit(outbox, engine, draft)
        self.done.set()

    def _submit(self, outbox: Outbox, engine: SyncEngine, draft: Draft) -> None:
        self.history.record(self.index, "invoke", "submit", (draft.action_id,))
        action = outbox.submit(draft.draft_id, "order.create", draft.body, None, "kiosk:faults")
        if self.crash_after_submit:
            self.crash_after_submit = False
            raise SimulatedCrash("after the outbox commit, before the screen confirmed")
        self.history.record(self.index, "ok", "submit", (action.action_id,), seq=action.seq)
        engine.notify_queued()


def _scratch_root() -> Path:
    # tmpfs when there is one: R1 checks logic, not fsync (R3 kills real processes on disk).
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())


class Central:
    """The real central app, in-process, over a database file reset to the template for every seed.

    One app and one Database serve all seeds of a run: building the FastAPI app and warming
    SQLAlchemy's statement cache cost more than a seed's worth of requests.
    """

    def __init__(self, template: Template, directory: Path) -> None:
        self.template = template
        self.path = directory / "central.db"
        shutil.copyfile(template.path, self.path)
        self.db = Database(f"sqlite:///{self.path}")
        self.transport = httpx.ASGITransport(app=create_app(self.db))

    def reset(self) -> None:
        self.db.dispose()  # no connection survives into the next seed; the pool reopens lazily
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template.path, self.path)

    def snapshot(self, directory: Path) -> None:
        """A consistent copy of the live database, for a failing seed's artifacts."""
        with (
            contextlib.closing(sqlite3.connect(self.path)) as source,
            contextlib.closing(sqlite3.connect(directory / "central.db")) as target,
        ):
            source.backup(target)

    def close(self) -> None:
        self.db.dispose()


async def run_seed(
    seed_value: int,
    central: Central,
    config: SimConfig = SimConfig(),
    *,
    keep_failures: bool = True,
) -> SeedResult:
    """One seed, start to verdict; must run on a `VirtualTimeLoop`."""
    loop = asyncio.get_running_loop()
    assert isinstance(loop, VirtualTimeLoop), "the simulation needs virtual time"
    started, cpu = time.perf_counter(), time.process_time()
    rng = random.Random(seed_value)
    template = central.template
    workdir = Path(tempfile.mkdtemp(prefix=f"faults-{seed_value}-", dir=_scratch_root()))
    central.reset()
    central_path = central.path
    db = central.db
    history = History(loop.time)
    net = FaultNet(central.transport, history, config.rates)
    loop.set_busy(net.busy)
    terminals: list[Terminal] = []
    lives: list[asyncio.Task[None]] = []
    heal_virtual = heal_real = 0.0
    try:
        levels = {(sku, loc): rng.randint(0, 6) for sku in template.hot for loc in (STORE, WAREHOUSE)}
        levels |= {(sku, loc): 40 for sku in template.plenty for loc in (STORE, WAREHOUSE)}
        _set_stock(db, levels)
        baseline = read_stock(central_path)
        for n, enrolled in enumerate(template.devices[: config.terminals]):
            intents = _intents(random.Random(f"{seed_value}:carts:{n}"), template, config.actions)
            terminals.append(
                Terminal(n, enrolled, workdir / f"t{n}", net, history, seed_value, intents, config.think_s)
            )
        lives = [loop.create_task(t.life(), name=f"life-{t.index}") for t in terminals]
        window = config.actions * config.think_s
        plan = sorted(
            (rng.uniform(0, window), rng.randrange(len(terminals)), rng.choice(CRASH_KINDS))
            for _ in range(config.crashes)
        )
        start = loop.time()
        for at, n, kind in plan:
            await asyncio.sleep(max(0.0, start + at - loop.time()))
            await _until(terminals[n].running.is_set, lives, config.drain_deadline_s)
            terminals[n].arm(kind)
        await _until(lambda: all(t.done.is_set() for t in terminals), lives, config.drain_deadline_s)
        for t in terminals:
            # A crash armed for a moment that never came happens now, before the heal.
            if t.disarm():
                t.crash()
        await _until(lambda: all(t.running.is_set() for t in terminals), lives, config.drain_deadline_s)

        net.heal()
        history.record(-1, "ok", "heal")
        heal_virtual, heal_real = loop.time(), time.perf_counter()
        for t in terminals:
            assert t.engine is not None
            t.engine.notify_queued()  # connectivity is back: push now
        drained = await _until(
            lambda: all(t.pending() == 0 for t in terminals), lives, config.drain_deadline_s
        )
        heal_virtual, heal_real = loop.time() - heal_virtual, time.perf_counter() - heal_real
        history.record(-1, "ok" if drained else "fail", "drained", seconds=heal_virtual)
        await net.settle()
        for t in terminals:
            assert t.engine is not None
            await t.engine.pull_all()  # convergence: the cache shows what the server has
        for t in terminals:
            await t.stop()
        await asyncio.gather(*lives)
        violations = check(
            CheckInput(
                history=history,
                central=central_path,
                outboxes={t.device_id: t.outbox_path for t in terminals},
                caches={t.device_id: t.cache_path for t in terminals},
                baseline=baseline,
                store=STORE,
                heal_to_drain_s=heal_virtual if drained else float("inf"),
                heal_bound_s=config.heal_bound_s,
            )
        )
    except BaseException:
        for t in terminals:
            t.stopping = True
            t.crash()
        for task in lives:
            task.cancel()
        await asyncio.gather(*lives, return_exceptions=True)
        history.dump(workdir / "history.json")
        central.snapshot(workdir)
        print(f"seed {seed_value}: the harness itself failed; files in {workdir}")
        raise
    counts = net.counts.as_dict()
    artifacts = None
    if violations and keep_failures:
        history.dump(workdir / "history.json")
        central.snapshot(workdir)
        artifacts = Path(tempfile.mkdtemp(prefix=f"faults-seed-{seed_value}-"))
        shutil.copytree(workdir, artifacts, dirs_exist_ok=True)
        print(
            f"seed {seed_value}: {len(violations)} violations; SQLite files and history.json in {artifacts}"
        )
    shutil.rmtree(workdir, ignore_errors=True)
    return SeedResult(
        seed_value,
        tuple(violations),
        counts,
        len(history.confirmed()),
        heal_virtual,
        heal_real,
        time.perf_counter() - started,
        time.process_time() - cpu,
        artifacts,
    )


def _raise_if_dead(lives: Iterable[asyncio.Task[None]]) -> None:
    for task in lives:
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise RuntimeError("a terminal died outside the simulated crashes") from task.exception()


async def _until(condition: Any, lives: list[asyncio.Task[None]], deadline_s: float) -> bool:
    """Poll ``condition`` in virtual time; False when the deadline passed first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    while not condition():
        _raise_if_dead(lives)
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def run_seeds(
    seeds: Iterable[int], template: Template, config: SimConfig = SimConfig(), *, keep_failures: bool = True
) -> tuple[list[SeedResult], FaultCounts]:
    """Run seeds one after another on one virtual-time loop; prints each seed as it starts."""

    async def main() -> tuple[list[SeedResult], FaultCounts]:
        results: list[SeedResult] = []
        total = FaultCounts()
        directory = Path(tempfile.mkdtemp(prefix="faults-central-", dir=_scratch_root()))
        central = Central(template, directory)
        try:
            for s in seeds:
                print(f"fault simulation: seed {s}", flush=True)
                result = await run_seed(s, central, config, keep_failures=keep_failures)
                total.add(FaultCounts(**result.counts))
                results.append(result)
        finally:
            central.close()
            shutil.rmtree(directory, ignore_errors=True)
        return results, total

    return asyncio.run(main(), loop_factory=VirtualTimeLoop)
