"""Enrolment and device.json: enrol once, reuse, 0600, clear reasons when a person must act."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kiosk.services.enrolment import (
    Enrolment,
    EnrolmentIssue,
    EnrolmentNeeded,
    EnrolmentPlan,
    blocked_issue,
    refusal_issue,
)
from offline_cache.device_record import DeviceFileInvalid, DeviceRecord, DeviceStore
from offline_cache.remote import Rejected, Unauthorized, Unreachable

from .fakes import FakeEnrolmentRemote, enrolment

URL = "http://central.test:8700"


def plan(key: str | None = "KEY-1", **changes: object) -> EnrolmentPlan:
    values: dict[str, object] = {
        "central_url": URL,
        "role": "kiosk",
        "device_name": "kiosk on test",
        "location": "CZ-PRG-01",
        "enrol_key": key,
    }
    values.update(changes)
    return EnrolmentPlan(**values)  # type: ignore[arg-type]


def record(**changes: str) -> DeviceRecord:
    values = {
        "device_id": "T-9",
        "token": "d.stored",
        "role": "kiosk",
        "location_id": "CZ-PRG-01",
        "central_url": URL,
    }
    values.update(changes)
    return DeviceRecord(**values)


async def test_first_start_enrols_and_saves_device_json_0600(tmp_path: Path) -> None:
    central = FakeEnrolmentRemote(keys={"KEY-1": enrolment(token="d.new")})
    store = DeviceStore(tmp_path / "device.json")
    result = await Enrolment(central, store, plan()).ensure()
    assert result.device_id == "T-0001"
    assert central.token == "d.new"
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    saved = store.load()
    assert saved == result
    assert saved is not None
    assert saved.central_url == URL
    assert "d.new" not in repr(saved)


async def test_next_start_reuses_the_stored_token_without_a_key(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path / "device.json")
    store.save(record())
    central = FakeEnrolmentRemote()
    result = await Enrolment(central, store, plan(key=None)).ensure()
    assert result.token == "d.stored"
    assert central.token == "d.stored"
    assert central.enrolments == []


async def test_no_device_and_no_key(tmp_path: Path) -> None:
    with pytest.raises(EnrolmentNeeded) as info:
        await Enrolment(FakeEnrolmentRemote(), DeviceStore(tmp_path / "device.json"), plan(key=None)).ensure()
    assert info.value.issue == EnrolmentIssue.NOT_ENROLLED


async def test_refused_key(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path / "device.json")
    with pytest.raises(EnrolmentNeeded) as info:
        await Enrolment(FakeEnrolmentRemote(), store, plan(key="USED")).ensure()
    assert info.value.issue == EnrolmentIssue.KEY_REFUSED
    assert not (tmp_path / "device.json").exists()


async def test_key_for_the_other_role_is_refused(tmp_path: Path) -> None:
    central = FakeEnrolmentRemote(keys={"KEY-1": enrolment(role="associate")})
    with pytest.raises(EnrolmentNeeded) as info:
        await Enrolment(central, DeviceStore(tmp_path / "device.json"), plan()).ensure()
    assert info.value.issue == EnrolmentIssue.ROLE_MISMATCH
    assert not (tmp_path / "device.json").exists()


@pytest.mark.parametrize(
    ("stored", "issue"),
    [
        (record(role="associate"), EnrolmentIssue.ROLE_MISMATCH),
        (record(location_id="PL-WAW-01"), EnrolmentIssue.LOCATION_MISMATCH),
        (record(central_url="http://elsewhere:1"), EnrolmentIssue.OTHER_CENTRAL),
    ],
)
async def test_stored_enrolment_for_something_else(
    tmp_path: Path, stored: DeviceRecord, issue: EnrolmentIssue
) -> None:
    store = DeviceStore(tmp_path / "device.json")
    store.save(stored)
    with pytest.raises(EnrolmentNeeded) as info:
        await Enrolment(FakeEnrolmentRemote(), store, plan(key=None)).ensure()
    assert info.value.issue == issue
    # With a key at hand the device enrols again instead.
    central = FakeEnrolmentRemote(keys={"KEY-1": enrolment(token="d.fresh")})
    assert (await Enrolment(central, store, plan()).ensure()).token == "d.fresh"


async def test_demo_central_may_move_to_a_new_port(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path / "device.json")
    store.save(record(central_url="http://127.0.0.1:40000"))
    central = FakeEnrolmentRemote()
    result = await Enrolment(central, store, plan(key=None, central_may_move=True)).ensure()
    assert result.token == "d.stored"
    saved = store.load()
    assert saved is not None
    assert saved.central_url == URL


async def test_recover_after_401_enrols_again_once_with_the_key(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path / "device.json")
    store.save(record())
    central = FakeEnrolmentRemote(keys={"KEY-1": enrolment(token="d.fresh")})
    service = Enrolment(central, store, plan())
    await service.ensure()
    refusal = Unauthorized(401, "unauthorized", "The token is not valid or has expired.")
    issue = refusal_issue(refusal)
    assert issue == EnrolmentIssue.CREDENTIALS_REFUSED
    assert (await service.recover(issue)).token == "d.fresh"
    assert central.token == "d.fresh"
    # The key is spent now: a second refusal needs a person.
    with pytest.raises(EnrolmentNeeded) as info:
        await service.recover(issue)
    assert info.value.issue == EnrolmentIssue.CREDENTIALS_REFUSED
    assert central.enrolments == ["KEY-1"]


async def test_recover_without_key_says_so(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path / "device.json")
    store.save(record())
    service = Enrolment(FakeEnrolmentRemote(), store, plan(key=None))
    issue = refusal_issue(Rejected(403, "device_revoked", "This device has been revoked."))
    assert issue == EnrolmentIssue.DEVICE_REVOKED
    with pytest.raises(EnrolmentNeeded) as info:
        await service.recover(issue)
    assert info.value.issue == EnrolmentIssue.DEVICE_REVOKED


async def test_an_unreachable_central_while_enrolling_is_left_to_the_caller(tmp_path: Path) -> None:
    central = FakeEnrolmentRemote(keys={"KEY-1": enrolment()}, error=Unreachable("connection refused"))
    service = Enrolment(central, DeviceStore(tmp_path / "device.json"), plan())
    with pytest.raises(Unreachable):
        await service.ensure()
    assert not (tmp_path / "device.json").exists()
    # The key never reached the server: the next try may use it.
    central.error = None
    assert (await service.ensure()).device_id == "T-0001"
    assert central.enrolments == ["KEY-1"]


@pytest.mark.parametrize(
    ("refusal", "issue"),
    [
        (Unauthorized(401, "unauthorized", "expired"), EnrolmentIssue.CREDENTIALS_REFUSED),
        (Rejected(403, "device_revoked", ""), EnrolmentIssue.DEVICE_REVOKED),
        (Rejected(403, "forbidden_role", "kiosks may not"), None),
        (Rejected(426, "update_required", "update the app"), None),
    ],
)
def test_which_refusals_are_about_the_credentials(refusal: Rejected, issue: EnrolmentIssue | None) -> None:
    assert refusal_issue(refusal) == issue
    # The engine reports a blocking refusal as its text; the same answer comes from that.
    assert blocked_issue(str(refusal)) == issue


@pytest.mark.parametrize("text", ["", "unauthorized", "4O1 unauthorized", "connection refused", "401"])
def test_blocked_text_that_is_no_refusal_is_no_issue(text: str) -> None:
    assert blocked_issue(text) is None


async def test_damaged_device_file(tmp_path: Path) -> None:
    path = tmp_path / "device.json"
    path.write_text("{not json")
    store = DeviceStore(path)
    with pytest.raises(DeviceFileInvalid):
        store.load()
    with pytest.raises(EnrolmentNeeded) as info:
        await Enrolment(FakeEnrolmentRemote(), store, plan(key=None)).ensure()
    assert info.value.issue == EnrolmentIssue.DEVICE_FILE_INVALID
    assert path.read_text() == "{not json"  # nothing changed without a key
    central = FakeEnrolmentRemote(keys={"KEY-1": enrolment()})
    await Enrolment(central, store, plan()).ensure()
    assert (tmp_path / "device.json.invalid").read_text() == "{not json"  # kept for support


def test_device_file_with_missing_fields_is_invalid(tmp_path: Path) -> None:
    path = tmp_path / "device.json"
    path.write_text('{"device_id": "T-1", "token": 5}')
    with pytest.raises(DeviceFileInvalid, match="token"):
        DeviceStore(path).load()


def test_loose_file_mode_is_tightened(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path / "device.json")
    store.save(record())
    store.path.chmod(0o644)
    assert store.load() == record()
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
