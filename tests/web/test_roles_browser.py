"""What each role sees, in a real browser, on the demo caseload: every page of its primary
navigation (and, for those who read cases, a case page and the records to check) at 1280 and
375 px wide, failing on a console error, a page wider than the screen, or an enumeration code
in the words of the page (a code any model stores, shown raw)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from typer.testing import CliRunner

from omp.access import CASE_READERS, ROLE_NAMES
from tests.browser import CheckedBrowser

WIDTHS = (1280, 375)
#: A snake_case or SCREAMING_SNAKE word: how the stored codes look (RETAINED_ENHANCED,
#: determinate_parole), and what no sentence written for people contains.
CODE_LIKE = re.compile(r"\b[A-Za-z]+(?:_[A-Za-z0-9]+)+\b")


def _stored_codes() -> set[str]:
    """Every code a model field may store (its choices) or a decision records (the handover
    reasons), that is written like a code."""
    from omp.rules.handover_terms import REASON_TITLES

    codes = {code for code in REASON_TITLES if CODE_LIKE.fullmatch(code)}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _ in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and CODE_LIKE.fullmatch(value):
                    codes.add(value)
    return codes


def _sign_in(page: Any, url: str, role: str) -> None:
    from omp.demo.load import DEMO_PASSWORD

    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(role)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _problems_on(page: Any, codes: set[str], width: int) -> list[str]:
    found = []
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    if overflow > width:
        found.append(f"{page.url} at {width} px: the page is {overflow} px wide")
    text = page.inner_text("main")
    raw = sorted({word for word in CODE_LIKE.findall(text) if word in codes})
    if raw:
        found.append(f"{page.url} at {width} px shows codes: {', '.join(raw)}")
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_role_sees_words_that_fit_the_screen(
        live_server: Any, transactional_db: Any, migrated_data: None, plain_static: None,
        browser: CheckedBrowser) -> None:
    from omp.cli import app

    result = CliRunner().invoke(app, ["demo", "--cases", "300"])
    assert result.exit_code == 0, result.output
    from omp.cases.data_quality import records_to_check
    from omp.cases.models import CustodySpell, Person
    from omp.clock import today

    codes = _stored_codes()
    # The check has codes to find, of both kinds.
    assert {"RETAINED_ENHANCED", "POM_RESPONSIBLE", "determinate_parole"} <= codes
    case = Person.objects.filter(custody_spells__is_current=True).order_by("case_ref").first()
    assert case is not None and records_to_check(CustodySpell.objects.all(), today())
    problems: list[str] = []
    opened = 0
    for role in sorted(ROLE_NAMES):
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            _sign_in(page, live_server.url, role)
            assert "/accounts/login/" not in page.url, f"{role} could not sign in"
            links = [href for href in page.eval_on_selector_all(
                "a.moj-primary-navigation__link", "links => links.map(a => a.href)")
                if "/api/" not in href]  # the API docs are Swagger's page, not ours
            if role in CASE_READERS:
                links += [f"{live_server.url}/cases/{case.case_ref}/",
                          f"{live_server.url}/records-to-check/"]
            for href in dict.fromkeys(links):
                response = page.goto(href)
                assert response is not None and response.status == 200, (role, href)
                problems += _problems_on(page, codes, width)
                opened += 1
            context.close()
    assert opened > 40
    assert not problems, "\n".join(problems)
