"""Benchmark: the OUT-6 gaming checks on the synthetic national history (not a test).

    .venv/bin/python bench/gaming.py [--index-events 1000000] [--engines duckdb,spark]
                                     [--data DIR]

Generates the history (``omp outcomes generate``) unless ``--data`` names one, then runs the
three checks (intensity, transfers against the other prisons, duplicate work with examples)
on each engine, and prints the wall time, the input rows read per second and the ratio of
Spark to DuckDB. There is no speed target for these checks; the figures show what a page
load costs at national scale.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-events", type=int, default=1_000_000)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--data", type=Path)
    options = parser.parse_args()

    from omp.outcomes import gaming

    with tempfile.TemporaryDirectory() as scratch:
        data = options.data or Path(scratch)
        if options.data is None:
            from omp.outcomes.history import generate

            started = time.perf_counter()
            generate(data, options.index_events, options.index_events, seed=2026)
            print(f"generated {options.index_events:,} index events in "
                  f"{time.perf_counter() - started:.1f} s")
        rows = sum(pq.read_metadata(data / f"{name}.parquet").num_rows
                   for name in gaming.TABLES)
        print(f"input: {rows:,} rows in {', '.join(gaming.TABLES)}")
        seconds: dict[str, float] = {}
        for engine in options.engines.split(","):
            started = time.perf_counter()
            checks = gaming.load_checks(data, engine, with_examples=True)
            seconds[engine] = time.perf_counter() - started
            flagged = sum(check.flagged for check in checks)
            print(f"{engine:>6}: {seconds[engine]:6.1f} s, {rows / seconds[engine]:12,.0f} "
                  f"rows/s, {flagged} rows flagged")
        if "duckdb" in seconds and "spark" in seconds:
            print(f"spark / duckdb: {seconds['spark'] / seconds['duckdb']:.1f}×")


if __name__ == "__main__":
    main()
