"""Fixtures for the pages and the API: signed-in clients per role and named cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from omp.cases.models import Person


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
