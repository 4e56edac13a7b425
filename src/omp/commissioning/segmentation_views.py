"""The segmentation page (COM-2): the population's risk of general reoffending against its
risk of violent reoffending, as a chart with the segments drawn and named, each segment's
size and needs in tables under it, filterable by contract package area, provider and where
people are, and the chart's figures as CSV. Every figure passes COM-4 first. For
commissioners, contract managers, analysts and admins: aggregates only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from omp import csv_safe
from omp.access import COMMISSIONING_READERS, role_required
from omp.commissioning.forms import SegmentFilterForm
from omp.commissioning.manager_dashboards import bar_chart
from omp.commissioning.models import ContractPackageArea
from omp.commissioning.queries import disclosure_threshold
from omp.commissioning.segmentation import (
    WHERE,
    SegmentFilters,
    band_words,
    need_areas,
    segmentation,
)
from omp.referrals.models import Provider
from omp.rules.disclosure import protect_table, rate_suppression
from omp.rules.payment import pounds
from omp.rules.referral_outcomes import ACHIEVEMENT_WORDS
from omp.rules.segmentation import (
    BIN,
    GENERAL_BANDS,
    VIOLENT_BANDS,
    Bin,
    protect_bins,
    segment_counts,
    segment_name,
    segment_of,
)
from omp.rules.spend import COMPLETED, PRICED_UNITS, REFERRAL, SESSION

WITHHELD = "[c]"
#: What each priced unit pays for, in the chart's legend.
UNIT_WORDS = {REFERRAL: "Referrals sent (per referral)",
              SESSION: "Sessions held (per session)",
              COMPLETED: "Referrals concluded (per completed referral)"}
#: Why the proven reoffending rate of a segment is not shown.
REOFFENDING_NOT_AVAILABLE = (
    "the outcomes results measure proven reoffending by contract package "
    "area and cohort, with each person's OGRS3 score but no OVP score, so no rate can be "
    "given for a segment of general against violent risk.")


def _choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "cpa": [(c.code, c.name) for c in ContractPackageArea.objects.order_by("name")],
        "provider": [(p.code, p.name) for p in Provider.objects.order_by("name")],
        "where": [(key, words) for key, words in WHERE.items() if key != "community"],
    }


def _filters(request: HttpRequest) -> tuple[SegmentFilterForm, SegmentFilters]:
    choices = _choices()
    form = SegmentFilterForm(request.GET, choices)
    # "In the community" is the seed's population and the choice shown first.
    form.fields["where"].choices = [("", WHERE["community"]), *choices["where"]]
    form.is_valid()
    data = {name: form.cleaned_data.get(name) or "" for name in ("cpa", "provider", "where")}
    return form, SegmentFilters(data["cpa"], data["provider"], data["where"] or "community")


def _chart(bins: list[Bin]) -> dict[str, Any]:
    """A heat map of the bins shown (withheld ones left blank), the segment boundaries
    drawn as dashed lines and each segment named in its corner."""
    values = [{"general": b.general, "general_to": b.general + BIN, "violent": b.violent,
               "violent_to": b.violent + BIN, "people": b.people}
              for b in bins if b.withheld is None]
    general_words, violent_words = band_words()
    lines = ([{"x": low} for low, _ in GENERAL_BANDS[1:]],
             [{"y": low} for low, _ in VIOLENT_BANDS[1:]])
    labels = [{"x": g_low + 1, "y": v_low + 1, "label": f"{g} general, {v.lower()} violent"}
              for g_low, g in GENERAL_BANDS for v_low, v in VIOLENT_BANDS]
    axis = {"labelFontSize": 14, "titleFontSize": 14}
    scale = {"domain": [0, 100]}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container", "height": 420,
        "layer": [
            {"data": {"values": values}, "mark": {"type": "rect", "tooltip": True},
             "encoding": {
                 "x": {"field": "general", "type": "quantitative", "scale": scale,
                       "title": "Risk of general reoffending, OGRS3 two-year (%)"},
                 "x2": {"field": "general_to"},
                 "y": {"field": "violent", "type": "quantitative", "scale": scale,
                       "title": "Risk of violent reoffending, OVP two-year (%)"},
                 "y2": {"field": "violent_to"},
                 "color": {"field": "people", "type": "quantitative", "title": "People",
                           "scale": {"scheme": "blues"}, "legend": {"orient": "right"}}}},
            {"data": {"values": lines[0]}, "mark": {"type": "rule", "strokeDash": [6, 4],
                                                     "color": "#d4351c"},
             "encoding": {"x": {"field": "x", "type": "quantitative", "scale": scale}}},
            {"data": {"values": lines[1]}, "mark": {"type": "rule", "strokeDash": [6, 4],
                                                     "color": "#d4351c"},
             "encoding": {"y": {"field": "y", "type": "quantitative", "scale": scale}}},
            {"data": {"values": labels}, "mark": {"type": "text", "align": "left",
                                                  "baseline": "bottom", "fontSize": 11,
                                                  "color": "#0b0c0c", "dy": -2},
             "encoding": {"x": {"field": "x", "type": "quantitative", "scale": scale},
                          "y": {"field": "y", "type": "quantitative", "scale": scale},
                          "text": {"field": "label"}}},
        ],
        "config": {"font": "arial, sans-serif", "axis": axis,
                   "legend": {"labelFontSize": 14, "titleFontSize": 14}},
        "usermeta": {"bands": {"general": general_words, "violent": violent_words}},
    }


def _figure(value: int | None) -> str:
    return WITHHELD if value is None else f"{value:,}"


def _segment_table(counts: list[list[int]], threshold: int) -> dict[str, Any]:
    table = protect_table(counts, threshold)
    general_words, violent_words = band_words()
    rows = [{"band": g, "cells": [
        {"text": _figure(table.shown(r, c)), "reason": table.reason(r, c)}
        for c in range(len(violent_words) + 1)]} for r, g in enumerate(general_words)]
    total = {"band": "All", "cells": [
        {"text": _figure(table.shown(len(general_words), c)),
         "reason": table.reason(len(general_words), c)} for c in range(len(violent_words) + 1)]}
    return {"columns": violent_words, "rows": [*rows, total]}


def _needs_rows(found: Any, threshold: int) -> list[dict[str, Any]]:
    general_words, violent_words = band_words()
    rows = []
    for g in general_words:
        for v in violent_words:
            assessed = found.assessed.get((g, v), 0)
            cells = []
            for area, _ in need_areas():
                with_need = found.needs.get((g, v), {}).get(area, 0)
                reason = rate_suppression(assessed, with_need, threshold)
                cells.append({"text": WITHHELD if reason else
                              f"{with_need / assessed:.0%}", "reason": reason})
            rows.append({"segment": f"{g} general, {v.lower()} violent",
                         "assessed": _figure(assessed if assessed >= threshold or
                                             assessed == 0 else None),
                         "cells": cells})
    return rows


def _share(part: int, whole: int, threshold: int) -> dict[str, Any]:
    if not whole:  # nothing rated: no share, and nobody to identify
        return {"text": "–", "reason": None, "value": None}
    reason = rate_suppression(whole, part, threshold)
    return {"text": WITHHELD if reason else f"{part / whole:.0%}", "reason": reason,
            "value": None if reason else part / whole}


def spend_rows(found: Any, threshold: int) -> dict[str, Any]:
    """Each segment's referrals, spend and outcomes as a commissioner may see them: the
    referral counts through ``protect_table`` (a segment's spend is shown only where its
    count is), each share of outcomes through ``rate_suppression``; and the chart of the
    spend shown, by what it paid for."""
    general_words, violent_words = band_words()
    segments = [(g, v) for g in general_words for v in violent_words]
    spending = found.spending
    by = spending.by_segment if spending else {}
    table = protect_table([[by[s].referrals if s in by else 0] for s in segments], threshold)
    rows, values = [], []
    for r, segment in enumerate(segments):
        entry = by.get(segment)
        shown = table.shown(r, 0)
        name = f"{segment[0]} general, {segment[1].lower()} violent"
        rated = sum(entry.outcomes.values()) if entry else 0
        outcomes = entry.outcomes if entry else dict.fromkeys(ACHIEVEMENT_WORDS, 0)
        rows.append({
            "segment": name, "referrals": _figure(shown), "reason": table.reason(r, 0),
            "spend": (WITHHELD if shown is None else pounds(entry.total) if entry
                      else pounds(Decimal("0"))),
            "spend_value": None if shown is None or entry is None else entry.total,
            "rated": _figure(rated if rated >= threshold or rated == 0 else None),
            "rated_value": rated if rated >= threshold or rated == 0 else None,
            "shares": {level: _share(outcomes[level], rated, threshold)
                       for level in ACHIEVEMENT_WORDS}})
        if shown and entry:
            values += [{"segment": name, "paid_for": UNIT_WORDS[unit],
                        "spend": float(entry.spend[unit])}
                       for unit in PRICED_UNITS if entry.spend[unit]]
    total_shown = table.total
    total = sum((e.total for e in by.values()), Decimal("0"))
    return {
        "rows": rows, "total_referrals": _figure(total_shown),
        "total_spend": WITHHELD if total_shown is None else pounds(total),
        "any": bool(by), "withheld": bool(table.withheld),
        "chart": bar_chart(values, "segment", "spend", "paid_for", "Segment", "Spend (£)",
                           "Paid for", [UNIT_WORDS[u] for u in PRICED_UNITS]),
        "levels": ACHIEVEMENT_WORDS, "spending": spending,
        "reoffending": REOFFENDING_NOT_AVAILABLE}


def _spend_csv(spend: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="segmentation-spend.csv"'
    writer = csv_safe.writer(response)
    writer.writerow(["segment", "referrals", "spend_pounds",
                     "desired_outcomes_rated",
                     *(f"share_{level}" for level in ACHIEVEMENT_WORDS),
                     "proven_reoffending_rate", "withheld"])
    for row in spend["rows"]:
        writer.writerow([
            row["segment"], "" if row["referrals"] == WITHHELD else row["referrals"].replace(
                ",", ""),
            "" if row["spend_value"] is None else row["spend_value"],
            "" if row["rated_value"] is None else row["rated_value"],
            *("" if row["shares"][level]["value"] is None
              else f"{row['shares'][level]['value']:.4f}" for level in ACHIEVEMENT_WORDS),
            "not available", row["reason"] or ""])
    return response


@require_GET
@role_required(COMMISSIONING_READERS)
def segmentation_page(request: HttpRequest) -> HttpResponse:
    """COM-2: the segmentation chart and its tables, or its figures as CSV."""
    form, filters = _filters(request)
    threshold = disclosure_threshold()
    found = segmentation(filters)
    bins = protect_bins(found.bins, threshold)
    spend = spend_rows(found, threshold)
    if request.GET.get("format") == "spend.csv":
        return _spend_csv(spend)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="segmentation.csv"'
        writer = csv_safe.writer(response)
        writer.writerow(["general_from", "general_to", "violent_from", "violent_to",
                         "segment", "people", "withheld"])
        for b in bins:
            writer.writerow([b.general, b.general + BIN, b.violent, b.violent + BIN,
                             segment_name(*segment_of(b.general, b.violent)),
                             "" if b.withheld else b.people, b.withheld or ""])
        return response
    return render(request, "commissioning/segmentation.html", {
        "form": form, "filters": filters, "where_words": WHERE[filters.where],
        "chart": _chart(bins),
        "people": _figure(found.people if found.people >= threshold or not found.people
                          else None),
        "segments": _segment_table(segment_counts(found.bins), threshold),
        "needs": _needs_rows(found, threshold), "need_areas": need_areas(),
        "any_assessed": bool(found.assessed), "threshold": threshold, "spend": spend,
        "bins_withheld": sum(1 for b in bins if b.withheld),
        "computed_at": found.computed_at, "query": request.GET.urlencode(),
        "nav_section": "commissioning"}, status=400 if form.errors else 200)
