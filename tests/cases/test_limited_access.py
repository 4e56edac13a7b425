"""Limited-access cases (LAO-1 exclusion lists, LAO-2 restriction lists) on every way a
case is shown: the case page and its forms, the API, search (a refused case is listed by
reference and why, nothing more), the staff lists and their CSV (left out, with a count),
and the admin. Nobody is exempt, administrators included."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from omp.cases.models import CaseAccess, LimitedAccessEntry, Person
from tests.decisions.test_views_handover import _due_in

pytestmark = pytest.mark.django_db

#: What the refused must never see of the two limited cases.
SECRETS = ("Zebedee", "Quill", "Yolanda", "Restrick", "Z9999ZZ", "Y8888YY", "1990-01-31",
           "31 Jan 1990")


def _named(person: Person, first: str, last: str, number: str) -> Person:
    Person.objects.filter(pk=person.pk).update(first_name=first, last_name=last,
                                               prison_number=number, com_name="A. Officer")
    person.refresh_from_db()
    return person


@pytest.fixture
def world(make_case: Any, make_user: Any) -> dict[str, Any]:
    """L0001 excludes ``excluded``; L0002 is restricted to ``named``; O0001 is ordinary.
    All three are due for handover in ten days."""
    users = {"excluded": make_user("excluded", "pom"), "named": make_user("named", "pom"),
             "other": make_user("other", "pom"), "admin": make_user("boss", "admin"),
             "admin_named": make_user("boss2", "admin")}
    for admin in ("admin", "admin_named"):  # the service's administrators are superusers
        users[admin].is_staff = users[admin].is_superuser = True
        users[admin].save()
    excluded_case = _named(_due_in(make_case, "L0001", 10), "Zebedee", "Quill", "Z9999ZZ")
    restricted_case = _named(_due_in(make_case, "L0002", 12), "Yolanda", "Restrick", "Y8888YY")
    _named(_due_in(make_case, "O0001", 14), "Olive", "Ordinary", "O7777OO")
    LimitedAccessEntry.objects.create(person=excluded_case, kind="exclusion",
                                      user=users["excluded"], reason="A relative")
    for who in ("named", "admin_named"):
        LimitedAccessEntry.objects.create(person=restricted_case, kind="restriction",
                                          user=users[who], reason="Witness protection")
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return {"users": users, "clients": clients}


def _refused(response: Any, rule_words: str) -> str:
    body = response.content.decode()
    assert response.status_code == 403, body[:500]
    assert rule_words in body
    for secret in SECRETS:
        assert secret not in body, secret
    return body


@pytest.mark.parametrize("url", ["/cases/{}/", "/cases/{}/custody/",
                                 "/cases/{}/referrals/new/", "/cases/{}/needs/"])
def test_the_case_page_and_its_forms_refuse_with_the_reason(world: dict[str, Any],
                                                            url: str) -> None:
    clients = world["clients"]
    body = _refused(clients["excluded"].get(url.format("L0001")), "exclusion list")
    assert "L0001" in body
    _refused(clients["other"].get(url.format("L0002")), "restriction list")
    _refused(clients["admin"].get(url.format("L0002")), "restriction list")
    assert clients["other"].get(url.format("L0001")).status_code == 200
    assert clients["named"].get(url.format("L0002")).status_code == 200
    assert clients["admin_named"].get(url.format("L0002")).status_code == 200
    assert clients["excluded"].get(url.format("O0001")).status_code == 200


def test_a_refused_form_changes_nothing(world: dict[str, Any]) -> None:
    response = world["clients"]["admin"].post("/cases/L0002/scores/", {"rsr_percent": "9"})
    _refused(response, "restriction list")
    assert not Person.objects.get(case_ref="L0002").assessments.filter(score=9).exists()


def test_api_routes_refuse_with_the_reason_in_json(world: dict[str, Any]) -> None:
    clients = world["clients"]
    for route in ("", "/decision", "/decisions", "/handover", "/handovers"):
        response = clients["excluded"].get(f"/api/v1/cases/L0001{route}")
        assert response.status_code == 403, route
        assert "exclusion list" in response.json()["detail"]
        for secret in SECRETS:
            assert secret not in response.content.decode()
        assert clients["other"].get(f"/api/v1/cases/L0002{route}").status_code == 403
        assert clients["named"].get(f"/api/v1/cases/L0002{route}").status_code == 200
    response = clients["admin"].post("/api/v1/cases/L0002/scores", {"rsr_percent": 9},
                                     content_type="application/json")
    assert response.status_code == 403


def test_search_lists_a_refused_case_by_reference_and_why_only(world: dict[str, Any]) -> None:
    page = world["clients"]["excluded"].get("/cases/", {"q": "L000"})
    body = page.content.decode()
    assert "L0001" in body and "L0002" in body and "Limited access" in body
    assert "exclusion list" in body and "restriction list" in body
    for secret in SECRETS:
        assert secret not in body, secret
    named = world["clients"]["named"].get("/cases/", {"q": "L000"}).content.decode()
    assert "Yolanda" in named and "Zebedee" in named and "exclusion list" not in named


def test_api_search_gives_a_refused_case_s_reference_and_why_only(
        world: dict[str, Any]) -> None:
    results = world["clients"]["excluded"].get("/api/v1/cases", {"q": "L000"}).json()["results"]
    by_ref = {row["case_ref"]: row for row in results}
    assert by_ref["L0001"] == {"case_ref": "L0001", "first_name": None, "last_name": None,
                               "prison_number": None, "date_of_birth": None,
                               "pdu_code": None, "outcome": None,
                               "limited_access": by_ref["L0001"]["limited_access"]}
    assert "exclusion list" in by_ref["L0001"]["limited_access"]
    assert "restriction list" in by_ref["L0002"]["limited_access"]
    mine = world["clients"]["named"].get("/api/v1/cases", {"q": "L0002"}).json()["results"]
    assert mine[0]["last_name"] == "Restrick" and mine[0]["limited_access"] is None


def test_staff_lists_and_their_csv_leave_refused_cases_out(world: dict[str, Any]) -> None:
    client = world["clients"]["excluded"]
    body = client.get("/handovers/").content.decode()
    assert "O0001" in body and "L0001" not in body and "L0002" not in body
    assert "2 cases that belong in this list are not shown" in body
    rows = list(csv.reader(io.StringIO(client.get("/handovers/", {"format": "csv"})
                                       .content.decode())))
    assert [row[0] for row in rows[1:]] == ["O0001"]
    listed = [row["case_ref"] for row in client.get("/api/v1/handovers").json()]
    assert listed == ["O0001"]
    named = world["clients"]["named"].get("/handovers/").content.decode()
    assert "L0001" in named and "L0002" in named and "withheld-note" not in named


def test_a_refusal_is_not_logged_as_a_read(world: dict[str, Any]) -> None:
    world["clients"]["excluded"].get("/cases/L0001/")
    world["clients"]["other"].get("/cases/L0001/")
    reads = CaseAccess.objects.filter(person__case_ref="L0001", refusal="")
    assert [a.user.username for a in reads] == ["other"]


def test_the_admin_refuses_a_person_record_and_its_history_and_lists_without_it(
        world: dict[str, Any]) -> None:
    admin = world["clients"]["admin"]
    restricted = Person.objects.get(case_ref="L0002")
    for url in (f"/admin/cases/person/{restricted.pk}/change/",
                f"/admin/cases/person/{restricted.pk}/history/"):
        _refused(admin.get(url), "restriction list")
        assert world["clients"]["admin_named"].get(url).status_code == 200
    event = restricted.events.get()
    _refused(admin.get(f"/admin/cases/event/{event.pk}/change/"), "restriction list")
    listing = admin.get("/admin/cases/person/").content.decode()
    assert "Olive" in listing and "Yolanda" not in listing


def test_admins_manage_the_lists_by_case_reference_with_history(
        world: dict[str, Any]) -> None:
    admin = world["clients"]["admin_named"]
    other = world["users"]["other"]
    form = {"case_ref": "o0001", "kind": "exclusion", "user": other.pk,
            "reason": "Neighbour of the person"}
    response = admin.post("/admin/cases/limitedaccessentry/add/", form)
    assert response.status_code == 302
    entry = LimitedAccessEntry.objects.get(person__case_ref="O0001")
    assert entry.history.get().history_user.username == "boss2"
    again = admin.post("/admin/cases/limitedaccessentry/add/", form).content.decode()
    assert "already on this case" in again
    missing = admin.post("/admin/cases/limitedaccessentry/add/", {**form, "case_ref": "NOPE"})
    assert "No case has that reference" in missing.content.decode()
    assert world["clients"]["other"].get("/cases/O0001/").status_code == 403
    listing = admin.get("/admin/cases/limitedaccessentry/").content.decode()
    assert "O0001" in listing and "Olive" not in listing



def test_a_refusal_by_the_lists_is_logged_with_its_rule(world: dict[str, Any]) -> None:
    world["clients"]["excluded"].get("/cases/L0001/")
    world["clients"]["other"].get("/api/v1/cases/L0002")
    refused = CaseAccess.objects.exclude(refusal="").order_by("id")
    assert [(a.user.username, a.case_ref, a.channel, a.refusal) for a in refused] == [
        ("excluded", "L0001", "web", "LAO-1"), ("other", "L0002", "api", "LAO-2")]
