"""R3: kill -9 while actions are being confirmed; every confirmed action survives, the file stays sound.

A child process (tests/offline_cache/faults/confirmer.py, forked from a zygote that imported the
outbox once) submits actions to a real outbox.db on disk and prints each action_id only after its
commit; the test SIGKILLs it at a random moment, 100 times over the same file. After each kill the
outbox is reopened: every confirmed action is there, ``PRAGMA integrity_check`` says ok, and the
seqs are 1..n without a gap.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_cache.outbox import Outbox

CYCLES = 100
ROOT = Path(__file__).resolve().parents[2]
TERMINAL = "T-R3"


@pytest.fixture
def zygote() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.offline_cache.faults.confirmer"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    yield process
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.close()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()  # a failed test left a child running: the zygote still waits for it
        process.wait(timeout=30)
    process.stdout.close()


def _line(zygote: subprocess.Popen[bytes]) -> str:
    assert zygote.stdout is not None
    line = zygote.stdout.readline()
    assert line, "the zygote died"
    return line.decode().strip()


def _kill_at_random(zygote: subprocess.Popen[bytes], path: Path, rng: random.Random) -> list[str]:
    """Fork a confirming child, SIGKILL it after a random delay, return the action_ids it confirmed."""
    assert zygote.stdin is not None
    zygote.stdin.write(f"fork {path} {TERMINAL}\n".encode())
    zygote.stdin.flush()
    verb, pid = _line(zygote).split()
    assert verb == "pid"
    if rng.random() < 0.1:
        # Sometimes while it is still opening (on the first cycle: creating) the file.
        time.sleep(rng.uniform(0.0, 0.01))
        before_ready = True
    else:
        before_ready = False
        time.sleep(rng.uniform(0.02, 0.2))
    with contextlib.suppress(ProcessLookupError):
        os.kill(int(pid), signal.SIGKILL)
    confirmed = []
    while (line := _line(zygote)) != f"reaped {pid}":
        if line.startswith("confirmed "):
            confirmed.append(line.split()[1])
        else:
            assert line == "ready" or before_ready, line
    return confirmed


def test_confirmed_actions_survive_kill_9(tmp_path: Path, zygote: subprocess.Popen[bytes]) -> None:
    rng = random.Random(3)
    path = tmp_path / "outbox.db"
    confirmed: list[str] = []
    started = time.perf_counter()
    for cycle in range(CYCLES):
        confirmed += _kill_at_random(zygote, path, rng)
        if not path.exists():
            continue  # killed before the file was created
        with contextlib.closing(sqlite3.connect(path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], f"cycle {cycle}"
        outbox = Outbox.open(path, TERMINAL)
        try:
            actions = outbox.actions()
            present = {a.action_id for a in actions}
            missing = [a for a in confirmed if a not in present]
            assert not missing, f"cycle {cycle}: {len(missing)} confirmed actions lost, e.g. {missing[:3]}"
            seqs = sorted(a.seq for a in actions)
            assert seqs == list(range(1, len(seqs) + 1)), f"cycle {cycle}: seqs have gaps"
            assert outbox.identity().next_seq == len(seqs) + 1
        finally:
            outbox.close()
    print(
        f"R3: {CYCLES} kills, {len(confirmed)} confirmed actions, 0 missing, "
        f"{time.perf_counter() - started:.1f} s"
    )
    assert len(confirmed) > CYCLES
