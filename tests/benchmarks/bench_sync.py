"""Sync benchmarks: a device's full sync of N products from a central in its own process, then a delta.

The central (``kiosk-central serve``) runs as a subprocess on a loopback port, seeded once per size
and demo-data version (cached under ~/.cache/store-kiosk-bench/, copied for each run). The device
runs in a child process of its own, so its peak RSS is the client's alone: it enrols, runs
``SyncEngine.run_once()`` over a transport while a 5 ms asyncio ticker measures the longest gap of
its event loop, reports, waits while the parent changes 10,000 prices on the server, and times the
delta sync. The device pulls what SYNC_DESIGN 3.14 gives a kiosk: locations, the catalog, its own
store's stock and the reviews. The engine reads and writes the full loads' pages in a child process
of its own (``offline_cache.bulk_writer``): its peak RSS is reported too, read once it has ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import bindparam, func, select

from central import schema
from central.auth import create_enrolment_key
from central.db import Database
from central.seed import seed
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.engine import SyncEngine
from offline_cache.outbox import OUTBOX_FILE, Outbox
from offline_cache.remote import Enrolment, Remote
from tests.benchmarks.central_process import central_server
from tests.benchmarks.report import Options, Result

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = Path.home() / ".cache" / "store-kiosk-bench"
STORE = "CZ-PRG-01"
DELTA_CHANGES = 10_000
REVIEWS_PER_PRODUCT = 0.2  # the benchmark is about products; a few reviews keep that stream honest
TICK_S = 0.005
TARGET_FULL_1M_S = 30.0
TRANSPORTS = ("httpx", "stdlib")  # the app's CentralRemote, the CLI's HttpRemote
# The device runs from ``-c``, not as ``-m tests.benchmarks.bench_sync``: the writer process it
# spawns imports the device's main module first, and this one brings the central's packages
# (sqlalchemy ...): ~50 MB and ~2 s more in that process than the app's own main module costs.
DEVICE_IMPORTS = "import sys; from tests.benchmarks.bench_sync import device_main"
DEVICE_COMMAND = f"{DEVICE_IMPORTS}; device_main(sys.argv[1:])"
# What the device, its transports and its writer process import besides.
WARM_IMPORTS = "import kiosk.api.remote, offline_cache.http_remote, offline_cache.bulk_writer"


def _demo_version() -> str:
    """What the seeded file depends on: a new generator or schema means a new file."""
    digest = hashlib.sha256()
    for name in ("demo_data.py", "seed.py", "schema.py"):
        digest.update((ROOT / "central" / name).read_bytes())
    return digest.hexdigest()[:12]


def seeded_central(products: int) -> Path:
    """The cached seeded central database for ``products``, generated on first use (minutes at 1M)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"central-{products}-r{REVIEWS_PER_PRODUCT}-{_demo_version()}.db"
    if not path.exists():
        print(f"seeding {products:,} products into {path} (once)", file=sys.stderr, flush=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        db = Database(f"sqlite:///{partial}")
        seed(db, products=products, reviews_per_product=REVIEWS_PER_PRODUCT, with_orders=False)
        db.dispose()
        os.replace(partial, path)
    return path


def change_prices(db: Database, count: int) -> None:
    """``count`` price changes the way a central job makes them: each product gets a new version."""
    p = schema.products.c
    with db.read() as conn:
        skus = list(
            conn.execute(select(p.sku).where(p.deleted.is_(False)).order_by(p.sku).limit(count)).scalars()
        )
    with db.write() as tx:
        first = tx.versions(len(skus))
        tx.conn.execute(
            schema.products.update()
            .where(p.sku == bindparam("target"))
            .values(
                version=bindparam("new_version"),
                data=func.json_set(p.data, "$.prices.CZK", bindparam("price")),
            ),
            [{"target": sku, "new_version": first + n, "price": 100 + n % 900} for n, sku in enumerate(skus)],
        )


@dataclass(frozen=True, slots=True)
class Measured:
    full_s: float
    catalog_rows: int
    stall_ms: float
    running_stall_ms: float
    baseline_ms: float
    peak_mb: float
    writer_peak_mb: float
    steady_mb: float
    delta_s: float
    delta_changes: int
    app_cpu_s: float
    writer_cpu_s: float


def _device_env() -> dict[str, str]:
    """The device's environment: modules load from bytecode, as on an installed kiosk.

    PYTHONDONTWRITEBYTECODE=1 (set in some dev shells and CI) would have the device and its writer
    process compile every module they import at each start: ~0.8 s in the writer, before it can
    read the first page. The bytecode is kept apart from the tree's, under the benchmark cache.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE_DIR / "pycache")
    return env


def device_run(url: str, key: str, transport: str, db: Database) -> Measured:
    """One device in a child process: full sync, then (after the parent's price changes) a delta."""
    env = _device_env()
    # Written by a first import, as an install does, so the first device measured loads bytecode too.
    subprocess.run(
        [sys.executable, "-c", f"{DEVICE_IMPORTS}; {WARM_IMPORTS}"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with tempfile.TemporaryDirectory() as data_dir:
        child = subprocess.Popen(
            [sys.executable, "-c", DEVICE_COMMAND, url, key, transport, data_dir],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None
        assert child.stdout is not None
        full = json.loads(child.stdout.readline())
        change_prices(db, DELTA_CHANGES)
        child.stdin.write("go\n")
        child.stdin.flush()
        delta = json.loads(child.stdout.readline())
        if child.wait(timeout=600) != 0:
            raise RuntimeError("the device process failed")
    return Measured(
        full["seconds"],
        full["catalog_rows"],
        full["stall_ms"],
        full["running_stall_ms"],
        full["baseline_ms"],
        full["peak_mb"],
        full["writer_peak_mb"],
        full["steady_mb"],
        delta["seconds"],
        delta["changes"],
        full["app_cpu_s"],
        full["writer_cpu_s"],
    )


def run(options: Options) -> list[Result]:
    products = options.products
    source = seeded_central(products)
    scale = products / 1_000_000
    results: list[Result] = []
    transports = TRANSPORTS[:1] if options.big else TRANSPORTS
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        db_path = workdir / "central.db"
        shutil.copyfile(source, db_path)  # the delta changes prices: never in the cached file
        db = Database(f"sqlite:///{db_path}")
        with central_server(["--db", str(db_path)], workdir) as url:
            for transport in transports:
                m = device_run(url, create_enrolment_key(db, STORE, "kiosk"), transport, db)
                results += [
                    Result(
                        f"full sync {products:,} products ({transport}; target scaled)",
                        [m.full_s],
                        "s",
                        target=TARGET_FULL_1M_S * scale,
                    ),
                    Result(
                        f"full sync catalog rate ({transport})",
                        [m.catalog_rows / m.full_s],
                        "rows/s",
                        target=1_000_000 / TARGET_FULL_1M_S,
                        higher_is_better=True,
                    ),
                    Result(f"full sync CPU, app process ({transport})", [m.app_cpu_s], "s"),
                    Result(f"full sync CPU, writer process ({transport})", [m.writer_cpu_s], "s"),
                    Result(f"delta {m.delta_changes:,} changes ({transport})", [m.delta_s], "s", target=1.5),
                    Result(f"loop stall during full sync ({transport})", [m.stall_ms], "ms", target=25),
                    Result(
                        f"... longest with the app's process running half of it or more ({transport})",
                        [m.running_stall_ms],
                        "ms",
                    ),
                    Result(
                        f"loop stall next to 1 busy thread, for scale ({transport})", [m.baseline_ms], "ms"
                    ),
                    Result(f"RSS during sync, peak ({transport})", [m.peak_mb], "MB", target=300),
                    Result(f"RSS during sync, writer process peak ({transport})", [m.writer_peak_mb], "MB"),
                    Result(
                        f"RSS during sync, sum of both peaks ({transport})",
                        [m.peak_mb + m.writer_peak_mb],
                        "MB",
                        target=300,
                    ),
                    Result(f"RSS steady after sync ({transport})", [m.steady_mb], "MB", target=200),
                ]
        db.dispose()
    return results


# -- the device process ------------------------------------------------------------------------------


def _spin(stop: threading.Event) -> None:
    """Pure Python work until ``stop``: a thread that wants the GIL all the time."""
    total = 0
    while not stop.is_set():
        for n in range(1000):
            total += n


def _cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _memory_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


async def _enrolled(
    url: str, key: str, transport: str
) -> tuple[Remote, Enrolment, Callable[[], Awaitable[None]]]:
    """The transport, enrolled with ``key``, and how to close it."""
    if transport == "httpx":
        from kiosk.api.remote import CentralRemote

        app = CentralRemote(url)
        enrolment = await app.enrol_device(key, "bench")
        app.use_token(enrolment.token)
        return app, enrolment, app.aclose
    from offline_cache.http_remote import HttpRemote

    cli = HttpRemote(url)
    enrolment = await cli.enrol_device(key, "bench")
    cli.use_token(enrolment.token)

    async def nothing() -> None:
        return None

    return cli, enrolment, nothing


async def _device(url: str, key: str, transport: str, data_dir: Path) -> None:
    remote, enrolment, close = await _enrolled(url, key, transport)
    outbox = Outbox.open(data_dir / OUTBOX_FILE, enrolment.device_id)
    cache = CacheStore.open(data_dir / CACHE_FILE)
    streams = ["locations", "catalog", f"stock:{enrolment.location_id}", "reviews"]
    engine = SyncEngine(remote, cache, outbox, terminal_id=enrolment.device_id, streams=streams)

    longest = 0.0
    # The longest gap in which this process used at least half the time past the tick in CPU (any of
    # its threads): a stall of its own making. A gap with the process hardly running is the machine's:
    # the loop sat in its selector while the OS ran other work (the central server, the writer process)
    # on both cores. Both are shown; the target applies to the longest gap of all.
    longest_running = 0.0

    async def ticker() -> None:
        nonlocal longest, longest_running
        last, last_cpu = time.perf_counter(), time.process_time()
        while True:
            await asyncio.sleep(TICK_S)
            now, cpu = time.perf_counter(), time.process_time()
            gap = now - last
            longest = max(longest, gap)
            if cpu - last_cpu >= (gap - TICK_S) / 2:
                longest_running = max(longest_running, gap)
            last, last_cpu = now, cpu

    # The same ticker next to one busy Python thread, for 2 s: what the machine and the GIL alone
    # allow (on a loaded 2-core box this is far above the target, whatever the sync does).
    ticking = asyncio.create_task(ticker())
    stop = threading.Event()
    spinning = threading.Thread(target=_spin, args=(stop,))
    spinning.start()
    await asyncio.sleep(2.0)
    stop.set()
    spinning.join()
    baseline, longest, longest_running = longest, 0.0, 0.0
    started = time.perf_counter()
    cpu_before = _cpu_s(resource.RUSAGE_SELF)
    await engine.run_once()
    seconds = time.perf_counter() - started
    app_cpu = _cpu_s(resource.RUSAGE_SELF) - cpu_before
    ticking.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await ticking
    gc.collect()
    catalog_rows = cache.counts()["catalog"]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "catalog_rows": catalog_rows,
                "stall_ms": longest * 1000,
                "running_stall_ms": longest_running * 1000,
                "baseline_ms": baseline * 1000,
                "peak_mb": _memory_mb("VmHWM"),
                # The writer process has ended with the pass, and was waited for: the largest child's peak.
                "writer_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                "steady_mb": _memory_mb("VmRSS"),
                "app_cpu_s": app_cpu,
                # The writer process, ended and waited for (its resource tracker uses next to nothing).
                "writer_cpu_s": _cpu_s(resource.RUSAGE_CHILDREN),
            }
        ),
        flush=True,
    )
    await asyncio.to_thread(sys.stdin.readline)  # the parent changes prices meanwhile
    before = cache.stream("catalog").changes_applied
    started = time.perf_counter()
    await engine.run_once()
    seconds = time.perf_counter() - started
    changes = cache.stream("catalog").changes_applied - before
    print(json.dumps({"seconds": seconds, "changes": changes}), flush=True)
    engine.close()
    cache.close()
    outbox.close()
    await close()


def device_main(argv: list[str]) -> None:
    """The device process: ``url key transport data_dir``."""
    url, key, transport, data_dir = argv
    asyncio.run(_device(url, key, transport, Path(data_dir)))
