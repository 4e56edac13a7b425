"""The provider's and the practitioner's steps after a referral is sent, in a real browser
(Debian's Chromium through Playwright): the provider assigns a keyworker, records the
initial assessment in the GOV.UK date input and proposes an action plan; the practitioner
approves it; the provider proposes a change with a reason, which both sides see; the
practitioner looks at the progress on a past day and withdraws the referral. Every page
passes axe-core. With ``OMP_SCREENSHOTS=DIR`` the pages are saved there as PNGs."""

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
from omp.referrals.models import ActionPlan, Provider, Service
from tests.browser import PASSWORD, accessibility_problems, failed_responses
from tests.referrals.conftest import complete_changes


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("OMP_SCREENSHOTS")
    if folder and folder != "1":
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _sign_in(browser: Browser, url: str, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def _checked(page: Page) -> None:
    assert accessibility_problems(page) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_provider_plans_and_the_practitioner_approves(
        live_server: Any, transactional_db: Any, migrated_data: None, plain_static: None,
        browser: Browser, make_user: Any, named_case: Any) -> None:
    from omp.referrals.actions import save_draft, send_referral, start_referral

    import_module("omp.referrals.migrations.0002_catalogue").forwards(apps, None)
    pp = make_user("pp", "com", password=PASSWORD)
    keyworker = make_user("kw", "provider", password=PASSWORD)
    keyworker.first_name, keyworker.last_name = "Kim", "Walker"
    keyworker.save()
    Provider.objects.get(code="NWH").staff.add(keyworker)
    service = Service.objects.get(title="Housing support in London")
    referral = start_referral(pp, named_case("Jo", "Smith", "A1234BC"), service)
    save_draft(pp, referral, complete_changes(service))
    send_referral(pp, referral)
    detail = f"{live_server.url}/referrals/{referral.pk}/"

    # The provider: incoming referrals, then assign, assess and propose a plan.
    provider = _sign_in(browser, f"{live_server.url}/referrals/", "kw")
    provider_failures = failed_responses(provider)
    expect(provider.locator("#referral-list")).to_contain_text("Sent, waiting for a keyworker")
    provider.get_by_role("link", name=referral.reference).click()
    expect(provider.locator("#referral-lifecycle")).to_have_text(
        "Sent, waiting for a keyworker")
    _checked(provider)
    _shot(provider, "lifecycle-provider-sent")
    provider.get_by_role("link", name="Assign a keyworker").click()
    _checked(provider)
    _shot(provider, "lifecycle-assign-keyworker")
    provider.get_by_label("Kim Walker").check()
    provider.get_by_role("button", name="Assign").click()
    expect(provider.locator("#keyworker")).to_have_text("Kim Walker")

    provider.get_by_role("link", name="Record the initial assessment").click()
    provider.get_by_label("Month").fill("13")
    provider.get_by_role("button", name="Record the assessment").click()
    expect(provider.locator(".govuk-error-summary")).to_contain_text(
        "The date the initial assessment was held must include a day and year")
    _checked(provider)
    _shot(provider, "lifecycle-assessment-refused")
    provider.get_by_label("Day").fill(str(today().day))
    provider.get_by_label("Month").fill(str(today().month))
    provider.get_by_label("Year").fill(str(today().year))
    provider.get_by_label("Notes").fill("Met at the prison; rent arrears from before.")
    provider.get_by_role("button", name="Record the assessment").click()
    expect(provider.locator("#referral-lifecycle")).to_have_text(
        "Initial assessment held, action plan to come")

    provider.get_by_role("link", name="Propose an action plan").click()
    provider.get_by_label("Number of sessions").fill("6")
    provider.get_by_label("Activities").fill("Help to apply for social housing\n"
                                             "Tenancy skills course")
    _checked(provider)
    _shot(provider, "lifecycle-propose-plan")
    provider.get_by_role("button", name="Send for approval").click()
    expect(provider.locator("#plan-version-1")).to_contain_text("Waiting for approval")

    # The practitioner approves the plan they are shown.
    practitioner = _sign_in(browser, detail, "pp")
    practitioner_failures = failed_responses(practitioner)
    expect(practitioner.locator("#referral-lifecycle")).to_have_text(
        "Action plan waiting for approval")
    _checked(practitioner)
    practitioner.get_by_role("link", name="Review the action plan").click()
    _checked(practitioner)
    _shot(practitioner, "lifecycle-review-plan")
    practitioner.get_by_role("button", name="Approve version 1").click()
    expect(practitioner.locator("#plan-state")).to_contain_text("Version 1 approved on")

    # The provider proposes a change with a reason; both sides see it.
    provider.goto(detail)
    provider.get_by_role("link", name="Propose a change to the action plan").click()
    provider.get_by_label("Number of sessions").fill("8")
    provider.get_by_label("Activities").fill("Help to apply for social housing\n"
                                             "Budgeting and rent arrears")
    provider.get_by_role("button", name="Send for approval").click()
    expect(provider.locator("#reason-error")).to_contain_text(
        "Give the reason for changing the action plan")
    provider.get_by_label("Reason for the change").fill("Rent arrears came to light.")
    provider.get_by_role("button", name="Send for approval").click()
    expect(provider.locator("#plan-version-2")).to_contain_text("Rent arrears came to light.")
    _checked(provider)
    _shot(provider, "lifecycle-plan-versions")

    practitioner.goto(detail)
    expect(practitioner.locator("#referral-lifecycle")).to_have_text(
        "Amended action plan waiting for approval")
    expect(practitioner.locator("#timeline")).to_contain_text("Amended action plan submitted")
    expect(practitioner.locator("#timeline")).to_contain_text("Held on ")
    _checked(practitioner)
    _shot(practitioner, "lifecycle-practitioner-timeline")
    practitioner.get_by_role("link", name="Review the action plan").click()
    expect(practitioner.locator("#plan-version-2")).to_contain_text("(was 6)")
    expect(practitioner.locator("#plan-version-2")).to_contain_text("Tenancy skills course")

    # The progress on a past day: before it was sent.
    practitioner.goto(detail)
    yesterday = today() - timedelta(days=1)
    form = practitioner.locator("form.app-as-at")
    form.get_by_label("Day").fill(str(yesterday.day))
    form.get_by_label("Month").fill(str(yesterday.month))
    form.get_by_label("Year").fill(str(yesterday.year))
    form.get_by_role("button", name="Show").click()
    expect(practitioner.locator("#state-then")).to_contain_text("Draft, not sent")
    _checked(practitioner)

    # Withdrawn: cancelled, since no session has happened; the provider sees why.
    practitioner.goto(detail)
    practitioner.get_by_role("link", name="Withdraw the referral").click()
    _checked(practitioner)
    _shot(practitioner, "lifecycle-withdraw")
    practitioner.get_by_label("Moved out of the service area").check()
    practitioner.get_by_role("button", name="Withdraw the referral").click()
    expect(practitioner.locator("#referral-lifecycle")).to_have_text(
        "Cancelled before the service started")
    provider.goto(detail)
    expect(provider.locator("#timeline")).to_contain_text("Moved out of the service area")
    expect(provider.get_by_role("link", name="Propose a change to the action plan")) \
        .to_have_count(0)
    _shot(provider, "lifecycle-provider-withdrawn")
    assert ActionPlan.objects.filter(referral=referral).count() == 2
    assert [f for f in provider_failures + practitioner_failures
            if not f.startswith("400 ")] == []
