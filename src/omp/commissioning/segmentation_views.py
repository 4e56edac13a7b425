"""The segmentation page (COM-2): the population's risk of general reoffending against its
risk of violent reoffending, as a chart with the segments drawn and named, each segment's
size and needs in tables under it, filterable by contract package area, provider and where
people are, and the chart's figures as CSV. Every figure passes COM-4 first. For
commissioners, contract managers, analysts and admins: aggregates only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from omp import csv_safe
from omp.access import COMMISSIONING_READERS, role_required
from omp.commissioning.forms import SegmentFilterForm
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

WITHHELD = "[c]"


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


@require_GET
@role_required(COMMISSIONING_READERS)
def segmentation_page(request: HttpRequest) -> HttpResponse:
    """COM-2: the segmentation chart and its tables, or its figures as CSV."""
    form, filters = _filters(request)
    threshold = disclosure_threshold()
    found = segmentation(filters)
    bins = protect_bins(found.bins, threshold)
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
        "any_assessed": bool(found.assessed), "threshold": threshold,
        "bins_withheld": sum(1 for b in bins if b.withheld),
        "computed_at": found.computed_at, "query": request.GET.urlencode(),
        "nav_section": "commissioning"}, status=400 if form.errors else 200)
