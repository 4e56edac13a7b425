"""The one seam between the outcomes analytics and the engines that run them.

Every cohort and measure is written once as an Ibis expression. ``Engine("duckdb")`` runs it
embedded (the default); ``Engine("spark")`` runs the same expression on a local PySpark
session. Data arrives as Parquet files, one per table, in a data directory: the snapshot of
the case store (``omp snapshot``) or the synthetic national history (``omp outcomes
generate``). Nothing here uses ``asof_join``: Spark lacks it, so "the latest row on or
before a date" is a join plus ``row_number``.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
from ibis.expr.types import Table

ENGINES = ("duckdb", "spark")
# Ibis calls its Spark SQL dialect "pyspark".
_DIALECTS = {"duckdb": "duckdb", "spark": "pyspark"}

_spark_lock = threading.Lock()
_spark_session: Any = None


class EngineError(RuntimeError):
    """An expression failed on an engine; the message names the engine and the SQL."""

    def __init__(self, engine: str, sql: str, cause: BaseException) -> None:
        self.engine = engine
        self.sql = sql
        super().__init__(f"{engine} could not run the query: {cause}\n-- SQL ({engine}):\n{sql}")


class MissingTableError(FileNotFoundError):
    """A table the analytics need is not in the data directory."""


def spark_session(shuffle_partitions: int = 2, quick_start: bool = False) -> Any:
    """The process's Spark session, created on first use: ``local[2]`` unless
    ``OMP_SPARK_MASTER`` names another master (e.g. ``spark://host:7077``).

    One session per process: starting a JVM costs seconds, and PySpark allows one active
    session anyway. Dates are read and written in UTC so a date never shifts a day.
    ``quick_start`` suits tiny data (the tests): the JVM compiles less before it runs.
    """
    global _spark_session
    with _spark_lock:
        if _spark_session is None:
            from pyspark.sql import SparkSession

            # py4j logs "closing down" at interpreter exit, after the streams are closed.
            logging.getLogger("py4j").setLevel(logging.WARNING)

            from omp.config import get_settings

            builder = (
                SparkSession.builder.master(get_settings().spark_master)
                .appName("omp-outcomes")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
                .config("spark.driver.memory", "2g")
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            )
            if quick_start:
                builder = builder.config("spark.driver.extraJavaOptions",
                                         "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
            _spark_session = builder.getOrCreate()
            _spark_session.sparkContext.setLogLevel("ERROR")
        return _spark_session


def stop_spark() -> None:
    """Stop the process's Spark session, if one was started."""
    global _spark_session
    with _spark_lock:
        if _spark_session is not None:
            _spark_session.stop()
            _spark_session = None


class Engine:
    """Reads ``<data_dir>/<name>.parquet`` tables and executes Ibis expressions on one engine.

    ``Engine("duckdb", data_dir)`` runs embedded; ``Engine("spark", data_dir)`` on local
    PySpark. The same expressions run on both; results come back as ``pyarrow.Table``.
    """

    def __init__(self, name: str = "duckdb", data_dir: Path | str = ".") -> None:
        if name not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {name!r}")
        self.name = name
        self.data_dir = Path(data_dir)
        self._tables: dict[str, Table] = {}
        #: Intermediate results kept for the life of the engine (see ``cache``).
        self.memo: dict[object, Table] = {}
        if name == "duckdb":
            self.backend: Any = ibis.duckdb.connect()
        else:
            self.backend = ibis.pyspark.connect(spark_session())

    def has_table(self, name: str) -> bool:
        """Whether ``<data_dir>/<name>.parquet`` exists."""
        return (self.data_dir / f"{name}.parquet").exists()

    def table(self, name: str) -> Table:
        """The table ``name``, read from ``<data_dir>/<name>.parquet``."""
        if name not in self._tables:
            path = self.data_dir / f"{name}.parquet"
            if not path.exists():
                raise MissingTableError(f"{path} not found: the analytics need the {name} "
                                        "table (write it with omp snapshot or omp outcomes "
                                        "generate)")
            # Distinct names per engine instance: Spark's temporary views are session-wide.
            view = f"{name}_{id(self):x}"
            self._tables[name] = self.backend.read_parquet(str(path), table_name=view)
        return self._tables[name]

    def cache(self, expr: Table) -> Table:
        """``expr`` computed once and kept (a DuckDB temporary table, a cached Spark
        frame), for results that several queries read."""
        try:
            return expr.cache()
        except Exception as error:
            raise EngineError(self.name, self.sql(expr), error) from error

    def sql(self, expr: Table) -> str:
        """The SQL this engine runs for ``expr`` (for error messages and explanations)."""
        try:
            return str(ibis.to_sql(expr, dialect=_DIALECTS[self.name]))
        except Exception as error:  # noqa: BLE001 - the SQL is only for the message
            return f"(SQL not available: {error})"

    def execute(self, expr: Table) -> pa.Table:
        """Run ``expr`` and return its rows; failures raise ``EngineError`` with the SQL."""
        try:
            if self.name == "spark":
                return self._spark_arrow(expr)
            return self.backend.to_pyarrow(expr)
        except Exception as error:
            raise EngineError(self.name, self.sql(expr), error) from error

    def _spark_arrow(self, expr: Table) -> pa.Table:
        # Straight from Spark to Arrow: Ibis would go through pandas, and pandas 3 warns
        # on what PySpark 4.0 asks of it. The schema is the expression's, so both engines
        # hand back the same column types.
        frame = self.backend._session.sql(str(self.backend.compile(expr)))
        schema = expr.schema().to_pyarrow()
        return frame.toArrow().rename_columns(schema.names).cast(schema)

    def rows(self, expr: Table) -> list[dict[str, Any]]:
        """Run ``expr`` and return its rows as dictionaries."""
        rows: list[dict[str, Any]] = self.execute(expr).to_pylist()
        return rows

    def close(self) -> None:
        """Forget the tables read (the Spark session itself lives as long as the process)."""
        for cached in self.memo.values():
            try:
                cached.release()
            except Exception:  # noqa: BLE001 - released already, or the session is gone
                pass
        self.memo.clear()
        if self.name == "spark":
            for table in self._tables.values():
                try:
                    self.backend.drop_view(table.get_name(), force=True)
                except Exception:  # noqa: BLE001 - a view already gone is fine
                    pass
        self._tables.clear()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
