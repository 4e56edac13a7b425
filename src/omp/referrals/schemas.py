"""The referral API's request and response shapes (REF-1, REF-2, REF-8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from omp.referrals.models import READINESS, Referral
from omp.referrals.queries import PlanVersion, ReportVersion, lifecycle, outcome_names
from omp.rules.referral_lifecycle import ReferralState


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
    state_words: str
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


def referral_body(referral: Referral, state: ReferralState | None = None) -> dict[str, Any]:
    """A referral in the API's shape, with its state derived from its events (given, when
    worked out for many referrals at once)."""
    level = referral.complexity_level
    state = state or lifecycle(referral)
    return {
        "id": referral.pk, "reference": referral.reference,
        "state": state.code, "state_words": state.words,
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


class KeyworkerIn(Schema):
    """The keyworker to assign: a username of the provider's own staff."""

    model_config = ConfigDict(extra="forbid")
    keyworker: str = Field(max_length=150)


class InitialAssessmentIn(Schema):
    """The day the initial assessment was held (``YYYY-MM-DD``), with optional notes."""

    model_config = ConfigDict(extra="forbid")
    held_on: dt.date
    notes: str = Field("", max_length=4000)


class ActionPlanIn(Schema):
    """A proposed action plan: the sessions it needs (up to the referral's session cap) and
    its activities. Every proposal after the first gives the reason for the change."""

    model_config = ConfigDict(extra="forbid")
    number_of_sessions: int
    activities: list[str] = Field(max_length=50)
    reason: str = Field("", max_length=4000)


class ApprovalIn(Schema):
    """The version of the action plan approved: the one waiting for approval."""

    model_config = ConfigDict(extra="forbid")
    version: int


class WithdrawalIn(Schema):
    """Why the referral is withdrawn: a reason code, and comments, needed for ``ANO``. The
    codes: ``INE`` ineligible referral, ``MIS`` mistaken or duplicate referral, ``NOT`` the
    person has not engaged, ``NEE`` needs met through another route, ``MOV`` moved out of
    the service area, ``WOR`` work, caring commitments or sickness, ``USE`` the person has
    died, ``ACQ`` acquitted on appeal, ``RET`` returned to custody, ``SER`` sentence
    revoked, ``SEE`` sentence expired, ``EAR`` the work has been completed early, ``ANO``
    another change of circumstances."""

    model_config = ConfigDict(extra="forbid")
    reason_code: str = Field(max_length=3)
    comments: str = Field("", max_length=4000)


class EventOut(Schema):
    """One event of the referral's lifecycle, in words."""

    at: dt.datetime
    by: str
    title: str
    details: list[str]


class StateOut(Schema):
    """Where a referral stands, derived from its events."""

    code: str
    words: str
    keyworker_assigned: bool
    initial_assessment_held: bool
    plan_waiting_for_approval: int | None
    plan_approved: int | None
    ended: bool


class TimelineOut(Schema):
    """The state (now, or at the end of ``on``) and the events recorded by then, newest
    first."""

    as_at: dt.datetime | None
    state: StateOut
    events: list[EventOut]


class ActionPlanOut(Schema):
    """A version of the action plan with what it changed from the version before."""

    version: int
    number_of_sessions: int
    activities: list[str]
    reason_for_change: str
    submitted_by: str
    submitted_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    activities_added: list[str]
    activities_removed: list[str]
    sessions_before: int | None


def state_body(state: ReferralState) -> dict[str, Any]:
    """A derived state in the API's shape."""
    return {"code": state.code, "words": state.words,
            "keyworker_assigned": state.keyworker_assigned,
            "initial_assessment_held": state.assessed,
            "plan_waiting_for_approval": state.plan_pending,
            "plan_approved": state.plan_approved, "ended": state.ended}


def plan_body(version: PlanVersion) -> dict[str, Any]:
    """A version of the action plan in the API's shape."""
    plan = version.plan
    return {"version": plan.version, "number_of_sessions": plan.number_of_sessions,
            "activities": plan.activities, "reason_for_change": plan.reason_for_change,
            "submitted_by": plan.submitted_by.get_username(),
            "submitted_at": plan.submitted_at,
            "approved_by": plan.approved_by.get_username() if plan.approved_by else None,
            "approved_at": plan.approved_at, "activities_added": version.added,
            "activities_removed": version.removed,
            "sessions_before": version.sessions_before}


class OutcomeRatingIn(Schema):
    """How far one of the referral's desired outcomes was achieved: ``achieved``,
    ``partly`` or ``not_achieved``, with the progress made."""

    model_config = ConfigDict(extra="forbid")
    desired_outcome_id: int
    achievement: str = Field(max_length=20)
    notes: str = Field(max_length=4000)


class EndOfServiceReportIn(Schema):
    """The end-of-service report (REF-6): every desired outcome of the referral rated once,
    anything further, and for a correction of a submitted version the reason. Problems
    name ``achievement-<desired outcome id>`` and ``notes-<desired outcome id>``."""

    model_config = ConfigDict(extra="forbid")
    outcomes: list[OutcomeRatingIn] = Field(max_length=50)
    further_information: str = Field("", max_length=4000)
    reason: str = Field("", max_length=4000)


class OutcomeRatingOut(Schema):
    """A desired outcome as a report rated it."""

    desired_outcome_id: int
    desired_outcome: str
    achievement: str
    achievement_words: str
    notes: str


class EndOfServiceReportOut(Schema):
    """A version of the end-of-service report, never changed once submitted; the score
    counts achieved as 1, partly as 0.5 (REF-6d)."""

    version: int
    submitted_by: str
    submitted_at: dt.datetime
    reason_for_change: str
    further_information: str
    achievement_score: float
    outcomes: list[OutcomeRatingOut]


class ConclusionIn(Schema):
    """The version of the end-of-service report the practitioner read: the newest."""

    model_config = ConfigDict(extra="forbid")
    version: int


def report_body(version: ReportVersion) -> dict[str, Any]:
    """A version of the end-of-service report in the API's shape."""
    report = version.report
    return {"version": report.version, "submitted_by": report.submitted_by.get_username(),
            "submitted_at": report.submitted_at,
            "reason_for_change": report.reason_for_change,
            "further_information": report.further_information,
            "achievement_score": version.score,
            "outcomes": [{"desired_outcome_id": r.outcome_id,
                          "desired_outcome": r.description, "achievement": r.achievement,
                          "achievement_words": r.words, "notes": r.notes}
                         for r in version.ratings]}


class MessageIn(Schema):
    """A message on a referral (REF-7): kept as sent."""

    model_config = ConfigDict(extra="forbid")
    body: str = Field(max_length=4000)


class MessageOut(Schema):
    """A message on a referral, never changed."""

    id: int
    author: str
    side: str
    sent_at: dt.datetime
    body: str


# Sessions (REF-5), for the provider's pages' work done from its own system (REF-8).


class _SessionTimeIn(Schema):
    """When and how a session is held: what a booking and a move both give."""

    model_config = ConfigDict(extra="forbid")
    day: dt.date
    start_time: str = Field(max_length=20)
    duration_minutes: int
    method: str = Field(max_length=20)
    location: str = Field("", max_length=300)


class SessionBookingIn(_SessionTimeIn):
    """A session of the approved action plan to book: the day (``YYYY-MM-DD``), the time it
    starts (``14:30``), how long it lasts in minutes (5 to 480), how it is delivered —
    ``phone``, ``video``, ``probation_office`` or ``in_person_other`` — and, in person, the
    address; and whether it counts towards the enforceable (RAR) days."""

    enforceable: bool


class SessionMoveIn(_SessionTimeIn):
    """A session not yet held moved to a new time: the new booking as for a booking, who
    asked for the move (``person``, ``provider`` or ``practitioner``) and why."""

    requested_by: str = Field(max_length=12)
    reason: str = Field(max_length=4000)


class AttendanceIn(Schema):
    """What happened at a session once it has started: whether the person attended (``yes``,
    ``late`` or ``no``), whether the session happened (needed when they attended), and when
    it did not, why (``non_compliance``, ``acceptable`` or ``logistics``); how the person
    engaged (needed when it happened)."""

    model_config = ConfigDict(extra="forbid")
    attendance: str = Field(max_length=4)
    happened: bool | None = None
    no_session_reason: str = Field("", max_length=16)
    notes: str = Field("", max_length=4000)


class SessionOut(Schema):
    """A booking of a session, with its state in words; a moved booking names the booking
    that replaced it."""

    id: int
    session_number: int
    starts_at: dt.datetime
    duration_minutes: int
    method: str
    method_words: str
    location: str
    enforceable: bool
    status: str
    moved_to: int | None
    reschedule_requested_by: str | None
    reschedule_reason: str
    attendance: str | None
    happened: bool | None
    no_session_reason: str | None
    notes: str
    booked_by: str
    recorded_by: str | None
    recorded_at: dt.datetime | None


class RarOut(Schema):
    """Activities and RAR days side by side (REF-5): two activities on one day are one RAR
    day; days beyond or outside the enforceable ones are voluntary."""

    enforceable_days: int
    activities: int
    rar_days: int
    rar_days_left: int
    voluntary_days: int
    sessions_used: int


class SessionsOut(Schema):
    """Every booking of the referral's sessions, moved ones included, in time order, and
    the RAR count."""

    sessions: list[SessionOut]
    rar: RarOut


def session_body(appointment: Any, status: str) -> dict[str, Any]:
    """A booking in the API's shape."""
    return {"id": appointment.pk, "session_number": appointment.session_number,
            "starts_at": appointment.starts_at,
            "duration_minutes": appointment.duration_minutes, "method": appointment.method,
            "method_words": appointment.get_method_display(),
            "location": appointment.location, "enforceable": appointment.enforceable,
            "status": status, "moved_to": appointment.rescheduled_to_id,
            "reschedule_requested_by": appointment.reschedule_requested_by or None,
            "reschedule_reason": appointment.reschedule_reason,
            "attendance": appointment.attendance or None, "happened": appointment.happened,
            "no_session_reason": appointment.no_session_reason or None,
            "notes": appointment.notes, "booked_by": appointment.booked_by.get_username(),
            "recorded_by": (appointment.recorded_by.get_username()
                            if appointment.recorded_by else None),
            "recorded_at": appointment.recorded_at}


def rar_body(count: Any) -> dict[str, Any]:
    """A RAR count in the API's shape."""
    return {"enforceable_days": count.enforceable_days, "activities": count.activities,
            "rar_days": count.rar_days, "rar_days_left": count.rar_days_left,
            "voluntary_days": count.voluntary_days, "sessions_used": count.sessions_used}
