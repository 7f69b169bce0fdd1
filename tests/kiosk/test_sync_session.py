"""SyncSession: the data folder opened in order (lock, enrolment, outbox, cache), linked (remote, token,
engine) and closed again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from central.app import create_app
from central.db import Database
from kiosk.api.remote import CentralRemote
from kiosk.services.enrolment import EnrolmentIssue, EnrolmentNeeded, EnrolmentPlan
from kiosk.services.sync_session import DeviceReenrolled, NotLinked, SyncSession
from offline_cache.cache_store import CacheStore
from offline_cache.data_dir_lock import DataDirBusy, DataDirLock
from offline_cache.device_record import DeviceRecord, device_store
from offline_cache.outbox import OUTBOX_FILE

from .conftest import CentralServer

URL = "http://central.test"
STORE = "CZ-PRG-01"


class Switchable(httpx.AsyncBaseTransport):
    """The in-process central, or a network that is down (connection refused)."""

    def __init__(self, db: Database) -> None:
        self.inner = httpx.ASGITransport(app=create_app(db))
        self.down = False
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


def plan(key: str | None) -> EnrolmentPlan:
    return EnrolmentPlan(URL, "kiosk", "kiosk on test", STORE, key)


def is_linked(session: SyncSession) -> bool:
    # A call, not the property: mypy would keep `not session.linked` narrowed across `await link()`.
    return session.linked


async def no_sleep(_seconds: float) -> None:
    return None


async def test_open_enrols_syncs_holds_the_folder_and_closes_in_order(
    central_server: CentralServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "device"
    transport = Switchable(central_server.db)
    session = await SyncSession.open(
        data_dir,
        plan(central_server.enrol_key()),
        remote_factory=lambda url: CentralRemote(url, transport=transport),
    )
    try:
        assert is_linked(session)  # a device enrolled just now has nothing to wait for: its token is new
        assert session.record.location_id == STORE
        assert device_store(data_dir).load() == session.record
        assert (data_dir / OUTBOX_FILE).exists()
        assert session.outbox.identity().terminal_id == session.record.device_id
        # Two syncing processes on one folder would fork the outbox: the lock says no.
        with pytest.raises(DataDirBusy):
            DataDirLock.acquire(data_dir)
        status = await session.engine.run_once()
        assert status.first_sync_done
        assert session.cache.location(STORE) is not None
        assert await session.reader.run(lambda cache: cache.counts()["catalog"]) > 200
    finally:
        await session.close()
    assert not session.lock.held
    DataDirLock.acquire(data_dir).release()  # free again
    await session.close()  # twice is harmless


async def test_waits_for_the_central_to_enrol_then_goes_on(
    central_server: CentralServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "device"
    transport = Switchable(central_server.db)
    transport.down = True
    waits: list[str] = []

    def on_waiting(reason: str) -> None:
        waits.append(reason)
        if len(waits) == 3:
            transport.down = False  # the network comes back

    session = await SyncSession.open(
        data_dir,
        plan(central_server.enrol_key()),
        on_waiting=on_waiting,
        remote_factory=lambda url: CentralRemote(url, transport=transport),
        sleep=no_sleep,
    )
    await session.close()
    assert len(waits) == 3
    assert "refused" in waits[0]
    assert device_store(data_dir).load() is not None


async def test_an_enrolled_device_starts_offline_from_its_files(
    central_server: CentralServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "device"
    device_store(data_dir).save(DeviceRecord("T-1", "d.some-token", "kiosk", STORE, URL))
    transport = Switchable(central_server.db)
    transport.down = True
    made: list[str] = []

    def factory(url: str) -> CentralRemote:
        made.append(url)
        return CentralRemote(url, transport=transport)

    session = await SyncSession.open(data_dir, plan(None), remote_factory=factory)
    try:
        assert session.record.device_id == "T-1"
        assert (made, transport.requests) == ([], 0)  # the files open before anything reaches out
        assert not is_linked(session)
        with pytest.raises(NotLinked):
            _ = session.engine
        await session.link()
        assert made == [URL]
        assert transport.requests == 1  # one try of the token, no waiting: offline work starts at once
        assert is_linked(session)
        assert session.engine.status().first_sync_done is False
        await session.link()  # once linked, linking again asks nothing
        assert (len(made), transport.requests) == (1, 1)
    finally:
        await session.close()


async def test_a_refused_token_is_replaced_with_the_key_and_the_folder_reopened_for_the_new_id(
    central_server: CentralServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "device"
    device_store(data_dir).save(DeviceRecord("T-GONE", "d.never-issued", "kiosk", STORE, URL))
    transport = Switchable(central_server.db)

    def factory(url: str) -> CentralRemote:
        return CentralRemote(url, transport=transport)

    key = central_server.enrol_key()
    session = await SyncSession.open(data_dir, plan(key), remote_factory=factory)
    try:
        queued = session.outbox.enqueue("audit.event", {"entries": [{"n": 1}]}, None, "system")
        assert session.outbox.identity().terminal_id == "T-GONE"
        with pytest.raises(DeviceReenrolled) as info:
            await session.link()
        assert info.value.old_id == "T-GONE"
        assert not is_linked(session)
        with pytest.raises(DeviceReenrolled):  # the outbox is still the old device's: no engine on it
            await session.link()
    finally:
        await session.close()
    renewed = device_store(data_dir).load()
    assert renewed is not None
    assert renewed.device_id == info.value.new_id != "T-GONE"
    # Opened again (as the app does), the outbox belongs to the new device and kept what was queued.
    session = await SyncSession.open(data_dir, plan(key), remote_factory=factory)
    try:
        await session.link()
        assert is_linked(session)
        assert session.record == renewed
        assert session.outbox.identity().terminal_id == renewed.device_id
        assert [a.action_id for a in session.outbox.actions()] == [queued.action_id]
    finally:
        await session.close()


async def test_a_refused_token_without_a_key_needs_a_person_and_keeps_the_cache_open(
    central_server: CentralServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "device"
    device_store(data_dir).save(DeviceRecord("T-GONE", "d.never-issued", "kiosk", STORE, URL))
    transport = Switchable(central_server.db)
    session = await SyncSession.open(
        data_dir, plan(None), remote_factory=lambda url: CentralRemote(url, transport=transport)
    )
    try:
        with pytest.raises(EnrolmentNeeded) as info:
            await session.link()
        assert info.value.issue == EnrolmentIssue.CREDENTIALS_REFUSED
        assert not is_linked(session)
        # What the device has stays usable while a person sees to the enrolment.
        assert await session.reader.run(lambda cache: cache.counts().get("catalog", 0)) == 0
        assert session.outbox.identity().terminal_id == "T-GONE"
        assert device_store(data_dir).load() == DeviceRecord("T-GONE", "d.never-issued", "kiosk", STORE, URL)
    finally:
        await session.close()
    DataDirLock.acquire(data_dir).release()  # the lock was released


async def test_a_busy_folder_is_refused_before_any_request(
    central_server: CentralServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "device"
    transport = Switchable(central_server.db)
    with DataDirLock.acquire(data_dir), pytest.raises(DataDirBusy):
        await SyncSession.open(
            data_dir,
            plan(central_server.enrol_key()),
            remote_factory=lambda url: CentralRemote(url, transport=transport),
        )
    assert transport.requests == 0


async def test_files_that_cannot_be_opened_release_the_lock(
    central_server: CentralServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "device"

    def broken_disk(*_args: object, **_kwargs: object) -> CacheStore:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(CacheStore, "open", broken_disk)
    transport = Switchable(central_server.db)
    with pytest.raises(sqlite3.OperationalError):
        await SyncSession.open(
            data_dir,
            plan(central_server.enrol_key()),
            remote_factory=lambda url: CentralRemote(url, transport=transport),
        )
    DataDirLock.acquire(data_dir).release()  # nothing stays open: the lock, the outbox, the remote
