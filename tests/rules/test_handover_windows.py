"""Manual override (HANDOVER §1.1), contradictory custody dates, and the derived handover
windows of §4.9: upcoming, in progress, COM allocation overdue (HAND-3).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from omp.rules.facts import CaseFacts, Custody, Sentence
from omp.rules.handover import (
    HandoverDecision,
    ReleaseDate,
    check_custody_dates,
    com_allocation_overdue,
    decide_handover,
    in_handover,
    upcoming_handover,
    with_override,
)
from omp.rules.policy import BUILT_IN_VERSIONS

ERA_B = next(v for v in BUILT_IN_VERSIONS if v.handover_era == "B")

#: The INTERCHANGE.md worked example.
EXAMPLE = CaseFacts(
    case_ref="X123456",
    as_of=date(2021, 9, 1),
    date_of_birth=date(1990, 1, 31),
    provider_code="N03",
    country="Wales",
    mappa_level=0,
    sentence=Sentence(kind="custodial", date=date(2021, 3, 1), length="P18M",
                      indeterminate=False),
    custody=Custody(prison_code="DNI", womens_prison=False, category="C",
                    arrival_date=date(2021, 3, 2), sentence_start_date=date(2021, 3, 1),
                    conditional_release_date=date(2022, 2, 28), recall=False,
                    immigration_case=False, early_allocation=False),
)

POM = "POM_RESPONSIBLE"
POM_COM = "POM_RESPONSIBLE_COM_SUPPORTING"
COM = "COM_RESPONSIBLE"


def example(resourcing: Any = "ENHANCED", **changes: Any) -> HandoverDecision:
    assert EXAMPLE.custody is not None
    custody = {k: changes.pop(k) for k in list(changes) if hasattr(EXAMPLE.custody, k)}
    facts = dataclasses.replace(EXAMPLE, custody=dataclasses.replace(EXAMPLE.custody, **custody),
                                **changes)
    decision = decide_handover(facts, ERA_B, resourcing)
    assert decision is not None
    return decision


def made(responsibility: str, handover: date | None, start: date | None = None) -> HandoverDecision:
    """A decision stating only what the window rules read."""
    return HandoverDecision(
        case_ref="X123456", as_of=date(2025, 1, 1), era="E", policy_version="E",
        responsibility=responsibility,  # type: ignore[arg-type]
        start_date=start if start is not None else handover, handover_date=handover,
        reason="determinate" if handover else "recall_case", rule="HAND-2",
        explanation="", earliest_release=None, handover_type="enhanced",
    )


# --- §1.1 manual override ----------------------------------------------------------------

def test_1_1_override_prison_pom_responsible_com_supporting() -> None:
    after = example(as_of=date(2021, 10, 13))
    assert after.responsibility == COM
    overridden = with_override(after, "Prison", "Moved to an open prison")
    assert overridden.responsibility == POM_COM
    assert overridden.reason == "override_prison"
    assert "Moved to an open prison" in overridden.explanation


def test_1_1_override_probation_com_responsible() -> None:
    before = example(as_of=date(2021, 7, 1))
    assert before.responsibility == POM
    overridden = with_override(before, "Probation", "Less than 10 months to serve")
    assert overridden.responsibility == COM
    assert overridden.reason == "override_probation"
    assert "Less than 10 months to serve" in overridden.explanation


@pytest.mark.parametrize("value", ["Prison", "Probation"])
def test_1_1_override_keeps_the_dates_and_the_case(value: Any) -> None:
    decision = example()
    overridden = with_override(decision, value, "Other: agreed at the case conference")
    assert (overridden.start_date, overridden.handover_date) == (date(2021, 7, 13),
                                                                 date(2021, 10, 13))
    assert overridden.earliest_release == ReleaseDate("CRD", date(2022, 2, 28))
    assert (overridden.case_ref, overridden.as_of, overridden.era, overridden.policy_version) == (
        decision.case_ref, decision.as_of, decision.era, decision.policy_version)
    assert decision.responsibility == POM_COM  # the calculated decision is untouched


def test_1_1_override_of_a_recall_keeps_no_dates() -> None:
    recall = example(recall=True)
    overridden = with_override(recall, "Prison", "Recalled")
    assert overridden.responsibility == POM_COM
    assert (overridden.start_date, overridden.handover_date) == (None, None)


# --- contradictory custody dates ---------------------------------------------------------

def facts_with(indeterminate: bool | None = False, **custody: Any) -> CaseFacts:
    assert EXAMPLE.custody is not None and EXAMPLE.sentence is not None
    return dataclasses.replace(
        EXAMPLE, custody=dataclasses.replace(EXAMPLE.custody, **custody),
        sentence=dataclasses.replace(EXAMPLE.sentence, indeterminate=indeterminate))


def fields(problems: list[tuple[str, str]]) -> list[str]:
    return [field for field, _ in problems]


def test_consistent_dates_no_problems() -> None:
    assert check_custody_dates(EXAMPLE) == []


@pytest.mark.parametrize("name", [
    "conditional_release_date", "automatic_release_date", "parole_eligibility_date",
    "home_detention_curfew_eligibility_date", "home_detention_curfew_actual_date",
    "licence_expiry_date",
])
def test_release_date_before_sentence_start(name: str) -> None:
    # The day before the SSD (2021-03-01).
    problems = check_custody_dates(facts_with(**{name: date(2021, 2, 28)}))
    assert fields(problems) == [f"custody.{name}"]
    assert "sentence start date" in problems[0][1].lower()


def test_tariff_before_sentence_start_on_an_indeterminate_sentence() -> None:
    problems = check_custody_dates(facts_with(indeterminate=True, conditional_release_date=None,
                                              tariff_date=date(2021, 2, 28)))
    assert fields(problems) == ["custody.tariff_date"]
    assert "sentence start date" in problems[0][1].lower()


@pytest.mark.parametrize("name", [
    "conditional_release_date", "automatic_release_date", "parole_eligibility_date",
    "home_detention_curfew_eligibility_date", "home_detention_curfew_actual_date",
    "licence_expiry_date",
])
def test_release_date_on_sentence_start_is_consistent(name: str) -> None:
    assert check_custody_dates(facts_with(**{name: date(2021, 3, 1)})) == []


def test_two_dates_before_sentence_start_both_reported() -> None:
    problems = check_custody_dates(facts_with(conditional_release_date=date(2021, 1, 31),
                                              licence_expiry_date=date(2020, 12, 31)))
    assert sorted(fields(problems)) == ["custody.conditional_release_date",
                                        "custody.licence_expiry_date"]


def test_no_sentence_start_nothing_to_compare() -> None:
    facts = facts_with(sentence_start_date=None, conditional_release_date=date(2020, 1, 1))
    assert check_custody_dates(facts) == []


def test_tariff_date_on_a_determinate_sentence() -> None:
    problems = check_custody_dates(facts_with(tariff_date=date(2031, 3, 1)))
    assert fields(problems) == ["custody.tariff_date"]


def test_tariff_date_on_an_indeterminate_sentence_is_consistent() -> None:
    assert check_custody_dates(facts_with(indeterminate=True, conditional_release_date=None,
                                          tariff_date=date(2031, 3, 1))) == []


def test_tariff_date_with_sentence_type_not_recorded_is_not_flagged() -> None:
    assert check_custody_dates(facts_with(indeterminate=None,
                                          tariff_date=date(2031, 3, 1))) == []


def test_hdcad_before_hdced() -> None:
    problems = check_custody_dates(facts_with(
        home_detention_curfew_eligibility_date=date(2021, 11, 1),
        home_detention_curfew_actual_date=date(2021, 10, 31)))
    assert fields(problems) == ["custody.home_detention_curfew_actual_date"]


def test_hdcad_on_hdced_is_consistent() -> None:
    assert check_custody_dates(facts_with(
        home_detention_curfew_eligibility_date=date(2021, 11, 1),
        home_detention_curfew_actual_date=date(2021, 11, 1))) == []


def test_no_custody_no_problems() -> None:
    assert check_custody_dates(dataclasses.replace(EXAMPLE, custody=None)) == []


# --- §4.9 upcoming handover: POM responsible and handover - 56 days <= today < handover ---

@pytest.mark.parametrize(("as_of", "upcoming"), [
    (date(2025, 1, 3), False),
    (date(2025, 1, 4), True),   # 2025-03-01 - 56 days (28-day February)
    (date(2025, 1, 5), True),
    (date(2025, 2, 28), True),
    (date(2025, 3, 1), False),  # handover day: no longer upcoming
])
def test_4_9_upcoming_window(as_of: date, upcoming: bool) -> None:
    assert upcoming_handover(made(POM, date(2025, 3, 1)), as_of) is upcoming


@pytest.mark.parametrize(("as_of", "upcoming"), [
    (date(2024, 1, 4), False),
    (date(2024, 1, 5), True),   # 2024-03-01 - 56 days (29-day February)
])
def test_4_9_upcoming_window_in_a_leap_year(as_of: date, upcoming: bool) -> None:
    assert upcoming_handover(made(POM, date(2024, 3, 1)), as_of) is upcoming


def test_4_9_upcoming_only_while_pom_responsible_alone() -> None:
    supporting = made(POM_COM, date(2025, 3, 1), start=date(2024, 12, 1))
    assert upcoming_handover(supporting, date(2025, 2, 1)) is False


def test_4_9_upcoming_needs_a_handover_date() -> None:
    assert upcoming_handover(made(POM, None), date(2025, 2, 1)) is False


def test_4_9_upcoming_from_a_crc_decision() -> None:
    # CRC: handover 2021-12-06; 56 days earlier is 2021-10-11.
    assert upcoming_handover(example("NORMAL", as_of=date(2021, 10, 10)),
                             date(2021, 10, 10)) is False
    assert upcoming_handover(example("NORMAL", as_of=date(2021, 10, 11)),
                             date(2021, 10, 11)) is True


# --- §4.9 in progress: COM responsible with a handover date ------------------------------

def test_4_9_in_progress_com_responsible_with_a_handover_date() -> None:
    assert in_handover(made(COM, date(2025, 3, 1))) is True


def test_4_9_not_in_progress_without_a_handover_date() -> None:
    assert in_handover(made(COM, None)) is False  # e.g. a recall: COM from the outset


@pytest.mark.parametrize("responsibility", [POM, POM_COM])
def test_4_9_not_in_progress_while_pom_responsible(responsibility: str) -> None:
    assert in_handover(made(responsibility, date(2025, 3, 1))) is False


def test_4_9_worked_example_in_progress_on_handover_day() -> None:
    assert in_handover(example(as_of=date(2021, 10, 12))) is False
    assert in_handover(example(as_of=date(2021, 10, 13))) is True


# --- §4.9 COM allocation overdue: in progress, no COM, today >= handover + 2 days ---------

@pytest.mark.parametrize(("as_of", "overdue"), [
    (date(2025, 3, 1), False),
    (date(2025, 3, 2), False),
    (date(2025, 3, 3), True),  # two days after handover
    (date(2025, 3, 4), True),
])
def test_4_9_com_allocation_overdue_two_days_after_handover(as_of: date, overdue: bool) -> None:
    assert com_allocation_overdue(made(COM, date(2025, 3, 1)), as_of, False) is overdue


def test_4_9_not_overdue_once_a_com_is_allocated() -> None:
    assert com_allocation_overdue(made(COM, date(2025, 3, 1)), date(2025, 3, 10), True) is False


def test_4_9_not_overdue_without_a_handover_date() -> None:
    assert com_allocation_overdue(made(COM, None), date(2025, 3, 10), False) is False


def test_4_9_not_overdue_while_pom_responsible() -> None:
    assert com_allocation_overdue(made(POM_COM, date(2025, 3, 1), start=date(2025, 1, 1)),
                                  date(2025, 3, 10), False) is False


@pytest.mark.parametrize(("handover", "day_before", "due"), [
    (date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)),  # across 29 February
    (date(2025, 2, 27), date(2025, 2, 28), date(2025, 3, 1)),
])
def test_4_9_overdue_across_month_end(handover: date, day_before: date, due: date) -> None:
    decision = made(COM, handover)
    assert com_allocation_overdue(decision, day_before, False) is False
    assert com_allocation_overdue(decision, due, False) is True


def test_4_9_worked_example_overdue_from_15_october_2021() -> None:
    on_day = example(as_of=date(2021, 10, 13))
    assert com_allocation_overdue(on_day, date(2021, 10, 14), False) is False
    assert com_allocation_overdue(on_day, date(2021, 10, 15), False) is True
