"""The access matrix: every page route of the URL conf and every operation of the OpenAPI
document, tried by every role (and by a keyworker of another provider, by the provider's API
client with its bearer token, and by nobody signed in) on an ordinary case, a case whose
exclusion list names the user (LAO-1) and a case restricted to somebody else (LAO-2),
against the expected table kept beside this file, ``access_matrix.txt``.

A route that is not in the table fails the test, so a new page or API route cannot ship
without somebody deciding who may use it; a table line whose route is gone fails too. The
table is a record of the answers; the policy itself is checked here independently of it:

- nobody signed in is sent to sign in (pages) or answered 401 (API), never shown a case;
- a provider's API client is answered as nobody signed in everywhere but the referrals
  routes, and there only where the provider's keyworker is;
- a limited case is never shown (no 200) to a user its lists refuse, whatever the role;
- a role that may not read cases (providers, commissioners, contract managers, auditors) is
  never shown a case page or a case's API answer;
- a keyworker never reaches another provider's referral (404, as if it did not exist, or
  403 on a route no keyworker may use);
- the names, prison numbers and dates of birth of the limited cases appear in no body and no
  header of any answer to anybody in the matrix (lists, CSVs and search included).

After a deliberate change of who may do what, rewrite the table with
``OMP_WRITE_ACCESS_MATRIX=1 pytest tests/web/test_access_matrix.py`` and read its diff.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from omp.access import CASE_READERS, ROLE_NAMES
from omp.cases.models import LimitedAccessEntry, Person
from omp.clock import today
from omp.referrals.actions import (
    approve_action_plan,
    assign_keyworker,
    book_session,
    record_initial_assessment,
    save_draft,
    send_referral,
    start_referral,
    submit_action_plan,
)
from tests.decisions.test_views_handover import _due_in
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db

TABLE = Path(__file__).with_name("access_matrix.txt")
#: The columns: each role, a keyworker of another provider, the provider's API client (its
#: system, with a bearer token and no session, REF-8) and nobody signed in.
WHO = (*ROLE_NAMES, "other_provider", "api_client", "anonymous")
#: The routes a provider's API client's token opens: the referrals router.
TOKEN_ROUTES = ("/api/v1/referrals", "/api/v1/services")
#: The three kinds of case every case or referral route is tried on.
KINDS = ("ordinary", "excluded", "restricted")
#: Each limited case's name, prison number and date of birth: never shown to the matrix.
CASES = {"ordinary": ("O0001", "Olive", "Ordinary", "O7777OO"),
         "excluded": ("L0001", "Zebedee", "Quill", "Z9999ZZ"),
         "restricted": ("L0002", "Yolanda", "Restrick", "Y8888YY")}
SECRETS = ("Zebedee", "Quill", "Yolanda", "Restrick", "Z9999ZZ", "Y8888YY")
#: Route prefixes outside the matrix: the admin (its own permission system, staff only, its
#: case views tested in tests/cases) and the API, taken from its OpenAPI document instead.
OUTSIDE = ("admin/", "api/v1/")
#: Statuses that show nothing of a case.
REFUSED = {302, 401, 403, 404, 405}


@dataclass(frozen=True)
class Probe:
    """One request of the matrix: a method on a route, for one kind of case (or none)."""

    method: str
    route: str
    kind: str  # one of KINDS, or "-" for a route that reaches no case

    @property
    def key(self) -> str:
        return f"{self.method} {self.route} {self.kind}"


def _page_routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    """Every route of the URL conf, parameters written ``{name}`` as OpenAPI writes them."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(OUTSIDE):
            continue
        if isinstance(pattern, URLResolver):
            yield from _page_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _probes(api_paths: dict[str, Any]) -> list[Probe]:
    """GETs first, then writes (in a fixed order, so a write that succeeds changes the
    state of later requests the same way every run)."""
    routes = sorted(set(_page_routes(get_resolver().url_patterns)))
    operations = [(method.upper(), path) for path, item in sorted(api_paths.items())
                  for method in item]
    reads, writes = [], []
    for method, route in [("GET", r) for r in routes] + [("POST", r) for r in routes] \
            + operations:
        reaches_case = "{case_ref}" in route or "{pk}" in route or "{referral_id}" in route \
            or "{task_id}" in route
        if method == "POST" and route == "/accounts/logout/":
            continue  # it would sign the matrix's users out; tests/web/test_sessions.py
        for kind in (KINDS if reaches_case else ("-",)):
            (reads if method == "GET" else writes).append(Probe(method, route, kind))
    return reads + writes


def _url(probe: Probe, world: dict[str, Any]) -> str:
    kind = probe.kind if probe.kind != "-" else "ordinary"
    values = {"case_ref": CASES[kind][0], "pk": world["referrals"][kind],
              "referral_id": world["referrals"][kind], "task_id": world["tasks"][kind],
              "action_id": world["actions"][kind],
              "appointment_id": world["appointments"][kind],
              "slug": "doncaster", "table": "reoffending", "reference": world["contract"],
              "cpa": "SYO", "token": world["feedback_token"]}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, (f"{probe.route}: the access matrix has no value for the "
                                f"parameter {{{name}}}: add one to _url")
        return str(values[name])

    return re.sub(r"\{(\w+)\}", value, probe.route)


def _api_client() -> tuple[Client, Any]:
    """Northway Housing Trust's own system, and its service account: a client made as
    ``omp referrals api-client`` makes it, with a token from ``/oauth/token/`` on every
    request and no session. The token is made to outlast the matrix's run."""
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from omp.referrals.actions import create_api_client

    application, secret = create_api_client("NWH", "Matrix case system")
    answer = Client().post("/oauth/token/", {"grant_type": "client_credentials",
                                             "client_id": application.client_id,
                                             "client_secret": secret})
    AccessToken.objects.update(expires=timezone.now() + timedelta(days=1))
    return (Client(HTTP_AUTHORIZATION=f"Bearer {answer.json()['access_token']}"),
            application.user)


@pytest.fixture
def world(make_user: Any, make_case: Any) -> dict[str, Any]:
    """A user per role; the three cases, each due for handover, with a task, a support plan
    action and a referral sent to Northway Housing Trust (the provider user's); the limited
    cases' lists."""
    from omp.custody.actions import record_needs_assessment
    from omp.custody.models import NEED_AREAS, Task
    from omp.custody.support_plan import add_action
    from omp.referrals.models import Contract, Provider, Service

    users = {role: make_user(f"matrix_{role}", role) for role in ROLE_NAMES}
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    Provider.objects.get(code="NWH").staff.add(users["provider"])
    users["other_provider"] = make_user("matrix_other_provider", "provider")
    Provider.objects.get(code="PFE").staff.add(users["other_provider"])
    practitioner, named = make_user("matrix_practitioner", "com"), make_user("named", "pom")
    service = Service.objects.select_related("category").get(title="Housing support in London")
    referrals, tasks, actions, appointments = {}, {}, {}, {}
    for days, (kind, (ref, first, last, number)) in enumerate(CASES.items(), start=10):
        person = _due_in(make_case, ref, days)
        Person.objects.filter(pk=person.pk).update(first_name=first, last_name=last,
                                                   prison_number=number)
        person.refresh_from_db()
        referral = start_referral(practitioner, person, service)
        save_draft(practitioner, referral, complete_changes(service))
        referrals[kind] = send_referral(practitioner, referral).pk
        # The provider's steps up to a booked session, so that the session routes are
        # tried on a booking that exists.
        assign_keyworker(users["provider"], referral, users["provider"].username)
        record_initial_assessment(users["provider"], referral, today())
        submit_action_plan(users["provider"], referral, 4, ["Housing applications"])
        approve_action_plan(practitioner, referral, 1)
        appointments[kind] = book_session(
            users["provider"], referral, today() + timedelta(days=7), "10:00", 60, "phone",
            "", True).pk
        task = Task.objects.filter(person=person).order_by("pk").first()
        assert task is not None, f"{ref} has no pathway task to try the task routes on"
        tasks[kind] = task.pk
        record_needs_assessment(practitioner, person, {a: "high" for a, _ in NEED_AREAS}, {})
        actions[kind] = add_action(practitioner, person, "accommodation", "Refer for housing",
                                   "Case manager", today() + timedelta(days=30)).pk
    excluded, restricted = (Person.objects.get(case_ref=CASES[k][0])
                            for k in ("excluded", "restricted"))
    api_client, users["api_client"] = _api_client()
    for user in users.values():
        LimitedAccessEntry.objects.create(person=excluded, kind="exclusion", user=user,
                                          reason="Matrix: everyone excluded")
    LimitedAccessEntry.objects.create(person=restricted, kind="restriction", user=named,
                                      reason="Matrix: only somebody else")
    clients = {"anonymous": Client(), "api_client": api_client}
    for who, user in users.items():
        if who == "api_client":
            continue
        clients[who] = Client()
        clients[who].force_login(user)
    contract = Contract.objects.order_by("reference").values_list("reference", flat=True)[0]
    # A one-time feedback link of the ordinary referral, so that the person's page (which
    # needs no account) is tried on a link that works.
    from django.utils import timezone

    from omp.referrals.actions import token_hash
    from omp.referrals.models import FeedbackLink

    now = timezone.now()
    FeedbackLink.objects.create(referral_id=referrals["ordinary"],
                                token_hash=token_hash("matrix-token"), created_by=practitioner,
                                created_at=now, expires_at=now + timedelta(days=28))
    return {"clients": clients, "referrals": referrals, "tasks": tasks, "actions": actions,
            "appointments": appointments, "contract": contract,
            "feedback_token": "matrix-token"}


def _request(client: Client, probe: Probe, url: str) -> Any:
    if probe.route.startswith("/api/v1/"):
        return client.generic(probe.method, url, "{}" if probe.method != "GET" else "",
                              content_type="application/json")
    return client.get(url) if probe.method == "GET" else client.post(url, {})


def _body(response: Any) -> str:
    """The whole answer's body, streamed (an export) or not."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return str(raw.decode(errors="replace"))


def _policy_problems(probe: Probe, who: str, response: Any, body: str) -> list[str]:
    """What the answer breaks of the policy, whatever the table says."""
    problems = []
    status = response.status_code
    text = body + json.dumps(dict(response.headers))
    for secret in SECRETS:
        if secret in text:
            problems.append(f"{probe.key} as {who}: {secret!r} shown ({status})")
    is_api = probe.route.startswith("/api/v1/")
    if who == "api_client" and probe.route not in PUBLIC and (
            not is_api or not probe.route.startswith(TOKEN_ROUTES)):
        # The token opens the referrals routes only: every page and every other route
        # answers as to nobody signed in.
        wanted = 401 if is_api else 302
        if status not in (wanted, 405):
            problems.append(f"{probe.key} to the API client: {status}, not {wanted}")
    if who == "anonymous" and probe.route not in PUBLIC:
        wanted = 401 if is_api else 302
        if status not in (wanted, 405):  # 405: a method the route has not, for anybody
            problems.append(f"{probe.key} to nobody signed in: {status}, not {wanted}")
    if probe.kind in ("excluded", "restricted") and status not in REFUSED | {400, 422}:
        problems.append(f"{probe.key} as {who}: {status} on a case its lists refuse")
    reaches_case_record = "{case_ref}" in probe.route
    if reaches_case_record and who not in CASE_READERS and status not in REFUSED:
        problems.append(f"{probe.key} as {who}: {status}, a role that may not read cases")
    if who == "other_provider" and ("{pk}" in probe.route or "{referral_id}" in probe.route) \
            and probe.route.startswith(("/referrals/", "/api/v1/referrals/")) \
            and status not in {403, 404, 405, 422}:
        # 404 where a keyworker may use the route (as if the referral did not exist), 403
        # where no keyworker may, whatever the id; 422 where the schema refuses the empty
        # body before any referral is looked up (tests/referrals try full bodies).
        problems.append(f"{probe.key} as another provider's keyworker: {status}")
    return problems


#: Pages anybody may open: sign-in, the signed-out page, the session probe, the health check,
#: the person's feedback form, whose one-time link is the key (REF-6f), and the token
#: endpoint of providers' API clients, whose client id and secret are (REF-8).
PUBLIC = {"/accounts/login/", "/accounts/logout/", "/accounts/signed-out/",
          "/accounts/session/", "/healthz", "/feedback/{token}/", "/oauth/token/"}


def _read_table() -> dict[str, list[str]]:
    if not TABLE.exists():
        return {}
    rows = {}
    for line in TABLE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            *key, statuses = line.rsplit("  ", 1)
            rows[key[0].strip()] = statuses.split()
    return rows


def _write_table(answers: dict[str, list[str]]) -> None:
    width = max(len(key) for key in answers)
    header = ["# The access matrix (tests/web/test_access_matrix.py): the status each of",
              "# these answers, for each route and kind of case:",
              "# " + " ".join(f"{i + 1}={who}" for i, who in enumerate(WHO)),
              "# Rewrite with OMP_WRITE_ACCESS_MATRIX=1 and read the diff before committing.",
              ""]
    lines = [f"{key.ljust(width)}  {' '.join(statuses)}"
             for key, statuses in answers.items()]
    TABLE.write_text("\n".join(header + lines) + "\n")


def test_every_route_answers_every_role_as_the_table_says(world: dict[str, Any]) -> None:
    schema = world["clients"]["admin"].get("/api/v1/openapi.json").json()
    probes = _probes(schema["paths"])
    answers: dict[str, list[str]] = {}
    problems: list[str] = []
    shown_ordinary = 0
    for probe in probes:
        url = _url(probe, world)
        statuses = []
        for who in WHO:
            response = _request(world["clients"][who], probe, url)
            statuses.append(str(response.status_code))
            body = _body(response)
            problems += _policy_problems(probe, who, response, body)
            if probe.kind == "ordinary" and "Ordinary" in body:
                shown_ordinary += 1
        # REF-8: the provider's API client acts as the provider's staff, never beyond: it
        # is answered only where the provider's keyworker is.
        client, keyworker = (statuses[WHO.index(w)] for w in ("api_client", "provider"))
        if client.startswith("2") and not keyworker.startswith("2") \
                and probe.route not in PUBLIC:
            problems.append(f"{probe.key}: the API client answered {client}, the provider's "
                            f"keyworker {keyworker}")
        answers[probe.key] = statuses
    # The secrets check can fail: the ordinary case's name is shown where it may be.
    assert shown_ordinary > 20, shown_ordinary
    assert problems == [], "\n".join(problems)
    if os.environ.get("OMP_WRITE_ACCESS_MATRIX"):
        _write_table(answers)
    expected = _read_table()
    missing = sorted(set(answers) - set(expected))
    assert not missing, ("routes with no entry in access_matrix.txt (decide who may use "
                         "them, then rewrite the table):\n" + "\n".join(missing))
    stale = sorted(set(expected) - set(answers))
    assert not stale, "entries for routes that no longer exist:\n" + "\n".join(stale)
    differ = [f"{key}: expected {' '.join(expected[key])}, got {' '.join(answers[key])}"
              for key in answers if expected[key] != answers[key]]
    assert not differ, "\n".join(differ)
