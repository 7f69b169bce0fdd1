"""Pickup verifiers: the slow hash of each new pickup code, computed after its order commits.

Hashing a code costs about 11 ms of CPU (``retail_rules.pickup_code``); done inside order
creation it was most of an order's cost. Devices need the verifier only before the customer
can collect, which is after picking and staging, so it is computed here, off the request path:
on threads of lowered CPU priority (requests come first; scrypt releases the GIL, so idle
cores do the hashing), in batches written with a new order
version each, so the orders stream serves it to devices a moment after the order itself.

Orders created by this process are queued as they commit; a sweep at start and every
``sweep_seconds`` finds any other (a crash between commit and hash, another server process,
seeded data). Writing a verifier is idempotent, so finding an order twice costs only CPU.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from central.db import Database
from central.orders import missing_verifiers, store_verifiers
from retail_rules.pickup_code import hash_pickup_code

log = logging.getLogger(__name__)

BATCH_SIZE = 25
SWEEP_SECONDS = 3600.0
RETRY_SECONDS = 5.0
# Niceness added to the hashing thread: under contention it gets about a tenth of the CPU that
# request threads get (Linux weights 110 vs 1024), and all of an otherwise idle core.
NICENESS = 10
# Beyond this many queued codes new ones are left to the next sweep: memory stays bounded.
MAX_QUEUED = 100_000
_SWEEP_PAGE = 500


def _lower_priority(niceness: int) -> None:
    """Lower the calling thread's CPU priority (Linux schedules threads by their own nice value)."""
    if niceness <= 0 or sys.platform != "linux":
        return
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + niceness))
    except OSError:  # a sandbox that forbids it: the work is still done, only at normal priority
        log.info("could not lower the pickup verifier thread's priority", exc_info=True)


class PickupVerifiers:
    """Computes and stores the verifiers of pickup codes in the background; thread-safe."""

    def __init__(
        self,
        db: Database,
        *,
        batch_size: int = BATCH_SIZE,
        sweep_seconds: float = SWEEP_SECONDS,
        niceness: int = NICENESS,
    ) -> None:
        self._db = db
        self._batch_size = batch_size
        self._sweep_seconds = sweep_seconds
        self._niceness = niceness
        self._cond = threading.Condition()
        self._queue: deque[tuple[str, str]] = deque()
        self._queued: set[str] = set()
        self._sweep_at = 0.0  # monotonic time of the next sweep; 0 = at start
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._hashers: ThreadPoolExecutor | None = None
        # Writes run at normal priority: a write holds the database's write lock, and a
        # starved low-priority holder would make every request wait behind it.
        self._writer: ThreadPoolExecutor | None = None
        self.stored = 0  # verifiers written by this instance (for logs and tests)

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pickup-verifier-write")
        self._hashers = ThreadPoolExecutor(
            max_workers=os.cpu_count() or 2,
            thread_name_prefix="pickup-verifier-hash",
            initializer=_lower_priority,
            initargs=(self._niceness,),
        )
        self._thread = threading.Thread(target=self._run, name="pickup-verifier", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the batch in hand; what is still queued is found by the next sweep."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        for pool in (self._hashers, self._writer):
            if pool is not None:
                pool.shutdown(wait=True)
        self._hashers = self._writer = None

    # -- feeding -----------------------------------------------------------------------
    def submit(self, codes: Iterable[tuple[str, str]]) -> None:
        """Queue (order id, code) pairs of orders that have committed."""
        with self._cond:
            added = False
            for order_id, code in codes:
                if order_id in self._queued or len(self._queue) >= MAX_QUEUED:
                    continue
                self._queue.append((order_id, code))
                self._queued.add(order_id)
                added = True
            if added:
                self._cond.notify()

    def pending(self) -> int:
        with self._cond:
            return len(self._queue)

    def run_pending(self) -> int:
        """Sweep and compute everything missing now, in the calling thread; returns orders updated."""
        before = self.stored
        self._sweep()
        while batch := self._take():
            self._process(batch, self._write)
        return self.stored - before

    # -- work ----------------------------------------------------------------------------
    def _take(self) -> list[tuple[str, str]]:
        with self._cond:
            batch = [self._queue.popleft() for _ in range(min(self._batch_size, len(self._queue)))]
            for order_id, _code in batch:
                self._queued.discard(order_id)
            return batch

    def _run(self) -> None:
        _lower_priority(self._niceness)
        while True:
            with self._cond:
                while not self._stopping and not self._queue and time.monotonic() < self._sweep_at:
                    self._cond.wait(timeout=max(0.0, self._sweep_at - time.monotonic()))
                if self._stopping:
                    return
                sweep = not self._queue
            batch: list[tuple[str, str]] = []
            try:
                if sweep:
                    self._sweep_at = time.monotonic() + self._sweep_seconds
                    self._sweep()
                    continue
                batch = self._take()
                self._process(batch, self._write_at_normal_priority)
            except Exception:
                # The database is down or busy: the codes go back and are tried again later.
                log.warning(
                    "storing pickup verifiers failed; retrying in %.0f s", RETRY_SECONDS, exc_info=True
                )
                if not sweep:
                    self.submit(batch)
                with self._cond:
                    self._cond.wait_for(lambda: self._stopping, timeout=RETRY_SECONDS)

    def _sweep(self) -> None:
        after = ""
        while True:
            with self._db.read() as conn:
                page = missing_verifiers(conn, after, _SWEEP_PAGE)
            if not page:
                return
            after = page[-1][0]
            damaged = [order_id for order_id, code in page if code is None]
            if damaged:
                log.warning("pickup orders without a readable code, no verifier possible: %s", damaged)
            self.submit((order_id, code) for order_id, code in page if code is not None)
            if len(page) < _SWEEP_PAGE:
                return

    def _process(self, batch: list[tuple[str, str]], write: Callable[[dict[str, str]], None]) -> None:
        if not batch:
            return
        ids = [order_id for order_id, _code in batch]
        codes = [code for _order_id, code in batch]
        hashers = self._hashers
        hashes = hashers.map(hash_pickup_code, ids, codes) if hashers else map(hash_pickup_code, ids, codes)
        write(dict(zip(ids, hashes, strict=True)))

    def _write_at_normal_priority(self, verifiers: dict[str, str]) -> None:
        assert self._writer is not None
        self._writer.submit(self._write, verifiers).result()

    def _write(self, verifiers: dict[str, str]) -> None:
        with self._db.write() as tx:
            updated = store_verifiers(tx, verifiers)
        self.stored += len(updated)
