"""Published cohort information (COM-3): for each contract package area, the size and make-up
of each year's cohort (age, sex, risk of reoffending, offence group) and its proven
reoffending rate, as a page and as an open-data file with its data dictionary.

The cohort is the one the area's results page measures (people starting supervision in the
area in a calendar year, less the CPA exclusions: :func:`omp.outcomes.results.compute_results`
splits the same cohort by area and year), so a year's size here is the size there.

The counts are computed with the results (``compute_and_store``) and kept raw; disclosure
control (COM-4, :func:`omp.rules.disclosure.protect_table`, with the threshold in force) is
applied when they are published, on the page and in the file alike, by :func:`published`.
A year whose size one table has to withhold (secondary suppression) is withheld in every
table of the area and in the reoffending figures, so that no table gives away what another
withholds. Not Django: ``omp.commissioning`` shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from omp.outcomes.engine import Engine
from omp.rules.disclosure import ProtectedTable, protect_table, rate_suppression
from omp.rules.offences import ogrs3_category

#: Age at the start of supervision, in the bands of the published proven-reoffending tables.
AGE_GROUPS: tuple[tuple[int, int | None, str], ...] = (
    (0, 17, "Under 18"), (18, 20, "18 to 20"), (21, 24, "21 to 24"), (25, 29, "25 to 29"),
    (30, 39, "30 to 39"), (40, 49, "40 to 49"), (50, None, "50 and over"))
SEXES = {"M": "Male", "F": "Female"}
#: The seed's bands of the two-year OGRS3 score (NEED-2): 0.2 and 0.6 open the band above.
RISK_BANDS = {"low": "Low (OGRS3 below 20%)", "medium": "Medium (20% to 59%)",
              "high": "High (60% and over)"}
#: The offence groups of the published tables, from each offence's OGRS3 category.
OFFENCE_GROUPS = {
    "violence": "Violence against the person", "robbery": "Robbery",
    "sexual_child": "Sexual offences", "sexual_not_child": "Sexual offences",
    "burglary_domestic": "Burglary", "burglary_other": "Burglary",
    "theft": "Theft and handling", "handling": "Theft and handling",
    "theft_from_vehicle": "Theft and handling", "taking_and_driving_away": "Motoring",
    "drink_driving": "Motoring", "other_motoring": "Motoring",
    "fraud_and_forgery": "Fraud and forgery", "drug_possession_supply": "Drug offences",
    "drug_import_export": "Drug offences", "criminal_damage": "Criminal damage and arson",
    "public_order": "Public order", "absconding_bail": "Other offences",
    "soliciting_prostitution": "Other offences", "other": "Other offences",
}
GROUP_ORDER = tuple(dict.fromkeys(OFFENCE_GROUPS.values()))
OTHER_GROUP = "Other offences"
#: The breakdowns of a cohort, in the order they are shown: (key, heading, categories).
BREAKDOWNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("age", "Age", tuple(words for _, _, words in AGE_GROUPS)),
    ("sex", "Sex", tuple(SEXES.values())),
    ("risk_band", "Risk of reoffending", tuple(RISK_BANDS.values())),
    ("offence_group", "Offence group", GROUP_ORDER),
)
SIZE_WITHHELD = ("COM-4: not shown, so that a smaller figure in another table cannot be "
                 "worked out from it")

#: The open-data file's columns and what each means (its data dictionary).
DICTIONARY: tuple[tuple[str, str, str], ...] = (
    ("cpa_code", "text", "The contract package area's code."),
    ("contract_package_area", "text", "The contract package area's name."),
    ("cohort_year", "integer", "The calendar year in which the people of the cohort started "
     "supervision in the area."),
    ("breakdown", "text", "What the row counts: 'Cohort' (the whole cohort, with its proven "
     "reoffending), 'Age', 'Sex', 'Risk of reoffending' or 'Offence group'."),
    ("category", "text", "The group counted, e.g. '21 to 24' or 'Female'; 'All' for the "
     "whole cohort."),
    ("people", "integer", "People in the group. Blank when withheld (see 'withheld')."),
    ("proven_reoffenders", "integer", "People of the cohort with a proven reoffence within "
     "12 months (and 6 months to be proven). Cohort rows only; blank when withheld."),
    ("proven_reoffending_rate", "decimal", "proven_reoffenders / people, as a fraction "
     "(0.254 is 25.4%). Cohort rows only; blank when withheld."),
    ("withheld", "text", "Why a figure of the row is not given (COM-4 disclosure control: "
     "a count below the threshold, or one from which a smaller one could be worked out); "
     "blank when every figure is given."),
)
COLUMNS = tuple(name for name, _, _ in DICTIONARY)


@dataclass(frozen=True)
class Composition:
    """One breakdown of an area's cohorts: raw counts, a row per year and a column per
    category (never published as they are: see :func:`published`)."""

    key: str
    heading: str
    categories: tuple[str, ...]
    years: tuple[int, ...]
    counts: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class AreaCohorts:
    """An area's cohorts: each breakdown's raw counts, by year."""

    code: str
    name: str
    compositions: tuple[Composition, ...]


@dataclass(frozen=True)
class YearFigures:
    """One cohort year as published: its size and proven reoffending, or why withheld."""

    year: int
    people: int | None
    reoffenders: int | None
    rate: float | None  # a fraction: 0.254 is 25.4%
    withheld: str | None


@dataclass(frozen=True)
class PublishedTable:
    """A breakdown after disclosure control: rows are years, the last column their total."""

    key: str
    heading: str
    categories: tuple[str, ...]
    years: tuple[int, ...]
    table: ProtectedTable
    #: Years whose size is withheld in every table of the area (see the module's note).
    years_withheld: frozenset[int] = field(default_factory=frozenset)

    def cell(self, row: int, column: int) -> tuple[int | None, str | None]:
        """A figure as published (``None`` when withheld) and why it is withheld; column
        ``len(categories)`` is the year's total."""
        if column == len(self.categories) and self.years[row] in self.years_withheld:
            return None, self.table.reason(row, column) or SIZE_WITHHELD
        return self.table.shown(row, column), self.table.reason(row, column)


@dataclass(frozen=True)
class PublishedArea:
    """What is published about one area."""

    code: str
    name: str
    years: tuple[YearFigures, ...]
    tables: tuple[PublishedTable, ...]


def _age_group(age: int) -> str:
    for low, high, words in AGE_GROUPS:
        if age >= low and (high is None or age <= high):
            return words
    return AGE_GROUPS[0][2]


def _offence_group(code: str | None) -> str:
    return OFFENCE_GROUPS.get(ogrs3_category(code) or "", OTHER_GROUP)


def compose(engine: Engine, first_year: int, last_year: int,
            names: dict[str, str]) -> dict[str, AreaCohorts]:
    """Every area's cohorts from ``first_year`` to ``last_year`` broken down by age, sex,
    risk band and offence group: raw counts, on ``engine`` (DuckDB or Spark alike)."""
    from omp.outcomes.cohorts import CPA_EXCLUSIONS, Cohort, members

    cohort = Cohort("supervision-starts", "supervision_start", date(first_year, 1, 1),
                    date(last_year, 12, 31), exclusions=CPA_EXCLUSIONS)
    people = members(engine, cohort, ("cpa", "year"))
    grouped = engine.execute(
        people.group_by(["cpa_code", "index_year", "age", "sex", "risk_band", "offence_code"])
        .aggregate(people=people.count()))
    return _compositions(grouped, first_year, last_year, names)


def _compositions(grouped: pa.Table, first_year: int, last_year: int,
                  names: dict[str, str]) -> dict[str, AreaCohorts]:
    years = tuple(range(first_year, last_year + 1))
    tally: dict[str, dict[str, dict[tuple[int, str], int]]] = {}
    category_of = {
        "age": lambda row: _age_group(int(row["age"])),
        "sex": lambda row: SEXES.get(row["sex"], row["sex"]),
        "risk_band": lambda row: RISK_BANDS.get(row["risk_band"], row["risk_band"]),
        "offence_group": lambda row: _offence_group(row["offence_code"]),
    }
    for row in grouped.to_pylist():
        area = tally.setdefault(row["cpa_code"], {key: {} for key, _, _ in BREAKDOWNS})
        for key, _, _ in BREAKDOWNS:
            cell = (int(row["index_year"]), category_of[key](row))
            area[key][cell] = area[key].get(cell, 0) + int(row["people"])
    found = {}
    for code in sorted(tally):
        compositions = tuple(
            Composition(key, heading, categories, years,
                        tuple(tuple(tally[code][key].get((year, category), 0)
                                    for category in categories) for year in years))
            for key, heading, categories in BREAKDOWNS)
        found[code] = AreaCohorts(code, names.get(code, code), compositions)
    return found


def published(area: AreaCohorts, years: list[Any], threshold: int) -> PublishedArea:
    """``area`` as it may be published under COM-4 with ``threshold``: each breakdown
    protected (primary and secondary suppression), ``years`` (the area's measured
    :class:`omp.outcomes.results.YearRow` list) giving the proven reoffending."""
    tables = [PublishedTable(c.key, c.heading, c.categories, c.years,
                             protect_table(c.counts, threshold)) for c in area.compositions]
    # A year's size withheld by one table is withheld by all, and by the cohort row.
    withheld_years = frozenset(
        table.years[row] for table in tables for row in range(len(table.years))
        if table.table.reason(row, len(table.categories)) is not None)
    tables = [PublishedTable(t.key, t.heading, t.categories, t.years, t.table, withheld_years)
              for t in tables]
    measured = {row.year: row for row in years}
    figures = []
    for year in (area.compositions[0].years if area.compositions else ()):
        row = measured.get(year)
        size = row.size if row else 0
        reason = rate_suppression(size, row.reoffenders if row else 0, threshold)
        if year in withheld_years:
            figures.append(YearFigures(year, None, None, None, SIZE_WITHHELD))
        elif reason and size < threshold:
            figures.append(YearFigures(year, None, None, None, reason))
        elif reason:
            figures.append(YearFigures(year, size, None, None, reason))
        else:
            assert row is not None
            # The results keep the rate as a percentage; published as a fraction.
            figures.append(YearFigures(year, size, row.reoffenders, row.rate / 100, None))
    return PublishedArea(area.code, area.name, tuple(figures), tuple(tables))


def open_data_rows(areas: list[PublishedArea]) -> list[dict[str, Any]]:
    """The open-data file's rows (``COLUMNS``), for every area, as published."""
    rows: list[dict[str, Any]] = []
    for area in areas:
        base = {"cpa_code": area.code, "contract_package_area": area.name}
        for figures in area.years:
            rows.append({**base, "cohort_year": figures.year, "breakdown": "Cohort",
                         "category": "All", "people": figures.people,
                         "proven_reoffenders": figures.reoffenders,
                         "proven_reoffending_rate": (None if figures.rate is None
                                                     else round(figures.rate, 4)),
                         "withheld": figures.withheld or ""})
        for table in area.tables:
            for row, year in enumerate(table.years):
                for column, category in enumerate(table.categories):
                    people, reason = table.cell(row, column)
                    rows.append({**base, "cohort_year": year, "breakdown": table.heading,
                                 "category": category, "people": people,
                                 "proven_reoffenders": None, "proven_reoffending_rate": None,
                                 "withheld": reason or ""})
    return rows


def open_data_table(rows: list[dict[str, Any]]) -> pa.Table:
    """The open-data rows as an Arrow table with the dictionary's types (for Parquet)."""
    types = {"text": pa.string(), "integer": pa.int64(), "decimal": pa.float64()}
    schema = pa.schema([(name, types[kind]) for name, kind, _ in DICTIONARY])
    return pa.Table.from_pylist(rows, schema=schema)


def total_people(table: pa.Table) -> int:
    """People counted in an open-data table's cohort rows (a check for tests and tools)."""
    cohort = table.filter(pc.equal(table["breakdown"], "Cohort"))
    return int(pc.sum(cohort["people"]).as_py() or 0)
