"""Reading custody case management: a person's tasks and needs, and the tasks due across
cases."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet

from omp.cases.models import Person
from omp.custody.models import DONE, NEED_AREAS, OPEN, NeedsAssessment, Task


def tasks_of(person: Person) -> tuple[list[Task], list[Task]]:
    """The person's open tasks by due date, and the done ones, newest first."""
    tasks = list(Task.objects.filter(person=person).exclude(status="not_needed")
                 .select_related("completed_by").order_by("due", "id"))
    return ([t for t in tasks if t.status == OPEN],
            sorted((t for t in tasks if t.status == DONE),
                   key=lambda t: t.completed_at or t.due, reverse=True))


def tasks_due(today: date, days: int = 14, prison: str | None = None) -> QuerySet[Task]:
    """Open tasks overdue or due within ``days`` of ``today`` for people in custody (at
    ``prison`` when given), the most overdue first."""
    tasks = (Task.objects.filter(status=OPEN, due__lte=today + timedelta(days=days),
                                 person__custody_spells__is_current=True)
             .select_related("person").order_by("due", "id"))
    if prison:
        tasks = tasks.filter(person__custody_spells__prison_code=prison)
    return tasks.distinct()


def needs_of(person: Person) -> tuple[NeedsAssessment | None, int]:
    """The needs assessment in force (the latest) with its needs in the seed's order, and
    how many assessments there are."""
    assessments = NeedsAssessment.objects.filter(person=person)
    latest = (assessments.select_related("recorded_by").order_by("-id").first())
    if latest is not None:
        order = {area: index for index, (area, _) in enumerate(NEED_AREAS)}
        latest.ordered_needs = sorted(latest.needs.all(),
                                      key=lambda need: order[need.area])
    return latest, assessments.count()
