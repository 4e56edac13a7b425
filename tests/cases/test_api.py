"""The JSON API at /api/v1/: session sign-in (401), roles (403), shapes, 422 errors that name
the field, access logging, and the OpenAPI document."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from omp.cases.models import Assessment, CaseAccess
from omp.decisions.models import AllocationDecision

pytestmark = pytest.mark.django_db
CASE = "/api/v1/cases/X000001"


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("method, url", [("get", "/api/v1/cases"), ("get", CASE),
                                         ("get", f"{CASE}/decision"),
                                         ("get", f"{CASE}/decisions"),
                                         ("post", f"{CASE}/scores")])
def test_signed_out_is_401(client: Client, make_case: Any, method: str, url: str) -> None:
    make_case()
    response = getattr(client, method)(url)
    assert response.status_code == 401 and response.json() == {"detail": "Unauthorized"}
    assert not CaseAccess.objects.exists()


@pytest.mark.parametrize("url", ["/api/v1/cases?q=X000001", CASE, f"{CASE}/decision",
                                 f"{CASE}/decisions"])
def test_roles_that_may_not_read_cases_get_403(client_for: Any, make_case: Any,
                                               url: str) -> None:
    make_case()
    response = client_for("keyworker", "provider").get(url)
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this"}
    # Nothing read: the attempt is logged as refused by the role.
    assert [(a.refusal, a.channel) for a in CaseAccess.objects.all()] == [("role", "api")]


def test_search(client_for: Any, named_case: Any) -> None:
    named_case()
    named_case("Alex", "Jones", "B9999ZZ", case_ref="X000002", **{"risk.rsr_percent": 8})
    client = client_for("pom", "pom")
    body = client.get("/api/v1/cases", {"q": "jones"}).json()
    assert body == {"query": "jones", "count": 1, "more_matches": False, "page": 1, "pages": 1,
                    "results": [{
        "case_ref": "X000002", "first_name": "Alex", "last_name": "Jones",
        "prison_number": "B9999ZZ", "date_of_birth": "1990-01-31", "pdu_code": "N07CAM",
        "outcome": "RETAINED_ENHANCED", "limited_access": None}]}
    # Each person a result page gives is logged as read through the API's search.
    access = CaseAccess.objects.get()
    assert (access.case_ref, access.channel, access.refusal, access.path) == (
        "X000002", "api_search", "", "/api/v1/cases?q=jones")
    assert client.get("/api/v1/cases", {"q": "X0000"}).json()["count"] == 2
    assert client.get("/api/v1/cases", {"q": "X0000", "page": 9}).json()["page"] == 1  # clamped


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "   "}, {"q": "\x00\t"}])
def test_search_without_a_query_lists_nobody(client_for: Any, named_case: Any,
                                             query: dict[str, str]) -> None:
    """As the web search lists nothing without a query, the API refuses to: listing every
    person is not a search."""
    named_case()
    response = client_for("pom", "pom").get("/api/v1/cases", query)
    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["detail"]] == ["q"]
    assert "X000001" not in response.content.decode()


def test_search_pages_are_at_most_fifty(client_for: Any, named_case: Any) -> None:
    named_case()
    named_case("Alex", "Jones", "B9999ZZ", case_ref="X000002")
    client = client_for("pom", "pom")
    one = client.get("/api/v1/cases", {"q": "X0000", "page_size": 1, "page": 2}).json()
    assert (one["count"], one["pages"], one["page"]) == (2, 2, 2)
    assert [r["case_ref"] for r in one["results"]] == ["X000001"]  # Jones before Smith
    for size in (0, 51, 10_000):
        refused = client.get("/api/v1/cases", {"q": "X0000", "page_size": size})
        assert refused.status_code == 422, size
        assert refused.json()["detail"][0]["field"] == "page_size"
    search = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/cases"]["get"]
    page_size = next(p for p in search["parameters"] if p["name"] == "page_size")
    assert page_size["schema"]["maximum"] == 50
    assert next(p for p in search["parameters"] if p["name"] == "q")["required"] is True
    assert search["operationId"] == "omp_web_api_cases_list_cases"


def test_case_has_interchange_facts_and_decision_and_is_logged(client_for: Any,
                                                               named_case: Any) -> None:
    named_case(**{"risk.rsr_percent": 7.5})
    body = client_for("com", "com").get(CASE).json()
    assert body["identity"] == {"first_name": "Jo", "last_name": "Smith",
                                "prison_number": "A1234BC"}
    facts = body["facts"]
    assert facts["case_ref"] == "X000001"
    assert facts["person"]["nationalities"] == ["British"]
    assert facts["probation"] == {"pdu_code": "N07CAM", "provider_code": "N07",
                                  "country": "England", "region_code": facts["probation"][
                                      "region_code"]}
    assert facts["risk"]["rsr_percent"] == 7.5 and facts["risk"]["rosh"] == "MEDIUM"
    assert facts["event"]["sentence"]["length"] == "P18M"
    assert facts["custody"]["conditional_release_date"] == "2027-02-28"
    assert body["recorded"]["risk.rsr_percent"] == "2026-11-01"
    assert body["decision"]["outcome"] == "RETAINED_ENHANCED"
    access = CaseAccess.objects.get()
    assert (access.channel, access.path, access.user.username) == ("api", CASE, "com")


def test_decision_shape(client_for: Any, named_case: Any) -> None:
    named_case(**{"risk.rsr_percent": 7.5, "event.offences": [{"code": "00101"}]})
    body = client_for("pom", "pom").get(f"{CASE}/decision").json()
    assert body["outcome"] == "RETAINED_ENHANCED" and body["source"] == "computed"
    assert body["policy_version"] == "E" and body["trigger"] == "import"
    reason = next(r for r in body["reasons"] if r["field"] == "risk.rsr_percent")
    assert reason == {"rule": "ALLOC-2a", "title": reason["title"], "field": "risk.rsr_percent",
                      "value": 7.5, "date": "2026-11-01",
                      "explanation": "RSR 7.50% is 6.9% or above, recorded on 1 November 2026"}
    assert reason["title"].startswith("Supervision tier A or B")
    assert {"rule": "ALLOC-2b", "title": "Custodial sentence of 12 months or more for a "
            "schedule 15 violent offence", "field": "event.offences[0].schedule_15",
            "explanation": "Schedule 15 status of offence 00101 not recorded"} in body["missing"]


def test_history_is_newest_first(client_for: Any, named_case: Any) -> None:
    named_case()
    clerk = client_for("clerk", "court_staff")
    assert _post(clerk, f"{CASE}/scores", {"rsr_percent": 9}).status_code == 200
    body = clerk.get(f"{CASE}/decisions").json()
    assert [(d["outcome"], d["previous_outcome"], d["outcome_changed"], d["trigger"],
             d["triggered_by"]) for d in body] == [
        ("RETAINED_ENHANCED", "ALLOCATED_NORMAL", True, "change", "clerk"),
        ("ALLOCATED_NORMAL", None, True, "import", None)]


def test_unknown_case_is_404(client_for: Any, db: Any) -> None:
    response = client_for("pom", "pom").get("/api/v1/cases/NOPE/decision")
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}


def test_scores_record_and_return_the_new_decision(client_for: Any, named_case: Any) -> None:
    named_case()
    response = _post(client_for("clerk", "court_staff"), f"{CASE}/scores",
                     {"rsr_percent": "6.9", "osp": "HIGH"})
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "RETAINED_ENHANCED" and body["triggered_by"] == "clerk"
    assert Assessment.objects.filter(kind="OSP", value="HIGH").exists()


@pytest.mark.parametrize("body, field, message", [
    ({"rsr_percent": "abc"}, "rsr_percent", "Enter the RSR score as a number, like 6.9"),
    ({"rsr_percent": -1}, "rsr_percent", "RSR score must be between 0 and 100"),
    ({"rsr_percent": 101}, "rsr_percent", "RSR score must be between 0 and 100"),
    ({"osp": "EXTREME"}, "osp", "OSP level must be one of LOW, MEDIUM, HIGH, VERY_HIGH"),
    ({}, "rsr_percent", "Enter an RSR score or an OSP level"),
    ({"rsr_percent": [1]}, "rsr_percent", None),
])
def test_bad_scores_are_422_naming_the_field(client_for: Any, named_case: Any,
                                             body: dict[str, Any], field: str,
                                             message: str | None) -> None:
    named_case()
    decisions = AllocationDecision.objects.count()
    response = _post(client_for("clerk", "court_staff"), f"{CASE}/scores", body)
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert {p["field"] for p in problems} == {field}
    if message:
        assert problems == [{"field": field, "message": message}]
    assert not Assessment.objects.filter(kind__in=["RSR", "OSP"]).exclude(score=3.2).exists()
    assert AllocationDecision.objects.count() == decisions


@pytest.mark.parametrize("role", ["pom", "com", "analyst"])
def test_readers_who_may_not_enter_scores_get_403(client_for: Any, named_case: Any,
                                                  role: str) -> None:
    named_case()
    response = _post(client_for("reader", role), f"{CASE}/scores", {"rsr_percent": 9})
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this"}
    assert not Assessment.objects.filter(score=9).exists()


def test_session_posts_need_the_csrf_token(make_user: Any, named_case: Any) -> None:
    named_case()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("clerk", "court_staff"))
    assert _post(client, f"{CASE}/scores", {"rsr_percent": 9}).status_code == 403
    client.get("/cases/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(f"{CASE}/scores", json.dumps({"rsr_percent": 9}),
                           content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_openapi_document_and_docs_need_sign_in(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 401 and response.json() == {"detail": "Unauthorized"}
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 302 and docs.url == "/accounts/login/?next=/api/v1/docs"


def test_openapi_document_and_docs_are_served(client_for: Any) -> None:
    client = client_for("reader", "provider")  # any signed-in user: it describes, holds no data
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Offender management API"
    assert {"/api/v1/cases", "/api/v1/cases/{case_ref}", "/api/v1/cases/{case_ref}/decision",
            "/api/v1/cases/{case_ref}/decisions", "/api/v1/cases/{case_ref}/scores"} <= set(
                schema["paths"])
    scores = schema["paths"]["/api/v1/cases/{case_ref}/scores"]["post"]["responses"]
    assert {"200", "401", "403", "404", "422"} <= set(scores)
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    # No CDN: every script and stylesheet comes from this service. (Looking for "cdn" in
    # the page itself matched a random CSRF token now and then.)
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs)
    assert sources and all(url.startswith("/") and not url.startswith("//") for url in sources)


def test_what_was_known_on_a_past_day(client_for: Any, named_case: Any, make_user: Any,
                                      backdate: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from omp.decisions.actions import record_rsr_osp

    person = named_case(**{"risk.rsr_percent": 7.5})  # Retained on RSR
    backdate(3)  # everything recorded so far is made three days old
    record_rsr_osp(make_user("clerk", "court_staff"), person, rsr="2.0")  # Allocated today

    client = client_for("com", "com")
    today = timezone.localdate()
    then = client.get(CASE, {"known_on": (today - timedelta(days=1)).isoformat()}).json()
    assert then["facts"]["risk"]["rsr_percent"] == 7.5
    assert then["decision"]["outcome"] == "RETAINED_ENHANCED"
    now = client.get(CASE, {"known_on": today.isoformat()}).json()
    assert now["facts"]["risk"]["rsr_percent"] == 2.0
    assert now["decision"]["outcome"] == "ALLOCATED_NORMAL"
    before = client.get(CASE, {"known_on": (today - timedelta(days=10)).isoformat()})
    assert before.status_code == 404 and "not yet recorded" in before.json()["detail"]
    future = client.get(CASE, {"known_on": (today + timedelta(days=1)).isoformat()})
    assert future.status_code == 422
    assert future.json()["detail"][0]["field"] == "known_on"
    assert CaseAccess.objects.filter(channel="api").count() == 4


def test_search_counts_and_pages_through_at_most_the_cap(client_for: Any, named_case: Any,
                                                         monkeypatch: Any) -> None:
    """Past MAX_MATCHES matches the API says there are more and pages through the first
    ones only, in the order the search lists them."""
    monkeypatch.setattr("omp.cases.queries.MAX_MATCHES", 3)
    for number, (first, last) in enumerate([("Ann", "Smithson"), ("Bo", "Smith"),
                                            ("Cy", "smithers"), ("Di", "Smith"),
                                            ("Ed", "Smyth")], start=1):
        named_case(first, last, f"A{number:04d}AA", case_ref=f"X00000{number}")
    client = client_for("pom", "pom")
    pages = [client.get("/api/v1/cases", {"q": "smith", "page_size": 2, "page": n}).json()
             for n in (1, 2)]
    assert [(p["count"], p["more_matches"], p["pages"]) for p in pages] == [(3, True, 2)] * 2
    assert [[r["last_name"] for r in p["results"]] for p in pages] == [["Smith", "Smith"],
                                                                       ["smithers"]]
    assert [r["first_name"] for r in pages[0]["results"]] == ["Bo", "Di"]
    assert pages[0]["results"][0]["outcome"] is not None  # read with the page's people
    exact = client.get("/api/v1/cases", {"q": "smyth"}).json()
    assert (exact["count"], exact["more_matches"]) == (1, False)
