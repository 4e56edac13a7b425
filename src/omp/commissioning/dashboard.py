"""The commissioner's dashboard (issue's item 6, COM-1..4): every contract's KPIs with their
RAG rating for a month, the payments of the outcomes package's contract package areas, and
the gaming checks' flags, each narrowed by region, contract package area and provider.

Every figure here is an aggregate already protected where it was made: the KPI figures by
``kpi_report`` (COM-4 for roles without case access), the payments by the stored results
(a withheld cohort has no statement), the flags by the gaming checks (judged only when
publishable). The gaming checks read the analytics tables, so their flags are kept in the
process for as long as the tables are the same version (their names, sizes and times of
change), with the time they were computed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from omp.clock import today
from omp.commissioning.kpi_report import KpiRow, contract_kpis
from omp.commissioning.queries import Filters, contracts
from omp.outcomes.results import fingerprint

RAG_ORDER = ("green", "amber", "red", "")
RAG_LABELS = {"green": "Green: on target", "amber": "Amber: just below target",
              "red": "Red: below target", "": "No figure"}


@dataclass
class ContractRow:
    """One contract on the dashboard: its KPIs' figures for the month chosen."""

    reference: str
    name: str
    provider: str
    cpa: str
    stage: str | None
    cells: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    #: The cells in the order of the matrix's KPIs (``None`` where not held to the KPI).
    ordered: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class KpiMatrix:
    """Contracts × KPIs for one month, the KPIs named, and the months there are."""

    month: date | None
    months: list[date]
    kpis: list[tuple[str, str]]
    rows: list[ContractRow]
    computed_at: datetime | None


def _month_of(kpi: KpiRow, month: date) -> Any:
    return next((m for m in kpi.months if m.month == month), None)


def kpi_matrix(filters: Filters, user: Any, month: date | None) -> KpiMatrix:
    """Each contract's KPIs as ``user`` may see them for ``month`` (when ``None`` or not
    computed, the latest month computed that has ended, else the latest computed)."""
    per_contract = [(c, contract_kpis(c, user)) for c in contracts(filters)]
    months = sorted({m.month for _, kpis in per_contract for k in kpis for m in k.months})
    # By default the latest month that has ended: the month under way has a few days in it.
    ended = [m for m in months if m < today().replace(day=1)]
    chosen = month if month in months else (ended or months or [None])[-1]
    names: dict[str, str] = {}
    rows = []
    computed = [k.computed_at for _, kpis in per_contract for k in kpis if k.computed_at]
    for contract, kpis in per_contract:
        row = ContractRow(contract.contract.reference, contract.contract.name,
                          contract.contract.prime_provider.name,
                          contract.cpa.name if contract.cpa else contract.contract.area,
                          contract.stage,
                          counts=dict.fromkeys(RAG_ORDER, 0))
        for kpi in kpis:
            names.setdefault(kpi.code, kpi.name)
            figure = _month_of(kpi, chosen) if chosen else None
            row.cells[kpi.code] = {"kpi": kpi, "figure": figure}
            row.counts[figure.rag if figure else ""] += 1
        rows.append(row)
    kpis = sorted(names.items())
    for row in rows:
        row.ordered = [row.cells.get(code) for code, _ in kpis]
    return KpiMatrix(chosen, months, kpis, rows,
                     max(computed) if computed else None)


def rag_chart(matrix: KpiMatrix) -> dict[str, Any]:
    """A stacked bar per contract of its KPIs by rating, the ratings in the legend."""
    values = [{"contract": row.name, "rating": RAG_LABELS[rag], "kpis": row.counts[rag],
               "order": RAG_ORDER.index(rag)}
              for row in matrix.rows for rag in RAG_ORDER if row.counts.get(rag)]
    domain = [RAG_LABELS[rag] for rag in RAG_ORDER]
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json",
            "width": "container", "height": {"step": 28}, "data": {"values": values},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {"field": "contract", "type": "nominal", "title": None,
                      "axis": {"labelLimit": 320}},
                "x": {"field": "kpis", "type": "quantitative", "title": "KPIs",
                      "axis": {"tickMinStep": 1}},
                "color": {"field": "rating", "type": "nominal", "title": "Rating",
                          "scale": {"domain": domain,
                                    "range": ["#00703c", "#ffdd00", "#d4351c", "#b1b4b6"]},
                          "legend": {"orient": "bottom", "columns": 2, "labelLimit": 320}},
                "order": {"field": "order", "type": "ordinal"}},
            "config": {"font": "arial, sans-serif",
                       "axis": {"labelFontSize": 14, "titleFontSize": 14},
                       "legend": {"labelFontSize": 14, "titleFontSize": 14}}}


@dataclass(frozen=True)
class PaymentRow:
    """A contract package area's latest statement in the outcomes package."""

    slug: str
    area: str
    cohort: str
    total: Any
    binary_rate: Any
    target: Any
    withheld: str | None


def payments(data_dir: Path, cpa_names: set[str] | None) -> tuple[list[PaymentRow], Any]:
    """Each area's latest payment statement (adjusted for case mix where it is), narrowed to
    ``cpa_names`` when given; and the time the results were computed (``None`` when no
    results are computed)."""
    from omp.outcomes.stored_results import NotComputed, stored_catalogue, stored_results

    try:
        result_set, catalogue = stored_catalogue(data_dir)
    except NotComputed:
        return [], None
    rows = []
    for place in catalogue.places:
        if place.kind != "cpa" or (cpa_names is not None and place.name not in cpa_names):
            continue
        _, results = stored_results(data_dir, place.slug)
        if not results.statements:
            continue
        latest = results.statements[-1]
        version = latest.adjusted or latest.unadjusted
        figures = version.statement.figures() if version else {}
        total = figures.get("total_payment")  # the statement's figures are written as text
        rows.append(PaymentRow(place.slug, place.name, latest.label,
                               None if total in (None, "") else Decimal(str(total)),
                               figures.get("binary_rate"),
                               figures.get("binary_target"), latest.suppressed))
    return rows, result_set.computed_at


_kept: dict[str, tuple[list[dict[str, Any]], datetime]] = {}
_lock = threading.Lock()


def gaming_flags(data_dir: Path) -> tuple[list[dict[str, Any]], datetime | None]:
    """Each gaming check with its readings and how many flags they raise; kept while the
    tables stay the same version (nothing else changes the readings: a new snapshot writes
    new tables). ``([], None)`` when the tables are not written."""
    from omp.outcomes import gaming

    if gaming.missing_tables(data_dir):
        return [], None
    key = repr(fingerprint(data_dir))
    with _lock:
        kept = _kept.get(key)
        if kept:
            return kept
    found = []
    for check in gaming.load_checks(data_dir):
        # A flag is a reading that names a possible gaming (each check words its own).
        flagged = sum(1 for reading in check.readings if ": possible " in reading)
        found.append({"key": check.key, "title": check.title, "flagged": flagged,
                      "readings": check.readings})
    computed = timezone.now()
    with _lock:
        _kept.clear()
        _kept[key] = (found, computed)
    return found, computed
