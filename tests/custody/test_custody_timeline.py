"""The person's timeline (issue 14, item 7): arrival, transfers, pathway changes, case
managers, needs assessments, tasks due and done, the support plan, the compact, referrals
(added by the referrals domain through the timeline's registry) and release, in date
order, in words, with the role checks and the access log of the other case pages."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from omp.cases.models import CaseAccess, CustodySpell
from omp.clock import frozen_at
from omp.custody.actions import (
    allocate_case_manager,
    change_provision,
    complete_task,
    record_compact,
    record_needs_assessment,
)
from omp.custody.models import Task
from omp.custody.support_plan import add_action, record_review
from omp.custody.timeline import timeline_of
from omp.decisions.actions import upsert_case
from omp.decisions.recompute import recompute_case
from omp.interchange.schema import parse_case
from tests.conftest import case_object
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db
ARRIVAL = date(2026, 3, 2)
CRD = date(2028, 3, 1)
RECORDED, MOVED, DAY = date(2026, 11, 22), date(2026, 11, 25), date(2026, 12, 1)
CASE = {"case_ref": "TL001", "event.sentence.length": "P4Y",
        "event.sentence.date": "2026-03-01", "custody.prison_code": "LEI",
        "custody.arrival_date": ARRIVAL.isoformat(),
        "custody.sentence_start_date": "2026-03-01",
        "custody.conditional_release_date": CRD.isoformat(), "risk.rosh": "MEDIUM"}
LEVELS = {"accommodation": "high", "ete": "medium", "health": "none",
          "substance_misuse": "none", "families": "none", "finance": "none",
          "thinking": "none"}


@pytest.fixture
def story(make_case: Any, make_user: Any) -> tuple[Any, Any]:
    """A person who arrived at HMP Leeds, was moved to HMP Doncaster, moved to pathway 1 when
    their risk rose, with a case manager, needs, a support plan, a compact and a referral."""
    from omp.referrals.actions import save_draft, send_referral, start_referral
    from omp.referrals.models import Service

    with frozen_at(RECORDED):
        person = make_case(case_object(**CASE))
    worker = make_user("cm_t", "case_manager")
    with frozen_at(MOVED), transaction.atomic():  # moved, and their risk rose
        upsert_case(None, parse_case(case_object(**{**CASE, "as_of": MOVED.isoformat(),
                                                    "custody.prison_code": "DNI",
                                                    "risk.rosh": "HIGH"}), MOVED), MOVED)
    with frozen_at(DAY):
        allocate_case_manager(make_user("hom_t", "head_of_offender_management"), person,
                              worker, "custody")
        record_needs_assessment(worker, person, LEVELS, {})
        add_action(worker, person, "accommodation", "Refer to housing", "Case manager",
                   DAY + timedelta(days=30))
        complete_task(worker, Task.objects.get(person=person, key="triage").pk, person)
        record_compact(worker, person)
        change_provision(worker, person, "basic", "Refused to attend induction")
        service = Service.objects.get(title="Housing support in London")
        referral = start_referral(make_user("com_t", "com"), person, service)
        save_draft(referral.created_by, referral, complete_changes(service))
        send_referral(referral.created_by, referral)
    with frozen_at(DAY + timedelta(days=14)):
        action = person.support_actions.get()
        record_review(worker, person, DAY + timedelta(days=14), "Housing officer seen",
                      {action.pk: ("Form sent", "in_progress")})
    return person, worker


def _titles(entries: list[Any]) -> list[str]:
    return [entry.title for entry in entries]


def test_everything_stands_in_date_order_in_words(story: tuple[Any, Any]) -> None:
    person, worker = story
    entries = timeline_of(person, worker, DAY + timedelta(days=20))
    days = [entry.on for entry in entries]
    assert days == sorted(days)
    titles = _titles(entries)
    assert titles[0] == "Arrived at HMP Leeds"
    moved = next(e for e in entries if e.title == "Moved from HMP Leeds to HMP Doncaster")
    assert moved.on == MOVED
    first = next(e for e in entries if e.kind == "Pathway")
    assert (first.on, first.title) == (RECORDED, "Pathway 2: sentenced to 12 months or more")
    assert first.details == ("Sentenced to 4 years from 1 March 2026: 12 months or more, so "
                             "pathway 2 (PATH-1)",)
    assert ("Pathway 1: high risk of serious harm or IPP (probation leads) (was pathway 2)"
            in titles)
    assert "Custody case manager allocated: cm_t" in titles
    assert "Needs assessed" in titles
    assert "Action added for accommodation: Refer to housing" in titles
    assert "Support plan reviewed" in titles
    assert "Done: Immediate-needs triage" in titles
    assert "Compact agreed" in titles and "Moved to basic provision" in titles
    assert any(re.fullmatch(r"Referral [A-Z]{2}\d{4}[A-Z]{2} sent: Housing support in London "
                            r"\(.+\)", title) for title in titles)
    assert titles[-1] == "Expected release from HMP Doncaster (conditional release date)"
    needs = next(e for e in entries if e.title == "Needs assessed")
    assert needs.details == ("Accommodation: high", "Education, training and employment: medium")
    due = [e for e in entries if e.title.startswith("Due: ")]
    assert due and all(e.tag in ("Overdue", "To do") for e in due)


def test_a_release_ends_the_timeline(story: tuple[Any, Any]) -> None:
    person, worker = story
    released = date(2027, 2, 1)
    with transaction.atomic():
        CustodySpell.objects.filter(person=person).update(
            actual_release_date=released, is_current=False, release_address_area="Doncaster")
        recompute_case(person, released)
    entries = timeline_of(person, worker, released)
    release = next(e for e in entries if e.kind == "Release")
    assert (release.on, release.title, release.details) == (
        released, "Released from HMP Doncaster", ("Release address area: Doncaster",))
    assert "No longer on a pathway" in _titles(entries)


def test_the_page_for_a_case_reader_logged_as_a_case_page(client_for: Any,
                                                          story: tuple[Any, Any]) -> None:
    person, _ = story
    client = client_for("pom_t", "pom")
    case_page = client.get(reverse("case-detail", args=[person.case_ref])).content.decode()
    url = reverse("custody-timeline", args=[person.case_ref])
    assert f'href="{url}"' in case_page
    before = CaseAccess.objects.filter(person=person, user__username="pom_t").count()
    answer = client.get(url)
    page = answer.content.decode()
    assert answer.status_code == 200
    assert CaseAccess.objects.filter(person=person, user__username="pom_t").count() == before + 1
    assert 'class="moj-timeline"' in page and "Arrived at HMP Leeds" in page
    assert '<time datetime="2026-03-02">2 March 2026</time>' in page
    assert "referral-detail" not in page and "/referrals/" in page  # linked to the referral
    assert "LEI" not in page and "custody_case_manager" not in page  # words, not codes
    newest = client.get(url + "?order=newest").content.decode()
    assert newest.index("Expected release") < newest.index("Arrived at HMP Leeds")


@pytest.mark.parametrize(("role", "status"), [
    ("case_manager", 200), ("pom", 200), ("com", 200), ("analyst", 403), ("provider", 403),
    ("commissioner", 403)])
def test_only_those_who_read_cases_see_a_timeline(client_for: Any, make_case: Any,
                                                  role: str, status: int) -> None:
    person = make_case(case_object(**CASE))
    answer = client_for(f"t_{role}", role).get(reverse("custody-timeline",
                                                       args=[person.case_ref]))
    assert answer.status_code == status


def test_an_unknown_case_is_not_found(client_for: Any) -> None:
    answer = client_for("t_404", "case_manager").get(reverse("custody-timeline",
                                                             args=["NOPE1"]))
    assert answer.status_code == 404


def test_a_person_never_in_custody_has_an_empty_timeline(client_for: Any,
                                                         make_case: Any) -> None:
    person = make_case(case_ref="TL002", custody=None)
    page = client_for("t_empty", "pom").get(reverse("custody-timeline",
                                                    args=[person.case_ref])).content.decode()
    assert "Nothing is recorded for this person in custody yet." in page
