"""The Content Security Policy in a real browser: it refuses inline script and eval (and the
browser fixture notices), and the pages that bring their own scripts — the API docs —
work under it. Charts are drawn under it by the outcomes and what-if browser tests."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import PASSWORD, CheckedBrowser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_policy_refuses_inline_script_and_eval(
        live_server: Any, transactional_db: Any, plain_static: None,
        browser: CheckedBrowser) -> None:
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    # The nonced line ran: GOV.UK Frontend's JavaScript is on.
    expect(page.locator("body")).to_have_class(
        "govuk-template__body js-enabled govuk-frontend-supported")
    ran = page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
        return window.injected === true;
    }""")
    assert ran is False
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.src = "data:text/javascript,window.fromData=true";
        document.body.append(script);
        setTimeout("window.fromString = true");
    }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => [window.fromData, window.fromString]") == [None, None]
    refused = "\n".join(browser.problems)
    assert len(browser.problems) == 3, refused
    for what in ("Executing inline script violates", "Loading the script 'data:",
                 "Evaluating a string as JavaScript violates"):
        assert what in refused
    browser.problems.clear()  # refused on purpose: the fixture must not fail the test


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_api_docs_work_under_the_policy(
        live_server: Any, transactional_db: Any, migrated_data: None, plain_static: None,
        browser: CheckedBrowser, make_user: Any) -> None:
    make_user("court.clerk", "court_staff", password=PASSWORD)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("court.clerk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_text("Offender management API").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/cases").first).to_be_visible()
