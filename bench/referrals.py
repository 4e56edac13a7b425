"""Benchmark: the provider API under write load, and the practitioner's list (not a test).

    .venv/bin/python bench/referrals.py [--referrals 1000] [--rate 200] [--seconds 60]
                                        [--clients 16] [--pg URL] [--reuse]

Prepares a scratch PostgreSQL database ``omp_bench_referrals``: the demo caseload (30,000
synthetic cases and the demo users), then ``--referrals`` referrals made by the demo
practitioner ``com`` to Northway Housing Trust's housing support in London through the same
actions as the pages (started, completed, sent; a keyworker assigned, the initial assessment
held and an action plan approved, so sessions can be booked), one API client of the
provider (OAuth2 client credentials, as ``omp referrals api-client`` makes it), and a webhook
subscription of the provider to every event (so the writes put their events in the outbox;
no worker delivers them here).

Then it starts the service as ``make run`` does (gunicorn, ``OMP_DEBUG=false``) and:

1. ``--clients`` API clients (threads in two processes), each with its own bearer token from
   ``/oauth/token/``, write through the provider API at ``--rate`` writes a second in all for
   ``--seconds`` seconds, each on a paced schedule (open loop: a client that falls behind
   catches up at once, so a slow service shows as a lower rate, not a hidden one). The
   writes cycle through what a provider's case system sends: book a session (a day in the
   past week), record the attendance at it, and post a message on the referral. Each
   client has its own share of the referrals' room: each referral as often as its approved
   plan has room for another session, so, as a provider's system would, no client books
   beyond a plan (REF-5e would rightly refuse it). Prints the
   writes a second achieved, errors, p50 and p95 per kind of write, with the ratio to the
   target (200 writes a second with no error).
2. The practitioner ``com`` signs in and asks for their list of referrals 30 times, one
   after another: p50 and p95, with the ratio to the target (median ≤ 150 ms).

``--reuse`` keeps a database prepared by an earlier run (kept at the end either way; drop it
with ``DROP DATABASE omp_bench_referrals``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import random
import re
import statistics
import threading
import time
from base64 import b64encode
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pages  # bench/pages.py: the service as make run starts it, the free port
import recompute  # bench/recompute.py: child processes measured, Django set up

DATABASE = "omp_bench_referrals"
SERVICE = "Housing support in London"
TARGET_RATE = 200.0
TARGET_LIST_MS = 150.0
KINDS = ("book a session", "record attendance", "post a message")
OUT_OF_ROOM = "out of room"


# --- preparing the database, in a child process ---------------------------------------------


def referrals_in_delivery(count: int) -> list[int]:
    """Make ``count`` referrals of the demo's people to the bench's service through the
    pages' actions, each sent a month ago with a keyworker, an initial assessment and an
    approved plan, so sessions in the past week can be booked; their ids."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from omp.cases.models import Person
    from omp.clock import today
    from omp.demo.referrals import send_complete
    from omp.referrals import actions
    from omp.referrals.models import Service
    from omp.referrals.queries import eligibility_problems

    practitioner = User.objects.get(username="com")
    keyworker = User.objects.get(username="provider")
    service = Service.objects.select_related("contract__prime_provider", "category").get(
        title=SERVICE)
    rng = random.Random(2026)
    made: list[int] = []
    for person in Person.objects.select_related("pdu__region").order_by("pk").iterator():
        if len(made) == count:
            break
        if eligibility_problems(service, person, today()):
            continue
        referral = send_complete(practitioner, person, service, rng, days_ago=30)
        if referral is None:
            continue
        actions.assign_keyworker(keyworker, referral, keyworker.username)
        actions.record_initial_assessment(keyworker, referral,
                                          timezone.localdate() - timedelta(days=25))
        actions.submit_action_plan(keyworker, referral, referral.complexity_level.session_cap,
                                   ["One-to-one sessions"])
        actions.approve_action_plan(practitioner, referral, 1)
        made.append(referral.pk)
    return made


def room_under_plans(*, without_report: bool = False) -> dict[int, int]:
    """The practitioner ``com``'s sent referrals to the bench's service that are in
    delivery (a plan approved, not ended; with ``without_report``, no end-of-service report
    yet), each with the sessions its approved plan still has room for (REF-5e), in the
    order they were made."""
    from django.db.models import Count

    from omp.referrals.models import ActionPlan, Appointment, Referral
    from omp.referrals.queries import states_of_ids

    sent = list(Referral.objects.filter(service__title=SERVICE, created_by__username="com",
                                        sent_at__isnull=False)
                .order_by("pk").values_list("pk", flat=True))
    states = states_of_ids(sent)
    booked = dict(Appointment.objects.filter(referral_id__in=sent, rescheduled_to__isnull=True)
                  .values("referral_id").annotate(n=Count("id"))
                  .values_list("referral_id", "n"))
    planned = dict(ActionPlan.objects.filter(referral_id__in=sent, approved_at__isnull=False)
                   .order_by("version").values_list("referral_id", "number_of_sessions"))
    return {pk: planned.get(pk, 0) - booked.get(pk, 0) for pk in sent
            if states[pk].plan_approved is not None and not states[pk].ended
            and not (without_report and states[pk].report_submitted)}


def step_load(url: str, referrals: int) -> None:
    """Migrate, load the demo caseload and users, and make ``referrals`` referrals in
    delivery; print the API client's id and secret and the referral ids as JSON."""
    recompute._django(url)
    from django.core.management import call_command

    from omp.demo.load import load_demo
    from omp.demo.referrals import demo_referrals
    from omp.referrals import actions
    from omp.referrals.models import Referral, Service

    call_command("migrate", verbosity=0)
    load_demo(30_000, seed=2026, as_of=date.today(), history=False, users=True, chunk=10_000)
    demo_referrals(2026)  # links the demo provider staff to their providers
    made = referrals_in_delivery(referrals)
    service = Service.objects.select_related("contract__prime_provider", "category").get(
        title=SERVICE)
    _subscribe(service)
    application, secret = actions.create_api_client(
        service.contract.prime_provider.code, "Bench case system")
    from omp.demo.load import DEMO_PASSWORD

    print(json.dumps({"client_id": application.client_id, "secret": secret,
                      "referrals": made, "room": room_under_plans(), "password": DEMO_PASSWORD,
                      "listed": Referral.objects.filter(created_by__username="com").count()}))


def _subscribe(service: Any) -> None:
    """The provider's system subscribes to every webhook event (once), so each attendance
    recorded also writes its event to the outbox in the same transaction, as in production
    (no worker delivers them here: the outbox keeps them)."""
    from django.contrib.auth.models import User

    from omp.referrals import actions
    from omp.referrals.models import WEBHOOK_EVENTS, WebhookSubscription

    provider = service.contract.prime_provider
    if not WebhookSubscription.objects.filter(provider=provider, active=True).exists():
        actions.create_webhook_subscription(User.objects.get(username="admin"), provider,
                                            "https://case-system.invalid/omp-events",
                                            list(WEBHOOK_EVENTS))


def step_client(url: str) -> None:
    """A new API client for a kept database (the secret of the last one is not kept)."""
    recompute._django(url)
    from omp.referrals import actions
    from omp.referrals.models import Referral, Service

    service = Service.objects.select_related("contract__prime_provider").get(title=SERVICE)
    _subscribe(service)
    application, secret = actions.create_api_client(
        service.contract.prime_provider.code, "Bench case system")
    # Only those in delivery (the demo's own referrals may be waiting or concluded), with
    # room for a few more sessions under the plan's cap (REF-5e), since a kept database
    # holds the sessions of earlier runs: a full plan rightly refuses another booking.
    room = room_under_plans()
    made = [pk for pk, left in room.items() if left >= 3]
    from omp.demo.load import DEMO_PASSWORD

    print(json.dumps({"client_id": application.client_id, "secret": secret,
                      "referrals": made, "room": room, "password": DEMO_PASSWORD,
                      "listed": Referral.objects.filter(created_by__username="com").count()}))


def _run_step(step: str, url: str, *extra: str) -> str:
    return pages.run_step(step, url, *extra, script=__file__)


# --- the API clients --------------------------------------------------------------------------


class ApiClient:
    """One provider case system with its own bearer token, on a kept-alive connection."""

    def __init__(self, port: int, client_id: str, secret: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        basic = b64encode(f"{client_id}:{secret}".encode()).decode()
        status, body = self._send("POST", "/oauth/token/", "grant_type=client_credentials", {
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded"})
        if status != 200:
            raise SystemExit(f"no token for the API client (status {status}: {body[:200]})")
        self.token = json.loads(body)["access_token"]

    def _send(self, method: str, path: str, body: str | None,
              headers: dict[str, str]) -> tuple[int, str]:
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # An idle kept-alive connection closed by the server: open a new one, as any
            # HTTP client library does (the time taken counts in full).
            self.connection.close()
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")

    def post(self, path: str, payload: dict[str, Any]) -> tuple[float, int, str]:
        """POST ``payload`` as JSON; (ms, status, body)."""
        started = time.perf_counter()
        try:
            status, body = self._send("POST", path, json.dumps(payload), {
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json"})
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            return (time.perf_counter() - started) * 1000, 0, type(error).__name__
        return (time.perf_counter() - started) * 1000, status, body


def _writes(client: ApiClient, referral: int, rng: random.Random
            ) -> list[tuple[str, float, str]]:
    """One cycle of a provider's case system on ``referral``: book a session a few days
    back, record that the person came, and post a message. [(kind, ms, error)]."""
    base = f"/api/v1/referrals/{referral}"
    day = date.today() - timedelta(days=rng.randint(1, 7))
    ms, status, body = client.post(f"{base}/sessions", {
        "day": day.isoformat(), "start_time": f"{rng.randint(9, 16)}:00",
        "duration_minutes": 60, "method": "phone", "location": "", "enforceable": True})
    taken = [(KINDS[0], ms, "" if status == 201 else f"status {status} {body[:120]}")]
    if status == 201:
        booked = json.loads(body)["id"]
        ms, status, body = client.post(f"{base}/sessions/{booked}/attendance", {
            "attendance": rng.choice(("yes", "yes", "late")), "happened": True,
            "notes": "Engaged well and completed the work planned."})
        taken.append((KINDS[1], ms, "" if status in (200, 201)
                      else f"status {status} {body[:120]}"))
    ms, status, body = client.post(f"{base}/messages", {
        "body": "Session held today; next one booked for next week."})
    taken.append((KINDS[2], ms, "" if status == 201 else f"status {status} {body[:120]}"))
    return taken


def slots(room: dict[Any, int], clients: int) -> list[list[int]]:
    """Each client's referrals to write on, one cycle each: every referral as often as its
    plan has room for another session (REF-5e), round robin, dealt out in turn, so no
    referral is booked beyond its plan, as a provider's case system books only what the plan
    allows, and a referral's cycles are spread over the clients."""
    left = {int(pk): n for pk, n in room.items() if n > 0}
    order: list[int] = []
    while left:
        for pk in list(left):
            order.append(pk)
            left[pk] -= 1
            if not left[pk]:
                del left[pk]
    return [order[i::clients] for i in range(clients)]


def client_process(port: int, client_id: str, secret: str, rate: float, seconds: float,
                   mine: list[list[int]], seed: int, results: Any) -> None:
    """One API client per list of ``mine`` writing ``rate`` writes a second between them,
    each on a paced schedule, until ``seconds`` have passed or its referrals have no room
    left; puts each one's list on ``results``."""
    threads = len(mine)
    clients = [ApiClient(port, client_id, secret) for _ in range(threads)]
    start = time.monotonic() + 0.5  # every client holds its token before the clock starts
    # A cycle is up to three writes: pace cycles so the writes come at ``rate`` in all.
    interval = threads * len(KINDS) / rate

    def run(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        taken: list[tuple[str, float, str]] = []
        due = start + rng.random() * interval  # spread the clients' first writes
        queue = mine[index]
        while True:
            now = time.monotonic()
            if now - start >= seconds:
                break
            if not queue:
                taken.append((OUT_OF_ROOM, 0.0, "no referral left with room for a session"))
                break
            if due > now:
                time.sleep(due - now)
            taken.extend(_writes(clients[index], queue.pop(0), rng))
            due += interval
        results.put(taken)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def _error_kind(error: str) -> str:
    """An error in a few words, to count alike ones together: the status and the rule a
    refusal names (``status 422 REF-5e``), or the start of the answer."""
    rule = re.search(r"\bREF-\d+[a-z]?\b", error)
    return f"{error.split(' {')[0]} {rule.group(0)}" if rule else error[:80]


def write_load(port: int, prepared: dict[str, Any], clients: int, rate: float,
               seconds: float) -> list[dict[str, Any]]:
    """Run the API clients in two processes; each kind of write's figures, then all."""
    processes = 2 if clients > 1 else 1
    results: Any = multiprocessing.Queue()
    dealt = slots(prepared["room"], clients)
    spawned = [multiprocessing.Process(target=client_process, args=(
        port, prepared["client_id"], prepared["secret"], rate / processes, seconds,
        dealt[i::processes], i, results)) for i in range(processes)]
    for process in spawned:
        process.start()
    taken: list[tuple[str, float, str]] = []
    for _ in range(clients):
        taken.extend(results.get())
    for process in spawned:
        process.join()
    ran_out = sum(1 for kind, _, _ in taken if kind == OUT_OF_ROOM)
    if ran_out:
        print(f"  {ran_out} of {clients} clients ran out of referrals with room before the "
              f"end: prepare more --referrals", flush=True)
    taken = [row for row in taken if row[0] != OUT_OF_ROOM]
    rows = []
    for kind in (*KINDS, "all writes"):
        mine = [row for row in taken if kind in (row[0], "all writes")]
        times = [ms for _, ms, error in mine if not error]
        failed = [error for _, _, error in mine if error]
        kinds = Counter(_error_kind(error) for error in failed)
        for error, count in kinds.most_common():
            print(f"  {kind}: {count} × {error}", flush=True)
        rows.append({"write": kind, "requests": len(mine), "errors": len(failed),
                     "error_kinds": dict(kinds),
                     "per_second": round(len(mine) / seconds, 1),
                     "p50_ms": round(statistics.median(times), 1) if times else None,
                     "p95_ms": round(pages.percentile(times, 0.95), 1) if times else None})
    return rows


def practitioner_list(port: int, password: str, times: int = 30) -> dict[str, Any]:
    """The practitioner ``com`` signs in and asks for their referrals ``times`` times."""
    pages.USER = "com"
    client = pages.Client(port, password)
    taken = [client.timed("/referrals/") for _ in range(times)]
    ok = [ms for ms, error in taken if not error]
    return {"requests": times, "errors": times - len(ok),
            "p50_ms": round(statistics.median(ok), 1) if ok else None,
            "p95_ms": round(pages.percentile(ok, 0.95), 1) if ok else None}


def main() -> None:
    """Run the benchmark; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=1_000)
    parser.add_argument("--rate", type=float, default=TARGET_RATE)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--reuse", action="store_true",
                        help="Keep the database an earlier run prepared")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step == "load":
        return step_load(args.url, args.referrals)
    if args.step == "client":
        return step_client(args.url)

    if args.reuse and pages.database_exists(args.pg, DATABASE):
        url = pages.database_url(args.pg, DATABASE)
        print(f"Reusing {DATABASE}", flush=True)
        pages.run_step("migrate", url)
        prepared = json.loads(_run_step("client", url))
    else:
        url = pages.create_database(args.pg, DATABASE)
        print(f"Preparing {DATABASE}: 30,000 cases and {args.referrals:,} referrals in "
              "delivery", flush=True)
        prepared = json.loads(_run_step("load", url, "--referrals", str(args.referrals)))
    if not prepared["referrals"]:
        # Each run books sessions; a kept database's plans fill up (REF-5e) run after run.
        raise SystemExit(f"No referral in {DATABASE} has room for three more sessions under "
                         f"its plan: run again without --reuse to prepare it afresh")
    port = pages.free_port()
    service = pages.start_service(url, port)
    try:
        print(f"{args.clients} API clients writing {args.rate:g} a second for "
              f"{args.seconds:.0f} s on {len(prepared['referrals']):,} referrals, gunicorn "
              f"on port {port}", flush=True)
        rows = write_load(port, prepared, args.clients, args.rate, args.seconds)
        listing = practitioner_list(port, prepared["password"])
    finally:
        pages.stop_service(service)
    for row in rows:
        print(f"{row['write']:>18}: {row['requests']:>6} ({row['per_second']}/s), "
              f"{row['errors']} errors, p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms")
    total = rows[-1]
    print(f"writes: {total['per_second']} a second, {total['per_second'] / TARGET_RATE:.2f}× "
          f"the target ({TARGET_RATE:.0f} a second, no error), {total['errors']} errors")
    print(f"practitioner's list of {prepared['listed']:,} referrals: p50 "
          f"{listing['p50_ms']} ms, p95 {listing['p95_ms']} ms; median "
          f"{(listing['p50_ms'] or 0) / TARGET_LIST_MS:.2f}× the target "
          f"({TARGET_LIST_MS:.0f} ms)")
    if args.json:
        args.json.write_text(json.dumps({"writes": rows, "list": listing}, indent=2))
    if total["errors"] or listing["errors"]:
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main()
