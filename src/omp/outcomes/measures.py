"""Reoffending measures (OUT-2): binary rate, frequency, grouped, with 95% intervals.

Two kinds, from the same court-outcome records:

- ``binary_court`` — the payment-by-results pilots' re-conviction measure: only court
  convictions count; cautions and other out-of-court disposals do not (seed 003, note 3).
- ``proven`` — the national proven-reoffending measure: court convictions, cautions,
  conditional cautions, reprimands and warnings all count (MoJ definition).

The windows (OUT-2), for a person whose index date (discharge or supervision start) is D:

- an offence counts when it was committed on a day from D to D + 12 months, both included
  (D + 12 months is the same day a year later; from 29 February it is 28 February);
- and its conviction or caution was given on or before D + 18 months (the follow-up year
  plus a further 6 months for the case to pass through the courts).

So from 1 March 2013 an offence on 1 March 2014 (day 365) counts and one on 2 March 2014
(day 366) does not; the last day of the lag is 1 September 2014. Every counted record is one
reoffence (the frequency measure); a person with at least one is a reoffender.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import ibis
from ibis.expr.types import Table

from omp.outcomes.cohorts import Cohort, excluded, members, resolve, split_columns
from omp.outcomes.engine import Engine

KINDS = ("binary_court", "proven")
COURT = "court"
#: Disposals that count for the proven-reoffending measure (OUT-2).
PROVEN_DISPOSALS = ("court", "caution", "conditional_caution", "reprimand", "warning")
FOLLOW_UP_MONTHS = 12
LAG_MONTHS = 6
GROUPS = {"prison": "prison_code", "cpa": "cpa_code", "provider": "provider"}
Z_95 = 1.959963984540054
NO_GROUP = "(none)"


@dataclass(frozen=True)
class MeasureResult:
    """One cohort's (or one group's) reoffending measure (OUT-2)."""

    cohort: str
    group: str | None
    size: int
    reoffenders: int
    rate: float
    ci_low: float
    ci_high: float
    reoffences: int
    frequency_per_offender: float
    frequency_per_reoffender: float
    mean_predicted_risk: float | None
    excluded: dict[str, int]
    kind: str = "binary_court"
    #: 95% normal-approximation interval of the frequency per offender.
    frequency_ci_low: float = 0.0
    frequency_ci_high: float = 0.0
    explanation: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion, as percentages (OUT-2, OUT-5).

    With no trials nothing is known, so the interval is the whole 0–100 range.
    """
    if trials <= 0:
        return 0.0, 100.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # At 0 and at every trial the bound is exactly 0 or 100; floating point would miss it.
    low = 0.0 if successes == 0 else max(0.0, 100 * (centre - half))
    high = 100.0 if successes >= trials else min(100.0, 100 * (centre + half))
    return low, high


#: The columns of a cohort member that the measures need (projected early: less to move).
MEMBER_COLUMNS = ("case_ref", "index_date", "prison_code", "cpa_code", "provider", "ogrs3")


def _member_columns(split: tuple[str, ...]) -> tuple[str, ...]:
    """``MEMBER_COLUMNS`` and the columns naming each cohort of a split."""
    return MEMBER_COLUMNS + tuple(column for column in split_columns(split)
                                  if column not in MEMBER_COLUMNS)


def cohort_members(engine: Engine, cohort: Cohort, split: tuple[str, ...] = ()) -> Table:
    """The cohort's members (``MEMBER_COLUMNS``), worked out once per engine (OUT-1)."""
    key = ("members", cohort, split)
    if key not in engine.memo:
        engine.memo[key] = engine.cache(
            members(engine, cohort, split).select(*_member_columns(split)))
    return engine.memo[key]


def cohort_excluded(engine: Engine, cohort: Cohort, split: tuple[str, ...] = ()) -> Table:
    """The people left out of the cohort with their exclusion, once per engine (OUT-1)."""
    key = ("excluded", cohort, split)
    if key not in engine.memo:
        left_out = excluded(engine, cohort, split).select(*_member_columns(split), "exclusion")
        engine.memo[key] = engine.cache(left_out)
    return engine.memo[key]


def per_person(engine: Engine, cohort: Cohort, kind: str,
               split: tuple[str, ...] = ()) -> Table:
    """One row per cohort member with their count of counted reoffences (OUT-2) in
    ``reoffences``, for ``kind``.

    Members and their court outcomes meet in one left join whose condition holds the
    windows, and both kinds are counted in the same pass (court convictions alone, and all
    proven disposals); the result is kept by the engine for the other kind and groupings.
    With a ``split``, one row per member per cohort of the split (see ``cohorts.members``).
    """
    if kind not in KINDS:
        raise ValueError(f"kind: must be one of {', '.join(KINDS)}, not {kind!r}")
    key = ("per_person", cohort, split)
    if key not in engine.memo:
        people = cohort_members(engine, cohort, split)
        outcomes = engine.table("court_outcomes")
        outcomes = outcomes.filter(outcomes.disposal_type.isin(PROVEN_DISPOSALS)).select(
            outcome_ref="case_ref", offence_date="offence_date",
            disposal_date="disposal_date", disposal_type="disposal_type")
        follow_up_end = people.index_date + ibis.interval(months=FOLLOW_UP_MONTHS)
        lag_end = people.index_date + ibis.interval(months=FOLLOW_UP_MONTHS + LAG_MONTHS)
        joined = people.left_join(outcomes, [
            people.case_ref == outcomes.outcome_ref,
            outcomes.offence_date >= people.index_date,
            outcomes.offence_date <= follow_up_end,
            outcomes.disposal_date <= lag_end,
        ])
        counted = joined.group_by(*_member_columns(split)).agg(
            proven=joined.offence_date.count(),
            binary_court=(joined.disposal_type == COURT).cast("int64").sum())
        counted = counted.mutate(binary_court=counted.binary_court.fill_null(0))
        engine.memo[key] = engine.cache(counted)
    table: Table = engine.memo[key]
    return table.mutate(reoffences=table[kind]).drop("proven", "binary_court")


def _group_of(table: Table, by: str | None) -> Any:
    if by is None:
        return ibis.literal("").cast("string")
    # A supervision start has no prison: such people form their own group, never vanish.
    return table[GROUPS[by]].cast("string").fill_null(NO_GROUP)


def summary_expression(engine: Engine, cohort: Cohort, kind: str,
                       by: str | None = None, split: tuple[str, ...] = ()) -> Table:
    """The measure as one expression: per group (and cohort of a split), size, reoffenders,
    reoffences, the sum of squared reoffence counts (for the frequency interval) and the
    mean OGRS3."""
    people = per_person(engine, cohort, kind, split)
    people = people.mutate(_group=_group_of(people, by))
    return people.group_by("_group", *split_columns(split)).agg(
        size=people.count(),
        reoffenders=(people.reoffences > 0).cast("int64").sum(),
        reoffences=people.reoffences.sum(),
        reoffences_squared=(people.reoffences * people.reoffences).sum(),
        mean_risk=people.ogrs3.mean(),
    )


def exclusions_expression(engine: Engine, cohort: Cohort, by: str | None = None,
                          split: tuple[str, ...] = ()) -> Table:
    """People left out of the cohort, counted per group (and cohort of a split) and
    exclusion (OUT-1)."""
    left_out = cohort_excluded(engine, cohort, split)
    left_out = left_out.mutate(_group=_group_of(left_out, by))
    return left_out.group_by("_group", *split_columns(split), "exclusion").agg(
        people=left_out.count())


def _result(cohort: Cohort, kind: str, group: str | None, row: dict[str, Any] | None,
            left_out: dict[str, int]) -> MeasureResult:
    size = int(row["size"]) if row else 0
    reoffenders = int(row["reoffenders"] or 0) if row else 0
    reoffences = int(row["reoffences"] or 0) if row else 0
    squares = float(row["reoffences_squared"] or 0) if row else 0.0
    mean_risk = row["mean_risk"] if row else None
    low, high = wilson_interval(reoffenders, size)
    per_offender = reoffences / size if size else 0.0
    if size > 1:
        variance = max(0.0, (squares - size * per_offender ** 2) / (size - 1))
        half = Z_95 * math.sqrt(variance / size)
    else:
        half = 0.0
    rate = 100 * reoffenders / size if size else 0.0
    measure_words = ("convicted at court" if kind == "binary_court"
                     else "convicted or cautioned")
    explanation = (f"OUT-2: {reoffenders} of {size} people ({rate:.1f}%) were {measure_words} "
                   f"for an offence committed within 12 months of their index date and "
                   f"dealt with within a further 6 months.")
    return MeasureResult(
        cohort=cohort.name, group=group, size=size, reoffenders=reoffenders, rate=rate,
        ci_low=low, ci_high=high, reoffences=reoffences,
        frequency_per_offender=per_offender,
        frequency_per_reoffender=reoffences / reoffenders if reoffenders else 0.0,
        mean_predicted_risk=float(mean_risk) if mean_risk is not None else None,
        excluded=dict(sorted(left_out.items())), kind=kind,
        frequency_ci_low=max(0.0, per_offender - half), frequency_ci_high=per_offender + half,
        explanation=explanation)


def empty_result(cohort: Cohort, kind: str) -> MeasureResult:
    """The measure of a cohort with nobody in it and nobody left out."""
    return _result(cohort, kind, None, None, {})


def measure_with(engine: Engine, cohort: str | Cohort, kind: str = "binary_court",
                 by: str | None = None) -> list[MeasureResult]:
    """The measure on an open engine; see ``measure``."""
    definition = resolve(cohort)
    if kind not in KINDS:
        raise ValueError(f"kind: must be one of {', '.join(KINDS)}, not {kind!r}")
    if by is not None and by not in GROUPS:
        raise ValueError(f"by: must be one of {', '.join(GROUPS)}, not {by!r}")
    rows = {row["_group"]: row
            for row in engine.rows(summary_expression(engine, definition, kind, by))}
    left_out: dict[str, dict[str, int]] = {}
    for row in engine.rows(exclusions_expression(engine, definition, by)):
        left_out.setdefault(row["_group"], {})[row["exclusion"]] = int(row["people"])
    if by is None:
        return [_result(definition, kind, None, rows.get(""), left_out.get("", {}))]
    groups = sorted(set(rows) | set(left_out))
    return [_result(definition, kind, group, rows.get(group), left_out.get(group, {}))
            for group in groups]


def measure(data_dir: Path, cohort: str | Cohort, kind: str = "binary_court",
            by: str | None = None, engine: str = "duckdb") -> list[MeasureResult]:
    """Measure reoffending (OUT-2) for ``cohort`` over the Parquet tables in ``data_dir``.

    ``kind`` is ``binary_court`` (court convictions only, the pilots' measure) or ``proven``
    (with cautions). ``by`` groups the cohort by ``prison``, ``cpa`` or ``provider`` (one
    result per group, ``group`` set); without it there is one result (``group`` None).
    Exclusions are reported in each result's ``excluded``.
    """
    with Engine(engine, data_dir) as running:
        return measure_with(running, cohort, kind, by)


def measure_split(engine: Engine, cohort: Cohort, kind: str, split: tuple[str, ...],
                  name: Callable[..., str]) -> dict[tuple[Any, ...], MeasureResult]:
    """Many cohorts measured in one pass (OUT-1, OUT-2): ``cohort`` split by ``split`` (names
    of ``cohorts.SPLITS``, e.g. ``("prison", "year")``), one result per cohort of the split
    that has members or exclusions, keyed by its split values and named ``name(*values)``.
    Each result equals the measure of that cohort on its own (``prison-lei-2012`` is the
    ``("LEI", 2012)`` part of all discharges split by prison and year); the results pages
    are computed this way, a few queries instead of one set per cohort."""
    if kind not in KINDS:
        raise ValueError(f"kind: must be one of {', '.join(KINDS)}, not {kind!r}")
    keys = split_columns(split)
    rows = {tuple(row[key] for key in keys): row
            for row in engine.rows(summary_expression(engine, cohort, kind, None, split))}
    left_out: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in engine.rows(exclusions_expression(engine, cohort, None, split)):
        values = tuple(row[key] for key in keys)
        left_out.setdefault(values, {})[row["exclusion"]] = int(row["people"])
    return {values: _result(replace(cohort, name=name(*values)), kind, None, rows.get(values),
                            left_out.get(values, {}))
            for values in sorted(set(rows) | set(left_out))}
