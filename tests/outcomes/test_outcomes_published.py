"""COM-3 published cohort information: each area's cohorts broken down by age, sex, risk
band and offence group, the same cohort as its results page, published under COM-4 so that
no withheld figure can be worked out from the rest, on either engine."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from omp.outcomes.engine import Engine
from omp.outcomes.history import generate
from omp.outcomes.published import (
    BREAKDOWNS,
    COLUMNS,
    AreaCohorts,
    Composition,
    compose,
    open_data_rows,
    open_data_table,
    published,
)
from omp.outcomes.results import cpa_names
from omp.outcomes.stored_results import compute_and_store, stored_catalogue, stored_cohorts
from omp.outcomes.stored_results import stored_results as results_of
from tests.rules.test_disclosure import assert_nothing_recovered


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("published")
    generate(directory, index_events=8_000, outcomes=32_000)
    compute_and_store(directory)
    return directory


def test_each_breakdown_counts_the_cohort_the_results_page_measures(history):
    _, catalogue = stored_catalogue(history)
    _, areas = stored_cohorts(history)
    cpas = [place for place in catalogue.places if place.kind == "cpa"]
    assert sorted(areas) == sorted(place.code for place in cpas) and cpas
    for place in cpas:
        _, results = results_of(history, place.slug)
        sizes = {row.year: row.size for row in results.years}
        for composition in areas[place.code].compositions:
            totals = {year: sum(row) for year, row in zip(composition.years,
                                                           composition.counts, strict=True)}
            assert totals == {year: sizes.get(year, 0) for year in composition.years}, (
                place.code, composition.key)
    assert [c.key for c in areas[cpas[0].code].compositions] == [k for k, _, _ in BREAKDOWNS]


def test_every_published_table_withholds_what_could_identify_and_hides_it_well(history):
    _, catalogue = stored_catalogue(history)
    _, areas = stored_cohorts(history)
    withheld = 0
    for place in (p for p in catalogue.places if p.kind == "cpa"):
        _, results = results_of(history, place.slug)
        area = published(areas[place.code], results.years, threshold=10)
        for table in area.tables:
            protected = table.table
            for row, line in enumerate(protected.counts):
                for column, value in enumerate(line):
                    if protected.shown(row, column) is not None:
                        assert value == 0 or value >= 10, (place.code, table.key, value)
            assert_nothing_recovered(protected)
            withheld += len(protected.withheld)
        for figures in area.years:
            if figures.people is not None:
                assert figures.people >= 10
            if figures.reoffenders is not None:
                assert 10 <= figures.reoffenders <= figures.people - 10
                assert figures.rate == pytest.approx(figures.reoffenders / figures.people)
    assert withheld, "the small synthetic history should need some cells withheld"


def test_a_small_year_is_withheld_in_every_table_and_in_the_cohort_row():
    years = (2012, 2013)
    sex = Composition("sex", "Sex", ("Male", "Female"), years, ((50, 40), (4, 3)))
    age = Composition("age", "Age", ("Young", "Old"), years, ((85, 5), (7, 0)))
    area = AreaCohorts("X", "Area X", (sex, age))
    shown = published(area, [], threshold=10)
    # 2013's 7 people are withheld; protecting them withholds 2012's size too (the column
    # totals would give it away), and the set is the same in every table and the cohort row.
    withheld = shown.tables[0].years_withheld
    assert withheld == frozenset({2012, 2013})
    for table in shown.tables:
        assert table.years_withheld == withheld
        for row in range(2):
            people, reason = table.cell(row, 2)
            assert people is None and reason
        assert_nothing_recovered(table.table)
    assert shown.tables[1].cell(1, 1) == (0, None)  # a zero identifies nobody
    assert all(f.people is None and f.withheld for f in shown.years)


def test_the_open_data_file_has_the_dictionary_columns_and_round_trips(history, tmp_path):
    _, catalogue = stored_catalogue(history)
    _, areas = stored_cohorts(history)
    shown = [published(areas[p.code], results_of(history, p.slug)[1].years, 10)
             for p in catalogue.places if p.kind == "cpa"]
    rows = open_data_rows(shown)
    assert rows and all(tuple(row) == COLUMNS for row in rows)
    assert all((row["people"] is None) == bool(row["withheld"]) or row["breakdown"] == "Cohort"
               for row in rows)
    path = tmp_path / "cohorts.parquet"
    pq.write_table(open_data_table(rows), path)
    back = pq.read_table(path)
    assert back.num_rows == len(rows) and tuple(back.column_names) == COLUMNS
    assert back.schema.field("people").type == "int64"


def test_spark_composes_the_same_counts(history, spark_session):
    _, catalogue = stored_catalogue(history)
    names = cpa_names()
    with Engine("duckdb", history) as duck:
        embedded = compose(duck, catalogue.first_year, catalogue.last_year, names)
    with Engine("spark", history) as spark:
        distributed = compose(spark, catalogue.first_year, catalogue.last_year, names)
    assert embedded == distributed
