"""Custody case management pages: the tasks part of the case page, marking a task done,
and the tasks due across cases (PATH-2..5). Views read and call actions only; every case
they show is opened through :func:`omp.cases.access.open_case` (role check and access log).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from omp.access import CASE_READERS, TASK_WORKERS, has_role, role_required
from omp.cases.access import open_case
from omp.cases.actions import ActionError
from omp.cases.models import Prison
from omp.cases.sections import CasePage, CasePagePart
from omp.clock import today
from omp.custody.actions import complete_task
from omp.custody.queries import tasks_due, tasks_of


def _tasks_part(page: CasePage) -> dict[str, Any]:
    open_tasks, done = tasks_of(page.person)
    return {"open_tasks": open_tasks, "done_tasks": done, "tasks_today": page.today,
            "can_work_tasks": has_role(page.request.user, TASK_WORKERS)}


#: The pathway's tasks on the case page, after responsibility and handover.
TASKS_PART = CasePagePart("tasks", 25, "custody/_tasks.html", _tasks_part)


@require_POST
@role_required(TASK_WORKERS)
def task_done(request: HttpRequest, case_ref: str, task_id: int) -> HttpResponse:
    """Mark one of the person's tasks as done."""
    person = open_case(request, case_ref, "web")
    try:
        task = complete_task(request.user, task_id, person)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Marked as done: {task.title}.")
    return redirect("case-detail", case_ref=person.case_ref)


@require_GET
@role_required(CASE_READERS)
def tasks(request: HttpRequest) -> HttpResponse:
    """Tasks overdue and due in the next two weeks across the people in custody, the most
    overdue first, for one prison or all."""
    prisons = {p.code: p.name for p in Prison.objects.order_by("name")}
    prison = request.GET.get("prison") or None
    if prison not in prisons:
        prison = None
    on = today()
    rows = list(tasks_due(on, 14, prison)[:500])
    return render(request, "custody/tasks.html", {
        "rows": rows, "today": on, "prisons": prisons, "prison": prison,
        "overdue": sum(1 for t in rows if t.due < on), "nav_section": "tasks"})
