"""A device's open data dir: its lock, enrolment, outbox, cache, central remote and sync engine.

`SyncSession.open()` builds the local part in order and undoes what it built when a step fails: an
enrolled device reads ``device.json`` and opens the outbox and the cache without a request, so its
catalog is readable at once, offline too; a device not enrolled yet enrols first (it has nothing to
read). `link()` then makes the central remote, tries the stored token and builds the engine. `close()`
takes everything down in the reverse order. The engine's `run_forever()` is handed to the caller to
run (the app runs it as a named task), so this module stays free of Qt.
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
from offline_cache.remote import Enrolment as DeviceEnrolment
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


class NotLinked(RuntimeError):
    """The remote or the engine was asked for before `link()` built them."""


class DeviceReenrolled(Exception):
    """`link()` enrolled the device again under a new id while its outbox was open for the old one.

    ``device.json`` holds the new enrolment: close the session and open it again, and the outbox moves
    its pending actions to the new device (as `Outbox.open` does for a file of another terminal).
    """

    def __init__(self, old_id: str, new_id: str) -> None:
        super().__init__(f"enrolled again: {old_id} is now {new_id}")
        self.old_id = old_id
        self.new_id = new_id


class _Central:
    """The enrolment's remote: the CentralRemote is made on first need, so reading device.json makes none.

    It is made on a worker thread: httpx loads httpcore and the TLS trust store then (~0.1 s of CPU),
    which the first paint of the cached catalog should not wait for.
    """

    def __init__(self, url: str, factory: Callable[[str], CentralRemote]) -> None:
        self._url = url
        self._factory = factory
        self._token: str | None = None
        self._closed = False
        self.remote: CentralRemote | None = None

    def use_token(self, token: str | None) -> None:
        self._token = token
        if self.remote is not None:
            self.remote.use_token(token)

    async def enrol_device(self, enrolment_key: str, device_name: str) -> DeviceEnrolment:
        remote = await self.made()
        return await remote.enrol_device(enrolment_key, device_name)

    async def made(self) -> CentralRemote:
        if self.remote is None:
            # Cancelled meanwhile, the thread's remote is dropped unused: it has opened no connection.
            remote = await asyncio.to_thread(self._factory, self._url)
            if self._closed:  # the session closed while the remote was being made
                await remote.aclose()
                raise NotLinked("the session was closed")
            remote.use_token(self._token)
            self.remote = remote
        return self.remote

    async def aclose(self) -> None:
        self._closed = True
        if self.remote is not None:
            await self.remote.aclose()


class SyncSession:
    """Owns every object that touches the data dir while the app runs; built by `open()` only."""

    def __init__(
        self,
        *,
        lock: DataDirLock,
        record: DeviceRecord,
        outbox: Outbox,
        cache: CacheStore,
        reader: CacheReader,
        central: _Central,
        enrolment: Enrolment,
        options: SessionOptions,
    ) -> None:
        self.lock = lock
        self.record = record
        self.outbox = outbox
        self.cache = cache
        self.reader = reader
        self._central = central
        self._enrolment = enrolment
        self._options = options
        # A token issued by this session's own enrolment is good: only a stored one is tried first.
        self._token_tried = central.remote is not None
        self._reenrolled: DeviceReenrolled | None = None
        self._engine: SyncEngine | None = None
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
        """Lock, read the enrolment, open the outbox and the cache: the local data, readable offline.

        An enrolled device asks the central nothing here (`link()` does); one that is not enrolled yet
        enrols first, waiting while the central is away, and comes back linked. Raises DataDirBusy when
        another process holds the data dir, EnrolmentNeeded when a person must act, OSError or
        OutboxError when the files cannot be used; nothing stays open after a failure.
        """
        async with AsyncExitStack() as undo:
            lock = await asyncio.to_thread(DataDirLock.acquire, data_dir)
            undo.callback(lock.release)
            central = _Central(plan.central_url, remote_factory)
            undo.push_async_callback(central.aclose)
            enrolment = Enrolment(central, device_store(data_dir), plan)
            record = await _enrolled(enrolment, on_waiting, options, sleep)
            # The outbox is used from the event loop's thread only (its connection is bound to it).
            outbox = Outbox.open(data_dir / OUTBOX_FILE, record.device_id)
            undo.callback(outbox.close)
            cache = await asyncio.to_thread(CacheStore.open, data_dir / CACHE_FILE)
            undo.callback(cache.close)
            reader = CacheReader(cache)
            undo.callback(reader.close)
            session = cls(
                lock=lock,
                record=record,
                outbox=outbox,
                cache=cache,
                reader=reader,
                central=central,
                enrolment=enrolment,
                options=options,
            )
            if session._token_tried:
                await session.link()  # just enrolled: nothing to try, the engine can be built now
            undo.pop_all()  # from here on the session owns them: close() releases them
        log.info(
            "data dir %s open for %s (%s at %s)", data_dir, record.device_id, record.role, record.location_id
        )
        return session

    @property
    def linked(self) -> bool:
        """Whether `link()` is done: the remote and the engine exist."""
        return self._engine is not None

    @property
    def engine(self) -> SyncEngine:
        if self._engine is None:
            raise NotLinked("the sync engine is built by link()")
        return self._engine

    @property
    def remote(self) -> CentralRemote:
        remote = self._central.remote
        if remote is None or self._engine is None:
            raise NotLinked("the central remote is made by link()")
        return remote

    async def link(self) -> None:
        """Make the central remote, try a stored token once, build the engine; does nothing once linked.

        A refused token is replaced with the key at hand, if any. When the central cannot be reached
        (or cannot say now), the engine is built all the same: it retries, and reports a refusal later.
        Raises EnrolmentNeeded when a person must act (the token refused and no key), DeviceReenrolled
        when the key enrolled this device under a new id, the remote's errors when the central refused
        the enrolment otherwise, OSError when device.json cannot be written; the session stays open,
        its cache readable, and can be linked again.
        """
        if self._engine is not None:
            return
        if self._closed:
            raise NotLinked("the session is closed")
        if self._reenrolled is not None:
            raise self._reenrolled  # the outbox is still the old device's: only reopening helps
        remote = await self._central.made()
        if not self._token_tried:
            renewed = await _tried_token(self._enrolment, remote)
            self._token_tried = True
            if renewed is not None:
                if renewed.device_id != self.record.device_id:
                    self._reenrolled = DeviceReenrolled(self.record.device_id, renewed.device_id)
                    raise self._reenrolled
                self.record = renewed
        options = self._options
        self._engine = SyncEngine.for_device(
            remote,
            self.cache,
            self.outbox,
            self.record,
            app_version=APP_VERSION,
            pull_interval=options.pull_interval,
            page_size=options.page_size,
        )

    async def run(self) -> None:
        """Once linked, sync until cancelled (the engine retries failures forever, drops no action)."""
        await self.engine.run_forever()

    async def close(self) -> None:
        """Engine, reader, remote, cache, outbox, then the lock; the engine's task must be cancelled first."""
        if self._closed:
            return
        self._closed = True
        steps: list[tuple[str, Callable[[], object]]] = [("cache reader", self.reader.close)]
        if self._engine is not None:
            steps.insert(0, ("engine", self._engine.close))
        for name, step in steps:
            await _quietly(name, asyncio.to_thread(step))
        await _quietly("remote", self._central.aclose())
        await _quietly("cache", asyncio.to_thread(self.cache.close))
        try:
            self.outbox.close()
        except Exception:
            log.exception("closing the outbox failed")
        self.lock.release()


async def _enrolled(
    enrolment: Enrolment,
    on_waiting: Callable[[str], None],
    options: SessionOptions,
    sleep: Callable[[float], Awaitable[None]],
) -> DeviceRecord:
    """The device's record, enrolling if needed; while the central cannot be reached to enrol, wait and retry.

    An enrolled device's record comes from device.json alone: its token is tried by `link()`.
    """
    backoff = Backoff(base=options.enrol_retry_base, cap=options.enrol_retry_cap)
    while True:
        try:
            return await enrolment.ensure()
        except (Unreachable, ServerFailed, RetryLater) as exc:
            log.info("waiting for the central system to enrol: %s", exc)
            on_waiting(str(exc))
            retry_after = exc.retry_after if isinstance(exc, RetryLater) else None
            await sleep(backoff.next_delay(retry_after))


async def _tried_token(enrolment: Enrolment, remote: CentralRemote) -> DeviceRecord | None:
    """Try the stored token once; a refused one is replaced with the key at hand, if any.

    Returns the new record, or None to go on with the stored one (the token works, or the central
    cannot say now: the engine retries and reports a refusal itself).
    """
    try:
        await remote.pull("locations", None, 1)
    except (Unreachable, ServerFailed, RetryLater):
        return None
    except Rejected as exc:
        issue = refusal_issue(exc)
        if issue is None:
            return None  # not about the credentials: the engine reports it
        try:
            return await enrolment.recover(issue, exc.detail)
        except (Unreachable, ServerFailed, RetryLater):
            return None
    return None


async def _quietly(name: str, step: Awaitable[object]) -> None:
    # Shutdown continues past a failing step: the later ones (the outbox, the lock) matter more.
    try:
        await step
    except Exception:
        log.exception("closing the %s failed", name)
