"""Outcomes fixtures: every analytic runs on each engine (DuckDB and local PySpark), and
small Parquet data sets are written by hand so each rule is tested on exact dates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from omp.outcomes.engine import ENGINES, Engine

EVENT_DEFAULTS: dict[str, Any] = {
    "index_kind": "discharge", "prison_code": "DNI", "cpa_code": "SYO",
    "provider": "PRV-YORKS", "sex": "M", "age": 30, "nationality": "British",
    "offence_code": "04600", "sanctions": 5, "ogrs3": 60.0, "ogrs3_1yr": 42.0,
    "risk_band": "high", "sentence_months": 6.0, "deported_or_irc": False,
    "time_served_on_remand": False, "breach_of_court_order": False,
    "nps_allocated": False, "electronic_monitoring_only": False,
}
EVENT_TYPES: dict[str, pa.DataType] = {
    "event_id": pa.int64(), "case_ref": pa.string(), "index_kind": pa.string(),
    "index_date": pa.date32(), "prison_code": pa.string(), "cpa_code": pa.string(),
    "provider": pa.string(), "sex": pa.string(), "age": pa.int16(),
    "nationality": pa.string(), "offence_code": pa.string(), "sanctions": pa.int32(),
    "ogrs3": pa.float64(), "ogrs3_1yr": pa.float64(), "risk_band": pa.string(),
    "sentence_months": pa.float64(), "deported_or_irc": pa.bool_(),
    "time_served_on_remand": pa.bool_(), "breach_of_court_order": pa.bool_(),
    "nps_allocated": pa.bool_(), "electronic_monitoring_only": pa.bool_(),
}
OUTCOME_TYPES: dict[str, pa.DataType] = {
    "case_ref": pa.string(), "offence_date": pa.date32(), "disposal_date": pa.date32(),
    "disposal_type": pa.string(), "offence_code": pa.string(),
}


def write_table(path: Path, rows: list[dict[str, Any]], types: dict[str, pa.DataType]) -> None:
    """Write ``rows`` as a Parquet table with the given column types."""
    schema = pa.schema(list(types.items()))
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


class Data:
    """A tiny data directory: add index events and court outcomes, then ``write()``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.events: list[dict[str, Any]] = []
        self.outcomes: list[dict[str, Any]] = []

    def event(self, case_ref: str, index_date: date, **fields: Any) -> Data:
        """An index event (a Doncaster discharge unless fields say otherwise)."""
        row = {**EVENT_DEFAULTS, **fields, "case_ref": case_ref, "index_date": index_date,
               "event_id": len(self.events) + 1}
        if row["index_kind"] == "supervision_start" and "prison_code" not in fields:
            row["prison_code"] = None
        self.events.append(row)
        return self

    def outcome(self, case_ref: str, offence_date: date, disposal_date: date,
                disposal_type: str = "court", offence_code: str = "04600") -> Data:
        """A court outcome (a conviction unless ``disposal_type`` says otherwise)."""
        self.outcomes.append({"case_ref": case_ref, "offence_date": offence_date,
                              "disposal_date": disposal_date, "disposal_type": disposal_type,
                              "offence_code": offence_code})
        return self

    def write(self) -> Path:
        """Write the tables and return the directory."""
        write_table(self.path / "index_events.parquet", self.events, EVENT_TYPES)
        write_table(self.path / "court_outcomes.parquet", self.outcomes, OUTCOME_TYPES)
        return self.path


@pytest.fixture
def data(tmp_path: Path) -> Data:
    """An empty tiny data directory."""
    return Data(tmp_path)


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """Each analytic test runs once per engine: ``duckdb`` and ``spark`` (OUT-1, OUT-2)."""
    if request.param == "spark":
        request.getfixturevalue("spark_session")
    return str(request.param)


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """One local Spark session (``local[2]``) for the whole test run: a JVM costs seconds."""
    from omp.outcomes.engine import spark_session as start
    from omp.outcomes.engine import stop_spark

    session = start(shuffle_partitions=1, quick_start=True)
    yield session
    stop_spark()


@pytest.fixture
def open_engine(engine_name: str) -> Iterator[Callable[[Path], Engine]]:
    """Open an engine of the current kind on a data directory, closed after the test."""
    opened: list[Engine] = []

    def make(path: Path) -> Engine:
        engine = Engine(engine_name, path)
        opened.append(engine)
        return engine

    yield make
    for engine in opened:
        engine.close()
