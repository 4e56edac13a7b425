"""Referral pages (REF-1, REF-2, REF-9): the person's referrals on the case page, choosing a
service, completing and sending a referral, amending it after sending, the summary for the
person, and the list of referrals (incoming ones for a provider). Views read and call
actions only; a referral a user may not see answers 404, as one that does not exist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omp.access import (
    PROVIDER,
    REFERRAL_READERS,
    REFERRERS,
    has_role,
    remember_roles,
    role_required,
)
from omp.cases.access import open_case, without_withheld
from omp.cases.sections import CasePage, CasePagePart
from omp.clock import today
from omp.referrals.actions import (
    FEEDBACK_GIVERS,
    MESSAGE_WRITERS,
    ReferralError,
    amend_referral,
    approve_action_plan,
    assign_keyworker,
    book_session,
    choose_notifications,
    conclude_referral,
    create_feedback_link,
    give_feedback,
    note_feedback_attempt,
    open_feedback_link,
    record_attendance,
    record_initial_assessment,
    record_paper_feedback,
    reschedule_session,
    save_draft,
    send_message,
    send_referral,
    start_referral,
    submit_action_plan,
    submit_end_of_service_report,
    withdraw_referral,
)
from omp.referrals.forms import (
    ActionPlanForm,
    ApprovalForm,
    AsAtForm,
    AttendanceForm,
    ConclusionForm,
    EndOfServiceReportForm,
    FeedbackForm,
    InitialAssessmentForm,
    KeyworkerForm,
    MessageForm,
    ReferralForm,
    SessionForm,
    StartReferralForm,
    WithdrawalForm,
    show_problems,
)
from omp.referrals.models import (
    READINESS,
    FeedbackLink,
    Notification,
    NotificationChoice,
    PersonFeedback,
    Referral,
    ReferralMessage,
    Service,
)
from omp.referrals.queries import (
    FIELD_LABELS,
    PERFORMANCE_COLUMNS,
    PERFORMANCE_READERS,
    appointment_for,
    appointments_of,
    approved_plan,
    current_keyworker,
    end_of_day,
    is_provider_only,
    keyworkers_for,
    lifecycle,
    message_side,
    missing,
    open_referral,
    other_agencies_work,
    outcome_names,
    performance_referrals,
    performance_rows,
    plan_versions,
    rar_count,
    referral_list_page,
    report_versions,
    services_for,
    session_rows,
    states_for,
    timeline,
    versions,
    visible_referrals,
)
from omp.rules.referral_feedback import LINK_WORDS
from omp.rules.referral_notifications import KINDS, notifies


def _referrals_part(page: CasePage) -> dict[str, Any]:
    user = page.request.user
    if not has_role(user, REFERRAL_READERS):
        return {"referrals_shown": False}
    referrals = list(visible_referrals(user).filter(person=page.person)
                     .order_by("-created_at"))
    states = states_for(referrals)
    return {"referrals_shown": True,
            "person_referrals": [(r, states[r.pk]) for r in referrals],
            "can_refer": has_role(user, REFERRERS)}


#: The person's referrals, after the facts and before the decision history.
CASE_PAGE_PART = CasePagePart("referrals", 35, "referrals/_case_referrals.html",
                              _referrals_part)


def _detail(referral: Referral) -> dict[str, Any]:
    """What every page about one referral shows."""
    return {"referral": referral, "person": referral.person,
            "outcomes": outcome_names(referral.desired_outcome_ids),
            "readiness_words": dict(READINESS).get(referral.readiness, ""),
            "contract": referral.service.contract}


@require_http_methods(["GET", "POST"])
@role_required(REFERRERS)
def referral_start(request: HttpRequest, case_ref: str) -> HttpResponse:
    """Choose the service to refer the person to; the draft is filled from the case record."""
    person = open_case(request, case_ref, "web")
    services = services_for(person, today())
    form = StartReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["service"]
        service = Service.objects.select_related("contract", "category").filter(
            pk=chosen if chosen.isdigit() else -1).first()
        if service is None:
            form.add_error("service", "Choose the service to refer the person to")
        else:
            try:
                referral = start_referral(request.user, person, service)
            except ReferralError as error:
                for _field, message in error.problems:
                    form.add_error("service", message)
            else:
                return redirect("referral-edit", pk=referral.pk)
    return render(request, "referrals/start.html",
                  {"person": person, "services": services, "form": form,
                   "nav_section": "cases"}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(REFERRERS)
def referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete a draft: save it, or send it once nothing is missing (REF-1)."""
    referral = open_referral(request, pk, "web")
    if referral.is_sent:
        return redirect("referral-detail", pk=referral.pk)
    form = ReferralForm(referral, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = save_draft(request.user, referral, form.changes())
            if request.POST.get("send"):
                send_referral(request.user, referral)
                messages.success(request, f"Referral {referral.reference} sent to "
                                          f"{referral.service.contract.prime_provider}")
                return redirect("referral-detail", pk=referral.pk)
        except ReferralError as error:
            form.show_problems(error.problems)
        else:
            messages.success(request, "Draft saved")
            return redirect("referral-edit", pk=referral.pk)
    return render(request, "referrals/edit.html", {
        **_detail(referral), "form": form, "amending": False,
        "still_needed": missing(referral, today()), "labels": FIELD_LABELS,
        "nav_section": "cases"}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(REFERRERS)
def referral_amend(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a sent referral with a reason; the change is shown to both sides."""
    referral = open_referral(request, pk, "web")
    if not referral.is_sent:
        return redirect("referral-edit", pk=referral.pk)
    form = ReferralForm(referral, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            amend_referral(request.user, referral, form.changes(),
                           request.POST.get("reason", ""))
        except ReferralError as error:
            form.show_problems(error.problems)
        else:
            messages.success(request, f"Referral {referral.reference} amended")
            return redirect("referral-detail", pk=referral.pk)
    return render(request, "referrals/edit.html", {
        **_detail(referral), "form": form, "amending": True, "still_needed": [],
        "labels": FIELD_LABELS, "nav_section": "cases"},
        status=400 if form.errors else 200)


def _progress(request: HttpRequest, referral: Referral) -> dict[str, Any]:
    """The state now, the current keyworker and plans, and what the user may do next."""
    state = lifecycle(referral)
    plans = plan_versions(referral)
    is_provider = has_role(request.user, frozenset({PROVIDER}))
    is_referrer = has_role(request.user, REFERRERS)
    live = state.is_sent and not state.ended
    # A proposal left waiting when the referral ended was never approved: not "waiting".
    pending = state.plan_pending if live else None
    reports = report_versions(referral)
    return {
        "reports": reports, "report": reports[0] if reports else None,
        "person_feedback": PersonFeedback.objects.filter(referral=referral).first(),
        "can_report": is_provider and live and state.plan_approved is not None
        and state.sessions > 0,
        "can_conclude": is_referrer and live and state.report_submitted,
        "state": state, "keyworker": current_keyworker(referral), "plans": plans,
        "approved_plan": next((v for v in plans if v.approved), None),
        "pending_version": pending,
        "pending_plan": next((v for v in plans if v.plan.version == pending), None),
        "can_assign": is_provider and live,
        "can_assess": is_provider and live and state.keyworker_assigned
        and not state.assessed,
        "can_propose": is_provider and live and state.assessed,
        "can_approve": is_referrer and live and state.plan_pending is not None,
        "can_withdraw": is_referrer and live,
    }


@require_GET
@role_required(REFERRAL_READERS | {PROVIDER})
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A referral as sent, its progress (the state derived from its events, and the
    timeline, now or on a past day), the other services working with the person now, and
    every amendment and what it changed (both sides)."""
    referral = open_referral(request, pk, "web")
    as_at_form = AsAtForm(request.GET or None)
    as_at = None
    if as_at_form.is_bound and as_at_form.is_valid() and as_at_form.cleaned_data["on"]:
        as_at = end_of_day(as_at_form.cleaned_data["on"])
    return render(request, "referrals/detail.html", {
        **_detail(referral), **_progress(request, referral), "versions": versions(referral),
        "timeline": timeline(referral, as_at), "as_at": as_at, "form": as_at_form,
        "other_services": other_agencies_work(referral),
        "state_then": lifecycle(referral, as_at) if as_at else None,
        "can_refer": has_role(request.user, REFERRERS),
        "provider_view": is_provider_only(request.user), "nav_section": "referrals"},
        status=400 if as_at_form.errors else 200)


def _lifecycle_page(request: HttpRequest, referral: Referral, template: str,
                    form: Any, **extra: Any) -> HttpResponse:
    return render(request, f"referrals/{template}", {
        **_detail(referral), **_progress(request, referral), "form": form,
        "nav_section": "referrals", **extra}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(frozenset({PROVIDER}))
def referral_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider assigns a keyworker from its own staff (or changes keyworker)."""
    referral = open_referral(request, pk, "web")
    posted = request.POST if request.method == "POST" else None
    form = KeyworkerForm(keyworkers_for(request.user, referral), posted)
    if posted is not None and form.is_valid():
        try:
            event = assign_keyworker(request.user, referral, form.cleaned_data["keyworker"])
        except ReferralError as error:
            show_problems(form, error.problems)
        else:
            messages.success(request, f"{event.keyworker.get_full_name() or event.keyworker}"
                                      f" is the keyworker")
            return redirect("referral-detail", pk=referral.pk)
    return _lifecycle_page(request, referral, "assign.html", form)


@require_http_methods(["GET", "POST"])
@role_required(frozenset({PROVIDER}))
def referral_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider records the day it held the initial assessment."""
    referral = open_referral(request, pk, "web")
    form = InitialAssessmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record_initial_assessment(request.user, referral, form.cleaned_data["held_on"],
                                      form.cleaned_data["notes"])
        except ReferralError as error:
            show_problems(form, error.problems)
        else:
            messages.success(request, "Initial assessment recorded")
            return redirect("referral-detail", pk=referral.pk)
    return _lifecycle_page(request, referral, "assessment.html", form)


@require_http_methods(["GET", "POST"])
@role_required(frozenset({PROVIDER}))
def action_plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider proposes an action plan, or an amended one with a reason (REF-4)."""
    referral = open_referral(request, pk, "web")
    latest = plan_versions(referral)[:1]
    initial = {"number_of_sessions": latest[0].plan.number_of_sessions,
               "activities": "\n".join(latest[0].plan.activities)} if latest else {}
    form = ActionPlanForm(request.POST if request.method == "POST" else None,
                          initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = submit_action_plan(request.user, referral, data["number_of_sessions"],
                                      data["activities"], data["reason"])
        except ReferralError as error:
            show_problems(form, error.problems)
        else:
            messages.success(request, f"Action plan version {plan.version} sent to the "
                                      f"probation practitioner for approval")
            return redirect("referral-action-plan", pk=referral.pk)
    return _lifecycle_page(request, referral, "action_plan_form.html", form,
                           amending=bool(latest),
                           session_cap=referral.complexity_level.session_cap
                           if referral.complexity_level else None)


@require_GET
@role_required(REFERRAL_READERS | {PROVIDER})
def action_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Every version of the action plan with what each changed and who approved it when
    (both sides); the practitioner approves the version waiting for approval here."""
    referral = open_referral(request, pk, "web")
    return _lifecycle_page(request, referral, "action_plan.html", ApprovalForm())


@require_http_methods(["POST"])
@role_required(REFERRERS)
def action_plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The practitioner approves the version of the action plan they were shown."""
    referral = open_referral(request, pk, "web")
    form = ApprovalForm(request.POST)
    form.is_valid()
    try:
        plan = approve_action_plan(request.user, referral, form.cleaned_data["version"])
    except ReferralError as error:
        show_problems(form, error.problems)
        return _lifecycle_page(request, referral, "action_plan.html", form)
    messages.success(request, f"Action plan version {plan.version} approved")
    return redirect("referral-detail", pk=referral.pk)


@require_http_methods(["GET", "POST"])
@role_required(REFERRERS)
def referral_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The practitioner withdraws a sent referral, at any stage, with a reason."""
    referral = open_referral(request, pk, "web")
    form = WithdrawalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            withdraw_referral(request.user, referral, form.cleaned_data["reason_code"],
                              form.cleaned_data["comments"])
        except ReferralError as error:
            show_problems(form, error.problems)
        else:
            messages.success(request, f"Referral {referral.reference} withdrawn")
            return redirect("referral-detail", pk=referral.pk)
    return _lifecycle_page(request, referral, "withdraw.html", form)


@require_GET
@role_required(REFERRAL_READERS | {PROVIDER})
def referral_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The summary for the person, in plain words, to print (REF-2)."""
    referral = open_referral(request, pk, "web")
    if not referral.explanation_for_person:
        raise Http404("The referral has no explanation for the person yet")
    return render(request, "referrals/summary.html", _detail(referral))


@require_GET
@role_required(REFERRAL_READERS | {PROVIDER})
def referral_list(request: HttpRequest) -> HttpResponse:
    """A practitioner's own referrals (drafts first); a provider's incoming referrals."""
    provider = is_provider_only(request.user)
    # LAO-1, LAO-2: a case the user may not open is left out of the list.
    referrals = without_withheld(request.user, visible_referrals(request.user))
    if not provider:
        referrals = referrals.filter(created_by=request.user)
    listing = referral_list_page(referrals, request.GET.get("state"), request.GET.get("page"))
    return render(request, "referrals/list.html", {
        "listing": listing, "referrals": listing.rows, "provider_view": provider,
        "page": listing.page, "page_query": f"state={listing.chosen}&",
        "page_range": listing.page.paginator.get_elided_page_range(
            listing.page.number, on_each_side=1, on_ends=1),
        "nav_section": "referrals", "can_download_performance": has_role(
            request.user, PERFORMANCE_READERS | {PROVIDER})})


def _sent_between(request: HttpRequest) -> tuple[Any, Any, list[tuple[str, str]]]:
    """The ``from`` and ``to`` days of the performance report (ISO dates, either may be
    left out), and a problem naming each field that is not a date."""
    from datetime import date

    days: dict[str, date | None] = {"from": None, "to": None}
    problems = []
    for field in days:
        given = request.GET.get(field, "").strip()
        if not given:
            continue
        try:
            days[field] = date.fromisoformat(given)
        except ValueError:
            problems.append((field, f"The '{field}' date must be a real date written as "
                                    f"year-month-day, for example 2026-04-01"))
    if days["from"] and days["to"] and days["to"] < days["from"]:
        problems.append(("to", "The 'to' date must be the same as or after the 'from' date"))
    return days["from"], days["to"], problems


@require_GET
@role_required(PERFORMANCE_READERS | {PROVIDER})
def referral_performance_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The performance report as CSV (REF-5, REF-6): one row per sent referral, by its
    reference only (no name, date of birth or note of the person), for a provider's own
    referrals (REF-9) or, for heads of offender management and administrators, every
    provider's; optionally only those sent from ``from`` to ``to`` (both days included).
    Cases the user may not open are left out, as in every list (LAO-1, LAO-2)."""
    import logging
    from datetime import datetime, time

    from omp import csv_safe

    start, end, problems = _sent_between(request)
    if problems:
        return render(request, "referrals/performance_error.html",
                      {"problems": problems, "nav_section": "referrals"}, status=400)
    referrals = without_withheld(request.user, performance_referrals(request.user))
    if start:
        referrals = referrals.filter(
            sent_at__gte=timezone.make_aware(datetime.combine(start, time.min)))
    if end:
        referrals = referrals.filter(sent_at__lte=end_of_day(end))
    logging.getLogger("omp.referrals").info(
        "performance report downloaded by user %s (from %s to %s)", request.user.pk,
        start or "the first", end or "the last")

    response = StreamingHttpResponse(
        csv_safe.chunks(PERFORMANCE_COLUMNS, performance_rows(referrals)),
        content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="referral-performance-{today().isoformat()}.csv"')
    return response


# Sessions and RAR days (REF-5): both sides read them; the provider books, moves and
# records attendance.


def _sessions(request: HttpRequest, referral: Referral) -> dict[str, Any]:
    """The bookings with their states, the activities and RAR days side by side, and
    whether the user may book."""
    appointments = appointments_of(referral)
    plan = approved_plan(referral)
    state = lifecycle(referral)
    return {"rows": session_rows(appointments, timezone.now()),
            "rar": rar_count(referral, appointments),
            "plan_sessions": plan.number_of_sessions if plan else None,
            "can_book": has_role(request.user, frozenset({PROVIDER})) and plan is not None
            and state.is_sent and not state.ended}


@require_GET
@role_required(REFERRAL_READERS | {PROVIDER})
def referral_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    """Every booking of the referral's sessions, the activities and RAR days side by side
    with how they are counted (both sides)."""
    referral = open_referral(request, pk, "web")
    return render(request, "referrals/sessions.html", {
        **_detail(referral), **_progress(request, referral), **_sessions(request, referral),
        "nav_section": "referrals"})


@require_http_methods(["GET", "POST"])
@role_required(frozenset({PROVIDER}))
def referral_session_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider books a session of the approved action plan."""
    referral = open_referral(request, pk, "web")
    form = SessionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        # A date that cannot be read is the form's to say; the action says the rest, so
        # every problem is shown at once.
        form.is_valid()
        data = {name: form.cleaned_data.get(name) for name in form.fields}
        try:
            booked = book_session(request.user, referral, data["day"], data["start_time"],
                                  data["duration_minutes"], data["method"], data["location"],
                                  data["enforceable"])
        except ReferralError as error:
            show_problems(form, [p for p in error.problems if p[0] not in form.errors])
        else:
            local = timezone.localtime(booked.starts_at)
            messages.success(request, f"Session {booked.session_number} booked for "
                                      f"{local:%-d %B %Y} at {local:%H:%M}")
            return redirect("referral-sessions", pk=referral.pk)
    return _lifecycle_page(request, referral, "session_form.html", form, moving=None,
                           **_sessions(request, referral))


@require_http_methods(["GET", "POST"])
@role_required(frozenset({PROVIDER}))
def referral_session_move(request: HttpRequest, pk: int, appointment_id: int
                          ) -> HttpResponse:
    """The provider moves a session not yet held; the old booking keeps who asked and
    why."""
    referral = open_referral(request, pk, "web")
    old = appointment_for(referral, appointment_id)
    local = timezone.localtime(old.starts_at)
    initial = {"day": local.date(), "start_time": f"{local:%H:%M}",
               "duration_minutes": old.duration_minutes, "method": old.method,
               "location": old.location}
    form = SessionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        form.is_valid()  # as when booking: every problem at once
        data = {name: form.cleaned_data.get(name) for name in form.fields}
        try:
            new = reschedule_session(request.user, referral, old.pk, data["day"],
                                     data["start_time"], data["duration_minutes"],
                                     data["method"], data["location"], data["requested_by"],
                                     data["reason"])
        except ReferralError as error:
            show_problems(form, [p for p in error.problems if p[0] not in form.errors])
        else:
            moved = timezone.localtime(new.starts_at)
            messages.success(request, f"Session {new.session_number} moved to "
                                      f"{moved:%-d %B %Y} at {moved:%H:%M}")
            return redirect("referral-sessions", pk=referral.pk)
    return _lifecycle_page(request, referral, "session_form.html", form, moving=old,
                           **_sessions(request, referral))


@require_http_methods(["GET", "POST"])
@role_required(frozenset({PROVIDER}))
def referral_session_attendance(request: HttpRequest, pk: int, appointment_id: int
                                ) -> HttpResponse:
    """The provider records whether the person attended a session that has started, and
    how they engaged."""
    referral = open_referral(request, pk, "web")
    appointment = appointment_for(referral, appointment_id)
    form = AttendanceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_attendance(request.user, referral, appointment.pk, data["attendance"],
                              data["happened"], data["no_session_reason"], data["notes"])
        except ReferralError as error:
            show_problems(form, error.problems)
        else:
            messages.success(request, f"Attendance recorded for session "
                                      f"{appointment.session_number}")
            return redirect("referral-sessions", pk=referral.pk)
    return _lifecycle_page(request, referral, "attendance.html", form,
                           appointment=appointment)


# Outcomes (REF-6): the provider writes the end-of-service report; both sides read every
# version; the practitioner concludes the referral on the version read.


@require_http_methods(["GET", "POST"])
@role_required(frozenset({PROVIDER}))
def end_of_service_report_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider rates each desired outcome and submits the report (or a corrected
    version, with a reason); every problem is named at once and nothing is saved."""
    referral = open_referral(request, pk, "web")
    outcomes = list(zip(referral.desired_outcome_ids,
                        outcome_names(referral.desired_outcome_ids), strict=True))
    latest = report_versions(referral)[:1]
    initial: dict[str, Any] = {}
    if latest:
        initial["further_information"] = latest[0].report.further_information
        for rating in latest[0].ratings:
            initial[f"achievement-{rating.outcome_id}"] = rating.achievement
            initial[f"notes-{rating.outcome_id}"] = rating.notes
    form = EndOfServiceReportForm(outcomes, request.POST if request.method == "POST" else None,
                                  initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = submit_end_of_service_report(
                request.user, referral, form.ratings(),
                form.cleaned_data["further_information"], form.cleaned_data["reason"])
        except ReferralError as error:
            show_problems(form, error.problems)
        else:
            messages.success(request, f"End-of-service report version {report.version} sent "
                                      f"to the probation practitioner")
            return redirect("referral-report", pk=referral.pk)
    return _lifecycle_page(request, referral, "report_form.html", form,
                           correcting=bool(latest))


@require_GET
@role_required(REFERRAL_READERS | {PROVIDER})
def end_of_service_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Every version of the end-of-service report (both sides); the practitioner concludes
    the referral here on the newest."""
    referral = open_referral(request, pk, "web")
    return _lifecycle_page(request, referral, "report.html", ConclusionForm())


@require_http_methods(["POST"])
@role_required(REFERRERS)
def end_of_service_report_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    """The practitioner concludes the referral on the version of the report they read."""
    referral = open_referral(request, pk, "web")
    form = ConclusionForm(request.POST)
    form.is_valid()
    try:
        conclude_referral(request.user, referral, form.cleaned_data["version"])
    except ReferralError as error:
        show_problems(form, error.problems)
        return _lifecycle_page(request, referral, "report.html", form)
    messages.success(request, f"Referral {referral.reference} concluded")
    return redirect("referral-detail", pk=referral.pk)


# The person's feedback (REF-6e..g): staff ask for it with a one-time link or type in a paper
# form; the person answers on a page that needs no staff account.


def _feedback(request: HttpRequest, referral: Referral, form: Any = None,
              link_url: str = "", status: int = 200) -> HttpResponse:
    feedback = PersonFeedback.objects.filter(referral=referral).select_related(
        "recorded_by").first()
    state = lifecycle(referral)
    latest = FeedbackLink.objects.filter(referral=referral).order_by("-created_at").first()
    return render(request, "referrals/feedback.html", {
        **_detail(referral), "feedback": feedback, "latest_link": latest,
        "now": timezone.now(), "link_url": link_url, "form": form or FeedbackForm(),
        "can_ask": has_role(request.user, FEEDBACK_GIVERS) and feedback is None
        and state.is_sent and state.sessions > 0,
        "nav_section": "referrals"}, status=status)


@require_GET
@role_required(REFERRAL_READERS | {PROVIDER})
def referral_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's feedback on the referral (both sides), and how to ask for it."""
    return _feedback(request, open_referral(request, pk, "web"))


@require_POST
@role_required(FEEDBACK_GIVERS)
def referral_feedback_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a one-time link for the person; it is shown on this answer only."""
    referral = open_referral(request, pk, "web")
    form = FeedbackForm({})
    form.is_valid()  # bound, so that a refusal can be shown on it
    try:
        _link, token = create_feedback_link(request.user, referral)
    except ReferralError as error:
        show_problems(form, error.problems)
        return _feedback(request, referral, form, status=400)
    url = request.build_absolute_uri(f"/feedback/{token}/")
    return _feedback(request, referral, link_url=url)


@require_POST
@role_required(FEEDBACK_GIVERS)
def referral_feedback_paper(request: HttpRequest, pk: int) -> HttpResponse:
    """Type in the person's answers from a paper form."""
    referral = open_referral(request, pk, "web")
    form = FeedbackForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        record_paper_feedback(request.user, referral, data["helpfulness"],
                              data["would_recommend"], data["comments"])
    except ReferralError as error:
        show_problems(form, error.problems)
        return _feedback(request, referral, form, status=400)
    messages.success(request, "The person's feedback is recorded")
    return redirect("referral-feedback", pk=referral.pk)


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


@require_http_methods(["GET", "POST"])
def feedback_form(request: HttpRequest, token: str) -> HttpResponse:
    """The person's feedback form, opened by their one-time link with no staff account
    (REF-6e..g). It shows their first name and the service's name, nothing more; a link
    that is not valid, used or expired is refused with a plain message, and too many
    attempts from one address are refused for a while."""
    if not note_feedback_attempt(_address(request)):
        return render(request, "referrals/feedback_refused.html", {
            "message": "Too many attempts from your connection. Wait ten minutes and try "
                       "again."}, status=429)
    link, why = open_feedback_link(token)
    if link is None:
        return render(request, "referrals/feedback_refused.html", {
            "message": "This link is not valid. Check that it was typed exactly as given, or "
                       "ask your keyworker or probation practitioner for a new one."},
            status=404)
    if why is not None:
        return render(request, "referrals/feedback_refused.html",
                      {"message": LINK_WORDS[why]}, status=410)
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            give_feedback(token, data["helpfulness"], data["would_recommend"],
                          data["comments"])
        except ReferralError as error:
            show_problems(form, error.problems)
        else:
            return render(request, "referrals/feedback_thanks.html",
                          {"first_name": link.referral.person.first_name})
    return render(request, "referrals/feedback_form.html", {
        "form": form, "first_name": link.referral.person.first_name,
        "service_title": link.referral.service.title}, status=400 if form.errors else 200)


# Messages and notifications (REF-7).


@require_http_methods(["GET", "POST"])
@role_required(REFERRAL_READERS | {PROVIDER})
def referral_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """Every message on the referral, oldest first (both sides); practitioners and the
    provider write one."""
    referral = open_referral(request, pk, "web")
    can_write = has_role(request.user, MESSAGE_WRITERS)
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("Your role does not allow this")
        form.is_valid()
        try:
            send_message(request.user, referral, form.cleaned_data.get("body", ""))
        except ReferralError as error:
            show_problems(form, error.problems)
        else:
            messages.success(request, "Message sent")
            return redirect("referral-messages", pk=referral.pk)
    shown = list(ReferralMessage.objects.filter(referral=referral).select_related("author"))
    remember_roles([m.author for m in shown])  # each author's side, in one query
    for message in shown:
        message.side = message_side(referral, message.author)
    return render(request, "referrals/messages.html", {
        **_detail(referral), "referral_messages": shown, "form": form,
        "can_write": can_write and referral.is_sent, "nav_section": "referrals"},
        status=400 if form.errors else 200)


#: The most notifications the list shows.
NOTIFICATIONS_SHOWN = 200


@require_GET
@role_required(REFERRAL_READERS | {PROVIDER})
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; those not read before are marked new, and
    are read once shown."""
    rows = list(Notification.objects.filter(user=request.user).select_related("referral")
                [:NOTIFICATIONS_SHOWN + 1])
    shown = [(n, n.read_at is None) for n in rows[:NOTIFICATIONS_SHOWN]]
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now())
    return render(request, "referrals/notifications.html", {
        "notifications": shown, "more": len(rows) > NOTIFICATIONS_SHOWN,
        "notifications_unread": 0, "nav_section": "referrals"})


@require_http_methods(["GET", "POST"])
@role_required(REFERRAL_READERS | {PROVIDER})
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """The kinds of event that notify the user (REF-7c)."""
    if request.method == "POST":
        try:
            choose_notifications(request.user, request.POST.getlist("kinds"))
        except ReferralError:
            pass  # only the listed kinds can be posted by the page; others are ignored
        else:
            messages.success(request, "Your choices are saved")
            return redirect("notifications")
    choices = dict(NotificationChoice.objects.filter(user=request.user)
                   .values_list("kind", "enabled"))
    return render(request, "referrals/notification_preferences.html", {
        "kinds": [(kind, words, notifies(kind, choices)) for kind, (words, _on)
                  in KINDS.items()], "nav_section": "referrals"})
