"""The only writers of referrals: starting a draft from the case record, saving what the
practitioner adds, sending it once it is complete (REF-1, REF-2) and amending it after
sending with a reason. Each runs in one transaction, takes the acting user, checks the role
and leaves a version in the referral's history."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from omp.access import ADMIN, PROVIDER, REFERRERS, require_role
from omp.cases.models import Person
from omp.clock import today
from omp.referrals.models import (
    IN_PERSON,
    METHODS,
    OTHER_WITHDRAWAL_REASON,
    READINESS,
    RESCHEDULE_REQUESTERS,
    WEBHOOK_EVENTS,
    WITHDRAWAL_REASONS,
    ActionPlan,
    Appointment,
    ComplexityLevel,
    DesiredOutcome,
    EndOfServiceOutcome,
    EndOfServiceReport,
    FeedbackAttempt,
    FeedbackLink,
    Notification,
    NotificationChoice,
    OutboxEvent,
    PersonFeedback,
    Provider,
    Referral,
    ReferralEvent,
    ReferralMessage,
    Service,
    WebhookSubscription,
)
from omp.referrals.queries import (
    AMENDABLE,
    MAX_ENFORCEABLE_DAYS,
    appointment_for,
    approved_plan,
    eligibility_problems,
    is_locked,
    keyworkers_for,
    lifecycle,
    location_of,
    missing,
    people_to_tell,
    prefill,
    referral_for,
    session_facts_of,
)
from omp.referrals.webhooks import enqueue, new_secret, retry, target_problem
from omp.rules.inputs import date_problem
from omp.rules.referral_feedback import (
    ATTEMPT_WINDOW,
    LINK_LIFETIME,
    LINK_WORDS,
    answer_problems,
    link_problem,
    over_limit,
)
from omp.rules.referral_lifecycle import (
    AMENDED,
    ASSIGNED,
    CONCLUDED,
    END_OF_SERVICE_REPORT,
    EVENT_WORDS,
    INITIAL_ASSESSMENT,
    PLAN_AMENDED,
    PLAN_APPROVED,
    PLAN_SUBMITTED,
    SENT,
    SESSION,
    SESSION_MISSED,
    WITHDRAWN,
    ReferralState,
)
from omp.rules.referral_notifications import KINDS, MESSAGE, notifies
from omp.rules.referral_outcomes import (
    ACHIEVEMENT_WORDS,
    conclusion_problems,
    report_problems,
)
from omp.rules.referral_sessions import (
    ATTENDANCE_WORDS,
    ATTENDED,
    DID_NOT_ATTEND,
    LATE,
    NO_SESSION_WORDS,
    booking_problems,
    next_session_number,
)

#: Letters of a reference: no I or O, which read as 1 and 0.
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_TEXT_LIMIT = 4000


class ReferralError(ValueError):
    """Inputs that cannot be accepted, or a referral that cannot be sent yet: ``problems``
    names each field at fault with what to do about it."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems


def _new_reference(category_code: str) -> str:
    """Two letters, four digits and the category's first two letters, e.g. AB1234AC."""
    while True:
        candidate = ("".join(secrets.choice(_LETTERS) for _ in range(2))
                     + f"{secrets.randbelow(10_000):04d}" + category_code[:2].upper())
        if not Referral.objects.filter(reference=candidate).exists():
            return candidate


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _save(referral: Referral, user: Any, reason: str = "") -> None:
    referral._history_user = user
    referral._change_reason = reason
    referral.save()


@transaction.atomic
def start_referral(user: Any, person: Person, service: Service) -> Referral:
    """Start a draft referral of ``person`` to ``service``, filled from the case record."""
    require_role(user, REFERRERS)
    problems = eligibility_problems(service, person, today())
    if problems:
        raise ReferralError([("service", problem) for problem in problems])
    referral = Referral(reference=_new_reference(service.category.code), person=person,
                        service=service, created_by=user, created_at=timezone.now(),
                        **prefill(person, today()))
    _save(referral, user)
    return referral


def _text(field: str, value: Any, problems: list[tuple[str, str]]) -> str:
    text = "" if value is None else str(value)
    if len(text) > _TEXT_LIMIT or not all(c.isprintable() or c in "\r\n\t" for c in text):
        problems.append((field, f"Use at most {_TEXT_LIMIT} characters of plain text"))
    return text.strip()


def clean_changes(referral: Referral, changes: dict[str, Any]) -> dict[str, Any]:
    """The model values for ``changes`` (names as on the page and in the API), or a
    :class:`ReferralError` naming every field at fault. A blank value clears the field;
    completeness is checked when the referral is sent."""
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    unknown = sorted(set(changes) - set(FIELDS))
    problems += [(name, "This field cannot be changed") for name in unknown]
    for name in ("rosh_summary", "previous_convictions", "additional_orders",
                 "readiness_notes", "reason_for_referral", "explanation_for_person"):
        if name in changes:
            values[name] = _text(name, changes[name], problems)
    if "complexity_level" in changes:
        level = changes["complexity_level"]
        if level in (None, ""):
            values["complexity_level"] = None
        else:
            found = ComplexityLevel.objects.filter(
                pk=level if str(level).isdigit() else -1,
                category_id=referral.service.category_id).first()
            if found is None:
                problems.append(("complexity_level",
                                 f"Choose a complexity level of {referral.service.category}"))
            values["complexity_level"] = found
    if "desired_outcomes" in changes:
        chosen = changes["desired_outcomes"] or []
        ids = [int(i) for i in chosen if str(i).isdigit()]
        valid = set(DesiredOutcome.objects.filter(
            pk__in=ids, category_id=referral.service.category_id).values_list("pk", flat=True))
        if len(ids) != len(chosen) or set(ids) - valid:
            problems.append(("desired_outcomes",
                             f"Choose desired outcomes of {referral.service.category}"))
        values["desired_outcome_ids"] = list(dict.fromkeys(i for i in ids if i in valid))
    if "readiness" in changes:
        readiness = changes["readiness"] or ""
        if readiness and readiness not in dict(READINESS):
            problems.append(("readiness", "Choose one of the answers about readiness"))
        values["readiness"] = readiness
    if "enforceable_days" in changes:
        days = changes["enforceable_days"]
        if days in (None, ""):
            values["enforceable_days"] = None
        elif not str(days).strip().isdigit() or not 1 <= int(str(days)) <= MAX_ENFORCEABLE_DAYS:
            problems.append(("enforceable_days", f"Enter the enforceable (RAR) days as a "
                                                 f"whole number from 1 to "
                                                 f"{MAX_ENFORCEABLE_DAYS}"))
        else:
            values["enforceable_days"] = int(str(days))
    if "completion_deadline" in changes:
        deadline = changes["completion_deadline"]
        if deadline in (None, ""):
            values["completion_deadline"] = None
        else:
            day = _day(deadline)
            if day is None or date_problem(day):
                problems.append(("completion_deadline", "Enter the date the service should be "
                                                        "completed by as a real date, for "
                                                        "example 27 3 2027"))
            else:
                if day <= today():
                    problems.append(("completion_deadline", "The date the service should be "
                                                            "completed by must be in the "
                                                            "future"))
                values["completion_deadline"] = day
    if problems:
        raise ReferralError(problems)
    return values


#: The names a page or the API uses for what a practitioner completes.
FIELDS = ("rosh_summary", "previous_convictions", "additional_orders", "complexity_level",
          "desired_outcomes", "readiness", "readiness_notes", "enforceable_days",
          "completion_deadline", "reason_for_referral", "explanation_for_person")


@transaction.atomic
def save_draft(user: Any, referral: Referral, changes: dict[str, Any]) -> Referral:
    """Save what the practitioner typed into a draft (nothing is saved if any input is
    refused)."""
    require_role(user, REFERRERS)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.is_sent:
        raise ReferralError([("referral", "The referral has been sent: amend it instead, "
                                          "with a reason")])
    for name, value in clean_changes(referral, changes).items():
        setattr(referral, name, value)
    _save(referral, user)
    return referral


@transaction.atomic
def send_referral(user: Any, referral: Referral) -> Referral:
    """Send a complete draft to the provider (REF-1): the location and release date are read
    from the case record again; a referral that lacks anything is refused, naming each
    field."""
    require_role(user, REFERRERS)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.is_sent:
        raise ReferralError([("referral", "The referral has already been sent")])
    for name, value in location_of(referral.person).__dict__.items():
        setattr(referral, name, value)
    problems = missing(referral, today())
    if problems:
        raise ReferralError(problems)
    referral.sent_at, referral.sent_by = timezone.now(), user
    _save(referral, user, "Sent")
    _event(referral, user, SENT, at=referral.sent_at)
    enqueue(referral, "referral.sent", referral.sent_at)
    return referral


@transaction.atomic
def amend_referral(user: Any, referral: Referral, changes: dict[str, Any],
                   reason: str) -> Referral:
    """Change a sent referral, with a reason; the version before is kept and the change is
    shown to both sides. The amended referral must still be complete."""
    require_role(user, REFERRERS)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.is_sent:
        raise ReferralError([("referral", "A draft is changed by saving it, not amended")])
    problems: list[tuple[str, str]] = []
    why = _text("reason", reason, problems)
    if not why:
        problems.append(("reason", "Give the reason for the change"))
    try:
        values = clean_changes(referral, changes)
    except ReferralError as error:
        problems += error.problems
        values = {}
    changed = {name: value for name, value in values.items()
               if name in AMENDABLE and getattr(referral, name) != value}
    if not problems and not changed:
        problems.append((next(iter(changes), "referral"), "Nothing has changed"))
    for name, value in changed.items():
        setattr(referral, name, value)
    problems += [p for p in missing(referral, today()) if p[0] != "expected_release_date"]
    if problems:
        raise ReferralError(problems)
    _save(referral, user, why)
    _event(referral, user, AMENDED, notes=f"Reason for the change: {why}")
    return referral


@transaction.atomic
def link_provider_staff(username: str, provider_code: str, password: str) -> bool:
    """Make ``username`` (created with the provider role and ``password`` when missing) staff
    of the provider ``provider_code``; True when the user was created."""
    from django.contrib.auth.models import Group, User

    from omp.access import PROVIDER
    from omp.referrals.models import Provider

    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_password(password)
        user.save()
    user.groups.add(Group.objects.get(name=PROVIDER))
    Provider.objects.get(code=provider_code).staff.add(user)
    return created


#: REF-8: the longest name of an API client (the OAuth2 application's name).
_CLIENT_NAME_LIMIT = 100


@transaction.atomic
def create_api_client(provider_code: str, name: str) -> tuple[Any, str]:
    """REF-8: an API client of the provider ``provider_code``, for its own case system: an
    OAuth2 application of django-oauth-toolkit (client credentials grant only) whose user is
    a new service account on the provider's staff with the provider role, so the client sees
    and does what the provider's keyworkers do, on its provider's referrals only. Returns the
    application and its secret, which is kept only hashed: shown once, never again."""
    from django.contrib.auth.models import Group, User
    from django.utils.text import slugify
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import get_application_model

    from omp.referrals.models import Provider

    problems: list[tuple[str, str]] = []
    provider = Provider.objects.filter(code=str(provider_code or "").strip().upper()).first()
    if provider is None:
        problems.append(("provider", "No provider has that code"))
    label = _text("name", name, problems)
    if not label:
        problems.append(("name", "Name the client, for example the provider's case system"))
    elif len(label) > _CLIENT_NAME_LIMIT:
        problems.append(("name", f"Name the client in at most {_CLIENT_NAME_LIMIT} "
                                 f"characters"))
    if problems or provider is None:
        raise ReferralError(problems)
    base = f"api-{provider.code.lower()}-{slugify(label)[:40] or 'client'}"
    username, number = base, 1
    while User.objects.filter(username=username).exists():
        number += 1
        username = f"{base}-{number}"
    account = User(username=username, first_name=label[:150],
                   last_name=f"(API client of {provider.name})"[:150])
    account.set_unusable_password()  # a service account never signs in to the pages
    account.save()
    account.groups.add(Group.objects.get(name=PROVIDER))
    provider.staff.add(account)
    secret = generate_client_secret()
    application_model = get_application_model()
    application = application_model.objects.create(
        name=f"{provider.code}: {label}", user=account,
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret, hash_client_secret=True)
    return application, secret


# The lifecycle (REF-4 and the events both sides see): each change is an event, and the
# referral's state is derived from the events (omp.rules.referral_lifecycle).

#: The most activities an action plan lists.
MAX_ACTIVITIES = 20
_ACTIVITY_LIMIT = 500


def _event(referral: Referral, user: Any, kind: str, at: Any = None,
           **fields: Any) -> ReferralEvent:
    event = ReferralEvent.objects.create(referral=referral, kind=kind,
                                         at=at or timezone.now(), by=user, **fields)
    _notify(referral, user, kind, f"{EVENT_WORDS.get(kind, kind)}: referral "
                                  f"{referral.reference}, {referral.service.title}")
    return event


def _notify(referral: Referral, actor: Any, kind: str, text: str) -> int:
    """REF-7b, REF-7c: tell the other people on the referral who chose to hear of ``kind``,
    in the same transaction as the change; the number told."""
    told = [pk for pk, chosen in people_to_tell(referral, kind, actor)
            if notifies(kind, chosen)]
    if not told:
        return 0
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(user_id=pk, referral=referral, kind=kind, text=text[:300],
                     created_at=now)
        for pk in told)
    return len(told)


def _locked(user: Any, referral: Referral) -> Referral:
    """The referral, locked for the change, if ``user`` may read it (``Http404`` when not,
    as for one that does not exist): read again, unless the route already read and locked
    it in this transaction (:func:`referral_to_change`)."""
    if is_locked(referral):
        return referral
    return referral_for(user, referral.pk, lock=True)


def _open(state: ReferralState) -> list[tuple[str, str]]:
    if not state.is_sent:
        return [("referral", "The referral has not been sent yet")]
    if state.ended:
        return [("referral", f"The referral has ended ({state.words.lower()}): nothing more "
                             f"can be recorded on it")]
    return []


def _delivering(state: ReferralState) -> list[tuple[str, str]]:
    """Sessions are booked and recorded until the end-of-service report (REF-6)."""
    problems = _open(state)
    if not problems and state.report_submitted:
        problems.append(("referral", "The end-of-service report has been submitted: no more "
                                     "sessions can be booked or recorded"))
    return problems


@transaction.atomic
def assign_keyworker(user: Any, referral: Referral, keyworker: str) -> ReferralEvent:
    """The provider assigns a keyworker from its own staff (again, to change keyworker)."""
    require_role(user, frozenset({PROVIDER}))
    referral = _locked(user, referral)
    state = lifecycle(referral)
    problems = _open(state)
    chosen = next((u for u in keyworkers_for(user, referral)
                   if u.get_username() == str(keyworker or "")), None)
    if chosen is None:
        problems.append(("keyworker", "Choose a keyworker from your organisation's staff"))
    elif not problems:
        latest = referral.events.filter(kind=ASSIGNED).order_by("-at", "-id").first()
        if latest is not None and latest.keyworker_id == chosen.pk:
            problems.append(("keyworker", f"{chosen.get_username()} is already the "
                                          f"keyworker"))
    if problems:
        raise ReferralError(problems)
    return _event(referral, user, ASSIGNED, keyworker=chosen)


@transaction.atomic
def record_initial_assessment(user: Any, referral: Referral, held_on: Any,
                              notes: str = "") -> ReferralEvent:
    """The provider records the day it held the initial assessment, once a keyworker is
    assigned."""
    require_role(user, frozenset({PROVIDER}))
    referral = _locked(user, referral)
    state = lifecycle(referral)
    problems = _open(state)
    if not problems and not state.keyworker_assigned:
        problems.append(("referral", "Assign a keyworker before the initial assessment"))
    if not problems and state.assessed:
        problems.append(("held_on", "The initial assessment has already been recorded"))
    day = _day(held_on) if held_on not in (None, "") else None
    if day is None or date_problem(day):
        problems.append(("held_on", "Enter the date the initial assessment was held as a "
                                    "real date, for example 27 3 2027"))
    elif day > today():
        problems.append(("held_on", "The date the initial assessment was held cannot be in "
                                    "the future"))
    elif referral.sent_at and day < timezone.localdate(referral.sent_at):
        problems.append(("held_on", f"The date the initial assessment was held cannot be "
                                    f"before the referral was sent "
                                    f"({timezone.localdate(referral.sent_at):%-d %B %Y})"))
    text = _text("notes", notes, problems)
    if problems:
        raise ReferralError(problems)
    return _event(referral, user, INITIAL_ASSESSMENT, happened_on=day, notes=text)


def _activities(values: Any, problems: list[tuple[str, str]]) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    activities = [str(v).strip() for v in (values or []) if str(v or "").strip()]
    if not activities:
        problems.append(("activities", "Give at least one activity"))
    elif len(activities) > MAX_ACTIVITIES:
        problems.append(("activities", f"Give at most {MAX_ACTIVITIES} activities"))
    elif any(len(a) > _ACTIVITY_LIMIT or not a.isprintable() for a in activities):
        problems.append(("activities", f"Write each activity in at most {_ACTIVITY_LIMIT} "
                                       f"characters of plain text, one a line"))
    return activities


@transaction.atomic
def submit_action_plan(user: Any, referral: Referral, number_of_sessions: Any,
                       activities: Any, reason: str = "") -> ActionPlan:
    """The provider proposes an action plan (REF-4) once the initial assessment is held;
    every later proposal, before or after approval, is a new version with a reason."""
    require_role(user, frozenset({PROVIDER}))
    referral = _locked(user, referral)
    state = lifecycle(referral)
    problems = _open(state)
    if not problems and not state.assessed:
        problems.append(("referral", "Record the initial assessment before the action plan"))
    level = referral.complexity_level
    cap = level.session_cap if level else 1
    text = str(number_of_sessions if number_of_sessions is not None else "").strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= cap:
        problems.append(("number_of_sessions",
                         f"Enter the number of sessions as a whole number from 1 to {cap}"
                         + (f", the session cap of {level.title.lower()}" if level else "")))
    listed = _activities(activities, problems)
    why = _text("reason", reason, problems)
    latest = referral.action_plans.order_by("-version").first()
    if latest is not None and not why:
        problems.append(("reason", "Give the reason for changing the action plan"))
    if (latest is not None and not problems and latest.activities == listed
            and latest.number_of_sessions == int(text)):
        problems.append(("activities", f"Nothing has changed from version {latest.version}"))
    if problems:
        raise ReferralError(problems)
    now = timezone.now()
    plan = ActionPlan.objects.create(
        referral=referral, version=latest.version + 1 if latest else 1,
        number_of_sessions=int(text), activities=listed, reason_for_change=why,
        submitted_by=user, submitted_at=now)
    _event(referral, user, PLAN_AMENDED if state.plan_approved else PLAN_SUBMITTED, at=now,
           action_plan=plan)
    return plan


@transaction.atomic
def approve_action_plan(user: Any, referral: Referral, version: Any) -> ActionPlan:
    """The practitioner approves the version of the action plan waiting for approval,
    recording who approved it and when (REF-4). The version is named, so a plan replaced by
    a newer proposal while it was read is not approved by mistake."""
    require_role(user, REFERRERS)
    referral = _locked(user, referral)
    state = lifecycle(referral)
    problems = _open(state)
    if not problems and state.plan_pending is None:
        problems.append(("version", "No action plan is waiting for approval"))
    elif not problems and str(version) != str(state.plan_pending):
        problems.append(("version", f"Version {version} is not the one waiting for approval: "
                                    f"version {state.plan_pending} is"))
    if problems:
        raise ReferralError(problems)
    plan = referral.action_plans.get(version=state.plan_pending)
    plan.approved_by, plan.approved_at = user, timezone.now()
    plan.save(update_fields=["approved_by", "approved_at"])
    _event(referral, user, PLAN_APPROVED, at=plan.approved_at, action_plan=plan)
    enqueue(referral, "action_plan.approved", plan.approved_at,
            action_plan={"version": plan.version})
    return plan


@transaction.atomic
def withdraw_referral(user: Any, referral: Referral, reason_code: str,
                      comments: str = "") -> ReferralEvent:
    """The practitioner withdraws a sent referral at any stage, with a reason code; before
    any session it is cancelled, after one it has ended early."""
    require_role(user, REFERRERS)
    referral = _locked(user, referral)
    state = lifecycle(referral)
    problems = _open(state)
    code = str(reason_code or "")
    if code not in dict(WITHDRAWAL_REASONS):
        problems.append(("reason_code", "Choose the reason for withdrawing the referral"))
    text = _text("comments", comments, problems)
    if code == OTHER_WITHDRAWAL_REASON and not text:
        problems.append(("comments", "Say what has changed"))
    if problems:
        raise ReferralError(problems)
    return _event(referral, user, WITHDRAWN, reason_code=code, notes=text)


# Sessions (REF-5): the provider books sessions of the approved action plan, moves them
# with who asked and why, and records attendance and engagement once each has started.

#: Sessions last from 5 minutes to a working day.
_DURATION_LIMITS = (5, 480)
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_time(value: Any) -> dt.time | None:
    """A time of day as people type it: ``14:30``, ``14.30``, ``2:30pm``, ``9am``."""
    if isinstance(value, dt.time):
        return value
    match = _TIME.match(str(value or "").strip().lower().replace(" ", ""))
    if match is None:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match[2] is None:
        return None  # "14" alone is not a time
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def _yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return {"yes": True, "true": True, "no": False, "false": False}.get(
        str(value or "").strip().lower())


@dataclass(frozen=True)
class _Booking:
    starts_at: dt.datetime
    duration: int
    method: str
    location: str


def _booking(referral: Referral, day: Any, start_time: Any, duration: Any, method: Any,
             location: Any, problems: list[tuple[str, str]]) -> _Booking | None:
    """The booking's inputs, each refused naming its field."""
    on = _day(day) if day not in (None, "") else None
    if on is None or date_problem(on):
        problems.append(("day", "Enter the date of the session as a real date, for example "
                                "27 3 2027"))
    elif referral.sent_at and on < timezone.localdate(referral.sent_at):
        problems.append(("day", f"The date of the session cannot be before the referral was "
                                f"sent ({timezone.localdate(referral.sent_at):%-d %B %Y})"))
    at = parse_time(start_time)
    if at is None:
        problems.append(("start_time", "Enter the time the session starts, for example 14:30 "
                                       "or 2:30pm"))
    text = str(duration if duration is not None else "").strip()
    low, high = _DURATION_LIMITS
    if not (text.isascii() and text.isdigit() and low <= int(text) <= high):
        problems.append(("duration_minutes", f"Enter how long the session lasts in minutes, "
                                             f"a whole number from {low} to {high}"))
    how = str(method or "")
    if how not in dict(METHODS):
        problems.append(("method", "Choose how the session is delivered"))
    where = _text("location", location, problems)
    if how in IN_PERSON and not where:
        problems.append(("location", "Give the address where the session takes place"))
    if len(where) > 300:
        problems.append(("location", "Give the address in at most 300 characters"))
    if on is None or at is None or problems:
        return None
    starts_at = timezone.make_aware(dt.datetime.combine(on, at))
    return _Booking(starts_at, int(text), how, where if how in IN_PERSON else "")


def _plan_sessions(referral: Referral) -> int | None:
    plan = approved_plan(referral)
    return plan.number_of_sessions if plan else None


@transaction.atomic
def book_session(user: Any, referral: Referral, day: Any, start_time: Any, duration: Any,
                 method: Any, location: Any, enforceable: Any) -> Appointment:
    """The provider books the next session of the approved action plan (REF-5): when, for
    how long, how and where, and whether it counts towards the enforceable (RAR) days."""
    require_role(user, frozenset({PROVIDER}))
    referral = _locked(user, referral)
    problems = _delivering(lifecycle(referral))
    counts = _yes_no(enforceable)
    if counts is None:
        problems.append(("enforceable", "Say whether the session counts towards the "
                                        "enforceable (RAR) days"))
    booking = _booking(referral, day, start_time, duration, method, location, problems)
    facts = session_facts_of(referral)
    if booking is not None and counts is not None and not problems:
        problems += booking_problems(facts, timezone.localdate(booking.starts_at), counts,
                                     _plan_sessions(referral), referral.enforceable_days)
    if problems or booking is None:
        raise ReferralError(problems)
    return Appointment.objects.create(
        referral=referral, session_number=next_session_number(facts),
        starts_at=booking.starts_at, duration_minutes=booking.duration,
        method=booking.method, location=booking.location, enforceable=bool(counts),
        booked_by=user, booked_at=timezone.now())


@transaction.atomic
def reschedule_session(user: Any, referral: Referral, appointment_id: Any, day: Any,
                       start_time: Any, duration: Any, method: Any, location: Any,
                       requested_by: Any, reason: Any) -> Appointment:
    """The provider moves a session not yet held to a new time: a new booking of the same
    session; the old one keeps who asked for the move and why (REF-5)."""
    require_role(user, frozenset({PROVIDER}))
    referral = _locked(user, referral)
    old = appointment_for(referral, appointment_id)
    problems = _delivering(lifecycle(referral))
    if old.rescheduled_to_id is not None:
        problems.append(("appointment", "This session has already been moved: move its "
                                        "latest booking"))
    elif old.attendance:
        problems.append(("appointment", "Attendance has been recorded for this session: it "
                                        "cannot be moved"))
    asked = str(requested_by or "")
    if asked not in dict(RESCHEDULE_REQUESTERS):
        problems.append(("requested_by", "Say who asked for the session to be moved"))
    why = _text("reason", reason, problems)
    if not why:
        problems.append(("reason", "Give the reason the session is moved"))
    booking = _booking(referral, day, start_time, duration, method, location, problems)
    if booking is not None and not problems:
        problems += booking_problems(
            session_facts_of(referral), timezone.localdate(booking.starts_at),
            old.enforceable, _plan_sessions(referral), referral.enforceable_days,
            replacing=old.session_number)
    if problems or booking is None:
        raise ReferralError(problems)
    new = Appointment.objects.create(
        referral=referral, session_number=old.session_number, starts_at=booking.starts_at,
        duration_minutes=booking.duration, method=booking.method, location=booking.location,
        enforceable=old.enforceable, booked_by=user, booked_at=timezone.now())
    old.rescheduled_to, old.reschedule_requested_by, old.reschedule_reason = new, asked, why
    old.save(update_fields=["rescheduled_to", "reschedule_requested_by",
                            "reschedule_reason"])
    return new


@transaction.atomic
def record_attendance(user: Any, referral: Referral, appointment_id: Any, attendance: Any,
                      happened: Any, no_session_reason: Any, notes: Any) -> Appointment:
    """The provider records, once a session has started, whether the person attended (on
    time, late or not), whether the session happened and why not, and how they engaged.
    A session that took place is an activity; one that did not is an event the probation
    practitioner is shown (REF-5)."""
    require_role(user, frozenset({PROVIDER}))
    referral = _locked(user, referral)
    appointment = appointment_for(referral, appointment_id)
    problems = _delivering(lifecycle(referral))
    if appointment.rescheduled_to_id is not None:
        problems.append(("appointment", "This session was moved: record attendance on its "
                                        "latest booking"))
    elif appointment.attendance:
        problems.append(("attendance", "Attendance has already been recorded for this "
                                       "session"))
    elif appointment.starts_at > timezone.now():
        local = timezone.localtime(appointment.starts_at)
        problems.append(("attendance", f"Attendance cannot be recorded for a session in the "
                                       f"future: it starts on {local:%-d %B %Y} at "
                                       f"{local:%H:%M}"))
    came = str(attendance or "")
    if came not in ATTENDANCE_WORDS:
        problems.append(("attendance", "Say whether the person attended"))
    took = False if came == DID_NOT_ATTEND else _yes_no(happened)
    if came in (ATTENDED, LATE) and took is None:
        problems.append(("happened", "Say whether the session happened"))
    why = str(no_session_reason or "") if took is False else ""
    if took is False and why not in NO_SESSION_WORDS:
        problems.append(("no_session_reason", "Say why the session did not take place"))
    text = _text("notes", notes, problems)
    if took and came in ATTENDANCE_WORDS and not text:
        problems.append(("notes", "Say how the person engaged in the session"))
    if problems:
        raise ReferralError(problems)
    appointment.attendance, appointment.happened = came, took
    appointment.no_session_reason, appointment.notes = why, text
    appointment.recorded_by, appointment.recorded_at = user, timezone.now()
    appointment.save(update_fields=["attendance", "happened", "no_session_reason", "notes",
                                    "recorded_by", "recorded_at"])
    local = timezone.localtime(appointment.starts_at)
    summary = (f"Session {appointment.session_number} on {local:%-d %B %Y} at "
               f"{local:%H:%M}: {ATTENDANCE_WORDS[came].lower()}")
    if took:
        _event(referral, user, SESSION, appointment=appointment, notes=summary)
    else:
        _event(referral, user, SESSION_MISSED, appointment=appointment,
               notes=f"{summary}. {NO_SESSION_WORDS[why]}.")
    enqueue(referral, "session.recorded", appointment.recorded_at,
            session={"appointment_id": appointment.pk,
                     "session_number": appointment.session_number,
                     "attendance": came, "happened": took})
    return appointment


# Outcomes (REF-6): the provider's end-of-service report rates each desired outcome, and
# the practitioner concludes the referral on the version they read.


def _rating(outcome_id: int, given: Any, problems: list[tuple[str, str]]
            ) -> tuple[str, str]:
    given = given if isinstance(given, dict) else {}
    level = str(given.get("achievement") or "")
    if level not in ACHIEVEMENT_WORDS:
        problems.append((f"achievement-{outcome_id}", "Say whether the outcome was achieved, "
                                                      "partly achieved or not achieved"))
    notes = _text(f"notes-{outcome_id}", given.get("notes"), problems)
    if not notes:
        problems.append((f"notes-{outcome_id}", "Say what progress was made towards the "
                                                "outcome"))
    return level, notes


@transaction.atomic
def submit_end_of_service_report(user: Any, referral: Referral, ratings: dict[Any, Any],
                                 further_information: Any = "",
                                 reason: Any = "") -> EndOfServiceReport:
    """The provider submits the end-of-service report (REF-6a..c): each of the referral's
    desired outcomes rated achieved, partly achieved or not achieved, with notes on the
    progress made. ``ratings`` maps each desired outcome's id to ``{"achievement",
    "notes"}``; problems name ``achievement-<id>`` and ``notes-<id>``. A report already
    submitted is never changed: a correction is the next version, with a reason."""
    require_role(user, frozenset({PROVIDER}))
    referral = _locked(user, referral)
    state = lifecycle(referral)
    latest = referral.end_of_service_reports.order_by("-version").first()
    problems: list[tuple[str, str]] = []
    why = _text("reason", reason, problems)
    problems = report_problems(state, latest.version if latest else None, why) + problems
    given = {str(key): value for key, value in (ratings or {}).items()}
    wanted = [str(i) for i in referral.desired_outcome_ids]
    problems += [(f"achievement-{key}", "That is not one of the referral's desired outcomes")
                 for key in sorted(set(given) - set(wanted))]
    rated = [(int(i), *_rating(int(i), given.get(i), problems)) for i in wanted]
    further = _text("further_information", further_information, problems)
    if problems:
        raise ReferralError(problems)
    report = EndOfServiceReport.objects.create(
        referral=referral, version=latest.version + 1 if latest else 1,
        further_information=further, reason_for_change=why, submitted_by=user,
        submitted_at=timezone.now())
    EndOfServiceOutcome.objects.bulk_create(
        EndOfServiceOutcome(report=report, desired_outcome_id=outcome_id, position=position,
                            achievement=level, notes=notes)
        for position, (outcome_id, level, notes) in enumerate(rated, start=1))
    _event(referral, user, END_OF_SERVICE_REPORT, at=report.submitted_at,
           end_of_service_report=report,
           notes=f"Version {report.version}" + (f". Reason for the change: {why}" if why
                                                else ""))
    return report


@transaction.atomic
def conclude_referral(user: Any, referral: Referral, version: Any) -> ReferralEvent:
    """The practitioner, having read the end-of-service report, concludes the referral on
    the version read, which must be the newest (REF-6c); the referral is completed."""
    require_role(user, REFERRERS)
    referral = _locked(user, referral)
    state = lifecycle(referral)
    latest = referral.end_of_service_reports.order_by("-version").first()
    problems = conclusion_problems(state, latest.version if latest else None,
                                   str(version if version is not None else ""))
    if problems or latest is None:
        raise ReferralError(problems)
    event = _event(referral, user, CONCLUDED, end_of_service_report=latest,
                   notes=f"Concluded on version {latest.version} of the end-of-service "
                         f"report")
    enqueue(referral, "referral.concluded", event.at,
            end_of_service_report={"version": latest.version})
    return event


# The person's feedback (REF-6e..g): a one-time link to a page that needs no staff account,
# or a paper form typed in by staff.

FEEDBACK_GIVERS = REFERRERS | {PROVIDER}


def token_hash(token: str) -> str:
    """The hash kept of a link's token (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _feedback_open(referral: Referral) -> list[tuple[str, str]]:
    state = lifecycle(referral)
    if not state.is_sent or state.sessions == 0:
        return [("referral", "Feedback is asked for once at least one session has taken "
                             "place")]
    if PersonFeedback.objects.filter(referral=referral).exists():
        return [("referral", "The person's feedback has already been recorded")]
    return []


@transaction.atomic
def create_feedback_link(user: Any, referral: Referral) -> tuple[FeedbackLink, str]:
    """A one-time link for the person's feedback (REF-6f): the token is returned once, to
    pass on, and only its hash kept; an earlier link not yet used stops working."""
    require_role(user, FEEDBACK_GIVERS)
    referral = _locked(user, referral)
    problems = _feedback_open(referral)
    if problems:
        raise ReferralError(problems)
    now = timezone.now()
    FeedbackLink.objects.filter(referral=referral, used_at__isnull=True,
                                expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    link = FeedbackLink.objects.create(referral=referral, token_hash=token_hash(token),
                                       created_by=user, created_at=now,
                                       expires_at=now + LINK_LIFETIME)
    return link, token


def _answers(helpfulness: Any, recommend: Any, comments: Any) -> dict[str, Any]:
    problems = answer_problems(helpfulness, recommend, comments)
    if problems:
        raise ReferralError(problems)
    return {"helpfulness": int(str(helpfulness)), "would_recommend": str(recommend),
            "comments": str(comments or "").strip()}


@transaction.atomic
def record_paper_feedback(user: Any, referral: Referral, helpfulness: Any, recommend: Any,
                          comments: Any = "") -> PersonFeedback:
    """Staff type in the person's answers from a paper form (REF-6e)."""
    require_role(user, FEEDBACK_GIVERS)
    referral = _locked(user, referral)
    problems = _feedback_open(referral)
    try:
        answers = _answers(helpfulness, recommend, comments)
    except ReferralError as error:
        problems += error.problems
    if problems:
        raise ReferralError(problems)
    now = timezone.now()
    FeedbackLink.objects.filter(referral=referral, used_at__isnull=True,
                                expires_at__gt=now).update(expires_at=now)
    return PersonFeedback.objects.create(referral=referral, channel="paper", recorded_by=user,
                                         recorded_at=now, **answers)


def open_feedback_link(token: str) -> tuple[FeedbackLink | None, str | None]:
    """The link ``token`` opens and why it cannot be used (``USED``, ``EXPIRED``), or
    ``(None, None)`` when no link has that token."""
    link = (FeedbackLink.objects.select_related("referral__person", "referral__service")
            .filter(token_hash=token_hash(str(token))).first())
    if link is None:
        return None, None
    given = PersonFeedback.objects.filter(referral_id=link.referral_id).exists()
    return link, link_problem(link.expires_at, link.used_at, given, timezone.now())


@transaction.atomic
def give_feedback(token: str, helpfulness: Any, recommend: Any,
                  comments: Any = "") -> PersonFeedback:
    """The person answers through their one-time link (no staff account): the link is used
    up. ``ReferralError`` names each answer at fault, or ``link`` when it cannot be used."""
    link = (FeedbackLink.objects.select_for_update()
            .filter(token_hash=token_hash(str(token))).first())
    if link is None:
        raise ReferralError([("link", "This link is not valid")])
    _link, why = open_feedback_link(token)
    if why is not None:
        raise ReferralError([("link", LINK_WORDS[why])])
    answers = _answers(helpfulness, recommend, comments)
    now = timezone.now()
    link.used_at = now
    link.save(update_fields=["used_at"])
    return PersonFeedback.objects.create(referral_id=link.referral_id, channel="online",
                                         link=link, recorded_at=now, **answers)


@transaction.atomic
def note_feedback_attempt(address: str) -> bool:
    """Count a request to the feedback page from ``address`` (kept only as a hash) and say
    whether it is within the limit (REF-6g); attempts older than the window are removed."""
    now = timezone.now()
    key = token_hash(f"feedback-address:{address}")
    FeedbackAttempt.objects.filter(at__lt=now - ATTEMPT_WINDOW).delete()
    recent = FeedbackAttempt.objects.filter(address=key, at__gte=now - ATTEMPT_WINDOW).count()
    if over_limit(recent):
        return False
    FeedbackAttempt.objects.create(address=key, at=now)
    return True


# Messages and notifications (REF-7).

MESSAGE_WRITERS = REFERRERS | {PROVIDER}


@transaction.atomic
def send_message(user: Any, referral: Referral, body: Any) -> ReferralMessage:
    """A practitioner or the provider writes a message on a sent referral (REF-7a): kept as
    sent; the other side is notified if they chose to be."""
    require_role(user, MESSAGE_WRITERS)
    referral = _locked(user, referral)
    problems: list[tuple[str, str]] = []
    if not referral.is_sent:
        problems.append(("referral", "Messages are written once the referral is sent"))
    text = _text("body", body, problems)
    if not text:
        problems.append(("body", "Write the message"))
    if problems:
        raise ReferralError(problems)
    message = ReferralMessage.objects.create(referral=referral, author=user,
                                             sent_at=timezone.now(), body=text)
    name = user.get_full_name() or user.get_username()
    _notify(referral, user, MESSAGE, f"Message from {name}: referral {referral.reference}, "
                                     f"{referral.service.title}")
    return message


@transaction.atomic
def choose_notifications(user: Any, kinds: Any) -> None:
    """The kinds of event that notify ``user`` (REF-7c): those given are on, the rest off."""
    require_role(user, MESSAGE_WRITERS | frozenset({"head_of_offender_management"}))
    chosen = [str(k) for k in (kinds or [])]
    unknown = sorted(set(chosen) - set(KINDS))
    if unknown:
        raise ReferralError([("kinds", "Choose from the kinds listed")])
    for kind in KINDS:
        NotificationChoice.objects.update_or_create(user=user, kind=kind,
                                                    defaults={"enabled": kind in chosen})


# Webhooks (REF-8): providers' systems are told of events on their referrals. The events are
# written to the outbox by the actions above, in their own transactions
# (``omp.referrals.webhooks``); administrators keep the subscriptions and retry failures.

WEBHOOK_KEEPERS = frozenset({ADMIN})


def _webhook_events(events: Any, problems: list[tuple[str, str]]) -> list[str]:
    chosen = [str(e) for e in (events or [])]
    if not chosen or set(chosen) - set(WEBHOOK_EVENTS):
        problems.append(("events", "Choose at least one of the events listed"))
    return [e for e in WEBHOOK_EVENTS if e in chosen]


@transaction.atomic
def create_webhook_subscription(user: Any, provider: Provider, target_url: Any,
                                events: Any) -> tuple[WebhookSubscription, str]:
    """An administrator subscribes ``provider``'s system to ``events`` at ``target_url``;
    returns the subscription and its new shared secret, to show once and pass on."""
    require_role(user, WEBHOOK_KEEPERS)
    problems: list[tuple[str, str]] = []
    url = str(target_url or "").strip()
    problem = target_problem(url)
    if problem:
        problems.append(("target_url", problem))
    elif len(url) > 500:
        problems.append(("target_url", "Enter the target in at most 500 characters"))
    chosen = _webhook_events(events, problems)
    if problems:
        raise ReferralError(problems)
    secret = new_secret()
    subscription = WebhookSubscription.objects.create(
        provider=provider, target_url=url, events=chosen, secret=secret, active=True,
        created_at=timezone.now())
    return subscription, secret


@transaction.atomic
def renew_webhook_secret(user: Any, subscription: WebhookSubscription) -> str:
    """A new shared secret for ``subscription`` (the old one stops signing at once);
    returned to show once."""
    require_role(user, WEBHOOK_KEEPERS)
    secret = new_secret()
    WebhookSubscription.objects.filter(pk=subscription.pk).update(secret=secret)
    return secret


@transaction.atomic
def retry_webhook_events(user: Any, ids: Any) -> int:
    """An administrator gives failed events a fresh set of attempts, due now; the number
    retried (delivered events are left alone)."""
    require_role(user, WEBHOOK_KEEPERS)
    return retry(OutboxEvent.objects.filter(pk__in=list(ids)))
