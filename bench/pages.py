"""Benchmark: the service under load, as production runs it (not a test).

    .venv/bin/python bench/pages.py [--cases 1000000] [--clients 20] [--seconds 60]
                                    [--think 1 0] [--pg URL] [--reuse]

Loads ``--cases`` synthetic cases (the demo generator, dated today) into a scratch
PostgreSQL database ``omp_bench_pages`` and decides them all with the nightly run (then
``VACUUM ANALYZE``, as autovacuum would after such bulk writes), then
starts the service as ``make run`` does (gunicorn with its settings' workers and threads,
WhiteNoise, ``OMP_DEBUG=false``) on a free loopback port. ``--clients`` clients, each signed
in through the sign-in form with a session of its own, ask for pages for ``--seconds``
seconds, once for each ``--think`` value: each client pauses between pages for a random time
averaging that many seconds, as a person reads a page before the next click (1 s: twenty busy
people), or not at all (0: the machine saturated, where by Little's law each page takes
about clients ÷ pages a second whatever the code does). The pages asked for are a case
page (half the requests, a random case), a search (a quarter: a surname's first letters, a
prison number or a case reference) and a handover list (a quarter: one of the three lists,
for a random prison or PDU, or for all). The clients run in two processes of threads on the
same machine, so they share its two cores with the service and the database.

Prints, per page, the requests, errors, median (p50) and p95 in milliseconds, and for the
case page the ratio to the targets (p50 ≤ 100 ms, p95 ≤ 300 ms, no error). ``--reuse``
keeps a database loaded by an earlier run (it is kept at the end either way; drop it with
``DROP DATABASE omp_bench_pages``).
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_SPEC = importlib.util.spec_from_file_location("bench_recompute", ROOT / "bench" / "recompute.py")
assert _SPEC and _SPEC.loader
recompute = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(recompute)

DATABASE = "omp_bench_pages"
#: The user the clients sign in as: a prison offender manager reads every ordinary case and
#: the handover lists.
USER = "pom"
TARGET_P50_MS = 100.0
TARGET_P95_MS = 300.0
PAGES = ("case page", "search", "handover list")


# --- preparing the database, each step in a child process --------------------------------


def step_load(url: str, cases: int) -> None:
    """Migrate and load ``cases`` synthetic cases dated today, with the demo users."""
    recompute._django(url)
    from django.core.management import call_command

    from omp.demo.load import load_demo

    call_command("migrate", verbosity=0)
    load_demo(cases, seed=2026, as_of=date.today(), history=False, users=True, chunk=10_000)


def step_migrate(url: str) -> None:
    """Bring a database kept from an earlier run up to the code's schema, and its statistics
    up to date (a migration may have added indexes or statistics)."""
    recompute._django(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def step_nightly(url: str, workers: int) -> None:
    """Decide every case (allocation and handover), as the first night does."""
    recompute._django(url)
    from omp.decisions.nightly import run_nightly

    run_nightly(date.today(), chunk=5_000, workers=workers)
    # Fresh statistics and visibility maps, as autovacuum leaves them soon after bulk
    # writes: with no statistics the planner takes a million open tasks for a handful and
    # reads them all, and with no visibility map no index-only scan pays off.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def step_sample(url: str, size: int) -> None:
    """Print, as JSON, what the clients ask for: case references, search words, places."""
    recompute._django(url)
    from omp.cases.models import Person, Prison, ProbationDeliveryUnit
    from omp.demo.load import DEMO_PASSWORD

    people = list(Person.objects.order_by("?").values_list(
        "case_ref", "last_name", "prison_number")[:size])
    words = ([last[:4] for _, last, _ in people[: size // 2]]
             + [number for _, _, number in people if number][: size // 4]
             + [ref for ref, _, _ in people][: size // 4])
    print(json.dumps({
        "cases": [ref for ref, _, _ in people],
        "words": words,
        "prisons": list(Prison.objects.values_list("code", flat=True)),
        "pdus": list(ProbationDeliveryUnit.objects.values_list("code", flat=True)),
        "count": Person.objects.count(),
        "password": DEMO_PASSWORD,
    }))


def database_exists(pg: str, database: str = DATABASE) -> bool:
    """Whether the scratch database ``database`` is on the server ``pg`` points at."""
    import psycopg

    with psycopg.connect(pg, autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (database,)).fetchone() is not None


def create_database(pg: str, database: str = DATABASE) -> str:
    """``database`` made afresh on the server ``pg`` points at; its URL."""
    import psycopg

    with psycopg.connect(pg, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database}")
        connection.execute(f"CREATE DATABASE {database}")
    return database_url(pg, database)


def database_url(pg: str, database: str = DATABASE) -> str:
    """The URL of ``database`` on the server of ``pg``."""
    return pg.rsplit("/", 1)[0] + "/" + database


def run_step(step: str, url: str, *extra: str, script: str = __file__) -> str:
    """Run ``script --step step`` in a child process, print its time and memory, return
    what it printed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    seconds, rss, out = recompute.measure(
        [sys.executable, script, "--step", step, "--url", url, *extra], env)
    print(f"  {step}: {seconds:.1f} s, {rss:.0f} MB", flush=True)
    return out


# --- the service --------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_service(url: str, port: int) -> subprocess.Popen[bytes]:
    """gunicorn as ``make run`` starts it, on ``port``; returns once /healthz answers."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OMP_DATABASE_URL": url,
           "OMP_DEBUG": "false", "OMP_WEB_BIND": f"127.0.0.1:{port}",
           "OMP_LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "omp.web.settings"}
    service = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:omp.web.gunicorn_conf"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return service
        except OSError:
            pass
        time.sleep(0.5)
    stop_service(service)
    raise SystemExit("the service did not answer /healthz within 60 s")


def stop_service(service: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its workers."""
    os.killpg(service.pid, signal.SIGTERM)
    service.wait(30)


# --- the clients ---------------------------------------------------------------------------


class Client:
    """One signed-in user on a kept-alive connection."""

    def __init__(self, port: int, password: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        form = self._get("/accounts/login/")[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token, "no CSRF token on the sign-in page"
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1),
                                       "username": USER, "password": password})
        status, _ = self._send("POST", "/accounts/login/", body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/"})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"signing in as {USER} failed (status {status})")

    def _send(self, method: str, path: str, body: str | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body,
                                {**(headers or {}), **({"Cookie": cookie} if cookie else {})})
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def _get(self, path: str) -> tuple[int, str]:
        return self._send("GET", path)

    def timed(self, path: str) -> tuple[float, str]:
        """GET ``path``; its time in ms and ``""`` when it answered 200, else what went
        wrong."""
        started = time.perf_counter()
        try:
            try:
                status, _ = self._get(path)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed a kept-alive connection that had been idle: as a browser
                # does, open a new one and ask again (the time taken counts in full).
                self.connection.close()
                status, _ = self._get(path)
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            return (time.perf_counter() - started) * 1000, f"{type(error).__name__} {path}"
        return ((time.perf_counter() - started) * 1000,
                "" if status == 200 else f"status {status} {path}")


def _path(rng: random.Random, sample: dict[str, Any]) -> tuple[str, str]:
    draw = rng.random()
    if draw < 0.5:
        return PAGES[0], f"/cases/{rng.choice(sample['cases'])}/"
    if draw < 0.75:
        return PAGES[1], "/cases/?" + urllib.parse.urlencode({"q": rng.choice(sample["words"])})
    kind = rng.choice(["upcoming", "in_handover", "com_overdue"])
    where = rng.random()
    place = ({"prison": rng.choice(sample["prisons"])} if where < 0.45 else
             {"pdu": rng.choice(sample["pdus"])} if where < 0.9 else {})
    return PAGES[2], "/handovers/?" + urllib.parse.urlencode({"list": kind, **place})


def client_process(port: int, password: str, threads: int, seconds: float,
                   sample: dict[str, Any], seed: int, results: Any, think: float) -> None:
    """``threads`` clients asking for pages until ``seconds`` have passed, each pausing
    between pages for a random time averaging ``think`` seconds (none when 0); puts each
    thread's [(page, ms, error), …] on ``results``."""
    clients = [Client(port, password) for _ in range(threads)]
    start = time.monotonic() + 0.5  # every client signed in before the clock starts

    def run(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        taken = []
        while time.monotonic() < start:
            time.sleep(0.01)
        while time.monotonic() - start < seconds:
            page, path = _path(rng, sample)
            ms, error = clients[index].timed(path)
            taken.append((page, ms, error))
            if think:
                # Reading the page before the next click: exponential pauses, as the
                # times between a person's requests are usually modelled.
                time.sleep(min(rng.expovariate(1 / think), 10 * think))
        results.put(taken)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def percentile(values: list[float], share: float) -> float:
    """The value ``share`` of the way up ``values`` (0.95: the p95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def load(port: int, password: str, clients: int, seconds: float,
         sample: dict[str, Any], think: float) -> list[dict[str, Any]]:
    """Run the clients (in two processes) and return each page's figures."""
    processes = 2 if clients > 1 else 1
    results: Any = multiprocessing.Queue()
    spawned = [multiprocessing.Process(
        target=client_process,
        args=(port, password, clients // processes + (i < clients % processes), seconds,
              sample, i, results, think)) for i in range(processes)]
    for process in spawned:
        process.start()
    taken: list[tuple[str, float, str]] = []
    for _ in range(clients):
        taken.extend(results.get())
    for process in spawned:
        process.join()
    rows = []
    for page in PAGES:
        times = [ms for name, ms, error in taken if name == page and not error]
        failed = [error for name, _, error in taken if name == page and error]
        errors = len(failed)
        for error in failed[:3]:  # what went wrong, the first few
            print(f"  {page}: {error}", flush=True)
        rows.append({"page": page, "requests": len(times) + errors, "errors": errors,
                     "p50_ms": round(statistics.median(times), 1) if times else None,
                     "p95_ms": round(percentile(times, 0.95), 1) if times else None,
                     "per_second": round((len(times) + errors) / seconds, 1)})
    return rows


def main() -> None:
    """Run the benchmark; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, nargs="+", default=[1.0, 0.0],
                        help="Mean pause between a client's pages, in seconds; one run of "
                             "--seconds for each value given")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--reuse", action="store_true",
                        help="Keep the database an earlier run loaded")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step == "load":
        return step_load(args.url, args.cases)
    if args.step == "nightly":
        return step_nightly(args.url, args.workers)
    if args.step == "migrate":
        return step_migrate(args.url)
    if args.step == "sample":
        return step_sample(args.url, 4_000)

    if args.reuse and database_exists(args.pg):
        url = database_url(args.pg)
        print(f"Reusing {DATABASE}", flush=True)
        run_step("migrate", url)
    else:
        url = create_database(args.pg)
        print(f"Loading {args.cases:,} cases into {DATABASE} and deciding them", flush=True)
        run_step("load", url, "--cases", str(args.cases))
        run_step("nightly", url, "--workers", str(args.workers))
    sample = json.loads(run_step("sample", url))
    port = free_port()
    service = start_service(url, port)
    phases = []
    try:
        for think in args.think:
            pause = f"pausing {think:g} s on average between pages" if think else \
                "asking for the next page as soon as one arrives (the machine saturated)"
            print(f"{args.clients} clients for {args.seconds:.0f} s against gunicorn on port "
                  f"{port}, {sample['count']:,} cases, {pause}", flush=True)
            rows = load(port, sample["password"], args.clients, args.seconds, sample, think)
            _print(rows)
            phases.append({"think_seconds": think, "pages": rows})
    finally:
        stop_service(service)
    if args.json:
        args.json.write_text(json.dumps({"cases": sample["count"], "clients": args.clients,
                                         "seconds": args.seconds, "phases": phases},
                                        indent=2))
    if any(row["errors"] for phase in phases for row in phase["pages"]):
        raise SystemExit("some requests failed")


def _print(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        print(f"{row['page']:>14}: {row['requests']:>6} requests ({row['per_second']}/s), "
              f"{row['errors']} errors, p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms")
    case = rows[0]
    if case["p50_ms"] is not None:
        print(f"case page: p50 {case['p50_ms'] / TARGET_P50_MS:.2f}× target "
              f"({TARGET_P50_MS:.0f} ms), p95 {case['p95_ms'] / TARGET_P95_MS:.2f}× target "
              f"({TARGET_P95_MS:.0f} ms), {case['errors']} errors", flush=True)


if __name__ == "__main__":
    main()
