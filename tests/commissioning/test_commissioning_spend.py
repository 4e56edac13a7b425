"""Spend and outcomes by segment on the segmentation page, and the contract manager's
dashboard's outcomes and payment statement: figures worked out by hand from the KPI tests'
four London housing referrals, COM-4 applied, CSV, an empty base, and the roles."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from omp.clock import frozen_at
from omp.commissioning.segmentation import forget
from omp.rules.spend import ReferralActivity, referral_spend, unit_key, unpriced_units
from tests.commissioning.test_commissioning_kpis import (  # noqa: F401 - fixtures by name
    CONTRACT,
    activity,
)

pytestmark = pytest.mark.django_db

SEGMENTATION = "/commissioning/segmentation/"
DASHBOARD = "/commissioning/contract-manager/"
COSTS = [("per referral", Decimal("180.00")), ("Per  Session", Decimal("95.00")),
         ("per completed referral", Decimal("60.00")), ("per month", Decimal("1000"))]


def test_a_referral_priced_by_its_units() -> None:
    spend = referral_spend(COSTS, ReferralActivity(sent=True, sessions=3, completed=True))
    assert spend == {"per referral": Decimal("180.00"), "per session": Decimal("285.00"),
                     "per completed referral": Decimal("60.00")}
    # Sent before the period, no session, not concluded in it: nothing spent in it.
    assert sum(referral_spend(COSTS, ReferralActivity(False, 0, False)).values()) == 0
    assert unit_key("per month") is None and unpriced_units(COSTS) == ["per month"]


@pytest.fixture
def scored(activity: Any) -> Any:  # noqa: F811 - the fixture by name
    """The activity's person scored high general (80), high violent (70) risk."""
    from omp.cases.models import Assessment

    forget()
    person = activity["person"]
    for kind, score in (("OGRS", 80), ("OVP", 70)):
        Assessment.objects.create(person=person, kind=kind, score=score,
                                  assessed_on=date(2026, 11, 30))
    yield person
    forget()


def _threshold(monkeypatch: Any, threshold: int) -> None:
    from omp.commissioning import segmentation_views

    monkeypatch.setattr(segmentation_views, "disclosure_threshold", lambda: threshold)


def _rows(page: str, table_id: str) -> dict[str, list[str]]:
    table = re.search(rf'<table class="govuk-table" id="{table_id}">(.*?)</table>', page,
                      re.S).group(1)
    rows = [re.findall(r"<t[hd][^>]*>([^<]*)", row)
            for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table, re.S)]
    return {row[0]: row[1:] for row in rows if row}


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_spend_and_outcomes_by_segment_by_hand(scored: Any, client_for: Any,
                                               monkeypatch: Any) -> None:
    _threshold(monkeypatch, 1)  # nothing withheld: the figures by hand
    commissioner = client_for("spend-commissioner", "commissioner")
    with frozen_at(date(2026, 5, 31)):
        page = commissioner.get(SEGMENTATION, {"where": "all"}).content.decode()
        rows = {r["segment"]: r for r in _csv(commissioner.get(
            SEGMENTATION, {"where": "all", "format": "spend.csv"}))}
    # Four referrals sent in March (4 × £180), three sessions held (r1: came, came late;
    # r2: came; r1's moved booking counts where it went, not held: 3 × £95), r1 concluded
    # in April (£60): £1,065.
    table = _rows(page, "spend-table")
    high = table["High general, high violent"]
    assert high[:3] == ["4", "£1,065.00", "3"]
    # r1's latest report rates its three outcomes achieved, achieved, not (r2 was
    # withdrawn, so its report is not an outcome of a concluded referral). None partly
    # achieved: a share of 0% says something of every one, so rate_suppression withholds it.
    assert high[3:6] == ["67%", "[c]", "33%"] and high[6] == "Not available"
    assert table["Low general, low violent"][:3] == ["0", "£0.00", "0"]
    assert table["All"][:2] == ["4", "£1,065.00"]
    assert 'id="spend-pricing"' in page
    assert "per session for each session that took place" in page
    assert 'id="spend-chart"' in page and "Sessions held (per session)" in page
    row = rows["High general, high violent"]
    assert (row["referrals"], row["spend_pounds"], row["desired_outcomes_rated"]) == (
        "4", "1065.00", "3")
    assert row["share_achieved"] == "0.6667" and row["proven_reoffending_rate"] == \
        "not available"
    # In the year to June 2027 only r4 is open (sent in March 2026, never ended): it was
    # sent before that year and nothing happened on it, so it cost nothing in it.
    with frozen_at(date(2027, 6, 30)):
        forget()
        later = commissioner.get(SEGMENTATION, {"where": "all"}).content.decode()
    assert _rows(later, "spend-table")["High general, high violent"][:3] == [
        "1", "£0.00", "0"]


def test_com_4_withholds_small_segments_and_their_spend(scored: Any, client_for: Any
                                                        ) -> None:
    commissioner = client_for("spend-commissioner", "commissioner")
    with frozen_at(date(2026, 5, 31)):
        page = commissioner.get(SEGMENTATION, {"where": "all"}).content.decode()
        rows = {r["segment"]: r for r in _csv(commissioner.get(
            SEGMENTATION, {"where": "all", "format": "spend.csv"}))}
    high = _rows(page, "spend-table")["High general, high violent"]
    assert high[:3] == ["[c]", "[c]", "[c]"] and "1,065" not in page
    assert rows["High general, high violent"]["spend_pounds"] == ""
    assert rows["High general, high violent"]["withheld"].startswith("COM-4")
    assert _rows(page, "spend-table")["All"][:2] == ["[c]", "[c]"]


def test_an_empty_base_says_so(client_for: Any) -> None:
    forget()
    page = client_for("spend-analyst", "analyst").get(SEGMENTATION).content.decode()
    assert 'id="no-spend"' in page and "no spend or outcome to show" in page


def _contract() -> Any:
    from omp.commissioning.models import CommissionedContract

    return CommissionedContract.objects.get(contract__reference=CONTRACT)


def _manager(make_user: Any, *roles: str) -> Any:
    from django.test import Client

    from omp.commissioning.models import CommissionedContract

    user = make_user(f"spend-{roles[0]}", *roles)
    CommissionedContract.objects.filter(contract__reference=CONTRACT).update(
        contract_manager=user)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.usefixtures("activity")
def test_the_contracts_outcomes_by_hand_and_under_com_4(make_user: Any) -> None:
    admin = _manager(make_user, "admin")  # reads cases: nothing withheld
    page = admin.get(DASHBOARD, {"contract": CONTRACT}).content.decode()
    outcomes = _rows(page, "outcomes-chart-table")
    assert outcomes["Achieved"] == ["2"] and outcomes["Partly achieved"] == ["0"]
    assert outcomes["Not achieved"] == ["1"] and 'id="outcomes-chart"' in page
    # Each level its own colour, named in the legend: achieved green, not achieved red.
    from omp.commissioning.manager_dashboards import contract_outcomes, outcome_level_counts

    chart = contract_outcomes(outcome_level_counts(_contract().contract_id), False).chart
    colour = chart["encoding"]["color"]
    assert colour["scale"]["domain"] == ["Achieved", "Partly achieved", "Not achieved"]
    assert colour["scale"]["range"] == ["#00703c", "#f47738", "#d4351c"]
    assert {v["series"] for v in chart["data"]["values"]} == {"Achieved", "Not achieved"}
    rows = _csv(admin.get(DASHBOARD, {"contract": CONTRACT, "format": "outcomes.csv"}))
    assert [(r["achievement"], r["Desired outcomes"]) for r in rows] == [
        ("Achieved", "2"), ("Partly achieved", "0"), ("Not achieved", "1")]
    manager = _manager(make_user, "contract_manager")
    page = manager.get(DASHBOARD, {"contract": CONTRACT}).content.decode()
    assert _rows(page, "outcomes-chart-table")["Achieved"] == ["[c]"]
    assert "AA0001AA" not in page


def test_the_payment_statement_of_the_contracts_area(make_user: Any, tmp_path: Any,
                                                     monkeypatch: Any) -> None:
    from omp.commissioning import manager_dashboard_views
    from omp.commissioning.manager_dashboards import STATEMENT_FIGURES, StatementLine

    lines = [StatementLine("2025 cohort", True,
                           {"binary_rate": "41.20", "binary_target": "43.10",
                            "fee_for_service": "1000.00", "binary_payment": "250.50",
                            "frequency_payment": "0.00", "total_payment": "1250.50"}, None),
             StatementLine("2026 cohort", False, dict.fromkeys(
                 (k for k, _ in STATEMENT_FIGURES), None), "COM-4: too few people")]
    monkeypatch.setattr(manager_dashboard_views, "contract_statement",
                        lambda contract, where: (lines, None, None))
    manager = _manager(make_user, "contract_manager")
    page = manager.get(DASHBOARD, {"contract": CONTRACT}).content.decode()
    table = _rows(page, "statement-table")
    assert table["2025 cohort"] == ["41.20%", "43.10%", "£1,000.00", "£250.50", "£0.00",
                                    "£1,250.50"]
    assert table["2026 cohort"][:1] == ["[c]"]
    rows = _csv(manager.get(DASHBOARD, {"contract": CONTRACT, "format": "payments.csv"}))
    assert rows[0]["total_payment"] == "1250.50" and rows[0]["adjusted_for_case_mix"] == "yes"
    assert rows[1]["total_payment"] == "" and rows[1]["withheld"] == "COM-4: too few people"


def test_no_statement_when_the_results_are_not_computed(tmp_path: Any) -> None:
    from omp.commissioning.manager_dashboards import contract_statement
    from omp.commissioning.queries import contracts

    contract = contracts().get(contract__reference=CONTRACT)
    lines, computed, why = contract_statement(contract, tmp_path)
    assert lines == [] and computed is None and why


@pytest.mark.parametrize("role", ["com", "pom", "provider", "court_staff"])
def test_spend_is_refused_to_roles_that_do_not_commission(client_for: Any, role: str
                                                          ) -> None:
    client = client_for(f"spend-{role}", role)
    assert client.get(SEGMENTATION, {"format": "spend.csv"}).status_code == 403
    assert client.get(DASHBOARD, {"format": "payments.csv"}).status_code == 403
