"""Monitoring for gaming (OUT-6): parking and cherry-picking, transfer gaming, duplicate work.

Payment by results pays for a cohort's reoffending, so a provider could be tempted to give
less support to the people least likely to succeed ("parking"), more to the easy ones
("cherry-picking"), to move hard cases to another prison before release so that they are
counted elsewhere ("transfer gaming"), or two agencies could work on the same need of the same
person at once ("duplication"; seed 003, "'Parking', 'cherry-picking' and transfers" and
"Partnerships"). Each check here is an Ibis expression over the analytics tables, so the same
definition runs on DuckDB and on Spark; the figures it returns are then suppressed for small
counts (COM-4) and read out in plain words.

Inputs (Parquet tables of the analytics data directory):
- ``support_contacts(case_ref, prison_code, pathway, risk_band, contact_date, minutes)``
- ``transfers(case_ref, from_prison, to_prison, transfer_date, release_date, risk_band)``
- ``need_work(case_ref, need, agency, start_date, end_date)`` (``end_date`` empty: ongoing)
- ``index_events(case_ref, prison_code, index_date, ogrs3)``: the releases (OGRS3 in percent)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import ibis
from ibis import _
from ibis.expr.types import BooleanValue, NumericValue, StringValue, Table

from omp.outcomes.engine import ENGINES, Engine
from omp.outcomes.results import prison_names
from omp.rules.disclosure import MIN_COUNT
from omp.rules.gaming_thresholds import INTENSITY_THRESHOLD, TRANSFER_WEEKS
from omp.rules.multiple_comparisons import (
    FALSE_DISCOVERY_RATE,
    benjamini_hochberg,
    share_above_p_value,
)
from omp.rules.needs import ANALYTICS_NEED_WORDS

RULE = "OUT-6"
#: COM-4: a figure about fewer than this many people is not shown to anyone reading
#: aggregates; a group this small is not judged either (a flag on it would reveal it).
MIN_PEOPLE = MIN_COUNT
#: The two-sided 95% normal quantile, for the intervals of the transfer check.
Z95 = 1.959964
RISK_BANDS = ("low", "medium", "high")
#: NEED-1: the seven needs, in the words people use (``omp.rules.needs``).
NEEDS = ANALYTICS_NEED_WORDS
PARKING = "possible parking"
CHERRY_PICKING = "possible cherry-picking"
#: Shown in place of a suppressed figure, as in official statistics.
SUPPRESSED = "[c]"


class GamingInputError(ValueError):
    """A table or option the checks cannot use; the message names the table or field."""


def ogrs_band(ogrs3: NumericValue) -> StringValue:
    """NEED-2: the OGRS band of an OGRS3 score given in percent.

    High is 60% and above (0.6–1.0), medium 20% up to 60% (0.2–0.6), low below 20%; a
    missing score has no band. The seed's ranges meet at 0.2 and 0.6: "low below 0.2" puts
    0.2 in medium, and 0.6 goes to high in the same way. NaN counts as missing: Spark
    orders NaN above every number, so ``NaN >= 60`` would otherwise be true there.
    """
    score = ogrs3.cast("float64")
    known = score.notnull() & ~score.isnan()
    return ibis.cases((known & (score >= 60), "high"), (known & (score >= 20), "medium"),
                      (known & (score >= 0), "low"))


def _band_rank(band: StringValue) -> Any:
    return ibis.cases((band == "low", 0), (band == "medium", 1), (band == "high", 2), else_=3)


def _require(table: Table, name: str, columns: Iterable[str]) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise GamingInputError(f"{name}: missing column(s) {', '.join(missing)}")


def _month_number(day: Any) -> Any:
    return day.year() * 12 + day.month()


# --- 1. Intensity of support by pathway and risk band (parking, cherry-picking) ------------


def support_intensity(contacts: Table, caseload: Table | None = None, *,
                      threshold: float = INTENSITY_THRESHOLD,
                      min_people: int = MIN_PEOPLE) -> Table:
    """OUT-6: contacts and minutes per person per month by pathway (PATH-1) and risk band.

    Each band is compared with its own pathway as a whole, because the pathways are meant to
    differ (pathway 3 gets the most intensive support by design, seed 003). ``minutes_ratio``
    is the band's minutes per person over the pathway's; a medium- or high-risk band below
    ``threshold`` is flagged as possible parking, a low-risk band above ``1 / threshold`` as
    possible cherry-picking. Groups of fewer than ``min_people`` people are not flagged.

    A month is a calendar month of the period the contacts span, the same for every band.
    ``caseload(case_ref, pathway, risk_band)``, when given, lists everyone on a pathway so
    that people who had no contact at all count, with none: the plainest parking of all.

    A contact with no pathway (the snapshot's sessions with a person out of custody: PATH-1
    puts only people in custody on a pathway) has no pathway to be compared with, and is
    left out, months included.
    """
    _require(contacts, "support_contacts",
             ("case_ref", "pathway", "risk_band", "contact_date", "minutes"))
    contacts = contacts.filter(contacts.pathway.notnull())
    period = contacts.aggregate(
        months=_month_number(_.contact_date.max()) - _month_number(_.contact_date.min()) + 1)
    per_person = contacts.group_by("pathway", "risk_band", "case_ref").aggregate(
        contacts=_.count(), minutes=_.minutes.sum())
    if caseload is not None:
        _require(caseload, "caseload", ("case_ref", "pathway", "risk_band"))
        keys = ("pathway", "risk_band", "case_ref")
        everyone = caseload.select(*keys).union(per_person.select(*keys)).distinct()
        per_person = everyone.left_join(per_person, list(keys)).select(
            *keys, contacts=_.contacts.coalesce(0), minutes=_.minutes.coalesce(0))
    cells = per_person.group_by("pathway", "risk_band").aggregate(
        people=_.count(), contacts=_.contacts.sum(), minutes=_.minutes.sum())
    pathways = per_person.group_by("pathway").aggregate(
        pathway_people=_.count(), pathway_contacts=_.contacts.sum(),
        pathway_minutes=_.minutes.sum())
    joined = cells.join(pathways, "pathway").cross_join(period)
    rates = joined.mutate(
        contacts_per_person_month=_.contacts / _.people / _.months,
        minutes_per_person_month=_.minutes / _.people / _.months,
        pathway_contacts_per_person_month=_.pathway_contacts / _.pathway_people / _.months,
        pathway_minutes_per_person_month=_.pathway_minutes / _.pathway_people / _.months,
    )
    ratios = rates.mutate(
        contacts_ratio=(_.contacts / _.people)
        / (_.pathway_contacts / _.pathway_people).nullif(0),
        minutes_ratio=(_.minutes / _.people) / (_.pathway_minutes / _.pathway_people).nullif(0),
    )
    judged = ratios.people >= min_people
    flagged = ratios.mutate(flag=ibis.cases(
        (judged & ratios.risk_band.isin(("medium", "high")) & (ratios.minutes_ratio < threshold),
         PARKING),
        (judged & (ratios.risk_band == "low") & (ratios.minutes_ratio > 1 / threshold),
         CHERRY_PICKING),
    ))
    return flagged.order_by("pathway", _band_rank(flagged.risk_band)).select(
        "pathway", "risk_band", "people", "contacts", "minutes", "months",
        "contacts_per_person_month", "minutes_per_person_month",
        "pathway_people", "pathway_contacts_per_person_month",
        "pathway_minutes_per_person_month", "contacts_ratio", "minutes_ratio", "flag")


# --- 2. Transfers out before release, by risk band (transfer gaming) -----------------------


@dataclass(frozen=True)
class Baseline:
    """What a prison's transfer pattern is compared with (OUT-6).

    ``Baseline()`` compares each prison with all the other prisons over the same releases;
    ``Baseline(start, end, current_start, current_end)`` compares each prison's releases in
    the current period with its own releases in the baseline period (days inclusive).
    """

    start: date | None = None
    end: date | None = None
    current_start: date | None = None
    current_end: date | None = None

    def __post_init__(self) -> None:
        given = [d is not None for d in (self.start, self.end, self.current_start,
                                         self.current_end)]
        if any(given) and not all(given):
            raise GamingInputError("baseline: give the baseline period and the current period "
                                   "(four dates), or none to compare with the other prisons")
        if all(given):
            assert self.start and self.end and self.current_start and self.current_end
            if self.start > self.end or self.current_start > self.current_end:
                raise GamingInputError("baseline: a period ends before it starts")

    @property
    def is_period(self) -> bool:
        """True when the baseline is a period of the same prison, not the other prisons."""
        return self.start is not None

    def label(self) -> str:
        """The baseline in words, for tables and readings."""
        if not self.is_period:
            return "the other prisons"
        return f"its own releases from {self.start:%-d %b %Y} to {self.end:%-d %b %Y}"


def _wilson(successes: Any, trials: Any, z: float = Z95) -> tuple[Any, Any]:
    """The Wilson score interval of a share; null for no trials."""
    n = trials.nullif(0).cast("float64")
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)).sqrt() / (1 + z * z / n)
    return centre - half, centre + half


def _population(transfers: Table, releases: Table, weeks: int) -> Table:
    """One row per person, prison and release: who was in each prison ``weeks`` weeks before
    release, and whether they were transferred out of it before release (OUT-6).

    People released from a prison were there (or came in later); people transferred out of it
    between ``weeks`` weeks before release and the day of release were there too, and are
    the ones moved out. The window includes both ends: a transfer exactly ``weeks`` weeks
    before release counts.
    """
    _require(transfers, "transfers",
             ("case_ref", "from_prison", "transfer_date", "release_date", "risk_band"))
    _require(releases, "index_events", ("case_ref", "prison_code", "index_date", "ogrs3"))
    if "index_kind" in releases.columns:
        releases = releases.filter(releases.index_kind == "discharge")
    released = releases.select(
        case_ref=_.case_ref, prison=_.prison_code, risk_band=ogrs_band(_.ogrs3),
        release_date=_.index_date, moved_out=ibis.literal(0))
    window_start = transfers.release_date - ibis.interval(days=7 * weeks)
    moved = transfers.filter(
        transfers.transfer_date <= transfers.release_date,
        transfers.transfer_date >= window_start,
    ).select(case_ref=_.case_ref, prison=_.from_prison, risk_band=_.risk_band,
             release_date=_.release_date, moved_out=ibis.literal(1))
    return released.union(moved).filter(_.risk_band.notnull()).group_by(
        "prison", "risk_band", "case_ref", "release_date").aggregate(moved_out=_.moved_out.max())


def transfers_before_release(transfers: Table, releases: Table, *,
                             weeks: int = TRANSFER_WEEKS,
                             baseline: Baseline | None = None,
                             min_people: int = MIN_PEOPLE,
                             prison: str | None = None) -> Table:
    """OUT-6: the share of each prison's people transferred out within ``weeks`` weeks before
    release, by risk band, against the baseline (the other prisons, or a baseline period).

    The difference of the two shares has a 95% interval (Newcombe's method from two Wilson
    intervals, sound for small shares); a band ``exceeds_baseline`` when the whole interval is
    above zero.

    A high-risk band is ``compared`` when it has at least ``min_people`` people and so has
    its baseline: those are the comparisons tested together (see :func:`judge_transfers`).
    It is ``judged``, and may be flagged, only when the figures a flag would be about are
    publishable (COM-4): besides, at least ``min_people`` of its people transferred out. A
    smaller band is suppressed, never flagged. How many the baseline transferred is not
    held to that: a prison's own past in which it moved few people out, or an estate that
    rarely transfers, is exactly what gaming stands out against, so requiring ten transfers
    there would let a prison escape the check because it used to behave; that count is
    suppressed where small, like any other. ``prison`` keeps that prison's rows only (the
    baseline still comes from every prison).

    Whether a judged band is flagged is decided across all compared prisons at once by
    :func:`judge_transfers`, which corrects for testing every prison: with twenty prisons
    about one high-risk band in forty would exceed its baseline by chance alone.
    """
    if weeks < 1:
        raise GamingInputError("weeks: must be a whole number of weeks, 1 or more")
    baseline = baseline or Baseline()
    people = _population(transfers, releases, weeks)
    if baseline.is_period:
        in_current = people.release_date.between(baseline.current_start, baseline.current_end)
        in_baseline = people.release_date.between(baseline.start, baseline.end)
        people = people.mutate(period=ibis.cases((in_current, "current"),
                                                 (in_baseline, "baseline")))
        cells = people.filter(_.period.notnull()).group_by(
            "prison", "risk_band", "period").aggregate(people=_.count(),
                                                        transferred=_.moved_out.sum())
        current = cells.filter(_.period == "current").drop("period")
        before = cells.filter(_.period == "baseline").select(
            "prison", "risk_band", baseline_people=_.people,
            baseline_transferred=_.transferred)
        compared = current.left_join(before, ["prison", "risk_band"]).select(
            "prison", "risk_band", "people", "transferred",
            baseline_people=_.baseline_people.coalesce(0),
            baseline_transferred=_.baseline_transferred.coalesce(0))
    else:
        cells = people.group_by("prison", "risk_band").aggregate(
            people=_.count(), transferred=_.moved_out.sum())
        bands = people.group_by("risk_band").aggregate(
            all_people=_.count(), all_transferred=_.moved_out.sum())
        compared = cells.join(bands, "risk_band").select(
            "prison", "risk_band", "people", "transferred",
            baseline_people=_.all_people - _.people,
            baseline_transferred=_.all_transferred - _.transferred)
    shares = compared.mutate(
        share=_.transferred / _.people.nullif(0).cast("float64"),
        baseline_share=_.baseline_transferred / _.baseline_people.nullif(0).cast("float64"))
    low1, high1 = _wilson(shares.transferred, shares.people)
    low0, high0 = _wilson(shares.baseline_transferred, shares.baseline_people)
    difference = shares.share - shares.baseline_share
    intervals = shares.mutate(
        difference=difference,
        difference_low=difference - ((shares.share - low1) ** 2
                                     + (high0 - shares.baseline_share) ** 2).sqrt(),
        difference_high=difference + ((high1 - shares.share) ** 2
                                      + (shares.baseline_share - low0) ** 2).sqrt(),
    )
    exceeds: BooleanValue = (intervals.difference_low > 0).coalesce(False)
    compared = ((intervals.risk_band == "high") & (intervals.people >= min_people)
                & (intervals.baseline_people >= min_people))
    judged = compared & (intervals.transferred >= min_people)
    result = intervals.mutate(exceeds_baseline=exceeds, compared=compared.coalesce(False),
                              judged=judged.coalesce(False),
                              weeks=ibis.literal(weeks), baseline=ibis.literal(baseline.label()))
    if prison is not None:
        result = result.filter(result.prison == prison)
    return result.order_by("prison", _band_rank(result.risk_band)).select(
        "prison", "risk_band", "weeks", "people", "transferred", "share", "baseline",
        "baseline_people", "baseline_transferred", "baseline_share", "difference",
        "difference_low", "difference_high", "exceeds_baseline", "compared", "judged")


def judge_transfers(rows: Sequence[dict[str, Any]],
                    rate: float = FALSE_DISCOVERY_RATE) -> list[dict[str, Any]]:
    """OUT-6: which prisons' high-risk bands are flagged as possible transfer gaming, all
    prisons judged together. Each compared band (see :func:`transfers_before_release`) gets
    the one-sided p-value that its share is no higher than its baseline's (Fisher's exact
    test); the p-values of all compared bands are corrected together by Benjamini–Hochberg
    (``p_corrected``), and a band is ``flagged`` when it is judged (its counts publishable),
    its corrected p-value is at most ``rate`` and its 95% interval lies above zero. Copies
    of ``rows`` come back, with ``p_value``, ``p_corrected``, ``flagged`` and ``tested``
    (how many bands were compared together).

    Judging a prison alone against its 95% interval is not enough: with every prison tested
    at once, some interval clears zero by chance in most runs. The correction keeps the
    expected share of false flags among all flags at ``rate``. Which bands are corrected
    together is decided by how many people there are, never by how many were moved out:
    leaving out the bands that moved fewer than ten would leave in only those that happened
    to move more, and the survivors would clear the correction by chance too often. Those
    bands are tested, and only their flag is withheld (COM-4). The interval is kept as a
    further condition so that a flag always comes with a difference whose whole interval is
    above zero, as the reading says."""
    if not 0 < rate < 1:
        raise GamingInputError(f"rate: must be between 0 and 1, not {rate}")
    compared = [index for index, row in enumerate(rows) if row.get("compared")]
    p_values = [share_above_p_value(int(rows[i]["transferred"]), int(rows[i]["people"]),
                                    int(rows[i]["baseline_transferred"]),
                                    int(rows[i]["baseline_people"])) for i in compared]
    corrected = dict(zip(compared, benjamini_hochberg(p_values), strict=True))
    plain = dict(zip(compared, p_values, strict=True))
    result = []
    for index, row in enumerate(rows):
        p_corrected = corrected.get(index)
        result.append({**row, "p_value": plain.get(index), "p_corrected": p_corrected,
                       "tested": len(compared),
                       "flagged": bool(row.get("judged") and p_corrected is not None
                                       and p_corrected <= rate
                                       and row.get("exceeds_baseline"))})
    return result


# --- 3. The same need worked on by two agencies at once (duplication) ----------------------


def _overlapping_work(need_work: Table, as_of: date | None) -> Table:
    """Pairs of spells of work on the same person's same need by two different agencies whose
    date ranges share at least one day (both ends inclusive: a spell ending on the day the
    other starts overlaps by one day; a spell ending the day before does not)."""
    _require(need_work, "need_work", ("case_ref", "need", "agency", "start_date", "end_date"))
    if as_of is None:
        latest = need_work.aggregate(
            as_of=ibis.greatest(_.start_date.max(), _.end_date.max().coalesce(_.start_date.max())))
        spells = need_work.cross_join(latest)
        spells = spells.mutate(until=spells.end_date.coalesce(spells.as_of))
    else:
        spells = need_work.mutate(until=need_work.end_date.coalesce(ibis.literal(as_of)))
    # A spell that ends before it starts is bad data, not work: it overlaps nothing.
    spells = spells.filter(spells.until >= spells.start_date)
    a = spells.select(case_ref="case_ref", need="need", agency_a="agency",
                      start_a="start_date", end_a="until")
    b = spells.select(case_ref_b="case_ref", need_b="need", agency_b="agency",
                      start_b="start_date", end_b="until")
    pairs = a.join(b, [a.case_ref == b.case_ref_b, a.need == b.need_b,
                       a.agency_a < b.agency_b,  # two agencies, each pair once
                       a.start_a <= b.end_b, b.start_b <= a.end_a])
    return pairs.select(
        "case_ref", "need", "agency_a", "agency_b",
        overlap_start=ibis.greatest(_.start_a, _.start_b),
        overlap_end=ibis.least(_.end_a, _.end_b),
    ).mutate(overlap_days=_.overlap_end.delta(_.overlap_start, unit="day") + 1)


def duplicate_work(need_work: Table, *, as_of: date | None = None) -> Table:
    """OUT-6: by need (NEED-1) and pair of agencies, how many people had the same need worked
    on by both at once, in how many overlapping pairs of spells, for how many days in all.

    Ongoing work (no end date) runs to ``as_of``, by default the latest date in the table.
    """
    pairs = _overlapping_work(need_work, as_of)
    return pairs.group_by("need", "agency_a", "agency_b").aggregate(
        people=_.case_ref.nunique(), overlaps=_.count(), overlap_days=_.overlap_days.sum(),
    ).order_by(ibis.desc("people"), "need", "agency_a", "agency_b")


def duplicate_work_examples(need_work: Table, *, per_pair: int = 3,
                            as_of: date | None = None) -> Table:
    """OUT-6: up to ``per_pair`` case references for each need and pair of agencies, the
    longest overlaps first, so staff can look at real cases. Case references only, and only
    for roles that may read cases: commissioners see aggregates (COM-4)."""
    if per_pair < 1:
        raise GamingInputError("per_pair: must be 1 or more")
    pairs = _overlapping_work(need_work, as_of)
    cases = pairs.group_by("need", "agency_a", "agency_b", "case_ref").aggregate(
        overlap_start=_.overlap_start.min(), overlap_days=_.overlap_days.sum())
    ranked = cases.mutate(rank=ibis.row_number().over(ibis.window(
        group_by=["need", "agency_a", "agency_b"],
        order_by=[ibis.desc("overlap_days"), "case_ref"])))
    return ranked.filter(ranked["rank"] < per_pair).drop("rank").order_by(
        "need", "agency_a", "agency_b", ibis.desc("overlap_days"), "case_ref")


# --- Suppression (COM-4) and readings ----------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a check's table: its key in the rows and its heading."""

    key: str
    label: str
    kind: str = "number"  # number, share, ratio, points, rate, text, band, need, flag


@dataclass
class CheckResult:
    """One check's figures, suppressed for small counts (COM-4), and its reading in words."""

    key: str
    title: str
    summary: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    readings: list[str]
    examples: list[dict[str, Any]] = field(default_factory=list)
    rule: str = RULE

    @property
    def flagged(self) -> int:
        """How many rows the check flagged."""
        return sum(1 for row in self.rows if row.get("flag") or row.get("flagged"))


def suppress(rows: Sequence[dict[str, Any]], rules: dict[str, Sequence[str]],
             minimum: int = MIN_PEOPLE) -> list[dict[str, Any]]:
    """COM-4: copies of ``rows`` in which every figure that depends on a count of people below
    ``minimum`` is ``None``. ``rules`` maps each count column to the columns it reveals
    (itself included); a zero is not suppressed, as it identifies nobody."""
    result = []
    for row in rows:
        shown = dict(row)
        hidden: set[str] = set()
        for count, dependants in rules.items():
            value = row.get(count)
            if value is not None and 0 < value < minimum:
                hidden.update(dependants)
        for column in hidden:
            shown[column] = None
        shown["suppressed"] = sorted(hidden)
        result.append(shown)
    return result


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


#: NEED-2: the OGRS bands in words, as tables, charts and legends show them.
BAND_WORDS = {"low": "Low", "medium": "Medium", "high": "High"}


def _band_words(band: str) -> str:
    return {"low": "Low-risk", "medium": "Medium-risk", "high": "High-risk"}.get(band, band)


INTENSITY_SUPPRESSION = {
    "people": ("people", "contacts", "minutes", "contacts_per_person_month",
               "minutes_per_person_month", "contacts_ratio", "minutes_ratio"),
    "pathway_people": ("pathway_people", "pathway_contacts_per_person_month",
                       "pathway_minutes_per_person_month"),
}
#: The p-values are worked out from the four counts, so a small count would show through
#: them as it would through a share: they are suppressed with it.
_COMPARISON = ("difference", "difference_low", "difference_high", "p_value", "p_corrected")
TRANSFER_SUPPRESSION = {
    "people": ("people", "transferred", "share", *_COMPARISON),
    "transferred": ("transferred", "share", *_COMPARISON),
    "baseline_people": ("baseline_people", "baseline_transferred", "baseline_share",
                        *_COMPARISON),
    "baseline_transferred": ("baseline_transferred", "baseline_share", *_COMPARISON),
}
DUPLICATION_SUPPRESSION = {"people": ("people", "overlaps", "overlap_days")}


FLAG_WORDS = {True: "Flagged", False: "", None: ""}
#: Columns of words, aligned left; every other kind is a figure, aligned right.
WORD_KINDS = ("text", "flag", "need", "band")


def figure_in_words(value: Any, kind: str, suppressed: bool = False) -> str:
    """A figure of a check's table as the monitoring page, its CSV and ``omp gaming`` show
    it: bands and needs in words, shares as percentages, ``[c]`` where suppressed (COM-4).
    ``kind`` is the column's (see :class:`Column`)."""
    if suppressed:
        return SUPPRESSED
    if kind == "flag":  # no flag reads the same, blank, in every check
        return FLAG_WORDS[value] if value in FLAG_WORDS else str(value)
    if value is None:
        return "–"
    if kind == "need":
        return NEEDS.get(value, str(value))
    if kind == "band":
        return BAND_WORDS.get(value, str(value))
    if kind == "text":
        return str(value)
    if kind == "share":
        return f"{value:.1%}"
    if kind == "ratio":
        return f"{value:.0%}"
    if kind == "points":
        return f"{value * 100:+.1f} points"
    if kind == "rate":
        # Two significant figures below 1, kept when the second is a nought (0.050 beside
        # 0.049), so a small rate is not shown as 0.0 beside minutes that are not (0.043
        # contacts, 2.4 minutes); below 0.01, in words, not in exponent notation (4e-05).
        if value == 0 or abs(value) >= 0.995:
            return f"{value:,.1f}"
        return f"{value:#.2g}" if abs(value) >= 0.01 else "fewer than 0.01"
    return f"{value:,}"


def intensity_readings(rows: Sequence[dict[str, Any]],
                       threshold: float = INTENSITY_THRESHOLD) -> list[str]:
    """The intensity check in plain words: one sentence per flagged band, or why none is."""
    readings = []
    for row in rows:
        ratio = row.get("minutes_ratio")
        if not row.get("flag") or ratio is None:
            continue
        pathway, band = row["pathway"], _band_words(row["risk_band"])
        if row["flag"] == PARKING:
            readings.append(
                f"{band} people on pathway {pathway} got {_percent(1 - ratio)} fewer support "
                f"minutes per person than pathway {pathway} as a whole: {PARKING} (OUT-6).")
        else:
            readings.append(
                f"{band} people on pathway {pathway} got {_percent(ratio - 1)} more support "
                f"minutes per person than pathway {pathway} as a whole: {CHERRY_PICKING} "
                "(OUT-6).")
    if not readings:
        readings.append(
            "No medium- or high-risk band got less than "
            f"{_percent(threshold)} of its pathway's support minutes per person, and no "
            f"low-risk band more than {_percent(1 / threshold)}: no sign of parking or "
            "cherry-picking (OUT-6).")
    return readings


def _against(label: str) -> str:
    return f"at {label}" if label == Baseline().label() else f"in {label}"


def transfer_readings(rows: Sequence[dict[str, Any]], weeks: int = TRANSFER_WEEKS,
                      prison_names: Mapping[str, str] | None = None,
                      rate: float = FALSE_DISCOVERY_RATE) -> list[str]:
    """The transfer check in plain words (rows from :func:`judge_transfers`, suppressed or
    not): one sentence per flagged prison (by name when ``prison_names`` has it), or why
    none is; how many were tested together, how many exceeded their baseline taken alone
    but not once every comparison is allowed for, and how many were too small to judge
    (COM-4)."""
    readings = []
    high = [row for row in rows if row.get("risk_band") == "high"]
    for row in high:
        if not row.get("flagged"):
            continue
        name = (prison_names or {}).get(row["prison"], row["prison"])
        start = (f"{_percent(row['share'])} of high-risk people at {name} were transferred "
                 f"out within {weeks} weeks before release")
        if row.get("baseline_share") is None or row.get("difference_low") is None:
            # The baseline moved out fewer than ten people: its figures are not shown
            # (COM-4), but the flag, which is about this prison's own figures, stands.
            readings.append(
                f"{start}, more often than {_against(row['baseline'])} beyond natural "
                f"variation (95% interval); the baseline's figures involve fewer than "
                f"{MIN_COUNT} people and are not shown: possible transfer gaming (OUT-6).")
            continue
        readings.append(
            f"{start}, against {_percent(row['baseline_share'])} {_against(row['baseline'])}: "
            f"{row['difference_low'] * 100:.1f} to {row['difference_high'] * 100:.1f} points "
            "more (95% interval), beyond natural variation: possible transfer gaming (OUT-6).")
    if not readings:
        readings.append(
            f"No prison transferred high-risk people out within {weeks} weeks before release "
            "more often than its baseline beyond natural variation: no sign of transfer "
            "gaming (OUT-6).")
    tested = sum(1 for row in high if row.get("compared"))
    chance = sum(1 for row in high if row.get("judged") and row.get("exceeds_baseline")
                 and not row.get("flagged"))
    if tested == 1:
        readings.append(
            "Only 1 prison had enough people to be tested, so no correction for testing "
            f"several at once was needed (a false discovery rate of {_percent(rate)}).")
    elif tested:
        readings.append(
            f"{tested} prisons were tested together, so "
            "a flag must stand after the Benjamini–Hochberg correction for testing them all "
            f"at once (a false discovery rate of {_percent(rate)})"
            + (f"; {chance} more {'was' if chance == 1 else 'were'} above "
               f"{'its' if chance == 1 else 'their'} baseline taken alone (95% interval), "
               "but not beyond chance once every comparison is allowed for, so not flagged."
               if chance else "."))
    # Not judged, yet moved someone out: a suppressed count (None) is between 1 and 9.
    unjudged = [row for row in high if not row.get("judged")
                and (row.get("transferred") is None or row["transferred"] > 0)]
    few_here = sum(1 for row in unjudged
                   if row.get("transferred") is None or row["transferred"] < MIN_COUNT)
    few_before = len(unjudged) - few_here
    if few_here:
        readings.append(
            f"{few_here} {'prison' if few_here == 1 else 'prisons'} transferred or released "
            f"fewer than {MIN_COUNT} high-risk people: too few to judge, so those figures are "
            "not shown and not flagged (COM-4).")
    if few_before:
        label = high[0].get("baseline") or Baseline().label()
        readings.append(
            f"{few_before} {'prison' if few_before == 1 else 'prisons'} had fewer than "
            f"{MIN_COUNT} high-risk people {_against(label)} to compare with: too few to judge, "
            "so not flagged (COM-4).")
    return readings


def duplication_readings(rows: Sequence[dict[str, Any]], most: int = 3) -> list[str]:
    """The duplication check in plain words: the needs most often worked on twice at once.
    Only a pair with a publishable count (at least ``MIN_COUNT`` people, COM-4) is read as
    possible duplication; smaller ones are counted, too few to act on, never flagged."""
    readings = []
    publishable = [row for row in rows
                   if row.get("people") is not None and row["people"] >= MIN_COUNT]
    small = len(rows) - len(publishable)
    for row in publishable[:most]:
        need = NEEDS.get(row["need"], row["need"])
        readings.append(
            f"{need}: {row['agency_a']} and {row['agency_b']} worked on it at the same time "
            f"for {row['people']} people: possible duplication (OUT-6).")
    if len(publishable) > most:
        more = len(publishable) - most
        readings.append(f"… and {more} more {'pair' if more == 1 else 'pairs'} of agencies "
                        "on a need.")
    if small:
        readings.append(
            f"{small} {'pair' if small == 1 else 'pairs'} of agencies worked on a need at the "
            f"same time for fewer than {MIN_COUNT} people each: too few to tell duplication "
            "from chance, so not flagged (COM-4).")
    if not rows:
        readings.append("No need was worked on by two agencies at once (OUT-6).")
    return readings


# --- Running the checks ------------------------------------------------------------------

#: The tables the checks read, in the analytics data directory.
TABLES = ("support_contacts", "transfers", "need_work", "index_events")


def run_checks(table: Callable[[str], Table], rows: Callable[[Table], list[dict[str, Any]]],
               *, weeks: int = TRANSFER_WEEKS, threshold: float = INTENSITY_THRESHOLD,
               baseline: Baseline | None = None, with_examples: bool = False,
               caseload: Table | None = None, prison: str | None = None) -> list[CheckResult]:
    """Run the three OUT-6 checks: ``table(name)`` gives an input table, ``rows(expr)`` runs an
    expression on its engine. Figures come back suppressed (COM-4) and read out; case
    references are included only ``with_examples`` (for roles that may read cases)."""
    baseline = baseline or Baseline()
    intensity = suppress(rows(support_intensity(table("support_contacts"), caseload,
                                                threshold=threshold)), INTENSITY_SUPPRESSION)
    moves = suppress(judge_transfers(rows(transfers_before_release(
        table("transfers"), table("index_events"), weeks=weeks, baseline=baseline,
        prison=prison))), TRANSFER_SUPPRESSION)
    names = prison_names()
    for row in moves:  # the prison by name on the page and beside its code in the CSV
        row["prison_name"] = names.get(row["prison"], row["prison"])
    need_work = table("need_work")
    duplicates = suppress(rows(duplicate_work(need_work)), DUPLICATION_SUPPRESSION)
    examples = rows(duplicate_work_examples(need_work)) if with_examples else []
    return [
        CheckResult(
            "intensity", "Intensity of support by pathway and risk band",
            f"Contacts and minutes per person per month; a medium- or high-risk band below "
            f"{_percent(threshold)} of its pathway's minutes per person is flagged as possible "
            f"parking, a low-risk band above {_percent(1 / threshold)} as possible "
            "cherry-picking.",
            [Column("pathway", "Pathway", "text"), Column("risk_band", "Risk band", "band"),
             Column("people", "People"), Column("contacts_per_person_month",
                                                "Contacts per person per month", "rate"),
             Column("minutes_per_person_month", "Minutes per person per month", "rate"),
             Column("pathway_minutes_per_person_month",
                    "Pathway minutes per person per month", "rate"),
             Column("minutes_ratio", "Against the pathway", "ratio"),
             Column("flag", "Flag", "flag")],
            intensity, intensity_readings(intensity, threshold)),
        CheckResult(
            "transfers", "Transfers out before release by risk band",
            f"Share of people transferred out within {weeks} weeks before release, against "
            f"{baseline.label()}; a high-risk share above the baseline beyond the 95% interval, "
            "and beyond chance once every prison tested is allowed for (Benjamini–Hochberg), "
            "is flagged as possible transfer gaming. A prison with fewer than "
            f"{MIN_COUNT} high-risk people transferred or released is not judged.",
            [Column("prison_name", "Prison", "text"), Column("risk_band", "Risk band", "band"),
             Column("people", "People"), Column("transferred", "Transferred out"),
             Column("share", "Share", "share"), Column("baseline_share", "Baseline share",
                                                       "share"),
             Column("difference_low", "Difference, 95% low", "points"),
             Column("difference_high", "Difference, 95% high", "points"),
             Column("flagged", "Flag", "flag")],
            moves, transfer_readings(moves, weeks, names)),
        CheckResult(
            "duplication", "The same need worked on by two agencies at once",
            "Spells of work on one person's need by two agencies whose dates overlap by at "
            "least one day, by need and pair of agencies.",
            [Column("need", "Need", "need"), Column("agency_a", "Agency", "text"),
             Column("agency_b", "And agency", "text"), Column("people", "People"),
             Column("overlaps", "Overlapping spells"),
             Column("overlap_days", "Days of overlap")],
            duplicates, duplication_readings(duplicates), examples),
    ]


class MissingAnalyticsData(FileNotFoundError):
    """The analytics data directory lacks tables the checks need."""

    def __init__(self, data_dir: Path, missing: Sequence[str]) -> None:
        self.data_dir = data_dir
        self.missing = list(missing)
        super().__init__(f"{data_dir}: no {', '.join(f'{name}.parquet' for name in missing)}; "
                         "write the analytics tables from the case store with "
                         f"`omp snapshot --output {data_dir}`, or synthetic ones with "
                         f"`omp outcomes generate --data {data_dir}`")


def missing_tables(data_dir: Path) -> list[str]:
    """The tables of :data:`TABLES` that ``data_dir`` lacks."""
    return [name for name in TABLES if not (data_dir / f"{name}.parquet").exists()]


def load_checks(data_dir: Path, engine: str = "duckdb", **options: Any) -> list[CheckResult]:
    """Run the OUT-6 checks on the Parquet tables of ``data_dir`` with ``engine`` (``duckdb``
    or ``spark``); ``options`` go to :func:`run_checks`."""
    missing = missing_tables(data_dir)
    if missing:
        raise MissingAnalyticsData(data_dir, missing)
    if engine not in ENGINES:
        raise GamingInputError(f"engine: must be one of {', '.join(ENGINES)}, not {engine!r}")
    with Engine(engine, data_dir) as running:
        return run_checks(running.table, running.rows, **options)
