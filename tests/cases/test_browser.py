"""The court-staff journey in a real browser (Debian's Chromium through Playwright): sign
in, find a case, read why it is Retained, change its RSR, and see the outcome and the
history change (ALLOC-4, ALLOC-5, ALLOC-6). With ``OMP_SCREENSHOTS=1`` it also refreshes
the README's screenshot of the decision screen in docs/screenshots/."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from omp.cases.models import ManualCasRecord
from omp.decisions.actions import record_rsr_osp
from tests.browser import PASSWORD, accessibility_problems, failed_responses

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "decision-screen.png"



def _change_rsr(page: Page, value: str) -> None:
    page.get_by_role("link", name="Change RSR / OSP").click()
    page.get_by_label("RSR score").fill(value)
    page.get_by_role("button", name="Save and update the decision").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_court_staff_change_rsr_and_see_the_decision_change(
        live_server: Any, transactional_db: Any, migrated_data: None, plain_static: None,
        browser: Browser, make_user: Any, named_case: Any, tmp_path: Path) -> None:
    clerk = make_user("court.clerk", "court_staff", password=PASSWORD)
    person = named_case("Jo", "Smith", "A1234BC",
                        **{"event.offences": [{"code": "02700", "description": "Theft",
                                               "schedule_15": None}]})
    named_case("Sam", "Smithson", "B2345CD", case_ref="X000002")
    record_rsr_osp(clerk, person, rsr="7.5", osp="LOW")  # Allocated, then Retained
    ManualCasRecord.objects.create(person=person, assessed_on=date(2020, 6, 1),
                                   outcome="Retained", assessor="Case Allocation System",
                                   notes="High public interest (no longer a criterion)")

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failures = failed_responses(page)
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("court.clerk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Live search (htmx) finds both Smiths; open the one we want.
    page.get_by_label("Case reference, prison number or name").fill("smith")
    expect(page.get_by_text("2 cases match")).to_be_visible()
    assert accessibility_problems(page) == []
    page.get_by_role("link", name="X000001").click()
    assert accessibility_problems(page) == []

    outcome = page.locator("#outcome")
    expect(outcome).to_contain_text("Retained / Enhanced Resourcing")
    reasons = page.locator("#reasons")
    expect(reasons).to_contain_text("ALLOC-2a")
    expect(reasons).to_contain_text("RSR 7.50% is 6.9% or above")
    expect(page.locator("#missing")).to_contain_text("Schedule 15 status of offence 02700")
    history = page.locator("#history tbody tr")
    expect(history).to_have_count(2)

    # A mistyped score is refused with the field named, on a page that is accessible too.
    page.get_by_role("link", name="Change RSR / OSP").click()
    page.get_by_label("RSR score").fill("6,9")
    page.get_by_role("button", name="Save and update the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("RSR score")
    assert accessibility_problems(page) == []
    page.get_by_role("link", name="Back to the case").click()

    _change_rsr(page, "3.1")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The allocation is now Allocated / Normal Resourcing")
    expect(outcome).to_contain_text("Allocated / Normal Resourcing")
    expect(history).to_have_count(3)
    expect(history.first).to_contain_text("Changed from Retained / Enhanced Resourcing")
    expect(history.first).to_contain_text("by court.clerk")

    # Back above the threshold, so the screenshot shows reasons and a history of changes.
    _change_rsr(page, "8.4")
    expect(outcome).to_contain_text("Retained / Enhanced Resourcing")
    expect(history).to_have_count(4)

    # GOV.UK styles loaded: the header is the MoJ black bar, not an unstyled page.
    header_colour = page.locator(".moj-header").evaluate(
        "element => getComputedStyle(element).backgroundColor")
    assert header_colour == "rgb(11, 12, 12)"
    # Only the refused score answered with an error status (400, as a form error should).
    assert failures == [f"400 {live_server.url}/cases/X000001/scores/"]
    # The README's picture is refreshed on request (OMP_SCREENSHOTS=1), not by every run.
    target = SCREENSHOT if os.environ.get("OMP_SCREENSHOTS") else tmp_path / SCREENSHOT.name
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 50_000
