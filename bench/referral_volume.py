"""A national volume of synthetic referrals, written in bulk (for benchmarks, not the
service).

``write_referrals(count, years=3)`` sends ``count`` referrals of the database's people to
the catalogue's services, spread evenly over the last ``years`` years, and takes each as far
through its lifecycle as the time since it was sent allows: a keyworker assigned, the
initial assessment, an action plan submitted (sometimes revised before approval, sometimes
amended later) and approved, weekly sessions booked (a few moved) with attendance recorded
(on time, late or not, a session given back when the absence was acceptable or the session
could not run), the end-of-service report rating each desired outcome (a few corrected), the
referral concluded and, for some, the person's feedback (online through a one-time link, or
on paper); some are withdrawn on the way (cancelled before any session, or ended early).

The rows are the ones the referral actions write (``omp.referrals.actions``), table for
table and column for column, in the order the lifecycle rules allow
(``omp.rules.referral_lifecycle``, ``referral_sessions``, ``referral_outcomes``), so every
reader — the KPI sources, the lists, the performance report — treats them as real ones.
They are written through ``omp.bulk_sql.insert_rows`` (``COPY`` on PostgreSQL) a chunk of
referrals at a time, with their ids chosen here, and the tables' sequences moved past them
at the end. What the actions also write and no reader of volumes needs is left out: the
referral's history versions, notifications and webhook outbox rows.
"""

from __future__ import annotations

import hashlib
import json
import random
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

#: Letters of a reference: no I or O, as ``referrals.actions`` makes them.
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_WITHDRAW_EARLY = ("MIS", "INE", "NEE", "MOV")
_WITHDRAW_LATER = ("NOT", "MOV", "RET", "WOR", "SER")
_METHODS = ("phone", "video", "probation_office", "in_person_other")
_ACTIVITIES = ["One-to-one sessions with the keyworker", "Help with applications",
               "Group work"]


class _Later(Exception):
    """The next step of a referral's lifecycle lies after now: it stops where it is."""


@dataclass
class _Rows:
    """The rows of a chunk of referrals, table by table, in the actions' columns."""

    referrals: list[tuple[Any, ...]] = field(default_factory=list)
    plans: list[tuple[Any, ...]] = field(default_factory=list)
    appointments: list[tuple[Any, ...]] = field(default_factory=list)
    reports: list[tuple[Any, ...]] = field(default_factory=list)
    ratings: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    links: list[tuple[Any, ...]] = field(default_factory=list)
    feedback: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class _Service:
    pk: int
    title: str
    category: str
    levels: tuple[tuple[int, int], ...]  # (complexity level id, session cap)
    outcomes: tuple[int, ...]
    people: Sequence[int]
    keyworker: int
    starts_on: date
    ends_on: date | None


class _Ids:
    """The next id of each table, past every row already there."""

    def __init__(self, models: dict[str, Any]) -> None:
        from django.db.models import Max

        self.next = {name: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
                     for name, model in models.items()}

    def take(self, name: str) -> int:
        pk = self.next[name]
        self.next[name] = pk + 1
        return pk


def _models() -> dict[str, Any]:
    from omp.referrals.models import (
        ActionPlan,
        Appointment,
        EndOfServiceOutcome,
        EndOfServiceReport,
        FeedbackLink,
        PersonFeedback,
        Referral,
        ReferralEvent,
    )

    return {"referrals": Referral, "plans": ActionPlan, "appointments": Appointment,
            "reports": EndOfServiceReport, "ratings": EndOfServiceOutcome,
            "events": ReferralEvent, "links": FeedbackLink, "feedback": PersonFeedback}


#: Each table's columns, in the order ``_Rows`` holds them (the id first).
COLUMNS = {
    "referrals": ("id", "reference", "person_id", "service_id", "created_by_id", "created_at",
                  "sent_by_id", "sent_at", "rosh_summary", "previous_convictions",
                  "additional_orders", "location", "prison_name", "expected_release_date",
                  "expected_release_basis", "release_area", "complexity_level_id",
                  "desired_outcome_ids", "readiness", "readiness_notes", "enforceable_days",
                  "completion_deadline", "reason_for_referral", "explanation_for_person"),
    "plans": ("id", "referral_id", "version", "number_of_sessions", "activities",
              "reason_for_change", "submitted_by_id", "submitted_at", "approved_by_id",
              "approved_at"),
    "appointments": ("id", "referral_id", "session_number", "starts_at", "duration_minutes",
                     "method", "location", "enforceable", "booked_by_id", "booked_at",
                     "rescheduled_to_id", "reschedule_requested_by", "reschedule_reason",
                     "attendance", "happened", "no_session_reason", "notes", "recorded_by_id",
                     "recorded_at"),
    "reports": ("id", "referral_id", "version", "further_information", "reason_for_change",
                "submitted_by_id", "submitted_at"),
    "ratings": ("id", "report_id", "desired_outcome_id", "position", "achievement", "notes"),
    "events": ("id", "referral_id", "kind", "at", "by_id", "keyworker_id", "happened_on",
               "action_plan_id", "appointment_id", "end_of_service_report_id", "reason_code",
               "notes"),
    "links": ("id", "referral_id", "token_hash", "created_by_id", "created_at", "expires_at",
              "used_at"),
    "feedback": ("id", "referral_id", "helpfulness", "would_recommend", "comments", "channel",
                 "link_id", "recorded_by_id", "recorded_at"),
}


def _services(practitioner: int) -> list[_Service]:
    """The catalogue's services, each with the people it may take (the contract's region
    and sexes) and a keyworker of its provider (the demo provider user when it has none)."""
    from django.contrib.auth.models import User

    from omp.cases.models import Person
    from omp.referrals.models import ComplexityLevel, DesiredOutcome, Service

    fallback = User.objects.filter(username="provider").values_list("pk", flat=True).first()
    people_of: dict[tuple[int | None, bool, bool], array[int]] = {}
    found = []
    for service in Service.objects.select_related("contract__prime_provider", "category"):
        contract = service.contract
        key = (contract.region_id, contract.allows_male, contract.allows_female)
        if key not in people_of:
            people = Person.objects.all()
            if contract.region_id:
                people = people.filter(pdu__region_id=contract.region_id)
            if not contract.allows_male:
                people = people.exclude(sex="M")
            if not contract.allows_female:
                people = people.exclude(sex="F")
            people_of[key] = array("q", people.order_by("pk").values_list("pk",
                                                                              flat=True))
        levels = tuple(ComplexityLevel.objects.filter(category=service.category_id)
                       .order_by("pk").values_list("pk", "session_cap"))
        outcomes = tuple(DesiredOutcome.objects.filter(category=service.category_id,
                                                       retired_on__isnull=True)
                         .order_by("pk").values_list("pk", flat=True))
        staff = (contract.prime_provider.staff.order_by("pk").values_list("pk", flat=True)
                 .first())
        keyworker = staff or fallback or practitioner
        if people_of[key] and levels and outcomes:
            found.append(_Service(service.pk, service.title, service.category.code, levels,
                                  outcomes, people_of[key], keyworker, contract.starts_on,
                                  contract.ends_on))
    return found


class _Writer:
    """Makes one referral's rows at a time into a chunk."""

    def __init__(self, rng: random.Random, ids: _Ids, now: datetime, practitioner: int,
                 taken: set[str]) -> None:
        self.rng, self.ids, self.now, self.practitioner = rng, ids, now, practitioner
        self.taken = taken
        self.counter = 0
        self.rows = _Rows()
        # The service's zone, as ``django.utils.timezone`` would give it (read once: its
        # helpers look the zone up on every call).
        from django.utils import timezone

        self.zone = ZoneInfo(timezone.get_current_timezone_name())

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    # -- helpers ------------------------------------------------------------------------

    def _at(self, day: date, low: int = 9, high: int = 17) -> datetime:
        """A moment in working hours on ``day`` (local time), later than now: ``_Later``."""

        moment = datetime.combine(
            day, time(self.rng.randint(low, high - 1), self.rng.randrange(0, 60, 5)),
            tzinfo=self.zone)
        if moment > self.now:
            raise _Later
        return moment

    def _after(self, moment: datetime, low_days: int, high_days: int) -> datetime:

        day = self._local(moment).date() + timedelta(days=self.rng.randint(low_days,
                                                                           high_days))
        later = self._at(day)
        if later <= moment:
            later = moment + timedelta(minutes=self.rng.randint(5, 120))
            if later > self.now:
                raise _Later
        return later

    def _reference(self, category: str) -> str:
        while True:
            number = self.counter
            self.counter += 1
            letters, digits = divmod(number, 10_000)
            reference = (_LETTERS[letters // 24 % 24] + _LETTERS[letters % 24]
                         + f"{digits:04d}" + category[:2].upper())
            if reference not in self.taken:
                self.taken.add(reference)
                return reference

    def _event(self, referral: int, kind: str, at: datetime, by: int, *,
               keyworker: int | None = None, happened_on: date | None = None,
               plan: int | None = None, appointment: int | None = None,
               report: int | None = None, reason: str = "", notes: str = "") -> None:
        self.rows.events.append((self.ids.take("events"), referral, kind, at, by, keyworker,
                                 happened_on, plan, appointment, report, reason, notes))

    # -- one referral -------------------------------------------------------------------

    def referral(self, service: _Service, sent_on: date) -> None:
        """A referral to ``service`` sent on ``sent_on``, as far as now allows."""
        rng = self.rng
        sent_at = self._at(sent_on)
        pk = self.ids.take("referrals")
        level, cap = rng.choice(service.levels)
        outcomes = rng.sample(service.outcomes, min(len(service.outcomes),
                                                    rng.choice((1, 2, 2, 3))))
        custody = rng.random() < 0.15
        enforceable_days = rng.randint(5, 20)
        self.rows.referrals.append((
            pk, self._reference(service.category), rng.choice(service.people), service.pk,
            self.practitioner, sent_at - timedelta(days=rng.randint(0, 3), hours=1),
            self.practitioner, sent_at, "Medium risk of serious harm to the public.",
            "Previous convictions recorded on the case.", "None.",
            "custody" if custody else "community",
            "HMP Bench" if custody else "",
            sent_on + timedelta(days=rng.randint(30, 120)) if custody else None,
            "conditional release date (CRD)" if custody else "",
            "London" if custody else "", level, json.dumps(outcomes),
            rng.choice(("ready", "ready", "with_support")), "", enforceable_days,
            sent_on + timedelta(days=rng.randint(90, 180)),
            "Needs identified at the last supervision appointment.",
            f"{service.title}: support from a keyworker, in sessions."))
        self._event(pk, "sent", sent_at, self.practitioner)
        try:
            self._lifecycle(pk, service, sent_at, cap, outcomes, enforceable_days)
        except _Later:
            pass

    def _lifecycle(self, pk: int, service: _Service, sent_at: datetime, cap: int,
                   outcomes: list[int], enforceable_days: int) -> None:

        rng, keyworker, practitioner = self.rng, service.keyworker, self.practitioner
        if rng.random() < 0.04:
            self._event(pk, "withdrawn", self._after(sent_at, 1, 10), practitioner,
                        reason=rng.choice(_WITHDRAW_EARLY))
            return
        assigned = self._after(sent_at, 0, 6)
        self._event(pk, "assigned", assigned, keyworker, keyworker=keyworker)
        if rng.random() < 0.03:
            self._event(pk, "withdrawn", self._after(assigned, 1, 14), practitioner,
                        reason=rng.choice(_WITHDRAW_LATER))
            return
        held = self._local(assigned).date() + timedelta(days=rng.randint(1, 12))
        recorded = self._at(held + timedelta(days=rng.choice((0, 0, 0, 1, 2))))
        self._event(pk, "initial_assessment", recorded, keyworker, happened_on=held,
                    notes="Initial assessment held.")
        # The action plan: proposed, sometimes revised before approval, then approved.
        sessions = rng.randint(max(1, cap // 2), cap)
        plans: list[list[Any]] = []
        submitted = self._after(recorded, 1, 7)
        try:
            version = self._plan(pk, plans, 1, sessions, submitted, keyworker, "",
                                 "plan_submitted")
            moment = submitted
            if rng.random() < 0.08:
                moment = self._after(moment, 1, 4)
                version = self._plan(pk, plans, 2, sessions, moment, keyworker,
                                     "Changed after the practitioner's comments.",
                                     "plan_submitted")
            approved = self._after(moment, 1, 5)
            self._approve(pk, plans, version, approved)
            self._sessions(pk, service, plans, approved, sessions, cap, outcomes,
                           enforceable_days)
        finally:
            self.rows.plans.extend(tuple(plan) for plan in plans)

    def _plan(self, referral: int, plans: list[list[Any]], version: int, sessions: int,
              at: datetime, keyworker: int, reason: str, kind: str) -> int:
        plan = self.ids.take("plans")
        plans.append([plan, referral, version, sessions, json.dumps(_ACTIVITIES[:2]), reason,
                      keyworker, at, None, None])
        self._event(referral, kind, at, keyworker, plan=plan)
        return version

    def _approve(self, referral: int, plans: list[list[Any]], version: int,
                 at: datetime) -> None:
        plan = next(p for p in plans if p[2] == version)
        plan[8], plan[9] = self.practitioner, at
        self._event(referral, "plan_approved", at, self.practitioner, plan=plan[0])

    def _sessions(self, pk: int, service: _Service, plans: list[list[Any]],
                  approved: datetime, planned: int, cap: int, outcomes: list[int],
                  enforceable_days: int) -> None:

        rng, keyworker = self.rng, service.keyworker
        used = took = 0
        stop_after = rng.randint(0, planned - 1) if rng.random() < 0.12 else None
        amend = rng.random() < 0.05 and planned < cap
        rar_days = 0
        day = self._local(approved).date() + timedelta(days=rng.randint(3, 10))
        last = approved
        while used < planned:
            if stop_after is not None and used >= stop_after:
                self._event(pk, "withdrawn", self._after(last, 1, 10), self.practitioner,
                            reason=rng.choice(_WITHDRAW_LATER))
                return
            number = used + 1
            enforceable = rar_days < enforceable_days
            method = rng.choice(_METHODS)
            where = "Probation office, 1 High Street" if method in (
                "probation_office", "in_person_other") else ""
            booked_at = max(last + timedelta(minutes=5), datetime.combine(
                day - timedelta(days=rng.randint(2, 7)), time(rng.randint(9, 16)),
                tzinfo=self.zone))
            if booked_at > self.now:
                raise _Later
            starts = datetime.combine(day, time(rng.randint(10, 15), rng.choice((0, 30))),
                                      tzinfo=self.zone)
            if rng.random() < 0.05:  # moved: the old booking points at the new one
                moved_to = starts + timedelta(days=rng.randint(2, 5))
                old, new = self.ids.take("appointments"), self.ids.take("appointments")
                self.rows.appointments.append((
                    old, pk, number, starts, 60, method, where, enforceable, keyworker,
                    booked_at, new, rng.choice(("person", "provider", "practitioner")),
                    "Could not make the day.", "", None, "", "", None, None))
                starts, booked_at = moved_to, booked_at + timedelta(hours=1)
                appointment = new
            else:
                appointment = self.ids.take("appointments")
            recorded = starts + timedelta(hours=rng.randint(1, 26))
            if recorded > self.now:
                self.rows.appointments.append((
                    appointment, pk, number, starts, 60, method, where, enforceable,
                    keyworker, booked_at, None, "", "", "", None, "", "", None, None))
                raise _Later
            attendance = rng.choices(("yes", "late", "no"), (72, 10, 18))[0]
            if attendance == "no":
                happened = False
                reason = rng.choices(("non_compliance", "acceptable", "logistics"),
                                     (60, 30, 10))[0]
            else:
                happened = rng.random() >= 0.03
                reason = "" if happened else "logistics"
            notes = "Engaged and completed the work planned." if happened else ""
            self.rows.appointments.append((
                appointment, pk, number, starts, 60, method, where, enforceable, keyworker,
                booked_at, None, "", "", attendance, happened, reason, notes, keyworker,
                recorded))
            local = self._local(starts)
            summary = f"Session {number} on {local:%-d %B %Y} at {local:%H:%M}"
            if happened:
                self._event(pk, "session", recorded, keyworker, appointment=appointment,
                            notes=summary)
                took += 1
                if enforceable:
                    rar_days += 1
            else:
                self._event(pk, "session_missed", recorded, keyworker,
                            appointment=appointment, notes=f"{summary}. Did not take place.")
            if happened or reason == "non_compliance":
                used += 1
            last = recorded
            day = self._local(starts).date() + timedelta(days=rng.randint(6, 8))
            if amend and used == planned // 2 + 1:  # an amended plan, with more sessions
                amend = False
                last = self._after(last, 0, 1)
                version = self._plan(pk, plans, plans[-1][2] + 1, planned + 1, last,
                                     keyworker, "More sessions needed.", "plan_amended")
                last = self._after(last, 1, 2)
                self._approve(pk, plans, version, last)
                planned += 1
                day = max(day, self._local(last).date() + timedelta(days=1))
        if not took:
            self._event(pk, "withdrawn", self._after(last, 1, 10), self.practitioner,
                        reason="NOT")
            return
        self._conclude(pk, service, last, outcomes)

    def _report(self, pk: int, version: int, at: datetime, keyworker: int,
                outcomes: list[int], reason: str) -> int:
        report = self.ids.take("reports")
        self.rows.reports.append((report, pk, version, "Contact details for aftercare given.",
                                  reason, keyworker, at))
        for position, outcome in enumerate(outcomes, start=1):
            level = self.rng.choices(("achieved", "partly", "not_achieved"), (50, 30, 20))[0]
            self.rows.ratings.append((self.ids.take("ratings"), report, outcome, position,
                                      level, "Progress recorded by the keyworker."))
        self._event(pk, "end_of_service_report", at, keyworker, report=report,
                    notes=f"Version {version}" + (f". Reason for the change: {reason}"
                                                  if reason else ""))
        return report

    def _conclude(self, pk: int, service: _Service, last: datetime,
                  outcomes: list[int]) -> None:
        rng, keyworker = self.rng, service.keyworker
        at = self._after(last, 1, 10)
        report, version = self._report(pk, 1, at, keyworker, outcomes, ""), 1
        if rng.random() < 0.04:
            at = self._after(at, 1, 5)
            report = self._report(pk, 2, at, keyworker, outcomes,
                                  "A rating was corrected.")
            version = 2
        concluded = self._after(at, 1, 14)
        self._event(pk, "concluded", concluded, self.practitioner, report=report,
                    notes=f"Concluded on version {version} of the end-of-service report")
        if rng.random() < 0.45:
            given = self._after(concluded, 0, 20)
            helpfulness = rng.choices((5, 4, 3, 2, 1), (35, 30, 15, 12, 8))[0]
            recommend = "yes" if helpfulness >= 4 else rng.choice(("not_sure", "no"))
            link = None
            if rng.random() < 0.6:
                link = self.ids.take("links")
                made = given - timedelta(days=rng.randint(0, 10))
                token = hashlib.sha256(f"bench-feedback-{link}".encode()).hexdigest()
                self.rows.links.append((link, pk, token, self.practitioner, made,
                                        made + timedelta(days=28), given))
            self.rows.feedback.append((
                self.ids.take("feedback"), pk, helpfulness, recommend, "",
                "online" if link else "paper", link, None if link else keyworker, given))


def _write(rows: _Rows) -> None:
    from django.db import connection

    from omp.bulk_sql import insert_rows

    models = _models()
    with connection.cursor() as cursor:
        for name, columns in COLUMNS.items():
            table = connection.ops.quote_name(models[name]._meta.db_table)
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            insert_rows(cursor, f"INSERT INTO {table} ({names}) VALUES ({marks})",
                        getattr(rows, name))


def write_referrals(count: int, years: float = 3, seed: int = 2026, chunk: int = 10_000,
                    now: datetime | None = None, practitioner_name: str = "com"
                    ) -> dict[str, int]:
    """Send ``count`` referrals spread over the last ``years`` years, made by the user
    ``practitioner_name``, and take each through its lifecycle as far as ``now``; the rows
    written, table by table."""
    from django.contrib.auth.models import User
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from omp.referrals.models import Referral

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # A server process keeps the plans of its foreign-key checks: made while these
        # tables held a few rows, they scan the table for every row checked. A fresh
        # process plans them for the tables as they are.
        connection.close()
    now = now or timezone.now()
    practitioner = (User.objects.filter(username=practitioner_name)
                    .values_list("pk", flat=True).first())
    if practitioner is None:
        raise ValueError(f"no user {practitioner_name!r} to make the referrals")
    today = timezone.localdate(now)
    first = today - timedelta(days=round(365 * years))
    services = [s for s in _services(practitioner)
                if s.starts_on <= today and (s.ends_on is None or s.ends_on >= first)]
    if not services:
        raise ValueError("no service of the catalogue has people it may take")
    rng = random.Random(seed)
    models = _models()
    ids = _Ids(models)
    taken = set(Referral.objects.values_list("reference", flat=True))
    written = dict.fromkeys(COLUMNS, 0)
    made = 0
    while made < count:
        writer = _Writer(rng, ids, now, practitioner, taken)
        writer.counter = made + len(taken)
        for _ in range(min(chunk, count - made)):
            service = rng.choice(services)
            low = max(first, service.starts_on)
            high = min(today, service.ends_on or today)
            sent_on = low + timedelta(days=rng.randint(0, (high - low).days))
            while sent_on.weekday() >= 5:
                sent_on -= timedelta(days=1)
            try:
                writer.referral(service, max(sent_on, low))
            except _Later:  # sent later today than now: sent an hour ago instead
                writer.referral(service, today - timedelta(days=1))
            made += 1
        with transaction.atomic():
            _write(writer.rows)
        if connection.vendor == "postgresql" and not made > chunk:
            with connection.cursor() as cursor:  # statistics for the checks of later chunks
                cursor.execute("ANALYZE " + ", ".join(
                    connection.ops.quote_name(m._meta.db_table) for m in models.values()))
        for name in COLUMNS:
            written[name] += len(getattr(writer.rows, name))
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models.values())):
            cursor.execute(statement)
    return written
