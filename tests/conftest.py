"""Shared fixtures: users with roles, and cases built from interchange objects."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from datetime import date
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.db import connections
from django.test import Client
from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM_ARGS, CheckedBrowser

# Playwright's sync API runs an event loop; Django's async-safety check would refuse the
# live server's database calls from the test thread otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BASE_CASE: dict[str, Any] = {
    "case_ref": "X000001",
    "as_of": "2026-11-01",
    "person": {"date_of_birth": "1990-01-31", "sex": "M", "nationalities": ["British"]},
    "probation": {"pdu_code": "N07CAM"},
    "risk": {"tier": "C1", "rosh": "MEDIUM", "rsr_percent": 3.2, "osp": None,
             "ogrs3_2yr_percent": 52, "mappa_level": 0, "registrations": []},
    "event": {"offences": [{"code": "02700", "description": "Theft", "schedule_15": "none"}],
              "sentence": {"kind": "custodial", "date": "2026-03-01", "length": "P18M",
                           "indeterminate": False}},
    "custody": {"prison_code": "DNI", "arrival_date": "2026-03-02",
                "sentence_start_date": "2026-03-01",
                "conditional_release_date": "2027-02-28"},
}


def case_object(**changes: Any) -> dict[str, Any]:
    """A copy of the base case with dotted-path changes, e.g. ``**{"risk.rsr_percent": 7}``."""
    obj = copy.deepcopy(BASE_CASE)
    for path, value in changes.items():
        target = obj
        *parents, leaf = path.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return obj


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    """Create a user holding the given roles."""
    from django.contrib.auth.models import Group, User

    def make(username: str, *roles: str, password: str = "a-long-test-password") -> Any:
        user = User.objects.create_user(username, password=password)
        for role in roles:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def make_case(db: Any) -> Callable[..., Any]:
    """Record a case from an interchange object through the import action."""
    from django.db import transaction

    from omp.decisions.actions import upsert_case
    from omp.interchange.schema import parse_case

    def make(obj: dict[str, Any] | None = None, user: Any = None, **changes: Any) -> Any:
        obj = obj or case_object(**changes)
        with transaction.atomic():
            return upsert_case(user, parse_case(obj, date(2026, 11, 22))).person

    return make


@pytest.fixture
def browser() -> Iterator[CheckedBrowser]:
    """Headless Chromium from Debian's package; the test fails if any of its pages logs a
    console error or a Content Security Policy violation, or throws."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              args=CHROMIUM_ARGS, headless=True)
        checked = CheckedBrowser(chromium)
        yield checked
        chromium.close()
        # Django keeps a connection per context, and Playwright's greenlet gives the test its
        # own: close the one the test opened, or PostgreSQL cannot drop the test database.
        connections.close_all()
        assert checked.problems == [], "\n".join(checked.problems)


#: Data migrations whose rows a flush removes: roles, reference data, built-in policies.
DATA_MIGRATIONS = ("omp.web.migrations.0001_roles", "omp.cases.migrations.0002_reference_data",
                   "omp.decisions.migrations.0002_built_in_policies")


@pytest.fixture
def migrated_data(transactional_db: Any) -> None:
    """The rows the data migrations write. A transactional test that ran before this one
    flushed them, so they are written again here by the migrations' own functions."""
    for name in DATA_MIGRATIONS:
        import_module(name).forwards(apps, None)


@pytest.fixture
def plain_static(settings: Any) -> None:
    """Serve static files by their plain names, as the live server's handler finds them,
    even where `collectstatic` has written a manifest of hashed names."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


# Signed-in clients per role and named cases, for the pages and the API of every domain.

@pytest.fixture
def client_for(make_user: Any) -> Callable[..., Client]:
    """A test client signed in as a new user holding ``roles``."""

    def make(username: str, *roles: str) -> Client:
        client = Client()
        client.force_login(make_user(username, *roles))
        return client

    return make


@pytest.fixture
def named_case(make_case: Any) -> Callable[..., Any]:
    """A case with a name and prison number (the interchange carries neither, so they are
    set on the record directly)."""

    def make(first: str = "Jo", last: str = "Smith", prison_number: str = "A1234BC",
             **changes: Any) -> Any:
        from omp.cases.models import Person

        person = make_case(**changes)
        Person.objects.filter(pk=person.pk).update(first_name=first, last_name=last,
                                                   prison_number=prison_number)
        person.refresh_from_db()
        return person

    return make


@pytest.fixture
def backdate(db: Any) -> Callable[..., None]:
    """Make everything recorded so far ``days`` older: the history rows of the case record
    and the decisions, as if it had been recorded then."""
    from datetime import timedelta

    from django.db.models import F

    from omp.cases.models import (
        Assessment,
        CustodySpell,
        Event,
        Offence,
        Person,
        Registration,
        Sentence,
    )
    from omp.decisions.models import AllocationDecision

    def shift(days: int) -> None:
        for model in (Person, Event, Offence, Sentence, Registration, Assessment, CustodySpell):
            model.history.update(  # type: ignore[attr-defined]
                history_date=F("history_date") - timedelta(days=days))
        AllocationDecision.objects.update(decided_at=F("decided_at") - timedelta(days=days))

    return shift
