"""The provider's keyworker books a session and records its attendance in a real browser,
at 1280 and 375 px: the date in the GOV.UK date input, radios for how and whether it
counts, the activities and RAR days side by side afterwards; every page passes axe-core and
the page never scrolls sideways. With ``OMP_SCREENSHOTS=DIR`` the pages are saved there."""

from __future__ import annotations

import os
from datetime import timedelta
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from omp.referrals.models import Provider, Service
from tests.browser import PASSWORD, CheckedBrowser, accessibility_problems
from tests.referrals.test_referral_sessions_actions import approved_referral


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("OMP_SCREENSHOTS")
    if folder and folder != "1":
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _fits(page: Page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert accessibility_problems(page) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 375])
def test_the_keyworker_books_a_session_and_records_attendance(
        live_server: Any, transactional_db: Any, migrated_data: None, plain_static: None,
        browser: CheckedBrowser, make_user: Any, named_case: Any, width: int) -> None:
    import_module("omp.referrals.migrations.0002_catalogue").forwards(apps, None)
    pp = make_user("pp", "com", password=PASSWORD)
    kw = make_user("kw", "provider", password=PASSWORD)
    Provider.objects.get(code="NWH").staff.add(kw)
    service = Service.objects.get(title="Housing support in London")
    referral = approved_referral(pp, kw, named_case("Jo", "Smith", "A1234BC"), service,
                                 sessions=4)
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{live_server.url}/referrals/{referral.pk}/")
    page.get_by_label("Username").fill("kw")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Sessions and RAR days").click()
    page.get_by_role("link", name="Book a session").click()
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Day", exact=True).fill(str(yesterday.day))
    page.get_by_label("Month", exact=True).fill(str(yesterday.month))
    page.get_by_label("Year", exact=True).fill(str(yesterday.year))
    page.get_by_label("Start time").fill("2:30pm")
    page.get_by_label("How long, in minutes").fill("90")
    page.get_by_label("In person at a probation office").check()
    page.get_by_label("Address").fill("1 High Street, Camden")
    page.get_by_label("Yes, it is an enforceable activity").check()
    _fits(page, width)
    _shot(page, f"session-book-{width}")
    page.get_by_role("button", name="Book the session").click()
    expect(page.get_by_text("Session 1 booked for")).to_be_visible()
    page.get_by_role("link", name="Record attendance").click()
    page.get_by_label("Attended late").check()
    page.locator("#happened").check()
    page.get_by_label("How the person engaged").fill("Filled in two housing applications.")
    _fits(page, width)
    _shot(page, f"session-attendance-{width}")
    page.get_by_role("button", name="Record attendance").click()
    expect(page.locator("#activities")).to_have_text("1")
    expect(page.locator("#rar-days")).to_have_text("1 of 10")
    expect(page.get_by_text("Attended late")).to_be_visible()
    _fits(page, width)
    _shot(page, f"sessions-{width}")
