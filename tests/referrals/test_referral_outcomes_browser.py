"""The end-of-service report in a real browser, at 1280 and 375 px (REF-6): the provider's
keyworker rates each desired outcome with radios and notes and submits the report; the
probation practitioner then sees the outcomes on the referral's progress, reads the report
and concludes the referral. Every page passes axe-core and never scrolls sideways. With
``OMP_SCREENSHOTS=DIR`` the pages are saved there."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect

from omp.referrals.models import Provider, Service
from tests.browser import PASSWORD, CheckedBrowser
from tests.referrals.test_referral_outcomes_actions import delivered_referral
from tests.referrals.test_referral_sessions_browser import _fits, _shot


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 375])
def test_the_keyworker_reports_and_the_practitioner_sees_the_outcomes(
        live_server: Any, transactional_db: Any, migrated_data: None, plain_static: None,
        browser: CheckedBrowser, make_user: Any, named_case: Any, width: int) -> None:
    import_module("omp.referrals.migrations.0002_catalogue").forwards(apps, None)
    pp = make_user("pp", "com", password=PASSWORD)
    kw = make_user("kw", "provider", password=PASSWORD)
    Provider.objects.get(code="NWH").staff.add(kw)
    service = Service.objects.get(title="Housing support in London")
    referral = delivered_referral(pp, kw, named_case("Jo", "Smith", "A1234BC"), service)
    first, second = referral.desired_outcome_ids
    url = f"{live_server.url}/referrals/{referral.pk}/"
    viewport = {"width": width, "height": 900}

    page = browser.new_context(viewport=viewport).new_page()
    _sign_in(page, url, "kw")
    page.get_by_role("link", name="Write the end-of-service report").click()
    page.get_by_role("button", name="Submit the report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say whether the outcome was achieved")
    page.locator(f"#achievement-{first}").check()
    page.locator(f"#notes-{first}").fill("Moved into a one-bedroom flat in Camden.")
    page.locator(f"#achievement-{second}-2").check()  # partly achieved
    page.locator(f"#notes-{second}").fill("Half of the tenancy course done.")
    _fits(page, width)
    _shot(page, f"report-form-{width}")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_text("End-of-service report version 1 sent")).to_be_visible()

    practitioner = browser.new_context(viewport=viewport).new_page()
    _sign_in(practitioner, url, "pp")
    outcomes = practitioner.locator("#outcomes-table")
    expect(outcomes).to_contain_text("Achieved")
    expect(outcomes).to_contain_text("Partly achieved")
    expect(outcomes).to_contain_text("Moved into a one-bedroom flat in Camden.")
    expect(practitioner.locator("#achievement-score")).to_have_text("1.5 of 2")
    _fits(practitioner, width)
    _shot(practitioner, f"report-outcomes-{width}")
    practitioner.get_by_role("link", name="Read the end-of-service report and conclude").click()
    # The report's page shown before it is measured: measured while the link's navigation
    # was under way, the page had no document to measure.
    conclude = practitioner.get_by_role("button", name="Conclude the referral on version 1")
    expect(conclude).to_be_visible()
    _fits(practitioner, width)
    conclude.click()
    expect(practitioner.get_by_text(f"Referral {referral.reference} concluded")).to_be_visible()
    expect(practitioner.locator("#referral-lifecycle")).to_contain_text("Completed")
    expect(practitioner.locator("#outcomes-table")).to_contain_text("Partly achieved")
