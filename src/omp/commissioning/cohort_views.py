"""Published cohort information (COM-3): per contract package area, the size and make-up of
each year's cohort and its proven reoffending, as pages with charts and tables and as an
open-data file (CSV and Parquet) with its data dictionary.

The figures are those computed with the outcomes results (``omp outcomes compute``); every
figure passes COM-4's disclosure control (:func:`omp.outcomes.published.published`, with
the threshold in force) before it is shown or downloaded, the same on the page and in the
files. For commissioners, contract managers, analysts and admins."""

from __future__ import annotations

import io
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from omp import csv_safe
from omp.access import COMMISSIONING_READERS, role_required
from omp.config import get_settings
from omp.outcomes.published import (
    COLUMNS,
    DICTIONARY,
    PublishedArea,
    open_data_rows,
    open_data_table,
    published,
)
from omp.outcomes.results import UnknownPlace
from omp.outcomes.stored_results import COMMAND, NotComputed, stored_cohorts, stored_results
from omp.outcomes.web.views.results import computed_words, data_dir

#: How a withheld figure reads in a table (the reason is given beside it).
WITHHELD = "[c]"


def _areas() -> tuple[dict[str, Any], list[PublishedArea]]:
    """When the figures were computed and every area as it may be published; raises
    :class:`NotComputed` when they have not been computed."""
    directory = data_dir()
    result_set, cohorts = stored_cohorts(directory)
    threshold = get_settings().disclosure_threshold
    areas = []
    for code in sorted(cohorts, key=lambda c: cohorts[c].name):
        try:
            _, results = stored_results(directory, f"cpa-{code.lower()}")
            years = results.years
        except UnknownPlace:
            years = []
        areas.append(published(cohorts[code], years, threshold))
    state = {"computed": computed_words(result_set), "threshold": threshold,
             "stale": result_set.is_stale(directory), "command": COMMAND,
             "data_dir": directory, "nav_section": "commissioning"}
    return state, areas


def _not_computed(request: HttpRequest) -> HttpResponse:
    return render(request, "commissioning/cohorts_not_computed.html", {
        "command": COMMAND, "data_dir": data_dir(), "nav_section": "commissioning"})


def _percent(rate: float | None) -> str:
    return WITHHELD if rate is None else f"{rate * 100:.1f}%"


def _figure(value: int | None) -> str:
    return WITHHELD if value is None else f"{value:,}"


@require_GET
@role_required(COMMISSIONING_READERS)
def cohort_list(request: HttpRequest) -> HttpResponse:
    """Every area with its latest published cohort, the downloads and the data dictionary."""
    try:
        state, areas = _areas()
    except NotComputed:
        return _not_computed(request)
    rows = []
    for area in areas:
        latest = next((f for f in reversed(area.years) if f.people is not None), None)
        rows.append({"area": area, "year": latest.year if latest else None,
                     "people": _figure(latest.people) if latest else WITHHELD,
                     "rate": _percent(latest.rate) if latest else WITHHELD})
    return render(request, "commissioning/cohorts.html", {
        **state, "rows": rows, "dictionary": DICTIONARY})


def _chart(area: PublishedArea, index: int) -> dict[str, Any]:
    """A stacked bar per year of one breakdown's published counts (withheld ones left out
    and said so under the chart), its categories in the legend in their own order."""
    table = area.tables[index]
    values = [{"year": str(year), "category": category, "people": people,
               "category_order": column}
              for row, year in enumerate(table.years)
              for column, category in enumerate(table.categories)
              if (people := table.cell(row, column)[0])]
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json",
            "width": "container", "height": 260, "data": {"values": values},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "x": {"field": "year", "type": "ordinal", "title": "Cohort year",
                      "axis": {"labelAngle": 0}},
                "y": {"field": "people", "type": "quantitative", "title": "People"},
                "color": {"field": "category", "type": "nominal", "title": table.heading,
                          "scale": {"domain": list(table.categories)},
                          "legend": {"orient": "bottom", "columns": 3,
                                     "labelLimit": 320}},
                "order": {"field": "category_order", "type": "ordinal"}},
            "config": {"font": "arial, sans-serif",
                       "axis": {"labelFontSize": 14, "titleFontSize": 14},
                       "legend": {"labelFontSize": 14, "titleFontSize": 14}}}


def _table_rows(area: PublishedArea, index: int) -> list[dict[str, Any]]:
    table = area.tables[index]
    rows = []
    for row, year in enumerate(table.years):
        cells = [table.cell(row, column) for column in range(len(table.categories) + 1)]
        rows.append({"year": year, "cells": [{"text": _figure(people), "reason": reason}
                                             for people, reason in cells]})
    return rows


def _area(code: str) -> tuple[dict[str, Any], PublishedArea, list[PublishedArea]]:
    state, areas = _areas()
    found = next((a for a in areas if a.code == code.upper()), None)
    if found is None:
        raise Http404("No contract package area has that code")
    return state, found, areas


@require_GET
@role_required(COMMISSIONING_READERS)
def cohort_area(request: HttpRequest, cpa: str) -> HttpResponse:
    """One area: each year's cohort with its proven reoffending, and its make-up by age,
    sex, risk of reoffending and offence group, each as a chart with its table."""
    try:
        state, area, _ = _area(cpa)
    except NotComputed:
        return _not_computed(request)
    if request.GET.get("format") == "csv":
        return _csv(open_data_rows([area]), f"cohorts-{area.code.lower()}.csv")
    breakdowns = [{"key": table.key, "heading": table.heading,
                   "categories": table.categories, "rows": _table_rows(area, index),
                   "chart": _chart(area, index)}
                  for index, table in enumerate(area.tables)]
    years = [{"year": f.year, "people": _figure(f.people), "reoffenders":
              _figure(f.reoffenders), "rate": _percent(f.rate), "withheld": f.withheld}
             for f in area.years]
    return render(request, "commissioning/cohort_area.html", {
        **state, "area": area, "years": years, "breakdowns": breakdowns,
        "any_withheld": any(f["withheld"] for f in years) or any(
            cell["reason"] for b in breakdowns for row in b["rows"] for cell in row["cells"])})


def _csv(rows: list[dict[str, Any]], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv_safe.writer(response)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if row[name] is None else row[name] for name in COLUMNS])
    return response


@require_GET
@role_required(COMMISSIONING_READERS)
def cohort_open_data(request: HttpRequest, extension: str) -> HttpResponse:
    """Every area's published cohort information as one open-data file: ``csv`` or
    ``parquet`` (same rows, same columns: see the data dictionary)."""
    try:
        _, areas = _areas()
    except NotComputed:
        return _not_computed(request)
    rows = open_data_rows(areas)
    if extension == "csv":
        return _csv(rows, "published-cohorts.csv")
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(open_data_table(rows), buffer)
    response = HttpResponse(buffer.getvalue(), content_type="application/vnd.apache.parquet")
    response["Content-Disposition"] = 'attachment; filename="published-cohorts.parquet"'
    return response


@require_GET
@role_required(COMMISSIONING_READERS)
def cohort_dictionary(request: HttpRequest) -> HttpResponse:
    """The open-data file's data dictionary as CSV: each column, its type and meaning."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="published-cohorts-dictionary.csv"'
    writer = csv_safe.writer(response)
    writer.writerow(["column", "type", "meaning"])
    writer.writerows(DICTIONARY)
    return response
