"""Benchmark: ``omp snapshot``'s monitoring tables of OUT-6 at scale (not a test).

    .venv/bin/python bench/snapshot.py [--copies 12500] [--pg URL] [--reuse]

Prepares a scratch PostgreSQL database ``omp_bench_snapshot``: the demo caseload (2,000
cases, its referrals, sessions and lifecycle events), then every referral copied
``--copies`` times with its sessions and events, in SQL (the copies keep their person, so
the people and case tables stay small and what is measured is the referrals' part). Then,
in a child process, it writes the snapshot and prints for each table the seconds and rows a
second, and the peak resident memory against the memory with no referral copied: the new
tables are streamed, so the peak should grow far less than the rows.

``--reuse`` keeps a database prepared by an earlier run (kept at the end either way; drop it
with ``DROP DATABASE omp_bench_snapshot``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "omp_bench_snapshot"
COPY = """
BEGIN;
INSERT INTO referrals_referral (reference, created_at, sent_at, rosh_summary,
  previous_convictions, additional_orders, location, prison_name, expected_release_date,
  expected_release_basis, release_area, desired_outcome_ids, readiness, readiness_notes,
  enforceable_days, completion_deadline, reason_for_referral, explanation_for_person,
  complexity_level_id, created_by_id, person_id, sent_by_id, service_id)
SELECT '~' || lpad(r.id::text, 3, '0') || lpad(g::text, 6, '0'), created_at, sent_at,
  rosh_summary, previous_convictions, additional_orders, location, prison_name,
  expected_release_date, expected_release_basis, release_area, desired_outcome_ids,
  readiness, readiness_notes, enforceable_days, completion_deadline, reason_for_referral,
  explanation_for_person, complexity_level_id, created_by_id, person_id, sent_by_id,
  service_id
FROM referrals_referral r CROSS JOIN generate_series(1, {copies}) g;
INSERT INTO referrals_appointment (session_number, starts_at, duration_minutes, method,
  location, enforceable, booked_at, reschedule_requested_by, reschedule_reason, attendance,
  happened, no_session_reason, notes, recorded_at, booked_by_id, recorded_by_id, referral_id)
SELECT a.session_number, a.starts_at, a.duration_minutes, a.method, a.location,
  a.enforceable, a.booked_at, a.reschedule_requested_by, a.reschedule_reason, a.attendance,
  a.happened, a.no_session_reason, a.notes, a.recorded_at, a.booked_by_id,
  a.recorded_by_id, n.id
FROM referrals_appointment a JOIN referrals_referral n
  ON n.reference LIKE '~%' AND substring(n.reference, 2, 3)::int = a.referral_id
WHERE a.rescheduled_to_id IS NULL;
INSERT INTO referrals_referralevent (kind, at, happened_on, reason_code, notes, by_id,
  keyworker_id, referral_id)
SELECT e.kind, e.at, e.happened_on, e.reason_code, e.notes, e.by_id, e.keyworker_id, n.id
FROM referrals_referralevent e JOIN referrals_referral n
  ON n.reference LIKE '~%' AND substring(n.reference, 2, 3)::int = e.referral_id;
COMMIT;
ANALYZE;
"""


def _url(pg: str, name: str) -> str:
    return pg.rsplit("/", 1)[0] + "/" + name


def _psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, capture_output=True, text=True).stdout


def _omp(url: str, *args: str) -> None:
    env = {**os.environ, "OMP_DATABASE_URL": url, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def prepare(pg: str, copies: int) -> None:
    """The demo caseload in a fresh database, then its referrals copied ``copies`` times."""
    _psql(pg, f"DROP DATABASE IF EXISTS {DATABASE}")
    _psql(pg, f"CREATE DATABASE {DATABASE}")
    url = _url(pg, DATABASE)
    _omp(url, "manage.py", "migrate", "-v0")
    _omp(url, "-m", "omp", "demo", "--cases", "2000")
    if copies:
        subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1"],
                       input=COPY.format(copies=copies), text=True, check=True)


def step_snapshot(output: str) -> None:
    """In the child process: write the snapshot, print its figures as JSON."""
    from omp.commandline import django_setup

    django_setup()
    from omp.outcomes.snapshot import write_snapshot

    ready_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds: dict[str, float] = {}
    last = [time.perf_counter()]

    def step(name: str) -> None:
        now = time.perf_counter()
        seconds[name.replace(" ", "_")], last[0] = now - last[0], now

    counts = write_snapshot(Path(output), progress=step)
    print(json.dumps({"counts": counts, "seconds": seconds, "ready_mb": ready_mb,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def measure(url: str) -> dict[str, Any]:
    env = {**os.environ, "OMP_DATABASE_URL": url, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryDirectory() as output:
        done = subprocess.run([sys.executable, __file__, "--step", output], cwd=ROOT, env=env,
                              check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=12_500)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step:
        step_snapshot(options.step)
        return
    url = _url(options.pg, DATABASE)
    if not options.reuse:
        prepare(options.pg, 0)
        small = measure(url)
        prepare(options.pg, options.copies)
    else:
        small = None
    big = measure(url)
    referrals = int(_psql(url, "SELECT count(*) FROM referrals_referral"))
    sessions = int(_psql(url, "SELECT count(*) FROM referrals_appointment"))
    print(f"PostgreSQL, {referrals:,} referrals, {sessions:,} session bookings")
    for table in ("need_work", "support_contacts"):
        rows, took = big["counts"][table], big["seconds"][table]
        print(f"  {table:17s} {rows:>10,} rows in {took:6.2f} s: {rows / took:>10,.0f} rows/s")
    print(f"  whole snapshot    {sum(big['seconds'].values()):6.2f} s")
    print(f"  peak RSS {big['peak_mb']:.0f} MB (after Django set-up {big['ready_mb']:.0f} MB)")
    if small is not None:
        grown = big["peak_mb"] - small["peak_mb"]
        rows_ratio = ((big["counts"]["need_work"] + big["counts"]["support_contacts"])
                      / max(1, small["counts"]["need_work"] + small["counts"]["support_contacts"]))
        print(f"  against the demo alone ({small['peak_mb']:.0f} MB peak): {rows_ratio:,.0f}× "
              f"the rows, +{grown:.0f} MB ({big['peak_mb'] / small['peak_mb']:.2f}× the peak)")


if __name__ == "__main__":
    main()
