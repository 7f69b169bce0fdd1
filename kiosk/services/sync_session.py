"""A device's open data dir: its lock, enrolment, outbox, cache, central remote and sync engine.

`SyncSession.open()` builds them in order and undoes what it built when a step fails; `close()`
takes them down in the reverse order. The engine's `run_forever()` is handed to the caller to run
(the app runs it as a named task), so this module stays free of Qt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from kiosk.api.remote import CentralRemote
from kiosk.services.cache_reader import CacheReader
from kiosk.services.enrolment import Enrolment, EnrolmentPlan, refusal_issue
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.data_dir_lock import DataDirLock
from offline_cache.device_record import DeviceRecord, device_store
from offline_cache.engine import PULL_INTERVAL_S, SyncEngine
from offline_cache.outbox import OUTBOX_FILE, Outbox
from offline_cache.puller import PAGE_SIZE
from offline_cache.pusher import Backoff
from offline_cache.remote import Rejected, RetryLater, ServerFailed, Unreachable

log = logging.getLogger(__name__)

APP_VERSION: Final = "store-kiosk/0.1.0"
# Waiting for the central before the first enrolment: retried quickly, a person is looking at the screen.
ENROL_RETRY_BASE: Final = 1.0
ENROL_RETRY_CAP: Final = 15.0


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """Tuning for tests and the demo; the defaults are the engine's."""

    pull_interval: float = PULL_INTERVAL_S
    page_size: int = PAGE_SIZE
    enrol_retry_base: float = ENROL_RETRY_BASE
    enrol_retry_cap: float = ENROL_RETRY_CAP


class SyncSession:
    """Owns every object that touches the data dir while the app runs; built by `open()` only."""

    def __init__(
        self,
        *,
        lock: DataDirLock,
        remote: CentralRemote,
        record: DeviceRecord,
        outbox: Outbox,
        cache: CacheStore,
        reader: CacheReader,
        engine: SyncEngine,
    ) -> None:
        self.lock = lock
        self.remote = remote
        self.record = record
        self.outbox = outbox
        self.cache = cache
        self.reader = reader
        self.engine = engine
        self._closed = False

    @classmethod
    async def open(
        cls,
        data_dir: Path,
        plan: EnrolmentPlan,
        *,
        on_waiting: Callable[[str], None] = lambda _reason: None,
        options: SessionOptions = SessionOptions(),
        remote_factory: Callable[[str], CentralRemote] = CentralRemote,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> SyncSession:
        """Lock, enrol (waiting while the central is away), open the outbox and cache, build the engine.

        Raises DataDirBusy when another process holds the data dir, EnrolmentNeeded when a person must
        act, OSError or OutboxError when the files cannot be used; nothing stays open after a failure.
        """
        async with AsyncExitStack() as undo:
            lock = await asyncio.to_thread(DataDirLock.acquire, data_dir)
            undo.callback(lock.release)
            remote = remote_factory(plan.central_url)
            undo.push_async_callback(remote.aclose)
            enrolment = Enrolment(remote, device_store(data_dir), plan)
            record = await _enrolled(enrolment, remote, on_waiting, options, sleep)
            # The outbox is used from the event loop's thread only (its connection is bound to it).
            outbox = Outbox.open(data_dir / OUTBOX_FILE, record.device_id)
            undo.callback(outbox.close)
            cache = await asyncio.to_thread(CacheStore.open, data_dir / CACHE_FILE)
            undo.callback(cache.close)
            reader = CacheReader(cache)
            undo.callback(reader.close)
            engine = SyncEngine.for_device(
                remote,
                cache,
                outbox,
                record,
                app_version=APP_VERSION,
                pull_interval=options.pull_interval,
                page_size=options.page_size,
            )
            session = cls(
                lock=lock,
                remote=remote,
                record=record,
                outbox=outbox,
                cache=cache,
                reader=reader,
                engine=engine,
            )
            undo.pop_all()  # from here on the session owns them: close() releases them
        log.info(
            "data dir %s open for %s (%s at %s)", data_dir, record.device_id, record.role, record.location_id
        )
        return session

    async def run(self) -> None:
        """Sync until cancelled (the engine retries failures forever and never drops an action)."""
        await self.engine.run_forever()

    async def close(self) -> None:
        """Engine, reader, remote, cache, outbox, then the lock; the engine's task must be cancelled first."""
        if self._closed:
            return
        self._closed = True
        steps: list[tuple[str, Callable[[], object]]] = [
            ("engine", self.engine.close),
            ("cache reader", self.reader.close),
        ]
        for name, step in steps:
            await _quietly(name, asyncio.to_thread(step))
        await _quietly("remote", self.remote.aclose())
        await _quietly("cache", asyncio.to_thread(self.cache.close))
        try:
            self.outbox.close()
        except Exception:
            log.exception("closing the outbox failed")
        self.lock.release()


async def _enrolled(
    enrolment: Enrolment,
    remote: CentralRemote,
    on_waiting: Callable[[str], None],
    options: SessionOptions,
    sleep: Callable[[float], Awaitable[None]],
) -> DeviceRecord:
    """The device's record, enrolling if needed; while the central cannot be reached to enrol, wait and retry.

    The token is tried once before the engine starts, so a refused one is replaced with the key at
    hand (if any) while nothing else is open. Offline, an enrolled device starts from its cache.
    """
    backoff = Backoff(base=options.enrol_retry_base, cap=options.enrol_retry_cap)
    while True:
        try:
            record = await enrolment.ensure()
        except (Unreachable, ServerFailed, RetryLater) as exc:
            log.info("waiting for the central system to enrol: %s", exc)
            on_waiting(str(exc))
            retry_after = exc.retry_after if isinstance(exc, RetryLater) else None
            await sleep(backoff.next_delay(retry_after))
            continue
        try:
            await remote.pull("locations", None, 1)
        except (Unreachable, ServerFailed, RetryLater):
            return record
        except Rejected as exc:
            issue = refusal_issue(exc)
            if issue is None:
                return record  # not about the credentials: the engine reports it
            try:
                return await enrolment.recover(issue, exc.detail)
            except (Unreachable, ServerFailed, RetryLater):
                return record
        return record


async def _quietly(name: str, step: Awaitable[object]) -> None:
    # Shutdown continues past a failing step: the later ones (the outbox, the lock) matter more.
    try:
        await step
    except Exception:
        log.exception("closing the %s failed", name)
