"""Benchmark: the outcomes analytics at national scale (not a test).

    .venv/bin/python bench/outcomes.py [--index-events 1000000] [--outcomes 10000000]
                                       [--engines duckdb,spark] [--data DIR]

Generates the synthetic national history (``omp outcomes generate``), then runs the full
measure on each engine: the national cohort over every year of the history (each person's
first index event, all of them), binary and proven, ungrouped and grouped by prison, CPA
and provider — eight measures over every index event and every court outcome. Each step
runs in its own process; it prints wall time, rows per second, the peak resident memory
of the process tree (for Spark, the JVM is in the tree) and the ratios to the targets
(DuckDB: ≤ 30 s and ≤ 4 GB) and of Spark to DuckDB.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from recompute import measure  # noqa: E402 - the process-tree meter, shared

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 30.0
TARGET_RSS_MB = 4096.0
GROUPINGS = (None, "prison", "cpa", "provider")
KINDS = ("binary_court", "proven")


def worker_generate(data: Path, index_events: int, outcomes: int) -> None:
    """Write the history (run in its own process)."""
    from omp.outcomes.history import generate

    summary = generate(data, index_events, outcomes, seed=2026)
    print(json.dumps(summary.tables))


def worker_measure(data: Path, engine_name: str) -> None:
    """Run the full measure on one engine (run in its own process)."""
    from omp.outcomes.cohorts import Cohort
    from omp.outcomes.engine import Engine, spark_session, stop_spark
    from omp.outcomes.measures import measure_with

    if engine_name == "spark":
        spark_session(shuffle_partitions=8)
    started = time.perf_counter()
    cohort = Cohort("national-2009-2016", "national", date(2009, 1, 1), date(2016, 12, 31))
    figures = []
    with Engine(engine_name, data) as engine:
        for kind in KINDS:
            for by in GROUPINGS:
                results = measure_with(engine, cohort, kind, by)
                figures.append({"kind": kind, "by": by, "groups": len(results),
                                "size": sum(r.size for r in results),
                                "reoffenders": sum(r.reoffenders for r in results)})
    elapsed = time.perf_counter() - started
    if engine_name == "spark":
        stop_spark()
    print(json.dumps({"seconds_in_process": elapsed, "figures": figures}))


def main() -> None:
    """Generate, then measure on each engine, and print figures and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--index-events", type=int, default=1_000_000)
    parser.add_argument("--outcomes", type=int, default=10_000_000)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--worker", choices=["generate", "measure"], default=None)
    parser.add_argument("--engine", default="duckdb")
    args = parser.parse_args()
    if args.worker == "generate":
        worker_generate(args.data, args.index_events, args.outcomes)
        return
    if args.worker == "measure":
        worker_measure(args.data, args.engine)
        return

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryDirectory(prefix="omp-outcomes-bench-") as scratch:
        data = args.data or Path(scratch)
        command = [sys.executable, __file__, "--data", str(data)]
        seconds, rss, out = measure(command + ["--worker", "generate", "--index-events",
                                               str(args.index_events), "--outcomes",
                                               str(args.outcomes)], env)
        tables = json.loads(out.strip().splitlines()[-1])
        rows = sum(tables.values())
        print(f"generate: {tables['index_events']:,} index events, "
              f"{tables['court_outcomes']:,} court outcomes, {rows:,} rows in all: "
              f"{seconds:.1f} s ({rows / seconds:,.0f} rows/s), peak RSS {rss:,.0f} MB")
        scanned = (tables["index_events"] + tables["court_outcomes"]) * len(KINDS) \
            * len(GROUPINGS)
        timings: dict[str, float] = {}
        for engine in args.engines.split(","):
            seconds, rss, out = measure(command + ["--worker", "measure", "--engine", engine],
                                        env)
            report = json.loads(out.strip().splitlines()[-1])
            timings[engine] = seconds
            national = report["figures"][0]
            print(f"full measure on {engine}: {len(report['figures'])} measures of "
                  f"{national['size']:,} people, {seconds:.1f} s wall "
                  f"({report['seconds_in_process']:.1f} s measuring, the rest start-up), "
                  f"{scanned / seconds:,.0f} rows/s, peak RSS {rss:,.0f} MB; binary rate "
                  f"{100 * national['reoffenders'] / max(1, national['size']):.1f}%")
            if engine == "duckdb":
                print(f"  target ≤ {TARGET_SECONDS:.0f} s: ratio {seconds / TARGET_SECONDS:.2f}; "
                      f"target ≤ {TARGET_RSS_MB:,.0f} MB: ratio {rss / TARGET_RSS_MB:.2f}")
        if "duckdb" in timings and "spark" in timings:
            print(f"Spark / DuckDB wall time: {timings['spark'] / timings['duckdb']:.1f}×")


if __name__ == "__main__":
    main()
