"""Case pages: sign-in and roles, search, and the decision screen (ALLOC-4, ALLOC-5)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from omp.cases.models import CaseAccess, ManualCasRecord
from omp.decisions.actions import record_rsr_osp

pytestmark = pytest.mark.django_db


def test_start_page_is_case_search(client: Client) -> None:
    assert client.get("/").url == reverse("case-search")


@pytest.mark.parametrize("name, args", [("case-search", []), ("case-detail", ["X000001"]),
                                        ("case-scores", ["X000001"])])
def test_case_pages_need_sign_in(client: Client, make_case: Any, name: str,
                                 args: list[str]) -> None:
    make_case()
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"
    assert not CaseAccess.objects.exists()


@pytest.mark.parametrize("role", ["provider", "commissioner"])
def test_roles_that_may_not_read_cases_get_403(client_for: Any, make_case: Any,
                                               role: str) -> None:
    make_case()
    client = client_for("someone", role)
    for url in (reverse("case-search"), reverse("case-detail", args=["X000001"])):
        response = client.get(url)
        assert response.status_code == 403
        assert "You do not have access to this page" in response.content.decode()
    # Nothing read; each attempt is logged as refused by the role.
    assert [(a.refusal, a.case_ref) for a in CaseAccess.objects.order_by("id")] == [
        ("role", ""), ("role", "X000001")]


def test_sign_in_and_out(client: Client, make_user: Any) -> None:
    make_user("clerk", "court_staff", password="a-long-test-password")
    page = client.get(reverse("login"))
    assert page.status_code == 200 and "Sign in" in page.content.decode()
    assert "Primary navigation" not in page.content.decode()  # nothing to navigate yet
    signed_in = client.post(reverse("login"), {"username": "clerk",
                                               "password": "a-long-test-password"})
    assert signed_in.url == reverse("case-search")
    assert client.get(reverse("logout")).status_code == 405  # a link cannot sign anyone out
    assert client.post(reverse("logout")).url == reverse("login")
    assert client.get(reverse("case-search")).status_code == 302


def test_search_finds_by_reference_prison_number_and_name(client_for: Any,
                                                          named_case: Any) -> None:
    named_case()
    named_case("Alex", "Jones", "B9999ZZ", case_ref="X000002")
    client = client_for("pom", "pom")
    for query, expected, other in (("X000001", "X000001", "X000002"),
                                   ("x00000", "X000001", None),
                                   ("b9999zz", "X000002", "X000001"),
                                   ("smi", "X000001", "X000002"),
                                   ("alex jon", "X000002", "X000001")):
        text = client.get(reverse("case-search"), {"q": query}).content.decode()
        assert f'href="/cases/{expected}/"' in text, query
        if other:
            assert f'href="/cases/{other}/"' not in text, query
    text = client.get(reverse("case-search"), {"q": "X000001"}).content.decode()
    assert "1 case matches" in text and "Allocated / Normal" in text


def test_search_past_the_cap_asks_for_a_narrower_search(client_for: Any, named_case: Any,
                                                        monkeypatch: Any) -> None:
    monkeypatch.setattr("omp.cases.queries.MAX_MATCHES", 2)
    for number, first in enumerate(["Ann", "Bo", "Cy"], start=1):
        named_case(first, "Smith", f"A{number:04d}AA", case_ref=f"X00000{number}")
    client = client_for("pom", "pom")
    text = client.get(reverse("case-search"), {"q": "smith"}).content.decode()
    assert "More than 2 cases match “smith”: the first 2 are listed." in text
    assert "Add a first name" in text
    assert 'href="/cases/X000001/"' in text and 'href="/cases/X000003/"' not in text
    text = client.get(reverse("case-search"), {"q": "ann smith"}).content.decode()
    assert "1 case matches “ann smith”" in text and "Add a first name" not in text


def test_search_without_a_query_lists_nothing(client_for: Any, named_case: Any) -> None:
    named_case()
    text = client_for("pom", "pom").get(reverse("case-search")).content.decode()
    assert "Find a case" in text and "/cases/X000001/" not in text


def test_search_sent_empty_asks_for_something_to_find(client_for: Any) -> None:
    client = client_for("pom", "pom")
    first = client.get(reverse("case-search")).content.decode()
    assert "There is a problem" not in first  # nothing sent yet, nothing wrong
    text = client.get(reverse("case-search"), {"q": "   "}).content.decode()
    assert "There is a problem" in text and 'href="#q"' in text
    assert "Enter a case reference, prison number or name" in text
    assert "<title>Error:" in text and "govuk-input--error" in text


def test_search_with_no_match_says_so(client_for: Any, named_case: Any) -> None:
    named_case()
    text = client_for("pom", "pom").get(reverse("case-search"), {"q": "nobody"}).content
    assert "0 cases match" in text.decode()


def test_htmx_search_returns_the_results_only(client_for: Any, named_case: Any) -> None:
    named_case()
    response = client_for("pom", "pom").get(reverse("case-search"), {"q": "smith"},
                                            headers={"HX-Request": "true"})
    text = response.content.decode()
    assert "<html" not in text and 'href="/cases/X000001/"' in text
    assert "HX-Request" in response["Vary"]


def test_search_results_are_paginated(client_for: Any, make_case: Any) -> None:
    for number in range(27):
        make_case(case_ref=f"X1{number:05d}")
    client = client_for("pom", "pom")
    first = client.get(reverse("case-search"), {"q": "X1"}).content.decode()
    assert "27 cases match" in first and "page 1 of 2" in first
    assert 'rel="next"' in first and first.count('href="/cases/X1') == 25
    second = client.get(reverse("case-search"), {"q": "X1", "page": 2}).content.decode()
    assert second.count('href="/cases/X1') == 2 and 'rel="prev"' in second


def test_decision_screen_shows_outcome_reasons_checklist_and_facts(
        client_for: Any, named_case: Any) -> None:
    person = named_case(**{"risk.rsr_percent": 7.5})
    text = client_for("pom", "pom").get(reverse("case-detail", args=[person.case_ref])
                                        ).content.decode()
    assert "Retained / Enhanced Resourcing" in text and "app-outcome--retained" in text
    assert "under policy version <strong>E</strong>" in text
    # ALLOC-4: the criterion that held, in plain words, with field, value and date.
    assert "ALLOC-2a" in text and "Supervision tier A or B" in text
    assert "RSR score: <strong>7.5%</strong>" in text
    assert "risk.rsr_percent" not in text  # words, never the interchange's field paths
    assert "recorded 1 November 2026" in text
    assert "RSR 7.50% is 6.9% or above" in text
    # The checklist covers all seven criteria.
    for letter in "abcdefg":
        assert f"<strong>{letter}.</strong>" in text
    assert text.count(">Held</strong>") == 1 and text.count(">Not held</strong>") == 6
    # Each criterion not held says what the data showed.
    assert "MAPPA level 0: not managed under MAPPA" in text
    assert "No Home Office Interest registration" in text
    assert "Jo Smith" in text and "Prison number" in text and "A1234BC" in text
    assert "Cambridgeshire" in text or "N07CAM" in text


def test_decision_screen_shows_missing_data_never_as_not_held(client_for: Any,
                                                              named_case: Any) -> None:
    person = named_case(**{"event.offences": [{"code": "00101", "schedule_15": None}],
                           "person.nationalities": None})
    text = client_for("pom", "pom").get(reverse("case-detail", args=[person.case_ref])
                                        ).content.decode()
    assert "govuk-warning-text" in text and "Some information is missing" in text
    assert "Schedule 15 status of offence 00101 not recorded" in text
    # ALLOC-2f: no nationality recorded counts as not British or Irish, and says so.
    assert "No nationality recorded" in text
    assert "Not recorded as British or Irish: no nationality is recorded" in text
    assert text.count(">Missing data</strong>") == 2  # ALLOC-2b and ALLOC-2c


def test_welsh_pdu_is_a_reason(client_for: Any, named_case: Any) -> None:
    person = named_case(**{"probation.pdu_code": "N03UAT"})
    text = client_for("com", "com").get(reverse("case-detail", args=[person.case_ref])
                                        ).content.decode()
    assert "ALLOC-2g" in text and "Managed in Wales" in text
    assert "Retained / Enhanced Resourcing" in text


def test_history_newest_first_with_changes_and_manual_cas(client_for: Any, make_user: Any,
                                                          named_case: Any) -> None:
    person = named_case()
    record_rsr_osp(make_user("clerk", "court_staff"), person, rsr="8")
    ManualCasRecord.objects.create(person=person, assessed_on=date(2019, 5, 1),
                                   outcome="Retained", assessor="A. Assessor")
    pom = client_for("pom", "pom")
    text = pom.get(reverse("case-detail", args=[person.case_ref])).content.decode()
    history = text[text.index('id="history"'):text.index('id="manual-cas"')]
    assert history.index("Change to the case") < history.index("Import")
    assert "Changed from Allocated / Normal Resourcing" in history
    assert "by clerk" in history and "by the system" in history
    assert "First decision" in history
    assert "1 May 2019" in text and "A. Assessor" in text
    # A CAS outcome recorded as a code is shown in words.
    ManualCasRecord.objects.create(person=person, assessed_on=date(2018, 3, 1),
                                   outcome="RETAINED_ENHANCED")
    manual = pom.get(reverse("case-detail", args=[person.case_ref])).content.decode()
    manual = manual[manual.index('id="manual-cas"'):]
    assert "Retained / Enhanced Resourcing" in manual and "RETAINED_ENHANCED" not in manual


def test_opening_a_case_is_logged(client_for: Any, named_case: Any) -> None:
    person = named_case()
    client_for("pom", "pom").get(reverse("case-detail", args=[person.case_ref]))
    access = CaseAccess.objects.get()
    assert (access.user.username, access.person, access.channel, access.path) == (
        "pom", person, "web", f"/cases/{person.case_ref}/")


def test_unknown_case_is_404_and_logged_as_refused(client_for: Any, db: Any) -> None:
    response = client_for("pom", "pom").get(reverse("case-detail", args=["NOPE"]))
    assert response.status_code == 404
    access = CaseAccess.objects.get()
    assert (access.person, access.case_ref, access.refusal) == (None, "NOPE", "not_found")


@pytest.mark.parametrize("role, shown", [("court_staff", True), ("admin", True),
                                         ("pom", False), ("com", False), ("analyst", False)])
def test_change_link_only_for_rsr_osp_editors(client_for: Any, named_case: Any, role: str,
                                              shown: bool) -> None:
    person = named_case()
    text = client_for("user", role).get(reverse("case-detail", args=[person.case_ref])
                                        ).content.decode()
    assert (reverse("case-scores", args=[person.case_ref]) in text) is shown


def test_checklist_marks_criteria_the_policy_does_not_use(client_for: Any,
                                                          named_case: Any) -> None:
    from omp.decisions.actions import schedule_policy
    from omp.rules.policy import ALLOCATION_CRITERIA

    schedule_policy(None, "NO-WALES", "2026-01-01",
                    criteria=[c for c in ALLOCATION_CRITERIA if c != "ALLOC-2g"])
    person = named_case(**{"probation.pdu_code": "N03UAT"})
    text = client_for("pom", "pom").get(reverse("case-detail", args=[person.case_ref])
                                        ).content.decode()
    assert "Allocated / Normal Resourcing" in text  # ALLOC-7: Wales no longer a criterion
    assert "under policy version <strong>NO-WALES</strong>" in text
    assert text.count(">Not in this policy</strong>") == 1
    assert "Policy NO-WALES does not use this criterion" in text


def test_supplied_outcome_says_so_and_uses_no_criteria(client_for: Any,
                                                       named_case: Any) -> None:
    person = named_case(resourcing="ENHANCED")
    text = client_for("pom", "pom").get(reverse("case-detail", args=[person.case_ref])
                                        ).content.decode()
    assert "supplied by another system" in text and "Retained / Enhanced Resourcing" in text
    assert "Resourcing ENHANCED was supplied, not computed" in text
    assert text.count(">Not used</strong>") == 7


def test_the_case_as_known_on_a_past_day(client_for: Any, named_case: Any,
                                         make_user: Any, backdate: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from omp.decisions.actions import record_rsr_osp

    person = named_case(**{"risk.rsr_percent": 7.5})
    backdate(3)
    record_rsr_osp(make_user("clerk", "court_staff"), person, rsr="2.0")
    client = client_for("com", "com")
    url = f"/cases/{person.case_ref}/"
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    then = client.get(url, {"known_on": yesterday}).content.decode()
    assert "as it was recorded by the end of" in then
    assert "Retained / Enhanced Resourcing" in then and "7.50%" in then
    assert "Change RSR / OSP" not in then  # changes are made to today's record only
    today = client.get(url).content.decode()
    assert "Allocated / Normal Resourcing" in today and "as it was recorded by" not in today

    for value, message in (("2026-02-30", "The past day must be a real date"),
                           ((timezone.localdate() + timedelta(days=1)).isoformat(),
                            "not in the future"),
                           ("2001-01-01", "Nothing was recorded for this case")):
        response = client.get(url, {"known_on": value})
        assert response.status_code == 400
        body = response.content.decode()
        assert message in body and 'href="#known_on-day"' in body
    # The GOV.UK date input: the boxes as typed, 16/09 style in one box as well.
    day = timezone.localdate() - timedelta(days=1)
    boxes = client.get(url, {"known_on-day": str(day.day), "known_on-month": str(day.month),
                             "known_on-year": str(day.year)}).content.decode()
    assert "as it was recorded by the end of" in boxes
    assert f'name="known_on-year" type="text" inputmode="numeric" value="{day.year}"' in boxes
    typed = client.get(url, {"known_on-day": day.strftime("%d/%m/%Y")}).content.decode()
    assert "as it was recorded by the end of" in typed


def test_a_day_before_any_decision_says_so_and_keeps_the_history(
        client_for: Any, named_case: Any, backdate: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from omp.decisions.models import AllocationDecision

    person = named_case()
    backdate(3)
    AllocationDecision.objects.update(decided_at=timezone.now())  # decided only today
    body = client_for("com", "com").get(f"/cases/{person.case_ref}/", {
        "known_on": (timezone.localdate() - timedelta(days=1)).isoformat()}).content.decode()
    assert "No allocation decision had been made for this case by the end of" in body
    assert "First decision" in body  # the history is still shown in full


def test_prison_transfers_are_shown_with_the_custody_facts(client_for: Any,
                                                           make_case: Any) -> None:
    from tests.conftest import case_object

    make_case(case_object(**{"custody.prison_code": "LEI", "as_of": "2026-05-01"}))
    make_case(case_object(**{"custody.prison_code": "DNI", "as_of": "2026-06-15"}))
    body = client_for("pom", "pom").get("/cases/X000001/").content.decode()
    assert "Transferred on 15 June 2026" in body
    assert "from HMP Leeds (LEI) to HMP Doncaster (DNI)" in body


@pytest.mark.parametrize("username, password, message, anchor", [
    ("", "", "Enter your username", "#username"),
    ("clerk", "", "Enter your password", "#password"),
    ("clerk", "wrong-password", "Enter a correct username and password", "#username"),
])
def test_sign_in_errors_name_the_field(client: Client, make_user: Any, username: str,
                                       password: str, message: str, anchor: str) -> None:
    make_user("clerk", "court_staff", password="a-long-test-password")
    page = client.post(reverse("login"), {"username": username, "password": password})
    body = page.content.decode()
    assert page.status_code == 200 and f'<a href="{anchor}">{message}</a>' in body
    assert 'id="username"' in body and 'for="username"' in body


def test_case_page_shows_the_warnings_and_both_tiers(client_for: Any, make_case: Any) -> None:
    """An extract's contradiction is shown on the case page beside the decision made despite
    it, and a recorded tier that disagrees with the computed one is shown with both."""
    person = make_case(case_ref="W100", **{
        "custody.sentence_start_date": "2026-03-01", "custody.tariff_date": "2030-01-01",
        "risk.tier": "B3", "risk.rosh": "MEDIUM", "risk.rsr_percent": 3.1,
        "risk.registrations": []})
    page = client_for("w_reader", "court_staff").get(reverse("case-detail",
                                                             args=[person.case_ref]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="data-warnings"' in body
    assert "A tariff expiry date is recorded but the sentence is determinate" in body
    assert "Retained / Enhanced Resourcing" in body  # recorded B3 holds (ALLOC-2a)
    assert "Supervision tier computed here" in body and "Tiers disagree" in body


def test_case_page_and_api_show_the_pathway(client_for: Any, make_case: Any) -> None:
    """PATH-1 on the case page and in the API: the pathway in plain words and why."""
    person = make_case(case_ref="P100", **{"event.sentence.length": "P18M",
                                          "event.sentence.date": "2026-03-01"})
    client = client_for("p_reader", "pom")
    body = client.get(reverse("case-detail", args=[person.case_ref])).content.decode()
    assert 'id="pathway"' in body and "Pathway 2: sentenced to 12 months or more" in body
    assert "Sentenced to 18 months from 1 March 2026: 12 months or more" in body
    decision = client.get(f"/api/v1/cases/{person.case_ref}/decision").json()
    assert decision["pathway"] == 2 and decision["pathway_reason"]["rule"] == "PATH-1"
    assert decision["warnings"] == []
