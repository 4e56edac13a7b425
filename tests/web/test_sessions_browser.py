"""The timeout warning in a real browser: both clocks controlled (the page's through
Playwright, the server's through ``omp.clock.timestamp``). Two minutes before the idle
time-out a dialog counts down; "Stay signed in" and Escape keep the session; when the time
is up the page lands on the signed-out page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import PASSWORD, accessibility_problems, failed_responses

START = 1_800_000_000.0


class Clocks:
    """Moves the server's clock and the page's together."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = START
        monkeypatch.setattr("omp.clock.timestamp", lambda: self.now)

    def advance(self, page: Page, *, minutes: int = 0, seconds: int = 0) -> None:
        """Move both on, running every timer of the page that falls due on the way."""
        self.now += minutes * 60 + seconds
        page.clock.fast_forward(minutes * 60_000 + seconds * 1000)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_timeout_warning_counts_down_and_keeps_or_ends_the_session(
        live_server: Any, transactional_db: Any, migrated_data: None, plain_static: None,
        browser: Browser, make_user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    make_user("court.clerk", "court_staff", password=PASSWORD)
    clocks = Clocks(monkeypatch)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failures = failed_responses(page)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.clock.install()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("court.clerk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Find a case")).to_be_visible()

    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    clocks.advance(page, minutes=27)
    expect(dialog).to_be_hidden()
    clocks.advance(page, minutes=1)
    expect(dialog).to_be_visible()
    # The page's time flows on between steps, so a second or two may have gone.
    expect(dialog).to_contain_text(
        re.compile(r"we will sign you out in (2 minutes|1 minute 5\d seconds)"))
    assert accessibility_problems(page) == []
    clocks.advance(page, seconds=30)
    expect(dialog).to_contain_text(re.compile(r"we will sign you out in 1 minute [23]\d seconds"))

    page.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()

    # Escape also keeps the session (the pattern treats it as "Stay signed in").
    clocks.advance(page, minutes=28)
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    clocks.advance(page, minutes=28)
    expect(dialog).to_be_visible()
    clocks.advance(page, minutes=2)
    expect(page.get_by_role("heading", name="You have been signed out")).to_be_visible()
    expect(page.get_by_text("you did not use the service for 30 minutes")).to_be_visible()
    assert "/accounts/signed-out/" in page.url
    assert failures == [] and errors == []
