"""Custody case management pages: the tasks and needs parts of the case page, marking a
task done, the tasks due across cases (PATH-2..5), the needs assessment (NEED-1), and the
support plan with its actions and fortnightly reviews (NEED-1, PATH-6).
Views read and call actions only; every case they show is opened through
:func:`omp.cases.access.open_case` (role check and access log).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omp.access import (
    CASE_READERS,
    CASELOAD_ALLOCATORS,
    CASELOAD_MANAGERS,
    TASK_WORKERS,
    has_role,
    role_required,
)
from omp.cases.access import open_case, withheld_ids, without_withheld
from omp.cases.actions import ActionError
from omp.cases.forms import DateBoxesField
from omp.cases.models import Prison
from omp.cases.sections import CasePage, CasePagePart
from omp.clock import today
from omp.config import get_settings
from omp.custody.actions import (
    CAP_WARNING_MARGIN,
    allocate_case_manager,
    change_provision,
    complete_task,
    record_compact,
    record_needs_assessment,
    record_release_address_area,
)
from omp.custody.forms import (
    AllocationForm,
    ChangeActionForm,
    NeedsForm,
    PlanReviewForm,
    ProvisionForm,
    ReleaseAreaForm,
    SupportActionForm,
)
from omp.custody.models import (
    NEED_LEVELS,
    Compact,
    LocalArea,
    Need,
    NeedsAssessment,
    SupportAction,
)
from omp.custody.queries import (
    Caseload,
    case_managers_of,
    caseloads,
    my_caseload,
    needs_of,
    support_plan_of,
    tasks_due,
    tasks_of,
)
from omp.custody.support_plan import add_action, change_action, open_actions, record_review
from omp.custody.timeline import KINDS, timeline_of
from omp.rules.pathway import PATHWAY_TITLES
from omp.rules.support_plan import LEVELS_WITH_A_NEED
from omp.rules.workqueue import within


def _tasks_part(page: CasePage) -> dict[str, Any]:
    open_tasks, done = tasks_of(page.person)
    return {"open_tasks": open_tasks, "done_tasks": done, "tasks_today": page.today,
            "can_work_tasks": has_role(page.request.user, TASK_WORKERS)}


def _needs_part(page: CasePage) -> dict[str, Any]:
    latest, count = needs_of(page.person)
    return {"needs_assessment": latest, "needs_versions": count,
            "can_assess_needs": has_role(page.request.user, TASK_WORKERS),
            "has_custody_record": page.has_custody_record}


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
    # LAO-1, LAO-2: a case the user may not open is left out of the list.
    rows = list(without_withheld(request.user, tasks_due(on, 14, prison))[:500])
    return render(request, "custody/tasks.html", {
        "rows": rows, "today": on, "prisons": prisons, "prison": prison,
        "overdue": sum(1 for t in rows if t.due < on), "nav_section": "tasks"})


def _case_managers_part(page: CasePage) -> dict[str, Any]:
    return {"case_managers": case_managers_of(page.person),
            "can_allocate": has_role(page.request.user, CASELOAD_ALLOCATORS),
            "has_timeline": page.has_custody_record}


#: Who holds the case, before its tasks.
CASE_MANAGERS_PART = CasePagePart("case_managers", 23, "custody/_case_managers.html",
                                  _case_managers_part)


@require_http_methods(["GET", "POST"])
@role_required(CASELOAD_ALLOCATORS)
def allocate(request: HttpRequest, case_ref: str) -> HttpResponse:
    """Allocate a custody or community case manager (PATH-6): the least loaded first, each
    with their caseload, a warning near the cap and a manager's reason past it."""
    person = open_case(request, case_ref, "web")
    form = AllocationForm(request.POST if request.method == "POST" else None,
                          initial={"kind": request.GET.get("kind", "custody")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        manager = User.objects.filter(username=data["manager"], is_active=True).first()
        try:
            result = allocate_case_manager(request.user, person, manager, data["kind"],
                                           data["over_cap_reason"])
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"{result.allocation.get_kind_display()}: "
                                      f"{manager.get_full_name() or manager.get_username()}.")
            if result.warning:
                messages.warning(request, result.warning)
            return redirect(reverse("case-detail", args=[person.case_ref]) + "#case-managers")
    settings = get_settings()
    return render(request, "custody/allocate.html", {
        "person": person, "form": form, "loads": caseloads(), "cap": settings.caseload_cap,
        "near": settings.caseload_cap - CAP_WARNING_MARGIN,
        "current": case_managers_of(person), "nav_section": "cases",
        "can_pass_cap": has_role(request.user, CASELOAD_MANAGERS)},
        status=400 if form.errors else 200)


def caseload_chart(loads: list[Caseload], cap: int, floor: int) -> dict[str, Any]:
    """A Vega-Lite bar chart of each case manager's caseload by kind, with the cap and the
    floor drawn as rules."""
    values = [{"manager": load.name, "kind": kind, "people": n}
              for load in loads for kind, n in (("Custody", load.custody),
                                                ("Community", load.community))]
    bars = {"mark": "bar", "encoding": {
        "y": {"field": "manager", "type": "nominal", "title": None, "sort": "-x"},
        "x": {"field": "people", "type": "quantitative", "title": "People held",
              "stack": True},
        "color": {"field": "kind", "type": "nominal", "title": "Case manager",
                  "scale": {"range": ["#1d70b8", "#00703c"]}},
        "tooltip": [{"field": "manager", "title": "Case manager"},
                    {"field": "kind", "title": "Kind"}, {"field": "people", "title": "People"}],
    }}
    rules = {"data": {"values": [{"limit": "Cap", "people": cap},
                                 {"limit": "Floor", "people": floor}]},
             "mark": {"type": "rule", "strokeDash": [4, 3]},
             "encoding": {"x": {"field": "people", "type": "quantitative"},
                          "strokeDash": {"field": "limit", "type": "nominal",
                                         "title": "Limits"},
                          "color": {"value": "#d4351c"}}}
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "title": "Caseloads by case manager", "width": "container",
            "height": max(120, 28 * len(loads)), "data": {"values": values},
            "layer": [bars, rules]}


@require_GET
@role_required(CASELOAD_ALLOCATORS)
def caseload_view(request: HttpRequest) -> HttpResponse:
    """PATH-6: every case manager's caseload against the cap and the floor, as a chart and
    a table."""
    settings = get_settings()
    loads = caseloads()
    return render(request, "custody/caseloads.html", {
        "loads": loads, "cap": settings.caseload_cap, "floor": settings.caseload_floor,
        "near": settings.caseload_cap - CAP_WARNING_MARGIN, "nav_section": "tasks",
        "chart": caseload_chart(loads, settings.caseload_cap, settings.caseload_floor)})


@require_GET
@role_required(TASK_WORKERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    """A case manager's day: the people they hold in work-queue order (need × time to
    release, the ordering explained), their tasks overdue and due this week, and the
    releases in the next 8 weeks."""
    on = today()
    withheld = withheld_ids(request.user)  # LAO-1, LAO-2: left out of the lists
    rows = [row for row in my_caseload(request.user, on)
            if row.allocation.person_id not in withheld]
    cap = get_settings().caseload_cap
    return render(request, "custody/dashboard.html", {
        "rows": rows, "today": on, "cap": cap, "near": cap - CAP_WARNING_MARGIN,
        "overdue": sum(row.overdue for row in rows),
        "due_this_week": sum(row.due_this_week for row in rows),
        "releases": sorted((row for row in rows if within(row.release, on, 8)),
                           key=lambda row: row.release or on),
        "pathway_titles": PATHWAY_TITLES, "nav_section": "tasks"})


def _compact_part(page: CasePage) -> dict[str, Any]:
    compact = Compact.objects.filter(person=page.person).first()
    changes = list(compact.history.select_related("history_user").order_by("-history_id")
                   ) if compact else []
    return {"compact": compact, "compact_changes": changes,
            "can_change_compact": has_role(page.request.user, TASK_WORKERS),
            "has_custody_record": page.has_custody_record}


#: PATH-7: the compact and the provision, after the needs and the support plan.
COMPACT_PART = CasePagePart("compact", 29, "custody/_compact.html", _compact_part)


@require_http_methods(["GET", "POST"])
@role_required(TASK_WORKERS)
def compact(request: HttpRequest, case_ref: str) -> HttpResponse:
    """PATH-7: record the compact, or move the person to basic provision (or back) with a
    reason."""
    person = open_case(request, case_ref, "web")
    form = ProvisionForm(request.POST if request.method == "POST" else None)
    current = Compact.objects.filter(person=person).first()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("record") == "yes":
                record_compact(request.user, person)
                messages.success(request, "The compact is recorded as agreed today.")
            else:
                changed = change_provision(request.user, person, data["provision"],
                                           data["reason"])
                messages.success(request, f"{changed.get_provision_display()} from today.")
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect(reverse("case-detail", args=[person.case_ref]) + "#compact")
    return render(request, "custody/compact.html",
                  {"person": person, "form": form, "compact": current, "nav_section": "cases"},
                  status=400 if form.errors else 200)


def _support_plan_part(page: CasePage) -> dict[str, Any]:
    # The needs and tasks parts come first and have read the assessment in force and the
    # open tasks; the plan reuses them rather than reading them again.
    known = {name: page.context[key] for name, key in
             (("assessment", "needs_assessment"), ("open_tasks", "open_tasks"))
             if key in page.context}
    return {"support_plan": support_plan_of(page.person, page.today, **known),
            "can_plan": has_role(page.request.user, TASK_WORKERS),
            "has_custody_record": page.has_custody_record}


#: NEED-1, PATH-6: the support plan in short, after the needs it is written from.
SUPPORT_PLAN_PART = CasePagePart("support_plan", 28, "custody/_support_plan.html",
                                 _support_plan_part)


def _add_problems(form: Any, error: ActionError) -> None:
    """Each field an action refused onto the form (a field the form has not, onto the
    whole form), but for a date the form could not read: its own error says why."""
    for field, message in getattr(error, "problems", [(error.field, error.message)]):
        if field in form.fields and form.errors.get(field):
            continue
        form.add_error(field if field in form.fields else None, message)


def _to_the_action(form: Any) -> bool:
    """Whether to ask the action: when the form is valid, and also when only its date boxes
    are at fault. Such a date reaches the action empty, which it refuses, so nothing is
    saved, but every other field at fault is named at once with the date."""
    form.is_valid()
    return all(isinstance(form.fields.get(name), DateBoxesField) for name in form.errors)


def _plan_url(person: Any, anchor: str = "") -> str:
    return reverse("custody-support-plan", args=[person.case_ref]) + anchor


@require_GET
@role_required(CASE_READERS)
def support_plan(request: HttpRequest, case_ref: str) -> HttpResponse:
    """NEED-1, PATH-6: the person's support plan: the actions by pathway beside the need
    found there (owner, due date, status, overdue, the referral), the reviews with the
    progress of each action, and the next review due. Case managers and offender managers
    change it; everyone else who may open the case reads it."""
    person = open_case(request, case_ref, "web")
    return render(request, "custody/support_plan.html", {
        "person": person, "plan": support_plan_of(person, today()),
        "can_plan": has_role(request.user, TASK_WORKERS), "nav_section": "cases"})


def _levels_with_a_need(person: Any) -> dict[str, str]:
    """Each pathway the needs assessment in force found a need in, with its level in words."""
    latest = NeedsAssessment.objects.filter(person=person).order_by("-id").first()
    words = dict(NEED_LEVELS)
    return {need.area: words[need.level] for need in Need.objects.filter(assessment=latest)
            if need.level in LEVELS_WITH_A_NEED} if latest else {}


@require_http_methods(["GET", "POST"])
@role_required(TASK_WORKERS)
def support_action_new(request: HttpRequest, case_ref: str) -> HttpResponse:
    """NEED-1: add an action to the support plan, for a pathway with a need."""
    person = open_case(request, case_ref, "web")
    form = SupportActionForm(request.POST if request.method == "POST" else None,
                             initial={"area": request.GET.get("area", "")})
    if request.method == "POST" and _to_the_action(form):
        data = form.cleaned_data
        try:
            added = add_action(request.user, person, data["area"], data["action"],
                               data["owner"], data.get("due"), data["referral_reference"],
                               data["notes"])
        except ActionError as error:
            _add_problems(form, error)
        else:
            messages.success(request, f"Action added for {added.get_area_display().lower()}.")
            return redirect(_plan_url(person, f"#area-{added.area}"))
    levels = _levels_with_a_need(person)
    return render(request, "custody/support_action.html", {
        "person": person, "form": form, "areas": form.area_choices(levels),
        "assessed": NeedsAssessment.objects.filter(person=person).exists(),
        "nav_section": "cases"}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(TASK_WORKERS)
def support_action_change(request: HttpRequest, case_ref: str, action_id: int
                          ) -> HttpResponse:
    """NEED-1: change an action's status, notes, due date or referral."""
    person = open_case(request, case_ref, "web")
    action = SupportAction.objects.filter(pk=action_id, person=person).first()
    if action is None:
        raise Http404("There is no such action in this person's plan")
    form = ChangeActionForm(request.POST if request.method == "POST" else None, initial={
        "status": action.status, "due": action.due, "notes": action.notes,
        "referral_reference": action.referral_reference})
    if request.method == "POST" and _to_the_action(form):
        data = form.cleaned_data
        try:
            changed = change_action(request.user, person, action.pk, data["status"],
                                    data["notes"], data.get("due"),
                                    data["referral_reference"])
        except ActionError as error:
            _add_problems(form, error)
        else:
            messages.success(request, f"Action changed: {changed.get_status_display()}.")
            return redirect(_plan_url(person, f"#area-{changed.area}"))
    changes = list(action.history.select_related("history_user").order_by("-history_id"))
    return render(request, "custody/support_action_change.html", {
        "person": person, "form": form, "action": action, "changes": changes,
        "nav_section": "cases"}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(TASK_WORKERS)
def plan_review(request: HttpRequest, case_ref: str) -> HttpResponse:
    """PATH-6: record the fortnightly review of the support plan: the day it was held, a
    summary, and the progress and status after it of every open action."""
    person = open_case(request, case_ref, "web")
    actions = open_actions(person)
    form = PlanReviewForm(request.POST if request.method == "POST" else None, actions=actions)
    if request.method == "POST" and _to_the_action(form):
        data = form.cleaned_data
        try:
            review = record_review(request.user, person, data.get("held_on"),
                                   data["summary"], form.progress())
        except ActionError as error:
            _add_problems(form, error)
        else:
            messages.success(request, f"The review held on {review.reviewed_on:%-d %B %Y} "
                                      "is recorded.")
            return redirect(_plan_url(person, "#reviews"))
    plan = support_plan_of(person, today())
    return render(request, "custody/plan_review.html", {
        "person": person, "form": form, "plan": plan, "nav_section": "cases"},
        status=400 if form.errors else 200)


@require_GET
@role_required(CASE_READERS)
def timeline(request: HttpRequest, case_ref: str) -> HttpResponse:
    """The person's timeline: arrival, transfers and release, pathway changes, case
    managers, needs assessments, tasks due and done, the support plan, the compact and
    referrals, in date order (the oldest first, or the newest with ``?order=newest``)."""
    person = open_case(request, case_ref, "web")
    on = today()
    entries = timeline_of(person, request.user, on)
    newest = request.GET.get("order") == "newest"
    if newest:
        entries.reverse()
    counts = {kind: sum(1 for e in entries if e.kind == kind) for kind in KINDS}
    return render(request, "custody/timeline.html", {
        "person": person, "entries": entries, "today": on, "newest": newest,
        "counts": {kind: n for kind, n in counts.items() if n}, "nav_section": "cases"})


@require_http_methods(["GET", "POST"])
@role_required(TASK_WORKERS)
def release_area(request: HttpRequest, case_ref: str) -> HttpResponse:
    """PATH-5: record where the person will live after release, one of the releasing
    prison's local areas or somewhere else, which decides the through-the-gate support."""
    from omp.cases.models import CustodySpell
    from omp.rules.tasks import ReleasePlace, release_is_local

    person = open_case(request, case_ref, "web")
    spell = (CustodySpell.objects.filter(person=person, is_current=True).order_by("-id")
             .first())
    if spell is None:
        raise Http404("The person is not in custody")
    prison = Prison.objects.filter(code=spell.prison_code).first()
    prison_name = prison.name if prison else spell.prison_code or "The prison"
    areas = tuple(LocalArea.objects.filter(prison__code=spell.prison_code)
                  .order_by("name").values_list("name", flat=True))
    form = ReleaseAreaForm(request.POST if request.method == "POST" else None,
                           local_areas=areas)
    if request.method == "GET":
        form.initial_for(spell.release_address_area)
    elif form.is_valid():
        try:
            spell = record_release_address_area(request.user, person, form.area())
        except ActionError as error:
            form.add_error("elsewhere" if form.cleaned_data["choice"] == "elsewhere"
                           else "choice", error.message)
        else:
            codes = tuple(LocalArea.objects.filter(prison__code=spell.prison_code,
                                                   pdu__isnull=False)
                          .values_list("pdu__code", flat=True))
            _, why = release_is_local(ReleasePlace(prison_name, spell.release_address_area,
                                                   areas or None, codes))
            messages.success(request, f"{why}.")
            return redirect(reverse("case-detail", args=[person.case_ref]) + "#tasks")
    return render(request, "custody/release_area.html", {
        "person": person, "form": form, "prison_name": prison_name, "areas": areas,
        "nav_section": "cases"}, status=400 if form.errors else 200)
