"""Decisions pages: the allocation and handover parts of the case page, the RSR/OSP form
(ALLOC-4..6), the override form, the custody-dates form, the staff lists of upcoming
handovers and the what-if projection (HAND-3, HAND-4). Views read and call actions only;
every case they show is opened through :func:`omp.cases.access.open_case`, which checks
the role and logs the access."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from omp import csv_safe
from omp.access import (
    CASE_READERS,
    CUSTODY_EDITORS,
    OVERRIDE_EDITORS,
    RSR_OSP_EDITORS,
    role_required,
)
from omp.cases.access import open_case, withheld_people, without_withheld
from omp.cases.actions import ActionError, log_people_listed
from omp.cases.display import LEVELS, percent_words
from omp.cases.facts import facts_for_person
from omp.cases.sections import CasePage, CasePagePart
from omp.clock import today
from omp.decisions.actions import (
    PolicyInputError,
    end_override,
    record_custody_dates,
    record_override,
    record_rsr_osp,
)
from omp.decisions.forms import CustodyDatesForm, OverrideForm, ScoresForm
from omp.decisions.handover_queries import handover_context
from omp.decisions.models import AllocationDecision, ResponsibilityOverride
from omp.decisions.queries import NOT_HELD, decision_context
from omp.rules.allocation import why_not_held
from omp.rules.pathway import PATHWAY_TITLES


def _allocation_part(page: CasePage) -> dict[str, Any]:
    context = decision_context(page.person, page.at)
    decision = context["decision"]
    # ALLOC-4: a criterion that did not hold says what the data showed, from the facts of
    # the same day as the page (today's, or those known by the end of the day asked for).
    for row in context.get("checklist", []):
        if row.status == NOT_HELD:
            row.details.append(why_not_held(page.facts, row.rule))
    # The facts part shows the tier the decision used.
    context.update(tier_used=decision.tier if decision else "",
                   tier_used_source=decision.tier_source if decision else "")
    return context


def _pathway_part(page: CasePage) -> dict[str, Any]:
    decision = page.context.get("decision")
    pathway = decision.pathway if decision is not None else None
    return {"pathway_title": PATHWAY_TITLES.get(pathway or 0, "No pathway decided")}


def _handover_part(page: CasePage) -> dict[str, Any]:
    return handover_context(page.person, page.at, page.today)


#: What the decisions domain shows on the case page: the allocation first, then the
#: pathway (PATH-1) and the handover; the facts (the case record's part) come between them
#: and the history.
CASE_PAGE_PARTS = (
    CasePagePart("allocation", 10, "decisions/_allocation.html", _allocation_part),
    CasePagePart("pathway", 15, "decisions/_pathway.html", _pathway_part),
    CasePagePart("handover", 20, "decisions/_handover.html", _handover_part),
    CasePagePart("history", 40, "decisions/_history.html", lambda page: {}),
)


@require_http_methods(["GET", "POST"])
@role_required(RSR_OSP_EDITORS)
def case_scores(request: HttpRequest, case_ref: str) -> HttpResponse:
    """Record a new RSR score and/or OSP level; the decision is recomputed at once."""
    person = open_case(request, case_ref, "web")
    form = ScoresForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        rsr, osp = form.cleaned_data["rsr_percent"], form.cleaned_data["osp"]
        try:
            decision = record_rsr_osp(request.user, person, rsr=rsr, osp=osp or None)
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _saved_message(rsr, osp, decision))
            return redirect("case-detail", case_ref=person.case_ref)
    facts = facts_for_person(person, today())
    current = {"rsr": percent_words(facts.rsr_percent),
               "rsr_on": facts.recorded.get("risk.rsr_percent"),
               "osp": LEVELS.get(facts.osp or "", facts.osp),
               "osp_on": facts.recorded.get("risk.osp")}
    return render(request, "decisions/scores.html",
                  {"person": person, "form": form, "current": current, "nav_section": "cases"},
                  status=400 if form.errors else 200)


def _saved_message(rsr: str, osp: str, decision: AllocationDecision) -> str:
    recorded = []
    if rsr.strip():
        recorded.append(f"RSR score {rsr.strip()}%")
    if osp:
        recorded.append(f"OSP level {LEVELS.get(osp, osp).lower()}")
    return f"Recorded {' and '.join(recorded)}. The allocation is now {decision.label}."


@require_http_methods(["GET", "POST"])
@role_required(OVERRIDE_EDITORS)
def case_override(request: HttpRequest, case_ref: str) -> HttpResponse:
    """Record, change or end a responsibility override (HANDOVER §1.1)."""
    person = open_case(request, case_ref, "web")
    form = OverrideForm(request.POST if request.method == "POST" else None)
    active = (ResponsibilityOverride.objects.filter(person=person, ended_at__isnull=True)
              .order_by("-id").first())
    if request.method == "POST":
        try:
            if request.POST.get("end") == "yes":
                end_override(request.user, person)
                messages.success(request, "The override is ended: the calculated "
                                          "responsibility applies again.")
                return redirect("case-detail", case_ref=person.case_ref)
            if form.is_valid():
                data = form.cleaned_data
                override = record_override(request.user, person, data["value"],
                                           data["reason"], data["reason_text"])
                messages.success(request, f"Responsibility is now set to "
                                          f"{override.get_value_display()}.")
                return redirect("case-detail", case_ref=person.case_ref)
        except PolicyInputError as error:
            for field, message in error.problems:
                form.add_error(field if field in form.fields else None, message)
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    return render(request, "decisions/override.html",
                  {"person": person, "form": form, "active": active, "nav_section": "cases"},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(CUSTODY_EDITORS)
def case_custody(request: HttpRequest, case_ref: str) -> HttpResponse:
    """Correct the custody dates; contradictory dates are refused with the field named."""
    person = open_case(request, case_ref, "web")
    spell = person.custody_spells.filter(is_current=True).order_by("-id").first()
    if spell is None:
        raise PermissionDenied("The person has no current custody spell")
    from omp.cases.actions import EDITABLE_CUSTODY_DATES

    initial = {name: getattr(spell, name) for name in EDITABLE_CUSTODY_DATES}
    form = CustodyDatesForm(request.POST if request.method == "POST" else None,
                            initial_dates=initial)
    if request.method == "POST" and form.is_valid():
        # Only the dates the form sent: a field left out is not a date cleared.
        changes = {name: value for name, value in form.cleaned_data.items()
                   if not form.fields[name].widget.value_omitted_from_data(
                       request.POST, None, name) and value != initial[name]}
        try:
            if changes:
                record_custody_dates(request.user, person, changes)
        except ActionError as error:
            name = error.field.removeprefix("custody.")
            form.add_error(name if name in form.fields else None, error.message)
        else:
            messages.success(request, "Custody dates saved; responsibility and handover "
                                      "were worked out again." if changes else
                                      "Nothing changed.")
            return redirect("case-detail", case_ref=person.case_ref)
    return render(request, "decisions/custody.html",
                  {"person": person, "form": form, "nav_section": "cases"},
                  status=400 if form.errors else 200)


_COLUMNS = (("handover_date", "Handover date"), ("case_ref", "Case"), ("name", "Name"),
            ("prison", "Prison"), ("pdu", "PDU"))
_CSV_HEADER = ["case_ref", "name", "prison", "prison_name", "pdu", "pdu_name",
               "responsibility", "start_date", "handover_date", "reason", "reason_in_words",
               "policy_version", "com_name", "com_email"]


def _list_query(request: HttpRequest) -> Any:
    from omp.decisions.handover_lists import LISTS, SORTS, ListQuery

    kind = request.GET.get("list", "upcoming")
    sort = request.GET.get("sort", "handover_date")
    return ListQuery(kind if kind in LISTS else "upcoming",
                     request.GET.get("prison", "").strip()[:5],
                     request.GET.get("pdu", "").strip()[:10],
                     sort if sort in SORTS else "handover_date",
                     request.GET.get("dir") == "desc")


@require_GET
@role_required(CASE_READERS)
def handover_lists(request: HttpRequest) -> HttpResponse:
    """Upcoming handovers, cases in handover and COM allocation overdue, per prison or PDU,
    sortable and downloadable as CSV (HAND-3, HANDOVER §4.9)."""
    from django.core.paginator import Paginator
    from django.utils.http import urlencode

    from omp.cases.models import Prison, ProbationDeliveryUnit
    from omp.decisions.handover_lists import LISTS, handover_list

    query = _list_query(request)
    asked = request.GET.get("list", "")
    # A list that does not exist is said so, not silently replaced by the first list.
    unknown_list = asked if asked and asked not in LISTS else ""
    # LAO-1, LAO-2: a case the user may not open is left out of the list and its CSV.
    rows = without_withheld(request.user, handover_list(query, today()))
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        scope = query.prison or query.pdu or "all"
        response["Content-Disposition"] = (
            f'attachment; filename="{query.kind}-{scope}-{today().isoformat()}.csv"')
        writer = csv_safe.writer(response)
        writer.writerow(_CSV_HEADER)
        listed: list[Any] = []
        for row in rows.iterator(chunk_size=2_000):
            p = row.person
            writer.writerow([p.case_ref, p.full_name, row.prison_code or "",
                             row.prison_name or "", p.pdu.code if p.pdu else "",
                             p.pdu.name if p.pdu else "", row.responsibility,
                             row.start_date or "", row.handover_date or "", row.record.reason,
                             row.record.reason_title, row.record.policy_version, p.com_name,
                             p.com_email])
            listed.append(p)
            if len(listed) == 2_000:
                log_people_listed(request.user, listed, "csv", request.get_full_path())
                listed = []
        # Every person in the download is logged as read through it.
        log_people_listed(request.user, listed, "csv", request.get_full_path())
        return response
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    base = {"list": query.kind, "prison": query.prison, "pdu": query.pdu}

    def link(**changes: Any) -> str:
        return "?" + urlencode({k: v for k, v in {**base, **changes}.items() if v})

    columns = []
    for key, title in _COLUMNS:
        aria = ("descending" if query.descending else "ascending") if query.sort == key \
            else "none"
        columns.append((title, link(sort=key, dir="desc" if aria == "ascending" else ""), aria))
    return render(request, "decisions/lists.html", {
        "query": query, "list_title": LISTS[query.kind], "page": page, "today": today(),
        "unknown_list": unknown_list,
        "withheld": handover_list(query, today()).filter(
            person_id__in=withheld_people(request.user)).count(),
        "tabs": [(title, link(list=kind, sort=query.sort), kind == query.kind)
                 for kind, title in LISTS.items()],
        "columns": columns,
        "csv_link": link(sort=query.sort, dir="desc" if query.descending else "",
                         format="csv"),
        "page_query": link(sort=query.sort, dir="desc" if query.descending else "")[1:] + "&",
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1,
                                                           on_ends=1),
        "prisons": Prison.objects.order_by("name"),
        "pdus": ProbationDeliveryUnit.objects.order_by("name"),
        "nav_section": "handovers",
        "until": today() + timedelta(days=55),
    })


#: The what-if chart's two lines, as its legend and the table name them.
WHAT_IF_SERIES = ("Policy in force", "With the change")


def what_if_chart(rows: list[tuple[date, int, int]], title: str) -> dict[str, Any]:
    """A Vega-Lite line chart of monthly COM take-ons, policy in force against scenario."""
    values = [{"month": m.isoformat(), "series": series, "cases": n}
              for m, base, new in rows
              for series, n in ((WHAT_IF_SERIES[0], base), (WHAT_IF_SERIES[1], new))]
    # One legend for colour and dash (the same field and legend merge into one), above the
    # chart, so each line is named: the policy in force solid blue, the change dashed red.
    legend = {"title": None, "orient": "top", "symbolStrokeWidth": 3, "labelFontSize": 14}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title, "width": "container", "height": 280,
        "data": {"values": values},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "month", "type": "temporal", "timeUnit": "yearmonth",
                  "title": "Month", "axis": {"format": "%b %Y"}},
            "y": {"field": "cases", "type": "quantitative", "title": "Cases COMs take on"},
            "color": {"field": "series", "type": "nominal", "legend": legend,
                      "scale": {"domain": list(WHAT_IF_SERIES), "range": ["#1d70b8", "#d4351c"]}},
            "strokeDash": {"field": "series", "type": "nominal", "legend": legend,
                           "scale": {"domain": list(WHAT_IF_SERIES), "range": [[1, 0], [6, 3]]}},
            "tooltip": [{"field": "month", "type": "temporal", "timeUnit": "yearmonth",
                         "title": "Month"},
                        {"field": "series", "title": "Projection"},
                        {"field": "cases", "title": "Cases"}],
        },
    }


@require_GET
@role_required(CASE_READERS)
def what_if(request: HttpRequest) -> HttpResponse:
    """HAND-4: a policy change from a date, and month by month how many cases each PDU's
    COMs would take on, as a chart and a table (and CSV)."""
    from omp.decisions.forms import WhatIfForm
    from omp.decisions.recompute import policy_versions
    from omp.decisions.what_if import project

    versions = policy_versions()
    form = WhatIfForm(request.GET or None, versions=versions)
    from omp.cases.models import ProbationDeliveryUnit, Region

    context: dict[str, Any] = {
        "form": form, "nav_section": "handovers", "projection": None, "versions": versions,
        "regions": Region.objects.order_by("name"),
        "pdus": ProbationDeliveryUnit.objects.order_by("name"),
        "example": "?version=E&handover_era=B&levelled_up=on&scope=England&start=2027-04-01",
    }
    if request.GET and form.is_valid():
        policy, start = form.scenario(), form.cleaned_data["start"]
        projection = project(policy, start, today())
        pdu = form.cleaned_data.get("pdu") or None
        rows = projection.monthly(pdu)
        if request.GET.get("format") == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="what-if-{policy.name}-{start.isoformat()}.csv"')
            writer = csv_safe.writer(response)
            writer.writerow(["pdu_code", "month", "policy_in_force", "scenario"])
            for code in projection.pdus():
                for month, base, new in projection.monthly(code):
                    writer.writerow([code, month.isoformat()[:7], base, new])
            return response
        name = projection.pdu_names.get(pdu, pdu) if pdu else "all PDUs"
        context.update(
            projection=projection, rows=[(m, b, s, s - b) for m, b, s in rows],
            by_pdu=[(code, pdu_name, b, s, s - b, first)
                    for code, pdu_name, b, s, first in projection.by_pdu()],
            chart=what_if_chart(rows, f"Cases COMs take on each month, {name}"),
            scope_name=name, csv_link="?" + request.GET.urlencode() + "&format=csv",
            totals=(sum(r[1] for r in rows), sum(r[2] for r in rows)))
    return render(request, "decisions/what_if.html", context,
                  status=400 if form.errors else 200)
