"""The commissioner's journey through the outcomes pages in a real browser (Debian's
Chromium through Playwright): sign in, open Outcomes, read HMP Doncaster's reconviction over
time (the chart drawn beside its table), the payment statement and its arithmetic (OUT-3)
and the case-mix comparison (OUT-5); then a contract package area's TR statement (OUT-4).
With ``OMP_SCREENSHOTS=1`` it refreshes docs/screenshots/outcomes-*.png."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser import PASSWORD, accessibility_problems, failed_responses
from tests.outcomes.web.test_results_views import analytics_dir  # noqa: F401 - fixture used by name

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def _screenshot(page: Any, name: str, tmp_path: Path) -> Path:
    target = (SCREENSHOTS if os.environ.get("OMP_SCREENSHOTS") else tmp_path) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    return target


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_commissioner_reads_doncaster_results_and_statement(
        live_server: Any, transactional_db: Any, migrated_data: None,
        plain_static: None, browser: Browser, make_user: Any,
        settings: Any, analytics_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    settings.OUTCOMES_DATA_DIR = analytics_dir  # its figures computed by the fixture
    make_user("commissioner.jo", "commissioner", password=PASSWORD)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failures = failed_responses(page)
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text)
            if message.type == "error" else None)
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("commissioner.jo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Outcomes", exact=True).click()
    expect(page.get_by_role("heading", name="Outcomes and payment by results")).to_be_visible()
    assert accessibility_problems(page) == []
    _screenshot(page, "outcomes-index.png", tmp_path)
    page.get_by_role("link", name="HMP Doncaster payment-by-results pilot").click()

    expect(page.get_by_role("heading", name="HMP Doncaster payment-by-results pilot",
                            level=1)).to_be_visible()
    # The chart is drawn (SVG marks: the band, the line and its points, the rules) and the
    # same figures are in the table beside it.
    chart = page.locator("#rate-chart svg")
    expect(chart).to_be_visible()
    assert page.locator("#rate-chart svg path").count() >= 3
    expect(page.locator("#rates tbody tr")).to_have_count(8)
    # The statement table and the arithmetic behind it.
    statements = page.locator("#statements")
    expect(statements).to_contain_text("Pilot cohort 1")
    expect(statements).to_contain_text("Adjusted for case mix")
    page.get_by_text("How the statement for pilot cohort 1 is worked out").click()
    expect(page.locator("#arithmetic-1")).to_contain_text("Reduction: 58.2 − ")
    expect(page.locator("#case-mix")).to_contain_text("from 58.2%")
    assert accessibility_problems(page) == []
    _screenshot(page, "outcomes-doncaster.png", tmp_path)

    # A statement downloads as CSV.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the statements with their arithmetic "
                                       "(CSV)").click()
    assert download.value.suggested_filename == "doncaster-statements.csv"

    page.goto(f"{live_server.url}/outcomes/cpa-syo/")
    expect(page.locator("#statements")).to_contain_text("2015 (contract year 1)")
    expect(page.locator("#rate-chart svg")).to_be_visible()
    assert accessibility_problems(page) == []
    shot = _screenshot(page, "outcomes-cpa.png", tmp_path)
    assert shot.stat().st_size > 50_000
    assert failures == []
    assert console_errors == []
