"""Run the benchmarks and print the table: `uv run python -m tests.benchmarks [--big] [--pg URL] [SUITE ...]`.

Each suite is a module ``tests/benchmarks/bench_<suite>.py`` with ``run(options: Options) -> list[Result]``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from tests.benchmarks.report import Options, Result, table

# Suite name -> module; run in this order when none is named.
SUITES = {
    "central": "tests.benchmarks.bench_central",
    "sync": "tests.benchmarks.bench_sync",
    "search": "tests.benchmarks.bench_search",
    "app": "tests.benchmarks.bench_app",
    "drain": "tests.benchmarks.bench_drain",
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--big", action="store_true", help="use 1,000,000 demo products where a suite can")
    parser.add_argument("--pg", metavar="URL", help="also benchmark an EMPTY PostgreSQL database at URL")
    parser.add_argument("suites", nargs="*", choices=list(SUITES), help="suites to run (default: all)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    options = Options(big=args.big, pg_url=args.pg)
    results: list[Result] = []
    for name in args.suites or list(SUITES):
        try:
            module = importlib.import_module(SUITES[name])
        except ModuleNotFoundError as exc:
            if exc.name != SUITES[name]:
                raise
            print(f"suite {name}: not written yet", file=sys.stderr)
            continue
        suite_results = module.run(options)
        print(table(suite_results), flush=True)  # as each suite ends: the big ones take minutes
        results += suite_results
    print("\nAll suites:\n" + table(results))


if __name__ == "__main__":
    main()
