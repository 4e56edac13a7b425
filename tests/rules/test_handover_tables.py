"""The handover eras as tables (omp.rules.handover_tables): the compiled Python, which
decides every case, and the SQL, which ``decide``'s column path runs, give the same
responsibility, dates, reason, rule, release date, words and type for random case facts
(the consistent facts of the handover properties, with "today" and the resourcing random)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from omp.rules.handover import handover_inputs
from omp.rules.handover_tables import ERA_FAMILIES, HANDOVER_INPUTS, HANDOVER_OUTPUTS
from omp.rules.policy import BUILT_IN_VERSIONS
from tests.rules.test_expressions import _sql_rows
from tests.rules.test_handover_properties import case_facts

ERAS = {v.handover_era: v for v in BUILT_IN_VERSIONS}
_TEXT = {"policy_name", "handover_resourcing", "prison_code", "category"}


def _type(name: str) -> str:
    if name in _TEXT:
        return "VARCHAR"
    if name == "mappa_level":
        return "INTEGER"
    if name == "as_of" or name.endswith(("_date", "_since", "date_of_birth")):
        return "DATE"
    return "BOOLEAN"


def _in_sql(era: str, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return _sql_rows(ERA_FAMILIES[era], rows, {name: _type(name) for name in HANDOVER_INPUTS},
                     HANDOVER_OUTPUTS)


def test_every_input_has_a_type() -> None:
    assert {_type(name) for name in HANDOVER_INPUTS} == {"VARCHAR", "INTEGER", "DATE", "BOOLEAN"}
    assert _type("as_of") == "DATE" and _type("welsh") == "BOOLEAN"


@settings(max_examples=25, deadline=None)
@given(st.lists(case_facts(), min_size=40, max_size=120), st.sampled_from(sorted(ERA_FAMILIES)))
def test_an_era_table_decides_alike_in_both_languages(cases: list[Any], era: str) -> None:
    policy = ERAS[era]
    rows = [handover_inputs(facts, policy, resourcing) for facts, resourcing in cases]
    python = ERA_FAMILIES[era].compile()
    expected = [python(*row)[:-1] for row in rows]
    assert _in_sql(era, rows) == expected


def test_the_gate_and_the_month_ends_alike() -> None:
    """Under 18 on the day, a civil sentence, no sentence calculation, and a release on
    31 March (8 months 14 days back crosses February's end), in both languages."""
    base = dict.fromkeys(HANDOVER_INPUTS)
    base.update(as_of=date(2025, 1, 10), policy_name="2024-10", welsh=False,
                sentence_start_date=date(2024, 1, 1),
                conditional_release_date=date(2026, 3, 31))
    young = {**base, "date_of_birth": date(2007, 1, 11)}
    civil = {**base, "civil_sentence": True}
    unsentenced = {**base, "conditional_release_date": None}
    rows = [tuple(case[name] for name in HANDOVER_INPUTS)
            for case in (base, young, civil, unsentenced)]
    python = ERA_FAMILIES["E"].compile()
    expected = [python(*row)[:-1] for row in rows]
    assert [row[3] for row in expected] == ["determinate", "outside_omic_policy",
                                            "outside_omic_policy", "outside_omic_policy"]
    assert expected[0][2] == date(2025, 7, 17)  # 31 March less 8 months is 31 July, less 14 days
    assert "the person is under 18" in expected[1][7]
    assert _in_sql("E", rows) == expected


def test_the_pom_type_is_recommended_alike_in_both_languages() -> None:
    """§4.10's tier strategy over every responsibility, immigration flag and tier letter."""
    from itertools import product

    from omp.rules.handover_tables import POM_TYPE_FAMILY

    rows = list(product([None, "POM_RESPONSIBLE", "POM_RESPONSIBLE_COM_SUPPORTING",
                         "COM_RESPONSIBLE"], [None, True, False],
                        [None, "", "A1", "b2", "B", "C0", "D3"]))
    python = POM_TYPE_FAMILY.compile()
    expected = [python(*row)[0] for row in rows]
    by_hand = [None if resp is None else "PRISON" if immigration or resp == "COM_RESPONSIBLE"
               else "PROBATION" if tier and tier[0].upper() in "AB" else "PRISON"
               for resp, immigration, tier in rows]
    assert expected == by_hand
    types = {"responsibility": "VARCHAR", "immigration_case": "BOOLEAN", "pom_tier": "VARCHAR"}
    assert [r[0] for r in _sql_rows(POM_TYPE_FAMILY, rows, types, ("pom_type",))] == expected
