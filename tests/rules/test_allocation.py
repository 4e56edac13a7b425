"""The automated allocation decision (SPEC.md §2, ALLOC-1..7), scenario by scenario.

The base case meets no criterion of ALLOC-2: a British man managed in England (provider
N07), tier C1, RoSH medium, RSR 3.2%, MAPPA 0, no registrations, a non-schedule-15 offence
with an 18-month custodial sentence. Each scenario changes only what it needs.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omp.rules.allocation import (
    ALLOCATED,
    CRITERIA_TITLES,
    RETAINED,
    AllocationDecision,
    Missing,
    Reason,
    decide_allocation,
    why_not_held,
)
from omp.rules.facts import CaseFacts, Offence, Sentence
from omp.rules.policy import ALLOCATION_CRITERIA, BUILT_IN_VERSIONS, PolicyVersion

ERA_B = BUILT_IN_VERSIONS[0]
SENTENCE_DATE = date(2021, 3, 1)
CUSTODIAL_18M = Sentence(kind="custodial", date=SENTENCE_DATE, length="P18M",
                         indeterminate=False, ipp=False)
THEFT = Offence("02700", "Theft", "none")
WOUNDING = Offence("00800", "Wounding with intent", "violent")
RAPE = Offence("01900", "Rape", "sexual")

BASE = CaseFacts(
    case_ref="X123456",
    as_of=date(2021, 9, 1),
    date_of_birth=date(1990, 1, 31),
    sex="M",
    nationalities=("British",),
    pdu_code="N07CAM",
    provider_code="N07",
    tier="C1",
    rosh="MEDIUM",
    rsr_percent=Decimal("3.2"),
    ogrs3_2yr_percent=Decimal("52"),
    mappa_level=0,
    registrations=(),
    offences=(THEFT,),
    sentence=CUSTODIAL_18M,
)


def facts(**changes: Any) -> CaseFacts:
    return dataclasses.replace(BASE, **changes)


def decide(policy: PolicyVersion = ERA_B, **changes: Any) -> AllocationDecision:
    return decide_allocation(facts(**changes), policy)


def rules(decision: AllocationDecision) -> list[str]:
    return [r.rule for r in decision.reasons]


def reasons_for(decision: AllocationDecision, rule: str) -> list[Reason]:
    return [r for r in decision.reasons if r.rule == rule]


def missing_fields(decision: AllocationDecision, rule: str | None = None) -> list[str]:
    return [m.field for m in decision.missing if rule is None or m.rule == rule]


def only_rule(decision: AllocationDecision) -> str:
    """The one criterion that held (possibly with several reasons)."""
    held = set(rules(decision))
    assert len(held) == 1, held
    return held.pop()


# --- ALLOC-1: every case has an outcome --------------------------------------------------


def test_alloc_1_base_case_with_no_criterion_is_allocated_normal() -> None:
    """ALLOC-1/ALLOC-2: none of a–g holds → Allocated / Normal, computed, nothing missing."""
    decision = decide()
    assert decision.outcome == ALLOCATED == "ALLOCATED_NORMAL"
    assert decision.label == "Allocated / Normal Resourcing"
    assert decision.source == "computed"
    assert decision.policy_version == "B"
    assert decision.reasons == ()
    assert decision.missing == ()
    assert decision.computed_outcome is None
    assert decision.case_ref == "X123456" and decision.as_of == date(2021, 9, 1)
    assert decision.tier is not None and decision.tier.protect == "C"


def test_alloc_1_retained_label() -> None:
    """ALLOC-1: the retained outcome reads Retained / Enhanced Resourcing."""
    decision = decide(mappa_level=1)
    assert decision.outcome == RETAINED == "RETAINED_ENHANCED"
    assert decision.label == "Retained / Enhanced Resourcing"


# --- ALLOC-2a: tier A or B, and its parts checked directly --------------------------------


def test_alloc_2a_computed_tier_b_alone_is_retained() -> None:
    """ALLOC-2a: complexity registrations lift RSR 3.2 + RoSH medium to 20 points → tier B."""
    decision = decide(registrations=("RMDO", "ALSH", "RVLN", "RCCO", "RCPR"))
    assert decision.outcome == RETAINED
    [reason] = decision.reasons
    assert (reason.rule, reason.field) == ("ALLOC-2a", "risk.tier")
    assert str(reason.value).startswith("B")
    assert "20 protect points" in reason.explanation
    assert reason.value in reason.explanation


def test_alloc_2a_recorded_tier_b_alone_is_retained() -> None:
    """ALLOC-2a: with no RSR the recorded tier B2 stands, holds, and RSR is listed missing."""
    decision = decide(tier="B2", rsr_percent=None, recorded={"risk.tier": date(2021, 4, 2)})
    assert decision.outcome == RETAINED
    [reason] = decision.reasons
    assert (reason.rule, reason.field, reason.value) == ("ALLOC-2a", "risk.tier", "B2")
    assert reason.date == date(2021, 4, 2)
    assert "B2" in reason.explanation and "as recorded" in reason.explanation
    assert "2 April 2021" in reason.explanation
    assert missing_fields(decision) == ["risk.rsr_percent"]
    assert decision.missing[0].explanation == "No RSR recorded"


@pytest.mark.parametrize("tier", ["A", "A0", "B", "B3"])
def test_alloc_2a_recorded_tier_a_or_b_holds(tier: str) -> None:
    """ALLOC-2a: recorded tier A or B (with or without a change level) holds."""
    decision = decide(tier=tier, rsr_percent=None)
    assert only_rule(decision) == "ALLOC-2a"
    assert decision.reasons[0].value == tier


@pytest.mark.parametrize("tier", ["A1", "B3"])
def test_alloc_2a_recorded_a_or_b_holds_over_a_lower_computed_tier(tier: str) -> None:
    """ALLOC-2a: recorded A1 or B3 with RoSH medium, RSR 3.1% and no registrations computes
    C here (partial inputs), yet the recorded tier is the system of record's: it holds, and
    the reason names both readings."""
    decision = decide(tier=tier, rsr_percent=Decimal("3.1"),
                      recorded={"risk.tier": date(2021, 6, 1)})
    assert decision.outcome == RETAINED
    [reason] = decision.reasons
    assert (reason.rule, reason.field, reason.value) == ("ALLOC-2a", "risk.tier", tier)
    assert f"{tier} as recorded, recorded on 1 June 2021" in reason.explanation
    assert "computed from the data held here is C" in reason.explanation
    assert decision.tier is not None and decision.tier.source == "recorded"


def test_alloc_2a_computed_b_holds_over_a_lower_recorded_tier() -> None:
    """ALLOC-2a, the reverse: recorded C1 but complexity registrations compute B here."""
    decision = decide(tier="C1", registrations=("RMDO", "ALSH", "RVLN", "RCCO", "RCPR"),
                      recorded={"risk.tier": date(2021, 6, 1)})
    assert decision.outcome == RETAINED
    [reason] = decision.reasons
    assert str(reason.value).startswith("B")
    assert "computed from 20 protect points" in reason.explanation
    assert "the recorded tier is C1, recorded on 1 June 2021" in reason.explanation


@pytest.mark.parametrize("tier", ["C1", "C", "D0", "D3"])
def test_alloc_2a_recorded_tier_c_or_d_does_not_hold(tier: str) -> None:
    """ALLOC-2a: recorded tier C or D is not A or B."""
    decision = decide(tier=tier, rsr_percent=None)
    assert decision.outcome == ALLOCATED
    assert missing_fields(decision) == ["risk.rsr_percent"]


@pytest.mark.parametrize("rosh", ["HIGH", "VERY_HIGH"])
def test_alloc_2a_high_or_very_high_rosh_is_retained(rosh: str) -> None:
    """ALLOC-2a: every high or very high RoSH case, with the RoSH level as a reason."""
    decision = decide(rosh=rosh, recorded={"risk.rosh": date(2021, 6, 30)})
    assert decision.outcome == RETAINED
    assert only_rule(decision) == "ALLOC-2a"
    [rosh_reason] = [r for r in decision.reasons if r.field == "risk.rosh"]
    assert rosh_reason.value == rosh
    assert rosh_reason.date == date(2021, 6, 30)
    assert rosh.replace("_", " ").lower() in rosh_reason.explanation
    assert "30 June 2021" in rosh_reason.explanation


def test_alloc_2a_rsr_6_89_is_not_retained() -> None:
    """ALLOC-2a: RSR 6.89% is below 6.9% → Allocated / Normal."""
    decision = decide(rsr_percent=Decimal("6.89"))
    assert decision.outcome == ALLOCATED
    assert decision.reasons == ()


@pytest.mark.parametrize("rsr", ["6.9", "6.90", "6.95", "6.995", "7", "42.5"])
def test_alloc_2a_rsr_6_9_is_retained(rsr: str) -> None:
    """ALLOC-2a: RSR 6.9% or above holds, including 6.9–6.99 where hmpps-tier gives tier C."""
    decision = decide(rsr_percent=Decimal(rsr), recorded={"risk.rsr_percent": date(2021, 5, 4)})
    assert decision.outcome == RETAINED
    assert only_rule(decision) == "ALLOC-2a"
    [reason] = [r for r in decision.reasons if r.field == "risk.rsr_percent"]
    assert reason.value == Decimal(rsr)
    assert reason.date == date(2021, 5, 4)
    assert f"RSR {rsr}%" in reason.explanation
    assert "6.9%" in reason.explanation and "4 May 2021" in reason.explanation


def test_alloc_2a_rsr_6_9_holds_although_tier_is_c() -> None:
    """ALLOC-2a: RSR 6.9 scores 10 points (tier C) but is checked directly."""
    decision = decide(rsr_percent=Decimal("6.9"))
    assert decision.tier is not None and decision.tier.protect == "C"
    assert [r.field for r in decision.reasons] == ["risk.rsr_percent"]


def test_alloc_2a_stale_recorded_tier_does_not_hide_high_rsr() -> None:
    """ALLOC-2a: a recorded tier D0 does not hide an RSR of 7.5%."""
    decision = decide(tier="D0", rsr_percent=Decimal("7.5"))
    assert decision.outcome == RETAINED
    assert "risk.rsr_percent" in [r.field for r in decision.reasons]


@pytest.mark.parametrize("level", [2, 3])
def test_alloc_2a_and_2d_mappa_2_or_3(level: int) -> None:
    """ALLOC-2a and ALLOC-2d: MAPPA level 2 or 3 holds under both."""
    decision = decide(mappa_level=level, recorded={"risk.mappa_level": date(2021, 2, 3)})
    assert decision.outcome == RETAINED
    assert set(rules(decision)) == {"ALLOC-2a", "ALLOC-2d"}
    mappa_reasons = [r for r in decision.reasons if r.field == "risk.mappa_level"]
    assert {r.rule for r in mappa_reasons} == {"ALLOC-2a", "ALLOC-2d"}
    for reason in mappa_reasons:
        assert reason.value == level
        assert reason.date == date(2021, 2, 3)
        assert f"MAPPA level {level}" in reason.explanation


def test_alloc_2a_missing_tier_rsr_and_rosh_are_listed_not_treated_as_false() -> None:
    """ALLOC-2a/ALLOC-4: no tier, RoSH or RSR → each listed as missing; outcome still given."""
    decision = decide(tier=None, rosh=None, rsr_percent=None)
    assert decision.outcome == ALLOCATED  # ALLOC-1: never left without an outcome
    assert missing_fields(decision, "ALLOC-2a") == ["risk.tier", "risk.rosh",
                                                    "risk.rsr_percent"]
    by_field = {m.field: m.explanation for m in decision.missing}
    assert "RSR" in by_field["risk.rsr_percent"]
    assert "RoSH" in by_field["risk.rosh"]
    assert "tier" in by_field["risk.tier"]


def test_alloc_2a_missing_rosh_with_low_rsr_falls_back_to_recorded_tier() -> None:
    """ALLOC-2a/ALLOC-4: RoSH missing → recorded tier C1 used, RoSH listed as missing."""
    decision = decide(rosh=None)
    assert decision.outcome == ALLOCATED
    assert decision.tier is not None and decision.tier.source == "recorded"
    assert missing_fields(decision) == ["risk.rosh"]


# --- ALLOC-2b: custodial 12 months or more for a schedule 15 violent offence ---------------


def test_alloc_2b_violent_custodial_18_months_is_retained() -> None:
    """ALLOC-2b: P18M custodial for a schedule 15 violent offence holds."""
    decision = decide(offences=(WOUNDING,))
    assert decision.outcome == RETAINED
    assert only_rule(decision) == "ALLOC-2b"
    [reason] = decision.reasons
    assert (reason.field, reason.value, reason.date) == ("event.sentence.length", "P18M",
                                                         SENTENCE_DATE)
    assert "P18M" in reason.explanation
    assert "1 March 2021" in reason.explanation
    assert "00800" in reason.explanation


@pytest.mark.parametrize(
    ("length", "start", "held"),
    [
        # 2021-03-01 + 52 weeks = 2022-02-28 < 2022-03-01: not 12 months.
        ("P52W", date(2021, 3, 1), False),
        # 2021-03-01 + 11 months = 2022-02-01, + 30 days = 2022-03-03 ≥ 2022-03-01.
        ("P11M30D", date(2021, 3, 1), True),
        # 2021-01-31 + 11 months = 2021-12-31, + 30 days = 2022-01-30 < 2022-01-31.
        ("P11M30D", date(2021, 1, 31), False),
        ("P12M", date(2021, 3, 1), True),
        ("P12M", date(2021, 1, 31), True),
        ("P1Y", date(2021, 3, 1), True),
        ("P2Y6M", date(2021, 3, 1), True),
        ("P10D", date(2021, 3, 1), False),
        ("P11M", date(2021, 3, 1), False),
        ("P53W", date(2021, 3, 1), True),
    ],
)
def test_alloc_2b_twelve_month_boundaries(length: str, start: date, held: bool) -> None:
    """ALLOC-2b: "12 months or more" counts calendar months from the sentence date."""
    sentence = Sentence(kind="custodial", date=start, length=length, indeterminate=False)
    decision = decide(offences=(WOUNDING,), sentence=sentence)
    assert (decision.outcome == RETAINED) is held
    assert rules(decision) == (["ALLOC-2b"] if held else [])
    assert decision.missing == ()
    if held:
        assert decision.reasons[0].value == length
        assert decision.reasons[0].date == start


def test_alloc_2b_indeterminate_with_no_length_is_retained() -> None:
    """ALLOC-2b: an indeterminate custodial sentence counts as 12 months or more."""
    sentence = Sentence(kind="custodial", date=SENTENCE_DATE, length=None, indeterminate=True)
    decision = decide(offences=(WOUNDING,), sentence=sentence,
                      recorded={"event.sentence": date(2021, 3, 2)})
    assert decision.outcome == RETAINED
    [reason] = decision.reasons
    assert (reason.rule, reason.field, reason.value) == ("ALLOC-2b",
                                                         "event.sentence.indeterminate", True)
    assert reason.date == date(2021, 3, 2)
    assert "Indeterminate" in reason.explanation and "00800" in reason.explanation
    assert decision.missing == ()


def test_alloc_2b_violent_without_length_is_missing() -> None:
    """ALLOC-2b/ALLOC-4: a determinate sentence with no length cannot be counted → missing."""
    sentence = Sentence(kind="custodial", date=SENTENCE_DATE, length=None, indeterminate=False)
    decision = decide(offences=(WOUNDING,), sentence=sentence)
    assert decision.outcome == ALLOCATED
    assert missing_fields(decision) == ["event.sentence.length"]


def test_alloc_2b_violent_without_sentence_date_is_missing() -> None:
    """ALLOC-2b/ALLOC-4: a length without a sentence date cannot be counted → missing."""
    sentence = Sentence(kind="custodial", date=None, length="P5Y", indeterminate=False)
    decision = decide(offences=(WOUNDING,), sentence=sentence)
    assert decision.outcome == ALLOCATED
    assert missing_fields(decision) == ["event.sentence.date"]


def test_alloc_2b_violent_without_sentence_kind_is_missing() -> None:
    """ALLOC-2b/ALLOC-4: a violent offence with no recorded sentence type → missing."""
    decision = decide(offences=(WOUNDING,), sentence=None)
    assert decision.outcome == ALLOCATED
    assert missing_fields(decision, "ALLOC-2b") == ["event.sentence.kind"]


@pytest.mark.parametrize("kind", ["suspended", "community"])
def test_alloc_2b_violent_non_custodial_is_not_2b(kind: Any) -> None:
    """ALLOC-2b: a suspended or community sentence for a violent offence does not hold."""
    sentence = Sentence(kind=kind, date=SENTENCE_DATE, length="P24M", indeterminate=False)
    decision = decide(offences=(WOUNDING,), sentence=sentence)
    assert decision.outcome == ALLOCATED
    assert decision.reasons == ()
    assert decision.missing == ()


def test_alloc_2b_sentence_length_without_violent_offence_is_not_2b() -> None:
    """ALLOC-2b: a long custodial sentence for an offence that is not schedule 15."""
    sentence = Sentence(kind="custodial", date=SENTENCE_DATE, length="P10Y")
    assert decide(sentence=sentence).outcome == ALLOCATED


# --- ALLOC-2c: any sentence for a schedule 15 sexual offence -------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        Sentence(kind="community", date=SENTENCE_DATE, length="P12M"),
        Sentence(kind="suspended", date=SENTENCE_DATE, length="P6M"),
        Sentence(kind="custodial", date=SENTENCE_DATE, length="P10D"),
        Sentence(kind="community"),  # no length, no date: any length, any type
    ],
    ids=["community", "suspended", "custodial-10-days", "community-no-length"],
)
def test_alloc_2c_sexual_offence_with_any_sentence_is_retained(sentence: Sentence) -> None:
    """ALLOC-2c: a sentence of any length or type for a schedule 15 sexual offence."""
    decision = decide(offences=(RAPE,), sentence=sentence)
    assert decision.outcome == RETAINED
    assert only_rule(decision) == "ALLOC-2c"
    [reason] = decision.reasons
    assert (reason.field, reason.value) == ("event.offences.schedule_15", "sexual")
    assert "01900" in reason.explanation
    assert sentence.kind is not None and sentence.kind.capitalize() in reason.explanation
    assert decision.missing == ()


def test_alloc_2c_sexual_offence_with_community_sentence_is_retained() -> None:
    """ALLOC-2c: the brief's scenario, schedule 15 sexual with a community sentence."""
    sentence = Sentence(kind="community", date=date(2021, 4, 5), length="P2Y")
    decision = decide(offences=(THEFT, RAPE), sentence=sentence)
    assert rules(decision) == ["ALLOC-2c"]
    assert decision.reasons[0].date == date(2021, 4, 5)
    assert "Community sentence" in decision.reasons[0].explanation


def test_alloc_2c_sexual_offence_without_sentence_is_missing() -> None:
    """ALLOC-2c/ALLOC-4: a sexual offence with no recorded sentence → missing."""
    decision = decide(offences=(RAPE,), sentence=None)
    assert decision.outcome == ALLOCATED
    assert missing_fields(decision, "ALLOC-2c") == ["event.sentence.kind"]


def test_alloc_2b_and_2c_violent_and_sexual_offences_both_hold() -> None:
    """ALLOC-2b and ALLOC-2c: each offence is evaluated, both criteria listed."""
    decision = decide(offences=(WOUNDING, RAPE))
    assert rules(decision) == ["ALLOC-2b", "ALLOC-2c"]


# --- schedule 15 not recorded --------------------------------------------------------------


def test_alloc_2b_2c_schedule_15_none_is_missing() -> None:
    """ALLOC-2b/2c/ALLOC-4: a null schedule 15 flag is missing for both, never false."""
    decision = decide(offences=(Offence("02700", "Theft", None),))
    assert decision.outcome == ALLOCATED
    assert [(m.rule, m.field) for m in decision.missing] == [
        ("ALLOC-2b", "event.offences[0].schedule_15"),
        ("ALLOC-2c", "event.offences[0].schedule_15"),
    ]
    assert all("02700" in m.explanation for m in decision.missing)


def test_alloc_2b_2c_schedule_15_missing_on_second_offence_only() -> None:
    """ALLOC-4: only the offence without a flag is listed, by its index."""
    decision = decide(offences=(THEFT, Offence("10501", None, None)))
    assert missing_fields(decision) == ["event.offences[1].schedule_15"] * 2


def test_alloc_2c_schedule_15_none_with_community_sentence() -> None:
    """ALLOC-2b/2c: with a community sentence 2b cannot hold, so only 2c reports missing."""
    decision = decide(offences=(Offence("02700", None, None),),
                      sentence=Sentence(kind="community"))
    assert [(m.rule, m.field) for m in decision.missing] == [
        ("ALLOC-2c", "event.offences[0].schedule_15")]


def test_alloc_2b_2c_no_offences_is_missing() -> None:
    """ALLOC-2b/2c/ALLOC-4: no offences on the current event → missing, not false."""
    decision = decide(offences=())
    assert decision.outcome == ALLOCATED
    assert [(m.rule, m.field) for m in decision.missing] == [
        ("ALLOC-2b", "event.offences"), ("ALLOC-2c", "event.offences")]


def test_alloc_2c_flagged_sexual_offence_wins_over_unflagged_one() -> None:
    """ALLOC-2c: one sexual offence is enough; the other's missing flag is then moot."""
    decision = decide(offences=(Offence("02700", None, None), RAPE))
    assert decision.outcome == RETAINED
    assert "ALLOC-2c" in rules(decision)
    assert missing_fields(decision, "ALLOC-2c") == []


# --- ALLOC-2d: any MAPPA level -------------------------------------------------------------


def test_alloc_2d_mappa_0_is_not_mappa() -> None:
    """ALLOC-2d: MAPPA level 0 means not MAPPA managed."""
    decision = decide(mappa_level=0)
    assert decision.outcome == ALLOCATED
    assert decision.missing == ()


def test_alloc_2d_mappa_1_alone_is_retained() -> None:
    """ALLOC-2d: MAPPA level 1 holds under 2d only (not 2a)."""
    decision = decide(mappa_level=1, recorded={"risk.mappa_level": date(2020, 12, 1)})
    assert decision.outcome == RETAINED
    [reason] = decision.reasons
    assert (reason.rule, reason.field, reason.value) == ("ALLOC-2d", "risk.mappa_level", 1)
    assert reason.date == date(2020, 12, 1)
    assert "MAPPA level 1" in reason.explanation and "1 December 2020" in reason.explanation


def test_alloc_2d_mappa_none_is_missing() -> None:
    """ALLOC-2d/ALLOC-4: no MAPPA level recorded → missing, not treated as 0."""
    decision = decide(mappa_level=None)
    assert decision.outcome == ALLOCATED
    assert [(m.rule, m.field) for m in decision.missing] == [("ALLOC-2d", "risk.mappa_level")]
    assert "MAPPA" in decision.missing[0].explanation


# --- ALLOC-2e: Home Office Interest --------------------------------------------------------


def test_alloc_2e_hoi_registration_alone_is_retained() -> None:
    """ALLOC-2e: a Home Office Interest registration holds."""
    decision = decide(registrations=("HOI",),
                      recorded={"risk.registrations.HOI": date(2021, 7, 14)})
    assert decision.outcome == RETAINED
    [reason] = decision.reasons
    assert (reason.rule, reason.field, reason.value) == ("ALLOC-2e", "risk.registrations",
                                                         "HOI")
    assert reason.date == date(2021, 7, 14)
    assert "Home Office Interest" in reason.explanation
    assert "14 July 2021" in reason.explanation


def test_alloc_2e_among_other_registrations() -> None:
    """ALLOC-2e: HOI among other registrations still holds."""
    decision = decide(registrations=("SHPO", "HOI", "IIOM"))
    assert rules(decision) == ["ALLOC-2e"]


# --- ALLOC-3: public interest is not a criterion -------------------------------------------


def test_alloc_3_public_interest_registration_alone_does_not_retain() -> None:
    """ALLOC-3: an RPIR (public interest) registration does not make a case retained."""
    decision = decide(registrations=("RPIR",))
    assert decision.outcome == ALLOCATED
    assert decision.reasons == ()
    assert decision.missing == ()
    assert all("public interest" not in title.lower() for title in CRITERIA_TITLES.values())


# --- ALLOC-2f: foreign national ------------------------------------------------------------


@pytest.mark.parametrize(
    "nationalities",
    [("British",), ("Irish",), ("French", "Irish"), ("Irish", "French"), ("British", "Irish"),
     ("british",), (" Irish ",), ("Unknown", "British")],
)
def test_alloc_2f_british_or_irish_is_not_foreign(nationalities: tuple[str, ...]) -> None:
    """ALLOC-2f: any recorded British or Irish nationality, including one of two."""
    decision = decide(nationalities=nationalities)
    assert decision.outcome == ALLOCATED
    assert decision.reasons == () and decision.missing == ()


def test_alloc_2f_french_only_is_foreign() -> None:
    """ALLOC-2f: French only → foreign national, naming the nationality."""
    decision = decide(nationalities=("French",),
                      recorded={"person.nationalities": date(2019, 11, 5)})
    assert decision.outcome == RETAINED
    [reason] = decision.reasons
    assert (reason.rule, reason.field, reason.value) == ("ALLOC-2f", "person.nationalities",
                                                         ["French"])
    assert reason.date == date(2019, 11, 5)
    assert "French" in reason.explanation
    assert "British or Irish" in reason.explanation
    assert decision.missing == ()


def test_alloc_2f_two_foreign_nationalities() -> None:
    """ALLOC-2f: French and Polish → foreign, both named."""
    decision = decide(nationalities=("French", "Polish"))
    [reason] = decision.reasons
    assert reason.value == ["French", "Polish"]
    assert "French" in reason.explanation and "Polish" in reason.explanation


@pytest.mark.parametrize("nationalities", [None, (), ("Unknown",), ("Not known", "")])
def test_alloc_2f_no_nationality_recorded_is_foreign_and_missing(
    nationalities: tuple[str, ...] | None,
) -> None:
    """ALLOC-2f/ALLOC-4: none recorded counts as foreign AND is listed as missing."""
    decision = decide(nationalities=nationalities)
    assert decision.outcome == RETAINED
    assert rules(decision) == ["ALLOC-2f"]
    assert [(m.rule, m.field) for m in decision.missing] == [("ALLOC-2f",
                                                              "person.nationalities")]
    assert "no nationality" in decision.reasons[0].explanation.lower()
    assert "nationality" in decision.missing[0].explanation.lower()


# --- ALLOC-2g: Wales -----------------------------------------------------------------------


def test_alloc_2g_provider_n03_is_retained() -> None:
    """ALLOC-2g: the COM's PDU is in Wales (provider N03)."""
    decision = decide(pdu_code="N03UAT", provider_code="N03",
                      recorded={"probation.pdu_code": date(2020, 8, 9)})
    assert decision.outcome == RETAINED
    [reason] = decision.reasons
    assert (reason.rule, reason.field, reason.value) == ("ALLOC-2g", "probation.provider_code",
                                                         "N03")
    assert reason.date == date(2020, 8, 9)
    assert "N03UAT" in reason.explanation and "N03" in reason.explanation
    assert "Wales" in reason.explanation


def test_alloc_2g_provider_n03_with_country_wales() -> None:
    """ALLOC-2g: provider N03 and country Wales agree; the provider is quoted."""
    decision = decide(pdu_code="N03UAT", provider_code="N03", country="Wales")
    assert [(r.rule, r.field, r.value) for r in decision.reasons] == [
        ("ALLOC-2g", "probation.provider_code", "N03")]


def test_alloc_2g_provider_n07_is_not_wales() -> None:
    """ALLOC-2g: an English provider (N07) with no country → not Welsh."""
    decision = decide(provider_code="N07", country=None)
    assert decision.outcome == ALLOCATED
    assert decision.missing == ()


def test_alloc_2g_country_england_is_not_wales() -> None:
    """ALLOC-2g: country England → not Welsh."""
    assert decide(provider_code=None, country="England").outcome == ALLOCATED


def test_alloc_2g_country_wales_with_no_provider_is_retained() -> None:
    """ALLOC-2g: country Wales with no provider recorded holds on the country."""
    decision = decide(pdu_code=None, provider_code=None, country="Wales")
    assert decision.outcome == RETAINED
    [reason] = decision.reasons
    assert (reason.rule, reason.field, reason.value) == ("ALLOC-2g", "probation.country",
                                                         "Wales")
    assert "Wales" in reason.explanation


def test_alloc_2g_country_wales_explanation_does_not_invent_a_provider() -> None:
    """ALLOC-4: the explanation quotes only recorded data; no provider was recorded, so it
    must not say "provider N03"."""
    decision = decide(pdu_code=None, provider_code=None, country="Wales")
    assert "N03" not in decision.reasons[0].explanation


def test_alloc_2g_nothing_recorded_is_missing() -> None:
    """ALLOC-2g/ALLOC-4: no PDU, provider or country → missing, not treated as England."""
    decision = decide(pdu_code=None, provider_code=None, country=None)
    assert decision.outcome == ALLOCATED
    assert [(m.rule, m.field) for m in decision.missing] == [("ALLOC-2g",
                                                              "probation.provider_code")]


# --- ALLOC-4: reasons carry field, value and date ------------------------------------------


@pytest.mark.parametrize(
    ("changes", "rule", "field", "value", "recorded_key"),
    [
        ({"rsr_percent": Decimal("8.1")}, "ALLOC-2a", "risk.rsr_percent", Decimal("8.1"),
         "risk.rsr_percent"),
        ({"rosh": "HIGH"}, "ALLOC-2a", "risk.rosh", "HIGH", "risk.rosh"),
        ({"mappa_level": 1}, "ALLOC-2d", "risk.mappa_level", 1, "risk.mappa_level"),
        ({"registrations": ("HOI",)}, "ALLOC-2e", "risk.registrations", "HOI",
         "risk.registrations.HOI"),
        ({"nationalities": ("Spanish",)}, "ALLOC-2f", "person.nationalities", ["Spanish"],
         "person.nationalities"),
        ({"provider_code": "N03", "pdu_code": "N03CDF"}, "ALLOC-2g", "probation.provider_code",
         "N03", "probation.pdu_code"),
    ],
)
def test_alloc_4_reason_carries_field_value_and_recorded_date(
    changes: dict[str, Any], rule: str, field: str, value: Any, recorded_key: str
) -> None:
    """ALLOC-4: the date in ``recorded`` flows to Reason.date and into the dict."""
    on = date(2021, 8, 17)
    decision = decide(recorded={recorded_key: on}, **changes)
    [reason] = [r for r in decision.reasons if r.field == field]
    assert (reason.rule, reason.value, reason.date) == (rule, value, on)
    as_dict = reason.to_dict()
    assert as_dict["rule"] == rule and as_dict["field"] == field
    assert as_dict["date"] == "2021-08-17"
    assert as_dict["explanation"] == reason.explanation


def test_alloc_4_reason_without_recorded_date_has_none() -> None:
    """ALLOC-4: with no recorded date the reason's date is None, and no date is quoted."""
    decision = decide(mappa_level=1)
    reason = decision.reasons[0]
    assert reason.date is None
    assert reason.to_dict()["date"] is None
    assert "recorded on" not in reason.explanation


def test_alloc_4_reason_dict_values_are_plain_json() -> None:
    """ALLOC-4/INTERCHANGE: Decimal values become numbers, tuples lists, dates ISO text."""
    decision = decide(rsr_percent=Decimal("7.25"), recorded={"risk.rsr_percent": date(2021, 1,
                                                                                       9)})
    [as_dict] = [r.to_dict() for r in decision.reasons if r.field == "risk.rsr_percent"]
    assert as_dict == {"rule": "ALLOC-2a", "field": "risk.rsr_percent", "value": 7.25,
                       "date": "2021-01-09", "explanation": as_dict["explanation"]}
    assert "7.25" in as_dict["explanation"]


def test_alloc_4_every_criterion_that_held_is_listed() -> None:
    """ALLOC-4: a case meeting all of a–g lists every criterion, in order."""
    decision = decide(
        rosh="VERY_HIGH", offences=(WOUNDING, RAPE), mappa_level=3, registrations=("HOI",),
        nationalities=("French",), provider_code="N03", pdu_code="N03UAT")
    assert decision.outcome == RETAINED
    assert sorted(set(rules(decision))) == list(ALLOCATION_CRITERIA)
    assert rules(decision) == sorted(rules(decision))
    assert decision.missing == ()


def test_alloc_4_allocation_dict_shape() -> None:
    """ALLOC-4/INTERCHANGE: the allocation object of the decision output."""
    decision = decide(provider_code="N03", pdu_code="N03UAT", nationalities=None)
    body = decision.allocation_dict()
    assert body["outcome"] == "RETAINED_ENHANCED" and body["source"] == "computed"
    assert [r["rule"] for r in body["reasons"]] == ["ALLOC-2f", "ALLOC-2g"]
    assert body["missing"] == [{"rule": "ALLOC-2f", "field": "person.nationalities",
                                "explanation": decision.missing[0].explanation}]
    assert "computed_outcome" not in body


def test_alloc_4_missing_to_dict() -> None:
    """ALLOC-4: a Missing entry serialises its rule, field and explanation."""
    entry = Missing("ALLOC-2d", "risk.mappa_level", "No MAPPA level recorded")
    assert entry.to_dict() == {"rule": "ALLOC-2d", "field": "risk.mappa_level",
                               "explanation": "No MAPPA level recorded"}


# --- supplied resourcing -------------------------------------------------------------------


def test_alloc_1_supplied_normal_overrides_computed_enhanced() -> None:
    """ALLOC-1/INTERCHANGE: a supplied NORMAL is the outcome; the computed one is kept."""
    decision = decide(mappa_level=2, resourcing="NORMAL",
                      recorded={"resourcing": date(2020, 1, 2)})
    assert decision.outcome == ALLOCATED
    assert decision.source == "supplied"
    assert decision.computed_outcome == RETAINED
    [reason] = decision.reasons
    assert (reason.rule, reason.field, reason.value) == ("ALLOC-1", "resourcing", "NORMAL")
    assert reason.date == date(2020, 1, 2)
    assert "supplied" in reason.explanation.lower() and "NORMAL" in reason.explanation
    body = decision.allocation_dict()
    assert body["source"] == "supplied"
    assert body["computed_outcome"] == "RETAINED_ENHANCED"
    assert body["outcome"] == "ALLOCATED_NORMAL"


def test_alloc_1_supplied_enhanced_on_a_normal_case() -> None:
    """ALLOC-1/INTERCHANGE: a supplied ENHANCED is the outcome; computed Allocated kept."""
    decision = decide(resourcing="ENHANCED")
    assert (decision.outcome, decision.source, decision.computed_outcome) == (
        RETAINED, "supplied", ALLOCATED)
    assert decision.allocation_dict()["computed_outcome"] == "ALLOCATED_NORMAL"


def test_alloc_1_supplied_agreeing_with_computed() -> None:
    """ALLOC-1: supplied and computed agree; source still says supplied."""
    decision = decide(resourcing="ENHANCED", provider_code="N03")
    assert (decision.outcome, decision.source, decision.computed_outcome) == (
        RETAINED, "supplied", RETAINED)


# --- ALLOC-7: policy versions --------------------------------------------------------------


def test_alloc_7_policy_without_2g_welsh_case_is_allocated_normal() -> None:
    """ALLOC-7: a version whose criteria lack ALLOC-2g → a Welsh case with nothing else is
    Allocated / Normal, and the policy version is named on the decision."""
    no_wales = PolicyVersion("NO-WALES", date(2021, 1, 1),
                             criteria=frozenset(ALLOCATION_CRITERIA) - {"ALLOC-2g"})
    welsh = facts(provider_code="N03", pdu_code="N03UAT", country="Wales")
    assert decide_allocation(welsh, ERA_B).outcome == RETAINED
    decision = decide_allocation(welsh, no_wales)
    assert decision.outcome == ALLOCATED
    assert decision.reasons == ()
    assert decision.policy_version == "NO-WALES"


def test_alloc_7_criteria_outside_policy_report_no_missing() -> None:
    """ALLOC-7: a criterion not in force is neither a reason nor missing."""
    no_wales = PolicyVersion("NO-WALES", date(2021, 1, 1),
                             criteria=frozenset(ALLOCATION_CRITERIA) - {"ALLOC-2g"})
    decision = decide(no_wales, provider_code=None, pdu_code=None, country=None)
    assert decision.missing == ()
    assert missing_fields(decide(provider_code=None, pdu_code=None, country=None)) == [
        "probation.provider_code"]


def test_alloc_7_policy_with_only_mappa() -> None:
    """ALLOC-7: with only ALLOC-2d in force, a foreign Welsh HOI case is Allocated."""
    mappa_only = PolicyVersion("MAPPA-ONLY", date(2021, 1, 1), criteria=frozenset({"ALLOC-2d"}))
    case = facts(nationalities=("French",), provider_code="N03", registrations=("HOI",))
    assert decide_allocation(case, mappa_only).outcome == ALLOCATED
    assert decide_allocation(dataclasses.replace(case, mappa_level=1), mappa_only).outcome == (
        RETAINED)


def test_alloc_7_levelled_up_policy_is_retained_with_alloc_7_reason() -> None:
    """ALLOC-7: a levelled-up version → Retained / Enhanced, with an ALLOC-7 reason first."""
    levelled = PolicyVersion("LU-ENG-2027", date(2027, 4, 1), scope="England", levelled_up=True)
    decision = decide(levelled)
    assert decision.outcome == RETAINED
    assert decision.source == "computed"
    assert decision.policy_version == "LU-ENG-2027"
    [reason] = decision.reasons
    assert (reason.rule, reason.field, reason.value) == ("ALLOC-7", "policy_version",
                                                         "LU-ENG-2027")
    assert reason.date == date(2027, 4, 1)
    assert "LU-ENG-2027" in reason.explanation and "1 April 2027" in reason.explanation


def test_alloc_7_levelled_up_keeps_other_reasons_after_it() -> None:
    """ALLOC-7/ALLOC-4: levelling up still lists the criteria that held."""
    levelled = PolicyVersion("LU", date(2027, 4, 1), levelled_up=True)
    decision = decide(levelled, mappa_level=1)
    assert rules(decision) == ["ALLOC-7", "ALLOC-2d"]


def test_alloc_7_built_in_version_name_is_recorded() -> None:
    """ALLOC-7: past decisions keep the policy version they were made under."""
    for version in BUILT_IN_VERSIONS:
        assert decide(version).policy_version == version.name


# --- ALLOC-1 as a property -----------------------------------------------------------------

NATIONALITIES = st.one_of(
    st.none(), st.lists(st.sampled_from(["British", "Irish", "French", "Unknown", ""]),
                        max_size=2).map(tuple))
SENTENCES = st.one_of(st.none(), st.builds(
    Sentence,
    kind=st.sampled_from([None, "custodial", "community", "suspended"]),
    date=st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2030, 12, 31))),
    length=st.sampled_from([None, "P10D", "P52W", "P11M30D", "P12M", "P2Y6M"]),
    indeterminate=st.sampled_from([None, False, True]),
))
OFFENCES = st.lists(st.builds(Offence, code=st.just("00001"),
                              schedule_15=st.sampled_from([None, "none", "violent",
                                                           "sexual"])),
                    max_size=3).map(tuple)


@given(
    nationalities=NATIONALITIES,
    provider=st.sampled_from([None, "N03", "N07"]),
    country=st.sampled_from([None, "England", "Wales"]),
    tier=st.sampled_from([None, "A1", "B2", "C3", "D0"]),
    rosh=st.sampled_from([None, "LOW", "MEDIUM", "HIGH", "VERY_HIGH"]),
    rsr=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
    mappa=st.sampled_from([None, 0, 1, 2, 3]),
    registrations=st.lists(st.sampled_from(["HOI", "RPIR", "RMDO", "IIOM"]),
                           max_size=3).map(tuple),
    offences=OFFENCES,
    sentence=SENTENCES,
)
def test_alloc_1_property_every_case_gets_exactly_one_explained_outcome(
    nationalities: tuple[str, ...] | None, provider: str | None, country: str | None,
    tier: str | None, rosh: Any, rsr: Decimal | None, mappa: int | None,
    registrations: tuple[str, ...], offences: tuple[Offence, ...], sentence: Sentence | None,
) -> None:
    """ALLOC-1/ALLOC-4: any combination of facts gets one of the two outcomes; Retained
    exactly when some criterion held, and every reason and missing entry names an ALLOC-2
    criterion."""
    case = facts(nationalities=nationalities, provider_code=provider, country=country,
                 tier=tier, rosh=rosh, rsr_percent=rsr, mappa_level=mappa,
                 registrations=registrations, offences=offences, sentence=sentence)
    decision = decide_allocation(case, ERA_B)
    assert decision.outcome in (RETAINED, ALLOCATED)
    assert (decision.outcome == RETAINED) is bool(decision.reasons)
    assert {r.rule for r in decision.reasons} <= set(ALLOCATION_CRITERIA)
    assert {m.rule for m in decision.missing} <= set(ALLOCATION_CRITERIA)
    # MAPPA 1–3 and HOI are direct: if present, the case is retained.
    if (mappa or 0) >= 1 or "HOI" in registrations:
        assert decision.outcome == RETAINED
    # RPIR alone never matters (ALLOC-3): removing it changes nothing.
    without_rpir = tuple(code for code in registrations if code != "RPIR")
    if without_rpir != registrations and (rsr is None or rosh is None):
        again = decide_allocation(dataclasses.replace(case, registrations=without_rpir), ERA_B)
        assert again.outcome == decision.outcome


# --- ALLOC-4: "Not held" says why ----------------------------------------------------------


def test_each_criterion_not_held_says_what_the_data_showed() -> None:
    """The case of the issue: RSR 5.15% against the 6.9% threshold, medium RoSH, tier C."""
    case = facts(rsr_percent=Decimal("5.15"), offences=(THEFT,))
    decision = decide_allocation(case, ERA_B)
    assert decision.outcome == "ALLOCATED_NORMAL"
    words = {rule: why_not_held(case, rule) for rule in ALLOCATION_CRITERIA}
    assert words["ALLOC-2a"] == ("Recorded: supervision tier C1 (not A or B); RoSH medium "
                                 "(not high or very high); RSR 5.15% (below 6.9%); MAPPA "
                                 "level 0 (not 2 or 3)")
    assert words["ALLOC-2b"] == "No offence on the current event is a schedule 15 violent offence"
    assert words["ALLOC-2c"] == "No offence on the current event is a schedule 15 sexual offence"
    assert words["ALLOC-2d"] == "MAPPA level 0: not managed under MAPPA"
    assert words["ALLOC-2e"] == "No Home Office Interest registration"
    assert words["ALLOC-2f"] == "Recorded as British"
    assert words["ALLOC-2g"] == "Not managed in Wales (PDU N07CAM, provider N07)"


def test_a_violent_offence_not_held_names_the_sentence_that_kept_it_out() -> None:
    short = facts(offences=(WOUNDING,), sentence=dataclasses.replace(CUSTODIAL_18M,
                                                                       length="P6M"))
    assert "ALLOC-2b" not in rules(decide_allocation(short, ERA_B))
    assert why_not_held(short, "ALLOC-2b") == "A custodial sentence of 6 months, under 12 months"
    community = facts(offences=(WOUNDING,), sentence=dataclasses.replace(
        CUSTODIAL_18M, kind="community"))
    assert "ALLOC-2b" not in rules(decide_allocation(community, ERA_B))
    assert why_not_held(community, "ALLOC-2b") == "A community sentence, not a custodial one"
    with pytest.raises(ValueError, match="ALLOC-9"):
        why_not_held(short, "ALLOC-9")
