"""A commissioner reads an area's published cohort information in a real browser: the
list, the area's cohorts, the four charts of its make-up drawn beside their tables, and the
open-data download; no console error, no failed request, no accessibility problem found.
With ``OMP_SCREENSHOTS=1`` it refreshes docs/screenshots/commissioning-cohorts.png."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser import PASSWORD, accessibility_problems, failed_responses
from tests.commissioning.test_commissioning_cohort_pages import cohort_history  # noqa: F401

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_com_3_a_commissioner_reads_an_areas_cohorts(
        live_server: Any, transactional_db: Any, migrated_data: None, plain_static: None,
        browser: Browser, make_user: Any, settings: Any, cohort_history: Path,  # noqa: F811
        tmp_path: Path) -> None:
    settings.OUTCOMES_DATA_DIR = cohort_history
    make_user("commissioner.sam", "commissioner", password=PASSWORD)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failures = failed_responses(page)
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text)
            if message.type == "error" else None)
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("commissioner.sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Commissioning", exact=True).click()
    page.get_by_role("link", name="Published cohort information").click()
    expect(page.get_by_role("heading", name="Published cohort information")).to_be_visible()
    assert accessibility_problems(page) == []
    page.get_by_role("link", name="South Yorkshire").click()
    expect(page.get_by_role("heading", name="South Yorkshire", level=1)).to_be_visible()
    for key in ("age", "sex", "risk_band", "offence_group"):
        expect(page.locator(f"#chart-{key} svg")).to_be_visible()
        assert page.locator(f"#chart-{key} svg path").count() >= 3
        expect(page.locator(f"#table-{key} tbody tr")).not_to_have_count(0)
    assert accessibility_problems(page) == []
    target = (SCREENSHOTS if os.environ.get("OMP_SCREENSHOTS") else tmp_path)
    page.screenshot(path=str(target / "commissioning-cohorts.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this area's figures (CSV)").click()
    assert download.value.suggested_filename == "cohorts-syo.csv"
    page.set_viewport_size({"width": 375, "height": 800})
    overflow = page.evaluate("document.querySelector('main').scrollWidth > "
                             "document.querySelector('main').clientWidth")
    assert not overflow
    assert failures == []
    assert console_errors == []
