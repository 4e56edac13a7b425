"""Helpers for the browser tests: Chromium's flags, a failed-response recorder and axe-core."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, Response

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PASSWORD = "a-long-test-password"


def failed_responses(page: Page) -> list[str]:
    """Every response with an error status the page gets from now on."""
    failures: list[str] = []

    def check(response: Response) -> None:
        if response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    page.on("response", check)
    return failures


def accessibility_problems(page: Page) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA failures that axe-core finds on the page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})""")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
