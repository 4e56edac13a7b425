"""Handover pages and API (HAND-3, HAND-4): the case page's handover, the staff lists with
roles, sorting and CSV, the override and custody-date forms with their errors, and the
what-if projection."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.utils import timezone

from omp.cases.models import CaseAccess, CustodySpell, Person, Prison
from omp.decisions.models import CurrentHandover, ResponsibilityOverride

pytestmark = pytest.mark.django_db


def _crd_for_handover(handover: date, today: date) -> date:
    """The CRD whose era E handover (8 months 14 days before it) falls on ``handover``.

    Counting months back clamps to a month's end, so some days are no CRD's handover (none
    falls on 17 January 2027: 30 September 2027 gives the 16th, 1 October the 18th). Then
    the nearest day that is one, the one nearer ``today`` on a tie."""
    first = handover + timedelta(days=14) + relativedelta(months=8)
    candidates = [first + timedelta(days=shift) for shift in range(-4, 5)]

    def miss(crd: date) -> tuple[int, int]:
        day = crd - relativedelta(months=8) - timedelta(days=14)
        return abs((day - handover).days), abs((day - today).days)

    return min(candidates, key=miss)


def _due_in(make_case: Any, ref: str, days: int, **changes: Any) -> Person:
    """A case whose COM takes over ``days`` from today."""
    today = timezone.localdate()
    crd = _crd_for_handover(today + timedelta(days=days), today)
    person: Person = make_case(case_ref=ref, **{
        "custody.sentence_start_date": (today - timedelta(days=400)).isoformat(),
        "custody.conditional_release_date": crd.isoformat(),
        "event.sentence.length": "P5Y", **changes})
    return person


def test_upcoming_list_sorts_filters_and_downloads(client_for: Any, make_case: Any) -> None:
    soon = _due_in(make_case, "U0001", 10)
    later = _due_in(make_case, "U0002", 50, **{"custody.prison_code": "LEI"})
    _due_in(make_case, "U0003", 60)  # beyond eight weeks
    client = client_for("pom", "pom")
    page = client.get("/handovers/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index("U0001") < body.index("U0002") and "U0003" not in body
    assert "2 cases" in body
    by_ref = client.get("/handovers/", {"sort": "case_ref", "dir": "desc"}).content.decode()
    assert by_ref.index("U0002") < by_ref.index("U0001")
    only_lei = client.get("/handovers/", {"prison": "LEI"}).content.decode()
    assert "U0002" in only_lei and "U0001" not in only_lei
    # Prisons, PDUs and reasons in words, not codes; sorted by the prison's name.
    assert "HMP Leeds" in only_lei and ">LEI<" not in only_lei
    record = CurrentHandover.objects.get(person=later).record
    assert record.reason_title in only_lei and f">{record.reason}<" not in only_lei
    assert later.pdu.name in only_lei
    by_prison = client.get("/handovers/", {"sort": "prison"}).content.decode()
    def prison_name(person: Person) -> str:
        code = CustodySpell.objects.get(person=person, is_current=True).prison_code
        return Prison.objects.get(code=code).name

    first, second = sorted((soon, later), key=prison_name)
    names = [first.case_ref, second.case_ref]
    assert by_prison.index(names[0]) < by_prison.index(names[1])
    download = client.get("/handovers/", {"format": "csv"})
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [r["case_ref"] for r in rows] == ["U0001", "U0002"]
    assert rows[0]["handover_date"] == CurrentHandover.objects.get(
        person=soon).handover_date.isoformat()
    assert rows[1]["prison"] == "LEI" and rows[1]["prison_name"] == "HMP Leeds"
    assert rows[1]["reason"] == record.reason and rows[1]["reason_in_words"] == \
        record.reason_title


def test_in_handover_and_com_overdue_lists(client_for: Any, make_case: Any) -> None:
    _due_in(make_case, "O0001", -5)  # handed over five days ago, COM recorded
    _due_in(make_case, "O0002", -5, **{"probation.com_name": "", "probation.com_email": ""})
    _due_in(make_case, "O0003", -1, **{"probation.com_name": "", "probation.com_email": ""})
    Person.objects.filter(case_ref="O0001").update(com_name="Anna Price")
    client = client_for("com", "com")
    in_handover = client.get("/handovers/", {"list": "in_handover"}).content.decode()
    assert all(ref in in_handover for ref in ("O0001", "O0002", "O0003"))
    overdue = client.get("/handovers/", {"list": "com_overdue"}).content.decode()
    # Two days or more after the handover with no COM (HANDOVER §4.9).
    assert "O0002" in overdue and "O0001" not in overdue and "O0003" not in overdue
    # A list that does not exist is named as such above the first list, never shown
    # silently in its place.
    wrong = client.get("/handovers/", {"list": "overdue"}).content.decode()
    assert 'id="unknown-list"' in wrong and "There is no list called “overdue”" in wrong
    assert "<title>Error:" in wrong and 'id="unknown-list"' not in overdue


@pytest.mark.parametrize("url", ["/handovers/", "/handovers/what-if/",
                                 "/cases/X000001/override/", "/cases/X000001/custody/"])
def test_providers_and_commissioners_get_403(client_for: Any, make_case: Any,
                                             url: str) -> None:
    make_case()
    assert client_for("keyworker", "provider").get(url).status_code == 403
    assert client_for("buyer", "commissioner").get(url).status_code == 403
    # Nothing read; both attempts are logged as refused by the role.
    assert [a.refusal for a in CaseAccess.objects.all()] == ["role", "role"]


def test_case_page_shows_the_handover_and_its_reason(client_for: Any, make_case: Any) -> None:
    _due_in(make_case, "P0001", 30)
    body = client_for("pom", "pom").get("/cases/P0001/").content.decode()
    head = CurrentHandover.objects.get(person__case_ref="P0001")
    assert "Responsibility and handover" in body and "POM responsible" in body
    assert f"{head.handover_date:%-d %B %Y}" in body
    assert "8 months 14 days before release" in body and "Version <strong>E</strong>" in body


def test_override_form_errors_then_override_shows_in_history(client_for: Any,
                                                             make_case: Any) -> None:
    _due_in(make_case, "V0001", 30)
    assert client_for("pom", "pom").get("/cases/V0001/override/").status_code == 403
    head = client_for("head", "head_of_offender_management")
    missing = head.post("/cases/V0001/override/", {"value": "Probation", "reason": "other"})
    assert missing.status_code == 400
    assert 'href="#reason_text"' in missing.content.decode()
    # Every problem of the form is reported at once, each linked to its field.
    empty = head.post("/cases/V0001/override/", {}).content.decode()
    assert 'href="#value"' in empty and 'href="#reason"' in empty
    assert not ResponsibilityOverride.objects.exists()
    done = head.post("/cases/V0001/override/", {"value": "Probation",
                                                "reason": "community_team"})
    assert done.status_code == 302
    page = head.get("/cases/V0001/").content.decode()
    assert "Responsibility set by hand to Probation" in page
    assert "Responsibility set to probation by a head of offender management" in page
    assert "override_probation" not in page and "set to Probation by head" in page
    ended = head.post("/cases/V0001/override/", {"end": "yes"})
    assert ended.status_code == 302
    assert CurrentHandover.objects.get(person__case_ref="V0001").responsibility == \
        "POM_RESPONSIBLE"


def test_custody_form_refuses_contradictory_dates(client_for: Any, make_case: Any) -> None:
    person = _due_in(make_case, "W0001", 30)
    before = list(CustodySpell.objects.filter(person=person).values())
    client = client_for("pom", "pom")
    response = client.post("/cases/W0001/custody/", {"conditional_release_date": "2001-01-01"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#conditional_release_date-day"' in body and "before the sentence start" in body
    assert list(CustodySpell.objects.filter(person=person).values()) == before
    typed = client.post("/cases/W0001/custody/", {"licence_expiry_date-day": "16/09/2040x"})
    assert typed.status_code == 400
    assert "Licence expiry date (LED) must be a real date" in typed.content.decode()
    # Day, month and year boxes, as the GOV.UK date input sends them.
    fixed = client.post("/cases/W0001/custody/", {"licence_expiry_date-day": "1",
                                                  "licence_expiry_date-month": "1",
                                                  "licence_expiry_date-year": "2040"})
    assert fixed.status_code == 302
    assert CustodySpell.objects.get(person=person).licence_expiry_date == date(2040, 1, 1)
    assert CustodySpell.objects.get(person=person).conditional_release_date is not None


def test_what_if_page_projects_and_explains(client_for: Any, make_case: Any) -> None:
    _due_in(make_case, "Y0001", 200)
    client = client_for("pom", "pom")
    empty = client.get("/handovers/what-if/")
    assert empty.status_code == 200 and "Project" in empty.content.decode()
    start = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.get("/handovers/what-if/", {
        "version": "E", "handover_era": "B", "levelled_up": "on", "scope": "England",
        "start": start})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="what-if-chart"' in body
    # The chart says which line is which: one legend, the policy in force and the change.
    encoding = response.context["chart"]["encoding"]
    assert encoding["color"]["legend"] is not None
    assert encoding["color"]["legend"] == encoding["strokeDash"]["legend"]
    assert encoding["color"]["scale"]["domain"] == ["Policy in force", "With the change"]
    # Era B levelled up hands over 4 months 15 days before the CRD, not 8 months 14 days.
    assert "whose POM is responsible today: 1." in body
    assert "takes over for 1 of them" in body
    bad = client.get("/handovers/what-if/", {"version": "E", "start": "soon"})
    assert bad.status_code == 400 and 'href="#start-day"' in bad.content.decode()
    assert "The date the change starts must be a real date" in bad.content.decode()
    # An accepted date comes back in its boxes.
    day = timezone.localdate() + timedelta(days=30)
    assert f'id="start-day" name="start-day" type="text" inputmode="numeric" value="{day.day}"' \
        in body
    boxes = client.get("/handovers/what-if/", {"version": "E", "start-day": str(day.day),
                                               "start-month": str(day.month),
                                               "start-year": str(day.year)})
    assert boxes.status_code == 200 and 'id="what-if-chart"' in boxes.content.decode()
    download = client.get("/handovers/what-if/", {"version": "E", "start": start,
                                                   "format": "csv"})
    assert download.content.decode().splitlines()[0] == "pdu_code,month,policy_in_force,scenario"


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_handover_override_and_custody(client_for: Any, make_case: Any) -> None:
    _due_in(make_case, "Z0001", 30)
    pom = client_for("pom", "pom")
    handover = pom.get("/api/v1/cases/Z0001/handover").json()
    assert handover["responsibility"] == "POM_RESPONSIBLE" and handover["era"] == "E"
    assert handover["earliest_release"]["name"] == "CRD"
    assert pom.get("/api/v1/cases/Z0001").json()["handover"]["id"] == handover["id"]
    assert _post(pom, "/api/v1/cases/Z0001/handover/override",
                 {"value": "Prison", "reason": "recalled"}).status_code == 403
    head = client_for("head", "head_of_offender_management")
    bad = _post(head, "/api/v1/cases/Z0001/handover/override",
                {"value": "Prison", "reason": "other"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "reason_text"
    both = _post(head, "/api/v1/cases/Z0001/handover/override", {"reason": "nonsense"})
    assert [d["field"] for d in both.json()["detail"]] == ["value", "reason"]
    done = _post(head, "/api/v1/cases/Z0001/handover/override",
                 {"value": "Probation", "reason": "community_team"}).json()
    assert done["responsibility"] == "COM_RESPONSIBLE" and done["reason"] == "override_probation"
    refused = _post(pom, "/api/v1/cases/Z0001/custody", {"tariff_date": "2040-01-01"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "custody.tariff_date"
    history = pom.get("/api/v1/cases/Z0001/handovers").json()
    assert [h["reason"] for h in history][:2] == ["override_probation", "determinate"]
    listed = pom.get("/api/v1/handovers", {"list": "in_handover"}).json()
    # Set to probation by hand: the COM holds it, so it is in handover.
    assert [(r["case_ref"], r["reason"]) for r in listed] == [("Z0001", "override_probation")]
    # Everyone the list named is logged as read through it.
    from omp.cases.models import CaseAccess

    logged = CaseAccess.objects.filter(channel="api_list")
    assert [(a.case_ref, a.user.username, a.refusal) for a in logged] == [("Z0001", "pom", "")]
    assert logged.get().path == "/api/v1/handovers?list=in_handover"
    projection = pom.get("/api/v1/handovers/what-if", {"version": "B", "start": "2027-01-01"})
    assert projection.status_code == 200 and len(projection.json()["months"]) == 24
    wrong = pom.get("/api/v1/handovers/what-if", {"version": "Q", "start": "2027-01-01"})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "version"


def test_control_characters_in_filters_and_details_are_not_server_errors(
        client_for: Any, make_case: Any) -> None:
    _due_in(make_case, "N0001", 10)
    pom = client_for("pom", "pom")
    assert pom.get("/api/v1/handovers", {"prison": "\x00"}).status_code == 200
    assert pom.get("/handovers/", {"pdu": "N0\x007"}).status_code == 200
    bad_scope = pom.get("/api/v1/handovers/what-if", {"version": "E", "start": "2027-04-01",
                                                      "scope": "\x00"})
    assert bad_scope.status_code == 422 and bad_scope.json()["detail"][0]["field"] == "scope"
    head = client_for("head", "head_of_offender_management")
    refused = _post(head, "/api/v1/cases/N0001/handover/override",
                    {"value": "Prison", "reason": "other", "reason_text": "a\x00b"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "reason_text"


def test_the_cases_made_for_a_handover_day_hand_over_on_it_or_the_nearest_day() -> None:
    """Every day for three years: the CRD made for it hands over on that day whenever a CRD
    does, else a day away (the days no CRD gives, by month-end clamping, exist: the builder
    of test cases must not loop on them, as it did on 17 January 2027)."""
    today = date(2026, 12, 5)
    reachable = {crd - relativedelta(months=8) - timedelta(days=14)
                 for crd in (date(2027, 1, 1) + timedelta(days=n) for n in range(2000))}
    for n in range(3 * 365):
        day = date(2027, 6, 1) + timedelta(days=n)
        got = _crd_for_handover(day, today) - relativedelta(months=8) - timedelta(days=14)
        assert got == day if day in reachable else abs((got - day).days) == 1
    assert date(2027, 1, 17) not in reachable
