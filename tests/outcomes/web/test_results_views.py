"""Outcomes results pages (OUT-2..OUT-5): who may read them, what they show, the CSV of each
table, that no count below 10 is ever shown for a group (COM-4), and that the pages show the
figures computed when the data was written, saying when, and never measure while a page
waits."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from omp.outcomes import stored_results
from omp.outcomes.history import generate
from omp.outcomes.measures import measure
from omp.outcomes.stored_results import compute_and_store
from omp.rules.payment import DoncasterContract, doncaster_statement

#: Big enough for Doncaster's yearly cohorts (about 50 people) to be shown, small enough
#: for the smallest prisons' to be withheld.
INDEX_EVENTS = 20_000


@pytest.fixture(scope="session")
def analytics_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded synthetic history, generated once for the module's tests, with the results
    pages' figures computed from it (as ``omp outcomes generate`` does)."""
    directory = tmp_path_factory.mktemp("analytics")
    generate(directory, index_events=INDEX_EVENTS, outcomes=INDEX_EVENTS * 4)
    compute_and_store(directory)
    return directory


@pytest.fixture
def outcomes_data(settings: Any, analytics_dir: Path) -> Path:
    settings.OUTCOMES_DATA_DIR = analytics_dir
    return analytics_dir


@pytest.mark.parametrize("role", ["commissioner", "contract_manager", "analyst", "admin"])
def test_outcomes_readers_see_the_index(client_for: Callable[..., Client], outcomes_data: Path,
                                        role: str) -> None:
    response = client_for(f"reader.{role}", role).get("/outcomes/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/outcomes/doncaster/"' in page
    assert 'href="/outcomes/cpa-syo/"' in page and "South Yorkshire" in page
    assert 'href="/outcomes/prison-lei/"' in page
    # Prisons listed by name, as people look for them, not by code.
    listed = re.findall(r'href="/outcomes/prison-[a-z]+/">([^<]+)<', page)
    assert len(listed) > 3 and listed == sorted(listed) and "HMP Leeds" in listed
    assert ">Outcomes</a>" in page  # the navigation link, marked current
    assert 'aria-current="page">Outcomes' in page


@pytest.mark.parametrize("role", ["court_staff", "pom", "com", "provider", "case_manager"])
def test_other_roles_are_refused(client_for: Callable[..., Client], outcomes_data: Path,
                                 role: str) -> None:
    client = client_for(f"other.{role}", role)
    for url in ("/outcomes/", "/outcomes/doncaster/", "/outcomes/doncaster/rates.csv"):
        assert client.get(url).status_code == 403
    # …and the navigation does not offer the link.
    assert ">Outcomes</a>" not in client.get("/cases/").content.decode()


def test_signed_out_people_are_sent_to_sign_in(client: Client, outcomes_data: Path) -> None:
    response = client.get("/outcomes/doncaster/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_contract_manager_role_exists(db: Any) -> None:
    assert Group.objects.filter(name="contract_manager").exists()


def test_doncaster_page_shows_rates_statements_and_case_mix(
        client_for: Callable[..., Client], outcomes_data: Path) -> None:
    """OUT-2..OUT-5 on one page; the statement agrees with the arithmetic run directly on
    the measured pilot cohort."""
    response = client_for("commissioner.one", "commissioner").get("/outcomes/doncaster/")
    assert response.status_code == 200
    page = response.content.decode()
    # Rate over time: the chart's spec and the table beside it, one row per cohort year.
    spec = json.loads(re.search(r'<script id="rate-chart-spec" type="application/json">'
                                r'(.*?)</script>', page, re.S)[1])  # type: ignore[index]
    years = [value["year"] for value in spec["data"]["values"]]
    assert years == [str(year) for year in range(2009, 2017)]
    assert spec["layer"][2]["data"]["values"][0] == {"value": 58.2, "label": "Baseline 58.2%"}
    assert page.count('<th scope="row" class="govuk-table__header">2009</th>') == 1
    # Payment statements for the pilot cohorts, with the arithmetic.
    assert "OUT-3: what each pilot cohort's result pays" in page
    pilot = measure(outcomes_data, "doncaster-pilot-1")[0]
    expected = doncaster_statement(
        DoncasterContract(Decimal("10000000"), Decimal("500000")),
        Decimal(str(pilot.rate)))
    assert f"Reduction: 58.2 − {expected.rate} = " in page
    total = f"£{expected.total_payment:,.2f}"
    assert total in page
    assert "Adjusted for case mix" in page and "OUT-5: the cohort&#x27;s mean predicted risk" \
        in page
    assert 'id="case-mix"' in page


def test_cpa_page_shows_a_tr_statement(client_for: Callable[..., Client],
                                       outcomes_data: Path) -> None:
    """OUT-4 for a contract package area: contract years from 2015 against its 2011 cohort."""
    page = client_for("analyst.one", "analyst").get("/outcomes/cpa-syo/").content.decode()
    assert "OUT-4: what each contract year pays" in page
    assert "2015 (contract year 1)" in page and "2016 (contract year 2)" in page
    assert "OUT-4 fee for service" in page
    assert "proven to have reoffended" in page


def test_csv_of_each_table(client_for: Callable[..., Client], outcomes_data: Path) -> None:
    client = client_for("manager.one", "contract_manager")
    response = client.get("/outcomes/doncaster/rates.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="doncaster-rates.csv"'
    rates = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["year"] for row in rates] == [str(year) for year in range(2009, 2017)]
    pilot_2009 = measure(outcomes_data, "doncaster-2009")[0]
    assert rates[0]["people"] == str(pilot_2009.size)
    assert rates[0]["rate_percent"] == f"{pilot_2009.rate:.2f}"
    statements = client.get("/outcomes/doncaster/statements.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(statements)))
    assert {row["version"] for row in rows} == {"unadjusted", "adjusted"}
    assert any(row["figure"] == "total_payment" for row in rows)
    case_mix = list(csv.DictReader(io.StringIO(
        client.get("/outcomes/doncaster/case-mix.csv").content.decode())))
    assert case_mix[0]["cohort"] == "doncaster-pilot-1"
    assert client.get("/outcomes/doncaster/people.csv").status_code == 404
    assert client.get("/outcomes/nowhere/rates.csv").status_code == 404
    assert client.get("/outcomes/prison-zzz/").status_code == 404


def _cells(page: str, table_id: str, column: int) -> list[str]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert table is not None
    cells = []
    for row in re.findall(r"<tr class=\"govuk-table__row\"[^>]*>(.*?)</tr>", table[0], re.S):
        found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        if len(found) > column:
            cells.append(re.sub(r"<[^>]+>", "", found[column]).strip())
    return cells


def test_com_4_no_count_below_ten_is_shown(client_for: Callable[..., Client],
                                           outcomes_data: Path) -> None:
    """COM-4: in the smallest prison's results, a group of fewer than 10 people, or one
    whose reoffenders or non-reoffenders number fewer than 10, shows no count or rate, on
    the page and in the CSV."""
    client = client_for("commissioner.two", "commissioner")
    page = client.get("/outcomes/prison-upi/").content.decode()
    assert 'id="suppression-note"' in page
    people, reoffended = _cells(page, "rates", 1), _cells(page, "rates", 2)
    assert "fewer than 10" in people
    for cell in people + reoffended:
        assert cell in ("fewer than 10", "not shown", "People", "Reoffended") or \
            int(cell.replace(",", "")) >= 10, cell
    for row in csv.DictReader(io.StringIO(client.get("/outcomes/prison-upi/rates.csv")
                                          .content.decode())):
        for name in ("people", "reoffenders"):
            assert row[name] in ("", "fewer than 10") or int(row[name]) >= 10
        if row["note"]:
            assert row["rate_percent"] == "" and row["note"].startswith("COM-4")
    # Exclusion counts are counts too.
    assert re.search(r": [1-9]</", page) is None
    assert re.search(r"(remand|order|irc): [1-9](,|<|\s)", page) is None


def test_no_data_loaded(client_for: Callable[..., Client], settings: Any,
                        tmp_path: Path) -> None:
    settings.OUTCOMES_DATA_DIR = tmp_path / "empty"
    client = client_for("commissioner.three", "commissioner")
    for url in ("/outcomes/", "/outcomes/doncaster/"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200
        assert 'id="no-data"' in page and "omp outcomes generate" in page
    assert client.get("/outcomes/doncaster/rates.csv").status_code == 404


def test_data_without_computed_figures_says_how_to_compute_them(
        client_for: Callable[..., Client], settings: Any, tmp_path: Path,
        analytics_dir: Path) -> None:
    """Data copied in by hand has no figures yet: every outcomes page says so, with the
    command that computes them, rather than measuring while the reader waits or failing."""
    bare = tmp_path / "analytics"
    bare.mkdir()
    for table in analytics_dir.glob("*.parquet"):
        (bare / table.name).write_bytes(table.read_bytes())
    settings.OUTCOMES_DATA_DIR = bare
    client = client_for("commissioner.five", "commissioner")
    for url in ("/outcomes/", "/outcomes/doncaster/", "/outcomes/nowhere/"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert 'id="not-computed"' in page
        assert f"omp outcomes compute --data {bare}" in page
    compute_and_store(bare)
    page = client.get("/outcomes/doncaster/").content.decode()
    assert 'id="computed"' in page and 'id="stale"' not in page


def test_pages_say_when_their_figures_were_computed(
        client_for: Callable[..., Client], outcomes_data: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The page reads the stored figures only (a measure would fail here) and says when they
    were computed, in London time."""
    def no_measuring(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a page measured while the reader waited")

    monkeypatch.setattr(stored_results, "compute_results", no_measuring)
    monkeypatch.setattr("omp.outcomes.results.compute_results", no_measuring)
    result_set = stored_results.current(outcomes_data)
    moment = result_set.computed_at.astimezone(ZoneInfo("Europe/London"))
    client = client_for("analyst.two", "analyst")
    for url in ("/outcomes/", "/outcomes/doncaster/", "/outcomes/cpa-syo/",
                "/outcomes/prison-lei/"):
        page = client.get(url).content.decode()
        assert (f"Figures computed on {moment:%-d %B %Y} at {moment:%H:%M} from the analytics "
                "data.") in page, url


def test_changed_data_is_flagged_until_computed_again(
        client_for: Callable[..., Client], settings: Any, tmp_path: Path,
        analytics_dir: Path) -> None:
    """When the data changes after the figures were computed, the pages still answer at once
    from the stored figures and warn that they are out of date, naming the command."""
    copy = tmp_path / "analytics"
    copy.mkdir()
    for table in analytics_dir.glob("*.parquet"):
        (copy / table.name).write_bytes(table.read_bytes())
    compute_and_store(copy)
    first = stored_results.current(copy)
    settings.OUTCOMES_DATA_DIR = copy
    client = client_for("commissioner.six", "commissioner")
    assert 'id="stale"' not in client.get("/outcomes/doncaster/").content.decode()
    events = copy / "index_events.parquet"
    os.utime(events, ns=(events.stat().st_atime_ns, events.stat().st_mtime_ns + 10**9))
    page = client.get("/outcomes/doncaster/").content.decode()
    assert 'id="stale"' in page and "omp outcomes compute" in page
    second = compute_and_store(copy)
    assert second.folder != first.folder and second.folder.exists()
    assert 'id="stale"' not in client.get("/outcomes/doncaster/").content.decode()
    # The set before stays one round for a page that read the old pointer; older ones go.
    third = compute_and_store(copy)
    assert sorted(path.name for path in (copy / "results").glob("set-*")) == \
        sorted([second.folder.name, third.folder.name])


def test_stored_figures_equal_each_cohort_measured_on_its_own(outcomes_data: Path) -> None:
    """OUT-1, OUT-2: the pages' figures come from one split pass over every prison and area;
    each year equals that cohort measured on its own."""
    _, doncaster = stored_results.stored_results(outcomes_data, "doncaster")
    _, leeds = stored_results.stored_results(outcomes_data, "prison-lei")
    _, area = stored_results.stored_results(outcomes_data, "cpa-syo")
    for results, year, kind in ((doncaster, 2009, "binary_court"),
                                (leeds, 2013, "binary_court"), (area, 2015, "proven")):
        row = next(row for row in results.years if row.year == year)
        alone = measure(outcomes_data, row.cohort, kind)[0]
        assert (row.size, row.reoffenders, row.rate, row.ci_low, row.ci_high,
                row.mean_predicted_risk, row.excluded) == \
            (alone.size, alone.reoffenders, alone.rate, alone.ci_low, alone.ci_high,
             alone.mean_predicted_risk, alone.excluded)
    pilot = measure(outcomes_data, "doncaster-pilot-1")[0]
    assert doncaster.statements[0].cohort == "doncaster-pilot-1"
    assert doncaster.statements[0].unadjusted is not None
    assert doncaster.statements[0].unadjusted.measure.rate == pilot.rate


@pytest.mark.parametrize("next_page", ["", "?next=/cases/"])
def test_commissioners_sign_in_to_the_outcomes_index(client: Client, make_user: Any,
                                                     next_page: str) -> None:
    """Commissioners may not open case records, so case search, the usual start page, is
    replaced by the outcomes index; any other page asked for is kept."""
    make_user("commissioner.four", "commissioner", password="a-long-test-password")
    signed_in = client.post(f"/accounts/login/{next_page}",
                            {"username": "commissioner.four",
                             "password": "a-long-test-password"})
    assert signed_in.url == "/outcomes/"
    assert client.get("/").url == "/outcomes/"
    client.post("/accounts/logout/")
    kept = client.post("/accounts/login/?next=/outcomes/cpa-syo/",
                       {"username": "commissioner.four", "password": "a-long-test-password"})
    assert kept.url == "/outcomes/cpa-syo/"
