"""Outcomes results pages: reoffending over time, payment statements and case mix, per
contract, prison and contract package area (OUT-2..OUT-5).

Only commissioners, contract managers, analysts and admins may read them; everything shown
is an aggregate, and a group with a count below 10 is withheld (COM-4). The figures are those
computed when the analytics data (``OUTCOMES_DATA_DIR``, by default ``var/analytics``) was
written, kept by :mod:`omp.outcomes.stored_results` with the time they were computed; the
views only read and lay them out, as pages and as CSV, so no page waits for a measure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from omp import csv_safe
from omp.access import OUTCOMES_READERS, role_required
from omp.clock import LONDON
from omp.config import get_settings
from omp.outcomes.results import CaseMixRow, Results, StatementRow, UnknownPlace, YearRow, has_data
from omp.outcomes.stored_results import (
    COMMAND,
    NotComputed,
    ResultSet,
    stored_catalogue,
    stored_results,
)
from omp.rules.disclosure import MIN_COUNT, count_shown
from omp.rules.payment import pounds

CSV_TABLES = ("rates", "statements", "case-mix")
WITHHELD = f"fewer than {MIN_COUNT}"
#: Columns of the statements table: (heading, figure, kind) per mechanism.
DONCASTER_COLUMNS = (("Rate", "rate", "percent"), ("Baseline", "baseline_rate", "percent"),
                     ("Reduction", "reduction_points", "points"),
                     ("Reclaimed", "reclaimed", "money"),
                     ("Outcome payment", "outcome_payment", "money"),
                     ("Year's total", "total_payment", "money"))
TR_COLUMNS = (("Binary rate", "binary_rate", "percent"),
              ("Target", "binary_target", "percent"), ("Hurdle met", "hurdle_met", "text"),
              ("Fee for service", "fee_for_service", "money"),
              ("Payment by results", "outcome_payment", "money"),
              ("Penalty", "penalty", "money"), ("Year's total", "total_payment", "money"))


def data_dir() -> Path:
    """The analytics data directory: ``settings.OUTCOMES_DATA_DIR`` or ``var/analytics``."""
    configured = getattr(settings, "OUTCOMES_DATA_DIR", None)
    return Path(configured) if configured else get_settings().var_dir / "analytics"


def computed_words(result_set: ResultSet) -> str:
    """When a set of results was computed, in words and London time."""
    moment = result_set.computed_at.astimezone(LONDON)
    return f"{moment:%-d %B %Y} at {moment:%H:%M}"


def _state(directory: Path) -> dict[str, Any]:
    """What the pages say about the computed figures: when, whether the data has changed
    since, or that none are computed yet (and the command that computes them)."""
    state: dict[str, Any] = {"nav_section": "outcomes", "has_data": has_data(directory),
                             "data_dir": directory, "command": COMMAND}
    try:
        result_set, found = stored_catalogue(directory)
    except NotComputed:
        state["not_computed"] = True
        return state
    state.update(computed=computed_words(result_set), catalogue=found,
                 stale=state["has_data"] and result_set.is_stale(directory))
    return state


def _not_computed(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    """The page that says the figures are not computed yet, and how to compute them."""
    return render(request, "outcomes/not_computed.html", state)


@require_GET
@role_required(OUTCOMES_READERS)
def outcomes_index(request: HttpRequest) -> HttpResponse:
    """Every contract, prison and contract package area with computed results."""
    state = _state(data_dir())
    if state.get("not_computed"):
        return _not_computed(request, state)
    found = state["catalogue"]
    state.update(first_year=found.first_year, last_year=found.last_year,
                 contracts=[p for p in found.places if p.kind == "doncaster"],
                 prisons=[p for p in found.places if p.kind == "prison"],
                 cpas=[p for p in found.places if p.kind == "cpa"])
    return render(request, "outcomes/index.html", state)


def _results(slug: str) -> tuple[dict[str, Any], Results | None]:
    directory = data_dir()
    state = _state(directory)
    if state.get("not_computed"):
        return state, None
    try:
        _, results = stored_results(directory, slug)
    except UnknownPlace:
        raise Http404("No results have that name") from None
    except NotComputed:
        state["not_computed"] = True
        return state, None
    return state, results


@require_GET
@role_required(OUTCOMES_READERS)
def outcomes_results(request: HttpRequest, slug: str) -> HttpResponse:
    """One place's results: rate over time, payment statements, case mix."""
    state, results = _results(slug)
    if results is None:
        return _not_computed(request, state)
    shown = [row for row in results.years if row.suppressed is None]
    columns = DONCASTER_COLUMNS if results.place.kind == "doncaster" else TR_COLUMNS
    context = {
        **state,
        "results": results,
        "place": results.place,
        "measure_words": ("reconvicted at court" if results.place.measure_kind ==
                          "binary_court" else "proven to have reoffended"),
        "year_rows": [_year_display(row) for row in results.years],
        "any_withheld": any(row.suppressed for row in results.years),
        "chart_spec": rate_chart(shown, results.baseline_rate, results.place.kind),
        "statement_columns": [heading for heading, _, _ in columns],
        "statements": [_statement_display(row, columns) for row in results.statements],
        "case_mix": [_case_mix_display(row) for row in results.case_mix],
        "min_count": MIN_COUNT,
    }
    return render(request, "outcomes/results.html", context)


@require_GET
@role_required(OUTCOMES_READERS)
def outcomes_csv(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    """One table of a results page as CSV, withheld cells withheld (COM-4)."""
    if table not in CSV_TABLES:
        raise Http404("No such table")
    _, results = _results(slug)
    if results is None:
        raise Http404(f"No results computed yet: {COMMAND}")
    header, rows = {"rates": _rates_csv, "statements": _statements_csv,
                    "case-mix": _case_mix_csv}[table](results)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{table}.csv"'
    writer = csv_safe.writer(response, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return response


# ------------------------------------------------------------------------------ chart


def rate_chart(rows: Sequence[YearRow], baseline: float | None, kind: str) -> dict[str, Any]:
    """A Vega-Lite spec: the rate each year with its 95% interval as a band, and the
    baseline (and, for Doncaster, the 5-point threshold) as dashed rules."""
    values = [{"year": str(row.year), "rate": round(row.rate, 1),
               "ci_low": round(row.ci_low, 1), "ci_high": round(row.ci_high, 1),
               "people": row.size} for row in rows]
    x = {"field": "year", "type": "ordinal", "title": "Cohort year",
         "axis": {"labelAngle": 0}}
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "area", "opacity": 0.2, "color": "#1d70b8"},
         "encoding": {"x": x, "y": {"field": "ci_low", "type": "quantitative",
                                    "title": "Reoffending rate (%)",
                                    "scale": {"zero": False}},
                      "y2": {"field": "ci_high"}}},
        {"mark": {"type": "line", "point": {"filled": True, "size": 60}, "color": "#1d70b8"},
         "encoding": {"x": x, "y": {"field": "rate", "type": "quantitative"},
                      "tooltip": [{"field": "year", "title": "Year"},
                                  {"field": "rate", "title": "Rate (%)"},
                                  {"field": "ci_low", "title": "95% interval from"},
                                  {"field": "ci_high", "title": "95% interval to"},
                                  {"field": "people", "title": "People"}]}},
    ]
    rules = []
    if baseline is not None:
        rules.append({"value": baseline, "label": f"Baseline {baseline:.1f}%"})
        if kind == "doncaster":
            rules.append({"value": baseline - 5, "label": f"Threshold {baseline - 5:.1f}%"})
    if rules:
        layers.append({"data": {"values": rules},
                       "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#d4351c"},
                       "encoding": {"y": {"field": "value", "type": "quantitative"}}})
        layers.append({"data": {"values": rules},
                       "mark": {"type": "text", "align": "right", "dx": -2, "dy": -6,
                                "color": "#d4351c", "fontSize": 12},
                       "encoding": {"y": {"field": "value", "type": "quantitative"},
                                    "x": {"value": "width"}, "text": {"field": "label"}}})
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json",
            "width": "container", "height": 280, "data": {"values": values},
            "layer": layers, "config": {"font": "arial, sans-serif",
                                        "axis": {"labelFontSize": 14, "titleFontSize": 14}}}


# --------------------------------------------------------------------------- tables


def _count(value: int) -> str:
    """COM-4: a count, or "fewer than 10"."""
    return f"{value:,}" if count_shown(value) else WITHHELD


def _exclusion_words(name: str) -> str:
    """An exclusion in words (OUT-1), without the rule id the page already gives."""
    from omp.outcomes.cohorts import EXCLUSIONS

    exclusion = EXCLUSIONS.get(name)
    if exclusion is None:
        return name
    return exclusion.explanation.split(" (OUT-1")[0]


def _year_display(row: YearRow) -> dict[str, Any]:
    shown = row.suppressed is None
    if not shown:
        risk = "not shown"
    elif row.mean_predicted_risk is None:
        risk = "not recorded"
    else:
        risk = f"{row.mean_predicted_risk:.1f}%"
    return {
        "year": row.year, "cohort": row.cohort,
        "people": _count(row.size),
        "reoffenders": f"{row.reoffenders:,}" if shown else "not shown",
        "rate": f"{row.rate:.1f}%" if shown else "not shown",
        "interval": f"{row.ci_low:.1f} to {row.ci_high:.1f}" if shown else "not shown",
        "risk": risk,
        "excluded": "; ".join(f"{_exclusion_words(name)}: {_count(number)}"
                              for name, number in row.excluded.items()) or "none",
        "suppressed": row.suppressed,
    }


def _figure(value: str | bool, kind: str) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if kind == "money":
        return pounds(Decimal(value))
    if kind == "percent":
        return f"{value}%"
    if kind == "points":
        return f"{value} points".replace("-", "−")
    return value


def _statement_display(row: StatementRow,
                       columns: Iterable[tuple[str, str, str]]) -> dict[str, Any]:
    display: dict[str, Any] = {"label": row.label, "cohort": row.cohort,
                               "suppressed": row.suppressed, "versions": []}
    for name, version in (("Unadjusted", row.unadjusted), ("Adjusted for case mix",
                                                           row.adjusted)):
        if version is None:
            continue
        figures = version.statement.figures()
        display["versions"].append({
            "name": name,
            "cells": [_figure(figures[key], kind) for _, key, kind in columns],
            "lines": [line.text for line in version.statement.lines],
            "case_mix": list(version.case_mix.lines) if version.case_mix else [],
        })
    return display


def _points(value: float) -> str:
    """Points to one decimal place with a true minus sign."""
    return f"{value:.1f}".replace("-", "−")


def _interval(low: float, high: float) -> str:
    return f"{_points(low)} to {_points(high)}"


def _case_mix_display(row: CaseMixRow) -> dict[str, Any]:
    display: dict[str, Any] = {"label": row.label, "cohort": row.cohort,
                               "suppressed": row.suppressed, "adjusted": None}
    if row.suppressed is None and row.adjustment is not None:
        adjustment = row.adjustment
        display["adjusted"] = {
            "cohort_risk": f"{adjustment.cohort.mean_predicted_risk:.1f}%",
            "baseline_risk": f"{adjustment.baseline.mean_predicted_risk:.1f}%",
            "rate": f"{adjustment.cohort.rate:.1f}%",
            "baseline": f"{adjustment.unadjusted.baseline_rate:.1f}%",
            "unadjusted": _points(adjustment.unadjusted.reduction_points),
            "unadjusted_interval": _interval(adjustment.unadjusted.ci_low,
                                             adjustment.unadjusted.ci_high),
            "unadjusted_beyond": adjustment.unadjusted.exceeds_natural_variation,
            "adjusted_baseline": f"{adjustment.adjusted_baseline_rate:.1f}%",
            "adjusted": _points(adjustment.adjusted.reduction_points),
            "adjusted_interval": _interval(adjustment.adjusted.ci_low,
                                           adjustment.adjusted.ci_high),
            "adjusted_beyond": adjustment.adjusted.exceeds_natural_variation,
            "lines": list(adjustment.lines),
        }
    return display


def _rates_csv(results: Results) -> tuple[list[str], list[list[Any]]]:
    header = ["year", "cohort", "people", "reoffenders", "rate_percent", "ci_low", "ci_high",
              "mean_ogrs3_percent", "note"]
    rows = []
    for row in results.years:
        if row.suppressed:
            rows.append([row.year, row.cohort, _count(row.size), "", "", "", "", "",
                         row.suppressed])
        else:
            rows.append([row.year, row.cohort, row.size, row.reoffenders, f"{row.rate:.2f}",
                         f"{row.ci_low:.2f}", f"{row.ci_high:.2f}",
                         "" if row.mean_predicted_risk is None
                         else f"{row.mean_predicted_risk:.2f}", ""])
    return header, rows


def _statements_csv(results: Results) -> tuple[list[str], list[list[Any]]]:
    from omp.outcomes.statements import statement_rows

    header = ["cohort", "version", "step", "explanation", "figure", "value"]
    rows: list[list[Any]] = []
    for row in results.statements:
        if row.suppressed:
            rows.append([row.cohort, "", "", row.suppressed, "", ""])
            continue
        for name, version in (("unadjusted", row.unadjusted), ("adjusted", row.adjusted)):
            if version is not None:
                rows += [[row.cohort, name, *cells] for cells in statement_rows(version)]
    return header, rows


def _case_mix_csv(results: Results) -> tuple[list[str], list[list[Any]]]:
    header = ["cohort", "rate_percent", "mean_ogrs3_percent", "baseline_mean_ogrs3_percent",
              "baseline_percent", "unadjusted_reduction", "unadjusted_ci_low",
              "unadjusted_ci_high", "adjusted_baseline_percent", "adjusted_reduction",
              "adjusted_ci_low", "adjusted_ci_high", "note"]
    rows: list[list[Any]] = []
    for row in results.case_mix:
        item = row.adjustment
        if row.suppressed or item is None:
            rows.append([row.cohort, *[""] * 11, row.suppressed or "no predicted risk "
                                                                   "recorded"])
            continue
        rows.append([row.cohort, f"{item.cohort.rate:.2f}",
                     f"{item.cohort.mean_predicted_risk:.2f}",
                     f"{item.baseline.mean_predicted_risk:.2f}", f"{item.baseline.rate:.2f}",
                     f"{item.unadjusted.reduction_points:.2f}", f"{item.unadjusted.ci_low:.2f}",
                     f"{item.unadjusted.ci_high:.2f}", f"{item.adjusted_baseline_rate:.2f}",
                     f"{item.adjusted.reduction_points:.2f}", f"{item.adjusted.ci_low:.2f}",
                     f"{item.adjusted.ci_high:.2f}", ""])
    return header, rows
