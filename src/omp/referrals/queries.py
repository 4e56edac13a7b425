"""Reads shared by the referral pages, the API and the actions: who may see which referral
(REF-9), which services a person is eligible for, what the case record already says
(REF-1: nothing typed twice), what a draft still lacks before it can be sent, the
versions of a sent referral with what each changed, and the other services working with the
same person now."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from omp.access import (
    ADMIN,
    HEAD_OF_OFFENDER_MANAGEMENT,
    PROVIDER,
    REFERRAL_READERS,
    has_role,
    require_role,
)
from omp.cases.display import LEVELS
from omp.cases.facts import facts_for_person
from omp.cases.models import CustodySpell, Event, LimitedAccessEntry, Person, Prison
from omp.decisions.handover_queries import handover_in_force
from omp.prepared_reads import PreparedRead
from omp.referrals.models import (
    READINESS,
    ActionPlan,
    Appointment,
    ComplexityLevel,
    Contract,
    DesiredOutcome,
    EndOfServiceReport,
    Provider,
    Referral,
    ReferralEvent,
    Service,
)
from omp.rules.referral_lifecycle import LifecycleEvent, ReferralState, referral_state
from omp.rules.referral_outcomes import ACHIEVEMENT_WORDS, achievement_score
from omp.rules.referral_sessions import RarCount, SessionFacts, count_rar_days

#: Registrations that are additional orders or flags a provider must know of (seed 001:
#: "no information on what additional orders a person is on").
ORDER_NAMES = {
    "SHPO": "Sexual Harm Prevention Order",
    "SRO": "Sexual Risk Order",
    "DASO": "Domestic abuse perpetrator",
    "WEAP": "Weapons",
    "CHPR": "Child protection concerns",
    "IIOM": "Integrated Offender Management",
    "HOI": "Home Office Interest",
}
#: The most enforceable (RAR) days a referral can ask for.
MAX_ENFORCEABLE_DAYS = 40
#: The fields a practitioner completes or corrects, in the order the page shows them; the
#: error summary links each problem to its field by this name.
FIELD_LABELS = {
    "rosh_summary": "Risk of serious harm summary",
    "previous_convictions": "Previous convictions",
    "additional_orders": "Additional orders and registrations",
    "expected_release_date": "Expected release date",
    "complexity_level": "Complexity level",
    "desired_outcomes": "Desired outcomes",
    "readiness": "Readiness to engage",
    "readiness_notes": "About their readiness",
    "enforceable_days": "Enforceable (RAR) days",
    "completion_deadline": "Date the service should be completed by",
    "reason_for_referral": "Reason for the referral",
    "explanation_for_person": "What to tell the person",
}
NOT_RECORDED = "None recorded on the case record"


def is_provider_only(user: Any) -> bool:
    """A provider's keyworker who holds no practitioner role: sees its own referrals only."""
    return has_role(user, frozenset({PROVIDER})) and not has_role(user, REFERRAL_READERS)


def visible_referrals(user: Any) -> QuerySet[Referral]:
    """Every referral ``user`` may read (REF-9): all of them for practitioners; for a
    provider, the sent referrals to contracts its organisations deliver (as prime provider
    or subcontractor); none for anyone else."""
    return _visible(user, Referral.objects.select_related(*SHOWN))


#: What pages and answers show of a referral besides its own columns, read with it.
SHOWN = ("person", "service__contract__prime_provider", "service__category", "created_by")


def _visible(user: Any, referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """Of ``referrals``, those ``user`` may read (REF-9), as :func:`visible_referrals`."""
    if has_role(user, REFERRAL_READERS):
        return referrals
    return provider_referrals(user, referrals)


def provider_referrals(user: Any, referrals: QuerySet[Referral] | None = None
                       ) -> QuerySet[Referral]:
    """Of ``referrals`` (every referral when ``None``), the sent ones to contracts the
    provider organisations of ``user`` deliver (REF-9), whatever other role ``user`` holds;
    none for a user without the provider role."""
    if referrals is None:
        referrals = Referral.objects.all()
    if not has_role(user, frozenset({PROVIDER})):
        return referrals.none()
    return _sent_to_providers_of(referrals, user.pk)


def _sent_to_providers_of(referrals: QuerySet[Referral], user_pk: int) -> QuerySet[Referral]:
    """REF-9 for a provider's staff: of ``referrals``, the sent ones to contracts the
    organisations of the user ``user_pk`` deliver."""
    return referrals.filter(service__contract_id__in=_delivered_contracts(user_pk),
                            sent_at__isnull=False)


def _delivered_contracts(user_pk: int) -> RawSQL:
    """The ids of the contracts the organisations ``user`` is staff of deliver, as prime
    provider or subcontractor, as a subquery: small lookups on the two link tables, so a
    single referral is one index lookup.

    Written as SQL because it is on every provider API call, twice: the ORM's form (the
    contracts joined through both links to the staff, an OR across the two outer joins)
    took PostgreSQL 3 to 4 ms to plan and Django 2 ms to build, each time."""
    staff = Provider.staff.through._meta.db_table
    links = Contract.subcontractors.through._meta.db_table
    organisations = f"SELECT provider_id FROM {staff} WHERE user_id = %s"
    return RawSQL(f"SELECT id FROM {Contract._meta.db_table} WHERE prime_provider_id IN "
                  f"({organisations}) UNION SELECT contract_id FROM {links} WHERE "
                  f"provider_id IN ({organisations})", (user_pk, user_pk))


def referral_for(user: Any, pk: int, *, lock: bool = False,
                 related: tuple[str, ...] = SHOWN) -> Referral:
    """The referral ``pk`` if ``user`` may read it, with the ``related`` rows. A referral
    the user may not see answers exactly as one that does not exist (``Http404``), so ids
    cannot be probed.

    ``lock`` also locks the referral's row until the transaction ends (an action about to
    change it), in the same query as the check."""
    require_role(user, REFERRAL_READERS | {PROVIDER})
    if lock:
        # For an action: the referral with its service and contract (what the actions read;
        # anything else is read when asked for), locking only the referral's row: the
        # service and contract are read, not changed (and PostgreSQL cannot lock the
        # nullable side of an outer join).
        referrals = _visible(user, Referral.objects.select_related("service__contract"))
        referrals = referrals.select_for_update(of=("self",))
    else:
        referrals = _visible(user, Referral.objects.select_related(*related))
    referral = referrals.filter(pk=pk).first()
    if referral is None:
        raise Http404("No referral has that number")
    return referral


def age_on(born: date | None, on: date) -> int | None:
    """Age in whole years on ``on``."""
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def eligibility_problems(service: Service, person: Person, on: date) -> list[str]:
    """Why ``person`` cannot be referred to ``service`` on ``on`` (empty: eligible)."""
    contract = service.contract
    problems = []
    if contract.starts_on > on or (contract.ends_on and contract.ends_on < on):
        problems.append(f"The contract for {service.title} is not taking referrals today")
    region = person.pdu.region_id if person.pdu else None
    if contract.region_id and contract.region_id != region:
        problems.append(f"{service.title} is only for people managed in {contract.area}")
    age = age_on(person.date_of_birth, on)
    if age is not None and (age < contract.minimum_age
                            or (contract.maximum_age and age > contract.maximum_age)):
        problems.append(f"{service.title} is not for people aged {age}")
    if (person.sex == "M" and not contract.allows_male) or (
            person.sex == "F" and not contract.allows_female):
        problems.append(f"{service.title} is not for {person.get_sex_display().lower()}s")
    return problems


def services_for(person: Person, on: date) -> list[Service]:
    """The services ``person`` can be referred to on ``on``, by category and title."""
    services = Service.objects.select_related("contract__region", "category",
                                              "contract__prime_provider")
    return sorted((s for s in services if not eligibility_problems(s, person, on)),
                  key=lambda s: (s.category.name, s.title))


def _day(value: date | None) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def rosh_words(person: Person, on: date) -> str:
    """The risk of serious harm as the case record has it: RoSH level and MAPPA."""
    facts = facts_for_person(person, on)
    lines = []
    if facts.rosh:
        recorded = facts.recorded.get("risk.rosh")
        lines.append(f"{LEVELS[facts.rosh]} risk of serious harm"
                     + (f" (registered {_day(recorded)})" if recorded else "") + ".")
    if facts.mappa_level:
        lines.append(f"Managed under MAPPA level {facts.mappa_level}"
                     + (f", category {facts.mappa_category}" if facts.mappa_category else "")
                     + ".")
    return "\n".join(lines)


def convictions_words(person: Person) -> str:
    """Each conviction on the case record with its offences, oldest first."""
    lines = []
    events = (Event.objects.filter(person=person).prefetch_related("offences")
              .order_by("conviction_date", "number"))
    for event in events:
        offences = "; ".join(o.description or f"offence code {o.code}"
                             for o in event.offences.all()) or "offences not recorded"
        when = f"convicted {_day(event.conviction_date)}" if event.conviction_date else (
            "conviction date not recorded")
        lines.append(f"{'Current' if event.is_current else 'Previous'} conviction, "
                     f"{when}: {offences}")
    return "\n".join(lines) or NOT_RECORDED


def orders_words(person: Person, on: date) -> str:
    """The additional orders and flags registered today, such as a Sexual Harm Prevention
    Order, with their dates."""
    registrations = person.registrations.filter(
        code__in=ORDER_NAMES, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)).order_by("start_date")
    lines = [f"{ORDER_NAMES[r.code]} from {_day(r.start_date)}"
             + (f" to {_day(r.end_date)}" if r.end_date else "") for r in registrations]
    return "\n".join(lines) or NOT_RECORDED


@dataclass(frozen=True)
class Location:
    """Where the person is, and when and where they are expected to be released."""

    location: str
    prison_name: str = ""
    expected_release_date: date | None = None
    expected_release_basis: str = ""
    release_area: str = ""


def location_of(person: Person) -> Location:
    """In custody (with the release date the handover was counted back from) or in the
    community, from the case record."""
    spell = (CustodySpell.objects.filter(person=person, is_current=True,
                                         actual_release_date__isnull=True)
             .order_by("-id").first())
    if spell is None:
        return Location("community")
    prison = Prison.objects.filter(code=spell.prison_code).first()
    handover = handover_in_force(person)
    released, basis = None, ""
    if handover and handover.earliest_release_date:
        released, basis = (handover.earliest_release_date,
                           f"earliest release date ({handover.earliest_release_name})")
    elif spell.conditional_release_date:
        released, basis = spell.conditional_release_date, "conditional release date (CRD)"
    return Location("custody", prison.name if prison else spell.prison_code, released, basis,
                    spell.release_address_area)


def prefill(person: Person, on: date) -> dict[str, Any]:
    """A new referral's values from the case record (REF-1: nothing typed twice)."""
    where = location_of(person)
    return {"rosh_summary": rosh_words(person, on),
            "previous_convictions": convictions_words(person),
            "additional_orders": orders_words(person, on),
            **where.__dict__}


def missing(referral: Referral, on: date) -> list[tuple[str, str]]:
    """What the referral still lacks before it can be sent (REF-1, REF-2), each with the
    field it belongs to, in the order of the page."""
    problems: list[tuple[str, str]] = []

    def need(field: str, present: Any, message: str) -> None:
        if not present:
            problems.append((field, message))

    need("rosh_summary", referral.rosh_summary.strip(),
         "Give a summary of the person's risk of serious harm")
    need("previous_convictions", referral.previous_convictions.strip(),
         "Give the person's previous convictions, or say there are none")
    need("additional_orders", referral.additional_orders.strip(),
         "Give any additional orders, such as a Sexual Harm Prevention Order, or say there "
         "are none")
    if referral.location == "custody":
        need("expected_release_date", referral.expected_release_date,
             "The case record has no expected release date: correct the custody dates on "
             "the case first")
    need("complexity_level", referral.complexity_level_id, "Choose the complexity level")
    need("desired_outcomes", referral.desired_outcome_ids,
         "Choose at least one desired outcome")
    need("readiness", referral.readiness, "Say whether the person is ready to engage")
    if referral.readiness == "not_ready":
        problems.append(("readiness", "A person who is not ready to engage cannot be referred "
                                      "yet: refer them when they are, or with support"))
    need("enforceable_days", referral.enforceable_days,
         "Enter the number of enforceable (RAR) days")
    need("completion_deadline", referral.completion_deadline,
         "Enter the date the service should be completed by")
    if referral.completion_deadline and referral.completion_deadline <= on:
        problems.append(("completion_deadline",
                         "The date the service should be completed by must be in the future"))
    need("reason_for_referral", referral.reason_for_referral.strip(),
         "Say why you are making the referral")
    need("explanation_for_person", referral.explanation_for_person.strip(),
         "Explain to the person, in plain words, what they are referred to and why")
    return problems


def outcome_names(ids: list[int]) -> list[str]:
    """The desired outcomes' descriptions, in the order given."""
    names = dict(DesiredOutcome.objects.filter(pk__in=ids).values_list("pk", "description"))
    return [names.get(i, f"outcome {i}") for i in ids]


def value_words(field: str, value: Any) -> str:
    """A stored referral value as a reader would say it."""
    if value in (None, "", []):
        return "Not given"
    if field == "complexity_level":
        level = ComplexityLevel.objects.filter(pk=value).first()
        return level.title if level else str(value)
    if field == "desired_outcome_ids":
        return "; ".join(outcome_names(list(value)))
    if field == "readiness":
        return dict(READINESS).get(value, value)
    if isinstance(value, date):
        return _day(value)
    return str(value)


#: The fields whose changes an amendment shows (the ones a practitioner completes).
AMENDABLE = ("rosh_summary", "previous_convictions", "additional_orders", "complexity_level",
             "desired_outcome_ids", "readiness", "readiness_notes", "enforceable_days",
             "completion_deadline", "reason_for_referral", "explanation_for_person")


@dataclass(frozen=True)
class Version:
    """One version of a sent referral: the send (number 1) or an amendment."""

    number: int
    at: datetime
    by: str
    reason: str
    changes: list[tuple[str, str, str]]


def versions(referral: Referral) -> list[Version]:
    """The sent version and every amendment since, oldest first, each with what changed
    (field in words, before, after)."""
    rows = list(referral.history.select_related("history_user").order_by("history_date",
                                                                           "history_id"))
    shown: list[Version] = []
    previous = None
    for row in rows:
        if row.sent_at is not None and (row.history_change_reason or "") != "":
            changes: list[tuple[str, str, str]] = []
            if previous is not None and shown:
                for change in row.diff_against(previous).changes:
                    if change.field in AMENDABLE:
                        key = "desired_outcomes" if change.field == "desired_outcome_ids" \
                            else change.field
                        changes.append((FIELD_LABELS[key], value_words(change.field, change.old),
                                        value_words(change.field, change.new)))
            user = row.history_user
            shown.append(Version(len(shown) + 1, row.history_date,
                                 user.get_username() if user else "the system",
                                 row.history_change_reason, changes))
        previous = row
    return shown


def open_referral(request: Any, pk: int, channel: str,
                  related: tuple[str, ...] = SHOWN) -> Referral:
    """The referral ``pk`` for the signed-in user (``Http404`` when they may not see it),
    refused when its person's case is closed to them by its exclusion or restriction list
    (LAO-1, LAO-2), and otherwise with the read written to the case-access log, as every
    case read is. ``related``: the rows read with it. (A route that hands the referral to an
    action reads it with :func:`referral_to_change` instead.)"""
    from omp.cases.access import check_case

    referral = referral_for(request.user, pk, related=related)
    check_case(request, referral.person, channel)
    return referral


def _locked_for_change(reader: bool, *ids: int) -> QuerySet[Referral]:
    """The referral as :func:`referral_for` reads it for a change, locked: for a ``reader``
    (who sees every referral) ``ids`` is the referral's id; for the provider's staff, the
    user's id and the referral's (REF-9). With the service and contract the actions read,
    the person for the case's lists and the log, and whether the case has lists at all
    (``omp_listed``), so a case without lists, nearly every one, costs no second query."""
    referrals = Referral.objects.select_related("person", "service__contract")
    if not reader:
        user_pk, pk = ids
        referrals = _sent_to_providers_of(referrals, user_pk)
    else:
        (pk,) = ids
    return (referrals
            .annotate(omp_listed=Exists(LimitedAccessEntry.objects.filter(
                person_id=OuterRef("person_id"))))
            .select_for_update(of=("self",)).filter(pk=pk).order_by("pk")[:1])


#: Built once per process (omp.prepared_reads): on every provider API write.
_LOCKED_FOR_CHANGE: PreparedRead[Referral] = PreparedRead(_locked_for_change)


@contextmanager
def referral_to_change(request: Any, pk: int, channel: str) -> Iterator[Referral]:
    """For a route that hands the referral ``pk`` to an action: in one transaction, the
    referral read once and locked (``Http404`` when the user may not see it), its case's
    lists checked (LAO-1, LAO-2: refused and logged as :func:`open_referral` does) and the
    read logged; the action inside uses this read instead of reading it again (see
    :func:`is_locked`).

    An action that fails (a refused change, ``ReferralError``) has already undone its own
    writes (its savepoint); the read stays in the case-access log, as it would have had it
    been logged before the action, and the error is raised again once the transaction is
    committed."""
    from omp.cases.access import refusal_for, refuse_case
    from omp.cases.actions import log_case_access

    user = request.user
    require_role(user, REFERRAL_READERS | {PROVIDER})
    failure: Exception | None = None
    refused = None
    with transaction.atomic():
        reader = has_role(user, REFERRAL_READERS)
        referral = (_LOCKED_FOR_CHANGE.first(True, pk) if reader
                    else _LOCKED_FOR_CHANGE.first(False, user.pk, pk))
        if referral is None:
            raise Http404("No referral has that number")
        refused = refusal_for(user, referral.person) if referral.omp_listed else None
        if refused is None:
            log_case_access(user, referral.person, channel, request.get_full_path())
            referral.omp_locked = True
            try:
                yield referral
            except Exception as error:  # noqa: BLE001 - raised again below, once committed
                failure = error
            finally:
                referral.omp_locked = False
    if refused is not None:
        refuse_case(request, referral.person, channel, refused)
    if failure is not None:
        raise failure


def is_locked(referral: Referral) -> bool:
    """``referral`` was read and locked by :func:`referral_to_change` in the transaction
    still open, so an action need not read it again."""
    return bool(getattr(referral, "omp_locked", False)) and \
        transaction.get_connection().in_atomic_block


# The lifecycle (derived from events), the timeline both sides see, and the action plans.


def lifecycle(referral: Referral, as_at: datetime | None = None) -> ReferralState:
    """The referral's state from its events, now or as it was at ``as_at``."""
    # One referral's events are few: read at once (a chunked read keeps a cursor open on
    # PostgreSQL, four round trips where one does), by a prepared read: on every action.
    events = [LifecycleEvent(kind, at, version)
              for _, kind, at, version in _EVENTS_OF_ONE.all("events", referral.pk)]
    return referral_state(events, as_at)


def _lifecycle_rows(events: QuerySet[ReferralEvent]) -> QuerySet[Any]:
    """The columns the lifecycle reads of ``events``, in the order they were recorded (the
    lifecycle breaks a tie on the time by it)."""
    return events.order_by("at", "id").values_list("referral_id", "kind", "at",
                                                   "action_plan__version")


_EVENTS_OF_ONE: PreparedRead[tuple[Any, ...]] = PreparedRead(
    lambda _shape, pk: _lifecycle_rows(ReferralEvent.objects.filter(referral_id=pk)))


def states_for(referrals: list[Referral]) -> dict[int, ReferralState]:
    """The state of each referral, in one query for all their events."""
    return states_of_ids([r.pk for r in referrals])


def states_of_ids(ids: list[int]) -> dict[int, ReferralState]:
    """The state of each referral of ``ids``, in one query for all their events (only the
    columns the lifecycle reads)."""
    events: dict[int, list[LifecycleEvent]] = {pk: [] for pk in ids}
    events.update(_lifecycle_events_of(ReferralEvent.objects.filter(referral_id__in=ids)))
    return {pk: referral_state(rows) for pk, rows in events.items()}


def _lifecycle_events_of(events: QuerySet[ReferralEvent], *, chunked: bool = True
                         ) -> dict[int, list[LifecycleEvent]]:
    """The lifecycle events of ``events``, by referral, in one query (only the columns the
    lifecycle reads), read in chunks unless ``chunked`` is false."""
    by_referral: dict[int, list[LifecycleEvent]] = {}
    rows = _lifecycle_rows(events)
    for referral_id, kind, at, version in (rows.iterator(chunk_size=5_000) if chunked
                                           else rows):
        by_referral.setdefault(referral_id, []).append(LifecycleEvent(kind, at, version))
    return by_referral


def states_of_referrals(referrals: QuerySet[Referral]) -> dict[int, ReferralState]:
    """The state of each referral of ``referrals`` that has events, in one query whatever
    their number (the referrals are a subquery, not a list of ids); a referral without
    events is a draft (``referral_state([])``)."""
    events = _lifecycle_events_of(
        ReferralEvent.objects.filter(referral_id__in=referrals.values("pk")))
    return {pk: referral_state(rows) for pk, rows in events.items()}


@dataclass(frozen=True)
class ReferralListPage:
    """One tab of a referral list: the tabs with their counts, and a page of the chosen
    tab's referrals, each with its state."""

    tabs: list[tuple[str, str, int]]
    chosen: str
    page: Any
    rows: list[tuple[Referral, ReferralState]]


#: Referrals a list page shows.
LIST_PAGE_SIZE = 50


def referral_list_page(referrals: QuerySet[Referral], group: str | None, number: Any
                       ) -> ReferralListPage:
    """The referrals of ``referrals`` in the state group ``group`` (the first group that
    has any when ``None`` or unknown), page ``number``, oldest sent first (drafts, newest
    first). States come from every referral's events, read in one query; only the page's
    referrals are read in full."""
    from django.core.paginator import Paginator

    from omp.rules.referral_lifecycle import STATE_GROUPS, state_group

    keys = list(referrals.select_related(None).order_by("sent_at", "-created_at", "pk")
                .values_list("pk", flat=True))
    states = states_of_ids(keys)
    by_group: dict[str, list[int]] = {key: [] for key, _title, _codes in STATE_GROUPS}
    for pk in keys:
        by_group[state_group(states[pk].code)].append(pk)
    if group not in by_group:
        group = next((key for key, ids in by_group.items() if ids), STATE_GROUPS[0][0])
    page = Paginator(by_group[group], LIST_PAGE_SIZE).get_page(number)
    found = referrals.in_bulk(list(page.object_list))
    return ReferralListPage(
        [(key, title, len(by_group[key])) for key, title, _codes in STATE_GROUPS], group,
        page, [(found[pk], states[pk]) for pk in page.object_list if pk in found])


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in the service's time zone: "as it was on" a day."""
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time.max))


@dataclass(frozen=True)
class TimelineEntry:
    """One event as the timeline shows it."""

    at: datetime
    by: str
    title: str
    details: list[str]


def _entry_details(event: ReferralEvent) -> list[str]:
    details: list[str] = []
    if event.keyworker_id:
        details.append(f"Keyworker: {_person_name(event.keyworker)}")
    if event.happened_on:
        details.append(f"Held on {_day(event.happened_on)}")
    if event.action_plan_id:
        plan = event.action_plan
        details.append(f"Version {plan.version}: {plan.number_of_sessions} sessions, "
                       f"{len(plan.activities)} "
                       f"{'activity' if len(plan.activities) == 1 else 'activities'}")
        if event.kind != "plan_approved" and plan.reason_for_change:
            details.append(f"Reason for the change: {plan.reason_for_change}")
    if event.reason_code:
        details.append(f"Reason: {event.get_reason_code_display()}")
    if event.notes:
        details.append(event.notes)
    return details


def _person_name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else "the system"


def timeline(referral: Referral, as_at: datetime | None = None) -> list[TimelineEntry]:
    """Every event recorded (up to ``as_at``), newest first, in words."""
    events = ReferralEvent.objects.filter(referral=referral).select_related(
        "by", "keyworker", "action_plan")
    if as_at is not None:
        events = events.filter(at__lte=as_at)
    return [TimelineEntry(e.at, _person_name(e.by), e.get_kind_display(), _entry_details(e))
            for e in reversed(list(events))]


def current_keyworker(referral: Referral) -> Any:
    """The keyworker of the latest assignment, or ``None``."""
    event = (ReferralEvent.objects.filter(referral=referral, kind="assigned")
             .select_related("keyworker").order_by("-at", "-id").first())
    return event.keyworker if event else None


def api_client_accounts() -> QuerySet[Any]:
    """The ids of the service accounts of providers' API clients (REF-8): provider staff
    that is a system, never a keyworker nor told of events."""
    from oauth2_provider.models import get_application_model

    return (get_application_model().objects.filter(user__isnull=False)
            .values("user_id"))


def keyworkers_for(user: Any, referral: Referral) -> list[Any]:
    """Whom ``user`` may assign as keyworker: provider staff of ``user``'s own organisations
    among those that deliver the referral's contract (REF-9: no one of another provider)."""
    from django.contrib.auth.models import User

    contract = referral.service.contract
    delivering = {contract.prime_provider_id,
                  *contract.subcontractors.values_list("pk", flat=True)}
    own = set(Provider.objects.filter(staff=user, pk__in=delivering)
              .values_list("pk", flat=True))
    return list(User.objects.filter(providers__in=own, groups__name=PROVIDER, is_active=True)
                .exclude(pk__in=api_client_accounts()).distinct().order_by("username"))


@dataclass(frozen=True)
class PlanVersion:
    """A version of the action plan, with what it changed from the version before."""

    plan: ActionPlan
    added: list[str]
    removed: list[str]
    sessions_before: int | None

    @property
    def approved(self) -> bool:
        """Approved by the practitioner."""
        return self.plan.approved_at is not None


def plan_versions(referral: Referral) -> list[PlanVersion]:
    """Every version of the action plan, newest first, each with the activities it added
    and removed and the number of sessions before, against the version before it."""
    plans = list(ActionPlan.objects.filter(referral=referral)
                 .select_related("submitted_by", "approved_by").order_by("version"))
    shown: list[PlanVersion] = []
    previous: ActionPlan | None = None
    for plan in plans:
        before = previous.activities if previous else []
        shown.append(PlanVersion(
            plan, [a for a in plan.activities if a not in before],
            [a for a in before if a not in plan.activities] if previous else [],
            previous.number_of_sessions if previous
            and previous.number_of_sessions != plan.number_of_sessions else None))
        previous = plan
    return list(reversed(shown))


# Sessions and RAR days (REF-5).


def approved_plan(referral: Referral) -> ActionPlan | None:
    """The latest approved version of the action plan: the one sessions are booked
    against."""
    return _APPROVED_PLAN.first("plan", referral.pk)


_APPROVED_PLAN: PreparedRead[ActionPlan] = PreparedRead(
    lambda _shape, pk: ActionPlan.objects.filter(referral_id=pk, approved_at__isnull=False)
    .order_by("-version")[:1])


def appointments_of(referral: Referral) -> list[Appointment]:
    """Every booking of the referral's sessions, moved ones included, in time order."""
    return list(Appointment.objects.filter(referral=referral)
                .select_related("booked_by", "recorded_by", "rescheduled_to")
                .order_by("starts_at", "id"))


def appointment_for(referral: Referral, pk: Any) -> Appointment:
    """The booking ``pk`` of this referral (``Http404`` for any other, as for none)."""
    text = str(pk)
    found = _APPOINTMENT.first("appointment", referral.pk,
                               int(text) if text.isascii() and text.isdigit() else -1)
    if found is None:
        raise Http404("The referral has no session with that number")
    return found


_APPOINTMENT: PreparedRead[Appointment] = PreparedRead(
    lambda _shape, referral_pk, pk: Appointment.objects.select_related("booked_by")
    .filter(referral_id=referral_pk, pk=pk).order_by("pk")[:1])


def session_facts(appointments: list[Appointment]) -> list[SessionFacts]:
    """The facts the REF-5 rules read, one per booking."""
    from django.utils import timezone

    return [SessionFacts(a.session_number, timezone.localdate(a.starts_at), a.enforceable,
                         a.attendance or None, a.happened, a.no_session_reason,
                         a.rescheduled_to_id is not None) for a in appointments]


def session_facts_of(referral: Referral) -> list[SessionFacts]:
    """:func:`session_facts` of every booking of the referral, moved ones included, in time
    order, reading only the columns the rules read (an action booking a session)."""
    from django.utils import timezone

    rows = _SESSION_FACTS.all("sessions", referral.pk)
    return [SessionFacts(number, timezone.localdate(starts_at), enforceable,
                         attendance or None, happened, reason, moved is not None)
            for number, starts_at, enforceable, attendance, happened, reason, moved in rows]


_SESSION_FACTS: PreparedRead[tuple[Any, ...]] = PreparedRead(
    lambda _shape, pk: Appointment.objects.filter(referral_id=pk).order_by("starts_at", "id")
    .values_list("session_number", "starts_at", "enforceable", "attendance", "happened",
                 "no_session_reason", "rescheduled_to_id"))


def rar_count(referral: Referral, appointments: list[Appointment] | None = None) -> RarCount:
    """Activities, RAR days and voluntary days of the referral, side by side (REF-5)."""
    if appointments is None:
        appointments = appointments_of(referral)
    return count_rar_days(session_facts(appointments), referral.enforceable_days)


@dataclass(frozen=True)
class SessionRow:
    """A booking as both sides see it: its state in words."""

    appointment: Appointment
    status: str
    took_place: bool
    can_record: bool
    can_move: bool


def session_status(appointment: Appointment, now: datetime) -> str:
    """The booking's state in words: moved, booked, attendance to record, or what was
    recorded."""
    from django.utils import timezone

    if appointment.rescheduled_to_id is not None:
        new = timezone.localtime(appointment.rescheduled_to.starts_at)
        return f"Moved to {new:%-d %B %Y} at {new:%H:%M}"
    if appointment.attendance:
        if appointment.attendance != "no" and appointment.happened:
            return appointment.get_attendance_display()
        if appointment.attendance == "no":
            return "Did not attend"
        return "Attended, but the session did not happen"
    return "Attendance to record" if appointment.starts_at <= now else "Booked"


def session_rows(appointments: list[Appointment], now: datetime) -> list[SessionRow]:
    """Each booking with its state and what may still be done with it."""
    rows = []
    for a in appointments:
        current = a.rescheduled_to_id is None and not a.attendance
        rows.append(SessionRow(a, session_status(a, now),
                               a.attendance in ("yes", "late") and a.happened is not False,
                               current and a.starts_at <= now, current))
    return rows


# Outcomes (REF-6): the end-of-service report's versions, as both sides read them.


@dataclass(frozen=True)
class OutcomeRating:
    """One desired outcome as a report rated it."""

    outcome_id: int
    description: str
    achievement: str
    words: str
    notes: str


@dataclass(frozen=True)
class ReportVersion:
    """A version of the end-of-service report, with its ratings and score (REF-6d)."""

    report: EndOfServiceReport
    ratings: list[OutcomeRating]
    score: float

    @property
    def out_of(self) -> int:
        """The number of outcomes rated: the most the score can be."""
        return len(self.ratings)


def report_versions(referral: Referral) -> list[ReportVersion]:
    """Every version of the end-of-service report, newest first, each with its ratings in
    the order of the referral's desired outcomes."""
    reports = (EndOfServiceReport.objects.filter(referral=referral)
               .select_related("submitted_by").prefetch_related("outcomes__desired_outcome")
               .order_by("-version"))
    shown = []
    for report in reports:
        ratings = [OutcomeRating(o.desired_outcome_id, o.desired_outcome.description,
                                 o.achievement, ACHIEVEMENT_WORDS[o.achievement], o.notes)
                   for o in report.outcomes.all()]
        shown.append(ReportVersion(report, ratings,
                                   achievement_score(r.achievement for r in ratings)))
    return shown


# Messages and notifications (REF-7).


def people_on(referral: Referral) -> list[Any]:
    """REF-7b: who is told of a referral's events: the practitioners who made and sent it,
    and the provider's current keyworker, or before one is assigned the provider staff of
    the organisations delivering its contract."""
    from django.contrib.auth.models import User

    return list(User.objects.filter(pk__in=_people_on_ids(referral), is_active=True)
                .order_by("pk"))


def people_to_tell(referral: Referral, kind: str,
                   actor: Any) -> list[tuple[int, dict[str, bool]]]:
    """The ids of :func:`people_on` but ``actor``, each with their choice of being told of
    ``kind`` (``{kind: enabled}``, empty when they made none): in one query once a
    keyworker is assigned (the practitioners and the keyworker), as on nearly every event."""
    from django.contrib.auth.models import User
    from django.db.models import Subquery

    from omp.referrals.models import NotificationChoice

    me = getattr(actor, "pk", None)
    made = sorted({referral.created_by_id, referral.sent_by_id} - {None, me})
    # A prepared read (on nearly every action): its shape is how many made and sent it.
    rows = _TO_TELL.all(len(made), kind, referral.pk, me or -1, *made)
    if not rows or not rows[0][2]:
        # No keyworker yet (or no one but the actor): the provider's staff are told.
        choice = Subquery(NotificationChoice.objects.filter(user=OuterRef("pk"), kind=kind)
                          .values("enabled")[:1])
        assigned = ReferralEvent.objects.filter(referral=referral, kind="assigned")
        ids = _people_on_ids(referral) - {me}
        rows = list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk")
                    .annotate(omp_chosen=choice, omp_assigned=Exists(assigned))
                    .values_list("pk", "omp_chosen", "omp_assigned")) if ids else []
    return [(pk, {} if chosen is None else {kind: chosen}) for pk, chosen, _ in rows]


def _to_tell(made_count: int, kind: str, referral_pk: int, me: int,
             *made: int) -> QuerySet[Any]:
    """Those who made and sent the referral ``referral_pk`` and its keyworker, active, but
    ``me``, each with their choice of being told of ``kind`` and whether a keyworker is
    assigned: (id, choice or None, assigned)."""
    from django.contrib.auth.models import User
    from django.db.models import Subquery

    from omp.referrals.models import NotificationChoice

    choice = Subquery(NotificationChoice.objects.filter(user=OuterRef("pk"), kind=kind)
                      .values("enabled")[:1])
    assigned = ReferralEvent.objects.filter(referral_id=referral_pk, kind="assigned")
    keyworker = Subquery(assigned.order_by("-at", "-id").values("keyworker_id")[:1])
    return (User.objects.filter(Q(pk__in=made) | Q(pk=keyworker), is_active=True)
            .exclude(pk=me).order_by("pk")
            .annotate(omp_chosen=choice, omp_assigned=Exists(assigned))
            .values_list("pk", "omp_chosen", "omp_assigned"))


_TO_TELL: PreparedRead[tuple[Any, ...]] = PreparedRead(_to_tell)


def _people_on_ids(referral: Referral) -> set[int]:
    from django.contrib.auth.models import User

    ids = {referral.created_by_id, referral.sent_by_id} - {None}
    keyworker = (ReferralEvent.objects.filter(referral=referral, kind="assigned")
                 .order_by("-at", "-id").values_list("keyworker_id", flat=True).first())
    if keyworker is not None:
        ids.add(keyworker)
    elif referral.is_sent:
        contract = referral.service.contract
        delivering = {contract.prime_provider_id,
                      *contract.subcontractors.values_list("pk", flat=True)}
        ids |= set(User.objects.filter(providers__in=delivering, groups__name=PROVIDER,
                                       is_active=True)
                   .exclude(pk__in=api_client_accounts()).values_list("pk", flat=True))
    return ids


def message_side(referral: Referral, author: Any) -> str:
    """Which side wrote a message, in words."""
    if is_provider_only(author):
        return "Provider"
    return "Probation practitioner"


def timeline_entries(person: Person, user: Any, today: date) -> list[Any]:
    """The person's referrals on their custody timeline (``omp.custody.timeline``), as
    ``user`` may read them (REF-9): each started, sent and every event recorded since, in
    words, linked to the referral."""
    from django.urls import reverse
    from django.utils import timezone

    from omp.custody.timeline import TimelineEntry

    def day(moment: datetime) -> date:
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()

    referrals = list(visible_referrals(user).filter(person=person).select_related(
        "sent_by", "service__contract__prime_provider").order_by("id"))
    entries: list[TimelineEntry] = []
    for referral in referrals:
        link = reverse("referral-detail", args=[referral.pk])
        to = (f"{referral.service.title} ({referral.service.contract.prime_provider.name})")
        entries.append(TimelineEntry(day(referral.created_at), "Referral",
                                     f"Referral {referral.reference} started: {to}",
                                     by=_person_name(referral.created_by), link=link))
        if referral.sent_at:
            entries.append(TimelineEntry(day(referral.sent_at), "Referral",
                                         f"Referral {referral.reference} sent: {to}",
                                         by=_person_name(referral.sent_by), link=link))
    by_ref = {referral.pk: referral for referral in referrals}
    for event in (ReferralEvent.objects.filter(referral_id__in=by_ref)
                  .select_related("by", "keyworker", "action_plan").order_by("at", "id")):
        referral = by_ref[event.referral_id]
        entries.append(TimelineEntry(
            day(event.at), "Referral", f"Referral {referral.reference}: "
            f"{event.get_kind_display().lower()}", by=_person_name(event.by),
            details=tuple(_entry_details(event)),
            link=reverse("referral-detail", args=[referral.pk])))
    return entries


# Other agencies' work (seed 001 §2): what other commissioned services do with the person.


@dataclass(frozen=True)
class OtherService:
    """Another commissioned service working with the person, as every reader of a referral
    may see it: what kind of service, whose, since when and where it stands. Nothing else of
    that referral (no reference, notes, plans, sessions or staff) is carried."""

    category: str
    provider: str
    sent_on: date
    state: str


def other_agencies_work(referral: Referral) -> list[OtherService]:
    """The person's other referrals that are sent and not ended (by the state derived from
    their events: not concluded, withdrawn or cancelled), oldest first, so a provider sees
    who else works with the person now and work is not duplicated."""
    from django.utils import timezone

    others = list(Referral.objects.filter(person_id=referral.person_id, sent_at__isnull=False)
                  .exclude(pk=referral.pk)
                  .select_related("service__category", "service__contract__prime_provider")
                  .order_by("sent_at", "pk"))
    states = states_for(others)
    return [OtherService(r.service.category.name, r.service.contract.prime_provider.name,
                         timezone.localdate(r.sent_at), states[r.pk].words)
            for r in others
            if states[r.pk].is_sent and not states[r.pk].ended]


@dataclass(frozen=True)
class ReferralWork:
    """One referral's spell of work with the person (OUT-6 duplication), as
    :func:`other_agencies_work` counts it: from the day it was sent to the day it ended
    (concluded or withdrawn, cancellation included), ``None`` while it goes on. The
    provider is the contract's prime provider, as the summary names it."""

    person_id: int
    category_code: str
    provider: str
    start: date
    end: date | None


#: Rows read from the database at a time when the whole national caseload is streamed.
STREAM_CHUNK = 5_000


def referral_work() -> Iterator[ReferralWork]:
    """Every sent referral's spell of work (:class:`ReferralWork`), in one query streamed in
    chunks, oldest referral first: the end is the first ending event (the lifecycle
    ignores any event after it), so it agrees with the state :func:`other_agencies_work`
    derives."""
    from django.db.models import Min

    from omp.rules.referral_lifecycle import CONCLUDED, WITHDRAWN

    rows = (Referral.objects.filter(sent_at__isnull=False).order_by("pk")
            .annotate(ended_at=Min("events__at",
                                   filter=Q(events__kind__in=(CONCLUDED, WITHDRAWN))))
            .values_list("person_id", "service__category__code",
                         "service__contract__prime_provider__name", "sent_at", "ended_at"))
    for person_id, category, provider, sent_at, ended_at in rows.iterator(
            chunk_size=STREAM_CHUNK):
        start = _local_day(sent_at)
        assert start is not None  # sent referrals only
        yield ReferralWork(person_id, category, provider, start, _local_day(ended_at))


@dataclass(frozen=True)
class SessionContact:
    """One session of a referral that took place (REF-5a): a contact with the person, the
    day it started and how long it was booked for."""

    person_id: int
    day: date
    minutes: int


def session_contacts() -> Iterator[SessionContact]:
    """Every session that took place (REF-5a: attended, on time or late, the session not
    recorded as not happening, and not moved to another booking), in one query streamed in
    chunks, by start. A session the person did not attend, or not yet recorded, is no
    contact."""
    from omp.rules.referral_sessions import ATTENDED, LATE

    rows = (Appointment.objects.filter(rescheduled_to__isnull=True,
                                       attendance__in=(ATTENDED, LATE))
            .exclude(happened=False).order_by("starts_at", "id")
            .values_list("referral__person_id", "starts_at", "duration_minutes"))
    for person_id, starts_at, minutes in rows.iterator(chunk_size=STREAM_CHUNK):
        day = _local_day(starts_at)
        assert day is not None  # a booking always has a start
        yield SessionContact(person_id, day, minutes)


# The provider's performance report (REF-5, REF-6, REF-9): one row per sent referral, the
# referral reference only (no name, date of birth or note of the person).

#: Who reads the performance report of every provider: heads of offender management (the
#: practitioners' managers) and administrators. A provider's keyworker reads its own.
PERFORMANCE_READERS = frozenset({HEAD_OF_OFFENDER_MANAGEMENT, ADMIN})

#: The report's columns, in order.
PERFORMANCE_COLUMNS = [
    "Referral reference", "Service", "Provider (prime)", "Contract reference", "Date sent",
    "Keyworker first assigned", "Initial assessment held",
    "Working days from sent to initial assessment (Monday to Friday, less England and "
    "Wales bank holidays)",
    "Action plan first approved", "Sessions booked", "Sessions attended",
    "Sessions attended late", "Sessions not attended",
    "Sessions that did not happen (the person came)", "RAR days", "State",
    "End-of-service report first submitted", "Desired outcomes achieved",
    "Desired outcomes partly achieved", "Desired outcomes not achieved", "Concluded",
    "Person's feedback: how helpful (5 very helpful to 1 not helpful at all)",
]


def performance_referrals(user: Any) -> QuerySet[Referral]:
    """The sent referrals ``user``'s performance report covers: every one for a head of
    offender management or an administrator; for a provider's keyworker, only those sent to
    its own organisations' contracts (REF-9), even if it holds another role too."""
    if has_role(user, PERFORMANCE_READERS):
        return Referral.objects.filter(sent_at__isnull=False)
    return provider_referrals(user)


def _local_day(moment: datetime | None) -> date | None:
    from django.utils import timezone

    return None if moment is None else timezone.localtime(moment).date()


def performance_rows(referrals: QuerySet[Referral]) -> Iterator[list[object]]:
    """The rows of the performance report of ``referrals`` (sent ones; oldest sent first),
    read in seven queries whatever their number: the first dates of each kind of event, the
    events again for the state, the session counts, the bookings for the RAR days, the
    ratings of each referral's newest end-of-service report, the feedback, and the
    referrals themselves, streamed."""
    from django.db.models import Count, Max, Min, OuterRef, Subquery

    from omp.referrals.models import EndOfServiceOutcome, PersonFeedback
    from omp.rules.kpi import working_days
    from omp.rules.referral_lifecycle import (
        ASSIGNED,
        CONCLUDED,
        END_OF_SERVICE_REPORT,
        INITIAL_ASSESSMENT,
        PLAN_APPROVED,
    )
    from omp.rules.referral_outcomes import ACHIEVED, NOT_ACHIEVED, PARTLY
    from omp.rules.referral_sessions import ATTENDED, DID_NOT_ATTEND, LATE

    referrals = referrals.filter(sent_at__isnull=False)
    keys = referrals.values("pk")

    def first(kind: str, field: str = "at") -> Min:
        return Min(field, filter=Q(kind=kind))

    dates = {row["referral_id"]: row for row in (
        ReferralEvent.objects.filter(referral_id__in=keys).order_by().values("referral_id")
        .annotate(assigned=first(ASSIGNED), assessed_on=first(INITIAL_ASSESSMENT,
                                                                "happened_on"),
                  assessed_at=first(INITIAL_ASSESSMENT), approved=first(PLAN_APPROVED),
                  reported=first(END_OF_SERVICE_REPORT), concluded=first(CONCLUDED)))}
    states = states_of_referrals(referrals)
    # A moved booking is counted where it went (REF-5d); attendance "no" never happened.
    counts = {row["referral_id"]: row for row in (
        Appointment.objects.filter(referral_id__in=keys, rescheduled_to__isnull=True)
        .order_by().values("referral_id")
        .annotate(booked=Count("pk"),
                  attended=Count("pk", filter=Q(attendance=ATTENDED, happened=True)),
                  late=Count("pk", filter=Q(attendance=LATE, happened=True)),
                  not_attended=Count("pk", filter=Q(attendance=DID_NOT_ATTEND)),
                  not_held=Count("pk", filter=Q(attendance__in=(ATTENDED, LATE),
                                                happened=False))))}
    bookings: dict[int, list[Appointment]] = {}
    for booking in (Appointment.objects.filter(referral_id__in=keys).order_by("starts_at", "id")
                    .only("referral", "session_number", "starts_at", "enforceable",
                          "attendance", "happened", "no_session_reason", "rescheduled_to")
                    .iterator(chunk_size=5_000)):
        bookings.setdefault(booking.referral_id, []).append(booking)
    newest = (EndOfServiceReport.objects.filter(referral_id=OuterRef("report__referral_id"))
              .order_by().values("referral_id").annotate(newest=Max("version"))
              .values("newest"))
    ratings = {row["report__referral_id"]: row for row in (
        EndOfServiceOutcome.objects.filter(report__referral_id__in=keys,
                                           report__version=Subquery(newest))
        .order_by().values("report__referral_id")
        .annotate(achieved=Count("pk", filter=Q(achievement=ACHIEVED)),
                  partly=Count("pk", filter=Q(achievement=PARTLY)),
                  not_achieved=Count("pk", filter=Q(achievement=NOT_ACHIEVED))))}
    helpfulness = dict(PersonFeedback.objects.filter(referral_id__in=keys)
                       .values_list("referral_id", "helpfulness"))
    no_counts = {"booked": 0, "attended": 0, "late": 0, "not_attended": 0, "not_held": 0}
    rows = (referrals.select_related("service__contract__prime_provider")
            .only("reference", "sent_at", "enforceable_days", "service__title",
                  "service__contract__reference", "service__contract__prime_provider__name")
            .order_by("sent_at", "reference"))
    for referral in rows.iterator(chunk_size=2_000):
        sent = _local_day(referral.sent_at)
        when = dates.get(referral.pk, {})
        assessed = when.get("assessed_on") or _local_day(when.get("assessed_at"))
        count = counts.get(referral.pk, no_counts)
        rating = ratings.get(referral.pk)
        state = states.get(referral.pk) or referral_state([])
        contract = referral.service.contract
        yield [
            referral.reference, referral.service.title, contract.prime_provider.name,
            contract.reference, sent, _local_day(when.get("assigned")), assessed,
            working_days(sent, assessed) if sent and assessed else "",
            _local_day(when.get("approved")), count["booked"], count["attended"],
            count["late"], count["not_attended"], count["not_held"],
            rar_count(referral, bookings.get(referral.pk, [])).rar_days, state.words,
            _local_day(when.get("reported")),
            *((rating["achieved"], rating["partly"], rating["not_achieved"]) if rating
              else ("", "", "")),
            _local_day(when.get("concluded")), helpfulness.get(referral.pk, ""),
        ]


def latest_outcome_levels(referral_ids: Any) -> dict[int, list[str]]:
    """Of each referral of ``referral_ids`` (ids, or a query of them) with an end-of-service
    report, how far each desired outcome was achieved in its newest report: the version the
    practitioner concluded on (REF-6a). One query."""
    from omp.referrals.models import EndOfServiceOutcome

    newest: dict[int, tuple[int, list[str]]] = {}
    for referral_id, version, level in (EndOfServiceOutcome.objects
                                        .filter(report__referral_id__in=referral_ids)
                                        .values_list("report__referral_id",
                                                     "report__version", "achievement")):
        kept = newest.get(referral_id)
        if kept is None or version > kept[0]:
            newest[referral_id] = (version, [level])
        elif version == kept[0]:
            kept[1].append(level)
    return {referral_id: levels for referral_id, (_, levels) in newest.items()}
