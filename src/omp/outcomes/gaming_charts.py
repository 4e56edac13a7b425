"""Vega-Lite charts of the gaming checks (OUT-6), as plain dictionaries with their data.

Each chart takes a check's rows after suppression (COM-4): a suppressed figure is ``None``
and is left out of the chart, exactly as it is blank in the table beside it. Colours are the
GOV.UK palette; every mark has a tooltip with the figure in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from omp.outcomes.gaming import NEEDS, RISK_BANDS, CheckResult

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
BAND_COLOURS = ["#1d70b8", "#f47738", "#d4351c"]  # GOV.UK blue, orange, red
FONT = "GDS Transport, arial, sans-serif"


def _base(title: str, values: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 260,
        "data": {"values": values},
        "config": {"font": FONT, "view": {"stroke": None},
                   "axis": {"labelFontSize": 14, "titleFontSize": 14},
                   "legend": {"labelFontSize": 14, "titleFontSize": 14},
                   "title": {"fontSize": 16, "anchor": "start"}},
    }


def _band_colour(values: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The risk band's colour; with ``values``, the legend lists only the bands that have a
    bar, each keeping its own colour."""
    present = {value["risk_band"] for value in values} if values is not None else None
    bands = [(band, colour) for band, colour in zip(RISK_BANDS, BAND_COLOURS, strict=False)
             if present is None or band in present]
    return {"field": "risk_band", "type": "nominal", "title": "Risk band",
            "scale": {"domain": [b for b, _ in bands], "range": [c for _, c in bands]},
            "sort": [b for b, _ in bands]}


def intensity_chart(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Minutes per person per month by pathway and risk band, with each pathway's own figure
    as a black tick (OUT-6 parking and cherry-picking)."""
    values = [{"pathway": f"Pathway {row['pathway']}", "risk_band": row["risk_band"],
               "minutes": round(row["minutes_per_person_month"], 1),
               "pathway_minutes": (None if row["pathway_minutes_per_person_month"] is None
                                   else round(row["pathway_minutes_per_person_month"], 1)),
               "flag": row.get("flag") or "none"}
              for row in rows if row.get("minutes_per_person_month") is not None]
    spec = _base("Support minutes per person per month", values)
    x = {"field": "pathway", "type": "nominal", "title": None, "axis": {"labelAngle": 0}}
    spec["layer"] = [
        {"mark": {"type": "bar", "tooltip": True},
         "encoding": {"x": x, "xOffset": {"field": "risk_band", "sort": list(RISK_BANDS)},
                      "y": {"field": "minutes", "type": "quantitative",
                            "title": "Minutes per person per month"},
                      "color": _band_colour(),
                      "tooltip": [{"field": "pathway"}, {"field": "risk_band", "title": "Band"},
                                  {"field": "minutes", "title": "Minutes"},
                                  {"field": "flag", "title": "Flag"}]}},
        {"mark": {"type": "tick", "color": "#0b0c0c", "thickness": 3, "size": 60},
         "encoding": {"x": x, "y": {"field": "pathway_minutes", "type": "quantitative"},
                      "tooltip": [{"field": "pathway"},
                                  {"field": "pathway_minutes",
                                   "title": "Pathway minutes per person per month"}]}},
    ]
    return spec


def transfers_chart(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Share transferred out before release by prison and risk band, with the baseline's
    share as a black tick (OUT-6 transfer gaming)."""
    values = [{"prison": row.get("prison_name") or row["prison"], "risk_band": row["risk_band"],
               "share": row["share"], "baseline_share": row.get("baseline_share"),
               "flagged": "yes" if row.get("flagged") else "no"}
              for row in rows if row.get("share") is not None]
    weeks = rows[0]["weeks"] if rows else 12
    spec = _base(f"Share transferred out within {weeks} weeks before release", values)
    x = {"field": "prison", "type": "nominal", "title": "Prison", "sort": "ascending",
         "axis": {"labelAngle": -40, "labelLimit": 160}}
    share_axis = {"format": "%"}
    spec["layer"] = [
        {"mark": {"type": "bar", "tooltip": True},
         "encoding": {"x": x, "xOffset": {"field": "risk_band", "sort": list(RISK_BANDS)},
                      "y": {"field": "share", "type": "quantitative", "axis": share_axis,
                            "title": "Share transferred out"},
                      "color": _band_colour(values),
                      "tooltip": [{"field": "prison"}, {"field": "risk_band", "title": "Band"},
                                  {"field": "share", "format": ".0%", "title": "Share"},
                                  {"field": "baseline_share", "format": ".0%",
                                   "title": "Baseline"},
                                  {"field": "flagged", "title": "Flagged"}]}},
        {"mark": {"type": "tick", "color": "#0b0c0c", "thickness": 3, "size": 14},
         "encoding": {"x": x, "xOffset": {"field": "risk_band", "sort": list(RISK_BANDS)},
                      "y": {"field": "baseline_share", "type": "quantitative"}}},
    ]
    return spec


def duplication_chart(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """People whose need was worked on by two agencies at once, by need and pair of agencies
    (OUT-6 duplication)."""
    values = [{"need": NEEDS.get(row["need"], row["need"]),
               "agencies": f"{row['agency_a']} and {row['agency_b']}",
               "people": row["people"]}
              for row in rows if row.get("people") is not None]
    spec = _base("People with the same need worked on by two agencies at once", values)
    spec["mark"] = {"type": "bar", "tooltip": True}
    spec["height"] = max(120, 36 * len({value["need"] for value in values}))
    spec["encoding"] = {
        "y": {"field": "need", "type": "nominal", "title": None, "sort": "-x"},
        "x": {"field": "people", "type": "quantitative", "title": "People", "stack": True,
              "axis": {"format": "d", "tickMinStep": 1}},
        "color": {"field": "agencies", "type": "nominal", "title": "Agencies",
                  "scale": {"range": ["#1d70b8", "#4c2c92", "#00703c", "#f47738", "#d4351c",
                                      "#912b88", "#28a197", "#b58840", "#5694ca", "#505a5f"]}},
        "tooltip": [{"field": "need"}, {"field": "agencies"}, {"field": "people"}],
    }
    return spec


CHARTS = {"intensity": intensity_chart, "transfers": transfers_chart,
          "duplication": duplication_chart}


def chart_for(check: CheckResult) -> dict[str, Any]:
    """The Vega-Lite chart of ``check``, with its (suppressed) data."""
    return CHARTS[check.key](check.rows)
