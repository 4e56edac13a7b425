"""Both engines for the gaming checks (OUT-6): every check runs on DuckDB and on Spark."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
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


# A small data directory for the page and the command line: what the analytics core writes.
MONITORING_SCHEMAS = {
    "support_contacts": pa.schema([("case_ref", pa.string()), ("prison_code", pa.string()),
                                   ("pathway", pa.int64()), ("risk_band", pa.string()),
                                   ("contact_date", pa.date32()), ("minutes", pa.int64())]),
    "transfers": pa.schema([("case_ref", pa.string()), ("from_prison", pa.string()),
                            ("to_prison", pa.string()), ("transfer_date", pa.date32()),
                            ("release_date", pa.date32()), ("risk_band", pa.string())]),
    "need_work": pa.schema([("case_ref", pa.string()), ("need", pa.string()),
                            ("agency", pa.string()), ("start_date", pa.date32()),
                            ("end_date", pa.date32())]),
    "index_events": pa.schema([("case_ref", pa.string()), ("prison_code", pa.string()),
                               ("index_date", pa.date32()), ("ogrs3", pa.float64())]),
}
RELEASE = date(2026, 6, 30)


def monitoring_rows() -> dict[str, list[dict[str, Any]]]:
    """Pathway 3 parks its 12 high-risk people and has only 5 medium-risk ones; Doncaster
    moves half its high-risk people out; 12 people have their housing found twice, 3 their
    family work done twice."""
    contacts = []
    for band, count, minutes in (("low", 12, 100), ("medium", 5, 100), ("high", 12, 40)):
        contacts += [{"case_ref": f"{band[0].upper()}{n:03d}", "prison_code": "DNI",
                      "pathway": 3, "risk_band": band, "contact_date": date(2026, 1, 5),
                      "minutes": minutes} for n in range(count)]
    transfers = [{"case_ref": f"M{n:03d}", "from_prison": prison, "to_prison": "HMP",
                  "transfer_date": RELEASE - timedelta(days=20), "release_date": RELEASE,
                  "risk_band": "high"} for n, prison in enumerate(["DNI"] * 20 + ["LEI"] * 10)]
    releases = ([{"case_ref": f"D{n:03d}", "prison_code": "DNI", "index_date": RELEASE,
                  "ogrs3": 80.0} for n in range(20)]
                + [{"case_ref": f"L{n:03d}", "prison_code": "LEI", "index_date": RELEASE,
                    "ogrs3": 70.0} for n in range(200)])
    work = []
    for need, count in (("accommodation", 12), ("families", 3)):
        for n in range(count):
            work += [{"case_ref": f"W{need[0]}{n:03d}", "need": need, "agency": agency,
                      "start_date": date(2026, 1, 1), "end_date": date(2026, 1, 31)}
                     for agency in ("Probation", "Catch22")]
    return {"support_contacts": contacts, "transfers": transfers, "index_events": releases,
            "need_work": work}


@pytest.fixture
def write_monitoring_data() -> Callable[[Path], Path]:
    """``write(directory)``: the four analytics tables of :func:`monitoring_rows` as Parquet."""

    def write(directory: Path) -> Path:
        for name, rows in monitoring_rows().items():
            pq.write_table(pa.Table.from_pylist(rows, schema=MONITORING_SCHEMAS[name]),
                           directory / f"{name}.parquet")
        return directory

    return write
