"""The practitioner's referral journey in a real browser (Debian's Chromium through
Playwright): from the case page, choose a service, find the referral refused while
incomplete with each missing field linked, complete it with the GOV.UK date input, send it,
and print the summary for the person (REF-1, REF-2). Every page passes axe-core. With
``OMP_SCREENSHOTS=DIR`` the pages are saved there as PNGs."""

from __future__ import annotations

import os
from datetime import timedelta
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from playwright.sync_api import Browser, Page, expect

from omp.clock import today
from omp.referrals.models import Referral
from tests.browser import PASSWORD, accessibility_problems, failed_responses


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("OMP_SCREENSHOTS")
    if folder and folder != "1":
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_practitioner_refers_a_person_refused_while_incomplete_then_sent(
        live_server: Any, transactional_db: Any, migrated_data: None, plain_static: None,
        browser: Browser, make_user: Any, named_case: Any) -> None:
    import_module("omp.referrals.migrations.0002_catalogue").forwards(apps, None)
    make_user("pp", "com", password=PASSWORD)
    person = named_case("Jo", "Smith", "A1234BC")

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failures = failed_responses(page)
    page.goto(f"{live_server.url}/cases/{person.case_ref}/")
    page.get_by_label("Username").fill("pp")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("#no-referrals")).to_be_visible()
    page.locator("#referrals").scroll_into_view_if_needed()
    _shot(page, "case-referrals-empty")
    page.get_by_role("link", name="Make a referral").click()
    assert accessibility_problems(page) == []
    page.get_by_label("Housing support in London (Accommodation)").check()
    _shot(page, "choose-service")
    page.get_by_role("button", name="Continue").click()

    # Filled from the case record; refused while incomplete, each problem linked.
    expect(page.get_by_label("Risk of serious harm summary")).to_have_value(
        "Medium risk of serious harm (registered 1 November 2026).")
    assert accessibility_problems(page) == []
    page.get_by_role("button", name="Send the referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose the complexity level")
    expect(summary).to_contain_text("Enter the number of enforceable (RAR) days")
    assert accessibility_problems(page) == []
    _shot(page, "referral-refused")
    summary.get_by_role("link", name="Enter the date the service should be completed by") \
        .click()
    expect(page.locator("#completion_deadline-day")).to_be_focused()
    assert Referral.objects.get().sent_at is None

    page.get_by_label("Medium complexity").check()
    page.get_by_label("Secured suitable settled accommodation").check()
    page.get_by_label("Ready to engage with support").check()
    page.get_by_label("Enforceable (RAR) days").fill("10")
    deadline = today() + timedelta(days=120)
    page.get_by_label("Day", exact=True).fill(str(deadline.day))
    page.get_by_label("Month", exact=True).fill(str(deadline.month))
    page.get_by_label("Year", exact=True).fill(str(deadline.year))
    page.get_by_label("Reason for the referral").fill("Released soon with nowhere to live.")
    page.get_by_label("What to tell the person").fill(
        "You told me you have nowhere to live when you leave prison. This service can help "
        "you find a place and keep it.")
    page.get_by_role("button", name="Send the referral").click()

    expect(page.locator("#referral-state")).to_contain_text("Sent on")
    expect(page.get_by_text("Referral", exact=False).first).to_be_visible()
    assert accessibility_problems(page) == []
    _shot(page, "referral-sent")
    page.get_by_role("link", name="Summary for the person, to print").click()
    expect(page.locator("h1")).to_have_text("Your referral to Housing support in London")
    expect(page.locator("#rar-words")).to_contain_text("Two activities on the same day count "
                                                       "as one day")
    assert accessibility_problems(page) == []
    _shot(page, "summary-for-person")
    page.goto(f"{live_server.url}/cases/{person.case_ref}/")
    expect(page.locator("#referrals-table")).to_contain_text("Northway Housing Trust")
    referral = Referral.objects.get()
    assert referral.sent_at is not None and referral.completion_deadline == deadline
    assert [f for f in failures if not f.startswith("400 ")] == []
