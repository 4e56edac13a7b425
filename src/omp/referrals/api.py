"""``/api/v1/referrals``: the catalogue of services, a person's referrals, starting, completing,
sending and amending a referral (REF-1, REF-2), for practitioners; and for a provider (its
keyworkers signed in, or its own system with an API client's token, REF-8) the referrals
sent to it, its keyworker, plans, sessions and attendance and reports, and no others
(REF-9: another provider's referral answers 404, as one that does not exist). Every route
checks the role; refused inputs answer 422 naming each field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router

from omp.access import PROVIDER, REFERRAL_READERS, REFERRERS, remember_roles, require_role
from omp.api_errors import (
    CASE_BODY_ERRORS,
    CASE_ERRORS,
    CASE_INPUT_ERRORS,
    ERRORS,
    field_errors,
)
from omp.cases.access import open_case, without_withheld
from omp.referrals.actions import (
    ReferralError,
    amend_referral,
    approve_action_plan,
    assign_keyworker,
    book_session,
    conclude_referral,
    record_attendance,
    record_initial_assessment,
    reschedule_session,
    save_draft,
    send_message,
    send_referral,
    start_referral,
    submit_action_plan,
    submit_end_of_service_report,
    withdraw_referral,
)
from omp.referrals.models import Service
from omp.referrals.queries import (
    appointments_of,
    end_of_day,
    is_provider_only,
    lifecycle,
    message_side,
    open_referral,
    plan_versions,
    rar_count,
    referral_to_change,
    report_versions,
    session_status,
    states_for,
    timeline,
    versions,
    visible_referrals,
)
from omp.referrals.schemas import (
    ActionPlanIn,
    ActionPlanOut,
    AmendmentIn,
    ApprovalIn,
    AttendanceIn,
    ConclusionIn,
    EndOfServiceReportIn,
    EndOfServiceReportOut,
    InitialAssessmentIn,
    KeyworkerIn,
    MessageIn,
    MessageOut,
    ReferralChanges,
    ReferralIn,
    ReferralOut,
    ServiceOut,
    SessionBookingIn,
    SessionMoveIn,
    SessionOut,
    SessionsOut,
    TimelineOut,
    VersionOut,
    WithdrawalIn,
    plan_body,
    rar_body,
    referral_body,
    report_body,
    service_body,
    session_body,
    state_body,
)
from omp.rules.inputs import date_problem

router = Router(tags=["referrals"])
READERS = REFERRAL_READERS | {PROVIDER}


def _refused(error: ReferralError) -> tuple[int, dict[str, Any]]:
    return field_errors(*error.problems)


@router.get("/services", response={200: list[ServiceOut], **ERRORS},
            operation_id="list_services")
def list_services(request: HttpRequest) -> Any:
    """Every service in the catalogue with its provider and area."""
    require_role(request.user, REFERRERS)
    services = Service.objects.select_related("contract__prime_provider",
                                              "contract__region", "category")
    return [service_body(s) for s in services.order_by("title")]


@router.get("/referrals", response={200: list[ReferralOut], **ERRORS},
            operation_id="list_referrals")
def list_referrals(request: HttpRequest, case_ref: str | None = None) -> Any:
    """The referrals the user may read: a provider's incoming referrals, or a person's
    referrals (``case_ref``), or those the practitioner made."""
    require_role(request.user, READERS)
    # LAO-1, LAO-2: a case the user may not open is left out of the list.
    referrals = without_withheld(request.user, visible_referrals(request.user))
    if case_ref is not None:
        referrals = referrals.filter(person__case_ref=case_ref)
    elif not is_provider_only(request.user):
        referrals = referrals.filter(created_by=request.user)
    rows = list(referrals.order_by("-created_at")[:500])
    states = states_for(rows)
    return [referral_body(r, states[r.pk]) for r in rows]


@router.get("/referrals/{referral_id}", response={200: ReferralOut, **CASE_ERRORS},
            operation_id="get_referral")
def get_referral(request: HttpRequest, referral_id: int) -> Any:
    """One referral, if the user may read it (404 otherwise)."""
    require_role(request.user, READERS)
    return referral_body(open_referral(request, referral_id, "api"))


@router.get("/referrals/{referral_id}/versions",
            response={200: list[VersionOut], **CASE_ERRORS},
            operation_id="list_referral_versions")
def referral_versions(request: HttpRequest, referral_id: int) -> Any:
    """The sent version and each amendment, with its reason and what it changed."""
    require_role(request.user, READERS)
    referral = open_referral(request, referral_id, "api")
    return [{"number": v.number, "at": v.at, "by": v.by, "reason": v.reason,
             "changes": [{"field": f, "before": b, "after": a} for f, b, a in v.changes]}
            for v in versions(referral)]


@router.post("/referrals", response={201: ReferralOut, **CASE_BODY_ERRORS},
             operation_id="start_referral")
def create_referral(request: HttpRequest, payload: ReferralIn) -> Any:
    """Start a draft referral, filled from the case record."""
    require_role(request.user, REFERRERS)
    person = open_case(request, payload.case_ref, "api")
    service = Service.objects.select_related("contract", "category").filter(
        pk=payload.service_id).first()
    if service is None:
        return field_errors(("service_id", "No service has that id"))
    try:
        return 201, referral_body(start_referral(request.user, person, service))
    except ReferralError as error:
        return field_errors(*(("service_id", m) for _f, m in error.problems))


@router.patch("/referrals/{referral_id}", response={200: ReferralOut, **CASE_BODY_ERRORS},
              operation_id="update_draft_referral")
def update_draft(request: HttpRequest, referral_id: int, payload: ReferralChanges) -> Any:
    """Save what the practitioner adds to a draft."""
    require_role(request.user, REFERRERS)
    referral = open_referral(request, referral_id, "api")
    try:
        return referral_body(save_draft(request.user, referral,
                                        payload.model_dump(exclude_unset=True)))
    except ReferralError as error:
        return _refused(error)


@router.post("/referrals/{referral_id}/send",
             response={200: ReferralOut, **CASE_INPUT_ERRORS}, operation_id="send_referral")
def send(request: HttpRequest, referral_id: int) -> Any:
    """Send a complete draft; an incomplete one answers 422 naming each missing field."""
    require_role(request.user, REFERRERS)
    referral = open_referral(request, referral_id, "api")
    try:
        return referral_body(send_referral(request.user, referral))
    except ReferralError as error:
        return _refused(error)


@router.post("/referrals/{referral_id}/amendments",
             response={200: ReferralOut, **CASE_BODY_ERRORS}, operation_id="amend_referral")
def amend(request: HttpRequest, referral_id: int, payload: AmendmentIn) -> Any:
    """Amend a sent referral with a reason; every version is kept."""
    require_role(request.user, REFERRERS)
    referral = open_referral(request, referral_id, "api")
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason")
    try:
        return referral_body(amend_referral(request.user, referral, changes, reason))
    except ReferralError as error:
        return _refused(error)



# The lifecycle and the action plan (REF-4): the provider assigns a keyworker, records the
# initial assessment and proposes plans; the practitioner approves a plan or withdraws the
# referral. Another provider's referral answers 404 on every route.
PROVIDERS = frozenset({PROVIDER})


@router.get("/referrals/{referral_id}/timeline",
            response={200: TimelineOut, **CASE_INPUT_ERRORS},
            operation_id="get_referral_timeline")
def get_timeline(request: HttpRequest, referral_id: int, on: dt.date | None = None) -> Any:
    """The referral's state, derived from its events, and the events newest first; with
    ``on`` (``YYYY-MM-DD``), as they stood at the end of that day."""
    require_role(request.user, READERS)
    referral = open_referral(request, referral_id, "api")
    problem = date_problem(on) if on else None
    if problem:
        # Before 1900 a local time has no offset an ISO date-time can write (London's was
        # -00:01:15): refused as every date outside the accepted range is.
        return field_errors(("on", f"The day {problem}"))
    as_at = end_of_day(on) if on else None
    return {"as_at": as_at, "state": state_body(lifecycle(referral, as_at)),
            "events": [e.__dict__ for e in timeline(referral, as_at)]}


def _timeline_now(referral: Any) -> dict[str, Any]:
    return {"as_at": None, "state": state_body(lifecycle(referral)),
            "events": [e.__dict__ for e in timeline(referral)]}


@router.post("/referrals/{referral_id}/keyworker",
             response={200: TimelineOut, **CASE_BODY_ERRORS},
             operation_id="assign_keyworker")
def keyworker(request: HttpRequest, referral_id: int, payload: KeyworkerIn) -> Any:
    """The provider assigns a keyworker of its own staff (again, to change keyworker)."""
    require_role(request.user, PROVIDERS)
    referral = open_referral(request, referral_id, "api")
    try:
        assign_keyworker(request.user, referral, payload.keyworker)
    except ReferralError as error:
        return _refused(error)
    return _timeline_now(referral)


@router.post("/referrals/{referral_id}/initial-assessment",
             response={200: TimelineOut, **CASE_BODY_ERRORS},
             operation_id="record_initial_assessment")
def initial_assessment(request: HttpRequest, referral_id: int,
                       payload: InitialAssessmentIn) -> Any:
    """The provider records the day it held the initial assessment."""
    require_role(request.user, PROVIDERS)
    referral = open_referral(request, referral_id, "api")
    try:
        record_initial_assessment(request.user, referral, payload.held_on, payload.notes)
    except ReferralError as error:
        return _refused(error)
    return _timeline_now(referral)


@router.get("/referrals/{referral_id}/action-plans",
            response={200: list[ActionPlanOut], **CASE_ERRORS},
            operation_id="list_action_plans")
def list_action_plans(request: HttpRequest, referral_id: int) -> Any:
    """Every version of the action plan, newest first, with who approved it and when and
    what each changed."""
    require_role(request.user, READERS)
    referral = open_referral(request, referral_id, "api")
    return [plan_body(v) for v in plan_versions(referral)]


@router.post("/referrals/{referral_id}/action-plans",
             response={201: ActionPlanOut, **CASE_BODY_ERRORS},
             operation_id="submit_action_plan")
def propose_action_plan(request: HttpRequest, referral_id: int, payload: ActionPlanIn) -> Any:
    """The provider proposes an action plan, or an amended one with a reason."""
    require_role(request.user, PROVIDERS)
    referral = open_referral(request, referral_id, "api")
    try:
        submit_action_plan(request.user, referral, payload.number_of_sessions,
                           payload.activities, payload.reason)
    except ReferralError as error:
        return _refused(error)
    return 201, plan_body(plan_versions(referral)[0])


@router.post("/referrals/{referral_id}/action-plan-approvals",
             response={200: ActionPlanOut, **CASE_BODY_ERRORS},
             operation_id="approve_action_plan")
def approve(request: HttpRequest, referral_id: int, payload: ApprovalIn) -> Any:
    """The practitioner approves the version waiting for approval (named, so a plan replaced
    meanwhile is not approved by mistake)."""
    require_role(request.user, REFERRERS)
    referral = open_referral(request, referral_id, "api")
    try:
        plan = approve_action_plan(request.user, referral, payload.version)
    except ReferralError as error:
        return _refused(error)
    return next(plan_body(v) for v in plan_versions(referral) if v.plan.pk == plan.pk)


@router.post("/referrals/{referral_id}/withdrawal",
             response={200: TimelineOut, **CASE_BODY_ERRORS},
             operation_id="withdraw_referral")
def withdraw(request: HttpRequest, referral_id: int, payload: WithdrawalIn) -> Any:
    """The practitioner withdraws a sent referral, at any stage, with a reason code."""
    require_role(request.user, REFERRERS)
    referral = open_referral(request, referral_id, "api")
    try:
        withdraw_referral(request.user, referral, payload.reason_code, payload.comments)
    except ReferralError as error:
        return _refused(error)
    return _timeline_now(referral)


# Sessions (REF-5): the provider books the sessions of the approved plan, moves them (who
# asked and why kept) and records attendance once each has started; both sides read them
# with the RAR count. A booking of another referral answers 404, as one that does not exist.


def _session_now(appointment: Any) -> dict[str, Any]:
    from django.utils import timezone

    return session_body(appointment, session_status(appointment, timezone.now()))


@router.get("/referrals/{referral_id}/sessions",
            response={200: SessionsOut, **CASE_ERRORS}, operation_id="list_sessions")
def list_sessions(request: HttpRequest, referral_id: int) -> Any:
    """Every booking of the referral's sessions, moved ones included, in time order, with
    activities and RAR days side by side."""
    from django.utils import timezone

    require_role(request.user, READERS)
    referral = open_referral(request, referral_id, "api")
    bookings, now = appointments_of(referral), timezone.now()
    return {"sessions": [session_body(a, session_status(a, now)) for a in bookings],
            "rar": rar_body(rar_count(referral, bookings))}


@router.post("/referrals/{referral_id}/sessions",
             response={201: SessionOut, **CASE_BODY_ERRORS}, operation_id="book_session")
def book(request: HttpRequest, referral_id: int, payload: SessionBookingIn) -> Any:
    """The provider books the next session of the approved action plan; refused inputs
    answer 422 naming each field (a day before the referral was sent, a method that needs
    an address without one, more sessions than the plan or RAR days than the referral's)."""
    require_role(request.user, PROVIDERS)
    try:
        with referral_to_change(request, referral_id, "api") as referral:
            booked = book_session(request.user, referral, payload.day, payload.start_time,
                                  payload.duration_minutes, payload.method, payload.location,
                                  payload.enforceable)
    except ReferralError as error:
        return _refused(error)
    return 201, _session_now(booked)


@router.post("/referrals/{referral_id}/sessions/{appointment_id}/move",
             response={201: SessionOut, **CASE_BODY_ERRORS},
             operation_id="reschedule_session")
def move(request: HttpRequest, referral_id: int, appointment_id: int,
         payload: SessionMoveIn) -> Any:
    """The provider moves a session not yet held: a new booking of the same session (the
    answer); the old one keeps who asked and why."""
    require_role(request.user, PROVIDERS)
    try:
        with referral_to_change(request, referral_id, "api") as referral:
            moved = reschedule_session(request.user, referral, appointment_id, payload.day,
                                       payload.start_time, payload.duration_minutes,
                                       payload.method, payload.location, payload.requested_by,
                                       payload.reason)
    except ReferralError as error:
        return _refused(error)
    return 201, _session_now(moved)


@router.post("/referrals/{referral_id}/sessions/{appointment_id}/attendance",
             response={200: SessionOut, **CASE_BODY_ERRORS},
             operation_id="record_attendance")
def attendance(request: HttpRequest, referral_id: int, appointment_id: int,
               payload: AttendanceIn) -> Any:
    """The provider records attendance and engagement once the session has started (a
    session in the future answers 422 naming ``attendance``)."""
    require_role(request.user, PROVIDERS)
    try:
        with referral_to_change(request, referral_id, "api") as referral:
            recorded = record_attendance(request.user, referral, appointment_id,
                                         payload.attendance, payload.happened,
                                         payload.no_session_reason, payload.notes)
    except ReferralError as error:
        return _refused(error)
    return _session_now(recorded)


# Outcomes (REF-6): the provider submits the end-of-service report (a correction is the next
# version); the practitioner concludes the referral on the newest version.


@router.get("/referrals/{referral_id}/end-of-service-reports",
            response={200: list[EndOfServiceReportOut], **CASE_ERRORS},
            operation_id="list_end_of_service_reports")
def list_end_of_service_reports(request: HttpRequest, referral_id: int) -> Any:
    """Every version of the end-of-service report, newest first, with each desired outcome
    rated."""
    require_role(request.user, READERS)
    referral = open_referral(request, referral_id, "api")
    return [report_body(v) for v in report_versions(referral)]


@router.post("/referrals/{referral_id}/end-of-service-reports",
             response={201: EndOfServiceReportOut, **CASE_BODY_ERRORS},
             operation_id="submit_end_of_service_report")
def submit_report(request: HttpRequest, referral_id: int,
                  payload: EndOfServiceReportIn) -> Any:
    """The provider submits the end-of-service report, or a corrected version with a
    reason; a submitted version is never changed."""
    require_role(request.user, PROVIDERS)
    referral = open_referral(request, referral_id, "api")
    ids = [o.desired_outcome_id for o in payload.outcomes]
    if len(ids) != len(set(ids)):
        return field_errors(("outcomes", "Rate each desired outcome once"))
    ratings = {o.desired_outcome_id: {"achievement": o.achievement, "notes": o.notes}
               for o in payload.outcomes}
    try:
        submit_end_of_service_report(request.user, referral, ratings,
                                     payload.further_information, payload.reason)
    except ReferralError as error:
        return _refused(error)
    return 201, report_body(report_versions(referral)[0])


@router.post("/referrals/{referral_id}/conclusion",
             response={200: TimelineOut, **CASE_BODY_ERRORS},
             operation_id="conclude_referral")
def conclude(request: HttpRequest, referral_id: int, payload: ConclusionIn) -> Any:
    """The practitioner, having read the newest end-of-service report, concludes the
    referral (it is completed)."""
    require_role(request.user, REFERRERS)
    referral = open_referral(request, referral_id, "api")
    try:
        conclude_referral(request.user, referral, payload.version)
    except ReferralError as error:
        return _refused(error)
    return _timeline_now(referral)


# Messages (REF-7): both sides read and write them on the referral; every one kept.


def _message_body(referral: Any, message: Any) -> dict[str, Any]:
    return {"id": message.pk, "author": message.author.get_username(),
            "side": message_side(referral, message.author), "sent_at": message.sent_at,
            "body": message.body}


@router.get("/referrals/{referral_id}/messages", response={200: list[MessageOut], **CASE_ERRORS},
            operation_id="list_referral_messages")
def list_messages(request: HttpRequest, referral_id: int) -> Any:
    """Every message on the referral, oldest first."""
    require_role(request.user, READERS)
    referral = open_referral(request, referral_id, "api")
    messages = list(referral.messages.select_related("author"))
    remember_roles([m.author for m in messages])  # each author's side, in one query
    return [_message_body(referral, m) for m in messages]


@router.post("/referrals/{referral_id}/messages",
             response={201: MessageOut, **CASE_BODY_ERRORS},
             operation_id="send_referral_message")
def post_message(request: HttpRequest, referral_id: int, payload: MessageIn) -> Any:
    """A practitioner or the provider writes a message; the other side is notified if they
    chose to be."""
    require_role(request.user, REFERRERS | PROVIDERS)
    try:
        with referral_to_change(request, referral_id, "api") as referral:
            message = send_message(request.user, referral, payload.body)
    except ReferralError as error:
        return _refused(error)
    return 201, _message_body(referral, message)
