"""The expression language of the rule tables: each rule family compiles to Python (the
per-case evaluator) and to SQL (the column evaluator), and the two agree on every input
(DESIGN.md, "written once, run two ways"). The calendar arithmetic of a sentence length is
compared with :mod:`omp.rules.durations` day by day over the accepted range."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omp.rules.allocation import ALLOCATION_FAMILY
from omp.rules.durations import at_least_months, day_words
from omp.rules.expressions import Family, fact, months_reached
from omp.rules.expressions import day_words as day_words_expr
from omp.rules.handover import DATE_CHECKS
from omp.rules.inputs import EARLIEST_DATE, LATEST_DATE
from omp.rules.pathway import PATHWAY_FAMILY
from omp.rules.tier import COMPLEXITY_REGISTRATIONS, TIER_FAMILY

days = st.dates(EARLIEST_DATE, LATEST_DATE)
lengths = st.builds(
    lambda y, m, w, d: "P" + ("".join(f"{n}{u}" for n, u in ((y, "Y"), (m, "M"), (w, "W"),
                                                              (d, "D")) if n) or "0D"),
    st.integers(0, 30), st.integers(0, 40), st.integers(0, 60), st.integers(0, 400))


def _sql_rows(family: Family, rows: list[tuple[Any, ...]], types: dict[str, str],
              outputs: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Evaluate ``family``'s SQL steps over ``rows`` (its inputs, in order) in DuckDB."""
    con = duckdb.connect()
    columns = ", ".join(f"{name} {types[name]}" for name in family.inputs)
    con.execute(f"CREATE TABLE inputs (row_id INTEGER, {columns})")
    marks = ", ".join("?" * (len(family.inputs) + 1))
    con.executemany(f"INSERT INTO inputs VALUES ({marks})",
                    [(i, *row) for i, row in enumerate(rows)])
    source = family.sql_over("SELECT * FROM inputs")
    return con.execute(f"SELECT {', '.join(outputs)} FROM ({source}) ORDER BY row_id"
                       ).fetchall()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(days, lengths), min_size=50, max_size=200))
def test_a_sentence_length_is_counted_alike_in_both_languages(
        cases: list[tuple[date, str]]) -> None:
    family = Family("reach", ("start", "length"),
                    (("reached", months_reached(fact("length"), fact("start"), 12)),
                     ("words", day_words_expr(fact("start")))), (), ("reached", "words"))
    python = family.compile()
    expected = [python(start, length)[:2] for start, length in cases]
    assert expected == [(at_least_months(length, start, 12), day_words(start))
                        for start, length in cases]
    rows = _sql_rows(family, [(start, length) for start, length in cases],
                     {"start": "DATE", "length": "VARCHAR"}, ("reached", "words"))
    assert rows == expected


def test_the_month_ends_and_leap_days_are_counted_alike() -> None:
    """Every day of 2023–2024 (a leap year), with the lengths either side of 12 months."""
    family = Family("reach", ("start", "length"),
                    (("reached", months_reached(fact("length"), fact("start"), 12)),), (),
                    ("reached",))
    python = family.compile()
    cases = [(date.fromordinal(day), length)
             for day in range(date(2023, 1, 1).toordinal(), date(2025, 1, 1).toordinal())
             for length in ("P12M", "P11M30D", "P11M31D", "P1Y", "P52W", "P365D", "P11M4W")]
    rows = _sql_rows(family, cases, {"start": "DATE", "length": "VARCHAR"}, ("reached",))
    assert [row[0] for row in rows] == [python(start, length)[0] for start, length in cases]


rsr = st.none() | st.sampled_from(["0", "2.99", "3.00", "6.99", "6.995", "7", "99.99", "100"])
tier_inputs = st.tuples(
    rsr, st.none() | st.sampled_from(["LOW", "MEDIUM", "HIGH", "VERY_HIGH"]),
    st.none() | st.integers(0, 3),
    st.lists(st.sampled_from(sorted(COMPLEXITY_REGISTRATIONS | {"IIOM", "HOI"})), max_size=4),
    st.sampled_from([0, 2, 4, 6]), st.none() | st.integers(0, 30),
    st.none() | st.sampled_from(["0", "9.9", "10", "35.5", "99"]),
    st.none() | st.sampled_from(["custodial", "community"]),
    st.none() | st.sampled_from(["A", "B2", "C1", "D0", "D3"]))


@settings(max_examples=40, deadline=None)
@given(st.lists(tier_inputs, min_size=20, max_size=80))
def test_the_tier_is_computed_alike_in_both_languages(rows: list[tuple[Any, ...]]) -> None:
    """HANDOVER §8.1–8.2, with the OASys needs and women's points the column path of
    ``decide`` never has: the SQL must still mean what the Python means."""
    python = TIER_FAMILY.compile()
    cases = [(None if r[0] is None else Decimal(r[0]), *r[1:6],
              None if r[6] is None else Decimal(r[6]), *r[7:]) for r in rows]
    expected = [python(*case)[:-1] for case in cases]
    types = {"rsr_percent": "DECIMAL(18, 6)", "rosh": "VARCHAR", "mappa_level": "INTEGER",
             "registrations": "VARCHAR[]", "women_points": "INTEGER",
             "needs_points": "INTEGER", "ogrs3_2yr_percent": "DECIMAL(18, 6)",
             "sentence_kind": "VARCHAR", "tier_recorded": "VARCHAR"}
    assert _sql_rows(TIER_FAMILY, cases, types, TIER_FAMILY.outputs) == expected


@pytest.mark.parametrize("rsr", ["6.99", "6.995", "7.00"])
def test_the_closed_ranges_hold_in_sql(rsr: str) -> None:
    """§8.1's quirk (6.995 scores nothing) holds in both languages."""
    case = (Decimal(rsr), "LOW", 0, [], 0, None, None, None, None)
    types = {"rsr_percent": "DECIMAL(18, 6)", "rosh": "VARCHAR", "mappa_level": "INTEGER",
             "registrations": "VARCHAR[]", "women_points": "INTEGER",
             "needs_points": "INTEGER", "ogrs3_2yr_percent": "DECIMAL(18, 6)",
             "sentence_kind": "VARCHAR", "tier_recorded": "VARCHAR"}
    (points,), = _sql_rows(TIER_FAMILY, [case], types, ("protect_points",))
    assert points == TIER_FAMILY.compile()(*case)[3] == {"6.99": 10, "6.995": 0,
                                                         "7.00": 20}[rsr]


def test_the_python_source_reads_only_its_inputs() -> None:
    """Each family's compiled source names only its inputs and derived facts."""
    for family in (TIER_FAMILY, ALLOCATION_FAMILY, PATHWAY_FAMILY, DATE_CHECKS):
        known = set(family.inputs) | {name for name, _ in family.derived}
        used = set().union(*(expr.facts() for _, expr in family.derived),
                           *(part.facts() for item in family.items for part in item.parts()),
                           *(item.condition.facts() for item in family.items))
        assert used <= known, used - known


pathway_inputs = st.tuples(
    st.none() | st.sampled_from(["LOW", "HIGH", "VERY_HIGH"]), st.none() | days,
    st.none() | st.booleans(), st.none() | st.booleans(),
    st.none() | st.sampled_from(["custodial", "community"]), st.none() | st.booleans(),
    st.none() | lengths | st.sampled_from(["P1Y1M1W1D", "p2y", "P01Y"]), st.none() | days)


@settings(max_examples=40, deadline=None)
@given(st.lists(pathway_inputs, min_size=20, max_size=80))
def test_the_pathway_tree_decides_alike_in_both_languages(rows: list[tuple[Any, ...]]) -> None:
    """PATH-1's first matching row, its words (sentence lengths in words, dates in words)
    and its pathway, the same in both languages."""
    python = PATHWAY_FAMILY.compile()
    expected = []
    for row in rows:
        (items,) = python(*row)
        _, _, field, value, _, words, outcome = items[0]
        expected.append((field, value, words, outcome))
    con = duckdb.connect()
    types = ("VARCHAR", "DATE", "BOOLEAN", "BOOLEAN", "VARCHAR", "BOOLEAN", "VARCHAR", "DATE")
    columns = ", ".join(f"{name} {kind}" for name, kind in zip(PATHWAY_FAMILY.inputs, types,
                                                              strict=True))
    con.execute(f"CREATE TABLE inputs (row_id INTEGER, {columns})")
    con.executemany(f"INSERT INTO inputs VALUES ({', '.join('?' * (len(types) + 1))})",
                    [(i, *row) for i, row in enumerate(rows)])
    got = [(r["field"], None if r["value"] is None else json.loads(r["value"]),
            r["explanation"], None if r["outcome"] is None else json.loads(r["outcome"]))
           for (r,) in con.execute(f"SELECT {PATHWAY_FAMILY.sql_first()} FROM inputs "
                                   "ORDER BY row_id").fetchall()]
    assert got == expected


release_names = [name for name in DATE_CHECKS.inputs if name.endswith("_date")]
date_inputs = st.tuples(*(st.none() | st.dates(date(2019, 1, 1), date(2024, 12, 31))
                          for _ in release_names), st.none() | st.booleans())


@settings(max_examples=40, deadline=None)
@given(st.lists(date_inputs, min_size=20, max_size=80))
def test_the_custody_date_checks_agree_in_both_languages(rows: list[tuple[Any, ...]]) -> None:
    """The contradictions an extract is decided with as warnings (HAND-2), and which of them
    leave no handover: the same rows, fields and words in both languages."""
    python = DATE_CHECKS.compile()
    expected = [[(kind, field, words) for _, kind, field, _, _, words, _ in python(*row)[0]]
                for row in rows]
    con = duckdb.connect()
    columns = ", ".join(f"{name} {'BOOLEAN' if name == 'sentence_indeterminate' else 'DATE'}"
                        for name in DATE_CHECKS.inputs)
    con.execute(f"CREATE TABLE inputs (row_id INTEGER, {columns})")
    con.executemany(f"INSERT INTO inputs VALUES ({', '.join('?' * (len(rows[0]) + 1))})",
                    [(i, *row) for i, row in enumerate(rows)])
    got = [[(r["kind"], r["field"], r["explanation"]) for r in found] for (found,) in
           con.execute(f"SELECT {DATE_CHECKS.sql_matches()} FROM inputs ORDER BY row_id"
                       ).fetchall()]
    assert got == expected


def test_every_custody_date_check_can_fire_in_sql() -> None:
    """A row with every contradiction: each check's row comes back, in table order."""
    before = date(2020, 1, 1)
    row = (date(2021, 1, 1), *(before for _ in release_names[1:]), False)
    con = duckdb.connect()
    columns = ", ".join(f"{name} {'BOOLEAN' if name == 'sentence_indeterminate' else 'DATE'}"
                        for name in DATE_CHECKS.inputs)
    con.execute(f"CREATE TABLE inputs ({columns})")
    con.execute(f"INSERT INTO inputs VALUES ({', '.join('?' * len(row))})", row)
    ((found,),) = con.execute(f"SELECT {DATE_CHECKS.sql_matches()} FROM inputs").fetchall()
    fields = [r["field"] for r in found]
    assert fields == [item.field for item in DATE_CHECKS.items][:len(fields)]
    assert len(fields) == len(DATE_CHECKS.items) - 1  # the curfew dates are equal here
