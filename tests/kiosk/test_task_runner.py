"""The task runner: kept references, same name cancels, failures logged and reported, orderly shutdown."""

from __future__ import annotations

import asyncio

import pytest
from pytestqt.qtbot import QtBot

from kiosk.ui.task_runner import TaskFailure, TaskRunner


async def test_same_name_cancels_the_previous_task() -> None:
    runner = TaskRunner()
    started: list[int] = []
    finished: list[int] = []

    async def work(n: int) -> None:
        started.append(n)
        await asyncio.sleep(0.05)
        finished.append(n)

    first = runner.run("search", work(1))
    second = runner.run("search", work(2))
    assert first is not None
    assert second is not None
    await asyncio.sleep(0.1)
    assert first.cancelled()
    assert finished == [2]
    assert runner.names == []  # finished tasks are forgotten


async def test_other_names_run_side_by_side() -> None:
    runner = TaskRunner()
    done: list[str] = []

    async def work(name: str) -> None:
        await asyncio.sleep(0.01)
        done.append(name)

    runner.run("a", work("a"))
    runner.run("b", work("b"))
    assert runner.names == ["a", "b"]
    await asyncio.sleep(0.05)
    assert sorted(done) == ["a", "b"]


async def test_a_failure_is_logged_reported_and_restores_a_safe_state(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    runner = TaskRunner()
    safe: list[BaseException] = []

    async def broken() -> None:
        raise KeyError("bug")

    with qtbot.waitSignal(runner.failed, timeout=2000) as signal:
        runner.run("broken", broken(), on_failure=safe.append)
        await asyncio.sleep(0.01)
    failure = signal.args[0] if signal.args else None
    assert isinstance(failure, TaskFailure)
    assert failure.name == "broken"
    assert isinstance(failure.error, KeyError)
    assert len(safe) == 1
    assert "task 'broken' failed unexpectedly" in caplog.text


async def test_shutdown_cancels_everything_and_refuses_new_tasks() -> None:
    runner = TaskRunner()
    cancelled: list[str] = []

    async def forever() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.append("forever")
            raise

    runner.run("forever", forever())
    await asyncio.sleep(0)
    await runner.shutdown()
    assert cancelled == ["forever"]

    async def late() -> None:
        raise AssertionError("must never run")

    assert runner.run("late", late()) is None
