"""Benchmarks: run with `uv run python -m tests.benchmarks`; not part of the pytest suite."""
