"""The handover journey in a real browser (HAND-3): a POM opens their upcoming-handovers
list, opens a case, reads the dates and the reason; a head of offender management records
an override, which shows in the case history. With ``OMP_SCREENSHOTS=1`` it refreshes the
README's screenshots of the list and of the what-if projection."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from omp.decisions.models import CurrentHandover
from tests.browser import PASSWORD, accessibility_problems, failed_responses

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _shot(page: Page, name: str, tmp_path: Path) -> None:
    target = SCREENSHOTS / name if os.environ.get("OMP_SCREENSHOTS") else tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 30_000


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pom_reads_upcoming_handover_and_head_overrides(
        live_server: Any, transactional_db: Any, migrated_data: None, plain_static: None,
        browser: Browser, make_user: Any, named_case: Any, tmp_path: Path) -> None:
    make_user("pom.one", "pom", password=PASSWORD)
    make_user("head.one", "head_of_offender_management", password=PASSWORD)
    today = timezone.localdate()
    # The COM takes over in about three weeks: 8 months 14 days before the CRD (era E).
    crd = today + timedelta(days=21 + 14) + relativedelta(months=8)
    named_case("Jo", "Smith", "A1234BC", **{
        "custody.sentence_start_date": (today - timedelta(days=500)).isoformat(),
        "custody.conditional_release_date": crd.isoformat(), "event.sentence.length": "P6Y"})
    named_case("Sam", "Jones", "B2345CD", case_ref="X000002", **{
        "custody.sentence_start_date": (today - timedelta(days=500)).isoformat(),
        "custody.conditional_release_date": (crd + timedelta(days=20)).isoformat(),
        "event.sentence.length": "P6Y", "custody.prison_code": "LEI"})
    handover = CurrentHandover.objects.get(person__case_ref="X000001").handover_date
    assert handover is not None

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failures = failed_responses(page)
    _sign_in(page, live_server.url, "pom.one")
    page.get_by_role("link", name="Handovers", exact=True).click()
    expect(page.get_by_role("heading", name="Handovers")).to_be_visible()
    expect(page.locator("#list-summary")).to_contain_text("2 cases")
    assert accessibility_problems(page) == []
    # Only Doncaster's cases, then open the first.
    page.get_by_label("Prison").select_option("DNI")
    page.get_by_role("button", name="Show cases").click()
    expect(page.locator("#list-summary")).to_contain_text("1 case ")
    _shot(page, "upcoming-handovers.png", tmp_path)
    page.get_by_role("link", name="X000001").click()

    expect(page.locator("#handover-outcome")).to_contain_text("POM responsible")
    expect(page.locator("#handover-date")).to_contain_text(f"{handover:%-d %B %Y}")
    expect(page.locator("#handover-explanation")).to_contain_text(
        "8 months 14 days before release")
    expect(page.locator("#handover-explanation")).to_contain_text(f"CRD {crd:%-d %B %Y}")
    assert accessibility_problems(page) == []
    # A day typed in the day box as people write it: read, and shown back in its boxes.
    page.get_by_role("textbox", name="Day").fill(f"{today:%d/%m/%Y}")
    page.get_by_role("button", name="Show the case on that day").click()
    expect(page.locator("#known-on-banner")).to_contain_text(f"{today:%-d %B %Y}")
    expect(page.get_by_role("textbox", name="Year")).to_have_value(str(today.year))
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server.url, "head.one")
    page.goto(f"{live_server.url}/cases/X000001/")
    page.get_by_role("link", name="Override responsibility").click()
    page.get_by_label("Probation (COM responsible, POM supporting)").check()
    page.get_by_label("Other").check()
    page.get_by_role("button", name="Save the override").click()
    # "Other" needs details: refused with the field named, nothing saved.
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why")
    assert accessibility_problems(page) == []
    page.get_by_label("Details").fill("Agreed at the case conference of 3 March")
    page.get_by_role("button", name="Save the override").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Responsibility is now set to Probation")
    expect(page.locator("#handover-outcome")).to_contain_text("COM responsible")
    expect(page.locator("#override-active")).to_contain_text("case conference of 3 March")
    page.get_by_text("Handover history (2)").click()
    rows = page.locator("#handover-history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Responsibility set to probation by a head of offender")
    expect(rows.first).to_contain_text("by head.one")
    expect(page.locator("#override-history")).to_contain_text("set to Probation by head.one")

    # The what-if projection draws its chart.
    page.goto(f"{live_server.url}/handovers/what-if/?version=E&handover_era=B&levelled_up=on"
              f"&scope=England&start={(today + timedelta(days=10)).isoformat()}")
    expect(page.locator("#what-if-chart svg")).to_be_visible()
    legend = page.locator("#what-if-chart svg .role-legend")
    expect(legend).to_contain_text("Policy in force")
    expect(legend).to_contain_text("With the change")
    expect(page.locator("#what-if-months tbody tr")).to_have_count(24)
    start = today + timedelta(days=10)
    expect(page.get_by_role("textbox", name="Day")).to_have_value(str(start.day))
    expect(page.get_by_role("textbox", name="Month")).to_have_value(str(start.month))
    _shot(page, "what-if.png", tmp_path)
    # A date that does not exist: the error names the field and its link lands on the box.
    page.get_by_role("textbox", name="Day").fill("31")
    page.get_by_role("textbox", name="Month").fill("2")
    page.get_by_role("button", name="Project").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The date the change starts must be a real date")
    assert accessibility_problems(page) == []
    summary.get_by_role("link").click()
    expect(page.get_by_role("textbox", name="Day")).to_be_focused()
    # Only the refused override and the impossible date answered with an error status.
    assert [f.split("?")[0] for f in failures] == [
        f"400 {live_server.url}/cases/X000001/override/",
        f"400 {live_server.url}/handovers/what-if/"]
