"""The contract manager's and the OMiC lead's dashboards (issue's item 6): aggregates only,
built from the blocks the commissioner's dashboard and the contract page already use.

Contract manager: the contracts they manage, one in depth — its KPIs with their rating and
the change on the month before (``kpi_report.contract_kpis``, COM-4 applied as on the
contract page), the ratings month by month, its referrals by where they stand, its supply
chain (``queries.supply_chain``) and what is overdue (the cycle's stage past its planned
end, initial assessments past 5 working days).

OMiC lead: per prison and per PDU the handovers coming (8 weeks), in handover and with a
COM allocation overdue (the staff lists' own queries, ``decisions.handover_lists``,
counted in SQL), the case managers' caseloads (``custody.queries.caseloads``) and the
people in custody on each pathway. No case reference is shown; counts of people go through
COM-4's table control (``rules.disclosure.protect_table``) for a reader without case
access.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from omp.access import ADMIN, CASE_READERS, has_role
from omp.commissioning.dashboard import RAG_LABELS, RAG_ORDER
from omp.commissioning.kpi_report import KpiRow, MonthFigure, figure_text
from omp.commissioning.queries import contracts, disclosure_threshold
from omp.rules.disclosure import ProtectedTable, figure_suppression, protect_table
from omp.rules.kpi import working_days
from omp.rules.referral_lifecycle import STATE_WORDS

#: The GOV.UK colours the charts draw categories in, in order.
PALETTE = ["#1d70b8", "#00703c", "#d4351c", "#f47738", "#4c2c92", "#28a197", "#d53880",
           "#b58840", "#505a5f", "#85994b", "#912b88", "#003078"]
#: Working days within which an initial assessment is due (the IA5 KPI's limit).
ASSESSMENT_DAYS = 5


def vega_config() -> dict[str, Any]:
    """The charts' shared look: GOV.UK's font and sizes."""
    return {"font": "arial, sans-serif",
            "axis": {"labelFontSize": 14, "titleFontSize": 14},
            "legend": {"labelFontSize": 14, "titleFontSize": 14, "labelLimit": 320}}


def bar_chart(values: list[dict[str, Any]], category: str, measure: str, series: str,
              category_title: str, measure_title: str, series_title: str,
              domain: list[str], colours: list[str] | None = None) -> dict[str, Any]:
    """A horizontal stacked bar per ``category`` of ``measure`` by ``series``, the series
    named in a legend under it (every chart on these dashboards is one of these, with its
    table beside it)."""
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json",
            "width": "container", "height": {"step": 28}, "data": {"values": values},
            "mark": {"type": "bar"},
            "encoding": {
                # The axis is named by the table beside the chart; its labels have the room.
                "y": {"field": category, "type": "nominal", "title": None,
                      "sort": None, "axis": {"labelLimit": 220}},
                "x": {"field": measure, "type": "quantitative", "title": measure_title,
                      "axis": {"tickMinStep": 1}},
                "tooltip": [{"field": category, "title": category_title},
                            {"field": series, "title": series_title},
                            {"field": measure, "title": measure_title}],
                "color": {"field": series, "type": "nominal", "title": series_title,
                          "scale": {"domain": domain,
                                    "range": colours or PALETTE[:len(domain)]},
                          "legend": {"orient": "bottom", "columns": 2}}},
            "config": vega_config()}


@dataclass(frozen=True)
class CountRow:
    """One line of a table of counts of people: its words, and each count as shown (``None``
    where COM-4 withholds it) with why not."""

    label: str
    counts: list[int | None]
    reasons: list[str | None]
    total: int | None


@dataclass(frozen=True)
class CountTable:
    """A table of counts of people (rows × columns) as a reader may see it, with its
    totals, a note when some are withheld, and its chart."""

    columns: list[str]
    rows: list[CountRow]
    totals: list[int | None]
    total: int | None
    note: str
    chart: dict[str, Any]


def count_table(labels: list[str], columns: list[str], counts: list[list[int]],
                aggregates_only: bool, category_title: str, measure_title: str,
                series_title: str, chart_labels: list[str] | None = None,
                row_colours: list[str] | None = None) -> CountTable:
    """The counts as ``protect_table`` lets them be published (when ``aggregates_only``) or
    as they are, with a stacked bar chart of the counts shown (its bars named by
    ``chart_labels`` where the table's words are too long for an axis). With
    ``row_colours`` (a table of one column) each bar is drawn in its row's colour and the
    legend names the rows."""
    body = [list(row) for row in counts] or [[0] * len(columns)]
    protected: ProtectedTable = protect_table(
        body, disclosure_threshold() if aggregates_only else 1)
    rows = []
    for r, label in enumerate(labels):
        rows.append(CountRow(label, [protected.cell(r, c) for c in range(len(columns))],
                             [protected.reason(r, c) for c in range(len(columns))],
                             protected.row_total(r)))
    short = chart_labels or labels
    values = [{"label": short[r], "series": column, "people": row.counts[c]}
              for r, row in enumerate(rows) for c, column in enumerate(columns)
              if row.counts[c]]
    note = ""
    if protected.withheld:
        note = (f"Counts below {protected.threshold}, and the counts that would let them be "
                f"worked out from the totals, are not shown (COM-4).")
    if row_colours:
        for value in values:
            value["series"] = value["label"]
        chart = bar_chart(values, "label", "people", "series", category_title,
                          measure_title, category_title, short, row_colours)
    else:
        chart = bar_chart(values, "label", "people", "series", category_title,
                          measure_title, series_title, columns)
    return CountTable(columns, rows,
                      [protected.column_total(c) for c in range(len(columns))],
                      protected.total, note, chart)


def aggregates_only(user: Any) -> bool:
    """COM-4 applies to a reader who may not open a case record."""
    return not has_role(user, CASE_READERS)


# --- The contract manager's dashboard ------------------------------------------------


def managed_contracts(user: Any) -> QuerySet[Any]:
    """The contracts a contract manager manages (an administrator: every contract)."""
    rows = contracts().order_by("contract__name")
    return rows if has_role(user, frozenset({ADMIN})) else rows.filter(contract_manager=user)


@dataclass(frozen=True)
class KpiTrend:
    """A KPI's latest figure, the month before's and the change between them in words."""

    kpi: KpiRow
    latest: MonthFigure | None
    previous: MonthFigure | None

    @property
    def trend(self) -> str:
        """Up, down or the same on the month before, and whether that is better."""
        if self.latest is None or self.latest.value is None:
            return "No figure this month"
        if self.previous is None or self.previous.value is None:
            return "No figure the month before"
        change = self.latest.value - self.previous.value
        if change == 0:
            return "The same as the month before"
        better = (change > 0) == (self.kpi.better == "higher")
        size = figure_text(abs(change), self.kpi.unit if self.kpi.unit != "%" else "")
        points = " points" if self.kpi.unit == "%" else ""
        return (f"{'Up' if change > 0 else 'Down'} {size}{points} on the month before "
                f"({'better' if better else 'worse'})")


def kpi_trends(kpis: list[KpiRow]) -> list[KpiTrend]:
    """Each KPI's latest month against the one before."""
    return [KpiTrend(kpi, kpi.months[-1] if kpi.months else None,
                     kpi.months[-2] if len(kpi.months) > 1 else None)
            for kpi in kpis if not kpi.problem]


def ratings_by_month(kpis: list[KpiRow]) -> tuple[list[tuple[date, dict[str, int]]],
                                                  dict[str, Any]]:
    """Per month, how many of the contract's KPIs had each rating, and its chart."""
    per_month: dict[date, Counter[str]] = defaultdict(Counter)
    for kpi in kpis:
        for month in kpi.months:
            per_month[month.month][month.rag] += 1
    months = sorted(per_month)
    rows = [(month, {rag: per_month[month][rag] for rag in RAG_ORDER}) for month in months]
    values = [{"month": f"{month:%B %Y}", "rating": RAG_LABELS[rag], "kpis": n}
              for month, counts in rows for rag, n in counts.items() if n]
    chart = bar_chart(values, "month", "kpis", "rating", "Month", "KPIs", "Rating",
                      [RAG_LABELS[rag] for rag in RAG_ORDER],
                      ["#00703c", "#ffdd00", "#d4351c", "#b1b4b6"])
    return rows, chart


@dataclass(frozen=True)
class ReferralStanding:
    """The contract's sent referrals counted by where they stand, and how many have had a
    keyworker for more than ``ASSESSMENT_DAYS`` working days without an initial assessment
    held (and have not ended), as computed at ``computed_at``."""

    states: Counter[str]
    late_assessments: int
    #: The desired outcomes rated at conclusion, by level (``outcome_level_counts``).
    outcomes: Counter[str]
    computed_at: datetime


#: One sent referral as the figures count it: its state's code, whether it has ended, the
#: day its keyworker was first assigned and the day of its first initial assessment.
Summary = tuple[str, bool, date | None, date | None]


def count_standing(rows: Iterable[Summary], today: date) -> tuple[Counter[str], int]:
    """The referrals ``rows`` by state, and how many of them have an initial assessment
    overdue on ``today``."""
    states: Counter[str] = Counter()
    late = 0
    for code, ended, assigned_on, assessed_on in rows:
        states[code] += 1
        if (not ended and assessed_on is None and assigned_on is not None
                and working_days(assigned_on, today) > ASSESSMENT_DAYS):
            late += 1
    return states, late


def store_standing(contract_id: int, rows: Iterable[Summary], today: date
                   ) -> ReferralStanding:
    """Count ``rows`` (the contract ``contract_id``'s referrals) for ``today`` and keep the
    figures, replacing older ones."""
    from omp.commissioning.models import ContractReferralFigures

    states, late = count_standing(rows, today)
    outcomes = outcome_level_counts(contract_id)
    at = timezone.now()
    try:
        with transaction.atomic():
            ContractReferralFigures.objects.update_or_create(
                contract_id=contract_id,
                defaults={"computed_on": today, "computed_at": at,
                          "states": dict(sorted(states.items())), "late_assessments": late,
                          "outcomes": dict(sorted(outcomes.items()))})
    except IntegrityError:
        pass  # another process stored the same contract's figures at the same moment
    return ReferralStanding(states, late, outcomes, at)


def referral_standing(contract: Any, today: date) -> ReferralStanding:
    """The contract's referrals by where they stand and the initial assessments overdue:
    the figures stored for ``today`` when there are some (the KPI run stores every
    contract's), otherwise derived now and stored — from the summary of each referral's
    events that the KPI run's referrals source reads
    (``kpi_sources.contract_referral_summaries``), one row per referral, never one per
    event."""
    from omp.commissioning.kpi_sources import contract_referral_summaries
    from omp.commissioning.models import ContractReferralFigures

    stored = ContractReferralFigures.objects.filter(contract_id=contract.contract_id,
                                                    computed_on=today).first()
    if stored is not None:
        return ReferralStanding(Counter(stored.states), stored.late_assessments,
                                Counter(stored.outcomes), stored.computed_at)
    return store_standing(contract.contract_id,
                          contract_referral_summaries(contract.contract_id), today)


def store_standings(directory: Path, today: date) -> int:
    """Every contract's referral figures for ``today`` from the referrals source the KPI
    run wrote in ``directory`` (its rows already hold each referral's state); returns how
    many contracts were stored."""
    import pyarrow.parquet as pq

    from omp.outcomes.kpis import source_table_name
    from omp.referrals.models import Contract

    table = pq.read_table(directory / f"{source_table_name('referrals')}.parquet",
                          columns=["contract", "state", "ended_on", "keyworker_assigned_on",
                                   "initial_assessment_on"])
    of_contract: dict[str, list[Summary]] = defaultdict(list)
    for contract, state, ended_on, assigned_on, assessed_on in zip(
            *(table.column(name).to_pylist() for name in table.column_names), strict=True):
        of_contract[contract].append((state, ended_on is not None, assigned_on, assessed_on))
    stored = 0
    for reference, contract_id in Contract.objects.values_list("reference", "id"):
        store_standing(contract_id, of_contract.get(reference, []), today)
        stored += 1
    return stored


def referral_states(standing: ReferralStanding, aggregates_only: bool) -> CountTable:
    """The contract's sent referrals by where they stand now, in the order of the
    lifecycle."""
    codes = [code for code in STATE_WORDS if code != "draft"]
    return count_table([STATE_WORDS[code] for code in codes], ["Referrals"],
                       [[standing.states[code]] for code in codes], aggregates_only,
                       "Where they stand", "Referrals", "Referrals")


@dataclass(frozen=True)
class OverdueAction:
    """Something on the contract past when it was due, in words (never a person)."""

    what: str
    detail: str
    how_many: int | None = None


def overdue_actions(contract: Any, standing: ReferralStanding, today: date,
                    aggregates_only: bool) -> list[OverdueAction]:
    """The cycle's stage now past its planned end, and the referrals whose initial
    assessment is more than 5 working days after the keyworker was assigned and not held
    (a count, through COM-4 when ``aggregates_only``)."""
    from omp.rules.commissioning_cycle import STAGE_WORDS

    found = []
    plan = next((p for p in contract.stage_plans.all() if p.stage == contract.stage), None)
    if plan is not None and plan.ends_on < today:
        found.append(OverdueAction(
            f"{STAGE_WORDS[plan.stage]} stage past its planned end",
            f"Planned to end on {plan.ends_on:%-d %B %Y} (owner: {plan.owner}); the "
            f"evidence expected before moving on: {plan.evidence_expected}"))
    late = standing.late_assessments
    if late:
        withheld = figure_suppression(late, None, disclosure_threshold()) \
            if aggregates_only else None
        found.append(OverdueAction(
            "Initial assessments overdue",
            withheld or (f"{late} referral{'s' if late != 1 else ''} with a keyworker "
                         f"assigned more than {ASSESSMENT_DAYS} working days ago and no "
                         f"initial assessment held"),
            None if withheld else late))
    return found


# --- The OMiC lead's dashboard -------------------------------------------------------

HANDOVER_COLUMNS = ("upcoming", "in_handover", "com_overdue")
HANDOVER_WORDS = {"upcoming": "Due in 8 weeks", "in_handover": "In handover",
                  "com_overdue": "COM overdue"}


def handover_volumes(today: date, prison: str, pdu: str, by: str, aggregates_only: bool
                     ) -> CountTable:
    """The staff lists' cases counted per prison (``by="prison"``) or per PDU, in SQL:
    one grouped query per list. "In handover" leaves out the cases whose COM allocation
    is overdue, which have their own column."""
    from omp.cases.models import Prison
    from omp.decisions.handover_lists import ListQuery, handover_list

    key = "prison_code" if by == "prison" else "person__pdu__name"
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for kind in HANDOVER_COLUMNS:
        rows = (handover_list(ListQuery(kind=kind, prison=prison, pdu=pdu), today)
                .order_by().values(key).annotate(n=Count("pk")))
        for row in rows:
            counts[row[key] or ""][kind] = row["n"]
    # The columns are kept apart so that a row adds up: a COM allocation overdue is a case in
    # handover too, counted once, under "COM overdue".
    for found in counts.values():
        found["in_handover"] = found.get("in_handover", 0) - found.get("com_overdue", 0)
    names = dict(Prison.objects.values_list("code", "name")) if by == "prison" else {}
    order = sorted(counts, key=lambda code: (names.get(code, code) or "~").lower())
    labels = [names.get(code, code) or ("No prison recorded" if by == "prison"
                                        else "No PDU recorded") for code in order]
    return count_table(labels, [HANDOVER_WORDS[k] for k in HANDOVER_COLUMNS],
                       [[counts[code].get(k, 0) for k in HANDOVER_COLUMNS] for code in order],
                       aggregates_only, "Prison" if by == "prison" else "Probation delivery "
                       "unit", "People", "List")


def pathway_counts(prison: str, pdu: str, aggregates_only: bool) -> CountTable:
    """The people in custody on each pathway now (PATH-1), counted in SQL."""
    from omp.cases.models import CustodySpell
    from omp.decisions.models import CurrentDecision
    from omp.rules.pathway import PATHWAY_TITLES

    spells = CustodySpell.objects.filter(person_id=OuterRef("person_id"), is_current=True)
    if prison:
        spells = spells.filter(prison_code=prison)
    rows = CurrentDecision.objects.filter(Exists(spells))
    if pdu:
        rows = rows.filter(person__pdu__code=pdu)
    found = dict(rows.order_by().values_list("decision__pathway")
                 .annotate(n=Count("pk")).values_list("decision__pathway", "n"))
    keys: list[int | None] = [*sorted(PATHWAY_TITLES), None]
    labels = [PATHWAY_TITLES[k] if k else "No pathway decided (facts missing)" for k in keys]
    return count_table(labels, ["People in custody"], [[found.get(k, 0)] for k in keys],
                       aggregates_only, "Pathway", "People", "People in custody",
                       [f"Pathway {k}" if k else "No pathway" for k in keys])


@dataclass(frozen=True)
class CaseloadSummary:
    """The case managers' caseloads: each manager's counts (shown to a reader of cases
    only, being counts of people), the totals and how many are over the cap."""

    loads: list[Any]
    managers: int
    custody: int
    community: int
    over_cap: int
    mean: Decimal | None
    #: (band in words, managers whose caseload is in it): counts of staff, not people.
    bands: list[tuple[str, int]]
    chart: dict[str, Any]


def caseload_summary(cap: int) -> CaseloadSummary:
    """Every case manager's and COM's caseload now, summed."""
    from omp.custody.queries import caseloads

    loads = caseloads()
    total = sum(load.total for load in loads)
    step = max(1, cap // 4)
    edges = [(0, 0, "None")] + [(low, low + step - 1, f"{low} to {low + step - 1}")
                                for low in range(1, cap + 1, step)]
    bands = []
    for low, high, words in edges:
        top = min(high, cap)
        label = words if high <= cap else f"{low} to {cap}"
        bands.append((label, sum(1 for load in loads if low <= load.total <= top)))
    bands.append((f"Over the cap of {cap}", sum(1 for load in loads if load.total > cap)))
    chart = bar_chart([{"band": label, "managers": n, "series": "Case managers"}
                       for label, n in bands if n],
                      "band", "managers", "series", "People held", "Case managers",
                      "Counted", ["Case managers"])
    return CaseloadSummary(loads, len(loads), sum(load.custody for load in loads),
                           sum(load.community for load in loads),
                           sum(1 for load in loads if load.total > cap),
                           (Decimal(total) / len(loads)).quantize(Decimal("0.1"))
                           if loads else None, bands, chart)


def outcome_level_counts(contract_id: int) -> Counter[str]:
    """The desired outcomes rated in the latest end-of-service report of each of the
    contract ``contract_id``'s concluded referrals (the newest version with ratings, as
    ``referrals.queries.latest_outcome_levels`` takes it), counted by how far they were
    achieved in one grouped query."""
    from omp.referrals.models import EndOfServiceOutcome, ReferralEvent

    concluded = ReferralEvent.objects.filter(referral__service__contract_id=contract_id,
                                             kind="concluded").values("referral_id")
    newest = (EndOfServiceOutcome.objects
              .filter(report__referral_id=OuterRef("report__referral_id"))
              .order_by("-report__version").values("report__version")[:1])
    return Counter(dict(EndOfServiceOutcome.objects
                        .filter(report__referral_id__in=concluded,
                                report__version=Subquery(newest))
                        .order_by().values("achievement").annotate(n=Count("pk"))
                        .values_list("achievement", "n")))


def contract_outcomes(levels: Counter[str], aggregates_only: bool) -> CountTable:
    """The contract's desired outcomes rated at conclusion (``outcome_level_counts``), by
    how far they were achieved (REF-6a), as counts through COM-4 when
    ``aggregates_only``."""
    from omp.rules.referral_outcomes import ACHIEVEMENT_WORDS

    # Achieved green, partly achieved orange, not achieved red: the order of the levels.
    return count_table(list(ACHIEVEMENT_WORDS.values()), ["Desired outcomes"],
                       [[levels[level]] for level in ACHIEVEMENT_WORDS], aggregates_only,
                       "How far achieved", "Desired outcomes", "Desired outcomes",
                       row_colours=["#00703c", "#f47738", "#d4351c"])


@dataclass(frozen=True)
class StatementLine:
    """One cohort's payment statement for the contract's area, as the outcomes results
    hold it: the version adjusted for case mix where there is one (``None`` figures where
    the cohort is withheld under COM-4)."""

    cohort: str
    adjusted: bool
    figures: dict[str, Any]
    withheld: str | None


#: The statement's figures the dashboard shows, in order, with their words.
STATEMENT_FIGURES = (("binary_rate", "Binary rate (%)"), ("binary_target", "Target (%)"),
                     ("fee_for_service", "Fee for service"),
                     ("binary_payment", "Binary payment"),
                     ("frequency_payment", "Frequency payment"),
                     ("total_payment", "Total payment"))


def contract_statement(contract: Any, data_dir: Any) -> tuple[list[StatementLine],
                                                              Any, str | None]:
    """The payment statements of the contract's contract package area in the outcomes
    results (every cohort, oldest first), the time they were computed, and why there are
    none when there are none."""
    from omp.outcomes.stored_results import NotComputed, stored_catalogue, stored_results

    if contract.cpa is None:
        return [], None, ("The contract is not let in a contract package area, and payment "
                          "by results is measured per area.")
    try:
        result_set, catalogue = stored_catalogue(data_dir)
    except NotComputed:
        return [], None, "The outcomes results have not been computed yet."
    place = next((p for p in catalogue.places if p.kind == "cpa"
                  and (p.code == contract.cpa.code or p.name == contract.cpa.name)), None)
    if place is None:
        return [], result_set.computed_at, (f"The outcomes results hold no cohort for "
                                            f"{contract.cpa.name}.")
    _, results = stored_results(data_dir, place.slug)
    lines = []
    for row in results.statements:
        version = row.adjusted or row.unadjusted
        figures = version.statement.figures() if version is not None else {}
        lines.append(StatementLine(row.label, row.adjusted is not None,
                                   {key: figures.get(key) for key, _ in STATEMENT_FIGURES},
                                   row.suppressed))
    return lines, result_set.computed_at, None if lines else (
        f"The outcomes results hold no payment statement for {contract.cpa.name}.")
