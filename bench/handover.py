"""Benchmark: responsibility and handover at national scale (HAND-1..4; not a test).

    .venv/bin/python bench/handover.py [--cases 1000000] [--backends sqlite,postgres]

Measures, on the seeded synthetic caseload, with the wall time, cases per second, the peak
resident memory of the whole process tree and the ratio to each target (2-core machine):

- the nightly run, of which the handover is a part (every case in custody decided again
  each night, because handover follows the calendar): the first night, which decides and
  writes every allocation and handover decision and sets every custody task, and the night
  after it, ≤ 30 s, ≤ 2 GB; each run's handover counts are printed beside it;
- ``decide`` over a JSONL file of every case, with and without the handover part (the
  difference is the handover's share), ≤ 30 s, ≤ 2 GB;
- the what-if projection (HAND-4) over the whole case base, ≤ 5 s.

It reuses the loader and the process-tree measurement of ``bench/recompute.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_SPEC = importlib.util.spec_from_file_location("bench_recompute", ROOT / "bench" / "recompute.py")
assert _SPEC and _SPEC.loader
recompute = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(recompute)

AS_OF = recompute.AS_OF
TARGET_SECONDS = 30.0
TARGET_WHAT_IF_SECONDS = 5.0
TARGET_RSS_MB = 2048.0


def step_handover(url: str, as_of: str, workers: int) -> None:
    """One nightly run, of which the handover is now a part; prints what its handover part
    examined and changed."""
    recompute._django(url)
    from omp.decisions.nightly import run_nightly

    run = run_nightly(date.fromisoformat(as_of), workers=workers).handover
    print(json.dumps({"examined": run.examined, "changed": run.changed}))


def step_what_if(url: str, workers: int) -> None:
    """Level up England from 2027-04-01 under era B rules, projected over every case."""
    recompute._django(url)
    from dataclasses import replace

    from omp.decisions.recompute import policy_versions
    from omp.decisions.what_if import project
    from omp.rules.policy import policy_named

    start = date(2027, 4, 1)
    policy = replace(policy_named(policy_versions(), "E"), name="LU-ENG-2027 (what-if)",
                     handover_era="B", levelled_up=True, scope="England",
                     effective_from=start)
    result = project(policy, start, AS_OF, workers=workers)
    print(json.dumps({"examined": result.examined, "moved": result.moved,
                      "months": len(result.months)}))


def step_decide_allocation(source: str, output: str) -> None:
    """``decide`` with the handover part switched off, to measure the handover's share: on
    the per-case path and on the column path (the workers are forked, so they inherit it)."""
    sys.path.insert(0, str(ROOT / "src"))
    from omp.interchange import columns, decide
    from omp.rules import pipeline

    def allocation_only(facts: Any, versions: Any = pipeline.BUILT_IN_VERSIONS,
                        policy_name: str | None = None) -> Any:
        policy = pipeline.policy_for(facts, versions, policy_name)
        return pipeline.CaseDecision(pipeline.decide_allocation(facts, policy), None, None)

    decide.decide_in_force = allocation_only  # type: ignore[assignment]
    # The column path: every line decided as a case not in custody is (no handover).
    columns.decisions_sql = lambda eras: (  # type: ignore[assignment]
        f"SELECT n, {columns.decision_json(columns.NOT_IN_CUSTODY)} AS decision FROM allocated")
    decide.run_decide(Path(source), Path(output), AS_OF)


def _row(name: str, cases: int, seconds: float, rss: float, target: float) -> dict[str, Any]:
    return {"measure": name, "cases": cases, "seconds": round(seconds, 2),
            "cases_per_s": round(cases / seconds) if seconds else None,
            "peak_rss_mb": round(rss), "time_vs_target": round(seconds / target, 2),
            "rss_vs_target": round(rss / TARGET_RSS_MB, 2), "target_s": target}


def _night(command: list[str], env: dict[str, str], name: str, cases: int,
           keys: tuple[str, str], done: str) -> dict[str, Any]:
    """Time one nightly run; its row, with the handover's counts (``keys`` in its output)."""
    seconds, rss, out = recompute.measure(command, env)
    counts = json.loads(out.strip().splitlines()[-1])
    row = _row(name, cases, seconds, rss, TARGET_SECONDS)
    row["in_custody"], row["changed"] = counts[keys[0]], counts[keys[1]]
    _print(row)
    print(f"  ({row['in_custody']:,} in custody, {row['changed']:,} handover decisions "
          f"{done})", flush=True)
    return row


def _print(row: dict[str, Any]) -> None:
    print(f"{row['measure']:<52} {row['seconds']:>8.2f} s  {row['cases_per_s'] or 0:>9,} "
          f"cases/s  peak RSS {row['peak_rss_mb']:>6,} MB  (time {row['time_vs_target']:.2f}× "
          f"the {row['target_s']:.0f} s target, memory {row['rss_vs_target']:.2f}×)", flush=True)


def main() -> None:
    """Run the benchmark; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-decide", action="store_true")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "handover":
        return step_handover(args.url, args.as_of, args.workers)
    if args.step == "what-if":
        return step_what_if(args.url, args.workers)
    if args.step == "decide-allocation":
        return step_decide_allocation(args.input, args.output)

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TERM": "dumb"}
    me = [sys.executable, str(Path(__file__).resolve())]
    loader = [sys.executable, str(ROOT / "bench" / "recompute.py")]
    rows: list[dict[str, Any]] = []
    print(f"{args.cases:,} synthetic cases, {args.workers} workers, {os.cpu_count()} cores",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="omp-bench-") as folder:
        scratch = Path(folder)
        if not args.skip_decide:
            sys.path.insert(0, str(ROOT / "src"))
            from omp.demo.generator import export_cases_jsonl

            lines = scratch / "cases.jsonl"
            export_cases_jsonl(lines, args.cases, seed=2026, as_of=AS_OF)
            out = str(scratch / "decisions.jsonl")
            seconds, rss, _ = recompute.measure(
                [sys.executable, "-m", "omp", "decide", "--input", str(lines), "--output", out],
                env)
            full = _row("decide: allocation and handover", args.cases, seconds, rss,
                        TARGET_SECONDS)
            seconds, rss, _ = recompute.measure(
                [*me, "--step", "decide-allocation", "--input", str(lines), "--output", out],
                env)
            part = _row("decide: allocation only", args.cases, seconds, rss, TARGET_SECONDS)
            share = _row("decide: the handover part (difference)", args.cases,
                         max(full["seconds"] - part["seconds"], 0.0), full["peak_rss_mb"],
                         TARGET_SECONDS)
            for row in (full, part, share):
                rows.append(row)
                _print(row)
            lines.unlink()
        for backend in [b for b in args.backends.split(",") if b]:
            url = recompute._database(backend, scratch, args.pg)
            seconds, _, _ = recompute.measure(
                [*loader, "--step", "load", "--url", url, "--cases", str(args.cases)], env)
            print(f"(loaded {args.cases:,} cases into {backend} in {seconds:.0f} s)", flush=True)
            # One runner decides every part of a night (allocation, handover, the custody
            # tasks that follow): the first night writes every decision of each.
            workers = ["--workers", str(args.workers)]
            rows.append(_night(
                [*loader, "--step", "nightly", "--url", url, "--as-of", AS_OF.isoformat(),
                 *workers], env, f"nightly on {backend}, first night: every decision new",
                args.cases, ("in_custody", "handover_changed"), "written"))
            rows.append(_night(
                [*me, "--step", "handover", "--url", url, "--as-of",
                 (AS_OF + timedelta(days=1)).isoformat(), *workers], env,
                f"nightly on {backend}, the next night", args.cases,
                ("examined", "changed"), "changed"))
            seconds, rss, out = recompute.measure(
                [*me, "--step", "what-if", "--url", url, "--workers", str(args.workers)], env)
            counts = json.loads(out.strip().splitlines()[-1])
            row = _row(f"what-if over every case on {backend}", args.cases, seconds, rss,
                       TARGET_WHAT_IF_SECONDS)
            row.update(counts)
            rows.append(row)
            _print(row)
            print(f"  ({counts['examined']:,} held by the POM projected, {counts['moved']:,} "
                  "take-on dates moved)", flush=True)
            if backend == "postgres":
                recompute._drop_pg(args.pg)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
