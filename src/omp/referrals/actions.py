"""The only writers of referrals: starting a draft from the case record, saving what the
practitioner adds, sending it once it is complete (REF-1, REF-2) and amending it after
sending with a reason. Each runs in one transaction, takes the acting user, checks the role
and leaves a version in the referral's history."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from omp.access import REFERRERS, require_role
from omp.cases.models import Person
from omp.clock import today
from omp.referrals.models import READINESS, ComplexityLevel, DesiredOutcome, Referral, Service
from omp.referrals.queries import (
    AMENDABLE,
    MAX_ENFORCEABLE_DAYS,
    eligibility_problems,
    location_of,
    missing,
    prefill,
)
from omp.rules.inputs import date_problem

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
