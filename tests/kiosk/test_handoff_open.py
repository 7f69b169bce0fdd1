"""An associate device opens a kiosk's handoff code: the bag screen adopts bag and key, or says why not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from kiosk.services.bag import DRAFT_KIND, BagLine, BagService, BagSnapshot, parse_draft_body
from kiosk.services.cache_reader import CacheReader
from kiosk.services.handoff import HandoffService, encode, handoff_code, is_handoff_scan
from kiosk.ui.screens.bag.presenter import BagPresenter
from kiosk.ui.screens.bag.state import BagNotice
from kiosk.ui.screens.bag.view import BagView, connect_bag
from kiosk.ui.task_runner import TaskRunner
from offline_cache.cache_store import CACHE_FILE, CacheStore
from offline_cache.outbox import OUTBOX_FILE, Outbox, new_key
from tests.kiosk.test_bag import HERE, seed_bag_cache

from .conftest import settle_runner

ORDER = {
    "order_id": "0190a3c4-0000-7000-8000-000000000001",
    "store_id": HERE,
    "kind": "kiosk_request",
    "customer": {"first_name": "Zdeněk"},
    "lines": [{"sku": "SKU-CHAIR", "qty": 2, "location_id": HERE, "fulfilment": "pickup_here"}],
    "payment_method": "pay_at_till",
}


@dataclass
class Device:
    """One device's cache, outbox and bag screen (presenter over the real services, with its view)."""

    cache: CacheStore
    outbox: Outbox
    reader: CacheReader
    runner: TaskRunner
    service: BagService
    presenter: BagPresenter
    view: BagView

    async def settle(self) -> None:
        await settle_runner(self.runner)

    def notice_label(self) -> QLabel:
        label = self.view.findChild(QLabel, "bagNotice")
        assert label is not None
        return label

    def notice(self) -> str:
        return self.notice_label().text()

    def drafts(self) -> list[tuple[str, str, tuple[BagLine, ...]]]:
        return [
            (d.draft_id, d.action_id, parse_draft_body(d.body)) for d in self.outbox.open_drafts(DRAFT_KIND)
        ]

    def lines(self) -> tuple[BagLine, ...]:
        return self.presenter.state.snapshot.lines

    async def close(self) -> None:
        await self.runner.shutdown()
        self.reader.close()
        self.outbox.close()
        self.cache.close()


def _device(folder: Path, terminal: str, qtbot: QtBot, *, associate: bool) -> Device:
    folder.mkdir()
    cache = CacheStore.open(folder / CACHE_FILE)
    seed_bag_cache(cache)
    outbox = Outbox.open(folder / OUTBOX_FILE, terminal)
    reader = CacheReader(cache)
    runner = TaskRunner()
    service = BagService(reader, outbox, HERE, "CZK")
    handoff = HandoffService(reader, HERE, "CZK", reservations=outbox.reservations) if associate else None
    presenter = BagPresenter(service, runner, language="en", handoff=handoff)
    view = BagView()
    qtbot.addWidget(view)
    connect_bag(view, presenter)
    return Device(cache, outbox, reader, runner, service, presenter, view)


@pytest.fixture
async def kiosk(tmp_path: Path, qtbot: QtBot, qapp: QApplication) -> AsyncIterator[Device]:
    device = _device(tmp_path / "kiosk", "kiosk-1", qtbot, associate=False)
    yield device
    await device.close()


@pytest.fixture
async def associate(tmp_path: Path, qtbot: QtBot, qapp: QApplication) -> AsyncIterator[Device]:
    device = _device(tmp_path / "associate", "assoc-1", qtbot, associate=True)
    yield device
    await device.close()


async def _kiosk_bag(kiosk: Device) -> tuple[BagSnapshot, str]:
    await kiosk.presenter.add_line("SKU-TABLE", 1)
    await kiosk.presenter.add_line("SKU-CHAIR", 2)
    snapshot = kiosk.presenter.state.snapshot
    return snapshot, handoff_code(snapshot)


async def test_the_code_opens_the_kiosk_bag_with_its_key_on_the_associate_device(
    kiosk: Device, associate: Device
) -> None:
    snapshot, code = await _kiosk_bag(kiosk)
    associate.presenter.open_handoff(code)  # what the app does with a scanned KB code
    await associate.settle()
    opened = associate.presenter.state.snapshot
    assert opened.action_id == snapshot.action_id
    assert set(opened.lines) == set(snapshot.lines)
    assert opened.total_minor == snapshot.total_minor
    assert associate.notice() == "Opened the customer's bag."
    [(_, key, lines)] = associate.drafts()
    assert key == snapshot.action_id
    assert set(lines) == {BagLine("SKU-CHAIR", 2), BagLine("SKU-TABLE", 1)}
    # The order the associate submits carries the kiosk's key.
    [draft] = associate.outbox.open_drafts(DRAFT_KIND)
    action = associate.outbox.submit(draft, "order.create", ORDER, "A-7", "associate")
    assert action.action_id == snapshot.action_id


async def test_scanning_the_same_code_twice_keeps_one_bag_and_the_associates_edits(
    kiosk: Device, associate: Device
) -> None:
    _, code = await _kiosk_bag(kiosk)
    await associate.presenter.open_handed_off(code)
    await associate.presenter.change_quantity("SKU-CHAIR", 1)  # the customer changed their mind
    [before] = associate.drafts()
    await associate.presenter.open_handed_off(f" {code.lower()}\n")  # the same code again
    assert associate.drafts() == [before]
    assert BagLine("SKU-CHAIR", 1) in associate.lines()
    assert associate.notice() == "Opened the customer's bag."


async def test_a_bag_holding_other_lines_is_kept_and_the_associate_told(
    kiosk: Device, associate: Device
) -> None:
    _, code = await _kiosk_bag(kiosk)
    await associate.presenter.add_line("SKU-RUG", 3)
    before = associate.drafts()
    await associate.presenter.open_handed_off(code)
    assert associate.drafts() == before
    assert associate.lines() == (BagLine("SKU-RUG", 3),)
    assert associate.notice() == (
        "This bag still holds products. Remove them before opening another customer's bag."
    )
    assert associate.notice_label().property("tone") == "error"


async def test_an_emptied_bag_gives_way_to_the_handoff(kiosk: Device, associate: Device) -> None:
    snapshot, code = await _kiosk_bag(kiosk)
    await associate.presenter.add_line("SKU-RUG", 1)
    await associate.presenter.remove_line("SKU-RUG")  # an empty bag, its draft still open
    [(_, emptied_key, ())] = associate.drafts()
    await associate.presenter.open_handed_off(code)
    [(_, key, lines)] = associate.drafts()
    assert key == snapshot.action_id != emptied_key
    assert set(lines) == set(snapshot.lines)


async def test_the_adopted_bag_comes_back_after_a_restart(
    kiosk: Device, associate: Device, tmp_path: Path
) -> None:
    snapshot, code = await _kiosk_bag(kiosk)
    await associate.presenter.open_handed_off(code)
    again = BagService(associate.reader, associate.outbox, HERE, "CZK")
    restored = await again.restore("en")
    assert restored.snapshot.action_id == snapshot.action_id
    assert set(restored.snapshot.lines) == set(snapshot.lines)


@pytest.mark.parametrize(
    ("make_code", "notice", "text"),
    [
        (
            lambda code: code[:-3],
            BagNotice.HANDOFF_DAMAGED,
            "This bag code could not be read. Please scan it again.",
        ),
        (
            lambda code: code[:-1] + str((int(code[-1]) + 1) % 10),
            BagNotice.HANDOFF_DAMAGED,
            "This bag code could not be read. Please scan it again.",
        ),
        (
            lambda code: "KBX" + code[3:],
            BagNotice.HANDOFF_DAMAGED,
            "This bag code could not be read. Please scan it again.",
        ),
        (
            lambda code: "KB2" + code[3:],
            BagNotice.HANDOFF_NEWER,
            "This bag code comes from a newer kiosk app. Please update this device.",
        ),
        (
            lambda code: encode(new_key(), [BagLine("SKU-CHAIR", 1), BagLine("SKU-FROM-THE-FUTURE", 1)]),
            BagNotice.HANDOFF_UNKNOWN_PRODUCT,
            "This bag holds products this device does not know yet. Please try again later.",
        ),
    ],
)
async def test_a_code_that_does_not_open_says_why_and_changes_nothing(
    kiosk: Device, associate: Device, make_code: object, notice: BagNotice, text: str
) -> None:
    _, code = await _kiosk_bag(kiosk)
    assert callable(make_code)
    bad = make_code(code)
    assert is_handoff_scan(bad)
    for bag in ((), (BagLine("SKU-RUG", 2),)):
        if bag:
            await associate.presenter.add_line("SKU-RUG", 2)
        before = associate.drafts()
        await associate.presenter.open_handed_off(bad)
        assert associate.presenter.state.notice == notice
        assert associate.notice() == text
        assert associate.lines() == bag
        assert associate.drafts() == before


async def test_a_bag_already_ordered_on_this_device_is_not_opened_again(
    kiosk: Device, associate: Device
) -> None:
    _, code = await _kiosk_bag(kiosk)
    await associate.presenter.open_handed_off(code)
    [draft] = associate.outbox.open_drafts(DRAFT_KIND)
    associate.outbox.submit(draft, "order.create", ORDER, "A-7", "associate")
    associate.presenter.clear()  # the next customer
    await associate.presenter.open_handed_off(code)  # the old code, scanned once more
    assert associate.presenter.state.notice == BagNotice.HANDOFF_USED
    assert associate.notice() == "This bag was already ordered on this device."
    assert associate.lines() == ()
    assert associate.drafts() == []
    assert associate.outbox.counts()["pending"] == 1


async def test_a_kiosk_presenter_does_not_open_codes(kiosk: Device) -> None:
    snapshot, _ = await _kiosk_bag(kiosk)
    other = encode(new_key(), [BagLine("SKU-RUG", 1)])
    await kiosk.presenter.open_handed_off(other)
    assert kiosk.presenter.state.snapshot.action_id == snapshot.action_id
    assert set(kiosk.lines()) == set(snapshot.lines)


def test_only_kb_scans_are_handoff_scans() -> None:
    assert is_handoff_scan("KB1234")
    assert is_handoff_scan(" kb9 ")
    assert not is_handoff_scan("8594000000011")  # a product's EAN
    assert not is_handoff_scan("K")
    assert not is_handoff_scan(None)
