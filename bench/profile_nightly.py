"""Profile one nightly run (the full re-decision: every decision decided and written).

    PYTHONPATH=src .venv/bin/python bench/profile_nightly.py --db /tmp/base.sqlite3 \
        [--cases 100000] [--workers 1] [--top 40] [--out nightly.prof]

The database at ``--db`` is loaded once with ``--cases`` synthetic cases (as
``bench/recompute.py`` loads them) and kept; each run profiles a copy of it, so every run is
a first night. With ``--workers 1`` the deciding and the writing run in this process, so the
profile shows both. Prints the time of the deciding (``compute_chunk``), the writing of each
part and the custody tasks that follow the night, then the top functions by own time.
``--url`` runs on PostgreSQL instead (the database there must be loaded and never decided:
``bench/recompute.py --step load``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load(db: Path, cases: int) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench" / "recompute.py"), "--step", "load",
                    "--url", f"sqlite:///{db}", "--cases", str(cases)], check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT / "src")})


def _split(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds of the functions that make up a night."""
    wanted = {("nightly.py", "compute_chunk"): "decide (both parts)",
              ("recompute.py", "commit_chunk"): "write allocation",
              ("handover.py", "commit_chunk"): "write handover",
              ("actions.py", "tasks_follow_the_night"): "custody tasks follow"}
    found: dict[str, float] = {}
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        for (suffix, function), label in wanted.items():
            if name == function and filename.endswith(suffix):
                found[label] = found.get(label, 0.0) + row[3]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="SQLite file loaded once and kept")
    parser.add_argument("--url", help="A PostgreSQL database already loaded")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--as-of", default="2026-11-22")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", type=Path, help="Also keep the raw profile here")
    parser.add_argument("--no-profile", action="store_true", help="Only time the run")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="omp-profile-"))
    if args.url:
        url = args.url
    else:
        if not args.db.exists():
            _load(args.db, args.cases)
        copy = scratch / "night.sqlite3"
        shutil.copyfile(args.db, copy)
        url = f"sqlite:///{copy}"
    os.environ["OMP_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omp.web.settings")
    import django

    django.setup()
    from datetime import date

    from omp.decisions.nightly import run_nightly

    profiler = None if args.no_profile else cProfile.Profile()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    runs = run_nightly(date.fromisoformat(args.as_of), chunk=5_000, workers=args.workers)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    print(f"nightly first run: {runs.allocation.examined:,} cases, "
          f"{runs.allocation.changed:,} allocation and {runs.handover.changed:,} handover "
          f"decisions written, {seconds:.1f} s"
          + (" (under cProfile)" if profiler else ""))
    if profiler:
        stats = pstats.Stats(profiler)
        for label, cumulative in _split(stats).items():
            print(f"  {label:24} {cumulative:6.1f} s  {cumulative / seconds:5.0%}")
        if args.out:
            stats.dump_stats(str(args.out))
        stats.sort_stats("tottime").print_stats(args.top)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
