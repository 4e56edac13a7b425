"""A case manager's day in a real browser (issue 14): the dashboard, a needs assessment
through the GOV.UK form, a support plan action with its due date typed in the GOV.UK date
input, a release date moved by a head of offender management and the task moving with it,
and a new case taken near the caseload cap with the count and the warning shown. Every page
passes axe-core; the ``browser`` fixture fails the test on any console error. Screenshots go
to ``tmp_path``; with ``OMP_SCREENSHOTS=1`` the dashboard at the end also refreshes
docs/screenshots/case-manager-dashboard.png."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from omp.clock import today
from omp.config import get_settings
from omp.custody.actions import allocate_case_manager
from omp.custody.models import Task
from tests.browser import PASSWORD, CheckedBrowser, accessibility_problems

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CAP = 8  # near the cap from 3 people (the warning margin is 5)


def _shot(page: Page, folder: Path, name: str, part: str = "") -> None:
    """Check the page with axe-core and save it; ``part`` (a selector) saves that part of a
    long page on its own as well."""
    assert accessibility_problems(page) == [], page.url
    page.screenshot(path=str(folder / f"case-manager-{name}.png"), full_page=True)
    if part:
        page.locator(part).screenshot(path=str(folder / f"case-manager-{name}-part.png"))


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _type_date(page: Page, group: str, when: date) -> None:
    boxes = page.get_by_role("group", name=group)
    boxes.get_by_label("Day", exact=True).fill(str(when.day))
    boxes.get_by_label("Month", exact=True).fill(str(when.month))
    boxes.get_by_label("Year", exact=True).fill(str(when.year))


def _long(when: date) -> str:
    return f"{when.day} {when:%B %Y}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_case_manager_s_day(live_server: Any, transactional_db: Any, migrated_data: None,
                              plain_static: None, browser: CheckedBrowser, make_user: Any,
                              named_case: Any, monkeypatch: pytest.MonkeyPatch,
                              tmp_path: Path) -> None:
    # The live server runs in this process, so it reads the same (cached) settings object.
    monkeypatch.setattr(get_settings(), "caseload_cap", CAP)
    cm = make_user("cm", "case_manager", password=PASSWORD)
    head = make_user("head", "head_of_offender_management", password=PASSWORD)
    jo = named_case("Jo", "Smith", "A1234BC", case_ref="X000001")
    held = [jo, named_case("Sam", "Jones", "A2345BC", case_ref="X000002"),
            named_case("Ali", "Khan", "A3456BC", case_ref="X000003")]
    for person in held:
        allocate_case_manager(head, person, cm, "custody")
    new_case = named_case("Kim", "Lee", "A4567BC", case_ref="X000004")

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()

    # The dashboard: three people held, near the cap of 8.
    _sign_in(page, f"{live_server.url}/custody/", "cm")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.locator("#caseload-count")).to_have_text("3")
    expect(page.get_by_text(f"Near the cap of {CAP}")).to_be_visible()
    expect(page.locator("#work-queue")).to_contain_text("Jo Smith")
    _shot(page, tmp_path, "dashboard")

    # A needs assessment through the GOV.UK form.
    page.get_by_role("link", name="Jo Smith").first.click()
    page.get_by_role("link", name="Assess needs").click()
    expect(page.get_by_role("heading", name="Assess needs")).to_be_visible()
    levels = {"Accommodation": "High", "Education, training and employment": "Medium",
              "Health": "No need", "Substance misuse": "Low", "Families": "No need",
              "Finance and debt": "Medium", "Thinking skills": "Low"}
    for area, level in levels.items():
        page.get_by_role("group", name=area).get_by_label(level, exact=True).check()
    page.locator("#detail_accommodation").fill("Tenancy lost on sentence; no address.")
    _shot(page, tmp_path, "needs")
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_text("The needs assessment is recorded.")).to_be_visible()
    expect(page.locator("#needs")).to_contain_text("Tenancy lost on sentence")

    # A support plan action, its due date typed in the GOV.UK date input.
    page.locator("#support-plan").get_by_role("link", name="Start the support plan").click()
    page.get_by_role("link", name="Add an action", exact=True).click()
    page.get_by_label("Accommodation").check()
    page.get_by_label("What will be done").fill("Refer to the housing provider for a tenancy")
    page.get_by_label("Who will do it").fill("Case manager")
    due = today() + timedelta(days=30)
    _type_date(page, "Due by", due)
    _shot(page, tmp_path, "support-action")
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_text("Action added for accommodation.")).to_be_visible()
    expect(page.get_by_role("heading", name="Refer to the housing provider for a tenancy")
           ).to_be_visible()
    expect(page.locator("main")).to_contain_text(_long(due))
    _shot(page, tmp_path, "support-plan")

    # The release date moves: a head of offender management corrects it, and the
    # community case manager task (6 weeks before release) moves with it.
    task = Task.objects.get(person=jo, key="community_case_manager")
    old_due = task.due
    released = date(2027, 4, 30)
    new_due = released - timedelta(weeks=6)
    assert old_due != new_due
    head_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(head_page, f"{live_server.url}/cases/X000001/", "head")
    expect(head_page.locator("#open-tasks")).to_contain_text(_long(old_due))
    head_page.get_by_role("link", name="Correct custody dates").click()
    _type_date(head_page, "Conditional release date (CRD)", released)
    _shot(head_page, tmp_path, "custody-dates")
    head_page.get_by_role("button", name="Save and update the handover").click()
    expect(head_page.get_by_text("Custody dates saved")).to_be_visible()
    task_row = head_page.locator("#open-tasks tr", has_text=task.title)
    expect(task_row).to_contain_text(_long(new_due))
    expect(head_page.locator("#open-tasks")).not_to_contain_text(_long(old_due))
    _shot(head_page, tmp_path, "tasks-moved", "#tasks")
    page.goto(f"{live_server.url}/cases/X000001/")
    expect(page.locator("#open-tasks tr", has_text=task.title)).to_contain_text(_long(new_due))

    # A new case taken near the cap: the warning, then the count on the dashboard.
    page.goto(f"{live_server.url}/cases/{new_case.case_ref}/")
    page.get_by_role("link", name="Allocate a case manager").click()
    page.get_by_label("Custody", exact=True).check()
    page.get_by_label("cm: 3 people").check()
    _shot(page, tmp_path, "allocate")
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text(f"cm now holds 4 people: the cap is {CAP}.")).to_be_visible()
    expect(page.locator("#case-managers")).to_contain_text("cm")
    _shot(page, tmp_path, "allocated", "main")
    page.goto(f"{live_server.url}/custody/")
    expect(page.locator("#caseload-count")).to_have_text("4")
    expect(page.get_by_text(f"Near the cap of {CAP}")).to_be_visible()
    expect(page.locator("#work-queue")).to_contain_text("Kim Lee")
    _shot(page, tmp_path, "dashboard-after")
    if os.environ.get("OMP_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "case-manager-dashboard.png"), full_page=True)
