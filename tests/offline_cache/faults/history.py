"""A Jepsen-style history: every client operation as invoke / ok / fail / info, with its action_id.

``ok`` means the operation certainly happened, ``fail`` that it certainly did not, ``info`` that
nobody knows (a push whose answer was lost). The checkers read it after the run; a failing seed
writes it as JSON next to its SQLite files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

OpType = Literal["invoke", "ok", "fail", "info"]


@dataclass(frozen=True, slots=True)
class Op:
    index: int
    time: float  # virtual seconds
    process: int  # terminal number; -1 for the harness itself (heal, quiescence)
    type: OpType
    f: str  # draft | submit | recovered | push | pull | crash | restart | heal | ...
    action_ids: tuple[str, ...] = ()
    value: dict[str, Any] = field(default_factory=dict)


class History:
    """Append-only list of operations, timed by the simulation's clock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.ops: list[Op] = []

    def record(
        self,
        process: int,
        type_: OpType,
        f: str,
        action_ids: tuple[str, ...] = (),
        **value: Any,
    ) -> Op:
        op = Op(len(self.ops), self._clock(), process, type_, f, action_ids, value)
        self.ops.append(op)
        return op

    def __iter__(self) -> Iterator[Op]:
        return iter(self.ops)

    def of(self, f: str, type_: OpType | None = None) -> Iterator[Op]:
        return (op for op in self.ops if op.f == f and (type_ is None or op.type == type_))

    def action_ids(self, f: str, type_: OpType) -> set[str]:
        return {a for op in self.of(f, type_) for a in op.action_ids}

    def confirmed(self) -> set[str]:
        """Actions the associate saw confirmed: a submit that returned, or one shown as recovered."""
        return self.action_ids("submit", "ok") | self.action_ids("recovered", "ok")

    def created(self) -> set[str]:
        """Every key a client ever tried to queue."""
        return self.action_ids("submit", "invoke")

    def dump(self, path: Path) -> None:
        path.write_text(
            json.dumps([asdict(op) for op in self.ops], indent=1, ensure_ascii=False, default=str),
            encoding="utf-8",
        )
