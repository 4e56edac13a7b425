"""Fixtures for the pages and the API: signed-in clients per role and named cases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.db import connections
from django.test import Client
from playwright.sync_api import Browser, sync_playwright

from omp.cases.models import Person
from tests.web.browser import CHROMIUM_ARGS


@pytest.fixture
def client_for(make_user: Any) -> Callable[..., Client]:
    """A test client signed in as a new user holding ``roles``."""

    def make(username: str, *roles: str) -> Client:
        client = Client()
        client.force_login(make_user(username, *roles))
        return client

    return make


@pytest.fixture
def named_case(make_case: Any) -> Callable[..., Person]:
    """A case with a name and prison number (the interchange carries neither, so they are
    set on the record directly)."""

    def make(first: str = "Jo", last: str = "Smith", prison_number: str = "A1234BC",
             **changes: Any) -> Person:
        person: Person = make_case(**changes)
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


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Chromium from Debian's package."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
        # Django keeps a connection per context, and Playwright's greenlet gives the test its
        # own: close the one the test opened, or PostgreSQL cannot drop the test database.
        connections.close_all()


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
