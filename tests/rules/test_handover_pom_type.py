"""Prison POM or probation POM (HAND-1; HANDOVER.md §4.10), strategy by strategy, era by era.

Decisions are built directly, so each scenario states just the responsibility it needs; two
scenarios at the end go through ``decide_handover`` with the INTERCHANGE.md worked example.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from omp.rules.facts import CaseFacts, Custody, Sentence
from omp.rules.handover import HandoverDecision, decide_handover, recommend_pom_type
from omp.rules.policy import BUILT_IN_VERSIONS

ERAS = {v.handover_era: v for v in BUILT_IN_VERSIONS}
LATER_ERAS = ["C", "D", "E"]

FACTS = CaseFacts(
    case_ref="X123456",
    as_of=date(2021, 9, 1),
    date_of_birth=date(1990, 1, 31),
    provider_code="N03",
    country="Wales",
    tier="C1",
    rosh="MEDIUM",
    mappa_level=0,
    sentence=Sentence(kind="custodial", date=date(2021, 3, 1), length="P18M",
                      indeterminate=False),
    custody=Custody(prison_code="DNI", womens_prison=False, arrival_date=date(2021, 3, 2),
                    sentence_start_date=date(2021, 3, 1),
                    conditional_release_date=date(2022, 2, 28), recall=False,
                    immigration_case=False, early_allocation=False),
)


def facts(*, immigration: bool = False, **changes: Any) -> CaseFacts:
    assert FACTS.custody is not None
    custody = dataclasses.replace(FACTS.custody, immigration_case=immigration)
    return dataclasses.replace(FACTS, custody=custody, **changes)


def decision(responsibility: str | None, era: str = "E") -> HandoverDecision:
    calculated = responsibility is not None
    return HandoverDecision(
        case_ref="X123456", as_of=date(2021, 9, 1), era=era, policy_version=era,
        responsibility=responsibility,  # type: ignore[arg-type]
        start_date=date(2021, 7, 13) if calculated else None,
        handover_date=date(2021, 10, 13) if calculated else None,
        reason="determinate" if calculated else "outside_omic_policy",
        rule="HAND-2", explanation="", earliest_release=None,
        handover_type=None if era in ("B", "C") else "enhanced",
    )


POM = "POM_RESPONSIBLE"
POM_COM = "POM_RESPONSIBLE_COM_SUPPORTING"
COM = "COM_RESPONSIBLE"


# --- not calculated ----------------------------------------------------------------------

@pytest.mark.parametrize("strategy", ["tier", "rosh"])
def test_no_decision_no_recommendation(strategy: Any) -> None:
    assert recommend_pom_type(facts(), None, "A1", strategy) is None


@pytest.mark.parametrize("era", ["B", "C", "D", "E"])
def test_outside_omic_policy_no_recommendation(era: str) -> None:
    assert recommend_pom_type(facts(), decision(None, era), "A1") is None


# --- tier strategy (the default) ---------------------------------------------------------

@pytest.mark.parametrize("era", LATER_ERAS)
def test_tier_immigration_case_prison_pom(era: str) -> None:
    assert recommend_pom_type(facts(immigration=True), decision(POM, era), "A1") == "PRISON"


@pytest.mark.parametrize("era", LATER_ERAS)
def test_tier_pom_not_responsible_prison_pom(era: str) -> None:
    assert recommend_pom_type(facts(), decision(COM, era), "A1") == "PRISON"


@pytest.mark.parametrize("era", LATER_ERAS)
@pytest.mark.parametrize("responsibility", [POM, POM_COM])
@pytest.mark.parametrize("tier", ["A1", "A3", "B0", "B2"])
def test_tier_a_or_b_probation_pom(era: str, responsibility: str, tier: str) -> None:
    assert recommend_pom_type(facts(), decision(responsibility, era), tier) == "PROBATION"


@pytest.mark.parametrize("era", LATER_ERAS)
@pytest.mark.parametrize("tier", ["C1", "C3", "D0", "D2", None])
def test_tier_otherwise_prison_pom(era: str, tier: str | None) -> None:
    assert recommend_pom_type(facts(), decision(POM, era), tier) == "PRISON"


def test_tier_is_the_default_strategy() -> None:
    # Under the RoSH strategy tier B with RoSH missing would give no recommendation.
    assert recommend_pom_type(facts(rosh=None), decision(POM), "B1") == "PROBATION"


# --- RoSH strategy -----------------------------------------------------------------------

@pytest.mark.parametrize("era", LATER_ERAS)
def test_rosh_immigration_case_prison_pom(era: str) -> None:
    result = recommend_pom_type(facts(immigration=True, rosh="VERY_HIGH"), decision(POM, era),
                                "A1", "rosh")
    assert result == "PRISON"


def test_rosh_pom_not_responsible_prison_pom_even_with_rosh_missing() -> None:
    assert recommend_pom_type(facts(rosh=None), decision(COM), "A1", "rosh") == "PRISON"


@pytest.mark.parametrize("rosh", ["LOW", "MEDIUM", None])
def test_rosh_tier_a_probation_pom(rosh: Any) -> None:
    assert recommend_pom_type(facts(rosh=rosh), decision(POM), "A2", "rosh") == "PROBATION"


@pytest.mark.parametrize("rosh", ["HIGH", "VERY_HIGH"])
@pytest.mark.parametrize("tier", ["B1", "C2", "D0", None])
def test_rosh_high_or_very_high_probation_pom(rosh: Any, tier: str | None) -> None:
    assert recommend_pom_type(facts(rosh=rosh), decision(POM_COM), tier, "rosh") == "PROBATION"


@pytest.mark.parametrize("tier", ["B1", "C2", None])
def test_rosh_missing_no_recommendation(tier: str | None) -> None:
    assert recommend_pom_type(facts(rosh=None), decision(POM), tier, "rosh") is None


@pytest.mark.parametrize("rosh", ["LOW", "MEDIUM"])
def test_rosh_tier_b_alone_is_not_enough(rosh: Any) -> None:
    assert recommend_pom_type(facts(rosh=rosh), decision(POM), "B2", "rosh") == "PRISON"


# --- era B -------------------------------------------------------------------------------

def test_era_b_immigration_prison_pom() -> None:
    assert recommend_pom_type(facts(immigration=True), decision(POM, "B"), "A1") == "PRISON"


@pytest.mark.parametrize("responsibility", [POM, POM_COM])
@pytest.mark.parametrize("tier", ["A0", "B3"])
def test_era_b_pom_responsible_tier_a_or_b_probation_pom(responsibility: str,
                                                         tier: str) -> None:
    assert recommend_pom_type(facts(), decision(responsibility, "B"), tier) == "PROBATION"


def test_era_b_com_responsible_tier_a_prison_pom() -> None:
    assert recommend_pom_type(facts(), decision(COM, "B"), "A1") == "PRISON"


@pytest.mark.parametrize("tier", ["C1", "D3", None])
def test_era_b_otherwise_prison_pom(tier: str | None) -> None:
    assert recommend_pom_type(facts(), decision(POM, "B"), tier) == "PRISON"


def test_era_b_rule_applies_whatever_the_strategy() -> None:
    # Era B has no RoSH strategy: tier B with RoSH missing is still a probation POM.
    assert recommend_pom_type(facts(rosh=None), decision(POM, "B"), "B1", "rosh") == "PROBATION"


# --- through the handover decision -------------------------------------------------------

def test_worked_example_prison_pom() -> None:
    handover = decide_handover(FACTS, ERAS["B"], "ENHANCED")
    assert handover is not None and handover.responsibility == POM_COM
    assert recommend_pom_type(FACTS, handover, "C1") == "PRISON"


def test_worked_example_tier_a_probation_pom() -> None:
    handover = decide_handover(FACTS, ERAS["B"], "ENHANCED")
    assert recommend_pom_type(FACTS, handover, "A1") == "PROBATION"


def test_worked_example_after_handover_prison_pom() -> None:
    later = dataclasses.replace(FACTS, as_of=date(2021, 10, 13))
    handover = decide_handover(later, ERAS["B"], "ENHANCED")
    assert handover is not None and handover.responsibility == COM
    assert recommend_pom_type(later, handover, "A1") == "PRISON"
