"""The same analytics on DuckDB and on local PySpark give the same rows (DESIGN: one
definition of a cohort, two engines), over a small seeded national history."""

from __future__ import annotations

from pathlib import Path

import pytest

from omp.outcomes.engine import Engine, EngineError
from omp.outcomes.history import generate
from omp.outcomes.measures import measure, measure_with

CASES = [
    ("doncaster-2009", "binary_court", None),
    ("doncaster-pilot-1", "proven", None),
    ("national-2012", "proven", "prison"),
    ("national-2013", "binary_court", "cpa"),
    ("cpa-syo-2014q2", "binary_court", None),
    ("cpa-ldn-2015", "proven", "provider"),
]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history")
    generate(path, index_events=4_000, outcomes=30_000, seed=7)
    return path


@pytest.mark.usefixtures("spark_session")
def test_every_measure_is_the_same_row_for_row_on_duckdb_and_spark(history):
    # One engine of each kind for all cases: what one engine keeps between measures is
    # exercised too.
    with Engine("duckdb", history) as duck_engine, Engine("spark", history) as spark_engine:
        for cohort, kind, by in CASES:
            compare(measure_with(duck_engine, cohort, kind, by),
                    measure_with(spark_engine, cohort, kind, by), cohort)
    # And the one-call form, once.
    compare(measure(history, "doncaster-2010", engine="duckdb"),
            measure(history, "doncaster-2010", engine="spark"), "doncaster-2010")


def compare(duck, spark, cohort):
    """The two engines' results, row for row."""
    assert len(duck) == len(spark) > 0, cohort
    for left, right in zip(duck, spark, strict=True):
        a, b = left.to_dict(), right.to_dict()
        # A mean is summed in a different order on each engine: equal to the last bits.
        assert a.pop("mean_predicted_risk") == pytest.approx(b.pop("mean_predicted_risk"))
        assert a == b, cohort
    assert sum(r.size for r in duck) > 0, cohort


def test_errors_name_the_engine_and_the_sql(history, engine_name):
    with Engine(engine_name, history) as engine:
        events = engine.table("index_events")
        broken = events.mutate(when=events.case_ref.cast("date"))
        with pytest.raises(EngineError) as caught:
            engine.execute(broken)
    assert caught.value.engine == engine_name
    assert "SELECT" in caught.value.sql
    assert f"-- SQL ({engine_name})" in str(caught.value)
