"""The checkers of SYNC_DESIGN section 4.4, run on the history, the outboxes and the central database.

Each returns human-readable violations (empty: the invariant holds). They read the SQLite files
directly, read-only, so a checker can never repair what it is judging.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.offline_cache.faults.history import History

StockKey = tuple[str, str]  # (sku, location_id)
MAX_LISTED = 5


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def read_stock(central: Path) -> dict[StockKey, tuple[int, int]]:
    """(on_hand, reserved) of every stock row."""
    with read_only(central) as conn:
        rows = conn.execute("SELECT sku, location_id, on_hand, reserved FROM stock").fetchall()
    return {(sku, loc): (int(on_hand), int(reserved)) for sku, loc, on_hand, reserved in rows}


@dataclass(frozen=True, slots=True)
class ClientAction:
    device_id: str
    action_id: str
    install_id: str
    seq: int
    state: str
    result_code: str | None
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ClientFile:
    device_id: str
    install_id: str
    next_seq: int
    actions: tuple[ClientAction, ...]
    open_drafts: int


@dataclass(frozen=True, slots=True)
class ServerAction:
    action_id: str
    device_id: str | None
    install_id: str | None
    seq: int | None
    status: str
    code: str
    order: int  # insertion order (rowid)


@dataclass(frozen=True, slots=True)
class CheckInput:
    history: History
    central: Path
    outboxes: Mapping[str, Path]  # device_id -> outbox.db
    caches: Mapping[str, Path]  # device_id -> cache.db
    baseline: Mapping[StockKey, tuple[int, int]]
    store: str
    heal_to_drain_s: float
    heal_bound_s: float


def read_client(device_id: str, path: Path) -> ClientFile:
    with read_only(path) as conn:
        install_id, next_seq = conn.execute(
            "SELECT install_id, next_seq FROM terminal_identity WHERE id = 1"
        ).fetchone()
        rows = conn.execute(
            "SELECT action_id, install_id, seq, state, result_code, payload FROM outbox ORDER BY id"
        ).fetchall()
        drafts = conn.execute("SELECT COUNT(*) FROM draft WHERE submitted = 0").fetchone()[0]
    actions = tuple(
        ClientAction(device_id, a, i, int(s), st, code, json.loads(p)) for a, i, s, st, code, p in rows
    )
    return ClientFile(device_id, install_id, int(next_seq), actions, int(drafts))


def read_server(path: Path, devices: set[str]) -> dict[str, ServerAction]:
    with read_only(path) as conn:
        rows = conn.execute(
            "SELECT action_id, device_id, install_id, seq, status, code, rowid "
            "FROM applied_actions ORDER BY rowid"
        ).fetchall()
    return {r[0]: ServerAction(*r) for r in rows if r[1] in devices}


def _listed(ids: Iterable[object]) -> str:
    items = sorted(str(i) for i in ids) if not isinstance(ids, list) else [str(i) for i in ids]
    more = f" (+{len(items) - MAX_LISTED} more)" if len(items) > MAX_LISTED else ""
    return ", ".join(items[:MAX_LISTED]) + more


def check(given: CheckInput) -> list[str]:
    clients = [read_client(d, p) for d, p in given.outboxes.items()]
    server = read_server(given.central, set(given.outboxes))
    local = {a.action_id: a for c in clients for a in c.actions}
    violations: list[str] = []
    violations += check_lost_and_unexpected(given.history, local, server)
    violations += check_effects(given.central, local, server)
    violations += check_stock(given.central, given.baseline, local, server)
    violations += check_outcomes(local, server)
    violations += check_order(clients, given.central, server)
    violations += check_quiescence(clients, given.heal_to_drain_s, given.heal_bound_s)
    violations += check_convergence(given.central, given.caches, given.store)
    return violations


def check_lost_and_unexpected(
    history: History, local: Mapping[str, ClientAction], server: Mapping[str, ServerAction]
) -> list[str]:
    confirmed = history.confirmed()
    created = history.created()
    out = []
    lost = confirmed - set(server)
    if lost:
        out.append(f"lost: {len(lost)} confirmed actions never reached the server: {_listed(lost)}")
    unexpected = set(server) - created
    if unexpected:
        out.append(f"unexpected: {len(unexpected)} server actions no client created: {_listed(unexpected)}")
    vanished = confirmed - set(local)
    if vanished:
        out.append(
            f"lost locally: {len(vanished)} confirmed actions missing from the outbox: {_listed(vanished)}"
        )
    return out


def check_effects(
    central: Path, local: Mapping[str, ClientAction], server: Mapping[str, ServerAction]
) -> list[str]:
    """One business effect per applied action, none for a refused one, at most one per intent."""
    with read_only(central) as conn:
        orders = conn.execute("SELECT id, client_action_id FROM orders").fetchall()
    per_key = Counter(key for _, key in orders if key is not None)
    out = []
    doubled = [k for k, n in per_key.items() if n > 1]
    if doubled:
        out.append(f"duplicated effects: {len(doubled)} action_ids own several orders: {_listed(doubled)}")
    missing = [a for a, s in server.items() if s.status == "applied" and per_key[a] != 1]
    if missing:
        out.append(
            f"duplicated effects: {len(missing)} applied actions without exactly one order: "
            + _listed(missing)
        )
    ghost = [a for a, s in server.items() if s.status != "applied" and per_key[a] != 0]
    if ghost:
        out.append(f"duplicated effects: {len(ghost)} refused actions left an order behind: {_listed(ghost)}")
    intents: Counter[str] = Counter()
    for action_id, s in server.items():
        mine = local.get(action_id)
        if s.status == "applied" and mine is not None:
            intents[str(mine.payload.get("order_id"))] += 1
    twice = [i for i, n in intents.items() if n > 1]
    if twice:
        out.append(f"duplicated effects: {len(twice)} carts applied more than once: {_listed(twice)}")
    return out


def _reserving(payload: Mapping[str, Any]) -> Iterator[tuple[StockKey, int, bool]]:
    for line in payload.get("lines", ()):
        yield (line["sku"], line["location_id"]), int(line["qty"]), line["fulfilment"] == "take_now"


def check_stock(
    central: Path,
    baseline: Mapping[StockKey, tuple[int, int]],
    local: Mapping[str, ClientAction],
    server: Mapping[str, ServerAction],
) -> list[str]:
    """No oversell, and stock moved by exactly the applied orders (server rows and client view agree)."""
    now = read_stock(central)
    out = []
    bad = [k for k, (on_hand, reserved) in now.items() if not 0 <= reserved <= on_hand]
    if bad:
        out.append(f"oversold: {len(bad)} stock rows with reserved outside [0, on_hand]: {_listed(bad)}")
    with read_only(central) as conn:
        lines = conn.execute(
            "SELECT l.sku, l.location_id, l.reserved_qty, l.collected_qty, l.fulfilment FROM order_lines l"
        ).fetchall()
    reserved_by_lines: Counter[StockKey] = Counter()
    taken_by_lines: Counter[StockKey] = Counter()
    for sku, loc, reserved_qty, collected_qty, fulfilment in lines:
        reserved_by_lines[(sku, loc)] += int(reserved_qty)
        if fulfilment == "take_now":
            taken_by_lines[(sku, loc)] += int(collected_qty)
    reserved_by_client: Counter[StockKey] = Counter()
    taken_by_client: Counter[StockKey] = Counter()
    for action_id, s in server.items():
        mine = local.get(action_id)
        if s.status != "applied" or mine is None:
            continue
        for key, qty, take_now in _reserving(mine.payload):
            (taken_by_client if take_now else reserved_by_client)[key] += qty
    for key, (on_hand, reserved) in sorted(now.items()):
        base_on_hand, base_reserved = baseline.get(key, (0, 0))
        if reserved - base_reserved != reserved_by_lines[key]:
            out.append(
                f"oversold: {key} reserved moved by {reserved - base_reserved}, "
                f"the orders' lines reserve {reserved_by_lines[key]}"
            )
        if base_on_hand - on_hand != taken_by_lines[key]:
            out.append(
                f"oversold: {key} on_hand fell by {base_on_hand - on_hand}, "
                f"take-now lines took {taken_by_lines[key]}"
            )
        client = (reserved_by_client[key], taken_by_client[key])
        lines_say = (reserved_by_lines[key], taken_by_lines[key])
        if client != lines_say:
            out.append(
                f"stock disagreement: {key} clients' applied orders (reserve, take) {client}; "
                f"the server's order lines {lines_say}"
            )
    return out[: MAX_LISTED * 3]


_LOCAL_STATE = {"applied": "applied", "rejected": "rejected", "needs_review": "needs_review"}


def check_outcomes(local: Mapping[str, ClientAction], server: Mapping[str, ServerAction]) -> list[str]:
    """The client's final state and code for every action equal what the server stored."""
    wrong = []
    for action_id, mine in local.items():
        if mine.state == "pending":
            continue
        theirs = server.get(action_id)
        if theirs is None:
            wrong.append(f"{action_id}: client {mine.state}, server has nothing")
        elif _LOCAL_STATE.get(theirs.status) != mine.state or theirs.code != mine.result_code:
            wrong.append(
                f"{action_id}: client {mine.state}/{mine.result_code}, server {theirs.status}/{theirs.code}"
            )
    if not wrong:
        return []
    return [f"outcome disagreement: {len(wrong)} actions: {_listed(wrong)}"]


def check_order(clients: list[ClientFile], central: Path, server: Mapping[str, ServerAction]) -> list[str]:
    """Applied seqs per install strictly increase and leave no gap; the client's seqs are gap-free too."""
    out = []
    with read_only(central) as conn:
        installs = dict(conn.execute("SELECT install_id, last_applied_seq FROM terminal_installs").fetchall())
    by_install: dict[str, list[ServerAction]] = defaultdict(list)
    for s in server.values():
        if s.install_id is not None:
            by_install[s.install_id].append(s)
    local_by_install: dict[str, dict[int, str]] = defaultdict(dict)
    for c in clients:
        for a in c.actions:
            local_by_install[a.install_id][a.seq] = a.action_id
    for install_id, rows in by_install.items():
        seqs = [s.seq for s in sorted(rows, key=lambda s: s.order)]
        if any(b is None or a is None or b <= a for a, b in itertools.pairwise(seqs)):
            out.append(f"order: install {install_id} applied seqs out of order: {seqs[:20]}")
        last = int(installs.get(install_id, 0))
        # A seq consumed as a duplicate of an action applied under an earlier install is no gap.
        replayed = {
            seq
            for seq, action_id in local_by_install[install_id].items()
            if action_id in server and server[action_id].install_id != install_id
        }
        covered = {s for s in seqs if s is not None} | replayed
        gaps = sorted(set(range(1, last + 1)) - covered)
        if gaps:
            out.append(f"order: install {install_id} has gaps below last_applied_seq {last}: {gaps[:20]}")
    for c in clients:
        per: dict[str, list[int]] = defaultdict(list)
        for a in c.actions:
            per[a.install_id].append(a.seq)
        for install_id, local_seqs in per.items():
            if sorted(local_seqs) != list(range(1, len(local_seqs) + 1)):
                out.append(
                    f"order: {c.device_id} install {install_id} local seqs not 1..n: "
                    f"{sorted(local_seqs)[:20]}"
                )
        current = per.get(c.install_id, [])
        if c.next_seq != len(current) + 1:
            out.append(f"order: {c.device_id} next_seq {c.next_seq} after {len(current)} actions")
    return out


def check_quiescence(clients: list[ClientFile], heal_to_drain_s: float, bound_s: float) -> list[str]:
    out = []
    pending = sum(1 for c in clients for a in c.actions if a.state == "pending")
    drafts = sum(c.open_drafts for c in clients)
    if pending or drafts:
        out.append(f"pending after heal: {pending} actions, {drafts} unsubmitted drafts")
    if heal_to_drain_s > bound_s:
        out.append(f"liveness: heal -> drain took {heal_to_drain_s:.2f} s (bound {bound_s:g} s)")
    return out


def check_convergence(central: Path, caches: Mapping[str, Path], store: str) -> list[str]:
    """After the final pull every cache shows the server's stock for its store."""
    with read_only(central) as conn:
        truth = set(
            conn.execute(
                "SELECT sku, on_hand, reserved FROM stock WHERE location_id = ?", (store,)
            ).fetchall()
        )
    out = []
    for device_id, path in caches.items():
        with read_only(path) as conn:
            seen = set(
                conn.execute(
                    "SELECT sku, on_hand, reserved FROM stock WHERE location_id = ?", (store,)
                ).fetchall()
            )
        if seen != truth:
            out.append(
                f"convergence: {device_id} cache differs from the server in {len(seen ^ truth)} stock rows"
            )
    return out
