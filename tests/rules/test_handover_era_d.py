"""Era D handover rules (HAND-2; HANDOVER.md §5, the April 2023 policy as listed).

The base case is an English man in a public prison (LEI), sentenced on 2023-05-01 with a CRD
of 2024-10-31, MAPPA 0, enhanced resourcing, decided on 2023-06-01. Each scenario changes only
what it needs. Every expected date below was worked out by hand ("8 months 14 days before" =
calendar months first, clamped to month end, then days).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from omp.rules.facts import CaseFacts, Custody, Sentence
from omp.rules.handover import HandoverDecision, ReleaseDate, decide_handover
from omp.rules.policy import PolicyVersion
from tests.rules.handover_scenarios import assert_no_dates, changed, dates, decided, era

ERA_D = era("D")


BASE = CaseFacts(
    case_ref="X200001",
    as_of=date(2023, 6, 1),
    date_of_birth=date(1990, 1, 31),
    sex="M",
    nationalities=("British",),
    pdu_code="N07CAM",
    provider_code="N07",
    country="England",
    tier="C1",
    rosh="MEDIUM",
    mappa_level=0,
    sentence=Sentence(kind="custodial", date=date(2023, 5, 1), length="P36M",
                      indeterminate=False, ipp=False),
    custody=Custody(
        prison_code="LEI", womens_prison=False, category="C", arrival_date=date(2023, 5, 2),
        remand=False, sentence_start_date=date(2023, 5, 1),
        conditional_release_date=date(2024, 10, 31), recall=False, immigration_case=False,
        early_allocation=False, parole_outcome_not_release=False, additional_future_isp=False,
    ),
)


def case(**changes: Any) -> CaseFacts:
    """The base case changed (see :func:`tests.rules.handover_scenarios.changed`)."""
    return changed(BASE, **changes)


def decide(resourcing: Any = "ENHANCED", policy: PolicyVersion = ERA_D,
           **changes: Any) -> HandoverDecision:
    """The base case changed, decided under era D unless another policy is given."""
    return decided(BASE, policy, resourcing, **changes)


def isp(**changes: Any) -> HandoverDecision:
    """An indeterminate sentence: no CRD, dates as given."""
    return decide(isp=True, crd=None, **changes)


# --- the base case and what every decision carries ---------------------------------------

def test_5_general_determinate_8_months_14_days_before_crd() -> None:
    decision = decide()
    assert (decision.era, decision.policy_version) == ("D", ERA_D.name)
    assert decision.reason == "determinate"
    # 2024-10-31 - 8 months = 2024-02-29, - 14 days = 2024-02-15 (days first would give 17th).
    assert dates(decision) == (date(2024, 2, 15), date(2024, 2, 15))
    assert decision.responsibility == "POM_RESPONSIBLE"
    assert decision.earliest_release == ReleaseDate("CRD", date(2024, 10, 31))
    assert decision.handover_type == "enhanced"
    assert decision.rule.startswith("HAND-")
    assert decision.explanation.strip()


def test_5_general_determinate_in_a_common_year() -> None:
    decision = decide(ssd=date(2022, 11, 1), arrival_date=date(2022, 11, 2),
                      crd=date(2023, 10, 31), as_of=date(2022, 12, 1))
    # 2023-10-31 - 8 months = 2023-02-28, - 14 days = 2023-02-14.
    assert dates(decision) == (date(2023, 2, 14), date(2023, 2, 14))


@pytest.mark.parametrize(("as_of", "responsibility"), [
    (date(2024, 2, 14), "POM_RESPONSIBLE"),
    (date(2024, 2, 15), "COM_RESPONSIBLE"),  # responsibility passes on the handover date
    (date(2024, 2, 16), "COM_RESPONSIBLE"),
])
def test_4_7_responsibility_from_the_dates(as_of: date, responsibility: str) -> None:
    assert decide(as_of=as_of).responsibility == responsibility


def test_5_no_custody_no_decision() -> None:
    assert decide_handover(dataclasses.replace(BASE, custody=None), ERA_D, None) is None


# --- the decision order ------------------------------------------------------------------

def test_5_row0_under_18_outside_omic_policy() -> None:
    decision = decide(date_of_birth=date(2005, 6, 2))  # 18 tomorrow
    assert_no_dates(decision, None, "outside_omic_policy")
    assert decision.handover_type == "missing"


def test_5_row0_civil_sentence_outside_omic_policy() -> None:
    assert_no_dates(decide(civil_sentence=True), None, "outside_omic_policy")


def test_5_row0_no_sentence_calculation_outside_omic_policy() -> None:
    assert_no_dates(decide(crd=None), None, "outside_omic_policy")


def test_5_row1_recall() -> None:
    assert_no_dates(decide(recall=True), "COM_RESPONSIBLE", "recall_case")


def test_5_row1_recall_before_immigration() -> None:
    assert decide(recall=True, immigration_case=True).reason == "recall_case"


def test_5_row2_immigration() -> None:
    assert_no_dates(decide(immigration_case=True), "COM_RESPONSIBLE", "immigration_case")


def test_5_row3_no_release_date() -> None:
    decision = decide(crd=None, hdced=date(2024, 1, 1))  # HDC dates are not used
    assert_no_dates(decision, "POM_RESPONSIBLE", "release_date_unknown")


def test_5_row3_no_release_date_comes_before_policy_dates() -> None:
    decision = isp(ssd=date(2019, 1, 1), arrival_date=date(2019, 1, 2), ted=date(2023, 1, 1))
    assert decision.reason == "release_date_unknown"


def test_5_row4_pre_omic_english_public_prison() -> None:
    decision = decide(ssd=date(2019, 9, 30), arrival_date=date(2019, 10, 1),
                      crd=date(2021, 2, 14), as_of=date(2020, 6, 1))
    assert_no_dates(decision, "COM_RESPONSIBLE", "pre_omic_rules")


def test_5_row4_release_on_the_cutoff_is_a_policy_case() -> None:
    decision = decide(ssd=date(2019, 9, 30), arrival_date=date(2019, 10, 1),
                      crd=date(2021, 2, 15), as_of=date(2020, 6, 1))
    assert decision.reason == "determinate"
    # 2021-02-15 - 8 months = 2020-06-15, - 14 days = 2020-06-01: COM responsible that day.
    assert dates(decision) == (date(2020, 6, 1), date(2020, 6, 1))
    assert decision.responsibility == "COM_RESPONSIBLE"


def test_5_row4_sentence_start_on_policy_start_is_a_policy_case() -> None:
    decision = decide(ssd=date(2019, 10, 1), arrival_date=date(2019, 10, 2),
                      crd=date(2020, 12, 1), as_of=date(2019, 11, 1))
    assert decision.reason == "determinate"


@pytest.mark.parametrize(("crd", "reason"), [
    (date(2022, 9, 29), "pre_omic_rules"),
    (date(2022, 9, 30), "determinate"),
])
def test_5_row4_womens_prison_cutoff(crd: date, reason: str) -> None:
    decision = decide(prison_code="NHI", womens_prison=True, category="R", sex="F",
                      ssd=date(2021, 4, 29), arrival_date=date(2021, 4, 30), crd=crd,
                      as_of=date(2021, 6, 1))
    assert decision.reason == reason


@pytest.mark.parametrize(("crd", "reason"), [
    (date(2020, 5, 3), "pre_omic_rules"),
    (date(2020, 5, 4), "determinate"),
])
def test_5_row4_welsh_cutoff(crd: date, reason: str) -> None:
    decision = decide(country="Wales", provider_code="N03", prison_code="CFI",
                      ssd=date(2019, 2, 3), arrival_date=date(2019, 2, 4), crd=crd,
                      as_of=date(2019, 3, 1))
    assert decision.reason == reason


# --- general rules: the handover date ----------------------------------------------------

def test_5_isp_8_months_before_future_tariff() -> None:
    decision = isp(ted=date(2024, 10, 29))
    assert decision.reason == "indeterminate"
    # 2024-10-29 - 8 months = 2024-02-29.
    assert dates(decision) == (date(2024, 2, 29), date(2024, 2, 29))
    assert decision.earliest_release == ReleaseDate("TED", date(2024, 10, 29))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_5_isp_tariff_today_is_not_future_so_parole_dates_used() -> None:
    decision = isp(ted=date(2023, 6, 1), ped=date(2025, 1, 31))
    assert decision.earliest_release == ReleaseDate("PED", date(2025, 1, 31))
    # 2025-01-31 - 8 months = 2024-05-31.
    assert dates(decision) == (date(2024, 5, 31), date(2024, 5, 31))


def test_5_isp_parole_review_today_does_not_count() -> None:
    # Strictly after today in era D (era B counted today).
    decision = isp(ted=date(2023, 1, 1), prd=date(2023, 6, 1), ped=date(2025, 1, 31))
    assert decision.earliest_release == ReleaseDate("PED", date(2025, 1, 31))


def test_5_isp_parole_review_tomorrow_counts() -> None:
    decision = isp(ted=date(2023, 1, 1), prd=date(2023, 6, 2), ped=date(2025, 1, 31))
    assert decision.earliest_release == ReleaseDate("PRD", date(2023, 6, 2))
    # 2023-06-02 - 8 months = 2022-10-02: passed, COM responsible.
    assert dates(decision) == (date(2022, 10, 2), date(2022, 10, 2))
    assert decision.responsibility == "COM_RESPONSIBLE"


def test_5_isp_prd_reported_when_equal_to_ped() -> None:
    decision = isp(prd=date(2025, 1, 31), ped=date(2025, 1, 31))
    assert decision.earliest_release == ReleaseDate("PRD", date(2025, 1, 31))


def test_5_isp_no_future_dates_is_release_date_unknown() -> None:
    decision = isp(ted=date(2023, 5, 31), prd=date(2023, 6, 1))
    assert_no_dates(decision, "POM_RESPONSIBLE", "release_date_unknown")


def test_5_isp_target_hearing_date_is_not_used() -> None:
    # PPUD hearing dates came later (2024); era D reads TED, PRD and PED only.
    decision = isp(thd=date(2025, 1, 31))
    assert decision.reason == "release_date_unknown"


def test_5_additional_isp_rule_is_not_in_era_d() -> None:
    decision = isp(ted=date(2024, 10, 29), additional_future_isp=True)
    assert decision.reason == "indeterminate"


def test_5_ped_8_months_before_ped() -> None:
    decision = decide(ped=date(2024, 10, 29), crd=date(2025, 6, 1))
    assert decision.reason == "determinate_parole"
    # 2024-10-29 - 8 months = 2024-02-29.
    assert dates(decision) == (date(2024, 2, 29), date(2024, 2, 29))
    assert decision.earliest_release == ReleaseDate("PED", date(2024, 10, 29))


def test_5_ped_comes_before_the_short_sentence_rule() -> None:
    # SSD 2023-05-01 + 10 months = 2024-03-01 >= PED, but the PED row comes first in era D.
    decision = decide(ped=date(2024, 1, 1), crd=date(2024, 6, 1))
    assert decision.reason == "determinate_parole"
    # 2024-01-01 - 8 months = 2023-05-01.
    assert dates(decision) == (date(2023, 5, 1), date(2023, 5, 1))
    assert decision.responsibility == "COM_RESPONSIBLE"


def test_5_ped_in_the_past_is_still_used() -> None:
    decision = decide(ssd=date(2021, 1, 1), arrival_date=date(2021, 1, 2),
                      ped=date(2023, 5, 15), crd=date(2024, 1, 15))
    assert decision.earliest_release == ReleaseDate("PED", date(2023, 5, 15))
    # 2023-05-15 - 8 months = 2022-09-15.
    assert dates(decision) == (date(2022, 9, 15), date(2022, 9, 15))
    assert decision.responsibility == "COM_RESPONSIBLE"


def test_5_short_exactly_10_months_no_dates() -> None:
    # SSD 2023-05-01 + 10 months = 2024-03-01: "SSD + 10 months >= ERD" holds.
    decision = decide(crd=date(2024, 3, 1))
    assert_no_dates(decision, "COM_RESPONSIBLE", "determinate_short")
    assert decision.handover_type == "none"


def test_5_10_months_and_a_day_is_not_short() -> None:
    decision = decide(crd=date(2024, 3, 2))
    assert decision.reason == "determinate"
    # 2024-03-02 - 8 months = 2023-07-02, - 14 days = 2023-06-18.
    assert dates(decision) == (date(2023, 6, 18), date(2023, 6, 18))


def test_5_short_comes_before_early_allocation() -> None:
    assert decide(crd=date(2024, 3, 1), ea=True).reason == "determinate_short"


def test_5_early_allocation_15_months() -> None:
    decision = decide(ea=True)
    assert decision.reason == "early_allocation"
    # 2024-10-31 - 15 months = 2023-07-31.
    assert dates(decision) == (date(2023, 7, 31), date(2023, 7, 31))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_5_early_allocation_isp_still_8_months() -> None:
    decision = isp(ted=date(2025, 10, 31), ea=True)
    assert decision.reason == "indeterminate"
    # 2025-10-31 - 8 months = 2025-02-28.
    assert dates(decision) == (date(2025, 2, 28), date(2025, 2, 28))


def test_5_early_allocation_ped_still_8_months() -> None:
    decision = decide(ped=date(2024, 10, 29), crd=date(2025, 6, 1), ea=True)
    assert decision.reason == "determinate_parole"
    assert dates(decision) == (date(2024, 2, 29), date(2024, 2, 29))


def test_5_ard_earlier_than_crd() -> None:
    decision = decide(ard=date(2024, 9, 30))
    assert decision.earliest_release == ReleaseDate("ARD", date(2024, 9, 30))
    # 2024-09-30 - 8 months = 2024-01-30, - 14 days = 2024-01-16.
    assert dates(decision) == (date(2024, 1, 16), date(2024, 1, 16))


def test_5_ard_reported_when_equal_to_crd() -> None:
    decision = decide(ard=date(2024, 10, 31))
    assert decision.earliest_release == ReleaseDate("ARD", date(2024, 10, 31))


def test_5_hdc_dates_are_not_used() -> None:
    decision = decide(hdced=date(2023, 12, 1), hdcad=date(2024, 1, 2))
    assert dates(decision) == (date(2024, 2, 15), date(2024, 2, 15))


# --- §4.6 start date: ISP in open conditions ---------------------------------------------

def test_4_6_isp_open_men_start_on_arrival() -> None:
    decision = isp(ted=date(2025, 10, 31), prison_code="HDI")
    assert decision.reason == "indeterminate_open"
    # Handover 2025-10-31 - 8 months = 2025-02-28; start the arrival date 2023-05-02.
    assert dates(decision) == (date(2023, 5, 2), date(2025, 2, 28))
    assert decision.responsibility == "POM_RESPONSIBLE_COM_SUPPORTING"


@pytest.mark.parametrize(("as_of", "responsibility"), [
    (date(2023, 5, 1), "POM_RESPONSIBLE"),
    (date(2023, 5, 2), "POM_RESPONSIBLE_COM_SUPPORTING"),  # window entered on the start date
    (date(2025, 2, 27), "POM_RESPONSIBLE_COM_SUPPORTING"),
    (date(2025, 2, 28), "COM_RESPONSIBLE"),
])
def test_4_7_isp_open_window_boundaries(as_of: date, responsibility: str) -> None:
    decision = isp(ted=date(2025, 10, 31), prison_code="HDI", as_of=as_of)
    assert decision.responsibility == responsibility


def test_4_6_isp_open_arrival_after_handover_pulls_start_to_handover() -> None:
    # Era D takes the earlier date; it does not push the handover later as era B did.
    decision = isp(ted=date(2025, 10, 31), prison_code="HDI", arrival_date=date(2025, 3, 10))
    assert dates(decision) == (date(2025, 2, 28), date(2025, 2, 28))


def test_4_6_isp_open_women_start_when_category_t_began() -> None:
    decision = isp(ted=date(2025, 10, 31), prison_code="NHI", womens_prison=True, sex="F",
                   category="T", category_active_since=date(2023, 8, 1))
    assert decision.reason == "indeterminate_open"
    assert dates(decision) == (date(2023, 8, 1), date(2025, 2, 28))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_4_6_isp_open_women_missing_category_date_start_is_handover() -> None:
    decision = isp(ted=date(2025, 10, 31), prison_code="NHI", womens_prison=True, sex="F",
                   category="T", category_active_since=None)
    assert dates(decision) == (date(2025, 2, 28), date(2025, 2, 28))


def test_4_6_determinate_in_open_prison_has_no_window() -> None:
    decision = decide(prison_code="HDI")
    assert dates(decision) == (date(2024, 2, 15), date(2024, 2, 15))


# --- §4.8 handover type ------------------------------------------------------------------

@pytest.mark.parametrize(("resourcing", "handover_type"), [
    ("ENHANCED", "enhanced"), (None, "enhanced"), ("NORMAL", "standard"),
])
def test_4_8_handover_type_from_resourcing(resourcing: str | None, handover_type: str) -> None:
    decision = decide(resourcing)
    assert decision.handover_type == handover_type


def test_1_2_resourcing_no_longer_moves_the_dates() -> None:
    enhanced, normal = decide("ENHANCED"), decide("NORMAL")
    assert dates(normal) == dates(enhanced) == (date(2024, 2, 15), date(2024, 2, 15))
    assert normal.reason == enhanced.reason == "determinate"
