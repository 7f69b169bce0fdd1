"""R2: the harness catches deliberate bugs; a checker that passes everything would prove nothing.

Four bugs, each switched on by monkeypatching for 20 seeds of the R1 simulation: a client that
mints a new key when it retries, a client that marks a batch sent before sending it, a server with
no idempotency record, and a server that reserves stock without checking it. Each must be flagged
by the checkers in at least 90% of the seeds.
"""

from __future__ import annotations

import time

import pytest

from tests.offline_cache.faults.simulation import SimConfig, Template, build_template, run_seeds
from tests.offline_cache.faults.switches import SWITCHES

SEEDS = range(1000, 1020)
REQUIRED = 0.9


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return build_template(tmp_path_factory.mktemp("r2-template"))


@pytest.mark.parametrize("bug", sorted(SWITCHES))
def test_the_checkers_flag_a_deliberate_bug(
    template: Template, bug: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    SWITCHES[bug](monkeypatch)
    started = time.perf_counter()
    results, _ = run_seeds(SEEDS, template, SimConfig(actions=10), keep_failures=False)
    flagged = [r for r in results if not r.ok]
    kinds = sorted({v.split(":")[0] for r in flagged for v in r.violations})
    print(
        f"R2 {bug}: flagged {len(flagged)}/{len(results)} seeds by {kinds}; "
        f"{time.perf_counter() - started:.1f} s"
    )
    assert len(flagged) >= REQUIRED * len(results), (
        f"{bug} went unnoticed in seeds {[r.seed for r in results if r.ok]}"
    )
