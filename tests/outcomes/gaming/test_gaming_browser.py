"""The monitoring page (OUT-6) in a real browser (Debian's Chromium through Playwright): an
analyst signs in, and each check draws its chart beside its table. With
``OMP_SCREENSHOTS=1`` the picture goes to docs/screenshots/monitoring.png."""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import connections
from playwright.sync_api import Browser, expect, sync_playwright

from omp.web import gaming_views

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOT = ROOT / "docs" / "screenshots" / "monitoring.png"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PASSWORD = "a-long-test-password"


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
        connections.close_all()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_analyst_sees_each_check_drawn(live_server: Any, transactional_db: Any,
                                          settings: Any, browser: Browser, make_user: Any,
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          write_monitoring_data: Any) -> None:
    # A transactional test before this one may have flushed the roles: write them again.
    import_module("omp.web.migrations.0001_roles").forwards(apps, None)
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    data = tmp_path / "analytics"
    data.mkdir()
    write_monitoring_data(data)
    monkeypatch.setattr(gaming_views, "analytics_dir", lambda: data)
    make_user("analyst.one", "analyst", password=PASSWORD)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failures: list[str] = []
    errors: list[str] = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400
            else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/outcomes/monitoring/")
    page.get_by_label("Username").fill("analyst.one")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Monitoring for gaming")).to_be_visible()
    for key in ("intensity", "transfers", "duplication"):
        chart = page.locator(f"#chart-{key} svg")
        expect(chart).to_be_visible()
        assert chart.locator("path, rect").count() > 3, key
    expect(page.locator("#intensity")).to_contain_text("possible parking")
    expect(page.locator("#transfers")).to_contain_text("possible transfer gaming")
    expect(page.locator("#intensity tbody")).to_contain_text("[c]")
    assert failures == [] and errors == []
    # Serious and critical WCAG 2.1 A/AA failures, as axe-core finds them.
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})""")
    assert [f"{v['id']}: {v['help']} at {v['nodes'][0]['target']}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")] == []

    target = SCREENSHOT if os.environ.get("OMP_SCREENSHOTS") else tmp_path / SCREENSHOT.name
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 50_000
