"""Both engines for the gaming checks (OUT-6): every check runs on DuckDB and on Spark."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest
from ibis.expr.types import Table

HERE = Path(__file__).parent
# pandas 3 deprecations raised inside pyspark and ibis, and DuckDB's renamed Arrow fetch:
# library noise, not ours (tests run with warnings as errors).
LIBRARY_WARNINGS = (
    "ignore::DeprecationWarning:pyspark.*",
    "ignore::DeprecationWarning:ibis.*",
    "ignore:.*copy keyword is deprecated.*:DeprecationWarning",
    "ignore:.*infer_string.*:DeprecationWarning",
    "ignore:.*fetch_arrow_table.*:DeprecationWarning",
    "ignore::ResourceWarning",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            for rule in LIBRARY_WARNINGS:
                item.add_marker(pytest.mark.filterwarnings(rule))


class Backend:
    """An Ibis backend with a way to load small tables and run expressions to rows."""

    def __init__(self, name: str, connection: Any) -> None:
        self.name = name
        self.connection = connection

    def load(self, rows: Sequence[dict[str, Any]], schema: dict[str, str]) -> Table:
        """A table of ``rows`` with the Ibis ``schema``, under a fresh name."""
        arrow_schema = ibis.schema(schema).to_pyarrow()
        data = pa.Table.from_pylist(list(rows), schema=arrow_schema)
        name = f"t_{uuid.uuid4().hex[:12]}"
        # A temporary view: Spark's create_table would write a managed table to disk.
        return self.connection.create_view(name, ibis.memtable(data), overwrite=True)

    def rows(self, expr: Table) -> list[dict[str, Any]]:
        """Run ``expr`` and return its rows as dictionaries."""
        return self.connection.to_pyarrow(expr).to_pylist()


@pytest.fixture(scope="session")
def duckdb_backend() -> Backend:
    return Backend("duckdb", ibis.duckdb.connect())


@pytest.fixture(scope="session")
def spark_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    from pyspark.sql import SparkSession

    # py4j logs at INFO while the interpreter shuts down, after pytest closed the streams.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    session = (SparkSession.builder.master("local[2]").appName("omp-gaming-tests")
               .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("warehouse")))
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               # Tiny tables: one partition, and no planning work that pays off only at scale.
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.default.parallelism", "1")
               .config("spark.sql.adaptive.enabled", "false")
               .config("spark.sql.codegen.wholeStage", "false")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield Backend("spark", ibis.pyspark.connect(session))
    session.stop()


@pytest.fixture(scope="session", params=["duckdb", "spark"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each engine in turn: a test using this runs once on DuckDB and once on Spark."""
    fixture = "duckdb_backend" if request.param == "duckdb" else "spark_backend"
    result: Backend = request.getfixturevalue(fixture)
    return result


@pytest.fixture(scope="session")
def both(duckdb_backend: Backend, spark_backend: Backend) -> tuple[Backend, Backend]:
    """Both engines at once, for row-for-row comparisons."""
    return duckdb_backend, spark_backend


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
