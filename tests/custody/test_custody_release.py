"""PATH-5 in the record: the through-the-gate support follows the release address area and
the prison's local area (reference data), moves to the day the person is actually
released, and survives the release; the support plan's fortnightly review ends with its
custody part (PATH-6)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from omp.cases.models import CustodySpell, Prison, ProbationDeliveryUnit
from omp.clock import frozen_at
from omp.custody.actions import record_needs_assessment
from omp.custody.models import DONE, NOT_NEEDED, OPEN, LocalArea, Task
from omp.custody.support_plan import add_action, change_action
from omp.decisions.recompute import recompute_case
from omp.rules.support_plan import IN_PROGRESS

pytestmark = pytest.mark.django_db
ARRIVAL = date(2026, 3, 2)
CRD = date(2028, 3, 1)
DAY = date(2026, 12, 1)
SUPPORT_KEYS = ("community_case_management", "arms_length_support", "through_the_gate")


@pytest.fixture
def doncaster_area(db: Any) -> None:
    """HMP Doncaster serves South Yorkshire (the seed's local area)."""
    prison = Prison.objects.get(code="DNI")
    for name in ("Barnsley", "Doncaster", "Rotherham"):
        LocalArea.objects.create(prison=prison, name=name)
    LocalArea.objects.create(prison=prison, name="Sheffield",
                             pdu=ProbationDeliveryUnit.objects.get(code="N52SHE"))


def _in_custody(make_case: Any, case_ref: str = "RL001", **changes: Any) -> Any:
    return make_case(case_ref=case_ref, **{
        "event.sentence.length": "P6M", "event.sentence.date": "2026-03-01",
        "custody.prison_code": "DNI", "custody.arrival_date": ARRIVAL.isoformat(),
        "custody.sentence_start_date": "2026-03-01",
        "custody.conditional_release_date": CRD.isoformat(), "risk.rosh": "MEDIUM",
        **changes})


def _spell(person: Any, on: date = DAY, **changes: Any) -> None:
    """Change the person's spell behind the actions, then recompute as a change would."""
    with transaction.atomic():
        CustodySpell.objects.filter(person=person).update(**changes)
        recompute_case(person, on)


def _support(person: Any) -> dict[str, tuple[str, date, date]]:
    return {t.key: (t.status, t.opens, t.due) for t in
            Task.objects.filter(person=person, key__in=SUPPORT_KEYS)}


def test_a_local_release_address_sets_community_case_management_with_its_reason(
        make_case: Any, doncaster_area: None) -> None:
    person = _in_custody(make_case)
    assert _support(person) == {"through_the_gate": (OPEN, CRD - timedelta(weeks=8),
                                                     CRD - timedelta(weeks=6))}
    assert "release address area is not recorded" in Task.objects.get(
        person=person, key="through_the_gate").reason
    _spell(person, release_address_area="Sheffield")
    assert _support(person) == {
        "through_the_gate": (NOT_NEEDED, CRD - timedelta(weeks=8), CRD - timedelta(weeks=6)),
        "community_case_management": (OPEN, CRD, date(2029, 3, 1))}
    task = Task.objects.get(person=person, key="community_case_management")
    assert "in HMP Doncaster's local area" in task.reason
    assert task.history.first().reason == task.reason  # the reason is in the history


def test_an_address_moved_out_of_the_area_switches_to_arms_length_support(
        make_case: Any, doncaster_area: None) -> None:
    person = _in_custody(make_case)
    _spell(person, release_address_area="N52SHE")
    assert _support(person)["community_case_management"][0] == OPEN
    _spell(person, release_address_area="Leeds")
    support = _support(person)
    assert support["community_case_management"][0] == NOT_NEEDED
    assert support["arms_length_support"] == (OPEN, CRD, date(2029, 3, 1))


def test_a_prison_with_no_local_area_says_so(make_case: Any) -> None:
    person = _in_custody(make_case)
    _spell(person, release_address_area="Doncaster")
    task = Task.objects.get(person=person, key="through_the_gate")
    assert task.status == OPEN
    assert task.reason.startswith("HMP Doncaster has no local area recorded, so it is not "
                                  "known whether a release to Doncaster is local")


def test_released_on_the_day_the_support_starts_that_day_and_custody_work_ends(
        make_case: Any, make_user: Any, doncaster_area: None) -> None:
    person = _in_custody(make_case)
    worker = make_user("cm_r", "case_manager")
    with frozen_at(DAY):
        record_needs_assessment(worker, person, {
            "accommodation": "high", "ete": "none", "health": "none",
            "substance_misuse": "none", "families": "none", "finance": "none",
            "thinking": "none"}, {})
        add_action(worker, person, "accommodation", "Refer to housing", "Case manager",
                   DAY + timedelta(days=30))
    assert Task.objects.get(person=person, key="plan_review_1").status == OPEN
    released = date(2027, 1, 15)  # earlier than the CRD: the support follows the real day
    _spell(person, on=released, release_address_area="Rotherham",
           actual_release_date=released)
    support = _support(person)
    assert support["community_case_management"] == (OPEN, released, date(2028, 1, 15))
    review = Task.objects.get(person=person, key="plan_review_1")
    assert review.status == NOT_NEEDED
    assert review.reason == ("Released on 15 January 2027: the custody part of the support "
                             "plan has ended, so its fortnightly review is no longer needed "
                             "(PATH-6)")
    # Every other open task of the custody part is no longer needed.
    assert not Task.objects.filter(person=person, status=OPEN).exclude(
        key="community_case_management").exists()
    # Changing the plan after release sets no new review.
    action = person.support_actions.get()
    with frozen_at(released + timedelta(days=3)):
        change_action(worker, person, action.pk, IN_PROGRESS, "Housing found", action.due, "")
    assert not Task.objects.filter(person=person, key__startswith="plan_review_",
                                   status=OPEN).exists()


def test_a_release_date_still_to_come_is_not_a_release(make_case: Any,
                                                       doncaster_area: None) -> None:
    person = _in_custody(make_case)
    _spell(person, release_address_area="Doncaster", actual_release_date=DAY + timedelta(
        days=1))
    assert Task.objects.get(person=person, key="triage").status == OPEN
    assert _support(person)["community_case_management"] == (OPEN, CRD, date(2029, 3, 1))


def test_a_spell_ended_without_a_release_date_keeps_the_support_as_it_was(
        make_case: Any, make_user: Any, doncaster_area: None) -> None:
    person = _in_custody(make_case)
    _spell(person, release_address_area="Barnsley")
    before = _support(person)["community_case_management"]
    _spell(person, is_current=False)
    assert _support(person)["community_case_management"] == before
    assert Task.objects.get(person=person, key="triage").status == NOT_NEEDED


def test_released_with_no_area_recorded_the_task_asking_for_it_stays_open(
        make_case: Any, doncaster_area: None) -> None:
    person = _in_custody(make_case)
    released = date(2027, 6, 1)
    _spell(person, on=released, actual_release_date=released, is_current=False)
    task = Task.objects.get(person=person, key="through_the_gate")
    assert (task.status, task.due) == (OPEN, released - timedelta(weeks=6))
    assert "not recorded" in task.reason


def test_done_support_is_kept_through_the_release(make_case: Any, make_user: Any,
                                                  doncaster_area: None) -> None:
    from omp.custody.actions import complete_task

    person = _in_custody(make_case)
    _spell(person, release_address_area="Leeds")
    task = Task.objects.get(person=person, key="arms_length_support")
    complete_task(make_user("cm_d", "case_manager"), task.pk, person)
    _spell(person, on=date(2027, 2, 1), actual_release_date=date(2027, 2, 1))
    assert _support(person)["arms_length_support"] == (DONE, CRD, date(2029, 3, 1))


def test_remand_gets_no_support_after_release(make_case: Any, doncaster_area: None) -> None:
    person = _in_custody(make_case, **{"custody.remand": True})
    _spell(person, on=date(2027, 2, 1), release_address_area="Doncaster",
           actual_release_date=date(2027, 2, 1))
    assert _support(person) == {}


def test_the_case_page_shows_the_reason(client_for: Any, make_case: Any,
                                        doncaster_area: None) -> None:
    person = _in_custody(make_case)
    _spell(person, release_address_area="Leeds")
    page = client_for("cm_p", "case_manager").get(
        reverse("case-detail", args=[person.case_ref])).content.decode()
    assert "Arms-length support after an out-of-area release" in page
    assert "The release address is in Leeds, outside HMP Doncaster&#x27;s local area" in page


def test_local_areas_are_kept_in_the_admin_with_their_history(db: Any) -> None:
    from django.contrib.auth.models import User
    from django.test import Client

    boss = User.objects.create_superuser("boss", password="a-long-test-password")
    client = Client()
    client.force_login(boss)
    prison = Prison.objects.get(code="DNI")
    answer = client.post(reverse("admin:custody_localarea_add"),
                         {"prison": prison.pk, "name": "Doncaster", "pdu": ""})
    assert answer.status_code == 302
    area = LocalArea.objects.get(prison=prison, name="Doncaster")
    assert area.history.count() == 1
    assert client.get(reverse("admin:custody_localarea_changelist")).status_code == 200


def test_a_case_manager_records_the_release_address_area_and_the_support_follows(
        make_case: Any, doncaster_area: None, client_for: Any) -> None:
    """PATH-5 through the page: the undecided through-the-gate task links to the form; a
    local area chosen sets community case management, an area typed elsewhere arms-length
    support, each in the spell's history with who recorded it."""
    person = _in_custody(make_case)
    client = client_for("cm_release", "case_manager")
    url = reverse("custody-release-area", args=[person.case_ref])
    with frozen_at(DAY):
        case_page = client.get(reverse("case-detail", args=[person.case_ref])).content.decode()
        assert f'href="{url}">Record the release address area</a>' in case_page
        form = client.get(url).content.decode()
        assert "Where will the person live after release?" in form
        assert all(f'value="{name}"' in form for name in ("Barnsley", "Doncaster", "Sheffield"))
        assert 'value="not-known" checked' in form  # nothing recorded yet
        answer = client.post(url, {"choice": "Doncaster"})
        assert answer.status_code == 302 and answer.url.endswith("#tasks")
        assert _support(person)["community_case_management"][0] == OPEN
        assert _support(person)["through_the_gate"][0] == NOT_NEEDED
        assert 'value="Doncaster" checked' in client.get(url).content.decode()
        client.post(url, {"choice": "elsewhere", "elsewhere": "  Leeds  "})
    spell = CustodySpell.objects.get(person=person)
    assert spell.release_address_area == "Leeds"
    assert _support(person)["arms_length_support"][0] == OPEN
    assert _support(person)["community_case_management"][0] == NOT_NEEDED
    assert [(h.release_address_area, h.history_user.username) for h in
            spell.history.order_by("-history_id")[:2]] == [("Leeds", "cm_release"),
                                                          ("Doncaster", "cm_release")]


@pytest.mark.parametrize("post, field, message", [
    ({}, "choice", "Choose where the person will live after release"),
    ({"choice": "Atlantis"}, "choice", "Choose where the person will live after release"),
    ({"choice": "elsewhere", "elsewhere": "   "}, "elsewhere", "Enter the area the person"),
    ({"choice": "elsewhere", "elsewhere": "L" * 61}, "elsewhere", "60 characters or fewer"),
])
def test_a_release_area_that_cannot_be_kept_is_refused_naming_the_field(
        make_case: Any, doncaster_area: None, client_for: Any, post: dict[str, str],
        field: str, message: str) -> None:
    person = _in_custody(make_case)
    _spell(person, release_address_area="Rotherham")
    response = client_for("cm_bad", "case_manager").post(
        reverse("custody-release-area", args=[person.case_ref]), post)
    text = response.content.decode()
    assert response.status_code == 400
    assert f'href="#{field}"' in text and message in text
    assert CustodySpell.objects.get(person=person).release_address_area == "Rotherham"


def test_only_case_workers_record_a_release_area_and_only_in_custody(
        make_case: Any, doncaster_area: None, client_for: Any) -> None:
    person = _in_custody(make_case)
    url = reverse("custody-release-area", args=[person.case_ref])
    for role in ("analyst", "court_staff", "provider"):
        assert client_for(f"x_{role}", role).post(url, {"choice": "Doncaster"}
                                                  ).status_code in (403, 404), role
    assert CustodySpell.objects.get(person=person).release_address_area == ""
    CustodySpell.objects.filter(person=person).update(is_current=False)
    assert client_for("cm_out", "case_manager").get(url).status_code == 404
