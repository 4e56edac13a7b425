"""The commissioner's dashboard: every contract's KPIs with their rating for a month (the
same figures as the contract page's), the payments of the outcomes results and the gaming
flags; filters, a month not computed named, the KPI matrix as CSV; COM-4 for roles without
case access; refused to case-only roles."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from tests.commissioning.test_commissioning_kpis import (  # noqa: F401 - fixtures by name
    CONTRACT,
    activity,
    computed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_analytics(settings: Any, tmp_path: Path) -> None:
    settings.OUTCOMES_DATA_DIR = tmp_path


def _kpis_csv(client: Any, **query: str) -> list[dict[str, str]]:
    response = client.get("/commissioning/dashboard/", {**query, "format": "kpis.csv"})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.usefixtures("computed")
def test_the_dashboard_shows_each_contracts_kpis_for_the_latest_month(
        client_for: Any, no_analytics: None) -> None:
    # An administrator reads cases as well, so nothing is withheld (COM-4).
    analyst = client_for("dash-admin", "admin")
    page = analyst.get("/commissioning/dashboard/").content.decode()
    assert "KPIs in April 2026" in page
    assert 'id="rag-chart"' in page and 'id="kpi-matrix"' in page
    rows = {(r["contract"], r["kpi_code"]): r for r in _kpis_csv(analyst)}
    # The figures of the contract page, for the latest month computed.
    assert rows[(CONTRACT, "COMPLETE")]["figure"] == "50"
    assert rows[(CONTRACT, "OUTCOMES")]["figure"] == "50"  # 2 of 4 desired outcomes
    march = {(r["contract"], r["kpi_code"]): r for r in _kpis_csv(analyst, month="2026-03")}
    assert march[(CONTRACT, "IA5")]["figure"] == "66.7"
    assert march[(CONTRACT, "IA5")]["rating"] == "Below target"
    # Without analytics data the other two sections say so.
    assert 'id="no-payments"' in page and 'id="no-flags"' in page


@pytest.mark.usefixtures("computed")
def test_a_month_not_computed_and_a_bad_filter_are_named(
        client_for: Any, no_analytics: None) -> None:
    commissioner = client_for("dash-commissioner", "commissioner")
    refused = commissioner.get("/commissioning/dashboard/", {"month": "1999-01"})
    assert refused.status_code == 400
    assert "Choose a month from the list" in refused.content.decode()
    bad = commissioner.get("/commissioning/dashboard/", {"cpa": "ATLANTIS"})
    assert bad.status_code == 400
    assert "Choose a contract package area from the list" in bad.content.decode()


@pytest.mark.usefixtures("computed")
def test_com_4_a_commissioner_sees_small_figures_withheld(
        client_for: Any, no_analytics: None) -> None:
    commissioner = client_for("dash-commissioner", "commissioner")
    march = {(r["contract"], r["kpi_code"]): r
             for r in _kpis_csv(commissioner, month="2026-03")}
    assert march[(CONTRACT, "IA5")]["figure"] == ""
    assert march[(CONTRACT, "IA5")]["rating"] == "Not shown"
    page = commissioner.get("/commissioning/dashboard/", {"month": "2026-03"}).content.decode()
    assert "66.7" not in page


def test_the_dashboard_reads_payments_and_flags_from_the_outcomes_data(
        client_for: Any, settings: Any, tmp_path_factory: Any) -> None:
    from omp.outcomes.history import generate
    from omp.outcomes.stored_results import compute_and_store

    directory = tmp_path_factory.mktemp("dashboard")
    generate(directory, index_events=8_000, outcomes=32_000)
    compute_and_store(directory)
    settings.OUTCOMES_DATA_DIR = directory
    page = client_for("dash-commissioner", "commissioner").get(
        "/commissioning/dashboard/").content.decode()
    assert 'id="payments-table"' in page and "South Yorkshire" in page
    assert 'id="flags"' in page and "Transfers out before release by risk band" in page


@pytest.mark.parametrize("role", ["court_staff", "pom", "com", "case_manager", "provider"])
def test_case_only_roles_are_refused_the_dashboard(client_for: Any, role: str) -> None:
    assert client_for(role, role).get("/commissioning/dashboard/").status_code == 403
