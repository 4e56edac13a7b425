"""Shared fixtures: users with roles, and cases built from interchange objects."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

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

    from omp.cases.actions import upsert_case
    from omp.interchange.schema import parse_case

    def make(obj: dict[str, Any] | None = None, user: Any = None, **changes: Any) -> Any:
        obj = obj or case_object(**changes)
        with transaction.atomic():
            return upsert_case(user, parse_case(obj, date(2026, 11, 22))).person

    return make
