"""The benchmark table: medians, percentiles, targets and the ratio to each target."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Options:
    """What the runner's command line asked of every suite."""

    big: bool = False  # 1,000,000 products where the suite can, else a size that runs in seconds
    pg_url: str | None = None  # an EMPTY PostgreSQL database the central suites may fill

    @property
    def products(self) -> int:
        return 1_000_000 if self.big else 100_000


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    samples: list[float]
    unit: str
    target: float | None = None
    higher_is_better: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def ratio(self) -> float | None:
        """Median against target: below 1.0 means the goal is met, whichever direction is better."""
        if self.target is None or self.median == 0:
            return None
        return self.target / self.median if self.higher_is_better else self.median / self.target


def table(results: list[Result]) -> str:
    rows = [("benchmark", "median", "p95", "unit", "target", "ratio", "met")]
    for r in results:
        ratio = r.ratio
        target = (
            "-" if r.target is None else (f">= {r.target:g}" if r.higher_is_better else f"<= {r.target:g}")
        )
        rows.append(
            (
                r.name,
                f"{r.median:,.1f}",
                f"{r.p95:,.1f}",
                r.unit,
                target,
                "-" if ratio is None else f"{ratio:.2f}",
                "-" if ratio is None else ("yes" if ratio <= 1.0 else "NO"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |" for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
