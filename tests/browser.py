"""Helpers for the browser tests: Chromium's flags, a browser whose pages fail the test on any
console error (Content Security Policy violations included), a failed-response recorder and
axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, Response

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PASSWORD = "a-long-test-password"


def watch(page: Page, problems: list[str]) -> None:
    """Record the page's console errors (Chromium reports each Content Security Policy
    violation as one) and uncaught exceptions into ``problems``. Chromium also logs every
    response of status 400 or more as an error; those are left to :func:`failed_responses`,
    since a form sent back with its errors is answered 400 on purpose."""

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error on {page.url}: {message.text}")

    def uncaught(error: Error) -> None:
        problems.append(f"uncaught exception on {page.url}: {error}")

    page.on("console", console)
    page.on("pageerror", uncaught)


class CheckedBrowser:
    """Chromium whose every page is watched (:func:`watch`); the ``browser`` fixture fails the
    test when any page had a problem, so no browser test passes over a console error."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self.problems: list[str] = []

    def new_page(self, **kwargs: Any) -> Page:
        page = self._browser.new_page(**kwargs)
        watch(page, self.problems)
        return page

    def new_context(self, **kwargs: Any) -> BrowserContext:
        context = self._browser.new_context(**kwargs)
        context.on("page", lambda page: watch(page, self.problems))
        return context

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


def failed_responses(page: Page) -> list[str]:
    """Every response with an error status the page gets from now on."""
    failures: list[str] = []

    def check(response: Response) -> None:
        if response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    page.on("response", check)
    return failures


def accessibility_problems(page: Page) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA failures that axe-core finds on the page. axe is
    evaluated through the browser's debugging protocol, which the page's Content Security
    Policy does not govern (a <script> tag added to the page would be refused)."""
    page.evaluate(AXE.read_text())
    result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})""")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
