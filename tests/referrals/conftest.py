"""Fixtures of the referral tests: a person in custody with a previous conviction and a
Sexual Harm Prevention Order, the catalogue, and a provider keyworker per provider."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from omp.clock import today


@pytest.fixture
def person(named_case: Any) -> Any:
    """Jo Smith, X000001, London, medium RoSH, in custody, with an older conviction."""
    from omp.cases.models import Event, Offence, Registration

    person = named_case(**{"risk.registrations": ["SHPO"]})
    if not person.registrations.filter(code="SHPO").exists():
        Registration.objects.create(person=person, code="SHPO", start_date=date(2024, 5, 1))
    old = Event.objects.create(person=person, number=9, is_current=False,
                               conviction_date=date(2019, 6, 12))
    Offence.objects.create(event=old, code="05600", description="Burglary in a dwelling")
    return person


@pytest.fixture
def service(db: Any) -> Any:
    """London housing support (Northway Housing Trust, with Haven as subcontractor)."""
    from omp.referrals.models import Service

    return Service.objects.select_related("category").get(title="Housing support in London")


@pytest.fixture
def provider_user(make_user: Any) -> Callable[[str, str], Any]:
    """A user with the provider role working for the provider ``code``."""
    from omp.referrals.models import Provider

    def make(username: str, code: str) -> Any:
        user = make_user(username, "provider")
        Provider.objects.get(code=code).staff.add(user)
        return user

    return make


def complete_changes(service: Any) -> dict[str, Any]:
    """Everything a practitioner adds to make a referral to ``service`` complete."""
    category = service.category
    return {"complexity_level": category.complexity_levels.get(complexity="MEDIUM").pk,
            "desired_outcomes": [o.pk for o in category.desired_outcomes.all()[:2]],
            "readiness": "ready", "enforceable_days": "10",
            "completion_deadline": (today() + timedelta(days=90)).isoformat(),
            "reason_for_referral": "Released to no fixed address.",
            "explanation_for_person": "This service will help you find somewhere to live."}
