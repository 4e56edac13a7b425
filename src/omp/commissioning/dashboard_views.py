"""The commissioner's dashboard page: every contract's KPIs with their RAG rating for a
month (a chart of ratings per contract and the matrix under it), the areas' payment
statements and the gaming checks' flags; filterable by region, contract package area,
provider and month, printable, each table downloadable as CSV. For commissioners,
contract managers, analysts and admins: aggregates only."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from omp import csv_safe
from omp.access import COMMISSIONING_READERS, role_required
from omp.commissioning.dashboard import (
    RAG_LABELS,
    gaming_flags,
    kpi_matrix,
    payments,
    rag_chart,
)
from omp.commissioning.forms import DashboardFilterForm
from omp.commissioning.kpi_report import figure_text
from omp.commissioning.queries import filter_choices
from omp.commissioning.views import read_filters
from omp.outcomes.web.views.results import data_dir
from omp.rules.commissioning_cycle import STAGE_WORDS
from omp.rules.payment import pounds


def _month(text: str) -> date | None:
    """The month asked for (``YYYY-MM``), or ``None`` for the latest computed."""
    try:
        return date.fromisoformat(f"{text.strip()}-01") if text.strip() else None
    except ValueError:
        return None


def _kpi_csv(matrix: Any) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    month = matrix.month.strftime("%Y-%m") if matrix.month else "none"
    response["Content-Disposition"] = f'attachment; filename="kpis-{month}.csv"'
    writer = csv_safe.writer(response)
    writer.writerow(["contract", "contract_name", "provider", "area", "month", "kpi_code",
                     "kpi", "figure", "rating", "target", "why_no_figure"])
    for row in matrix.rows:
        for code, name in matrix.kpis:
            cell = row.cells.get(code)
            if cell is None:
                continue
            figure = cell["figure"]
            writer.writerow([row.reference, row.name, row.provider, row.cpa, month, code, name,
                             figure_text(figure.value, "") if figure else "",
                             figure.rag_words if figure else "No data",
                             cell["kpi"].target_text, figure.why_not if figure else ""])
    return response


def _payments_csv(rows: list[Any]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="payments.csv"'
    writer = csv_safe.writer(response)
    writer.writerow(["area", "cohort", "binary_rate_percent", "target_percent",
                     "total_payment_pounds", "withheld"])
    for row in rows:
        writer.writerow([row.area, row.cohort, row.binary_rate or "", row.target or "",
                         row.total if row.total is not None else "", row.withheld or ""])
    return response


@require_GET
@role_required(COMMISSIONING_READERS)
def commissioner_dashboard(request: HttpRequest) -> HttpResponse:
    """Every contract's KPIs with RAG, the payments and the gaming flags, filtered."""
    choices = filter_choices()  # read once: the filters and the page's form both use them
    _, filters = read_filters(request, choices)
    month = _month(request.GET.get("month", ""))
    matrix = kpi_matrix(filters, request.user, month)
    months = [(m.strftime("%Y-%m"), f"{m:%B %Y}") for m in reversed(matrix.months)]
    # One form for the page: a choice not in a list (a month not computed included) is an
    # error on its field, and the figures are shown as if it had not been chosen.
    form = DashboardFilterForm(request.GET, {**choices, "month": months})
    form.is_valid()
    areas = {row.cpa for row in matrix.rows} if (filters.cpa or filters.region
                                                 or filters.provider) else None
    payment_rows, payments_computed = payments(data_dir(), areas)
    wanted = request.GET.get("format")
    if wanted == "kpis.csv":
        return _kpi_csv(matrix)
    if wanted == "payments.csv":
        return _payments_csv(payment_rows)
    flags, flags_computed = gaming_flags(data_dir())
    return render(request, "commissioning/dashboard.html", {
        "form": form, "matrix": matrix, "chart": rag_chart(matrix),
        "rag_labels": RAG_LABELS, "stage_words": STAGE_WORDS,
        "payments": [{"row": row, "total": pounds(row.total) if row.total is not None
                      else "[c]"} for row in payment_rows],
        "payments_computed": payments_computed, "flags": flags,
        "flags_computed": flags_computed, "query": request.GET.urlencode(),
        "nav_section": "commissioning"}, status=400 if form.errors else 200)
