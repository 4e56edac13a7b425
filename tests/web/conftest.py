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
