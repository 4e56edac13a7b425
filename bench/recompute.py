"""Benchmark: the nightly recompute and ``decide`` at national scale (not a test).

    .venv/bin/python bench/recompute.py [--cases 1000000] [--backends sqlite,postgres]

For each measurement it prints the wall time, cases per second, the peak resident memory
of the whole process tree (the main process plus its workers, summed) and the ratio to
the target. Targets on a 2-core machine: nightly recompute and ``decide`` over 1,000,000
cases each ≤ 30 s with peak RSS ≤ 2 GB; one case's change with its recompute commits in
≤ 20 ms median.

Each step runs in its own process (the database is chosen when Django starts), fed with
the seeded synthetic generator; the PostgreSQL run uses a scratch database ``omp_bench``
on ``--pg`` which it drops and recreates.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 22)
TARGET_SECONDS = 30.0
TARGET_RSS_MB = 2048.0
TARGET_CHANGE_MS = 20.0


# --- measuring a process tree ------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
        if parent == pid:
            found.append(int(entry.name))
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree_rss_mb(pid: int) -> float:
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        total += _rss_mb(current)
        stack.extend(_children(current))
    return total


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``command``; return (seconds, peak tree RSS in MB, its stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_mb(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode not in (0,):
        raise SystemExit(f"{' '.join(command)} failed with exit status {process.returncode}")
    return seconds, peak, out


# --- the steps, each run in a child process ----------------------------------------------


def _django(url: str) -> None:
    os.environ["OMP_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omp.web.settings")
    import django

    django.setup()


def step_load(url: str, cases: int) -> None:
    """Create the schema and load ``cases`` synthetic cases (no history rows: the recompute
    reads only current facts)."""
    _django(url)
    from django.core.management import call_command

    from omp.demo.load import load_demo

    call_command("migrate", verbosity=0)
    load_demo(cases, seed=2026, as_of=AS_OF, history=False, users=False, chunk=10_000)


def step_nightly(url: str, as_of: str, workers: int) -> None:
    """One nightly run (both parts: every allocation, then every handover); prints what it
    examined and changed as JSON."""
    _django(url)
    from omp.decisions.nightly import run_nightly

    runs = run_nightly(date.fromisoformat(as_of), chunk=5_000, workers=workers)
    run = runs.allocation
    print(json.dumps({"examined": run.examined, "decided": run.decided,
                      "changed": run.changed, "in_custody": runs.handover.examined,
                      "handover_changed": runs.handover.changed}))


def step_touch(url: str, as_of: str, share: float) -> None:
    """New RSR scores dated ``as_of`` for a random ``share`` of cases, written straight to
    the table as a nightly feed from another system would (no recompute on change)."""
    _django(url)
    import random

    from omp.cases.models import Assessment, Person

    rnd = random.Random(7)
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    chosen = rnd.sample(range(1, top + 1), int(top * share))
    day = date.fromisoformat(as_of)
    Assessment.objects.bulk_create(
        [Assessment(person_id=pid, kind="RSR", score=rnd.choice((1.5, 4.0, 7.2, 11.0)),
                    assessed_on=day) for pid in chosen], batch_size=5_000)


def step_change(url: str, samples: int) -> None:
    """``samples`` single-case RSR changes through the action, each with its recompute in
    one transaction; prints each commit's milliseconds as JSON."""
    _django(url)
    import random

    from django.contrib.auth.models import Group, User

    from omp.cases.models import Person
    from omp.decisions.actions import record_rsr_osp

    user, _ = User.objects.get_or_create(username="bench-court")
    user.groups.add(Group.objects.get(name="court_staff"))
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rnd = random.Random(5)
    timings = []
    for _ in range(samples):
        person = Person.objects.get(pk=rnd.randint(1, top))
        score = rnd.choice(("2.5", "7.4", "6.9", "12.0"))
        started = time.perf_counter()
        record_rsr_osp(user, person, rsr=score)
        timings.append((time.perf_counter() - started) * 1000)
    print(json.dumps(timings))


# --- the report --------------------------------------------------------------------------


def _row(name: str, cases: int, seconds: float, rss: float) -> dict[str, Any]:
    return {"measure": name, "cases": cases, "seconds": round(seconds, 2),
            "cases_per_s": round(cases / seconds), "peak_rss_mb": round(rss),
            "time_vs_target": round(seconds / TARGET_SECONDS, 2),
            "rss_vs_target": round(rss / TARGET_RSS_MB, 2)}


def _print(row: dict[str, Any]) -> None:
    if "median_ms" in row:
        print(f"{row['measure']:<42} median {row['median_ms']:>6.2f} ms  p95 "
              f"{row['p95_ms']:>6.2f} ms  (target ≤ {TARGET_CHANGE_MS:.0f} ms: "
              f"ratio {row['median_vs_target']:.2f})", flush=True)
        return
    print(f"{row['measure']:<42} {row['seconds']:>8.2f} s  {row['cases_per_s']:>9,} cases/s  "
          f"peak RSS {row['peak_rss_mb']:>6,} MB  (time {row['time_vs_target']:.2f}× target, "
          f"memory {row['rss_vs_target']:.2f}× target)", flush=True)


def _drop_pg(pg: str) -> None:
    import psycopg

    with psycopg.connect(pg, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS omp_bench")


def _database(backend: str, scratch: Path, pg: str) -> str:
    if backend == "sqlite":
        path = scratch / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    _drop_pg(pg)
    with psycopg.connect(pg, autocommit=True) as connection:
        connection.execute("CREATE DATABASE omp_bench")
    return pg.rsplit("/", 1)[0] + "/omp_bench"


def main() -> None:
    """Run the benchmark; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--changes", type=int, default=300)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-decide", action="store_true")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step == "load":
        return step_load(args.url, args.cases)
    if args.step == "nightly":
        return step_nightly(args.url, args.as_of, args.workers)
    if args.step == "change":
        return step_change(args.url, args.changes)
    if args.step == "touch":
        return step_touch(args.url, args.as_of, 0.01)

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    me = [sys.executable, str(Path(__file__).resolve())]
    rows: list[dict[str, Any]] = []
    print(f"{args.cases:,} synthetic cases, {args.workers} workers, {os.cpu_count()} cores",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="omp-bench-") as folder:
        scratch = Path(folder)
        if not args.skip_decide:
            sys.path.insert(0, str(ROOT / "src"))
            from omp.demo.generator import export_cases_jsonl

            lines = scratch / "cases.jsonl"
            started = time.perf_counter()
            export_cases_jsonl(lines, args.cases, seed=2026, as_of=AS_OF)
            print(f"(generated {lines.stat().st_size / 1e6:,.0f} MB of case facts in "
                  f"{time.perf_counter() - started:.1f} s)", flush=True)
            seconds, rss, _ = measure(
                [sys.executable, "-m", "omp", "decide", "--input", str(lines), "--output",
                 str(scratch / "decisions.jsonl")], {**env, "TERM": "dumb"})
            rows.append(_row("decide (JSONL in, JSONL out)", args.cases, seconds, rss))
            _print(rows[-1])
            lines.unlink()
        for backend in [b for b in args.backends.split(",") if b]:
            url = _database(backend, scratch, args.pg)
            seconds, _, _ = measure([*me, "--step", "load", "--url", url, "--cases",
                                     str(args.cases)], env)
            print(f"(loaded {args.cases:,} cases into {backend} in {seconds:.0f} s)", flush=True)
            nights = (("first run: every decision new", AS_OF),
                      ("next night: nothing changed", AS_OF + timedelta(days=1)),
                      ("a night after 1% of cases got new RSR", AS_OF + timedelta(days=2)))
            for label, day in nights:
                if label.startswith("a night after"):
                    measure([*me, "--step", "touch", "--url", url, "--as-of", day.isoformat()],
                            env)
                seconds, rss, out = measure(
                    [*me, "--step", "nightly", "--url", url, "--as-of", day.isoformat(),
                     "--workers", str(args.workers)], env)
                counts = json.loads(out.strip().splitlines()[-1])
                row = _row(f"nightly on {backend}, {label}", counts["examined"], seconds, rss)
                row["decided"], row["changed"] = counts.get("decided"), counts["changed"]
                rows.append(row)
                _print(row)
            _, _, out = measure([*me, "--step", "change", "--url", url, "--changes",
                                 str(args.changes)], env)
            timings = json.loads(out.strip().splitlines()[-1])
            median = statistics.median(timings)
            row = {"measure": f"one change + recompute on {backend}", "samples": len(timings),
                   "median_ms": round(median, 2),
                   "p95_ms": round(statistics.quantiles(timings, n=20)[-1], 2),
                   "median_vs_target": round(median / TARGET_CHANGE_MS, 2)}
            rows.append(row)
            _print(row)
            if backend == "postgres":
                _drop_pg(args.pg)  # leave no million-case database behind
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
