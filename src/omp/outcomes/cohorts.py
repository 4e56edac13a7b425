"""Cohorts as data (OUT-1): who is measured, from which index event, and who is left out.

A cohort is a kind of index event (a prison discharge, a supervision start, or either for
the national measure), a period, an optional prison or contract package area, and a list
of exclusions. Each person enters a cohort once, on their first index event in the period
that no exclusion removes; a person who is in two cohorts (a Doncaster discharge is also
in the national cohort) is counted in each. People removed by an exclusion are counted
against the first exclusion that applies to their first index event in the period, so the
counts add up to everyone left out and nobody is dropped silently.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import ibis
from ibis.expr.types import Table

from omp.outcomes.engine import Engine

KINDS = ("discharge", "supervision_start", "national")
DONCASTER = "DNI"
PILOT_START = date(2011, 10, 1)


@dataclass(frozen=True)
class Exclusion:
    """A reason to leave a person out of a cohort: a boolean column of ``index_events``."""

    name: str
    column: str
    rule: str
    explanation: str


#: Every exclusion a cohort may list, in the order they are tried.
EXCLUSIONS: dict[str, Exclusion] = {e.name: e for e in (
    Exclusion("deported_or_irc", "deported_or_irc", "OUT-1",
              "Foreign national deported or moved to an immigration removal centre on "
              "release (OUT-1)"),
    Exclusion("time_served_on_remand", "time_served_on_remand", "OUT-1",
              "Sentenced to time already served on remand (OUT-1)"),
    Exclusion("breach_of_court_order", "breach_of_court_order", "OUT-1",
              "Serving a sentence for breach of a court order (OUT-1)"),
    Exclusion("nps_allocated", "nps_allocated", "OUT-1",
              "Allocated to the National Probation Service, not the CPA's provider (OUT-1, "
              "Transforming Rehabilitation cohorts)"),
    Exclusion("electronic_monitoring_only", "electronic_monitoring_only", "OUT-1",
              "Community order whose only requirement is electronic monitoring (OUT-1, "
              "Transforming Rehabilitation cohorts)"),
)}
DONCASTER_EXCLUSIONS = ("deported_or_irc", "time_served_on_remand", "breach_of_court_order")
CPA_EXCLUSIONS = ("nps_allocated", "electronic_monitoring_only")


class CohortError(ValueError):
    """A cohort name or definition that cannot be used; the message says why."""


@dataclass(frozen=True)
class Cohort:
    """A cohort definition (OUT-1). ``end`` is the last day of the period (inclusive)."""

    name: str
    kind: str
    start: date
    end: date
    prison: str | None = None
    cpa: str | None = None
    exclusions: tuple[str, ...] = ()
    description: str = ""
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise CohortError(f"kind: must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.end < self.start:
            raise CohortError(f"end: {self.end} is before start {self.start}")
        unknown = [name for name in self.exclusions if name not in EXCLUSIONS]
        if unknown:
            raise CohortError(f"exclusions: unknown {', '.join(unknown)}; known: "
                              f"{', '.join(EXCLUSIONS)}")
        if self.prison and self.kind == "supervision_start":
            raise CohortError("prison: a supervision-start cohort has no prison")

    def to_dict(self) -> dict[str, Any]:
        """The definition as JSON-ready data."""
        data = asdict(self)
        data.update(start=self.start.isoformat(), end=self.end.isoformat(),
                    exclusions=list(self.exclusions), tags=list(self.tags))
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cohort:
        """A cohort from JSON data, naming the field that is wrong."""
        try:
            start = date.fromisoformat(str(data["start"]))
            end = date.fromisoformat(str(data["end"]))
        except KeyError as missing:
            raise CohortError(f"{missing.args[0]}: required") from None
        except ValueError as error:
            raise CohortError(f"start/end: {error}") from None
        if "name" not in data or "kind" not in data:
            raise CohortError("name and kind: required")
        return cls(name=str(data["name"]), kind=str(data["kind"]), start=start, end=end,
                   prison=data.get("prison"), cpa=data.get("cpa"),
                   exclusions=tuple(data.get("exclusions") or ()),
                   description=str(data.get("description", "")),
                   tags=tuple(data.get("tags") or ()))

    def explain(self) -> str:
        """The definition in plain words."""
        who = {"discharge": "sentenced people discharged from prison",
               "supervision_start": "people starting supervision",
               "national": "people discharged from prison or starting supervision"}[self.kind]
        where = ""
        if self.prison:
            where = f" from {self.prison}"
        if self.cpa:
            where += f" in contract package area {self.cpa}"
        left_out = "; ".join(EXCLUSIONS[name].explanation for name in self.exclusions)
        return (f"{self.name}: {who}{where} between {self.start} and {self.end} "
                f"(first qualifying index event per person). "
                + (f"Left out: {left_out}." if left_out else "No exclusions."))


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _quarter_range(year: int, quarter: int) -> tuple[date, date]:
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return date(year, first_month, 1), date(year, last_month,
                                            calendar.monthrange(year, last_month)[1])


#: Built-in name patterns, shown by ``omp cohort list``.
PATTERNS = (
    ("doncaster-2009", "Doncaster baseline year: discharges from HMP Doncaster (DNI) in 2009, "
                       "with the Doncaster exclusions (OUT-1, OUT-3)"),
    ("doncaster-<year>", "discharges from DNI in a calendar year, Doncaster exclusions"),
    ("doncaster-pilot-<n>", "the pilot's cohort n (1-4): 12 months of DNI discharges from "
                            "1 October 2011 + n-1 years"),
    ("prison-<code>-<year>", "discharges from any prison in a year, Doncaster exclusions"),
    ("national-<year>", "the national proven-reoffending cohort: every discharge and "
                        "supervision start in the year"),
    ("cpa-<code>-<year>", "supervision starts in a contract package area in a year, "
                          "Transforming Rehabilitation exclusions"),
    ("cpa-<code>-<year>q<n>", "the same in quarter n"),
)


def builtin(name: str) -> Cohort:
    """The built-in cohort called ``name`` (see ``PATTERNS``)."""
    text = name.strip().lower()
    if match := re.fullmatch(r"doncaster-(\d{4})", text):
        start, end = _year_range(int(match[1]))
        return Cohort(text, "discharge", start, end, prison=DONCASTER,
                      exclusions=DONCASTER_EXCLUSIONS,
                      description="Discharges from HMP Doncaster in a calendar year",
                      tags=("baseline",) if match[1] == "2009" else ())
    if match := re.fullmatch(r"doncaster-pilot-([1-4])", text):
        n = int(match[1])
        start = date(PILOT_START.year + n - 1, PILOT_START.month, PILOT_START.day)
        end = date(start.year + 1, 9, 30)
        return Cohort(text, "discharge", start, end, prison=DONCASTER,
                      exclusions=DONCASTER_EXCLUSIONS,
                      description=f"Doncaster payment-by-results pilot, cohort {n}")
    if match := re.fullmatch(r"prison-([a-z0-9]{2,5})-(\d{4})", text):
        start, end = _year_range(int(match[2]))
        return Cohort(text, "discharge", start, end, prison=match[1].upper(),
                      exclusions=DONCASTER_EXCLUSIONS,
                      description="Discharges from one prison in a calendar year")
    if match := re.fullmatch(r"national-(\d{4})", text):
        start, end = _year_range(int(match[1]))
        return Cohort(text, "national", start, end,
                      description="National proven-reoffending cohort for a calendar year")
    if match := re.fullmatch(r"cpa-([a-z0-9]{2,5})-(\d{4})(?:q([1-4]))?", text):
        year = int(match[2])
        if match[3]:
            start, end = _quarter_range(year, int(match[3]))
        else:
            start, end = _year_range(year)
        return Cohort(text, "supervision_start", start, end, cpa=match[1].upper(),
                      exclusions=CPA_EXCLUSIONS,
                      description="Supervision starts in a contract package area")
    raise CohortError(f"cohort: unknown name {name!r}; built-in names are "
                      + ", ".join(pattern for pattern, _ in PATTERNS)
                      + ", or give a JSON file holding a cohort definition")


def resolve(cohort: str | Cohort | Path) -> Cohort:
    """A cohort from a definition, a built-in name, or a JSON file holding a definition."""
    if isinstance(cohort, Cohort):
        return cohort
    path = Path(cohort)
    if str(cohort).endswith(".json"):
        if not path.exists():
            raise CohortError(f"cohort: {path} not found")
        return Cohort.from_dict(json.loads(path.read_text()))
    return builtin(str(cohort))


# --- the cohort as an expression ---------------------------------------------------------


#: How one definition is split into many cohorts measured at once (see :func:`members`):
#: by discharging prison, by contract package area, and by calendar year of the index date.
SPLITS = {"prison": "prison_code", "cpa": "cpa_code", "year": "index_year"}


def split_columns(split: tuple[str, ...]) -> tuple[str, ...]:
    """The columns that name one cohort of a split (``SPLITS``), in the order given."""
    unknown = [name for name in split if name not in SPLITS]
    if unknown:
        raise CohortError(f"split: unknown {', '.join(unknown)}; known: {', '.join(SPLITS)}")
    return tuple(SPLITS[name] for name in split)


def events_in_period(engine: Engine, cohort: Cohort, split: tuple[str, ...] = ()) -> Table:
    """Index events of the cohort's kind, period, prison and CPA, each with the name of the
    first exclusion that applies to it (``exclusion``, null when none does). With a
    ``split``, each event also carries the columns naming its cohort (``index_year`` for a
    split by year), and events without a prison (or CPA) the split needs are left out, as
    they are from a cohort of one prison (or CPA)."""
    events = engine.table("index_events")
    start, end = ibis.literal(cohort.start), ibis.literal(cohort.end)
    conditions = [events.index_date >= start, events.index_date <= end]
    if cohort.kind != "national":
        conditions.append(events.index_kind == cohort.kind)
    if cohort.prison:
        conditions.append(events.prison_code == cohort.prison)
    if cohort.cpa:
        conditions.append(events.cpa_code == cohort.cpa)
    conditions += [events[column].notnull() for column in split_columns(split)
                   if column in events.columns]
    events = events.filter(*conditions)
    if "year" in split:
        events = events.mutate(index_year=events.index_date.year())
    branches = [(events[EXCLUSIONS[name].column].fill_null(False), name)
                for name in cohort.exclusions]
    reason = ibis.cases(*branches, else_=ibis.null("string")) if branches else ibis.null("string")
    return events.mutate(exclusion=reason)


def _first_per_person(events: Table, keys: tuple[str, ...] = ()) -> Table:
    order = ibis.row_number().over(group_by=[events.case_ref, *(events[k] for k in keys)],
                                   order_by=[events.index_date, events.event_id])
    return events.mutate(_order=order).filter(lambda t: t._order == 0).drop("_order")


def members(engine: Engine, cohort: Cohort, split: tuple[str, ...] = ()) -> Table:
    """One row per person in the cohort: their first index event in the period that no
    exclusion removes (OUT-1).

    ``split`` (names of ``SPLITS``) measures many cohorts in one pass: one row per person
    *per cohort of the split*, exactly as if each prison's (or area's) calendar year were a
    cohort of its own; ``prison-lei-2012`` is the 2012 LEI part of all discharges split by
    prison and year. A person discharged from two prisons in a year is in both.
    """
    keys = split_columns(split)
    events = events_in_period(engine, cohort, split)
    return _first_per_person(events.filter(events.exclusion.isnull()), keys).drop("exclusion")


def excluded(engine: Engine, cohort: Cohort, split: tuple[str, ...] = ()) -> Table:
    """One row per person left out: their first index event in the period, whose
    ``exclusion`` names the first exclusion that applies (OUT-1); with a ``split``, per
    cohort of the split, as :func:`members`."""
    keys = split_columns(split)
    events = events_in_period(engine, cohort, split)
    kept = events.filter(events.exclusion.isnull()).select("case_ref", *keys).distinct()
    return _first_per_person(events.anti_join(kept, ["case_ref", *keys]), keys)
