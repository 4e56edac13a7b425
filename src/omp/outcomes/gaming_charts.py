"""Vega-Lite charts of the gaming checks (OUT-6), as plain dictionaries with their data.

Each chart takes a check's rows after suppression (COM-4): a suppressed figure is ``None``
and is left out of the chart, exactly as it is blank in the table beside it. Colours are the
GOV.UK palette; every mark has a tooltip with the figure in words, and every kind of mark a
legend entry in words (the risk bands as "Low", "Medium", "High"; the black ticks as what
they compare with). The legend sits above the plot, so a phone's narrow chart keeps its
width for the bars; the page shows the same figures in a table beside each chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from omp.outcomes.gaming import BAND_WORDS, NEEDS, RISK_BANDS, CheckResult

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
BAND_COLOURS = ["#1d70b8", "#f47738", "#d4351c"]  # GOV.UK blue, orange, red
TICK_COLOUR = "#0b0c0c"  # GOV.UK black
FONT = "GDS Transport, arial, sans-serif"


def _base(title: str | list[str], values: list[dict[str, Any]]) -> dict[str, Any]:
    """A chart's frame: as wide as its column, the title (a list of lines where it would
    not fit a phone's width on one) and the legends above the plot, one under another, so
    that each fits a phone's width however many there are."""
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 260,
        "data": {"values": values},
        "config": {"font": FONT, "view": {"stroke": None},
                   "axis": {"labelFontSize": 14, "titleFontSize": 14},
                   "legend": {"labelFontSize": 14, "titleFontSize": 14, "orient": "top",
                              "direction": "horizontal", "labelLimit": 0,
                              "layout": {"top": {"anchor": "start", "direction": "vertical",
                                                 "margin": 6}}},
                   "title": {"fontSize": 16, "anchor": "start"}},
    }


def _band_colour(values: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The risk band's colour; with ``values``, the legend lists only the bands that have a
    bar, each keeping its own colour."""
    present = {value["band"] for value in values} if values is not None else None
    bands = [(BAND_WORDS[band], colour)
             for band, colour in zip(RISK_BANDS, BAND_COLOURS, strict=False)
             if present is None or BAND_WORDS[band] in present]
    return {"field": "band", "type": "nominal", "title": "Risk band",
            "scale": {"domain": [b for b, _ in bands], "range": [c for _, c in bands]},
            "sort": [b for b, _ in bands]}


#: The bands in words, in their order, for grouping bars side by side.
BAND_ORDER = [BAND_WORDS[band] for band in RISK_BANDS]


def _tick_legend(label: str) -> dict[str, Any]:
    """A legend entry of its own for the black ticks (their colour scale is independent of
    the bands'), drawn as a short black line like the ticks, under a title of its own so
    that it lines up with the bands' legend beside it."""
    return {"datum": label, "type": "nominal", "title": "Compared with",
            "scale": {"domain": [label], "range": [TICK_COLOUR]},
            "legend": {"symbolType": "stroke", "symbolStrokeColor": TICK_COLOUR,
                       "symbolStrokeWidth": 3, "symbolSize": 200}}


def intensity_chart(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Minutes per person per month by pathway and risk band, with each pathway's own figure
    as a black tick (OUT-6 parking and cherry-picking)."""
    values = [{"pathway": str(row["pathway"]), "band": BAND_WORDS.get(row["risk_band"],
                                                                  row["risk_band"]),
               "minutes": round(row["minutes_per_person_month"], 1),
               "pathway_minutes": (None if row["pathway_minutes_per_person_month"] is None
                                   else round(row["pathway_minutes_per_person_month"], 1)),
               "flag": row.get("flag") or "none"}
              for row in rows if row.get("minutes_per_person_month") is not None]
    spec = _base("Support minutes per person per month", values)
    x = {"field": "pathway", "type": "nominal", "title": "Pathway", "axis": {"labelAngle": 0}}
    spec["layer"] = [
        {"mark": {"type": "bar", "tooltip": True},
         "encoding": {"x": x, "xOffset": {"field": "band", "sort": BAND_ORDER},
                      "y": {"field": "minutes", "type": "quantitative",
                            "title": "Minutes per person per month"},
                      "color": _band_colour(values),
                      "tooltip": [{"field": "pathway", "title": "Pathway"},
                                  {"field": "band", "title": "Risk band"},
                                  {"field": "minutes", "title": "Minutes"},
                                  {"field": "flag", "title": "Flag"}]}},
        {"mark": {"type": "tick", "thickness": 3, "size": 40},
         "encoding": {"x": x, "y": {"field": "pathway_minutes", "type": "quantitative"},
                      "color": _tick_legend("The pathway as a whole"),
                      "tooltip": [{"field": "pathway", "title": "Pathway"},
                                  {"field": "pathway_minutes",
                                   "title": "Pathway minutes per person per month"}]}},
    ]
    spec["resolve"] = {"scale": {"color": "independent"}}
    return spec


def transfers_chart(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Share transferred out before release by prison and risk band, with the baseline's
    share as a black tick (OUT-6 transfer gaming). The prisons run down the chart, one row
    each, so that their names can be read on a phone with twenty or more of them."""
    values = [{"prison": row.get("prison_name") or row["prison"],
               "band": BAND_WORDS.get(row["risk_band"], row["risk_band"]),
               "share": row["share"], "baseline_share": row.get("baseline_share"),
               "flagged": "yes" if row.get("flagged") else "no"}
              for row in rows if row.get("share") is not None]
    weeks = rows[0]["weeks"] if rows else 12
    spec = _base(["Share transferred out", f"within {weeks} weeks before release"], values)
    # Each band's bar within its prison's row: 12 pixels with all three bands, thicker
    # with fewer, so a row is never thinner than 30.
    step = max(12, 30 // max(1, len({value["band"] for value in values})))
    spec["height"] = {"step": step}
    y = {"field": "prison", "type": "nominal", "title": None, "sort": "ascending",
         "axis": {"labelLimit": 150}}
    offset = {"field": "band", "sort": BAND_ORDER}
    spec["layer"] = [
        {"mark": {"type": "bar", "tooltip": True},
         "encoding": {"y": y, "yOffset": offset,
                      "x": {"field": "share", "type": "quantitative", "axis": {"format": "%"},
                            "title": "Share transferred out"},
                      "color": _band_colour(values),
                      "tooltip": [{"field": "prison", "title": "Prison"},
                                  {"field": "band", "title": "Risk band"},
                                  {"field": "share", "format": ".0%", "title": "Share"},
                                  {"field": "baseline_share", "format": ".0%",
                                   "title": "Baseline"},
                                  {"field": "flagged", "title": "Flagged"}]}},
        {"mark": {"type": "tick", "thickness": 3, "size": step},
         "encoding": {"y": y, "yOffset": offset,
                      "x": {"field": "baseline_share", "type": "quantitative"},
                      "color": _tick_legend("The baseline's share")}},
    ]
    spec["resolve"] = {"scale": {"color": "independent"}}
    return spec


def duplication_chart(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """People whose need was worked on by two agencies at once, by need and pair of agencies
    (OUT-6 duplication)."""
    values = [{"need": NEEDS.get(row["need"], row["need"]),
               "agencies": f"{row['agency_a']} and {row['agency_b']}",
               "people": row["people"]}
              for row in rows if row.get("people") is not None]
    spec = _base(["People with the same need worked on", "by two agencies at once"], values)
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
