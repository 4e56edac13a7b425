"""Benchmark: commissioning and management information at national scale (not a test).

    .venv/bin/python bench/commissioning.py [--cases 1000000] [--referrals 450000]
                                            [--referral-years 3] [--engines duckdb,spark]
                                            [--renders 20] [--reuse] [--json FILE]

Loads ``--cases`` synthetic cases into a scratch PostgreSQL database
(``omp_bench_commissioning``, kept with ``--reuse``) with the demo users, the commissioned
contracts and their KPIs (written by the migrations) and the demo referrals made through
the referral actions (``omp.demo.referrals.demo_referrals``), then a national volume of
``--referrals`` referrals of those people (150,000 a year over the last
``--referral-years`` years by default), written in bulk with their lifecycle — events,
action plans, sessions and attendance, end-of-service reports, feedback — by
``referral_volume.write_referrals``. ``--reuse`` keeps the database's cases and referrals
as they are. Then, each in its own process, it times:

* the KPI run (``compute_kpis`` for every contract KPI and month) on each engine, split
  into reading the sources from the database into Parquet and the rest (counting and
  storing), against the target of 30 s on DuckDB, and prints Spark's time over DuckDB's;
* the segmentation figures of every usual filter computed and stored, as the KPI run does
  after the KPIs (the population read once, each filter counted from it; the segmentation
  page then reads them);
* each dashboard rendered through Django's test client, signed in as a user of the role
  that reads it: the median and the slowest of ``--renders`` renders and the SQL queries
  of one render, against the target of 500 ms for the median.

The figures name the referrals sent and each source's rows.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # noqa: E402 - the shared scratch-database helpers
from pages import (  # noqa: E402
    create_database,
    database_exists,
    database_url,
    percentile,
    run_step,
)
from recompute import _django  # noqa: E402

DATABASE = "omp_bench_commissioning"
TARGET_KPI_SECONDS = 30.0
TARGET_MEDIAN_MS = 500.0
#: Each dashboard: its name, the role of the user who reads it, and its path ("{contract}"
#: is replaced by the first commissioned contract's reference).
DASHBOARDS = (
    ("commissioner dashboard", "commissioner", "/commissioning/dashboard/"),
    ("contract manager", "contract_manager", "/commissioning/contract-manager/"),
    ("OMiC lead", "omic_lead", "/omic/dashboard/"),
    ("segmentation", "commissioner", "/commissioning/segmentation/"),
    ("cohorts", "commissioner", "/commissioning/cohorts/"),
    ("contract detail", "commissioner", "/commissioning/contracts/{contract}/"),
)


# --- steps, each in a child process --------------------------------------------------------


def step_load(url: str, cases: int) -> None:
    """Migrate, load ``cases`` cases with the demo users, and make the demo referrals."""
    _django(url)
    from django.core.management import call_command
    from django.db import connection

    from omp.demo.load import load_demo
    from omp.demo.referrals import demo_referrals

    call_command("migrate", verbosity=0)
    load_demo(cases, seed=2026, as_of=date.today(), history=False, users=True, chunk=10_000)
    made = demo_referrals(2026)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(json.dumps({"referrals": made}))


def step_referrals(url: str, referrals: int, years: float) -> None:
    """Write ``referrals`` referrals in bulk over the last ``years`` years (in a process of
    its own: see ``referral_volume``); print the rows written and the time as JSON."""
    _django(url)
    from django.db import connection
    from referral_volume import write_referrals

    started = time.perf_counter()
    written = write_referrals(referrals, years=years)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(json.dumps({"rows": written, "seconds": round(seconds, 1)}))


def step_kpis(url: str, engine: str) -> None:
    """Run the KPI run on ``engine``; print its split as JSON."""
    _django(url)
    from omp.commissioning.kpi_sources import write_sources
    from omp.commissioning.kpis import compute_kpis
    from omp.referrals.models import Referral

    if engine == "spark":
        os.environ.setdefault("OMP_SPARK_MASTER", "local[2]")
    with tempfile.TemporaryDirectory(prefix="omp-bench-kpis-") as scratch:
        started = time.perf_counter()
        rows = write_sources(Path(scratch) / "read")
        read = time.perf_counter() - started
        started = time.perf_counter()
        stored = compute_kpis(date.today(), engine=engine, data_dir=Path(scratch) / "run")
        run = time.perf_counter() - started
    print(json.dumps({"engine": engine, "read_s": round(read, 2), "run_s": round(run, 2),
                      "rest_s": round(run - read, 2), "figures": stored, "rows": rows,
                      "referrals": Referral.objects.filter(sent_at__isnull=False).count()}))


def step_segmentation(url: str) -> None:
    """Compute and store today's segmentation figures for every usual filter, as the KPI
    run does after the KPIs (``precompute``: the population read once, each filter counted
    from it); print the time in all, the time to the first filter stored (the read) and the
    slowest filter counted after it, as JSON."""
    _django(url)
    from omp.commissioning.segmentation import precompute

    times: list[tuple[float, str]] = []
    started = last = time.perf_counter()

    def done(one: Any) -> None:
        nonlocal last
        now = time.perf_counter()
        times.append((now - last, f"{one.where} {one.cpa or one.provider}".strip()))
        last = now

    filters = precompute(progress=done)
    seconds = time.perf_counter() - started
    slowest = max(times[1:] or times)
    print(json.dumps({"filters": filters, "seconds": round(seconds, 1),
                      "first_s": round(times[0][0], 1), "slowest": slowest[1],
                      "slowest_s": round(slowest[0], 2)}))


class _QueryCounter:
    """An execute wrapper counting the SQL statements run through it."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def step_dashboards(url: str, renders: int) -> None:
    """Render each dashboard ``renders`` times as its reader; print the times as JSON."""
    _django(url)
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from omp.commissioning.models import CommissionedContract

    setup_test_environment()
    # One log line per request would drown the figures.
    logging.getLogger("omp.requests").setLevel(logging.WARNING)
    contract = CommissionedContract.objects.select_related("contract").order_by("pk").first()
    assert contract is not None, "no commissioned contract: did the migrations run?"
    rows = []
    for name, role, path in DASHBOARDS:
        client = Client()
        client.force_login(User.objects.get(username=role))
        target = path.format(contract=contract.contract.reference)
        # Counted with a wrapper: the request's start resets Django's own query log.
        queries = _QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(queries):
            first = client.get(target)
        # The first render fills the in-process caches (the gaming checks' flags), so it
        # is shown apart from the median of the renders after it.
        first_ms = (time.perf_counter() - started) * 1000
        if first.status_code != 200:
            raise SystemExit(f"{name}: {target} answered {first.status_code}")
        times = []
        for _ in range(renders):
            started = time.perf_counter()
            response = client.get(target)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        rows.append({"page": name, "path": target, "queries": queries.count,
                     "first_ms": round(first_ms, 1),
                     "median_ms": round(statistics.median(times), 1),
                     "p95_ms": round(percentile(times, 0.95), 1),
                     "max_ms": round(max(times), 1)})
    print(json.dumps(rows))


# --- the run -------------------------------------------------------------------------------


def main() -> None:
    """Prepare the database, then time the KPI run and the dashboards."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--referrals", type=int, default=450_000,
                        help="Referrals written in bulk (150,000 a year: a national volume)")
    parser.add_argument("--referral-years", type=float, default=3.0,
                        help="The years the bulk referrals are sent over, up to today")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--reuse", action="store_true",
                        help="Keep the database of an earlier run, its cases and referrals")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step == "load":
        step_load(args.url, args.cases)
        return
    if args.step == "referrals":
        step_referrals(args.url, args.referrals, args.referral_years)
        return
    if args.step == "kpis":
        step_kpis(args.url, args.engine)
        return
    if args.step == "segmentation":
        step_segmentation(args.url)
        return
    if args.step == "dashboards":
        step_dashboards(args.url, args.renders)
        return

    print(f"commissioning bench: {args.cases:,} cases, {args.referrals:,} bulk referrals, "
          f"{os.cpu_count()} cores", flush=True)
    figures: dict[str, Any] = {"cases": args.cases, "cores": os.cpu_count(), "kpis": {}}
    if args.reuse and database_exists(args.pg, args.database):
        url = database_url(args.pg, args.database)
        run_step("migrate", url, script=pages.__file__)
    else:
        url = create_database(args.pg, args.database)
        run_step("load", url, "--cases", str(args.cases), script=__file__)
        if args.referrals:
            out = run_step("referrals", url, "--referrals", str(args.referrals),
                           "--referral-years", str(args.referral_years), script=__file__)
            figures["bulk"] = json.loads(out.strip().splitlines()[-1])
    for engine in args.engines.split(","):
        out = run_step("kpis", url, "--engine", engine, script=__file__)
        figures["kpis"][engine] = json.loads(out.strip().splitlines()[-1])
    out = run_step("segmentation", url, script=__file__)
    figures["segmentation"] = json.loads(out.strip().splitlines()[-1])
    out = run_step("dashboards", url, "--renders", str(args.renders), script=__file__)
    figures["dashboards"] = json.loads(out.strip().splitlines()[-1])
    _print(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


def _print(figures: dict[str, Any]) -> None:
    bulk = figures.get("bulk")
    if bulk:
        print(f"{bulk['rows']['referrals']:,} referrals written in bulk in {bulk['seconds']} s:"
              f" {bulk['rows']}")
    kpis = figures["kpis"]
    for run in list(kpis.values())[:1]:
        print(f"{run['referrals']:,} referrals sent; the sources' rows: {run['rows']}")
    for engine, run in kpis.items():
        print(f"KPI run on {engine}: {run['run_s']} s ({run['read_s']} s reading the sources, "
              f"{run['rest_s']} s counting and storing), {run['figures']} figures over "
              f"{run['referrals']} referrals; {run['run_s'] / TARGET_KPI_SECONDS:.2f}× "
              f"target ({TARGET_KPI_SECONDS:.0f} s)")
    if "duckdb" in kpis and "spark" in kpis:
        print(f"Spark / DuckDB: {kpis['spark']['run_s'] / kpis['duckdb']['run_s']:.1f}×")
    seg = figures.get("segmentation")
    if seg:
        print(f"Segmentation figures stored for {seg['filters']} filters in {seg['seconds']} s "
              f"({seg.get('first_s', '?')} s to read the population and store the first; "
              f"slowest after it: {seg['slowest']}, {seg['slowest_s']} s); the page then "
              "reads them")
    for row in figures["dashboards"]:
        print(f"{row['page']:>22}: median {row['median_ms']} ms "
              f"({row['median_ms'] / TARGET_MEDIAN_MS:.2f}× target), p95 {row['p95_ms']} ms, "
              f"max {row['max_ms']} ms; first render {row['first_ms']} ms "
              f"with {row['queries']} queries")


if __name__ == "__main__":
    main()
