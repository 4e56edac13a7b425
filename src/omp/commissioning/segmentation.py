"""Segmentation (COM-2) over the case store: each person's latest OGRS3 and OVP scores,
binned for the chart and counted by segment (``omp.rules.segmentation``), with the needs of
each segment from the custody needs assessments where they exist; narrowed to a contract
package area, to the people referred to a provider's services, and to where people are (in
the community, seed 004's population, in custody, or everyone).

Everything returned is an aggregate; COM-4 is applied by the page through
``rules.segmentation.protect_bins``, ``rules.disclosure.protect_table`` and
``rules.disclosure.rate_suppression``. At national scale a figure set takes seconds (it
reads every person's latest scores), so it is computed once per filter and day and stored
with the time it was computed (``SegmentationFigures``): the KPI run computes the usual
filters ahead of the day (``precompute``), and a page asking for another computes it once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from omp.cases.models import Assessment, CustodySpell, Person
from omp.clock import today
from omp.custody.models import NEED_AREAS, Need, NeedsAssessment
from omp.referrals.models import Referral
from omp.rules.referral_outcomes import ACHIEVEMENT_WORDS
from omp.rules.segmentation import GENERAL_BANDS, VIOLENT_BANDS, count_bins, segment_of
from omp.rules.spend import PRICED_UNITS, ReferralActivity, referral_spend, unpriced_units
from omp.rules.support_plan import LEVELS_WITH_A_NEED

#: Where the people are: the seed's population (the community) first.
WHERE = {"community": "In the community", "custody": "In custody", "all": "Everyone"}
#: The period spend and outcomes are counted over: the year to today.
PERIOD_DAYS = 365


@dataclass(frozen=True)
class SegmentFilters:
    """What the population is narrowed to: a CPA code, a provider code (people referred to
    its services), and where people are (a key of ``WHERE``)."""

    cpa: str = ""
    provider: str = ""
    where: str = "community"


@dataclass
class SegmentSpend:
    """One segment's referrals open in the period, what they cost by priced unit
    (``rules.spend``), and the desired outcomes rated in the end-of-service reports of
    those concluded in it (each referral's latest report), by level of achievement."""

    referrals: int = 0
    spend: dict[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(PRICED_UNITS, Decimal("0")))
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACHIEVEMENT_WORDS, 0))

    @property
    def total(self) -> Decimal:
        """The segment's spend over every priced unit."""
        return sum(self.spend.values(), Decimal("0"))


@dataclass(frozen=True)
class Spending:
    """Spend and outcomes by segment over ``starts_on`` to ``ends_on``, with the units no
    price could be put on and the referrals whose contract has no unit costs."""

    by_segment: dict[tuple[str, str], SegmentSpend]
    starts_on: date
    ends_on: date
    unpriced_units: list[str]
    without_costs: int


@dataclass(frozen=True)
class Segmentation:
    """The population's bins, its segments' sizes and each segment's needs, spend and
    outcomes."""

    bins: dict[tuple[int, int], int]
    #: People assessed for needs in each segment, and those with a need in each area.
    assessed: dict[tuple[str, str], int]
    needs: dict[tuple[str, str], dict[str, int]]
    people: int
    spending: Spending | None = None
    computed_at: datetime = field(default_factory=timezone.now)


def _latest(kind: str) -> Subquery:
    return Subquery(Assessment.objects.filter(person=OuterRef("pk"), kind=kind,
                                              score__isnull=False)
                    .order_by("-assessed_on", "-id").values("score")[:1])


def population(filters: SegmentFilters) -> Any:
    """The people of the population with both scores, annotated ``general`` and
    ``violent`` (their latest OGRS3 and OVP scores)."""
    people = (Person.objects.annotate(general=_latest("OGRS"), violent=_latest("OVP"))
              .filter(general__isnull=False, violent__isnull=False))
    in_custody = Exists(CustodySpell.objects.filter(person=OuterRef("pk"), is_current=True))
    if filters.where == "community":
        people = people.filter(~in_custody)
    elif filters.where == "custody":
        people = people.filter(in_custody)
    if filters.cpa:
        people = people.filter(pdu__cpas__code=filters.cpa)
    if filters.provider:
        people = people.filter(Exists(Referral.objects.filter(
            person=OuterRef("pk"), service__contract__prime_provider__code=filters.provider)))
    return people


@dataclass
class _Base:
    """What the figures of one or many filters are counted from, read in a few queries:
    each person of a population with both scores, with where they are, their PDU, the
    providers they were ever referred to and their latest needs assessment's needs; and the
    referrals open in the spending period, priced and rated."""

    on: date
    starts_on: date
    #: person -> (general score, violent score, in custody now, PDU id)
    people: dict[int, tuple[float, float, bool, int | None]]
    #: PDU id -> the contract package areas it is in
    areas_of_pdu: dict[int, set[str]]
    #: person -> the providers whose services the person was ever referred to
    providers_of: dict[int, set[str]]
    #: person -> the areas of need (one per need recorded) of their latest needs assessment;
    #: a person assessed with no need has an empty list
    needs_of: dict[int, list[str]]
    #: (referral, person, contract, sent at, prime provider) of the referrals open in the period
    referrals: list[tuple[int, int, int, datetime, str]]
    sessions: dict[int, int]
    concluded: set[int]
    rated: dict[int, list[str]]
    costs: dict[int, list[tuple[str, Decimal]]]

    def members(self, filters: SegmentFilters) -> list[int]:
        """The people of ``filters``' population, in the order they were read."""
        custody = {"community": False, "custody": True}.get(filters.where)
        return [pk for pk, (_, _, in_custody, pdu) in self.people.items()
                if (custody is None or in_custody == custody)
                and (not filters.cpa or filters.cpa in self.areas_of_pdu.get(pdu or 0, ()))
                and (not filters.provider or filters.provider in self.providers_of.get(pk, ()))]


def _read(people: Any, on: date) -> _Base:
    """Read the base of the population ``people`` (a query of :func:`population`) for the
    figures on ``on``."""
    from omp.commissioning.models import ContractPackageArea, UnitCost

    in_custody = Exists(CustodySpell.objects.filter(person=OuterRef("pk"), is_current=True))
    scored = {pk: (float(general), float(violent), custody, pdu)
              for pk, general, violent, custody, pdu in people.annotate(in_custody=in_custody)
              .values_list("pk", "general", "violent", "in_custody", "pdu_id")
              .iterator(chunk_size=20_000)}
    areas_of_pdu: dict[int, set[str]] = {}
    for pdu, code in ContractPackageArea.pdus.through.objects.values_list(
            "probationdeliveryunit_id", "contractpackagearea__code"):
        areas_of_pdu.setdefault(pdu, set()).add(code)
    providers_of: dict[int, set[str]] = {}
    for person_id, provider in (Referral.objects.filter(person__in=people.values("pk"))
                                .values_list("person_id", "service__contract__prime_provider__code")
                                .distinct().iterator(chunk_size=20_000)):
        providers_of.setdefault(person_id, set()).add(provider)
    latest: dict[int, int] = {}
    for person_id, assessment_id in (NeedsAssessment.objects
                                     .filter(person__in=people.values("pk"))
                                     .order_by("person_id", "-assessed_on", "-id")
                                     .values_list("person_id", "id").iterator(chunk_size=20_000)):
        latest.setdefault(person_id, assessment_id)
    needs_of: dict[int, list[str]] = {person_id: [] for person_id in latest}
    person_of = {assessment: person for person, assessment in latest.items()}
    ids = list(person_of)
    for start in range(0, len(ids), 20_000):
        for assessment_id, area in (Need.objects
                                    .filter(assessment_id__in=ids[start:start + 20_000],
                                            level__in=LEVELS_WITH_A_NEED)
                                    .values_list("assessment_id", "area")):
            needs_of[person_of[assessment_id]].append(area)
    starts_on, referrals = _open_referrals(people, on)
    from omp.referrals.models import Appointment, ReferralEvent
    from omp.referrals.queries import latest_outcome_levels

    sessions = dict(Appointment.objects.filter(
        # A moved booking counts where it went, as in the KPIs.
        referral__in=referrals.values("pk"), happened=True, rescheduled_to__isnull=True,
        starts_at__date__gte=starts_on, starts_at__date__lte=on)
        .order_by().values_list("referral_id").annotate(n=models.Count("pk"))
        .values_list("referral_id", "n"))
    concluded = set(ReferralEvent.objects.filter(
        referral__in=referrals.values("pk"), kind="concluded",
        at__date__gte=starts_on, at__date__lte=on).values_list("referral_id", flat=True))
    costs: dict[int, list[tuple[str, Decimal]]] = {}
    for contract_id, unit, price in UnitCost.objects.values_list(
            "contract__contract_id", "unit", "price"):
        costs.setdefault(contract_id, []).append((unit, price))
    return _Base(
        on, starts_on, scored, areas_of_pdu, providers_of, needs_of,
        list(referrals.values_list("pk", "person_id", "service__contract_id", "sent_at",
                                   "service__contract__prime_provider__code")
             .iterator(chunk_size=20_000)),
        # Each concluded referral's latest report: the one the practitioner concluded it on.
        sessions, concluded, latest_outcome_levels(concluded), costs)


def _open_referrals(people: Any, on: date) -> tuple[date, Any]:
    """The first day of the spending period ending ``on``, and the referrals of ``people``
    open in it: sent by ``on`` and not ended before it began."""
    from omp.referrals.models import ReferralEvent

    starts_on = on - timedelta(days=PERIOD_DAYS - 1)
    ended_before = ReferralEvent.objects.filter(referral=OuterRef("pk"),
                                                kind__in=("concluded", "withdrawn"),
                                                at__date__lt=starts_on)
    return starts_on, (Referral.objects.filter(sent_at__isnull=False, sent_at__date__lte=on,
                                               person__in=people.values("pk"))
                       .filter(~Exists(ended_before)))


def _figures(base: _Base, filters: SegmentFilters) -> Segmentation:
    """The figures of ``filters`` counted from ``base`` (which holds at least its people)."""
    members = base.members(filters)
    scores = []
    segment_of_person: dict[int, tuple[str, str]] = {}
    for pk in members:
        general, violent, _, _ = base.people[pk]
        scores.append((general, violent))
        segment_of_person[pk] = segment_of(general, violent)
    assessed: dict[tuple[str, str], int] = {}
    needs: dict[tuple[str, str], dict[str, int]] = {}
    for pk in members:
        areas = base.needs_of.get(pk)
        if areas is None:
            continue
        segment = segment_of_person[pk]
        assessed[segment] = assessed.get(segment, 0) + 1
        for area in areas:
            counts = needs.setdefault(segment, {})
            counts[area] = counts.get(area, 0) + 1
    return Segmentation(count_bins(scores), assessed, needs, len(scores),
                        spending(base, filters, segment_of_person))


def _compute(filters: SegmentFilters) -> Segmentation:
    """The figures of one filter, read for its population alone."""
    return _figures(_read(population(filters), today()), filters)


def spending(base: _Base, filters: SegmentFilters,
             segment_of_person: dict[int, tuple[str, str]]) -> Spending:
    """Each segment's referrals open in the year to ``base.on`` (sent by then and not ended
    before it began), priced with their contract's unit costs (``rules.spend``), and the
    outcomes rated in the latest end-of-service report of those concluded in the year.
    With a provider chosen, only the referrals to its contracts count."""
    by_segment: dict[tuple[str, str], SegmentSpend] = {}
    without_costs = 0
    used: set[int] = set()
    for pk, person_id, contract_id, sent_at, provider in base.referrals:
        segment = segment_of_person.get(person_id)
        if segment is None or filters.provider and provider != filters.provider:
            continue
        found = by_segment.setdefault(segment, SegmentSpend())
        found.referrals += 1
        if contract_id not in base.costs:
            without_costs += 1
        used.add(contract_id)
        activity = ReferralActivity(sent=timezone.localdate(sent_at) >= base.starts_on,
                                    sessions=base.sessions.get(pk, 0),
                                    completed=pk in base.concluded)
        for unit, amount in referral_spend(base.costs.get(contract_id, []), activity).items():
            found.spend[unit] += amount
        for level in base.rated.get(pk, []):
            found.outcomes[level] += 1
    unpriced = unpriced_units(cost for contract_id in sorted(used)
                              for cost in base.costs.get(contract_id, []))
    return Spending(by_segment, base.starts_on, base.on, unpriced, without_costs)


def figures_json(found: Segmentation) -> dict[str, Any]:
    """``found`` as JSON (what ``SegmentationFigures.figures`` holds): pairs as lists,
    money as strings, days in ISO form."""
    spent = found.spending
    return {
        "bins": [[g, v, n] for (g, v), n in sorted(found.bins.items())],
        "assessed": [[g, v, n] for (g, v), n in sorted(found.assessed.items())],
        "needs": [[g, v, areas] for (g, v), areas in sorted(found.needs.items())],
        "people": found.people,
        "spending": None if spent is None else {
            "by_segment": [[g, v, one.referrals,
                            {unit: str(amount) for unit, amount in one.spend.items()},
                            one.outcomes]
                           for (g, v), one in sorted(spent.by_segment.items())],
            "starts_on": spent.starts_on.isoformat(), "ends_on": spent.ends_on.isoformat(),
            "unpriced_units": spent.unpriced_units, "without_costs": spent.without_costs},
    }


def figures_from_json(data: dict[str, Any], computed_at: datetime) -> Segmentation:
    """The ``Segmentation`` that ``figures_json`` wrote, computed at ``computed_at``."""
    spent = data["spending"]
    spending_found = None if spent is None else Spending(
        {(g, v): SegmentSpend(referrals, {unit: Decimal(amount)
                                          for unit, amount in spend.items()}, outcomes)
         for g, v, referrals, spend, outcomes in spent["by_segment"]},
        date.fromisoformat(spent["starts_on"]), date.fromisoformat(spent["ends_on"]),
        list(spent["unpriced_units"]), spent["without_costs"])
    return Segmentation({(g, v): n for g, v, n in data["bins"]},
                        {(g, v): n for g, v, n in data["assessed"]},
                        {(g, v): areas for g, v, areas in data["needs"]},
                        data["people"], spending_found, computed_at)


def compute_and_store(filters: SegmentFilters) -> Segmentation:
    """Compute the figures for ``filters`` now and keep them (replacing older ones)."""
    return _store(filters, _compute(filters), today())


def _store(filters: SegmentFilters, found: Segmentation, on: date) -> Segmentation:
    from omp.commissioning.models import SegmentationFigures

    key = {"where": filters.where, "cpa": filters.cpa, "provider": filters.provider}
    try:
        with transaction.atomic():
            SegmentationFigures.objects.update_or_create(
                **key, defaults={"computed_on": on, "computed_at": found.computed_at,
                                 "figures": figures_json(found)})
    except IntegrityError:
        pass  # another process stored the same filter's figures at the same moment
    return found


def segmentation(filters: SegmentFilters) -> Segmentation:
    """The population's segmentation for ``filters``: today's stored figures when there
    are some (the KPI run computes the usual filters nightly), otherwise computed now and
    stored, so each filter is computed at most once a day across every serving process."""
    from omp.commissioning.models import SegmentationFigures

    stored = SegmentationFigures.objects.filter(
        where=filters.where, cpa=filters.cpa, provider=filters.provider,
        computed_on=today()).first()
    if stored is not None:
        return figures_from_json(stored.figures, stored.computed_at)
    return compute_and_store(filters)


def usual_filters() -> list[SegmentFilters]:
    """The filters computed ahead of time: where people are, over every area and each
    contract package area, and the people referred to each provider."""
    from omp.commissioning.models import ContractPackageArea
    from omp.referrals.models import Provider

    areas = ["", *ContractPackageArea.objects.order_by("code").values_list("code", flat=True)]
    providers = Provider.objects.order_by("code").values_list("code", flat=True)
    return ([SegmentFilters(cpa, "", where) for where in WHERE for cpa in areas]
            + [SegmentFilters("", provider, where) for where in WHERE
               for provider in providers])


def precompute(progress: Callable[[SegmentFilters], None] | None = None) -> int:
    """Compute and store the figures of every usual filter for today, each stored in its
    own transaction (a run stopped half way keeps what it finished, and the pages compute
    the rest on demand); returns how many filters were computed. The whole population is
    read once, in a few queries, and each filter is counted from it in memory: at national
    scale, reading is what takes the time."""
    filters = usual_filters()
    on = today()
    base = _read(population(SegmentFilters(where="all")), on)
    for one in filters:
        _store(one, _figures(base, one), on)
        if progress:
            progress(one)
    return len(filters)


def forget() -> None:
    """Drop the stored figures, so the next page computes them afresh (tests, and after
    demo data is loaded)."""
    from omp.commissioning.models import SegmentationFigures

    SegmentationFigures.objects.all().delete()


def band_words() -> tuple[list[str], list[str]]:
    """The general and violent bands' words, lowest first."""
    return [w for _, w in GENERAL_BANDS], [w for _, w in VIOLENT_BANDS]


def need_areas() -> list[tuple[str, str]]:
    """The seven pathways of need, as (code, words)."""
    return list(NEED_AREAS)
