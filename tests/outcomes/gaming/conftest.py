"""Both engines for the gaming checks (OUT-6): every check runs on DuckDB and on Spark."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ibis.expr.types import Table

from omp.outcomes.engine import Engine


class Backend:
    """An :class:`~omp.outcomes.engine.Engine` on a scratch data directory, with a way to
    write small tables into it and run expressions to rows."""

    def __init__(self, name: str, data_dir: Path) -> None:
        self.name = name
        self.engine = Engine(name, data_dir)

    def load(self, rows: Sequence[dict[str, Any]], schema: dict[str, str]) -> Table:
        """A table of ``rows`` with the Ibis ``schema``, written as Parquet under a fresh name."""
        arrow_schema = ibis.schema(schema).to_pyarrow()
        name = f"t_{uuid.uuid4().hex[:12]}"
        pq.write_table(pa.Table.from_pylist(list(rows), schema=arrow_schema),
                       self.engine.data_dir / f"{name}.parquet")
        return self.engine.table(name)

    def rows(self, expr: Table) -> list[dict[str, Any]]:
        """Run ``expr`` and return its rows as dictionaries."""
        return self.engine.rows(expr)


@pytest.fixture
def backend(engine_name: str, tmp_path: Path) -> Iterator[Backend]:
    """Each engine in turn (``engine_name`` comes from the outcomes fixtures): a test using
    this runs once on DuckDB and once on Spark."""
    result = Backend(engine_name, tmp_path)
    yield result
    result.engine.close()


@pytest.fixture(scope="session")
def both(spark_session: Any, tmp_path_factory: pytest.TempPathFactory,
         ) -> Iterator[tuple[Backend, Backend]]:
    """Both engines at once, for row-for-row comparisons."""
    pair = (Backend("duckdb", tmp_path_factory.mktemp("duckdb")),
            Backend("spark", tmp_path_factory.mktemp("spark")))
    yield pair
    for backend in pair:
        backend.engine.close()


CONTACTS = {"case_ref": "string", "prison_code": "string", "pathway": "int64",
            "risk_band": "string", "contact_date": "date", "minutes": "int64"}
TRANSFERS = {"case_ref": "string", "from_prison": "string", "to_prison": "string",
             "transfer_date": "date", "release_date": "date", "risk_band": "string"}
NEED_WORK = {"case_ref": "string", "need": "string", "agency": "string",
             "start_date": "date", "end_date": "date"}
INDEX_EVENTS = {"case_ref": "string", "prison_code": "string", "index_date": "date",
                "ogrs3": "float64"}
CASELOAD = {"case_ref": "string", "pathway": "int64", "risk_band": "string"}


SCHEMAS = {"support_contacts": CONTACTS, "transfers": TRANSFERS, "need_work": NEED_WORK,
           "index_events": INDEX_EVENTS, "caseload": CASELOAD}


@pytest.fixture(scope="session")
def schemas() -> dict[str, dict[str, str]]:
    """The Ibis schema of each analytics table the checks read."""
    return SCHEMAS


@pytest.fixture
def tables(backend: Backend) -> Callable[..., Table]:
    """``tables(kind, rows)``: a table of one of the analytics kinds on the engine under test."""

    def make(kind: str, rows: Sequence[dict[str, Any]]) -> Table:
        return backend.load(rows, SCHEMAS[kind])

    return make
