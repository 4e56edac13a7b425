"""PATH-1 scenarios: every boundary of the four pathways."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from omp.rules.facts import CaseFacts, Custody, Sentence
from omp.rules.pathway import PATHWAY_TITLES, decide_pathway

IN_CUSTODY = Custody(prison_code="DNI", remand=False, sentence_start_date=date(2026, 3, 1))
BASE = CaseFacts(case_ref="P1", as_of=date(2026, 11, 22), rosh="MEDIUM",
                 sentence=Sentence(kind="custodial", date=date(2026, 3, 1), length="P18M"),
                 custody=IN_CUSTODY)


def pathway(**changes: Any) -> int | None:
    decided = decide_pathway(dataclasses.replace(BASE, **changes))
    assert decided is not None
    return decided.pathway


def sentenced(length: str | None, on: date | None = date(2026, 3, 1), **flags: Any) -> Sentence:
    return Sentence(kind="custodial", date=on, length=length, **flags)


def test_not_in_custody_has_no_pathway() -> None:
    assert decide_pathway(dataclasses.replace(BASE, custody=None)) is None


@pytest.mark.parametrize("rosh", ["HIGH", "VERY_HIGH"])
def test_high_or_very_high_rosh_is_pathway_1(rosh: str) -> None:
    decided = decide_pathway(dataclasses.replace(
        BASE, rosh=rosh, recorded={"risk.rosh": date(2026, 4, 2)}))
    assert decided is not None and decided.pathway == 1
    assert (decided.rule, decided.field, decided.value) == ("PATH-1", "risk.rosh", rosh)
    assert "recorded on 2 April 2026" in decided.explanation
    assert decided.title == PATHWAY_TITLES[1]


def test_ipp_is_pathway_1_whatever_its_length() -> None:
    assert pathway(sentence=sentenced("P2Y", ipp=True, indeterminate=True)) == 1


def test_a_risk_change_moves_a_person_to_pathway_1() -> None:
    assert pathway(sentence=sentenced("P6M")) == 3
    assert pathway(sentence=sentenced("P6M"), rosh="HIGH") == 1


@pytest.mark.parametrize(("length", "on", "expected"), [
    ("P12M", date(2026, 3, 1), 2),       # exactly 12 months
    ("P1Y", date(2026, 3, 1), 2),
    ("P18M", date(2026, 3, 1), 2),
    ("P52W", date(2026, 3, 1), 3),       # 364 days: short of 12 months
    ("P11M", date(2026, 3, 1), 3),
    ("P11M30D", date(2026, 3, 1), 2),    # 1 March + 11 months + 30 days = 3 March: enough
    ("P11M30D", date(2026, 1, 31), 3),   # 31 January + 11 months + 30 days = 30 January
    ("P365D", date(2023, 3, 1), 3),      # 1 March 2023 + 365 days = 29 February 2024
    ("P365D", date(2024, 3, 1), 2),      # 1 March 2024 + 365 days = 1 March 2025
    ("P10D", date(2026, 3, 1), 3),
])
def test_twelve_months_by_the_interchange_definition(length: str, on: date,
                                                     expected: int) -> None:
    assert pathway(sentence=sentenced(length, on)) == expected


def test_an_indeterminate_sentence_counts_as_twelve_months_or_more() -> None:
    assert pathway(sentence=sentenced(None, indeterminate=True)) == 2


@pytest.mark.parametrize("sentence", [None, sentenced("P6M"), sentenced("P3Y")])
def test_remand_is_pathway_4_with_or_without_a_sentence(sentence: Sentence | None) -> None:
    custody = dataclasses.replace(IN_CUSTODY, remand=True)
    decided = decide_pathway(dataclasses.replace(BASE, sentence=sentence, custody=custody))
    assert decided is not None and decided.pathway == 4 and decided.field == "custody.remand"


def test_remand_that_becomes_sentenced_leaves_pathway_4() -> None:
    on_remand = dataclasses.replace(IN_CUSTODY, remand=True)
    assert pathway(custody=on_remand, sentence=None) == 4
    assert pathway(custody=IN_CUSTODY, sentence=sentenced("P2Y")) == 2


def test_high_rosh_on_remand_is_pathway_1() -> None:
    assert pathway(rosh="HIGH", custody=dataclasses.replace(IN_CUSTODY, remand=True)) == 1


@pytest.mark.parametrize(("sentence", "field"), [
    (None, "event.sentence"),
    (sentenced(None), "event.sentence.length"),
    (sentenced("P2Y", on=None), "event.sentence.date"),
])
def test_a_sentence_that_cannot_be_measured_gives_no_pathway_and_says_why(
        sentence: Sentence | None, field: str) -> None:
    decided = decide_pathway(dataclasses.replace(BASE, sentence=sentence))
    assert decided is not None and decided.pathway is None and decided.field == field
    assert "cannot be decided" in decided.explanation
    assert decided.title == "No pathway decided"
    assert decided.to_dict()["rule"] == "PATH-1"
