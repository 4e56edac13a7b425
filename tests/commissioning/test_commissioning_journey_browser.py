"""The commissioner's journey in a real browser (issue 16's browser test): the dashboard,
filtered to a contract package area, a contract opened and moved to "review", the
segmentation chart read and the KPI CSV downloaded; then the contract manager's and the
OMiC lead's dashboards, their charts drawn beside their tables. No console error, no
failed request, no accessibility problem found. With ``OMP_SCREENSHOTS=1`` the new pages'
screenshots are refreshed in docs/screenshots/ (else written to a scratch folder, to be
looked at)."""

from __future__ import annotations

import csv
import io
import os
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from playwright.sync_api import Browser, Page, expect

from tests.browser import PASSWORD, accessibility_problems, failed_responses
from tests.decisions.test_views_handover import _due_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
#: The catalogue, the demo contracts and their KPIs, which a flush removes.
COMMISSIONING_DATA = ("omp.referrals.migrations.0002_catalogue",
                      "omp.commissioning.migrations.0002_demo_contracts",
                      "omp.commissioning.migrations.0004_demo_kpis")


@pytest.fixture
def contracts_and_kpis(migrated_data: None) -> None:
    from omp.commissioning.kpis import compute_kpis

    for name in COMMISSIONING_DATA:
        import_module(name).forwards(apps, None)
    import_module("omp.commissioning.migrations.0005_end_of_service_kpis")._write(
        import_module("omp.commissioning.migrations.0005_end_of_service_kpis").OUTCOMES
    )(apps, None)
    compute_kpis(date(2026, 11, 30))


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _screenshot(page: Page, name: str, scratch: Path, docs: bool = True) -> Path:
    """A full-page screenshot, into docs/screenshots/ with ``OMP_SCREENSHOTS=1`` (for the
    pages the README shows), else into the test's scratch folder."""
    target = (SCREENSHOTS if docs and os.environ.get("OMP_SCREENSHOTS") else scratch) / name
    page.screenshot(path=str(target), full_page=True)
    return target


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_commissioner_filters_moves_a_contract_to_review_and_downloads_its_kpis(
        live_server: Any, transactional_db: Any, contracts_and_kpis: None,
        plain_static: None, browser: Browser, make_user: Any, settings: Any,
        tmp_path: Path) -> None:
    settings.OUTCOMES_DATA_DIR = tmp_path  # no analytics: payments and flags say so
    make_user("commissioner.kim", "commissioner", password=PASSWORD)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failures = failed_responses(page)
    _sign_in(page, live_server.url, "commissioner.kim")

    page.get_by_role("link", name="Commissioning", exact=True).click()
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", name="Commissioning dashboard")).to_be_visible()
    expect(page.locator("#rag-chart svg")).to_be_visible()
    page.get_by_label("Contract package area").select_option("WAL")
    page.get_by_role("button", name="Apply filters").click()
    assert "cpa=WAL" in page.url
    rows = page.locator("#kpi-matrix tbody tr")
    expect(rows).to_have_count(1)
    assert accessibility_problems(page) == []
    _screenshot(page, "commissioning-dashboard-filtered.png", tmp_path, docs=False)

    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert reference == "WAL-PWB-2026"
    page.get_by_role("link", name="Move through the cycle").click()
    page.get_by_label("Review", exact=True).check()
    page.get_by_label("Evidence seen for the stage it leaves").fill(
        "Twelve months of delivery reports and the KPI figures")
    page.get_by_role("button", name="Move the contract").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "moved to Review")
    assert accessibility_problems(page) == []

    page.get_by_role("link", name="Commissioning", exact=True).click()
    page.get_by_role("link", name="Segmentation", exact=True).click()
    expect(page.locator("#segmentation-chart svg")).to_be_visible()

    page.goto(f"{live_server.url}/commissioning/contracts/{reference}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the KPI figures month by month (CSV)").click()
    assert download.value.suggested_filename == "kpis-wal-pwb-2026.csv"
    text = Path(download.value.path()).read_text()
    rows_read = list(csv.DictReader(io.StringIO(text)))
    assert rows_read and {r["contract"] for r in rows_read} == {reference}
    assert failures == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_contract_manager_and_omic_lead_read_their_dashboards(
        live_server: Any, transactional_db: Any, contracts_and_kpis: None,
        plain_static: None, browser: Browser, make_user: Any, make_case: Any,
        tmp_path: Path) -> None:
    from omp.commissioning.models import CommissionedContract

    manager = make_user("manager.lee", "contract_manager", password=PASSWORD)
    CommissionedContract.objects.filter(contract__reference__startswith="LDN").update(
        contract_manager=manager)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failures = failed_responses(page)
    _sign_in(page, live_server.url, "manager.lee")
    page.get_by_role("link", name="Commissioning", exact=True).click()
    page.get_by_role("link", name="Contract manager's dashboard").click()
    expect(page.locator("#ratings-chart svg")).to_be_visible()
    page.get_by_label("Contract", exact=True).select_option("LDN-ETE-2026")
    page.get_by_role("button", name="Show contract").click()
    assert "contract=LDN-ETE-2026" in page.url
    expect(page.locator("#kpi-trends tbody tr")).not_to_have_count(0)
    expect(page.locator("#supply-chain")).to_be_visible()
    assert accessibility_problems(page) == []
    _screenshot(page, "commissioning-contract-manager.png", tmp_path)
    page.get_by_role("button", name="Sign out").click()

    # 22 handovers in the next 8 weeks and 8 in handover, at one prison: the 8 are under
    # the threshold, so an OMiC lead (no case access) sees them withheld (COM-4).
    for n in range(30):
        _due_in(make_case, f"J{n:04d}", 2 * n - 15)
    make_user("omic.lead", "omic_lead", password=PASSWORD)
    _sign_in(page, live_server.url, "omic.lead")
    expect(page.get_by_role("heading", name="Offender management in custody dashboard")
           ).to_be_visible()
    for chart in ("handovers-by-prison", "pathways"):
        expect(page.locator(f"#{chart} svg")).to_be_visible()
        expect(page.locator(f"#{chart}-table")).to_be_visible()
    expect(page.locator("#handovers-by-prison-table")).to_contain_text("[c]")
    assert "J0001" not in page.content()
    assert accessibility_problems(page) == []
    _screenshot(page, "omic-dashboard.png", tmp_path)
    assert failures == []
