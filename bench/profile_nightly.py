"""Profile one nightly run: a first night (every decision decided and written), a following
night with nothing changed, or a night after 1% of cases got a new RSR.

    PYTHONPATH=src .venv/bin/python bench/profile_nightly.py --db /tmp/base.sqlite3 \
        [--night first|next|changed] [--cases 100000] [--workers 1] [--top 40] \
        [--out nightly.prof] [--no-profile]

The database at ``--db`` is loaded once with ``--cases`` synthetic cases (as
``bench/recompute.py`` loads them) and kept; so are the databases after the first night
(``<db>.night1``) and after the following one (``<db>.night2``), made from it on first use.
Each run profiles a copy, so every run of a kind is the same night, as ``bench/recompute.py``
runs them one after the other (the kept nights hold the ruleset's digest of the code that
made them: after changing the code that decides, start from a fresh copy of the loaded
database, or the following night decides every case again):

- ``first``: the first night, on ``--as-of``;
- ``next``: the night after it, nothing changed in between;
- ``changed``: the night after that, once 1% of cases got a new RSR dated that day
  (``bench/recompute.py --step touch``).

With ``--workers 1`` the deciding and the writing run in this process, so the profile shows
both. Prints the run's wall and CPU time (this process, its workers and, on PostgreSQL, the
server process of this connection), the time of the deciding (``compute_chunk``), the
writing of each part and the custody tasks that follow the night, then the top functions by
own time. ``--url`` runs on PostgreSQL instead: the database there must be loaded and never
decided (``bench/recompute.py --step load``); the nights are kept as databases named after
it (``<name>_night1``, ``<name>_night2``) and each run profiles a copy (``<name>_run``), all
made with ``CREATE DATABASE … TEMPLATE``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
#: The nights, each made from the database left by the night before it.
NIGHTS = ("first", "next", "changed")


def _bench(*arguments: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench" / "recompute.py"), *arguments],
                   check=True, env=ENV)


def _load(db: Path, cases: int) -> None:
    _bench("--step", "load", "--url", f"sqlite:///{db}", "--cases", str(cases))


def _night(url: str, day: date) -> None:
    """The night before the one profiled, as ``bench/recompute.py`` runs it (a worker a
    core)."""
    _bench("--step", "nightly", "--url", url, "--as-of", day.isoformat(), "--workers",
           str(os.cpu_count() or 2))


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


# --- SQLite: files copied ----------------------------------------------------------------


def _sqlite_copy(db: Path, night: str, first: date, scratch: Path) -> str:
    """A copy of the database as it stands before ``night``, made (and kept) as needed."""
    before = db
    for done, kind in enumerate(NIGHTS[:NIGHTS.index(night)]):
        after = db.with_name(f"{db.name}.night{done + 1}")
        if not after.exists():
            work = scratch / "making.sqlite3"
            shutil.copyfile(before, work)
            _night(f"sqlite:///{work}", first + timedelta(days=done))
            _checkpoint(work)
            shutil.move(str(work), after)
            print(f"(kept the database after the {kind} night: {after})", flush=True)
        before = after
    copy = scratch / "night.sqlite3"
    shutil.copyfile(before, copy)
    return f"sqlite:///{copy}"


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so that copying the file copies everything."""
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- PostgreSQL: databases copied from templates -----------------------------------------


def _pg_admin(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


def _pg_exists(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  [name]).fetchone() is not None


def _pg_copy(url: str, night: str, first: date) -> str:
    """A copy of the PostgreSQL database as it stands before ``night``, made (and kept) as
    needed, as :func:`_sqlite_copy` does with files."""
    server, base = url.rsplit("/", 1)
    before = base
    for done, kind in enumerate(NIGHTS[:NIGHTS.index(night)]):
        after = f"{base}_night{done + 1}"
        if not _pg_exists(url, after):
            work = f"{base}_making"
            _pg_admin(url, f'DROP DATABASE IF EXISTS "{work}"',
                      f'CREATE DATABASE "{work}" TEMPLATE "{before}"')
            _night(f"{server}/{work}", first + timedelta(days=done))
            _pg_admin(url, f'ALTER DATABASE "{work}" RENAME TO "{after}"')
            print(f"(kept the database after the {kind} night: {after})", flush=True)
        before = after
    run = f"{base}_run"
    _pg_admin(url, f'DROP DATABASE IF EXISTS "{run}"',
              f'CREATE DATABASE "{run}" TEMPLATE "{before}"')
    return f"{server}/{run}"


def _backend_cpu(pid: int | None) -> float:
    """CPU seconds used so far by the PostgreSQL server process ``pid`` (same machine)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="SQLite file loaded once and kept")
    parser.add_argument("--url", help="A PostgreSQL database already loaded, never decided")
    parser.add_argument("--night", choices=NIGHTS, default="first")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--as-of", default="2026-11-22", help="The first night's day")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", type=Path, help="Also keep the raw profile here")
    parser.add_argument("--no-profile", action="store_true", help="Only time the run")
    args = parser.parse_args()

    first = date.fromisoformat(args.as_of)
    day = first + timedelta(days=NIGHTS.index(args.night))
    scratch = Path(tempfile.mkdtemp(prefix="omp-profile-"))
    if args.url:
        url = _pg_copy(args.url, args.night, first)
    else:
        if not args.db.exists():
            _load(args.db, args.cases)
        url = _sqlite_copy(args.db, args.night, first, scratch)
    if args.night == "changed":
        _bench("--step", "touch", "--url", url, "--as-of", day.isoformat())
    os.environ["OMP_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omp.web.settings")
    import django

    django.setup()
    from django.db import connection

    from omp.decisions.nightly import run_nightly

    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    profiler = None if args.no_profile else cProfile.Profile()
    server_cpu = _backend_cpu(backend)
    cpu = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the load and touch steps
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    runs = run_nightly(day, chunk=5_000, workers=args.workers)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu = (reaped.ru_utime + reaped.ru_stime
                   - children.ru_utime - children.ru_stime)
    server_cpu = _backend_cpu(backend) - server_cpu
    print(f"nightly, {args.night} night ({day}): {runs.allocation.examined:,} cases, "
          f"{runs.allocation.decided:,} decided, {runs.allocation.changed:,} allocation and "
          f"{runs.handover.changed:,} handover decisions written, {seconds:.1f} s"
          + (" (under cProfile)" if profiler else ""))
    print(f"  CPU: this process {cpu:.1f} s, workers "
          f"{workers_cpu:.1f} s"
          + (f", PostgreSQL server (this connection) {server_cpu:.1f} s" if backend else ""))
    if profiler:
        stats = pstats.Stats(profiler)
        for label, cumulative in _split(stats).items():
            print(f"  {label:24} {cumulative:6.1f} s  {cumulative / seconds:5.0%}")
        if args.out:
            stats.dump_stats(str(args.out))
        stats.sort_stats("tottime").print_stats(args.top)
    connection.close()
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
