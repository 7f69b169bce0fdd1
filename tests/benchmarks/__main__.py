"""Run the benchmarks and print the table: `uv run python -m tests.benchmarks [--big] [--pg URL]`."""

from __future__ import annotations

import argparse
import logging

from tests.benchmarks import bench_central
from tests.benchmarks.report import table


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--big", action="store_true", help="generate 1,000,000 demo products (slower)")
    parser.add_argument("--pg", metavar="URL", help="also benchmark an EMPTY PostgreSQL database at URL")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(table(bench_central.run(args.pg, args.big)))


if __name__ == "__main__":
    main()
