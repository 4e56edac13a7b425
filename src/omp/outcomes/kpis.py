"""KPIs computed in bulk (COM-3): one Ibis expression per definition of
``omp.rules.kpi``, run on DuckDB or Spark through the engine seam, giving each contract's
counts month by month. The rows are read from ``kpi_<source>.parquet`` in the data
directory (written by ``omp.commissioning.kpi_sources``), one column per field of the
source and ``contract``.

The counts are the ones ``omp.rules.kpi.tally`` makes row by row; the figure, its RAG
rating and its disclosure control are then worked out from them in Python, the same for
either engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis
import pyarrow as pa
from ibis.expr.types import BooleanValue, Table

from omp.outcomes.engine import Engine
from omp.rules.kpi import DATE, NUMBER, SOURCES, TEXT, YES_NO, Filter, KpiSpec, Tally

#: Each field type as the Parquet tables hold it.
ARROW_TYPES = {DATE: pa.date32(), NUMBER: pa.float64(), TEXT: pa.string(), YES_NO: pa.bool_()}


def source_table_name(source: str) -> str:
    """The name of a source's table in the data directory."""
    return f"kpi_{source}"


def source_schema(source: str) -> pa.Schema:
    """The Parquet schema of a source's table: ``contract`` and each field."""
    fields = SOURCES[source].fields
    return pa.schema([("contract", pa.string())]
                     + [(name, ARROW_TYPES[field.kind]) for name, field in fields.items()])


def _condition(table: Table, item: Filter) -> BooleanValue:
    column: Any = table[item.field]
    value = item.value
    if item.op == "recorded":
        return column.notnull()
    if item.op == "not_recorded":
        return column.isnull()
    conditions: dict[str, Any] = {
        "equals": lambda: column == value, "not_equals": lambda: column != value,
        "in": lambda: column.isin(value), "not_in": lambda: ~column.isin(value),
        "at_most": lambda: column <= value, "at_least": lambda: column >= value,
        "less_than": lambda: column < value, "more_than": lambda: column > value}
    # A field not recorded fails every comparison, as in ``rules.kpi.passes``.
    condition: BooleanValue = conditions[item.op]()
    return column.notnull() & condition.fill_null(False)


def _all(table: Table, filters: Sequence[Filter]) -> BooleanValue:
    condition: BooleanValue = ibis.literal(True)
    for item in filters:
        condition = condition & _condition(table, item)
    return condition


def kpi_expression(table: Table, spec: KpiSpec) -> Table:
    """Per contract and month (the month of ``spec.month``), the denominator's rows, the
    numerator's, and for a mean the sum of the values and how many there were. Months with
    no rows in the denominator are absent."""
    rows = table.filter(table[spec.month].notnull(), _all(table, spec.denominator))
    month: Any = rows[spec.month]
    meets = ibis.ifelse(_all(rows, spec.numerator), 1, 0)
    value: Any = rows[spec.value] if spec.value else ibis.literal(None, type="float64")
    return (rows.mutate(year=month.year(), month_number=month.month(), meets=meets,
                        value_=value)
            .group_by(["contract", "year", "month_number"])
            .aggregate(denominator=ibis._.count(), numerator=ibis._.meets.sum(),
                       total=ibis._.value_.sum(), values=ibis._.value_.count())
            .order_by(["contract", "year", "month_number"]))


@dataclass(frozen=True)
class MonthCounts:
    """One contract's counts for one month."""

    contract: str
    month: date
    tally: Tally


def compute_counts(engine: Engine, spec: KpiSpec) -> list[MonthCounts]:
    """The KPI's counts per contract and month on ``engine``, ordered by contract and
    month."""
    table = engine.table(source_table_name(spec.source))
    found = []
    for row in engine.rows(kpi_expression(table, spec)):
        found.append(MonthCounts(
            row["contract"], date(int(row["year"]), int(row["month_number"]), 1),
            Tally(int(row["denominator"]), int(row["numerator"] or 0),
                  float(row["total"] or 0.0), int(row["values"] or 0))))
    return found
