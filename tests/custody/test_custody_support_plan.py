"""NEED-1 and PATH-6: the individual support plan and its fortnightly review.

Actions are written for the pathways the needs assessment in force found a need in, each
refusal naming its field with nothing saved; the review is a task in the person's tasks, the
first due 14 days after the first action and each next 14 days after the last review while
any action is open; a review needs the progress and status of every open action. Then the
pages, with their role checks and the access log, and the journey in a browser at 1280 and
375 pixels (with ``OMP_SCREENSHOTS=DIR``, each page saved there as a PNG).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from omp.cases.actions import ActionError
from omp.cases.models import CaseAccess
from omp.clock import frozen_at
from omp.custody.actions import complete_task, record_needs_assessment
from omp.custody.models import (
    DONE,
    NOT_NEEDED,
    OPEN,
    ActionProgress,
    PlanReview,
    SupportAction,
    Task,
)
from omp.custody.support_plan import add_action, change_action, record_review
from omp.rules.support_plan import (
    ACHIEVED,
    DROPPED,
    IN_PROGRESS,
    NOT_STARTED,
    action_due_problem,
    area_problem,
    is_overdue,
    referral_reference_problem,
    review_day_problem,
    review_task,
)

pytestmark = pytest.mark.django_db

#: The day the plan is started in these scenarios (the base case arrived on 2 March 2026).
DAY = date(2026, 12, 1)
ARRIVAL = date(2026, 3, 2)
LEVELS = {"accommodation": "high", "ete": "medium", "health": "none",
          "substance_misuse": "low", "families": "none", "finance": "none",
          "thinking": "none"}


@pytest.fixture
def on_day() -> Iterator[None]:
    """The service's clock at :data:`DAY`."""
    with frozen_at(DAY):
        yield


@pytest.fixture
def assessed(make_case: Any, make_user: Any, on_day: None) -> tuple[Any, Any]:
    """A person in custody whose needs were assessed today, and their case manager."""
    person, worker = make_case(case_ref="SP0001"), make_user("cm", "case_manager")
    record_needs_assessment(worker, person, LEVELS,
                            {"accommodation": "Tenancy lost on sentence"})
    return person, worker


def _add(worker: Any, person: Any, area: str = "accommodation", due: date | None = None,
         **changes: Any) -> SupportAction:
    return add_action(worker, person, area, changes.pop("action", "Refer to housing"),
                      changes.pop("owner", "Case manager"), due or DAY + timedelta(days=30),
                      **changes)


def _reviews(person: Any) -> list[tuple[str, str, date, date]]:
    return [(t.key, t.status, t.opens, t.due) for t in
            Task.objects.filter(person=person, key__startswith="plan_review_").order_by("id")]


# The rule.

def test_plan_rule_review_cycle_and_overdue() -> None:
    first = review_task(1, DAY)
    assert (first.key, first.rule, first.opens, first.due) == (
        "plan_review_1", "PATH-6", DAY, date(2026, 12, 15))
    assert is_overdue(DAY, IN_PROGRESS, DAY + timedelta(days=1))
    assert not is_overdue(DAY, IN_PROGRESS, DAY)
    assert not is_overdue(DAY, ACHIEVED, DAY + timedelta(days=1))


def test_plan_rule_refusals_say_what_is_wrong() -> None:
    assert "arrived in custody" in str(action_due_problem(ARRIVAL - timedelta(days=1),
                                                          ARRIVAL, None))
    assert action_due_problem(DAY - timedelta(days=1), ARRIVAL, None) is None  # kept as was
    assert "today or later" in str(action_due_problem(DAY - timedelta(days=1), ARRIVAL, DAY))
    assert "Record a needs assessment" in str(area_problem("Health", None))
    assert "no need in health" in str(area_problem("Health", "none"))
    assert area_problem("Health", "low") is None
    assert referral_reference_problem("AB1234AC") is None
    assert referral_reference_problem("") is None
    assert "two letters" in str(referral_reference_problem("AB12"))
    assert "today or earlier" in str(review_day_problem(DAY + timedelta(days=1), DAY, None,
                                                        None))
    assert "after the last review" in str(review_day_problem(DAY, DAY, None, DAY))
    assert "when the plan started" in str(review_day_problem(DAY - timedelta(days=1), DAY,
                                                             DAY, None))
    assert review_day_problem(DAY, DAY, DAY, DAY - timedelta(days=1)) is None


# Adding and changing actions.

def test_the_first_action_sets_the_review_14_days_later_and_a_second_keeps_it(
        assessed: tuple[Any, Any]) -> None:
    person, worker = assessed
    action = _add(worker, person, referral_reference=" ab1234ac ")
    assert (action.status, action.referral_reference, action.created_by) == (
        NOT_STARTED, "AB1234AC", worker)
    assert action.assessment.person_id == person.pk
    assert _reviews(person) == [("plan_review_1", OPEN, DAY, date(2026, 12, 15))]
    with frozen_at(DAY + timedelta(days=3)):
        _add(worker, person, "substance_misuse", action="CARAT assessment")
    assert _reviews(person) == [("plan_review_1", OPEN, DAY, date(2026, 12, 15))]
    review = Task.objects.get(person=person, key="plan_review_1")
    assert (review.rule, review.owner) == ("PATH-6", "Case manager")
    assert review.history.count() == 1


@pytest.mark.parametrize(("area", "changes", "field"), [
    ("health", {}, "area"),                       # the assessment found no need there
    ("housing", {}, "area"),                      # no such pathway
    ("accommodation", {"action": "  "}, "action"),
    ("accommodation", {"owner": ""}, "owner"),
    ("accommodation", {"owner": "x" * 101}, "owner"),
    ("accommodation", {"due": DAY - timedelta(days=1)}, "due"),   # before today
    ("accommodation", {"due": ARRIVAL - timedelta(days=1)}, "due"),  # before arrival
    ("accommodation", {"referral_reference": "REF-1"}, "referral_reference"),
    ("accommodation", {"notes": "x" * 2_001}, "notes"),
])
def test_an_action_refused_names_its_field_and_saves_nothing(
        assessed: tuple[Any, Any], area: str, changes: dict[str, Any], field: str) -> None:
    person, worker = assessed
    due = changes.pop("due", DAY + timedelta(days=30))
    with pytest.raises(ActionError) as error:
        add_action(worker, person, area, changes.pop("action", "Refer to housing"),
                   changes.pop("owner", "Case manager"), due, **changes)
    assert [f for f, _ in error.value.problems] == [field]  # type: ignore[attr-defined]
    assert not SupportAction.objects.exists() and _reviews(person) == []


def test_an_action_with_no_due_date_and_no_assessment_names_both(
        make_case: Any, make_user: Any, on_day: None) -> None:
    person = make_case(case_ref="SP0002")
    with pytest.raises(ActionError) as error:
        add_action(make_user("cm2", "case_manager"), person, "accommodation", "Refer", "Me",
                   None)
    problems = dict(error.value.problems)  # type: ignore[attr-defined]
    assert problems["area"].startswith("Record a needs assessment first")
    assert problems["due"] == "Enter the date the action is due"


def test_an_action_is_for_a_need_in_the_assessment_in_force(
        assessed: tuple[Any, Any]) -> None:
    person, worker = assessed
    _add(worker, person, "ete")
    record_needs_assessment(worker, person, {**LEVELS, "ete": "none"}, {})
    with pytest.raises(ActionError) as error:
        _add(worker, person, "ete")
    assert error.value.field == "area" and "education" in error.value.message


def test_only_case_and_offender_managers_write_the_plan(assessed: tuple[Any, Any],
                                                        make_user: Any) -> None:
    person, _ = assessed
    with pytest.raises(PermissionDenied):
        _add(make_user("court", "court_staff"), person)


def test_an_action_changed_keeps_its_history(assessed: tuple[Any, Any]) -> None:
    person, worker = assessed
    action = _add(worker, person)
    with frozen_at(DAY + timedelta(days=40)):  # past its due date: it stands as it was
        changed = change_action(worker, person, action.pk, IN_PROGRESS, "Form sent",
                                action.due, "cd5678ac")
        assert changed.referral_reference == "CD5678AC"
        with pytest.raises(ActionError) as error:
            change_action(worker, person, action.pk, IN_PROGRESS, "", DAY, "")
        assert error.value.field == "due"  # a new date may not be in the past
        for status, field in (("done", "status"), (IN_PROGRESS, "referral_reference")):
            with pytest.raises(ActionError) as error:
                change_action(worker, person, action.pk, status, "", action.due, "nope")
            assert error.value.field == field
    history = [(h.status, h.notes) for h in action.history.order_by("history_id")]
    assert history == [(NOT_STARTED, ""), (IN_PROGRESS, "Form sent")]
    assert action.history.order_by("history_id").last().history_user == worker


def test_another_persons_action_is_not_found(assessed: tuple[Any, Any],
                                             make_case: Any) -> None:
    person, worker = assessed
    action = _add(worker, person)
    with pytest.raises(ActionError) as error:
        change_action(worker, make_case(case_ref="SP0003"), action.pk, ACHIEVED, "",
                      action.due, "")
    assert error.value.field == "action"


def test_closing_the_last_open_action_ends_the_review_and_reopening_starts_it_again(
        assessed: tuple[Any, Any]) -> None:
    person, worker = assessed
    action = _add(worker, person)
    with frozen_at(DAY + timedelta(days=5)):
        change_action(worker, person, action.pk, ACHIEVED, "Housed", action.due, "")
    assert _reviews(person) == [("plan_review_1", NOT_NEEDED, DAY, date(2026, 12, 15))]
    later = DAY + timedelta(days=20)
    with frozen_at(later):
        change_action(worker, person, action.pk, IN_PROGRESS, "Tenancy fell through",
                      action.due, "")
    assert _reviews(person)[1] == ("plan_review_2", OPEN, later, later + timedelta(days=14))


# Reviews.

def test_a_review_needs_the_progress_and_status_of_every_open_action(
        assessed: tuple[Any, Any]) -> None:
    person, worker = assessed
    housing, ete = _add(worker, person), _add(worker, person, "ete", action="Education")
    closed = _add(worker, person, "substance_misuse", action="CARAT")
    change_action(worker, person, closed.pk, DROPPED, "", closed.due, "")
    with frozen_at(date(2026, 12, 14)), pytest.raises(ActionError) as error:
        record_review(worker, person, date(2026, 12, 14), "Met",
                      {housing.pk: ("Application in", IN_PROGRESS), ete.pk: ("", "")})
    problems = dict(error.value.problems)  # type: ignore[attr-defined]
    assert set(problems) == {f"progress_{ete.pk}", f"status_{ete.pk}"}
    assert "education, training and employment" in problems[f"progress_{ete.pk}"]
    assert not PlanReview.objects.exists() and not ActionProgress.objects.exists()
    assert _reviews(person)[0][1] == OPEN
    assert SupportAction.objects.get(pk=housing.pk).status == NOT_STARTED


def test_recording_a_review_completes_its_task_and_sets_the_next_from_the_review(
        assessed: tuple[Any, Any]) -> None:
    person, worker = assessed
    housing, ete = _add(worker, person), _add(worker, person, "ete", action="Education")
    held = date(2026, 12, 14)
    with frozen_at(date(2026, 12, 16)):
        review = record_review(worker, person, held, "Good progress", {
            housing.pk: ("Application in", IN_PROGRESS), ete.pk: ("Enrolled", ACHIEVED)})
    assert (review.reviewed_on, review.reviewed_by, review.summary) == (
        held, worker, "Good progress")
    assert {(p.action_id, p.status, p.progress) for p in review.progress.all()} == {
        (housing.pk, IN_PROGRESS, "Application in"), (ete.pk, ACHIEVED, "Enrolled")}
    assert SupportAction.objects.get(pk=ete.pk).status == ACHIEVED
    assert SupportAction.objects.get(pk=housing.pk).history.count() == 2
    first = Task.objects.get(person=person, key="plan_review_1")
    assert (first.status, first.completed_by) == (DONE, worker)
    # The next review is due 14 days after the review was held, not after it was recorded.
    assert _reviews(person)[1] == ("plan_review_2", OPEN, held, date(2026, 12, 28))

    # A review held late starts the next cycle from its own day; the last open action
    # achieved there ends the reviews.
    with frozen_at(date(2027, 1, 5)):
        record_review(worker, person, date(2027, 1, 5), "", {
            housing.pk: ("Tenancy signed", ACHIEVED)})
    assert [(key, status) for key, status, *_ in _reviews(person)] == [
        ("plan_review_1", DONE), ("plan_review_2", DONE)]
    with frozen_at(date(2027, 1, 5)), pytest.raises(ActionError) as error:
        record_review(worker, person, date(2027, 1, 5), "", {})
    assert error.value.field == "actions"

    # A new action starts the plan again: its review 14 days after it.
    with frozen_at(date(2027, 2, 1)):
        _add(worker, person, due=date(2027, 3, 1))
    assert _reviews(person)[2] == ("plan_review_3", OPEN, date(2027, 2, 1),
                                   date(2027, 2, 15))


@pytest.mark.parametrize(("held", "today"), [
    (None, date(2026, 12, 14)),                      # no date
    (date(2026, 12, 15), date(2026, 12, 14)),        # in the future
    (date(2026, 11, 30), date(2026, 12, 14)),        # before the plan started
])
def test_a_review_day_refused_names_the_date(assessed: tuple[Any, Any], held: date | None,
                                             today: date) -> None:
    person, worker = assessed
    action = _add(worker, person)
    with frozen_at(today), pytest.raises(ActionError) as error:
        record_review(worker, person, held, "", {action.pk: ("Going", IN_PROGRESS)})
    assert [f for f, _ in error.value.problems] == ["held_on"]  # type: ignore[attr-defined]
    assert not PlanReview.objects.exists()


def test_a_second_review_must_come_after_the_first(assessed: tuple[Any, Any]) -> None:
    person, worker = assessed
    action = _add(worker, person)
    with frozen_at(date(2026, 12, 14)):
        record_review(worker, person, date(2026, 12, 14), "", {action.pk: ("a", IN_PROGRESS)})
        with pytest.raises(ActionError) as error:
            record_review(worker, person, date(2026, 12, 14), "",
                          {action.pk: ("b", IN_PROGRESS)})
    assert error.value.field == "held_on" and "after the last review" in error.value.message


def test_the_pathway_leaves_the_review_alone_and_it_is_not_marked_done(
        assessed: tuple[Any, Any], make_user: Any) -> None:
    from omp.decisions.actions import record_custody_dates

    person, worker = assessed
    _add(worker, person)
    # The release date moves: the pathway's tasks are set again, the review stays open.
    record_custody_dates(make_user("pom", "pom"), person,
                         {"conditional_release_date": "2027-06-30"})
    review = Task.objects.get(person=person, key="plan_review_1")
    assert (review.status, review.due) == (OPEN, date(2026, 12, 15))
    with pytest.raises(ActionError) as error:
        complete_task(worker, review.pk, person)
    assert "Record the review" in error.value.message
    assert Task.objects.get(pk=review.pk).status == OPEN


# The pages.

def test_the_plan_page_shows_actions_by_pathway_reviews_and_the_next_review(
        assessed: tuple[Any, Any], client_for: Any) -> None:
    person, worker = assessed
    housing = _add(worker, person, referral_reference="AB1234AC", notes="Council first")
    _add(worker, person, "ete", action="Enrol on maths", owner="Education department",
         due=DAY + timedelta(days=2))
    with frozen_at(DAY + timedelta(days=3)):
        record_review(worker, person, DAY + timedelta(days=3), "First meeting", {
            housing.pk: ("Form sent to the council", IN_PROGRESS),
            SupportAction.objects.get(area="ete").pk: ("Waiting list", NOT_STARTED)})
    client = client_for("reader", "court_staff")
    with frozen_at(DAY + timedelta(days=20)):
        answer = client.get(reverse("custody-support-plan", args=[person.case_ref]))
    body = answer.content.decode()
    assert answer.status_code == 200
    for text in ("Accommodation", "High", "Tenancy lost on sentence", "Refer to housing",
                 "Council first", "In progress", "Education department", "Overdue",
                 "Substance misuse", "No action yet", "First meeting",
                 "Form sent to the council", "Waiting list", "Due 18 December 2026",
                 'href="/cases/SP0001/#referrals">AB1234AC</a>'):
        assert text in body, text
    assert 'id="area-health"' not in body  # no need there, no action
    # Readers who may not write see no way to change the plan.
    assert "Add an action" not in body and "Record a review" not in body
    assert CaseAccess.objects.filter(person=person, user__username="reader",
                                     path__contains="support-plan").exists()


def test_the_case_page_links_to_the_plan(assessed: tuple[Any, Any], client_for: Any) -> None:
    person, worker = assessed
    client = client_for("cm_page", "case_manager")
    page = client.get(reverse("case-detail", args=[person.case_ref])).content.decode()
    assert 'id="support-plan"' in page and "Start the support plan" in page
    _add(worker, person)
    page = client.get(reverse("case-detail", args=[person.case_ref])).content.decode()
    assert "View the support plan" in page and "Due 15 December 2026" in page
    assert "Record the review" in page  # the review task links to the review, not "done"
    due = client.get(reverse("custody-tasks")).content.decode()
    assert f'href="/cases/{person.case_ref}/support-plan/">Fortnightly review' in due


def test_the_case_page_reads_the_plan_from_what_its_other_parts_read(
        assessed: tuple[Any, Any], client_for: Any) -> None:
    """The needs and tasks parts read the assessment in force and the open tasks; the plan
    part reuses them, and the page asks once whether the person was ever in custody."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person, worker = assessed
    _add(worker, person)
    client = client_for("cm_reads", "case_manager")
    with CaptureQueriesContext(connection) as seen:
        page = client.get(reverse("case-detail", args=[person.case_ref])).content.decode()
    assert "View the support plan" in page and "Record the review" in page
    selects = [q["sql"] for q in seen.captured_queries if q["sql"].startswith("SELECT")]
    assessments = [sql for sql in selects if 'FROM "custody_needsassessment"' in sql
                   and "COUNT(" not in sql]
    spells_asked = [sql for sql in selects if 'FROM "cases_custodyspell"' in sql
                    and "LIMIT 1" in sql]
    people = [sql for sql in selects if 'FROM "cases_person"' in sql and (
        'WHERE "cases_person"."id" =' in sql or 'WHERE "cases_person"."case_ref" =' in sql)]
    assert len(assessments) == 1, assessments
    assert len(spells_asked) == 1, spells_asked
    assert len(people) == 1, people


def test_the_add_form_refuses_naming_fields_and_adds(assessed: tuple[Any, Any],
                                                     client_for: Any) -> None:
    person, _ = assessed
    client = client_for("cm_add", "case_manager")
    url = reverse("custody-support-action-new", args=[person.case_ref])
    form = client.get(url + "?area=ete").content.decode()
    assert 'value="ete" checked' in form and 'value="health"' not in form
    refused = client.post(url, {"area": "health", "action": "", "owner": "Me",
                                "due-day": "31", "due-month": "2", "due-year": "2027",
                                "referral_reference": "x"})
    body = refused.content.decode()
    assert refused.status_code == 400
    for anchor in ('href="#area"', 'href="#action"', 'href="#due-day"',
                   'href="#referral_reference"'):
        assert anchor in body, anchor
    assert "The date the action is due must be a real date" in body
    assert not SupportAction.objects.exists()
    done = client.post(url, {"area": "accommodation", "action": "Refer to housing",
                             "owner": "Case manager", "due-day": "20", "due-month": "12",
                             "due-year": "2026", "referral_reference": "ab1234ac"})
    assert done.status_code == 302 and done["Location"].endswith("#area-accommodation")
    assert SupportAction.objects.get().due == date(2026, 12, 20)


def test_the_change_form_changes_an_action(assessed: tuple[Any, Any],
                                           client_for: Any) -> None:
    person, worker = assessed
    action = _add(worker, person)
    client = client_for("cm_change", "case_manager")
    url = reverse("custody-support-action-change", args=[person.case_ref, action.pk])
    assert 'value="31"' in client.get(url).content.decode()  # the due date filled in
    refused = client.post(url, {"status": "", "due-day": "31", "due-month": "12",
                                "due-year": "2026"})
    assert refused.status_code == 400 and 'href="#status"' in refused.content.decode()
    assert client.post(url, {"status": ACHIEVED, "due-day": "31", "due-month": "12",
                             "due-year": "2026", "notes": "Housed"}).status_code == 302
    assert SupportAction.objects.get().status == ACHIEVED
    assert "Earlier versions (2)" in client.get(url).content.decode()
    other = reverse("custody-support-action-change", args=[person.case_ref, action.pk + 99])
    assert client.get(other).status_code == 404


def test_the_review_form_names_each_action_missing(assessed: tuple[Any, Any],
                                                   client_for: Any) -> None:
    person, worker = assessed
    housing, ete = _add(worker, person), _add(worker, person, "ete", action="Enrol")
    client = client_for("cm_review", "case_manager")
    url = reverse("custody-plan-review", args=[person.case_ref])
    with frozen_at(date(2026, 12, 15)):
        refused = client.post(url, {"held_on-day": "15", "held_on-month": "12",
                                    "held_on-year": "2026", f"progress_{housing.pk}": "Sent",
                                    f"status_{housing.pk}": IN_PROGRESS})
        body = refused.content.decode()
        assert refused.status_code == 400
        assert f'href="#progress_{ete.pk}"' in body and f'href="#status_{ete.pk}"' in body
        assert f'href="#progress_{housing.pk}"' not in body and "Sent" in body  # kept
        assert not PlanReview.objects.exists()
        done = client.post(url, {"held_on-day": "15", "held_on-month": "12",
                                 "held_on-year": "2026", "summary": "Both moving",
                                 f"progress_{housing.pk}": "Sent",
                                 f"status_{housing.pk}": IN_PROGRESS,
                                 f"progress_{ete.pk}": "Enrolled",
                                 f"status_{ete.pk}": ACHIEVED})
    assert done.status_code == 302
    assert PlanReview.objects.get().reviewed_on == date(2026, 12, 15)
    assert _reviews(person)[1][3] == date(2026, 12, 29)


@pytest.mark.parametrize(("role", "read", "write"), [
    ("court_staff", 200, 403), ("analyst", 403, 403), ("provider", 403, 403),
    ("commissioner", 403, 403), ("pom", 200, 200), ("case_manager", 200, 200)])
def test_the_plan_pages_check_the_role(assessed: tuple[Any, Any], client_for: Any,
                                       role: str, read: int, write: int) -> None:
    person, worker = assessed
    action = _add(worker, person)
    client = client_for(f"sp_{role}", role)
    assert client.get(reverse("custody-support-plan",
                              args=[person.case_ref])).status_code == read
    for name, args in (("custody-support-action-new", [person.case_ref]),
                       ("custody-support-action-change", [person.case_ref, action.pk]),
                       ("custody-plan-review", [person.case_ref])):
        assert client.get(reverse(name, args=args)).status_code == write, name


# The journey in a browser.

def _shot(page: Any, name: str) -> None:
    """With ``OMP_SCREENSHOTS=DIR`` (e.g. /tmp/omp-support-plan), the page saved there."""
    folder = os.environ.get("OMP_SCREENSHOTS")
    if folder and folder != "1":
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_case_manager_writes_and_reviews_the_plan_in_a_browser(
        live_server: Any, transactional_db: Any, migrated_data: None, plain_static: None,
        browser: Any, make_user: Any, named_case: Any) -> None:
    from omp.clock import today
    from tests.browser import PASSWORD, accessibility_problems, failed_responses

    person = named_case("Jo", "Smith", "A1234BC", case_ref="SP0009")
    worker = make_user("cm_browser", "case_manager", password=PASSWORD)
    record_needs_assessment(worker, person, LEVELS, {"accommodation": "No fixed abode"})
    add_action(worker, person, "substance_misuse", "CARAT assessment", "CARAT worker",
               today() + timedelta(days=10), "AB1234AC")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    failures = failed_responses(page)
    page.goto(f"{live_server.url}/cases/{person.case_ref}/support-plan/")
    page.get_by_label("Username").fill("cm_browser")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Add an action").first.click()
    page.get_by_label("Accommodation").check()
    page.get_by_label("What will be done").fill("Refer to the housing provider")
    page.get_by_label("Who will do it").fill("Case manager")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2000")
    page.get_by_role("button", name="Add the action").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "The date the action is due must be" in page.locator(
        ".govuk-error-summary").inner_text()
    assert accessibility_problems(page) == []
    _shot(page, "support-action-refused-1280")
    due = today() + timedelta(days=21)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Add the action").click()
    page.locator("#area-accommodation").get_by_role(
        "heading", name="Refer to the housing provider").wait_for()

    page.get_by_role("link", name="Record a review").click()
    page.get_by_label("Day").fill(str(today().day))
    page.get_by_label("Month").fill(str(today().month))
    page.get_by_label("Year").fill(str(today().year))
    page.get_by_label("Summary (optional)").fill("First review with Jo")
    page.get_by_role("textbox", name="Progress of CARAT assessment").fill("Seen once")
    page.locator("#review-action-" + str(SupportAction.objects.get(
        area="substance_misuse").pk)).get_by_label("In progress").check()
    page.get_by_role("button", name="Record the review").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "progress of the action on accommodation" in page.locator(
        ".govuk-error-summary").inner_text()
    assert accessibility_problems(page) == []
    _shot(page, "plan-review-refused-1280")
    housing = SupportAction.objects.get(area="accommodation").pk
    page.locator(f"#progress_{housing}").fill("Referral made")
    page.locator(f"#review-action-{housing}").get_by_label("In progress").check()
    page.get_by_role("button", name="Record the review").click()
    page.locator("#reviews").get_by_text("First review with Jo").wait_for()
    next_due = today() + timedelta(days=14)
    assert f"Due {next_due.day} {next_due:%B %Y}" in page.locator("#next-review").inner_text()
    assert accessibility_problems(page) == []
    _shot(page, "support-plan-1280")

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "support-plan-375")
    page.goto(f"{live_server.url}/cases/{person.case_ref}/support-plan/review/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "plan-review-375")
    page.goto(f"{live_server.url}/cases/{person.case_ref}/support-plan/actions/{housing}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert accessibility_problems(page) == []
    _shot(page, "support-action-change-375")
    page.goto(f"{live_server.url}/cases/{person.case_ref}/")
    page.locator("#support-plan").wait_for()
    assert accessibility_problems(page) == []
    assert failures == [f"400 {live_server.url}/cases/{person.case_ref}/support-plan/"
                        "actions/new/",
                        f"400 {live_server.url}/cases/{person.case_ref}/support-plan/review/"]
