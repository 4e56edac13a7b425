"""The monitoring page (OUT-6): who may see it, the CSV of each check, suppression of small
counts (COM-4), case references for staff only, and what it says before any data exists."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from omp.outcomes.gaming import SUPPRESSED
from omp.outcomes.web.views import monitoring as gaming_views


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "analytics"
    directory.mkdir()
    monkeypatch.setattr(gaming_views, "analytics_dir", lambda: directory)
    return directory


@pytest.fixture
def with_data(data_dir: Path, write_monitoring_data) -> Path:
    return write_monitoring_data(data_dir)


@pytest.fixture
def signed_in(make_user: Any):
    users = iter(range(1000))

    def make(*roles: str) -> Client:
        client = Client()
        client.force_login(make_user(f"user{next(users)}", *roles))
        return client

    return make


URL = "/outcomes/monitoring/"


@pytest.mark.parametrize("role", ["commissioner", "analyst", "admin"])
def test_commissioners_analysts_and_admins_see_the_checks(with_data, signed_in, role):
    response = signed_in(role).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for title in ("Intensity of support by pathway and risk band",
                  "Transfers out before release by risk band",
                  "The same need worked on by two agencies at once"):
        assert title in page
    assert ("High-risk people on pathway 3 got 47% fewer support minutes per person than "
            "pathway 3 as a whole: possible parking (OUT-6).") in page
    assert "possible transfer gaming (OUT-6)" in page
    assert ("Accommodation: Catch22 and Probation worked on it at the same time for 12 "
            "people") in page
    for key in ("intensity", "transfers", "duplication"):
        assert f'id="chart-{key}-spec"' in page and f"?csv={key}" in page


@pytest.mark.parametrize("role", ["court_staff", "pom", "com", "case_manager", "provider",
                                  "head_of_offender_management"])
def test_other_roles_are_refused(with_data, signed_in, role):
    client = signed_in(role)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "?csv=intensity").status_code == 403


def test_signing_in_comes_first(with_data):
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_counts_below_ten_are_suppressed_on_the_page_and_in_the_chart(with_data, signed_in):
    response = signed_in("commissioner").get(URL)
    intensity = next(item for item in response.context["checks"]
                     if item["check"].key == "intensity")
    medium = next(row for row in intensity["check"].rows if row["risk_band"] == "medium")
    assert medium["people"] is None and medium["minutes_per_person_month"] is None
    assert "people" in medium["suppressed"]
    assert [value["band"] for value in intensity["chart"]["data"]["values"]] == [
        "Low", "High"]
    cells = [[cell["text"] for cell in row] for row in intensity["rows"]]
    assert cells[1][:3] == ["3", "Medium", SUPPRESSED]
    assert cells[2][:3] == ["3", "High", "12"]
    duplication = next(item for item in response.context["checks"]
                       if item["check"].key == "duplication")
    assert "for fewer than 10 people each: too few to tell duplication from chance, so not " \
        "flagged" in " ".join(
        duplication["check"].readings)


def test_transfers_name_the_prisons_and_the_legend_lists_only_bands_with_bars(with_data,
                                                                          signed_in):
    from omp.outcomes.results import prison_names

    response = signed_in("commissioner").get(URL)
    transfers = next(item for item in response.context["checks"]
                     if item["check"].key == "transfers")
    names = prison_names()
    for row, cells in zip(transfers["check"].rows, transfers["rows"], strict=True):
        assert cells[0]["text"] == names.get(row["prison"], row["prison"])
    values = transfers["chart"]["data"]["values"]
    colour = transfers["chart"]["layer"][0]["encoding"]["color"]
    assert set(colour["scale"]["domain"]) == {value["band"] for value in values} == {"High"}
    assert len(colour["scale"]["range"]) == len(colour["scale"]["domain"])
    assert colour["title"] == "Risk band"


def test_charts_and_tables_say_the_bands_in_words_with_a_legend(with_data, signed_in):
    response = signed_in("analyst").get(URL)
    page = response.content.decode()
    checks = {item["check"].key: item for item in response.context["checks"]}
    intensity = checks["intensity"]
    bars, ticks = intensity["chart"]["layer"]
    # The legend names only the bands drawn (medium is suppressed), in words, and the tick.
    assert bars["encoding"]["color"]["scale"]["domain"] == ["Low", "High"]
    assert ticks["encoding"]["color"]["datum"] == "The pathway as a whole"
    assert ticks["encoding"]["color"]["title"] == "Compared with"
    transfer_ticks = checks["transfers"]["chart"]["layer"][1]["encoding"]["color"]
    assert transfer_ticks["datum"] == "The baseline's share"
    for item in checks.values():
        # Figures line up with their headings; words to the left.
        assert [header["numeric"] for header in item["headers"]] == [
            cell["numeric"] for cell in item["rows"][0]]
        key = item["check"].key
        assert (f'role="region" aria-labelledby="{key}-caption" tabindex="0"' in page
                and f'id="{key}-caption"' in page)
    assert [h["label"] for h in intensity["headers"] if h["numeric"]][0] == "People"
    # No flag is a blank in every check, not a dash in one and a blank in the other.
    assert [row[-1]["text"] for row in intensity["rows"]] == ["", "", "possible parking"]
    assert [row[-1]["text"] for row in checks["transfers"]["rows"]] == ["Flagged", ""]


def test_a_small_rate_is_not_shown_as_nought():
    from omp.outcomes.gaming import figure_in_words as _cell

    assert _cell(0.043, "rate", False) == "0.043"
    assert _cell(2.44, "rate", False) == "2.4" and _cell(0, "rate", False) == "0.0"
    assert _cell(0.05, "rate", False) == "0.050" and _cell(0.996, "rate", False) == "1.0"
    assert _cell(0.00004, "rate", False) == "fewer than 0.01"  # not 4e-05


def test_each_check_downloads_as_csv_suppressed_like_the_page(with_data, signed_in):
    response = signed_in("commissioner").get(URL + "?csv=intensity")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="gaming-intensity.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_band = {row["risk_band"]: row for row in rows}
    assert by_band["medium"]["people"] == SUPPRESSED
    assert by_band["medium"]["minutes"] == SUPPRESSED
    assert by_band["high"]["people"] == "12" and by_band["high"]["minutes"] == "480"
    assert by_band["high"]["flag"] == "possible parking"
    moves = list(csv.DictReader(io.StringIO(
        signed_in("analyst").get(URL + "?csv=transfers").content.decode())))
    doncaster = next(row for row in moves if row["prison"] == "DNI")
    assert doncaster["people"] == "40" and doncaster["transferred"] == "20"
    assert doncaster["flagged"] == "True" and float(doncaster["p_corrected"]) < 0.001
    leicester = next(row for row in moves if row["prison"] == "LEI")
    assert leicester["transferred"] == "10"
    assert signed_in("admin").get(URL + "?csv=nonsense").status_code == 404


def test_case_references_are_for_staff_not_commissioners_or_analysts(with_data, signed_in):
    staff = signed_in("admin").get(URL).content.decode()
    assert "Example cases" in staff and "/cases/Wa000/" in staff
    for role in ("commissioner", "analyst"):
        page = signed_in(role).get(URL).content.decode()
        assert "Example cases" not in page and "Wa000" not in page, role


def test_without_the_analytics_tables_the_page_says_how_to_make_them(data_dir, signed_in):
    response = signed_in("analyst").get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The analytics tables have not been written yet" in page
    assert "support_contacts.parquet" in page and "omp outcomes generate" in page
    assert signed_in("commissioner").get(URL + "?csv=intensity").status_code == 404


def test_a_chart_with_nothing_to_draw_says_so(data_dir, write_monitoring_data, signed_in):
    import pyarrow as pa
    import pyarrow.parquet as pq

    write_monitoring_data(data_dir)
    table = pq.read_table(data_dir / "need_work.parquet")
    pq.write_table(table.filter(pa.compute.starts_with(table["case_ref"], "Wf")),
                   data_dir / "need_work.parquet")  # only the 3 people of the families work
    page = signed_in("commissioner").get(URL).content.decode()
    assert 'id="chart-duplication-empty"' in page and 'id="chart-duplication-spec"' not in page
    assert 'id="chart-intensity-spec"' in page


def test_long_tables_sit_behind_a_disclosure(with_data, signed_in, monkeypatch):
    page = signed_in("analyst").get(URL).content.decode()
    assert "Figures: all" not in page
    monkeypatch.setattr(gaming_views, "LONG_TABLE", 2)
    page = signed_in("analyst").get(URL).content.decode()
    assert "Figures: all 3 rows" in page  # intensity: low, medium, high
    assert "Figures: intensity of support by pathway and risk band" in page  # still a table


def test_a_table_without_a_column_is_named_on_the_page(with_data, signed_in):
    import pyarrow.parquet as pq

    table = pq.read_table(with_data / "need_work.parquet")
    pq.write_table(table.drop_columns(["agency"]), with_data / "need_work.parquet")
    response = signed_in("analyst").get(URL)
    assert response.status_code == 500
    assert "need_work: missing column(s) agency" in response.content.decode()
