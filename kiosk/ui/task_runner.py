"""Named background tasks on the qasync loop: references kept, same name cancels, failures logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TaskFailure:
    """A task that ended with an unexpected exception (a bug, never an expected error)."""

    name: str
    error: BaseException


class TaskRunner(QObject):
    """Runs presenters' coroutines as named asyncio tasks.

    A task is kept in a dict until it finishes, because asyncio itself holds only weak references
    and would let an unreferenced task be garbage-collected mid-flight. Starting a task under a
    name that is still running cancels the old one: a newer intent replaces an older one.
    """

    failed = Signal(object)  # TaskFailure

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    def run(
        self,
        name: str,
        coro: Coroutine[Any, Any, None],
        *,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[None] | None:
        """Start ``coro`` as task ``name``; ``on_failure`` restores the caller's safe state after a bug."""
        if self._closed:
            coro.close()  # never started: close it so Python does not warn "coroutine was never awaited"
            log.debug("task %s not started: the runner is shut down", name)
            return None
        previous = self._tasks.get(name)
        if previous is not None and not previous.done():
            previous.cancel()
        task = asyncio.get_running_loop().create_task(self._guarded(name, coro, on_failure), name=name)
        self._tasks[name] = task
        task.add_done_callback(lambda done: self._forget(name, done, coro))
        return task

    def cancel(self, name: str) -> None:
        task = self._tasks.get(name)
        if task is not None:
            task.cancel()

    def is_running(self, name: str) -> bool:
        task = self._tasks.get(name)
        return task is not None and not task.done()

    @property
    def names(self) -> list[str]:
        return sorted(name for name, task in self._tasks.items() if not task.done())

    async def shutdown(self, grace: float = 5.0) -> None:
        """Cancel every task and wait for them to unwind; no new task starts afterwards."""
        self._closed = True
        tasks = [task for task in self._tasks.values() if not task.done()]
        for task in tasks:
            task.cancel()
        if not tasks:
            return
        try:
            async with asyncio.timeout(grace):
                await asyncio.gather(*tasks, return_exceptions=True)
        except TimeoutError:
            log.warning(
                "tasks still running after %s s at shutdown: %s", grace, [t.get_name() for t in tasks]
            )

    def _forget(self, name: str, task: asyncio.Task[None], coro: Coroutine[Any, Any, None]) -> None:
        # A newer task may already sit under this name: remove only our own entry.
        if self._tasks.get(name) is task:
            del self._tasks[name]
        # A task cancelled before its first step never awaited ``coro``; closing it keeps Python from
        # warning "never awaited". For a coroutine that ran to its end, close() does nothing.
        coro.close()

    async def _guarded(
        self, name: str, coro: Coroutine[Any, Any, None], on_failure: Callable[[BaseException], None] | None
    ) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("task %r failed unexpectedly", name)
            if on_failure is not None:
                try:
                    on_failure(exc)
                except Exception:
                    log.exception("restoring a safe state after task %r failed also failed", name)
            self.failed.emit(TaskFailure(name, exc))
