"""R1: 200 seeds of kiosks ordering scarce stock through a network that loses, repeats, delays and cuts.

Each seed: 4 kiosks (their own outbox.db, cache.db and production `SyncEngine.run_forever()`), the
real central app in-process behind `FaultyTransport`, two client crashes, then heal and quiescence;
the checkers of SYNC_DESIGN 4.4 must find nothing: 0 lost, 0 unexpected, 0 duplicated effects,
0 oversold, 0 outcome disagreements, gap-free seqs, 0 pending after heal, heal -> drain within 1 s.

CI size: 10 carts per kiosk (8,000 actions over 200 seeds) so the real server's cost fits the CI
budget; ``R1_ACTIONS=40`` runs the design's full 32,000. A failing seed prints where its SQLite
files and history.json were kept; rerun it alone with ``R1_SEEDS=<seed>``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.offline_cache.faults.simulation import SimConfig, Template, build_template, run_seeds

SEEDS = 200
CHUNKS = 10
ACTIONS = int(os.environ.get("R1_ACTIONS", "10"))


def _seeds() -> list[list[int]]:
    chosen = os.environ.get("R1_SEEDS")
    if chosen:
        return [[int(s) for s in chosen.split(",")]]
    per = SEEDS // CHUNKS
    return [list(range(n * per, (n + 1) * per)) for n in range(CHUNKS)]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return build_template(tmp_path_factory.mktemp("r1-template"))


@pytest.mark.parametrize("seeds", _seeds(), ids=lambda s: f"seeds{s[0]}-{s[-1]}")
def test_no_action_is_lost_duplicated_or_oversold_under_faults(template: Template, seeds: list[int]) -> None:
    started = time.perf_counter()
    results, counts = run_seeds(seeds, template, SimConfig(actions=ACTIONS))
    failing = [r for r in results if not r.ok]
    heal_virtual = max(r.heal_to_drain_s for r in results)
    heal_real = max(r.heal_to_drain_real_s for r in results)
    print(
        f"R1 seeds {seeds[0]}-{seeds[-1]}: {sum(r.confirmed for r in results)} confirmed actions, "
        f"faults {counts.as_dict()}, heal->drain max {heal_virtual:.2f} s virtual / {heal_real:.2f} s real, "
        f"cpu {sum(r.cpu_s for r in results):.1f} s, wall {time.perf_counter() - started:.1f} s"
    )
    assert counts.crashes == 2 * len(seeds)
    assert counts.drop_after > 0
    assert counts.duplicate > 0
    assert not failing, "\n".join(
        f"seed {r.seed} (files: {r.artifacts or Path('?')}):\n  " + "\n  ".join(r.violations) for r in failing
    )
