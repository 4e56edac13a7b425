"""NEED-1 and PATH-6: the individual support plan and its fortnightly review.

Actions are written for the pathways the needs assessment in force found a need in, each
refusal naming its field with nothing saved; the review is a task in the person's tasks, the
first due 14 days after the first action and each next 14 days after the last review while
any action is open; a review needs the progress and status of every open action.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from omp.cases.actions import ActionError
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
