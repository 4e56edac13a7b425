"""COM-3 published cohort information pages: each area's cohorts with their make-up and
proven reoffending, as tables with charts and as open data (CSV, Parquet, dictionary), the
same figures in each, under COM-4; refused to every role that does not commission."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from omp.outcomes.history import generate
from omp.outcomes.published import COLUMNS, DICTIONARY
from omp.outcomes.stored_results import compute_and_store

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def cohort_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cohorts")
    generate(directory, index_events=8_000, outcomes=32_000)
    compute_and_store(directory)
    return directory


@pytest.fixture
def commissioner(client_for: Any, settings: Any, cohort_history: Path) -> Any:
    settings.OUTCOMES_DATA_DIR = cohort_history
    return client_for("commissioner", "commissioner")


def _csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_com_3_the_list_names_each_area_and_offers_the_open_data(commissioner: Any) -> None:
    page = commissioner.get("/commissioning/cohorts/").content.decode()
    assert "South Yorkshire" in page and 'href="/commissioning/cohorts/SYO/"' in page
    for link in ("published-cohorts.csv", "published-cohorts.parquet", "data-dictionary.csv"):
        assert link in page
    for name, _, _ in DICTIONARY:
        assert f"<code>{name}</code>" in page


def test_com_3_an_area_page_shows_the_same_figures_as_its_csv(commissioner: Any) -> None:
    page = commissioner.get("/commissioning/cohorts/SYO/").content.decode()
    assert "South Yorkshire" in page
    for heading in ("Age", "Sex", "Risk of reoffending", "Offence group"):
        assert f">{heading}</h2>" in page
    assert page.count('data-app-chart="chart-') == 4
    spec = json.loads(re.search(r'id="chart-sex-spec"[^>]*>(.*?)</script>', page,
                                re.S).group(1))
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Male", "Female"]
    rows = _csv_rows(commissioner.get("/commissioning/cohorts/SYO/", {"format": "csv"}))
    assert rows and {row["cpa_code"] for row in rows} == {"SYO"}
    cohort = [row for row in rows if row["breakdown"] == "Cohort"]
    table = re.search(r'<table class="govuk-table" id="cohort-years">(.*?)</table>', page,
                      re.S).group(1)
    for row in cohort:
        year_row = re.search(rf">{row['cohort_year']}</th>(.*?)</tr>", table, re.S).group(1)
        cells = re.findall(r">([^<]*)</td>", year_row)
        expected_people = f"{int(row['people']):,}" if row["people"] else "[c]"
        assert cells[0] == expected_people
        if row["proven_reoffending_rate"]:
            assert cells[2] == f"{float(row['proven_reoffending_rate']) * 100:.1f}%"
    # Every count shown is 0 or at least 10, and a blank one says why.
    for row in rows:
        if row["people"]:
            assert int(row["people"]) == 0 or int(row["people"]) >= 10
        elif row["breakdown"] != "Cohort":
            assert row["withheld"].startswith("COM-4")


def test_com_3_the_open_data_file_is_the_same_in_csv_and_parquet(commissioner: Any) -> None:
    as_csv = _csv_rows(commissioner.get("/commissioning/cohorts/published-cohorts.csv"))
    response = commissioner.get("/commissioning/cohorts/published-cohorts.parquet")
    assert response.status_code == 200
    table = pq.read_table(io.BytesIO(response.content))
    assert tuple(table.column_names) == COLUMNS == tuple(as_csv[0])
    assert table.num_rows == len(as_csv)
    parquet_people = [value for value in table.column("people").to_pylist()]
    assert [int(r["people"]) if r["people"] else None for r in as_csv] == parquet_people
    dictionary = _csv_rows(commissioner.get("/commissioning/cohorts/data-dictionary.csv"))
    assert [row["column"] for row in dictionary] == list(COLUMNS)
    assert commissioner.get("/commissioning/cohorts/ZZZ/").status_code == 404


def test_com_3_before_anything_is_computed_the_page_says_how(client_for: Any, settings: Any,
                                                              tmp_path: Path) -> None:
    settings.OUTCOMES_DATA_DIR = tmp_path
    page = client_for("commissioner", "commissioner").get("/commissioning/cohorts/")
    assert page.status_code == 200
    assert "omp outcomes compute" in page.content.decode()


@pytest.mark.parametrize("role", ["court_staff", "pom", "com", "case_manager", "provider"])
def test_com_4_roles_that_do_not_commission_are_refused(client_for: Any, settings: Any,
                                                        cohort_history: Path, role: str
                                                        ) -> None:
    settings.OUTCOMES_DATA_DIR = cohort_history
    client = client_for(role, role)
    for url in ("/commissioning/cohorts/", "/commissioning/cohorts/SYO/",
                "/commissioning/cohorts/published-cohorts.csv",
                "/commissioning/cohorts/data-dictionary.csv"):
        assert client.get(url).status_code == 403, url
