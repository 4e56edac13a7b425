"""The provider API (REF-8): a provider's own case system, with an API client made by
``omp referrals api-client``, gets a short-lived token at ``/oauth/token/`` (OAuth2 client
credentials) and works on its provider's referrals — and only those (REF-9: another
provider's referral answers 404) — as the provider's keyworkers do: list and read, assign a
keyworker, propose a plan, book and move sessions and record attendance (422 naming each
field), the end-of-service report. A wrong secret, no token, an unknown or expired token
answer 401. ``omp openapi`` prints the document with both security schemes."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from omp.cli import app
from omp.clock import today
from omp.referrals.actions import (
    ReferralError,
    approve_action_plan,
    create_api_client,
    save_draft,
    send_referral,
    start_referral,
)
from omp.referrals.models import Appointment, Referral, ReferralEvent, Service
from omp.referrals.queries import keyworkers_for, people_on
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db
API = "/api/v1"
JSON = "application/json"
PLAN = {"number_of_sessions": 6, "activities": ["Housing applications", "Tenancy course"]}
runner = CliRunner()


def _sent(pp: Any, person: Any, title: str, days_ago: int = 0) -> Referral:
    service = Service.objects.select_related("category").get(title=title)
    referral = start_referral(pp, person, service)
    save_draft(pp, referral, complete_changes(service))
    send_referral(pp, referral)
    if days_ago:
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=F("sent_at") - timedelta(days=days_ago))
        ReferralEvent.objects.filter(referral=referral).update(
            at=F("at") - timedelta(days=days_ago))
    referral.refresh_from_db()
    return referral


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _token_answer(client_id: str, secret: str) -> Any:
    return Client().post("/oauth/token/", {"grant_type": "client_credentials"},
                         HTTP_AUTHORIZATION=_basic(client_id, secret))


class ApiClient:
    """A provider's system: no session, no cookie; its token on every request."""

    def __init__(self, client_id: str, secret: str) -> None:
        answer = _token_answer(client_id, secret)
        assert answer.status_code == 200, answer.content
        self.token = answer.json()["access_token"]
        self.http = Client(enforce_csrf_checks=True)

    def get(self, url: str, **params: Any) -> Any:
        return self.http.get(url, params, HTTP_AUTHORIZATION=f"Bearer {self.token}")

    def post(self, url: str, body: dict[str, Any]) -> Any:
        return self.http.post(url, body, content_type=JSON,
                              HTTP_AUTHORIZATION=f"Bearer {self.token}")


@pytest.fixture
def pp(make_user: Any) -> Any:
    return make_user("pp", "com")


@pytest.fixture
def world(pp: Any, person: Any, provider_user: Any) -> dict[str, Any]:
    """Provider A (Northway Housing Trust) has the housing referral, sent three days ago,
    and a keyworker; provider B (Pathfinder Employment) has the employment referral. Each
    provider has an API client."""
    provider_user("kw", "NWH")
    mine = _sent(pp, person, "Housing support in London", days_ago=3)
    theirs = _sent(pp, person, "Into work and learning")
    app_a, secret_a = create_api_client("NWH", "Case system")
    app_b, secret_b = create_api_client("PFE", "Case system")
    return {"mine": mine, "theirs": theirs, "a": (app_a.client_id, secret_a),
            "b": (app_b.client_id, secret_b), "app_a": app_a}


def test_a_client_gets_a_token_and_lists_only_its_providers_referrals(
        world: dict[str, Any]) -> None:
    answer = _token_answer(*world["a"])
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "referrals"
    assert body["expires_in"] == 15 * 60  # OMP_API_TOKEN_MINUTES: short-lived
    assert "refresh_token" not in body  # client credentials: ask again with the secret
    system = ApiClient(*world["a"])
    listed = system.get(f"{API}/referrals")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()] == [world["mine"].pk]
    assert system.get(f"{API}/referrals/{world['mine'].pk}").json()["reference"] == \
        world["mine"].reference
    # REF-9: another provider's referral answers as one that does not exist.
    for route in ("", "/timeline", "/sessions", "/action-plans"):
        assert system.get(f"{API}/referrals/{world['theirs'].pk}{route}").status_code == 404
    assert system.post(f"{API}/referrals/{world['theirs'].pk}/keyworker",
                       {"keyworker": "kw"}).status_code == 404
    # An id beyond any database's integers is not found either (never a server error).
    assert system.get(f"{API}/referrals/{2 ** 70}").status_code == 404
    assert system.post(f"{API}/referrals/{world['mine'].pk}/sessions/{2 ** 70}/attendance",
                       {"attendance": "no"}).status_code == 404
    other = ApiClient(*world["b"])
    assert [r["id"] for r in other.get(f"{API}/referrals").json()] == [world["theirs"].pk]
    assert other.get(f"{API}/referrals/{world['mine'].pk}").status_code == 404


def test_a_wrong_secret_or_an_unknown_client_gets_no_token(world: dict[str, Any]) -> None:
    client_id, secret = world["a"]
    for credentials in ((client_id, secret + "x"), ("nobody", secret),
                        (world["b"][0], secret)):
        answer = _token_answer(*credentials)
        assert answer.status_code == 401
        assert answer.json()["error"] == "invalid_client"
    # The secret in the body works as well as in the header; a wrong one there too fails.
    body = {"grant_type": "client_credentials", "client_id": client_id}
    assert Client().post("/oauth/token/", {**body, "client_secret": secret}).status_code == 200
    assert Client().post("/oauth/token/",
                         {**body, "client_secret": "wrong"}).status_code == 401


def test_only_the_client_credentials_grant_is_offered(world: dict[str, Any]) -> None:
    client_id, secret = world["a"]
    answer = Client().post("/oauth/token/", {"grant_type": "password", "username": "kw",
                                             "password": "a-long-test-password"},
                           HTTP_AUTHORIZATION=_basic(client_id, secret))
    assert answer.status_code in (400, 401) and "access_token" not in answer.json()
    assert Client().get("/oauth/authorize/").status_code == 404  # no authorization pages


def test_no_token_an_unknown_token_or_an_expired_one_answers_401(
        world: dict[str, Any]) -> None:
    from oauth2_provider.models import AccessToken

    url = f"{API}/referrals/{world['mine'].pk}"
    assert Client().get(url).status_code == 401
    assert Client().get(url, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
    system = ApiClient(*world["a"])
    assert system.get(url).status_code == 200
    # A write with a bad token is the token's to refuse (401), not a CSRF refusal (403).
    bad = Client(enforce_csrf_checks=True).post(
        f"{url}/keyworker", {"keyworker": "kw"}, content_type=JSON,
        HTTP_AUTHORIZATION="Bearer not-a-token")
    assert bad.status_code == 401
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert system.get(url).status_code == 401
    assert system.post(f"{url}/keyworker", {"keyworker": "kw"}).status_code == 401
    assert not ReferralEvent.objects.filter(referral=world["mine"], kind="assigned").exists()


def test_a_token_opens_the_referrals_routes_only(world: dict[str, Any],
                                                 make_case: Any) -> None:
    system = ApiClient(*world["a"])
    assert system.get(f"{API}/cases", q="Smith").status_code == 401
    assert system.get("/referrals/").status_code == 302  # the pages need a session


def test_a_disabled_service_account_is_refused(world: dict[str, Any]) -> None:
    system = ApiClient(*world["a"])
    account = world["app_a"].user
    account.is_active = False
    account.save()
    assert system.get(f"{API}/referrals").status_code == 401


def test_the_client_works_a_referral_from_keyworker_to_attendance(
        world: dict[str, Any], pp: Any) -> None:
    system = ApiClient(*world["a"])
    referral = world["mine"]
    url = f"{API}/referrals/{referral.pk}"
    assert system.post(f"{url}/keyworker", {"keyworker": "kw"}).status_code == 200
    assert system.post(f"{url}/initial-assessment",
                       {"held_on": (today() - timedelta(days=1)).isoformat()}
                       ).status_code == 200
    proposed = system.post(f"{url}/action-plans", PLAN)
    assert proposed.status_code == 201
    account = world["app_a"].user.username
    assert proposed.json()["submitted_by"] == account
    # A client is a provider, never a practitioner: it cannot approve its own plan.
    assert system.post(f"{url}/action-plan-approvals", {"version": 1}).status_code == 403
    approve_action_plan(pp, referral, 1)
    booking = {"day": today().isoformat(), "start_time": "00:00", "duration_minutes": 60,
               "method": "probation_office", "location": "1 High Street, London",
               "enforceable": True}
    held = system.post(f"{url}/sessions", booking)
    assert held.status_code == 201, held.json()
    assert held.json()["session_number"] == 1 and held.json()["status"] == \
        "Attendance to record"
    later = system.post(f"{url}/sessions", {**booking, "day": (today() + timedelta(
        days=7)).isoformat(), "start_time": "14:30", "method": "phone", "location": ""})
    assert later.status_code == 201 and later.json()["status"] == "Booked"
    # Attendance for a session in the future is refused, naming the field.
    early = system.post(f"{url}/sessions/{later.json()['id']}/attendance",
                        {"attendance": "yes", "happened": True, "notes": "Fine"})
    assert early.status_code == 422
    assert [d["field"] for d in early.json()["detail"]] == ["attendance"]
    assert "future" in early.json()["detail"][0]["message"]
    recorded = system.post(f"{url}/sessions/{held.json()['id']}/attendance",
                           {"attendance": "late", "happened": True,
                            "notes": "Engaged well after a late start"})
    assert recorded.status_code == 200
    assert recorded.json()["attendance"] == "late" and recorded.json()["recorded_by"] == account
    moved = system.post(f"{url}/sessions/{later.json()['id']}/move",
                        {"day": (today() + timedelta(days=8)).isoformat(),
                         "start_time": "2:30pm", "duration_minutes": 45, "method": "video",
                         "requested_by": "person", "reason": "A job interview"})
    assert moved.status_code == 201 and moved.json()["session_number"] == 2
    sessions = system.get(f"{url}/sessions").json()
    old = next(s for s in sessions["sessions"] if s["id"] == later.json()["id"])
    assert old["moved_to"] == moved.json()["id"] and old["reschedule_requested_by"] == "person"
    assert sessions["rar"]["activities"] == 1 and sessions["rar"]["rar_days"] == 1
    # The practitioner reads the same, and the timeline names the service account.
    practitioner = Client()
    practitioner.force_login(pp)
    assert practitioner.get(f"{url}/sessions").json() == sessions
    events = practitioner.get(f"{url}/timeline").json()["events"]
    assert events[0]["title"].startswith("Session") and events[0]["by"]
    # A message, then the end-of-service report rating each desired outcome (REF-6).
    assert system.post(f"{url}/messages", {"body": "Housing list joined"}).status_code == 201
    first, second = referral.desired_outcome_ids
    report = system.post(f"{url}/end-of-service-reports", {"outcomes": [
        {"desired_outcome_id": first, "achievement": "achieved", "notes": "Housed"},
        {"desired_outcome_id": second, "achievement": "partly", "notes": "On the list"}]})
    assert report.status_code == 201 and report.json()["achievement_score"] == 1.5
    assert report.json()["submitted_by"] == account
    # The client cannot conclude: that is the practitioner's, on the version they read.
    assert system.post(f"{url}/conclusion", {"version": 1}).status_code == 403
    assert practitioner.post(f"{url}/conclusion", {"version": 1},
                             content_type=JSON).status_code == 200


def test_a_client_with_a_token_starts_no_session(world: dict[str, Any]) -> None:
    """A provider's system is judged by its token alone: no session row is written and no
    session cookie sent, however many calls it makes."""
    from django.contrib.sessions.models import Session

    system = ApiClient(*world["a"])
    before = Session.objects.count()
    url = f"{API}/referrals/{world['mine'].pk}"
    for _ in range(3):
        answer = system.get(url)
        assert answer.status_code == 200
        assert "sessionid" not in answer.cookies
    assert system.post(f"{url}/messages", {"body": "Booked for Monday"}).status_code == 201
    assert Session.objects.count() == before


def test_every_read_by_a_client_is_in_the_case_access_log(world: dict[str, Any]) -> None:
    from omp.cases.models import CaseAccess

    system = ApiClient(*world["a"])
    account = world["app_a"].user
    assert system.get(f"{API}/referrals/{world['mine'].pk}").status_code == 200
    assert CaseAccess.objects.filter(user=account, person=world["mine"].person,
                                     channel="api", refusal="").count() == 1
    assert system.get(f"{API}/referrals/{world['theirs'].pk}").status_code == 404
    assert CaseAccess.objects.filter(user=account).exclude(refusal="").count() == 1


def test_an_administrator_manages_the_clients_in_the_admin(world: dict[str, Any],
                                                          make_user: Any) -> None:
    from oauth2_provider.models import AccessToken

    admin = make_user("root", "admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    browser = Client()
    browser.force_login(admin)
    page = browser.get("/admin/oauth2_provider/application/")
    assert page.status_code == 200 and "NWH: Case system" in page.content.decode()
    system = ApiClient(*world["a"])
    token = AccessToken.objects.get(application=world["app_a"])
    # The admin's "Revoke selected access tokens" ends the token at once.
    assert browser.post("/admin/oauth2_provider/accesstoken/", {
        "action": "revoke_tokens", "_selected_action": [token.pk]}).status_code == 302
    assert system.get(f"{API}/referrals").status_code == 401
    # Deleting the client (its application) leaves its secret good for nothing.
    assert browser.post(f"/admin/oauth2_provider/application/{world['app_a'].pk}/delete/",
                        {"post": "yes"}).status_code == 302
    assert _token_answer(*world["a"]).status_code == 401


@pytest.mark.parametrize("change, fields", [
    ({"method": "boat"}, ["method"]),
    ({"duration_minutes": 1}, ["duration_minutes"]),
    ({"start_time": "25:99"}, ["start_time"]),
    ({"method": "in_person_other", "location": ""}, ["location"]),
    ({"day": "2026-02-30"}, ["day"]),
    ({"enforceable": None}, ["enforceable"]),
    ({"method": "boat", "duration_minutes": 0, "start_time": "noon"},
     ["start_time", "duration_minutes", "method"]),
])
def test_a_refused_booking_names_each_field_and_saves_nothing(
        world: dict[str, Any], pp: Any, change: dict[str, Any], fields: list[str]) -> None:
    system = ApiClient(*world["a"])
    referral = world["mine"]
    url = f"{API}/referrals/{referral.pk}"
    system.post(f"{url}/keyworker", {"keyworker": "kw"})
    system.post(f"{url}/initial-assessment", {"held_on": today().isoformat()})
    system.post(f"{url}/action-plans", PLAN)
    approve_action_plan(pp, referral, 1)
    booking = {"day": today().isoformat(), "start_time": "10:00", "duration_minutes": 60,
               "method": "phone", "location": "", "enforceable": True, **change}
    answer = system.post(f"{url}/sessions", booking)
    assert answer.status_code == 422
    assert sorted(d["field"] for d in answer.json()["detail"]) == sorted(fields)
    assert not Appointment.objects.filter(referral=referral).exists()


@pytest.mark.parametrize("body, fields", [
    ({"attendance": "maybe"}, ["attendance"]),
    ({"attendance": "yes", "happened": True, "notes": ""}, ["notes"]),
    ({"attendance": "yes", "happened": False, "no_session_reason": "weather"},
     ["no_session_reason"]),
    ({"attendance": "yes"}, ["happened"]),
])
def test_refused_attendance_names_each_field_and_saves_nothing(
        world: dict[str, Any], pp: Any, body: dict[str, Any], fields: list[str]) -> None:
    system = ApiClient(*world["a"])
    referral = world["mine"]
    url = f"{API}/referrals/{referral.pk}"
    system.post(f"{url}/keyworker", {"keyworker": "kw"})
    system.post(f"{url}/initial-assessment", {"held_on": today().isoformat()})
    system.post(f"{url}/action-plans", PLAN)
    approve_action_plan(pp, referral, 1)
    session = system.post(f"{url}/sessions", {
        "day": today().isoformat(), "start_time": "00:00", "duration_minutes": 60,
        "method": "phone", "enforceable": True}).json()
    answer = system.post(f"{url}/sessions/{session['id']}/attendance", body)
    assert answer.status_code == 422
    assert sorted(d["field"] for d in answer.json()["detail"]) == sorted(fields)
    assert Appointment.objects.get(pk=session["id"]).attendance == ""


def test_a_booking_of_another_referral_answers_404(world: dict[str, Any], pp: Any,
                                                   make_case: Any) -> None:
    """A booking id of a referral the client may see, but given under another of its
    referrals, is not found there."""
    system = ApiClient(*world["a"])
    referral = world["mine"]
    url = f"{API}/referrals/{referral.pk}"
    system.post(f"{url}/keyworker", {"keyworker": "kw"})
    system.post(f"{url}/initial-assessment", {"held_on": today().isoformat()})
    system.post(f"{url}/action-plans", PLAN)
    approve_action_plan(pp, referral, 1)
    session = system.post(f"{url}/sessions", {
        "day": today().isoformat(), "start_time": "00:00", "duration_minutes": 60,
        "method": "phone", "enforceable": True}).json()
    other = ApiClient(*world["b"])
    answer = other.post(f"{url}/sessions/{session['id']}/attendance", {"attendance": "no"})
    assert answer.status_code == 404
    answer = system.post(f"{API}/referrals/{world['theirs'].pk}/sessions/{session['id']}"
                         f"/attendance", {"attendance": "no"})
    assert answer.status_code == 404
    assert system.post(f"{url}/sessions/99999999/attendance",
                       {"attendance": "no"}).status_code == 404


def test_the_service_account_is_never_a_keyworker_nor_notified(
        world: dict[str, Any]) -> None:
    referral = world["mine"]
    account = world["app_a"].user
    assert account not in keyworkers_for(account, referral)
    assert account not in people_on(referral)
    system = ApiClient(*world["a"])
    answer = system.post(f"{API}/referrals/{referral.pk}/keyworker",
                         {"keyworker": account.username})
    assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == "keyworker"
    assert not account.has_usable_password()  # it never signs in to the pages


def test_creating_a_client_names_the_field_at_fault(db: Any) -> None:
    with pytest.raises(ReferralError) as refused:
        create_api_client("ZZZ", "")
    assert [f for f, _m in refused.value.problems] == ["provider", "name"]


def test_the_command_creates_a_client_and_shows_its_secret_once(world: dict[str, Any]
                                                                ) -> None:
    from oauth2_provider.models import Application

    result = runner.invoke(app, ["referrals", "api-client", "--provider", "SCR", "--name",
                                 "Recovery case system"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines()
                 if line.startswith("client_"))
    made = Application.objects.get(client_id=lines["client_id"])
    assert made.client_secret != lines["client_secret"]  # kept only hashed
    assert made.authorization_grant_type == "client-credentials"
    assert made.user.providers.get().code == "SCR"
    system = ApiClient(lines["client_id"], lines["client_secret"])
    assert system.get(f"{API}/referrals").json() == []  # nothing sent to SCR
    refused = runner.invoke(app, ["referrals", "api-client", "--provider", "ZZZ", "--name",
                                  "X"])
    assert refused.exit_code == 2 and "--provider: No provider has that code" in \
        refused.output


def test_omp_openapi_prints_the_document_with_its_security_schemes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["openapi"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    schemes = document["components"]["securitySchemes"]
    assert schemes["SessionAuth"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}
    flow = schemes["ProviderToken"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/oauth/token/" and "referrals" in flow["scopes"]
    paths = document["paths"]
    assert paths["/api/v1/referrals/{referral_id}/sessions"]["post"]["operationId"] == \
        "book_session"
    for path in ("/api/v1/referrals/{referral_id}/sessions/{appointment_id}/attendance",
                 "/api/v1/referrals/{referral_id}/sessions/{appointment_id}/move"):
        assert {"ProviderToken": ["referrals"]} in paths[path]["post"]["security"]
    assert paths["/api/v1/cases"]["get"]["security"] == [{"SessionAuth": []}]
    out = tmp_path / "openapi.json"
    written = runner.invoke(app, ["openapi", "--output", str(out)])
    assert written.exit_code == 0 and json.loads(out.read_text()) == document


def test_a_timeline_day_outside_the_accepted_range_is_refused_naming_it(
        world: dict[str, Any]) -> None:
    """Found by Schemathesis: before 1900 London's offset (-00:01:15) cannot be written as
    an ISO date-time, so such a day was answered with a time no client could read."""
    system = ApiClient(*world["a"])
    answer = system.get(f"{API}/referrals/{world['mine'].pk}/timeline", on="0226-02-04")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "on"
    assert system.get(f"{API}/referrals/{world['mine'].pk}/timeline",
                      on=today().isoformat()).status_code == 200


def test_a_client_reads_the_published_document_with_its_token(world: dict[str, Any]) -> None:
    system = ApiClient(*world["a"])
    document = system.get(f"{API}/openapi.json")
    assert document.status_code == 200
    assert "ProviderToken" in document.json()["components"]["securitySchemes"]
    assert Client().get(f"{API}/openapi.json").status_code == 401
    assert Client().get(f"{API}/openapi.json",
                        HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


def test_each_write_of_a_client_takes_a_fixed_number_of_queries(
        world: dict[str, Any], pp: Any, make_user: Any,
        django_assert_num_queries: Any) -> None:
    """The writes a provider's system makes most (book, record attendance, message) each
    take the same few queries, whatever the referral holds: the token with its account,
    the account's roles; the referral read once, locked, with whether its case has lists
    (none here: no second query for them), and the access-log row; then the change with its
    event, the people to tell with their choices (one query once a keyworker is assigned),
    the notifications and the outbox row (bench/profile_referral_writes.py lists them). The
    test's own transaction makes the route's transaction and the action's savepoints: two
    more statements each."""
    from omp.cases.models import CaseAccess
    from omp.referrals.actions import choose_notifications, create_webhook_subscription
    from omp.referrals.models import WEBHOOK_EVENTS, Notification, OutboxEvent

    provider = world["mine"].service.contract.prime_provider
    create_webhook_subscription(make_user("hooks", "admin"), provider,
                                "https://case-system.invalid/events", list(WEBHOOK_EVENTS))
    system = ApiClient(*world["a"])
    referral = world["mine"]
    url = f"{API}/referrals/{referral.pk}"
    assert system.post(f"{url}/keyworker", {"keyworker": "kw"}).status_code == 200
    assert system.post(f"{url}/initial-assessment",
                       {"held_on": (today() - timedelta(days=1)).isoformat()}
                       ).status_code == 200
    assert system.post(f"{url}/action-plans", PLAN).status_code == 201
    approve_action_plan(pp, referral, 1)
    choose_notifications(pp, ["message", "session"])  # sessions held: off until chosen
    logged, told = CaseAccess.objects.count(), Notification.objects.filter(user=pp).count()
    for number in (1, 2):  # the second of each as the first: nothing read grows the count
        with django_assert_num_queries(8 + 4):
            booked = system.post(f"{url}/sessions", {
                "day": (today() - timedelta(days=number)).isoformat(), "start_time": "10:00",
                "duration_minutes": 60, "method": "phone", "location": "",
                "enforceable": True})
        assert booked.status_code == 201, booked.json()
        with django_assert_num_queries(12 + 4):  # with the practitioner's notification
            recorded = system.post(f"{url}/sessions/{booked.json()['id']}/attendance", {
                "attendance": "yes", "happened": True, "notes": "Engaged well."})
        assert recorded.status_code == 200, recorded.json()
        with django_assert_num_queries(7 + 4):
            assert system.post(f"{url}/messages", {"body": "Next one booked"}
                               ).status_code == 201
    # Every write left its access-log row, each attendance its outbox row, and each
    # session held and each message told the practitioner, who chose to hear of both.
    assert CaseAccess.objects.count() == logged + 6
    assert OutboxEvent.objects.filter(referral=referral, kind="session.recorded").count() == 2
    assert Notification.objects.filter(user=pp).count() == told + 4

