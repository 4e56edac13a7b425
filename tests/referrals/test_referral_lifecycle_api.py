"""The lifecycle routes of the referral API: the provider assigns, records the initial
assessment and proposes plans; the practitioner approves (who and when) and withdraws; the
timeline now and on a past day; 422 naming the field with nothing saved; REF-9 on every new
route (another provider's referral answers 404, as one that does not exist)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from omp.clock import today
from omp.referrals.actions import save_draft, send_referral, start_referral
from omp.referrals.models import ActionPlan, ReferralEvent, Service
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db
API = "/api/v1"
JSON = "application/json"
PLAN = {"number_of_sessions": 6, "activities": ["Housing applications", "Tenancy course"]}


def _sent(user: Any, person: Any, service: Any) -> Any:
    referral = start_referral(user, person, service)
    save_draft(user, referral, complete_changes(service))
    return send_referral(user, referral)


@pytest.fixture
def clients(make_user: Any, provider_user: Any) -> tuple[Client, Client]:
    practitioner, keyworker = Client(), Client()
    practitioner.force_login(make_user("pp", "com"))
    keyworker.force_login(provider_user("kw", "NWH"))
    return practitioner, keyworker


def test_the_provider_and_the_practitioner_take_a_referral_to_an_approved_plan(
        clients: tuple[Client, Client], person: Any, service: Any) -> None:
    practitioner, keyworker = clients
    from django.contrib.auth.models import User

    url = f"{API}/referrals/{_sent(User.objects.get(username='pp'), person, service).pk}"
    assigned = keyworker.post(f"{url}/keyworker", {"keyworker": "kw"}, content_type=JSON)
    assert assigned.status_code == 200
    assert assigned.json()["state"]["code"] == "assigned"
    assessed = keyworker.post(f"{url}/initial-assessment",
                              {"held_on": today().isoformat(), "notes": "Met"},
                              content_type=JSON)
    assert assessed.json()["state"]["words"] == "Initial assessment held, action plan to come"
    proposed = keyworker.post(f"{url}/action-plans", PLAN, content_type=JSON)
    assert proposed.status_code == 201 and proposed.json()["version"] == 1
    assert practitioner.get(url).json()["state"] == "plan_submitted"
    approved = practitioner.post(f"{url}/action-plan-approvals", {"version": 1},
                                 content_type=JSON)
    assert approved.status_code == 200
    assert approved.json()["approved_by"] == "pp" and approved.json()["approved_at"]
    amended = keyworker.post(f"{url}/action-plans",
                             {**PLAN, "number_of_sessions": 8, "reason": "Rent arrears"},
                             content_type=JSON)
    assert amended.json()["sessions_before"] == 6
    for reader in (practitioner, keyworker):
        plans = reader.get(f"{url}/action-plans").json()
        assert [p["version"] for p in plans] == [2, 1]
        assert plans[0]["reason_for_change"] == "Rent arrears"
        events = reader.get(f"{url}/timeline").json()["events"]
        assert [e["title"] for e in events][:2] == ["Amended action plan submitted",
                                                    "Action plan approved"]
    yesterday = (today() - timedelta(days=1)).isoformat()
    before = practitioner.get(f"{url}/timeline", {"on": yesterday}).json()
    assert before["state"]["code"] == "draft" and before["events"] == []
    withdrawn = practitioner.post(f"{url}/withdrawal", {"reason_code": "MOV"},
                                  content_type=JSON)
    assert withdrawn.json()["state"]["code"] == "cancelled"


@pytest.mark.parametrize("route, payload, field", [
    ("keyworker", {"keyworker": "nobody"}, "keyworker"),
    ("initial-assessment", {"held_on": "2026-02-30"}, "held_on"),
    ("action-plans", {**PLAN, "number_of_sessions": 99}, "number_of_sessions"),
    ("action-plans", {**PLAN, "activities": []}, "activities"),
    ("action-plans", {**PLAN, "extra": 1}, "extra"),
])
def test_refused_provider_input_is_422_naming_the_field_with_nothing_saved(
        clients: tuple[Client, Client], person: Any, service: Any, route: str,
        payload: dict[str, Any], field: str) -> None:
    _practitioner, keyworker = clients
    from django.contrib.auth.models import User

    referral = _sent(User.objects.get(username="pp"), person, service)
    url = f"{API}/referrals/{referral.pk}"
    if route == "action-plans":
        keyworker.post(f"{url}/keyworker", {"keyworker": "kw"}, content_type=JSON)
        keyworker.post(f"{url}/initial-assessment", {"held_on": today().isoformat()},
                       content_type=JSON)
    events = ReferralEvent.objects.count()
    response = keyworker.post(f"{url}/{route}", payload, content_type=JSON)
    assert response.status_code == 422
    assert field in [p["field"] for p in response.json()["detail"]]
    assert ReferralEvent.objects.count() == events and not ActionPlan.objects.exists()


@pytest.mark.parametrize("route, payload, field", [
    ("action-plan-approvals", {"version": 1}, "version"),
    ("withdrawal", {"reason_code": "NOPE"}, "reason_code"),
    ("withdrawal", {"reason_code": "ANO"}, "comments"),
])
def test_refused_practitioner_input_is_422_naming_the_field(
        clients: tuple[Client, Client], person: Any, service: Any, route: str,
        payload: dict[str, Any], field: str) -> None:
    practitioner, _keyworker = clients
    from django.contrib.auth.models import User

    referral = _sent(User.objects.get(username="pp"), person, service)
    response = practitioner.post(f"{API}/referrals/{referral.pk}/{route}", payload,
                                 content_type=JSON)
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["detail"]] == [field]
    assert list(referral.events.values_list("kind", flat=True)) == ["sent"]


def test_ref9_another_provider_gets_404_on_every_lifecycle_route(
        client: Client, make_user: Any, person: Any, service: Any,
        provider_user: Any) -> None:
    pp = make_user("pp", "com")
    housing = _sent(pp, person, service)
    draft = start_referral(pp, person, Service.objects.get(title="Recovery support"))
    client.force_login(provider_user("rec", "SCR"))
    for referral in (housing, draft):
        url = f"{API}/referrals/{referral.pk}"
        for method, path, body in (
                ("get", "/timeline", None), ("get", "/action-plans", None),
                ("post", "/keyworker", {"keyworker": "rec"}),
                ("post", "/initial-assessment", {"held_on": today().isoformat()}),
                ("post", "/action-plans", PLAN)):
            if body is None:
                response = client.get(f"{url}{path}")
            else:
                response = client.post(f"{url}{path}", body, content_type=JSON)
            assert response.status_code == 404, (method, path)
            assert referral.reference not in response.content.decode()
    assert list(housing.events.values_list("kind", flat=True)) == ["sent"]
    # The practitioner's writes are refused by role, whichever the referral.
    for path, body in (("/action-plan-approvals", {"version": 1}),
                       ("/withdrawal", {"reason_code": "MIS"})):
        assert client.post(f"{API}/referrals/{housing.pk}{path}", body,
                           content_type=JSON).status_code == 403


def test_practitioners_do_not_act_for_the_provider(clients: tuple[Client, Client],
                                                   person: Any, service: Any) -> None:
    practitioner, _keyworker = clients
    from django.contrib.auth.models import User

    referral = _sent(User.objects.get(username="pp"), person, service)
    response = practitioner.post(f"{API}/referrals/{referral.pk}/keyworker",
                                 {"keyworker": "kw"}, content_type=JSON)
    assert response.status_code == 403


def test_the_new_routes_are_published_with_their_operation_ids(client_for: Any) -> None:
    schema = client_for("pp", "com").get(f"{API}/openapi.json").json()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"get_referral_timeline", "assign_keyworker", "record_initial_assessment",
            "list_action_plans", "submit_action_plan", "approve_action_plan",
            "withdraw_referral"} <= ids
