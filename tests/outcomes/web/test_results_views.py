"""Outcomes results pages (OUT-2..OUT-5): who may read them, what they show, the CSV of each
table, and that no count below 10 is ever shown for a group (COM-4)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from omp.outcomes.history import generate
from omp.outcomes.measures import measure
from omp.rules.payment import DoncasterContract, doncaster_statement

#: Big enough for Doncaster's yearly cohorts (about 50 people) to be shown, small enough
#: for the smallest prisons' to be withheld.
INDEX_EVENTS = 20_000


@pytest.fixture(scope="session")
def analytics_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded synthetic history, generated once for the module's tests."""
    directory = tmp_path_factory.mktemp("analytics")
    generate(directory, index_events=INDEX_EVENTS, outcomes=INDEX_EVENTS * 4)
    return directory


@pytest.fixture
def outcomes_data(settings: Any, analytics_dir: Path, tmp_path: Path) -> Path:
    settings.OUTCOMES_DATA_DIR = analytics_dir
    settings.OUTCOMES_CACHE_DIR = tmp_path / "cache"
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
    page = client.get("/outcomes/").content.decode()
    assert 'id="no-data"' in page and "omp outcomes generate" in page
    assert client.get("/outcomes/doncaster/").status_code == 404


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
