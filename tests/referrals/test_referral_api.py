"""The referral API: role checks on every route, 422 naming each field, a referral refused
until complete, amendments with their versions, and REF-9 (a provider reads only its own
referrals: another's answers 404, as one that does not exist)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from omp.referrals.actions import save_draft, send_referral, start_referral
from omp.referrals.models import Service
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _sent(user: Any, person: Any, service: Any) -> Any:
    referral = start_referral(user, person, service)
    save_draft(user, referral, complete_changes(service))
    return send_referral(user, referral)


def test_a_practitioner_starts_completes_sends_and_amends_through_the_api(
        client_for: Any, person: Any, service: Any) -> None:
    client = client_for("pp", "com")
    services = client.get(f"{API}/services").json()
    assert service.pk in [s["id"] for s in services]
    created = client.post(f"{API}/referrals", {"case_ref": person.case_ref,
                                               "service_id": service.pk},
                          content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["state"] == "draft"
    assert "Burglary in a dwelling" in body["previous_convictions"]
    url = f"{API}/referrals/{body['id']}"
    refused = client.post(f"{url}/send")
    assert refused.status_code == 422
    assert {"field": "complexity_level", "message": "Choose the complexity level"} in \
        refused.json()["detail"]
    changes = complete_changes(service)
    changes["enforceable_days"] = int(changes["enforceable_days"])
    assert client.patch(url, changes, content_type="application/json").status_code == 200
    sent = client.post(f"{url}/send")
    assert sent.status_code == 200 and sent.json()["state"] == "sent"
    amended = client.post(f"{url}/amendments", {"enforceable_days": 20, "reason": "More days"},
                          content_type="application/json")
    assert amended.status_code == 200 and amended.json()["enforceable_days"] == 20
    versions = client.get(f"{url}/versions").json()
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[1]["changes"] == [{"field": "Enforceable (RAR) days", "before": "10",
                                       "after": "20"}]
    listed = client.get(f"{API}/referrals", {"case_ref": person.case_ref}).json()
    assert [r["reference"] for r in listed] == [body["reference"]]


@pytest.mark.parametrize("payload, field", [
    ({"enforceable_days": 99}, "enforceable_days"),
    ({"completion_deadline": "2020-01-01"}, "completion_deadline"),
    ({"completion_deadline": "not a date"}, "completion_deadline"),
    ({"desired_outcomes": [999999]}, "desired_outcomes"),
    ({"unknown": 1}, "unknown"),
])
def test_refused_input_answers_422_naming_the_field(client_for: Any, make_user: Any,
                                                    person: Any, service: Any,
                                                    payload: dict[str, Any],
                                                    field: str) -> None:
    client = client_for("pp", "com")
    from django.contrib.auth.models import User

    referral = start_referral(User.objects.get(username="pp"), person, service)
    response = client.patch(f"{API}/referrals/{referral.pk}", payload,
                            content_type="application/json")
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["detail"]] == [field]


def test_starting_needs_an_eligible_service_and_a_real_case(client_for: Any,
                                                            person: Any) -> None:
    client = client_for("pp", "com")
    welsh = Service.objects.get(title="Wellbeing and relationships (Wales)")
    refused = client.post(f"{API}/referrals", {"case_ref": person.case_ref,
                                               "service_id": welsh.pk},
                          content_type="application/json")
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "service_id"
    missing = client.post(f"{API}/referrals", {"case_ref": "NOPE", "service_id": welsh.pk},
                          content_type="application/json")
    assert missing.status_code == 404


def test_ref9_a_provider_reads_only_its_own_referrals_by_id(
        client: Client, make_user: Any, person: Any, service: Any,
        provider_user: Any) -> None:
    pp = make_user("pp", "com")
    housing = _sent(pp, person, service)
    recovery = _sent(pp, person, Service.objects.get(title="Recovery support"))
    draft = start_referral(pp, person, service)
    client.force_login(provider_user("kw", "SCR"))
    assert client.get(f"{API}/referrals/{recovery.pk}").status_code == 200
    for other in (housing, draft):
        for path in ("", "/versions"):
            response = client.get(f"{API}/referrals/{other.pk}{path}")
            assert response.status_code == 404
            assert other.reference not in response.content.decode()
    listed = client.get(f"{API}/referrals").json()
    assert [r["reference"] for r in listed] == [recovery.reference]
    assert client.get(f"{API}/referrals", {"case_ref": person.case_ref}).json() == listed
    # Providers do not write referrals.
    for method, path in (("post", "/send"), ("post", "/amendments"), ("patch", "")):
        response = getattr(client, method)(f"{API}/referrals/{recovery.pk}{path}", {},
                                           content_type="application/json")
        assert response.status_code in (403, 422)
        assert response.status_code == 403 or method == "post"


@pytest.mark.parametrize("role", ["court_staff", "commissioner", "analyst"])
def test_roles_without_referrals_are_refused(client_for: Any, make_user: Any, person: Any,
                                             service: Any, role: str) -> None:
    referral = _sent(make_user("pp", "com"), person, service)
    client = client_for("someone", role)
    assert client.get(f"{API}/referrals").status_code == 403
    assert client.get(f"{API}/referrals/{referral.pk}").status_code == 403
    assert client.get(f"{API}/services").status_code == 403


def test_signed_out_is_401(client: Client) -> None:
    assert client.get(f"{API}/referrals").status_code == 401


def test_the_routes_are_published_with_their_operation_ids(client_for: Any) -> None:
    schema = client_for("pp", "com").get(f"{API}/openapi.json").json()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"list_services", "list_referrals", "get_referral", "list_referral_versions",
            "start_referral", "update_draft_referral", "send_referral",
            "amend_referral"} <= ids
