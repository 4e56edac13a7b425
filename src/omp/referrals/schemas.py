"""The referral API's request and response shapes (REF-1, REF-2, REF-8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from omp.referrals.models import READINESS, Referral
from omp.referrals.queries import outcome_names


class ServiceOut(Schema):
    """A service in the catalogue, with its provider and area."""

    id: int
    title: str
    category: str
    provider: str
    area: str
    description: str


class ReferralIn(Schema):
    """A new draft referral: the case and the service; the rest is filled from the case
    record."""

    model_config = ConfigDict(extra="forbid")
    case_ref: str = Field(max_length=20)
    service_id: int


class ReferralChanges(Schema):
    """What a practitioner completes or corrects; only the fields given change. Dates are
    ``YYYY-MM-DD``."""

    model_config = ConfigDict(extra="forbid")
    rosh_summary: str | None = Field(None, max_length=4000)
    previous_convictions: str | None = Field(None, max_length=4000)
    additional_orders: str | None = Field(None, max_length=4000)
    complexity_level: int | None = None
    desired_outcomes: list[int] | None = Field(None, max_length=50)
    readiness: str | None = Field(None, max_length=20)
    readiness_notes: str | None = Field(None, max_length=4000)
    enforceable_days: int | None = None
    completion_deadline: dt.date | None = None
    reason_for_referral: str | None = Field(None, max_length=4000)
    explanation_for_person: str | None = Field(None, max_length=4000)


class AmendmentIn(ReferralChanges):
    """An amendment of a sent referral: the changes and the reason, shown to both sides."""

    reason: str = Field(max_length=4000)


class ChangeOut(Schema):
    """One field an amendment changed, in words."""

    field: str
    before: str
    after: str


class VersionOut(Schema):
    """The sent version (1) or an amendment."""

    number: int
    at: dt.datetime
    by: str
    reason: str
    changes: list[ChangeOut]


class ReferralOut(Schema):
    """A referral as its reader may see it (REF-9: a provider sees only its own)."""

    id: int
    reference: str
    state: str
    case_ref: str
    person_name: str
    service: ServiceOut
    created_at: dt.datetime
    sent_at: dt.datetime | None
    location: str
    prison_name: str
    expected_release_date: dt.date | None
    release_area: str
    rosh_summary: str
    previous_convictions: str
    additional_orders: str
    complexity_level: str | None
    session_cap: int | None
    desired_outcomes: list[str]
    readiness: str | None
    readiness_notes: str
    enforceable_days: int | None
    completion_deadline: dt.date | None
    reason_for_referral: str
    explanation_for_person: str


def service_body(service: Any) -> dict[str, Any]:
    """A service in the API's shape."""
    contract = service.contract
    return {"id": service.pk, "title": service.title, "category": service.category.name,
            "provider": contract.prime_provider.name, "area": contract.area,
            "description": service.description}


def referral_body(referral: Referral) -> dict[str, Any]:
    """A referral in the API's shape."""
    level = referral.complexity_level
    return {
        "id": referral.pk, "reference": referral.reference,
        "state": "sent" if referral.is_sent else "draft",
        "case_ref": referral.person.case_ref, "person_name": referral.person.full_name,
        "service": service_body(referral.service), "created_at": referral.created_at,
        "sent_at": referral.sent_at, "location": referral.location,
        "prison_name": referral.prison_name,
        "expected_release_date": referral.expected_release_date,
        "release_area": referral.release_area, "rosh_summary": referral.rosh_summary,
        "previous_convictions": referral.previous_convictions,
        "additional_orders": referral.additional_orders,
        "complexity_level": level.title if level else None,
        "session_cap": level.session_cap if level else None,
        "desired_outcomes": outcome_names(referral.desired_outcome_ids),
        "readiness": dict(READINESS).get(referral.readiness) if referral.readiness else None,
        "readiness_notes": referral.readiness_notes,
        "enforceable_days": referral.enforceable_days,
        "completion_deadline": referral.completion_deadline,
        "reason_for_referral": referral.reason_for_referral,
        "explanation_for_person": referral.explanation_for_person,
    }
