"""A fast-forwarding asyncio loop: when nothing can happen before the next timer, time jumps to it.

Backoff of 60 s, Retry-After and partitions of a minute cost no real time. While a request is being
served in a worker thread (``busy()``), the loop waits for it in real time and the clock stands
still, so a timeout can never fire just because the server thread was slow to get a core.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

START = 1_000.0
BUSY_POLL_S = 0.05


class _Selector(selectors.DefaultSelector):
    """The loop's selector; a wait that nothing would interrupt becomes a jump of the clock."""

    def __init__(self, loop: VirtualTimeLoop) -> None:
        super().__init__()
        self._vloop = loop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is not None and timeout <= 0:
            return list(super().select(0))
        if self._vloop.busy():
            # A worker thread is serving a request: its answer wakes us through the self-pipe.
            return list(super().select(BUSY_POLL_S if timeout is None else min(timeout, BUSY_POLL_S)))
        ready = list(super().select(0))
        if ready or timeout is None:
            return ready or list(super().select(None))
        self._vloop.advance(timeout)
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """``loop.time()`` is virtual; ``busy`` says when real work is under way outside the loop's thread."""

    def __init__(self, busy: Callable[[], bool] | None = None) -> None:
        self.now = START
        self._external_busy = busy or (lambda: False)
        self._executor_jobs = 0
        super().__init__(selector=_Selector(self))

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def set_busy(self, busy: Callable[[], bool]) -> None:
        self._external_busy = busy

    def busy(self) -> bool:
        return self._executor_jobs > 0 or self._external_busy()

    def run_in_executor[*Ts, T](
        self, executor: Executor | None, func: Callable[[*Ts], T], *args: *Ts
    ) -> asyncio.Future[T]:
        # Cache page writes run on the engine's writer thread: time stands still until they finish.
        future = super().run_in_executor(executor, func, *args)
        self._executor_jobs += 1
        future.add_done_callback(self._executor_done)
        return future

    def _executor_done(self, _future: asyncio.Future[Any]) -> None:
        self._executor_jobs -= 1
