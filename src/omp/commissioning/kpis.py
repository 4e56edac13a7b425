"""Computing every contract's KPIs month by month (COM-3) and keeping the figures.

``compute_kpis`` writes the source tables (``kpi_sources``), runs each KPI definition in
use once over all contracts on the chosen engine (DuckDB embedded, or Spark), and stores a
``KpiFigure`` per contract KPI and month from the contract's first month to the month of
``as_of``: the counts, the figure or why there is none, and its RAG rating against the
target in force. A month with no rows is a figure too: 0 for a count, "no data" for a rate
or a mean.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from omp.commissioning.kpi_sources import write_sources
from omp.commissioning.models import ContractKpi, KpiFigure
from omp.outcomes.engine import Engine
from omp.outcomes.kpis import compute_counts
from omp.rules.kpi import KpiSpec, Tally, figure, month_start, parse_definition, rag


def months_between(first: date, last: date) -> list[date]:
    """The first day of each month from ``first``'s to ``last``'s, inclusive."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def contract_months(contract_kpi: Any, as_of: date) -> list[date]:
    """The months a contract KPI is computed for: from the contract's start to ``as_of``
    (or its end, if sooner)."""
    contract = contract_kpi.contract.contract
    last = min(as_of, contract.ends_on) if contract.ends_on else as_of
    return months_between(contract.starts_on, last)


def kpis_in_use() -> list[Any]:
    """Every contract KPI with its definition and contract."""
    return list(ContractKpi.objects.select_related("definition", "contract__contract"))


def compute_counts_by_definition(engine: Engine, specs: dict[str, KpiSpec],
                                 progress: Callable[[str], None] | None = None
                                 ) -> dict[str, dict[tuple[str, date], Tally]]:
    """Each definition's counts per (contract reference, month), on ``engine``."""
    counts: dict[str, dict[tuple[str, date], Tally]] = {}
    for code, spec in specs.items():
        counts[code] = {(row.contract, row.month): row.tally
                        for row in compute_counts(engine, spec)}
        if progress:
            progress(code)
    return counts


def _store(contract_kpi: Any, spec: KpiSpec, month: date, counts: Tally, engine: str,
           at: Any) -> None:
    found = figure(spec, counts)
    values = {"value": found.value, "no_data": found.no_data,
              "denominator": counts.denominator, "numerator": counts.numerator,
              "values": counts.values, "target": contract_kpi.target,
              "amber_margin": contract_kpi.amber_margin,
              "rag": rag(found.value, Decimal(contract_kpi.target),
                         Decimal(contract_kpi.amber_margin), spec.better) or ""}
    current = KpiFigure.objects.filter(contract_kpi=contract_kpi, month=month).first()
    if current is None:
        KpiFigure.objects.create(contract_kpi=contract_kpi, month=month, computed_at=at,
                                 engine=engine, **values)
        return
    if all(getattr(current, name) == value for name, value in values.items()):
        # Unchanged: only the time it was computed moves, without a history row.
        KpiFigure.objects.filter(pk=current.pk).update(computed_at=at, engine=engine)
        return
    for name, value in {**values, "computed_at": at, "engine": engine}.items():
        setattr(current, name, value)
    current.save()


def compute_kpis(as_of: date, engine: str = "duckdb", data_dir: Path | None = None,
                 progress: Callable[[str], None] | None = None) -> int:
    """COM-3: compute and store every contract KPI's figure for each month up to
    ``as_of`` on ``engine``; returns the figures stored. ``progress`` is called once per
    definition computed and once per contract KPI stored."""
    with tempfile.TemporaryDirectory(prefix="omp-kpis-") as scratch:
        directory = data_dir or Path(scratch)
        write_sources(directory)
        # The contract manager's referral figures come from the referrals source as read.
        from omp.commissioning.manager_dashboards import store_standings

        store_standings(directory, as_of)
        in_use = kpis_in_use()
        specs = {kpi.definition.code: parse_definition(kpi.definition.definition)
                 for kpi in in_use}
        with Engine(engine, directory) as running:
            counts = compute_counts_by_definition(running, specs, progress)
    at = timezone.now()
    stored = 0
    for contract_kpi in in_use:
        code = contract_kpi.definition.code
        with transaction.atomic():
            for month in contract_months(contract_kpi, as_of):
                tally = counts[code].get((contract_kpi.contract.contract.reference, month),
                                         Tally())
                _store(contract_kpi, specs[code], month, tally, engine, at)
                stored += 1
        if progress:
            progress(f"{contract_kpi.contract.contract.reference} {code}")
    return stored
