"""Profile the provider API's writes one by one: queries, Python CPU and database CPU per write.

    PYTHONPATH=src .venv/bin/python bench/profile_referral_writes.py \
        [--url postgresql://postgres@127.0.0.1:5432/omp_profile_writes] [--reuse] \
        [--cases 2000] [--referrals 60] [--cycles 100] [--top 40] [--out writes.prof]

Prepares the database at ``--url`` afresh (``--reuse`` keeps one an earlier run prepared) as
``bench/referrals.py`` does, on a smaller caseload: the migrations, ``--cases`` synthetic
cases and the demo users, ``--referrals`` referrals in delivery (sent a month ago by the
demo practitioner ``com`` to Northway Housing Trust's housing support in London, a keyworker
assigned, the initial assessment held, an action plan approved), a webhook subscription of
the provider to every event and an API client of the provider with its bearer token.

Then, in this process, through Django's test client (the whole middleware stack, CSRF
checks enforced as for any HTTP client, ``OMP_DEBUG=false`` as gunicorn runs), it makes
``--cycles`` cycles of the bench's writes, each on the next referral with room under its
plan: book a session, record the attendance at it, post a message. Three passes, after a
few cycles to warm up:

1. timed: Python CPU per write (``time.process_time``: the service's work, with the little
   the test client adds) and, on PostgreSQL on this machine, the CPU of the connection's
   server process (from ``/proc``, in clock ticks of 10 ms: read over the whole pass);
2. counted: the SQL statements of each kind of write (``connection.execute_wrapper``), each
   with how often it ran per write;
3. profiled (cProfile): the top functions by cumulative time.

The machine's other work slows the figures (CPU time less than wall time), so compare runs
made on a machine equally quiet. Not a test; nothing is kept but the database (drop it with
``DROP DATABASE omp_profile_writes``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import random
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from referrals import SERVICE, referrals_in_delivery, room_under_plans  # noqa: E402 - the bench's referrals

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/omp_profile_writes"
KINDS = ("book a session", "record attendance", "post a message")
WARM_UP_CYCLES = 10


def _recreate(url: str) -> None:
    """Drop and create the database ``url`` names (PostgreSQL)."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _django(url: str) -> None:
    os.environ["OMP_DATABASE_URL"] = url
    os.environ["OMP_DEBUG"] = "false"  # as gunicorn runs: no query log kept in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omp.web.settings")
    import django

    django.setup()
    # The service's one line per request is still formatted, as in production, but not shown.
    sink = open(os.devnull, "w")  # noqa: SIM115 - open for the life of the process
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sink)


def prepare(cases: int, referrals: int) -> None:
    """The caseload, the referrals in delivery and the webhook subscription."""
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from omp.demo.load import load_demo
    from omp.demo.referrals import demo_referrals
    from omp.referrals import actions
    from omp.referrals.models import WEBHOOK_EVENTS, Service, WebhookSubscription

    call_command("migrate", verbosity=0)
    load_demo(cases, seed=2026, as_of=date.today(), history=False, users=True, chunk=10_000)
    demo_referrals(2026)  # links the demo provider staff to their providers
    referrals_in_delivery(referrals)
    service = Service.objects.select_related("contract__prime_provider", "category").get(
        title=SERVICE)
    provider = service.contract.prime_provider
    if not WebhookSubscription.objects.filter(provider=provider, active=True).exists():
        actions.create_webhook_subscription(User.objects.get(username="admin"), provider,
                                            "https://case-system.invalid/omp-events",
                                            list(WEBHOOK_EVENTS))


def _with_room() -> list[int]:
    """The referrals of the service in delivery, each as often as it has room for more
    sessions under its approved plan (REF-5e)."""
    room = room_under_plans(without_report=True)
    # Round robin: each referral once per round while it has room.
    slots: list[int] = []
    while any(n > 0 for n in room.values()):
        for pk in list(room):
            if room[pk] > 0:
                slots.append(pk)
                room[pk] -= 1
    return slots


class Provider:
    """The provider's case system: a bearer token from /oauth/token/, no session, no cookie."""

    def __init__(self) -> None:
        from base64 import b64encode

        from django.test import Client

        from omp.referrals import actions
        from omp.referrals.models import Service

        service = Service.objects.select_related("contract__prime_provider").get(title=SERVICE)
        application, secret = actions.create_api_client(
            service.contract.prime_provider.code, "Profiled case system")
        self.http = Client(enforce_csrf_checks=True)
        basic = b64encode(f"{application.client_id}:{secret}".encode()).decode()
        answer = self.http.post("/oauth/token/", {"grant_type": "client_credentials"},
                                HTTP_AUTHORIZATION=f"Basic {basic}")
        if answer.status_code != 200:
            raise SystemExit(f"no token ({answer.status_code}: {answer.content[:200]!r})")
        self.token = answer.json()["access_token"]
        self.http.cookies.clear()

    def post(self, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        answer = self.http.post(path, json.dumps(payload), content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {self.token}")
        if self.http.cookies:
            raise SystemExit(f"a bearer call was given a cookie: {self.http.cookies}")
        return answer.status_code, answer.json()


class Writes:
    """The bench's cycle of writes, on the referrals with room, one at a time; each write
    is given to ``around`` (a context manager factory taking the kind of write)."""

    def __init__(self, provider: Provider, slots: list[int]) -> None:
        self.provider, self.slots, self.rng = provider, slots, random.Random(2026)

    def cycle(self, around: Any) -> int:
        """Book, record, message on the next referral; the number of writes made."""
        if not self.slots:
            raise SystemExit("No referral has room for another session: run without --reuse")
        referral, rng = self.slots.pop(0), self.rng
        base = f"/api/v1/referrals/{referral}"
        day = date.today() - timedelta(days=rng.randint(1, 7))
        with around(KINDS[0]):
            status, body = self.provider.post(f"{base}/sessions", {
                "day": day.isoformat(), "start_time": f"{rng.randint(9, 16)}:00",
                "duration_minutes": 60, "method": "phone", "location": "",
                "enforceable": True})
        if status != 201:
            raise SystemExit(f"booking refused: {status} {body}")
        with around(KINDS[1]):
            status, body = self.provider.post(f"{base}/sessions/{body['id']}/attendance", {
                "attendance": rng.choice(("yes", "yes", "late")), "happened": True,
                "notes": "Engaged well and completed the work planned."})
        if status != 200:
            raise SystemExit(f"attendance refused: {status} {body}")
        with around(KINDS[2]):
            status, body = self.provider.post(f"{base}/messages", {
                "body": "Session held today; next one booked for next week."})
        if status != 201:
            raise SystemExit(f"message refused: {status} {body}")
        return 3


class _Nothing:
    def __init__(self, kind: str) -> None:
        pass

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def _server_ticks() -> int | None:
    """CPU clock ticks (user + system) of this connection's PostgreSQL server process, when
    it runs on this machine; None otherwise."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


def _shape(sql: str) -> str:
    """A statement with its literal values blanked, so alike statements count together."""
    return _LITERALS.sub("?", " ".join(sql.split()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--reuse", action="store_true",
                        help="Keep the database an earlier run prepared")
    parser.add_argument("--cases", type=int, default=2_000)
    parser.add_argument("--referrals", type=int, default=60)
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--width", type=int, default=160, help="Columns of a query shown")
    parser.add_argument("--out", type=Path, help="Also keep the raw profile here")
    args = parser.parse_args()

    fresh = not args.reuse
    if fresh and args.url.startswith("postgres"):
        _recreate(args.url)
    _django(args.url)
    if fresh:
        started = time.perf_counter()
        prepare(args.cases, args.referrals)
        print(f"prepared {args.cases:,} cases and {args.referrals} referrals in delivery in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    from django.db import connection

    provider = Provider()
    slots = _with_room()
    needed = WARM_UP_CYCLES + 3 * args.cycles
    if len(slots) < needed:
        raise SystemExit(f"{len(slots)} sessions of room, {needed} needed: run without "
                         f"--reuse, or with more --referrals")
    writes = Writes(provider, slots)
    for _ in range(WARM_UP_CYCLES):
        writes.cycle(_Nothing)

    # 1. Timed.
    ticks_before, cpu_before, wall_before = _server_ticks(), time.process_time(), \
        time.perf_counter()
    made = sum(writes.cycle(_Nothing) for _ in range(args.cycles))
    cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
    ticks_after = _server_ticks()
    tick = os.sysconf("SC_CLK_TCK")
    print(f"\n{made} writes ({args.cycles} cycles of {', '.join(KINDS)}) on "
          f"{connection.vendor}:")
    print(f"  Python CPU per write: {cpu / made * 1000:.2f} ms   wall per write: "
          f"{wall / made * 1000:.2f} ms")
    if ticks_before is not None and ticks_after is not None:
        server = (ticks_after - ticks_before - 1) / tick  # less the tick of the pid query
        print(f"  PostgreSQL server CPU per write: {server / made * 1000:.2f} ms "
              f"(its process, {ticks_after - ticks_before} ticks of {1000 / tick:.0f} ms)")

    # 2. Counted.
    statements: dict[str, Counter[str]] = defaultdict(Counter)
    per_write: dict[str, list[int]] = defaultdict(list)
    current: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        current.append(_shape(sql))
        return execute(sql, params, many, context)

    class Counted:
        def __init__(self, kind: str) -> None:
            self.kind = kind

        def __enter__(self) -> None:
            current.clear()

        def __exit__(self, *exc: Any) -> None:
            per_write[self.kind].append(len(current))
            statements[self.kind].update(current)

    with connection.execute_wrapper(count):
        for _ in range(args.cycles):
            writes.cycle(Counted)
    total = sum(sum(n) for n in per_write.values())
    writes_counted = sum(len(n) for n in per_write.values())
    print(f"\nqueries per write: {total / writes_counted:.2f} on average")
    for kind in KINDS:
        counts = per_write[kind]
        print(f"\n  {kind}: {sum(counts) / len(counts):.2f} queries (min {min(counts)}, "
              f"max {max(counts)})")
        for sql, n in sorted(statements[kind].items(), key=lambda row: -row[1]):
            text = sql if len(sql) <= args.width else sql[:args.width - 1] + "…"
            print(f"    {n / len(counts):5.2f}× {text}")

    # 3. Profiled.
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.cycles):
        writes.cycle(_Nothing)
    profile.disable()
    if args.out:
        profile.dump_stats(str(args.out))
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(args.top)
    print(f"\ntop {args.top} functions by cumulative time ({made} writes, profiled):")
    print(out.getvalue().split("\n", 4)[-1] if "ncalls" in out.getvalue() else out.getvalue())
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
    print(f"top {args.top} functions by own time:")
    print(out.getvalue()[out.getvalue().find("   ncalls"):])


if __name__ == "__main__":
    sys.exit(main())
