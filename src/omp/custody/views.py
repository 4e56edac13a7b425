"""Custody case management pages: the tasks and needs parts of the case page, marking a
task done, the tasks due across cases (PATH-2..5), and the needs assessment (NEED-1).
Views read and call actions only; every case they show is opened through
:func:`omp.cases.access.open_case` (role check and access log).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omp.access import CASE_READERS, TASK_WORKERS, has_role, role_required
from omp.cases.access import open_case
from omp.cases.actions import ActionError
from omp.cases.models import Prison
from omp.cases.sections import CasePage, CasePagePart
from omp.clock import today
from omp.custody.actions import complete_task, record_needs_assessment
from omp.custody.forms import NeedsForm
from omp.custody.queries import needs_of, tasks_due, tasks_of


def _tasks_part(page: CasePage) -> dict[str, Any]:
    open_tasks, done = tasks_of(page.person)
    return {"open_tasks": open_tasks, "done_tasks": done, "tasks_today": page.today,
            "can_work_tasks": has_role(page.request.user, TASK_WORKERS)}


def _needs_part(page: CasePage) -> dict[str, Any]:
    latest, count = needs_of(page.person)
    return {"needs_assessment": latest, "needs_versions": count,
            "can_assess_needs": has_role(page.request.user, TASK_WORKERS)}


#: The pathway's tasks on the case page, after responsibility and handover, then the needs.
TASKS_PART = CasePagePart("tasks", 25, "custody/_tasks.html", _tasks_part)
NEEDS_PART = CasePagePart("needs", 27, "custody/_needs.html", _needs_part)


@require_http_methods(["GET", "POST"])
@role_required(TASK_WORKERS)
def needs_assessment(request: HttpRequest, case_ref: str) -> HttpResponse:
    """Record a needs assessment across the seven pathways (NEED-1), starting from the one
    in force."""
    person = open_case(request, case_ref, "web")
    latest, _count = needs_of(person)
    initial = {}
    if latest is not None:
        for need in latest.ordered_needs:
            initial[f"level_{need.area}"] = need.level
            initial[f"detail_{need.area}"] = need.detail
    form = NeedsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record_needs_assessment(request.user, person, form.levels(), form.details())
        except ActionError as error:
            for field, message in getattr(error, "problems", [(error.field, error.message)]):
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "The needs assessment is recorded.")
            return redirect(reverse("case-detail", args=[person.case_ref]) + "#needs")
    return render(request, "custody/needs.html",
                  {"person": person, "form": form, "latest": latest, "nav_section": "cases"},
                  status=400 if form.errors else 200)


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
