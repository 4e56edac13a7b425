"""The only writers of custody case management: each in one transaction, with the acting
user and the history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from omp.access import TASK_WORKERS, require_role
from omp.cases.actions import ActionError
from omp.cases.models import Person
from omp.clock import today
from omp.custody.models import (
    DONE,
    NEED_AREAS,
    NEED_LEVELS,
    NOT_NEEDED,
    OPEN,
    Need,
    NeedsAssessment,
    Task,
)
from omp.rules.facts import CaseFacts
from omp.rules.tasks import plan_tasks


def _save(task: Task, user: Any) -> None:
    task._history_user = user if getattr(user, "pk", None) else None
    task.save()


def refresh_tasks(person: Person, facts: CaseFacts, pathway: int | None,
                  release: date | None, user: Any = None) -> list[Task]:
    """Make the person's tasks what their pathway and dates call for (PATH-2..5): new tasks
    are set, open ones move with the dates, done ones are kept as they were, and open ones
    no longer called for become "no longer needed". Runs in the caller's transaction (the
    one that changed the case); returns the open tasks."""
    plans = {plan.key: plan for plan in plan_tasks(facts, pathway, release)}
    existing = {task.key: task for task in Task.objects.select_for_update()
                .filter(person=person)}
    for key, plan in plans.items():
        task = existing.get(key)
        if task is None:
            _save(Task(person=person, key=key, rule=plan.rule, title=plan.title,
                       owner=plan.owner, opens=plan.opens, due=plan.due), user)
            continue
        if task.status == DONE:
            continue  # completed work is never moved or lost
        wanted = {"rule": plan.rule, "title": plan.title, "owner": plan.owner,
                  "opens": plan.opens, "due": plan.due, "status": OPEN}
        if any(getattr(task, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(task, name, value)
            _save(task, user)
    for key, task in existing.items():
        if key not in plans and task.status == OPEN:
            task.status = NOT_NEEDED
            _save(task, user)
    return list(Task.objects.filter(person=person, status=OPEN).order_by("due", "id"))


def tasks_follow_the_decision(sender: Any, person: Person, facts: CaseFacts,
                              pathway: int | None, release: date | None, user: Any = None,
                              **_: Any) -> None:
    """Receiver of :data:`omp.decisions.signals.case_decided`: the tasks follow the
    pathway and the dates in the transaction that changed them."""
    refresh_tasks(person, facts, pathway, release, user)


def refresh_everyone(chunk: int = 500, progress: Callable[[int], None] | None = None
                     ) -> tuple[int, int]:
    """Set every person in custody's tasks from their current decisions (the pathway
    stored with the allocation, the release date the handover counted back from), a chunk
    of people per transaction; returns the people and their open tasks."""
    from omp.cases.facts import facts_for_person
    from omp.decisions.models import CurrentDecision, CurrentHandover

    ids = list(Person.objects.filter(custody_spells__is_current=True).distinct()
               .order_by("pk").values_list("pk", flat=True))
    on, people, open_count = today(), 0, 0
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        pathways = dict(CurrentDecision.objects.filter(person_id__in=part)
                        .values_list("person_id", "decision__pathway"))
        releases = dict(CurrentHandover.objects.filter(person_id__in=part)
                        .values_list("person_id", "record__earliest_release_date"))
        with transaction.atomic():
            for person in Person.objects.filter(pk__in=part).select_related("pdu__region"):
                open_count += len(refresh_tasks(person, facts_for_person(person, on),
                                                pathways.get(person.pk),
                                                releases.get(person.pk)))
                people += 1
        if progress:
            progress(len(part))
    return people, open_count


@transaction.atomic
def complete_task(user: Any, task_id: int, person: Person) -> Task:
    """Mark one of the person's open tasks as done (case managers and offender managers)."""
    require_role(user, TASK_WORKERS)
    task = Task.objects.select_for_update().filter(pk=task_id, person=person).first()
    if task is None:
        raise ActionError("task", "There is no such task for this person")
    if task.status != OPEN:
        raise ActionError("task", "This task is not open")
    task.status, task.completed_at, task.completed_by = DONE, timezone.now(), user
    _save(task, user)
    return task


class InputProblems(ActionError):
    """Several inputs at fault at once, each ``(field, message)``; the first is also the
    error's own field and message."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(*problems[0])
        self.problems = problems


#: The longest detail kept for one need.
DETAIL_LENGTH = 2_000


@transaction.atomic
def record_needs_assessment(user: Any, person: Person, levels: dict[str, str],
                            details: dict[str, str]) -> NeedsAssessment:
    """Record a needs assessment across the seven pathways (NEED-1): a level for every
    pathway and free-text detail. Each is a new version; nothing earlier is changed. A
    missing or unknown level, or a detail too long, is refused naming the field, and
    nothing is saved; every field at fault is named at once."""
    require_role(user, TASK_WORKERS)
    known_levels = {value for value, _ in NEED_LEVELS}
    problems: list[tuple[str, str]] = []
    for area, words in NEED_AREAS:
        level = levels.get(area) or ""
        if level not in known_levels:
            problems.append((f"level_{area}", f"Choose a level for {words.lower()}"
                             if not level else f"Choose one of the levels for {words.lower()}"))
        if len(details.get(area) or "") > DETAIL_LENGTH:
            problems.append((f"detail_{area}", f"Keep the detail for {words.lower()} to "
                                               f"{DETAIL_LENGTH:,} characters"))
    if problems:
        raise InputProblems(problems)
    assessment = NeedsAssessment.objects.create(
        person=person, assessed_on=today(),
        recorded_by=user if getattr(user, "pk", None) else None)
    Need.objects.bulk_create(Need(assessment=assessment, area=area, level=levels[area],
                                  detail=(details.get(area) or "").strip())
                             for area, _ in NEED_AREAS)
    return assessment
