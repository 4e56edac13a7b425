"""The monitoring page (OUT-6): the three gaming checks as charts, tables and plain words,
with a CSV of each. Figures about fewer than 10 people are suppressed (COM-4); case
references appear only for roles that may read cases, never for commissioners."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from omp import csv_safe
from omp.access import CASE_READERS, OUTCOMES_READERS, has_role, role_required
from omp.config import get_settings
from omp.outcomes import gaming
from omp.outcomes.gaming import WORD_KINDS
from omp.outcomes.gaming_charts import chart_for

#: Who may see the monitoring figures: those who read outcomes aggregates (OUT-6, COM-4).
MONITORING_ROLES = OUTCOMES_READERS
#: A table longer than this sits behind "Figures: all N rows", so the charts and readings
#: of the three checks stay within a few screens.
LONG_TABLE = 12


def analytics_dir() -> Path:
    """Where the analytics Parquet tables live: ``<var_dir>/analytics``."""
    return get_settings().var_dir / "analytics"




def _headers(check: gaming.CheckResult) -> list[dict[str, Any]]:
    return [{"label": column.label, "numeric": column.kind not in WORD_KINDS}
            for column in check.columns]


def _table(check: gaming.CheckResult) -> list[list[dict[str, Any]]]:
    return [[{"text": gaming.figure_in_words(row.get(column.key), column.kind,
                                              column.key in row["suppressed"]),
              "numeric": column.kind not in WORD_KINDS,
              "flag": column.kind == "flag" and bool(row.get(column.key))}
             for column in check.columns] for row in check.rows]


def _csv(check: gaming.CheckResult) -> HttpResponse:
    """Every figure of one check, suppressed as on the page (COM-4)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gaming-{check.key}.csv"'
    keys = [key for key in (check.rows[0] if check.rows else {}) if key != "suppressed"]
    writer = csv_safe.writer(response)
    writer.writerow(keys)
    for row in check.rows:
        writer.writerow([gaming.SUPPRESSED if key in row["suppressed"]
                         else "" if row[key] is None else row[key] for key in keys])
    return response


@require_GET
@role_required(MONITORING_ROLES)
def monitoring(request: HttpRequest) -> HttpResponse:
    """The OUT-6 checks; ``?csv=<check>`` downloads one check's figures."""
    data_dir = analytics_dir()
    missing = gaming.missing_tables(data_dir)
    context: dict[str, Any] = {"nav_section": "outcomes", "data_dir": data_dir,
                               "missing": [f"{name}.parquet" for name in missing],
                               "min_people": gaming.MIN_PEOPLE, "long_table": LONG_TABLE}
    if missing:
        if request.GET.get("csv"):
            raise Http404("The analytics tables have not been written yet")
        return render(request, "outcomes/monitoring.html", context)
    staff = has_role(request.user, CASE_READERS)
    try:
        checks = gaming.load_checks(data_dir, with_examples=staff)
    except gaming.GamingInputError as error:  # a table without a column the checks need
        context["problem"] = str(error)
        return render(request, "outcomes/monitoring.html", context, status=500)
    wanted = request.GET.get("csv")
    if wanted:
        for check in checks:
            if check.key == wanted:
                return _csv(check)
        raise Http404("No such check")
    for check in checks:
        for example in check.examples:
            example["need_words"] = gaming.NEEDS.get(example["need"], example["need"])
    context["checks"] = [{"check": check, "chart": chart_for(check), "rows": _table(check),
                          "headers": _headers(check), "chart_id": f"chart-{check.key}"}
                         for check in checks]
    context["show_examples"] = staff
    return render(request, "outcomes/monitoring.html", context)
