"""Benchmark: custody case management (PATH-1..7; not a test).

    .venv/bin/python bench/custody.py [--people 100000] [--renders 20]
                                      [--pg postgresql://postgres@127.0.0.1:5432/postgres]

Two measurements, each printed with its figure and the ratio to its target (issue 14):

- **pathway and task generation** for ``--people`` people in custody (default 100,000),
  the policy alone as the recompute runs it: PATH-1 (``decide_pathway``) and PATH-2..5
  (``plan_tasks``, the through-the-gate support decided against the prison's local area),
  in a child process fed with the seeded synthetic caseload; wall time ≤ 10 s, peak RSS of
  the process ≤ 2 GB. The release date the tasks count back from is the CRD, else the ARD,
  else the PED (in the service it is the stored handover's earliest release).
- **a case manager's dashboard** (``/custody/``) holding 60 people, rendered through
  Django's test client on PostgreSQL (a scratch database ``omp_bench_custody`` on
  ``--pg``, dropped and recreated, dropped again at the end): the median of ``--renders``
  renders after one warm-up, ≤ 150 ms, with the number of SQL queries of one render.

It reuses the process-tree measurement of ``bench/recompute.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pickle
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_SPEC = importlib.util.spec_from_file_location("bench_recompute", ROOT / "bench" / "recompute.py")
assert _SPEC and _SPEC.loader
recompute = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(recompute)

AS_OF = recompute.AS_OF
TARGET_GENERATION_SECONDS = 10.0
TARGET_RSS_MB = 2048.0
TARGET_DASHBOARD_MS = 150.0
DASHBOARD_CASES = 60
DATABASE = "omp_bench_custody"


# --- pathway and task generation -----------------------------------------------------------


def write_people(path: Path, people: int) -> int:
    """Pickle the facts of the first ``people`` synthetic cases in custody; returns how many
    cases were generated to find them."""
    sys.path.insert(0, str(ROOT / "src"))
    from omp.demo.generator import CaseGenerator
    from omp.interchange.schema import parse_case

    facts, generated = [], 0
    for case in CaseGenerator(2026, AS_OF).cases(people * 4):
        generated += 1
        if case.facts.get("custody"):
            facts.append(parse_case(case.facts, AS_OF))
            if len(facts) == people:
                break
    with path.open("wb") as out:
        pickle.dump(facts, out, protocol=pickle.HIGHEST_PROTOCOL)
    return generated


def step_generate(path: str) -> None:
    """Read the pickled facts, then decide every pathway and plan every person's tasks;
    prints the seconds of the policy alone and what it produced, as JSON."""
    sys.path.insert(0, str(ROOT / "src"))
    from omp.rules.pathway import decide_pathway
    from omp.rules.tasks import ReleasePlace, plan_tasks

    with open(path, "rb") as source:
        people = pickle.load(source)
    # Half the prisons with a local area, half the releases into it (as the demo has it).
    south_yorkshire = ("Barnsley", "Doncaster", "Rotherham", "Sheffield")
    places = {None: ReleasePlace("HMP Doncaster", None, south_yorkshire),
              True: ReleasePlace("HMP Doncaster", "Doncaster", south_yorkshire),
              False: ReleasePlace("HMP Doncaster", "Leeds", south_yorkshire)}
    started = time.perf_counter()
    pathways: dict[int | None, int] = {}
    tasks = 0
    for index, facts in enumerate(people):
        custody = facts.custody
        release = (custody.conditional_release_date or custody.automatic_release_date
                   or custody.parole_eligibility_date)
        decided = decide_pathway(facts)
        pathway = decided.pathway if decided else None
        pathways[pathway] = pathways.get(pathway, 0) + 1
        tasks += len(plan_tasks(facts, pathway, release, places[(None, True, False)[index % 3]]))
    seconds = time.perf_counter() - started
    print(json.dumps({"people": len(people), "seconds": seconds, "tasks": tasks,
                      "pathways": {str(k): v for k, v in sorted(pathways.items(),
                                                                key=lambda kv: str(kv[0]))}}))


# --- the dashboard on PostgreSQL ----------------------------------------------------------


def step_dashboard(url: str, renders: int) -> None:
    """Load a demo caseload, give one case manager 60 people in custody with needs, support
    plans and tasks, then render their dashboard; prints the timings as JSON."""
    recompute._django(url)
    import random

    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from omp import clock
    from omp.access import ADMIN, CASE_MANAGER
    from omp.cases.models import Person
    from omp.custody.actions import (
        allocate_case_manager,
        record_needs_assessment,
        refresh_everyone,
    )
    from omp.custody.models import NEED_AREAS
    from omp.custody.support_plan import add_action
    from omp.decisions.nightly import run_nightly
    from omp.demo.cli import demo_local_areas, demo_release_areas
    from omp.demo.load import load_demo

    settings.ALLOWED_HOSTS = ["testserver"]
    import logging

    logging.getLogger("omp.requests").setLevel(logging.WARNING)  # no line per render
    call_command("migrate", verbosity=0, interactive=False)
    with clock.frozen_at(AS_OF):
        load_demo(600, seed=2026, as_of=AS_OF, users=True, chunk=1_000)
        run_nightly(AS_OF, chunk=1_000)
        demo_local_areas()
        demo_release_areas(2026)
        refresh_everyone()
        admin = User.objects.get(username=ADMIN)
        manager = User.objects.create_user("bench.case_manager",
                                           password="a-long-bench-password",
                                           first_name="Bench", last_name="Manager")
        manager.groups.add(Group.objects.get(name=CASE_MANAGER))
        people = list(Person.objects.filter(custody_spells__is_current=True).distinct()
                      .order_by("pk")[:DASHBOARD_CASES])
        assert len(people) == DASHBOARD_CASES, len(people)
        rng = random.Random(2026)
        for person in people:
            allocate_case_manager(admin, person, manager, "custody")
            if rng.random() < 0.8:
                levels = {area: rng.choice(("none", "low", "medium", "high"))
                          for area, _ in NEED_AREAS}
                record_needs_assessment(admin, person, levels, {})
                area = next((a for a, level in levels.items() if level != "none"), None)
                if area:
                    add_action(admin, person, area, "Refer to the service", "Case manager",
                               AS_OF + timedelta(days=rng.randint(1, 60)))
    client = Client()
    client.force_login(manager)
    timings = []
    with clock.frozen_at(AS_OF):
        first = client.get("/custody/")
        assert first.status_code == 200, first.status_code
        queries: list[str] = []

        def counted(execute: Any, sql: str, *rest: Any) -> Any:
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(counted):
            client.get("/custody/")
        for _ in range(renders):
            started = time.perf_counter()
            answer = client.get("/custody/")
            timings.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200
    print(json.dumps({"timings_ms": timings, "queries": len(queries)}))


def _database(pg: str) -> str:
    import psycopg

    with psycopg.connect(pg, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    return pg.rsplit("/", 1)[0] + f"/{DATABASE}"


def _drop(pg: str) -> None:
    import psycopg

    with psycopg.connect(pg, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")


def main() -> None:
    """Run the benchmark; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-dashboard", action="store_true")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "generate":
        return step_generate(args.path)
    if args.step == "dashboard":
        return step_dashboard(args.url, args.renders)

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    me = [sys.executable, str(Path(__file__).resolve())]
    print(f"{os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="omp-bench-custody-") as folder:
        path = Path(folder) / "people.pickle"
        started = time.perf_counter()
        generated = write_people(path, args.people)
        print(f"(generated {generated:,} synthetic cases to find {args.people:,} in custody, "
              f"in {time.perf_counter() - started:.1f} s)", flush=True)
        seconds, rss, out = recompute.measure([*me, "--step", "generate", "--path", str(path)],
                                              env)
        found = json.loads(out.strip().splitlines()[-1])
        policy = found["seconds"]
        print(f"pathway and task generation: {found['people']:,} people in custody, "
              f"{found['tasks']:,} tasks, pathways {found['pathways']}")
        print(f"  policy alone {policy:.2f} s ({found['people'] / policy:,.0f} people/s) = "
              f"{policy / TARGET_GENERATION_SECONDS:.2f}× the {TARGET_GENERATION_SECONDS:.0f} s "
              f"target; the whole process with reading the facts {seconds:.2f} s = "
              f"{seconds / TARGET_GENERATION_SECONDS:.2f}×")
        print(f"  peak RSS {rss:,.0f} MB = {rss / TARGET_RSS_MB:.2f}× the "
              f"{TARGET_RSS_MB / 1024:.0f} GB target", flush=True)
    if args.skip_dashboard:
        return
    url = _database(args.pg)
    try:
        _, _, out = recompute.measure([*me, "--step", "dashboard", "--url", url,
                                       "--renders", str(args.renders)], env)
    finally:
        _drop(args.pg)
    found = json.loads(out.strip().splitlines()[-1])
    timings = found["timings_ms"]
    median = statistics.median(timings)
    print(f"case manager's dashboard, {DASHBOARD_CASES} cases, PostgreSQL: median "
          f"{median:.1f} ms of {len(timings)} renders (fastest {min(timings):.1f}, slowest "
          f"{max(timings):.1f}; in order {[round(t) for t in timings]}) = "
          f"{median / TARGET_DASHBOARD_MS:.2f}× the "
          f"{TARGET_DASHBOARD_MS:.0f} ms target; {found['queries']} SQL queries per render")


if __name__ == "__main__":
    main()
