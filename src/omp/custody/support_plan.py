"""The only writers of the individual support plan (NEED-1) and its fortnightly review
(PATH-6): adding and changing an action, recording a review, and keeping the review task in
the person's tasks. Each in one transaction, with the acting user and the history; every
refusal names the field at fault and saves nothing.

The review task (key ``plan_review_<n>``) is set here only: the pathway's tasks never touch
it (:func:`omp.custody.actions._reconcile`), and it is completed by recording the review,
not by marking it done.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from omp.access import TASK_WORKERS, require_role
from omp.cases.actions import ActionError
from omp.cases.models import Person
from omp.clock import today
from omp.custody.actions import DETAIL_LENGTH, InputProblems, review_ended
from omp.custody.models import (
    DONE,
    NEED_AREAS,
    NOT_NEEDED,
    OPEN,
    ActionProgress,
    Need,
    NeedsAssessment,
    PlanReview,
    SupportAction,
    Task,
)
from omp.custody.queries import release_states
from omp.rules.support_plan import (
    ACTION_STATUSES,
    OPEN_STATUSES,
    REVIEW_KEY_PREFIX,
    action_due_problem,
    area_problem,
    normal_reference,
    referral_reference_problem,
    review_day_problem,
    review_task,
)

#: The longest owner kept (the model's column).
OWNER_LENGTH = 100
_AREA_WORDS = dict(NEED_AREAS)
_STATUS_WORDS = dict(ACTION_STATUSES)


def _by(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _save(obj: Any, user: Any) -> None:
    obj._history_user = _by(user)
    obj.save()


def _arrival(person: Person) -> date | None:
    spell = person.custody_spells.filter(is_current=True).order_by("-id").first()
    return spell.arrival_date if spell is not None else None


def _text(problems: list[tuple[str, str]], field: str, value: str, words: str,
          required: bool, length: int = DETAIL_LENGTH) -> str:
    """``value`` stripped; a problem added when it is required and empty or too long."""
    value = (value or "").strip()
    if required and not value:
        problems.append((field, f"Enter {words}"))
    elif len(value) > length:
        problems.append((field, f"Keep {words} to {length:,} characters"))
    return value


def _reference(problems: list[tuple[str, str]], typed: str) -> str:
    reference = normal_reference(typed or "")
    if (problem := referral_reference_problem(reference)) is not None:
        problems.append(("referral_reference", problem))
    return reference


def _due(problems: list[tuple[str, str]], due: date | None, arrival: date | None,
         written_on: date | None) -> None:
    if due is None:
        problems.append(("due", "Enter the date the action is due"))
    elif (problem := action_due_problem(due, arrival, written_on)) is not None:
        problems.append(("due", f"The date the action is due {problem}"))


def _raise(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise InputProblems(problems)


@transaction.atomic
def add_action(user: Any, person: Person, area: str, action: str, owner: str,
               due: date | None, referral_reference: str = "", notes: str = ""
               ) -> SupportAction:
    """NEED-1: add an action to the person's support plan for a pathway the needs
    assessment in force found a need in: what will be done, who does it, by when, and the
    referral it runs through (optional). The plan's review task is set when this is its
    first open action (PATH-6). Every field at fault is named at once; nothing is saved."""
    require_role(user, TASK_WORKERS)
    problems: list[tuple[str, str]] = []
    # The person's row locked: two actions written at once set one review task.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    assessment = NeedsAssessment.objects.filter(person=person).order_by("-id").first()
    if area not in _AREA_WORDS:
        problems.append(("area", "Choose the pathway the action is for"))
    else:
        level = (Need.objects.filter(assessment=assessment, area=area)
                 .values_list("level", flat=True).first() if assessment else None)
        if (problem := area_problem(_AREA_WORDS[area], level)) is not None:
            problems.append(("area", problem))
    action = _text(problems, "action", action, "what will be done", True)
    owner = _text(problems, "owner", owner, "who will do it", True, OWNER_LENGTH)
    on = today()
    _due(problems, due, _arrival(person), on)
    reference = _reference(problems, referral_reference)
    notes = _text(problems, "notes", notes, "the notes", False)
    _raise(problems)
    assert assessment is not None and due is not None  # refused above otherwise
    added = SupportAction(person=person, area=area, assessment=assessment, action=action,
                          owner=owner, due=due, notes=notes, referral_reference=reference,
                          created_by=_by(user))
    _save(added, user)
    keep_review_task(person, user, on)
    return added


@transaction.atomic
def change_action(user: Any, person: Person, action_id: int, status: str, notes: str,
                  due: date | None, referral_reference: str) -> SupportAction:
    """NEED-1: change one of the person's actions: its status, notes, due date or the
    referral it runs through. A due date changed may not be before today; one kept as it
    was stands even when passed. The review task follows: none while no action is open,
    one set when an action opens again (PATH-6). Every change is kept in the history."""
    require_role(user, TASK_WORKERS)
    Person.objects.select_for_update().filter(pk=person.pk).first()
    changed = (SupportAction.objects.select_for_update()
               .filter(pk=action_id, person=person).first())
    if changed is None:
        raise ActionError("action", "There is no such action in this person's plan")
    problems: list[tuple[str, str]] = []
    if status not in _STATUS_WORDS:
        problems.append(("status", "Choose the action's status"))
    notes = _text(problems, "notes", notes, "the notes", False)
    on = today()
    _due(problems, due, _arrival(person), on if due != changed.due else None)
    reference = _reference(problems, referral_reference)
    _raise(problems)
    wanted = {"status": status, "notes": notes, "due": due,
              "referral_reference": reference}
    if any(getattr(changed, name) != value for name, value in wanted.items()):
        for name, value in wanted.items():
            setattr(changed, name, value)
        _save(changed, user)
    keep_review_task(person, user, on)
    return changed


def open_actions(person: Person) -> list[SupportAction]:
    """The person's open actions (not started or in progress), in pathway order, then by due
    date: what a review must report on."""
    order = {area: index for index, (area, _) in enumerate(NEED_AREAS)}
    actions = SupportAction.objects.filter(person=person, status__in=OPEN_STATUSES)
    return sorted(actions, key=lambda a: (order.get(a.area, 99), a.due, a.pk))


@transaction.atomic
def record_review(user: Any, person: Person, held_on: date | None, summary: str,
                  progress: dict[int, tuple[str, str]]) -> PlanReview:
    """PATH-6: record the fortnightly review of the person's support plan, held on
    ``held_on``: a summary and, for EVERY open action (by id), the progress in words and
    the status after the review. A missing progress or status is refused naming that
    action's field (``progress_<id>``, ``status_<id>``), every one at once, with nothing
    saved. The review task due is completed, and the next one set 14 days after the
    review while any action is still open."""
    require_role(user, TASK_WORKERS)
    Person.objects.select_for_update().filter(pk=person.pk).first()
    actions = open_actions(person)
    if not actions:
        raise ActionError("actions", "There is no open action to review: add an action "
                                     "to the plan first")
    problems: list[tuple[str, str]] = []
    last = (PlanReview.objects.filter(person=person).order_by("-reviewed_on")
            .values_list("reviewed_on", flat=True).first())
    due_task = _open_review_task(person)
    # The cycle started on the day its task opens: the plan's first action, or the restart.
    started = due_task.opens if due_task is not None else None
    if held_on is None:
        problems.append(("held_on", "Enter the date the review was held"))
    elif (problem := review_day_problem(held_on, today(), started, last)) is not None:
        problems.append(("held_on", f"The date the review was held {problem}"))
    summary = _text(problems, "summary", summary, "the summary", False)
    found: list[tuple[SupportAction, str, str]] = []
    for action in actions:
        words, status = progress.get(action.pk, ("", ""))
        what = f"{_AREA_WORDS[action.area].lower()}: {action.action[:40]}"
        words = _text(problems, f"progress_{action.pk}", words,
                      f"the progress of the action on {what}", True)
        if status not in _STATUS_WORDS:
            problems.append((f"status_{action.pk}",
                             f"Choose the status after the review of the action on {what}"))
        found.append((action, words, status))
    _raise(problems)
    assert held_on is not None  # refused above otherwise
    review = PlanReview.objects.create(person=person, reviewed_on=held_on,
                                       reviewed_by=_by(user), summary=summary)
    ActionProgress.objects.bulk_create(
        ActionProgress(review=review, action=action, status=status, progress=words)
        for action, words, status in found)
    for action, _words, status in found:
        if action.status != status:
            action.status = status
            _save(action, user)
    if due_task is not None:
        due_task.status, due_task.completed_at, due_task.completed_by = (
            DONE, timezone.now(), _by(user))
        _save(due_task, user)
    keep_review_task(person, user, held_on)
    return review


def _open_review_task(person: Person) -> Task | None:
    return (Task.objects.select_for_update()
            .filter(person=person, key__startswith=REVIEW_KEY_PREFIX, status=OPEN)
            .order_by("due", "id").first())


def keep_review_task(person: Person, user: Any, started: date) -> Task | None:
    """PATH-6: keep the review task in the person's tasks, in the caller's transaction.
    While any action is open there is one open review task: an open one stays as it was
    set; when there is none (the plan started, started again, or a review was just
    recorded), the next is set due 14 days after ``started`` (the day the first action was
    written, or the review held). With no open action left, an open review task is no
    longer needed, and so it is once the person is released: the plan's custody part has
    ended. Returns the open review task, if any."""
    current = _open_review_task(person)
    state = release_states([person.pk], today()).get(person.pk)
    if state is not None and state.released:
        if current is not None:
            review_ended(current, state)
            _save(current, user)
        return None
    if not SupportAction.objects.filter(person=person, status__in=OPEN_STATUSES).exists():
        if current is not None:
            current.status = NOT_NEEDED
            _save(current, user)
        return None
    if current is not None:
        return current
    number = Task.objects.filter(person=person, key__startswith=REVIEW_KEY_PREFIX).count() + 1
    plan = review_task(number, started)
    task = Task(person=person, key=plan.key, rule=plan.rule, title=plan.title,
                owner=plan.owner, opens=plan.opens, due=plan.due)
    _save(task, user)
    return task
