"""A contract's KPIs as the page, the CSV and the API show them (COM-3): each KPI's
definition in plain words, its target, its latest figure with the RAG rating in words, and
its history month by month with a chart. One function builds the figures for all three, so
they cannot disagree.

For a role without case access (commissioners, contract managers) every figure passes
COM-4's disclosure control first (``omp.rules.kpi.suppression``, the rule of
``omp.rules.disclosure``): a figure over too few people is not shown, and nor is its RAG
rating, which would give it away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from omp.access import reads_only_aggregates
from omp.config import get_settings
from omp.rules.kpi import (
    RAG_WORDS,
    KpiDefinitionError,
    KpiSpec,
    Tally,
    describe,
    parse_definition,
    suppression,
)

#: The GOV.UK tag colour of each RAG rating.
RAG_TAGS = {"green": "govuk-tag--green", "amber": "govuk-tag--yellow",
            "red": "govuk-tag--red", "": "govuk-tag--grey"}


@dataclass(frozen=True)
class MonthFigure:
    """A KPI's figure for one month as it may be shown: the value (``None`` when there is
    none or it is withheld), its RAG rating and, when there is no figure, why."""

    month: date
    value: Decimal | None
    text: str
    rag: str
    why_not: str

    @property
    def rag_words(self) -> str:
        """The rating in words."""
        if self.rag:
            return RAG_WORDS[self.rag]
        return "Not shown" if self.why_not.startswith("COM-4") else "No data"

    @property
    def rag_tag(self) -> str:
        """The GOV.UK tag class of the rating."""
        return RAG_TAGS[self.rag]


@dataclass
class KpiRow:
    """One KPI of a contract: what it is, its target and its figures month by month."""

    code: str
    name: str
    words: str
    unit: str
    target: Decimal
    amber_margin: Decimal
    better: str
    months: list[MonthFigure] = field(default_factory=list)
    computed_at: datetime | None = None
    problem: str = ""

    @property
    def latest(self) -> MonthFigure | None:
        """The latest month computed."""
        return self.months[-1] if self.months else None

    @property
    def target_text(self) -> str:
        """The target as the figure is written."""
        return f"{'at least' if self.better == 'higher' else 'at most'} " + figure_text(
            self.target, self.unit)

    @property
    def chart(self) -> dict[str, Any]:
        """A Vega-Lite line of the figure month by month against the target (months
        without a figure are left out and said so in the table under it)."""
        values = [{"month": m.month.isoformat(), "series": "Figure",
                   "value": float(m.value)} for m in self.months if m.value is not None]
        values += [{"month": m.month.isoformat(), "series": "Target",
                    "value": float(self.target)} for m in self.months]
        axis_title = f"{self.name} ({self.unit})" if self.unit else self.name
        return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json",
                "width": "container", "height": 220, "data": {"values": values},
                "mark": {"type": "line", "point": True, "tooltip": True},
                "encoding": {
                    "x": {"field": "month", "type": "temporal", "timeUnit": "utcyearmonth",
                          "title": "Month", "axis": {"format": "%b %Y"}},
                    "y": {"field": "value", "type": "quantitative", "title": axis_title},
                    "color": {"field": "series", "type": "nominal", "title": None,
                              "scale": {"domain": ["Figure", "Target"],
                                        "range": ["#1d70b8", "#505a5f"]},
                              "legend": {"orient": "bottom"}},
                    "strokeDash": {"field": "series", "type": "nominal",
                                   "scale": {"domain": ["Figure", "Target"],
                                             "range": [[1, 0], [6, 4]]},
                                   "legend": None}},
                "config": {"font": "arial, sans-serif",
                           "axis": {"labelFontSize": 14, "titleFontSize": 14},
                           "legend": {"labelFontSize": 14}}}


def figure_text(value: Decimal | None, unit: str) -> str:
    """A figure as it is written: ``87.5%``, ``12``, ``4.2``."""
    if value is None:
        return ""
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"
    return f"{text}{unit}"


def _month_figure(spec: KpiSpec, row: Any, aggregates_only: bool, threshold: int
                  ) -> MonthFigure:
    if aggregates_only:
        withheld = suppression(spec, Tally(row.denominator, row.numerator, 0.0, row.values),
                               threshold)
        if withheld:
            return MonthFigure(row.month, None, "Not shown", "", withheld)
    if row.value is None:
        return MonthFigure(row.month, None, "No data", "", row.no_data)
    return MonthFigure(row.month, row.value, figure_text(row.value, spec.unit), row.rag, "")


def contract_kpis(contract: Any, user: Any) -> list[KpiRow]:
    """The contract's KPIs with their figures as ``user`` may see them (COM-4 applies to
    roles without case access)."""
    aggregates_only = reads_only_aggregates(user)
    threshold = get_settings().disclosure_threshold
    rows = []
    for kpi in contract.kpis.select_related("definition").prefetch_related("figures"):
        try:
            spec = parse_definition(kpi.definition.definition)
        except KpiDefinitionError as error:
            rows.append(KpiRow(kpi.definition.code, kpi.definition.name, "", "", kpi.target,
                               kpi.amber_margin, "higher", problem=str(error)))
            continue
        row = KpiRow(kpi.definition.code, kpi.definition.name, describe(spec), spec.unit,
                     kpi.target, kpi.amber_margin, spec.better)
        figures = sorted(kpi.figures.all(), key=lambda f: f.month)
        row.months = [_month_figure(spec, f, aggregates_only, threshold) for f in figures]
        row.computed_at = max((f.computed_at for f in figures), default=None)
        rows.append(row)
    return rows


#: The columns of the KPI download, in order.
CSV_COLUMNS = ("contract", "kpi_code", "kpi", "month", "figure", "unit", "rating",
               "target", "why_no_figure", "definition", "computed_at")


def csv_rows(reference: str, kpis: list[KpiRow]) -> list[list[Any]]:
    """The KPI figures of a contract, one row per KPI and month, as the download holds
    them (the same figures as the page)."""
    rows = []
    for kpi in kpis:
        for month in kpi.months:
            rows.append([reference, kpi.code, kpi.name, month.month.strftime("%Y-%m"),
                         figure_text(month.value, ""), kpi.unit,
                         month.rag_words, kpi.target_text, month.why_not, kpi.words,
                         kpi.computed_at.isoformat() if kpi.computed_at else ""])
    return rows
