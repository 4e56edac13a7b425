"""Era E handover rules, the current ones (HAND-2; HANDOVER.md §4.1-4.8).

The base case is an English man in a public prison (LEI), sentenced on 2025-03-01 with a CRD
of 2026-10-31, MAPPA 0, enhanced resourcing, decided on 2025-06-01. Each scenario changes only
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

ERA_E = era("E")


BASE = CaseFacts(
    case_ref="X300001",
    as_of=date(2025, 6, 1),
    date_of_birth=date(1990, 1, 31),
    sex="M",
    nationalities=("British",),
    pdu_code="N07CAM",
    provider_code="N07",
    country="England",
    tier="C1",
    rosh="MEDIUM",
    mappa_level=0,
    sentence=Sentence(kind="custodial", date=date(2025, 3, 1), length="P36M",
                      indeterminate=False, ipp=False),
    custody=Custody(
        prison_code="LEI", womens_prison=False, category="C", arrival_date=date(2025, 3, 2),
        remand=False, sentence_start_date=date(2025, 3, 1),
        conditional_release_date=date(2026, 10, 31), recall=False, immigration_case=False,
        early_allocation=False, parole_outcome_not_release=False, additional_future_isp=False,
    ),
)


def case(**changes: Any) -> CaseFacts:
    """The base case changed (see :func:`tests.rules.handover_scenarios.changed`)."""
    return changed(BASE, **changes)


def decide(resourcing: Any = "ENHANCED", policy: PolicyVersion = ERA_E,
           **changes: Any) -> HandoverDecision:
    """The base case changed, decided under era E unless another policy is given."""
    return decided(BASE, policy, resourcing, **changes)


def isp(**changes: Any) -> HandoverDecision:
    """An indeterminate sentence: no CRD, dates as given."""
    return decide(isp=True, crd=None, **changes)


#: 12 months after the base as_of (2025-06-01); "THD >= 12 months" needs a later THD.
ANNIVERSARY = date(2026, 6, 1)
BEYOND = date(2026, 6, 2)


# --- the base case and what every decision carries ---------------------------------------

def test_4_5_general_determinate_8_months_14_days_before_crd() -> None:
    decision = decide()
    assert (decision.era, decision.policy_version) == ("E", ERA_E.name)
    assert decision.reason == "determinate"
    # 2026-10-31 - 8 months = 2026-02-28, - 14 days = 2026-02-14 (days first: 2026-02-17).
    assert dates(decision) == (date(2026, 2, 14), date(2026, 2, 14))
    assert decision.responsibility == "POM_RESPONSIBLE"
    assert decision.earliest_release == ReleaseDate("CRD", date(2026, 10, 31))
    assert decision.handover_type == "enhanced"
    assert decision.rule.startswith("HAND-")
    assert decision.explanation.strip()


def test_4_5_general_determinate_across_29_february() -> None:
    decision = decide(ssd=date(2023, 5, 1), arrival_date=date(2023, 5, 2),
                      crd=date(2024, 10, 31), as_of=date(2023, 6, 1))
    # 2024-10-31 - 8 months = 2024-02-29, - 14 days = 2024-02-15.
    assert dates(decision) == (date(2024, 2, 15), date(2024, 2, 15))


@pytest.mark.parametrize(("as_of", "responsibility"), [
    (date(2026, 2, 13), "POM_RESPONSIBLE"),
    (date(2026, 2, 14), "COM_RESPONSIBLE"),  # responsibility passes on the handover date
    (date(2026, 2, 15), "COM_RESPONSIBLE"),
])
def test_4_7_responsibility_from_the_dates(as_of: date, responsibility: str) -> None:
    assert decide(as_of=as_of).responsibility == responsibility


def test_what_if_version_name_is_reported() -> None:
    what_if = PolicyVersion("what-if-E", date(2030, 1, 1), handover_era="E")
    decision = decide(policy=what_if)
    assert (decision.policy_version, decision.era) == ("what-if-E", "E")


def test_no_custody_no_decision() -> None:
    assert decide_handover(dataclasses.replace(BASE, custody=None), ERA_E, None) is None


# --- §4.1 row 0: outside OMIC policy -----------------------------------------------------

def test_4_1_row0_under_18() -> None:
    decision = decide(date_of_birth=date(2007, 6, 2))  # 18 tomorrow
    assert_no_dates(decision, None, "outside_omic_policy")
    assert decision.handover_type == "missing"


def test_4_1_row0_eighteenth_birthday_is_inside() -> None:
    assert decide(date_of_birth=date(2007, 6, 1)).reason == "determinate"


def test_4_1_row0_civil_sentence() -> None:
    assert_no_dates(decide(civil_sentence=True), None, "outside_omic_policy")


def test_4_1_row0_no_sentence_calculation() -> None:
    assert_no_dates(decide(crd=None), None, "outside_omic_policy")


def test_4_1_row0_immigration_detainee_is_inside() -> None:
    decision = decide(immigration_case=True, crd=None, ssd=None)
    assert_no_dates(decision, "COM_RESPONSIBLE", "immigration_case")


# --- §4.1 row 1: additional ISP ----------------------------------------------------------

def test_4_1_row1_additional_isp_pom_responsible_no_dates() -> None:
    decision = isp(ted=date(2030, 1, 1), additional_future_isp=True)
    assert_no_dates(decision, "POM_RESPONSIBLE", "additional_isp")


def test_4_1_row1_comes_before_the_recall_rows() -> None:
    decision = isp(thd=date(2027, 1, 1), recall=True, additional_future_isp=True)
    assert decision.reason == "additional_isp"


def test_4_1_row1_needs_an_indeterminate_sentence() -> None:
    assert decide(additional_future_isp=True).reason == "determinate"


# --- §4.1 row 2: ISP recall with a hearing more than 12 months away ----------------------

@pytest.mark.parametrize("mappa", [None, 0, 1])
def test_4_1_row2_isp_recall_thd_over_12_months(mappa: int | None) -> None:
    decision = isp(thd=BEYOND, recall=True, mappa_level=mappa)
    assert_no_dates(decision, "POM_RESPONSIBLE_COM_SUPPORTING", "recall_thd_over_12_months")


def test_4_1_row2_thd_on_the_anniversary_is_not_over_12_months() -> None:
    # Falls through to row 5: every other recall is the COM's.
    assert_no_dates(isp(thd=ANNIVERSARY, recall=True), "COM_RESPONSIBLE", "recall_case")


def test_4_1_row2_anniversary_of_29_february_is_28_february() -> None:
    # 2024-02-29 + 12 months = 2025-02-28.
    on = isp(thd=date(2025, 2, 28), recall=True, as_of=date(2024, 2, 29),
             ssd=date(2020, 1, 1), arrival_date=date(2020, 1, 2))
    after = isp(thd=date(2025, 3, 1), recall=True, as_of=date(2024, 2, 29),
                ssd=date(2020, 1, 1), arrival_date=date(2020, 1, 2))
    assert (on.reason, after.reason) == ("recall_case", "recall_thd_over_12_months")


def test_4_1_row2_isp_recall_mappa_2_without_outcome_is_a_recall() -> None:
    assert isp(thd=BEYOND, recall=True, mappa_level=2).reason == "recall_case"


def test_4_1_row2_determinate_recall_is_a_recall() -> None:
    assert decide(thd=BEYOND, recall=True).reason == "recall_case"


# --- §4.1 rows 3 and 4: ISP, hearing over 12 months away, last outcome not release ---------

@pytest.mark.parametrize("mappa", [2, 3])
def test_4_1_row3_not_release_mappa_2_3_com_responsible(mappa: int) -> None:
    decision = isp(thd=BEYOND, parole_outcome_not_release=True, mappa_level=mappa)
    assert_no_dates(decision, "COM_RESPONSIBLE", "parole_mappa_2_3")


def test_4_1_row3_isp_recall_mappa_2_with_not_release_outcome() -> None:
    decision = isp(thd=BEYOND, recall=True, parole_outcome_not_release=True, mappa_level=2)
    assert decision.reason == "parole_mappa_2_3"


@pytest.mark.parametrize("mappa", [None, 0, 1])
def test_4_1_row4_not_release_pom_responsible_com_supporting(mappa: int | None) -> None:
    decision = isp(thd=BEYOND, parole_outcome_not_release=True, mappa_level=mappa)
    assert_no_dates(decision, "POM_RESPONSIBLE_COM_SUPPORTING", "thd_over_12_months")


def test_4_1_row4_thd_on_the_anniversary_uses_the_general_rules() -> None:
    decision = isp(thd=ANNIVERSARY, parole_outcome_not_release=True)
    assert decision.reason == "indeterminate"
    # ERD = THD 2026-06-01 (future); - 12 months = 2025-06-01, today: COM responsible.
    assert dates(decision) == (date(2025, 6, 1), date(2025, 6, 1))
    assert decision.responsibility == "COM_RESPONSIBLE"


@pytest.mark.parametrize("outcome", [False, None])
def test_4_1_row4_needs_a_not_release_outcome(outcome: bool | None) -> None:
    decision = isp(thd=BEYOND, parole_outcome_not_release=outcome)
    assert decision.reason == "indeterminate"
    # 2026-06-02 - 12 months = 2025-06-02, tomorrow.
    assert dates(decision) == (date(2025, 6, 2), date(2025, 6, 2))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_4_1_row4_needs_an_indeterminate_sentence() -> None:
    assert decide(thd=BEYOND, parole_outcome_not_release=True).reason == "determinate"


# --- §4.1 rows 5-7 -----------------------------------------------------------------------

def test_4_1_row5_recall() -> None:
    assert_no_dates(decide(recall=True), "COM_RESPONSIBLE", "recall_case")


def test_4_1_row5_recall_before_immigration() -> None:
    assert decide(recall=True, immigration_case=True).reason == "recall_case"


def test_4_1_row6_immigration() -> None:
    assert_no_dates(decide(immigration_case=True), "COM_RESPONSIBLE", "immigration_case")


def test_4_1_row7_isp_without_tariff_or_hearing() -> None:
    assert_no_dates(isp(), "POM_RESPONSIBLE", "release_date_unknown")


def test_4_1_row7_isp_parole_eligibility_date_is_not_used() -> None:
    decision = isp(ped=date(2027, 1, 1), prd=date(2027, 1, 1))
    assert_no_dates(decision, "POM_RESPONSIBLE", "release_date_unknown")
    assert decision.earliest_release is None


def test_4_1_row7_determinate_with_only_hdc_dates() -> None:
    decision = decide(crd=None, hdced=date(2026, 1, 1))
    assert_no_dates(decision, "POM_RESPONSIBLE", "release_date_unknown")


# --- §4.2 earliest release date ----------------------------------------------------------

def test_4_2_isp_future_tariff_wins_over_an_earlier_future_hearing() -> None:
    decision = isp(ted=date(2027, 6, 1), thd=date(2026, 1, 1))
    assert decision.earliest_release == ReleaseDate("TED", date(2027, 6, 1))
    # 2027-06-01 - 12 months = 2026-06-01.
    assert dates(decision) == (date(2026, 6, 1), date(2026, 6, 1))


def test_4_2_isp_tariff_today_is_not_future_so_future_hearing_used() -> None:
    decision = isp(ted=date(2025, 6, 1), thd=date(2026, 1, 31))
    assert decision.earliest_release == ReleaseDate("THD", date(2026, 1, 31))
    # 2026-01-31 - 12 months = 2025-01-31: passed, COM responsible.
    assert dates(decision) == (date(2025, 1, 31), date(2025, 1, 31))
    assert decision.responsibility == "COM_RESPONSIBLE"


def test_4_2_isp_both_past_hearing_closer() -> None:
    decision = isp(ted=date(2025, 5, 1), thd=date(2025, 5, 20))
    assert decision.earliest_release == ReleaseDate("THD", date(2025, 5, 20))
    # §7.5: the past date is still used. 2025-05-20 - 12 months = 2024-05-20.
    assert dates(decision) == (date(2024, 5, 20), date(2024, 5, 20))
    assert decision.responsibility == "COM_RESPONSIBLE"


def test_4_2_isp_both_past_tariff_closer() -> None:
    decision = isp(ted=date(2025, 5, 20), thd=date(2025, 5, 1))
    assert decision.earliest_release == ReleaseDate("TED", date(2025, 5, 20))


def test_4_2_isp_equal_past_dates_tariff_reported() -> None:
    decision = isp(ted=date(2025, 5, 1), thd=date(2025, 5, 1))
    assert decision.earliest_release == ReleaseDate("TED", date(2025, 5, 1))


def test_4_2_isp_tariff_today_beats_a_past_hearing() -> None:
    decision = isp(ted=date(2025, 6, 1), thd=date(2025, 5, 31))
    assert decision.earliest_release == ReleaseDate("TED", date(2025, 6, 1))


def test_4_2_isp_only_a_past_hearing() -> None:
    decision = isp(thd=date(2025, 3, 31))
    assert decision.earliest_release == ReleaseDate("THD", date(2025, 3, 31))
    # 2025-03-31 - 12 months = 2024-03-31.
    assert dates(decision) == (date(2024, 3, 31), date(2024, 3, 31))


def test_4_2_determinate_ped_even_in_the_past() -> None:
    decision = decide(ssd=date(2020, 1, 1), arrival_date=date(2020, 1, 2),
                      ped=date(2025, 5, 1), crd=date(2026, 5, 1))
    assert decision.reason == "determinate_parole"
    assert decision.earliest_release == ReleaseDate("PED", date(2025, 5, 1))
    # §7.6: 2025-05-01 - 12 months = 2024-05-01; COM responsible.
    assert dates(decision) == (date(2024, 5, 1), date(2024, 5, 1))
    assert decision.responsibility == "COM_RESPONSIBLE"


def test_4_2_determinate_ard_earlier_than_crd() -> None:
    decision = decide(ard=date(2026, 9, 30))
    assert decision.earliest_release == ReleaseDate("ARD", date(2026, 9, 30))
    # 2026-09-30 - 8 months = 2026-01-30, - 14 days = 2026-01-16.
    assert dates(decision) == (date(2026, 1, 16), date(2026, 1, 16))


def test_4_2_determinate_ard_reported_when_equal_to_crd() -> None:
    decision = decide(ard=date(2026, 10, 31))
    assert decision.earliest_release == ReleaseDate("ARD", date(2026, 10, 31))


def test_4_2_determinate_hdc_dates_not_used() -> None:
    decision = decide(hdced=date(2026, 4, 1), hdcad=date(2026, 5, 1))
    assert dates(decision) == (date(2026, 2, 14), date(2026, 2, 14))
    assert decision.earliest_release == ReleaseDate("CRD", date(2026, 10, 31))


# --- §4.5 handover date rows -------------------------------------------------------------

def test_4_5_early_allocation_determinate_15_months() -> None:
    decision = decide(ea=True)
    assert decision.reason == "early_allocation"
    # 2026-10-31 - 15 months = 2025-07-31.
    assert dates(decision) == (date(2025, 7, 31), date(2025, 7, 31))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_4_5_early_allocation_isp_15_months() -> None:
    decision = isp(ted=date(2027, 5, 31), ea=True)
    assert decision.reason == "early_allocation"
    # 2027-05-31 - 15 months = 2026-02-28.
    assert dates(decision) == (date(2026, 2, 28), date(2026, 2, 28))


def test_4_5_early_allocation_lands_on_29_february() -> None:
    decision = decide(ssd=date(2023, 6, 1), arrival_date=date(2023, 6, 2),
                      crd=date(2025, 5, 31), as_of=date(2023, 7, 1), ea=True)
    # 2025-05-31 - 15 months = 2024-02-29.
    assert dates(decision) == (date(2024, 2, 29), date(2024, 2, 29))


def test_4_5_early_allocation_beats_the_short_sentence_rule() -> None:
    # SSD 2025-03-01 + 10 months = 2026-01-01 >= CRD 2025-12-31: short, but EA comes first.
    decision = decide(crd=date(2025, 12, 31), ea=True)
    assert decision.reason == "early_allocation"
    # 2025-12-31 - 15 months = 2024-09-30: already passed.
    assert dates(decision) == (date(2024, 9, 30), date(2024, 9, 30))
    assert decision.responsibility == "COM_RESPONSIBLE"


def test_4_5_early_allocation_ped_15_months() -> None:
    decision = decide(ped=date(2027, 1, 31), crd=date(2027, 6, 1), ea=True)
    assert decision.reason == "early_allocation"
    # 2027-01-31 - 15 months = 2025-10-31.
    assert dates(decision) == (date(2025, 10, 31), date(2025, 10, 31))


def test_4_5_indeterminate_12_months() -> None:
    decision = isp(ted=date(2027, 2, 28))
    assert decision.reason == "indeterminate"
    # 2027-02-28 - 12 months = 2026-02-28.
    assert dates(decision) == (date(2026, 2, 28), date(2026, 2, 28))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_4_5_indeterminate_12_months_before_29_february() -> None:
    # 2028-02-29 - 12 months = 2027-02-28.
    assert dates(isp(ted=date(2028, 2, 29))) == (date(2027, 2, 28), date(2027, 2, 28))


@pytest.mark.parametrize(("crd", "reason"), [
    (date(2026, 1, 1), "determinate_short"),  # SSD 2025-03-01 + 10 months, exactly
    (date(2026, 1, 2), "determinate"),        # 10 months and a day
])
def test_4_5_short_sentence_boundary(crd: date, reason: str) -> None:
    assert decide(crd=crd).reason == reason


def test_4_5_short_sentence_com_responsible_no_dates() -> None:
    decision = decide(crd=date(2026, 1, 1))
    assert_no_dates(decision, "COM_RESPONSIBLE", "determinate_short")
    assert decision.handover_type == "none"


def test_4_5_10_months_and_a_day_hands_over_8_months_14_days_before() -> None:
    decision = decide(crd=date(2026, 1, 2))
    # 2026-01-02 - 8 months = 2025-05-02, - 14 days = 2025-04-18.
    assert dates(decision) == (date(2025, 4, 18), date(2025, 4, 18))
    assert decision.responsibility == "COM_RESPONSIBLE"


@pytest.mark.parametrize(("crd", "reason"), [
    (date(2024, 2, 29), "determinate_short"),  # SSD 2023-04-30 + 10 months = 2024-02-29
    (date(2024, 3, 1), "determinate"),
])
def test_4_5_ten_months_from_30_april_is_29_february_in_a_leap_year(crd: date,
                                                                    reason: str) -> None:
    decision = decide(ssd=date(2023, 4, 30), arrival_date=date(2023, 5, 1), crd=crd,
                      as_of=date(2023, 6, 1))
    assert decision.reason == reason


@pytest.mark.parametrize(("crd", "reason"), [
    (date(2025, 12, 28), "determinate_short"),  # SSD 2025-02-28 + 10 months = 2025-12-28
    (date(2025, 12, 29), "determinate"),
    (date(2025, 12, 31), "determinate"),        # "31 Dec - 10 months = 28 Feb" is not the test
])
def test_4_5_ten_months_are_counted_forward_from_sentence_start(crd: date, reason: str) -> None:
    decision = decide(ssd=date(2025, 2, 28), arrival_date=date(2025, 3, 1), crd=crd)
    assert decision.reason == reason


def test_4_5_short_comes_before_ped() -> None:
    assert decide(ped=date(2025, 12, 1), crd=date(2026, 6, 1)).reason == "determinate_short"


def test_4_5_determinate_parole_12_months() -> None:
    decision = decide(ped=date(2027, 1, 31), crd=date(2027, 6, 1))
    assert decision.reason == "determinate_parole"
    # 2027-01-31 - 12 months = 2026-01-31.
    assert dates(decision) == (date(2026, 1, 31), date(2026, 1, 31))
    assert decision.earliest_release == ReleaseDate("PED", date(2027, 1, 31))
    assert decision.responsibility == "POM_RESPONSIBLE"


# --- §4.1 notes: no policy-date check, no resourcing effect ------------------------------

def test_4_1_no_pre_omic_check_any_more() -> None:
    decision = decide(ssd=date(2019, 9, 30), arrival_date=date(2019, 10, 1),
                      crd=date(2021, 2, 14), as_of=date(2020, 6, 1))
    assert decision.reason == "determinate"
    # 2021-02-14 - 8 months = 2020-06-14, - 14 days = 2020-05-31.
    assert dates(decision) == (date(2020, 5, 31), date(2020, 5, 31))


def test_4_1_open_prison_without_open_rules_is_not_pre_omic() -> None:
    decision = decide(prison_code="HDI", ssd=date(2020, 1, 1), arrival_date=date(2021, 3, 30),
                      crd=date(2022, 6, 1), as_of=date(2021, 6, 1))
    assert decision.reason == "determinate"


@pytest.mark.parametrize(("resourcing", "handover_type"), [
    ("ENHANCED", "enhanced"), (None, "enhanced"), ("NORMAL", "standard"),
])
def test_4_8_handover_type(resourcing: str | None, handover_type: str) -> None:
    decision = decide(resourcing)
    assert decision.handover_type == handover_type
    assert dates(decision) == (date(2026, 2, 14), date(2026, 2, 14))  # no effect on dates


def test_4_8_short_sentence_type_none_whatever_the_resourcing() -> None:
    assert decide("NORMAL", crd=date(2026, 1, 1)).handover_type == "none"


# --- §4.6 start date ---------------------------------------------------------------------

def test_4_6_isp_open_men_start_on_arrival() -> None:
    decision = isp(ted=date(2027, 10, 31), prison_code="HDI")
    assert decision.reason == "indeterminate_open"
    # Handover 2027-10-31 - 12 months = 2026-10-31; start on arrival, 2025-03-02.
    assert dates(decision) == (date(2025, 3, 2), date(2026, 10, 31))
    assert decision.responsibility == "POM_RESPONSIBLE_COM_SUPPORTING"


@pytest.mark.parametrize(("as_of", "responsibility"), [
    (date(2025, 3, 1), "POM_RESPONSIBLE"),
    (date(2025, 3, 2), "POM_RESPONSIBLE_COM_SUPPORTING"),
    (date(2026, 10, 30), "POM_RESPONSIBLE_COM_SUPPORTING"),
    (date(2026, 10, 31), "COM_RESPONSIBLE"),
])
def test_4_7_isp_open_window_boundaries(as_of: date, responsibility: str) -> None:
    decision = isp(ted=date(2027, 10, 31), prison_code="HDI", as_of=as_of)
    assert decision.responsibility == responsibility


def test_4_6_isp_open_arrival_after_handover_start_is_handover() -> None:
    decision = isp(ted=date(2026, 10, 31), prison_code="HDI", arrival_date=date(2025, 12, 1))
    # Handover 2025-10-31; arrival later, so the earlier date (the handover) starts it.
    assert dates(decision) == (date(2025, 10, 31), date(2025, 10, 31))


def test_4_6_isp_open_women_start_when_category_t_began() -> None:
    decision = isp(ted=date(2027, 10, 31), prison_code="NHI", womens_prison=True, sex="F",
                   category="T", category_active_since=date(2025, 8, 1))
    assert decision.reason == "indeterminate_open"
    assert dates(decision) == (date(2025, 8, 1), date(2026, 10, 31))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_4_6_isp_open_women_missing_category_date() -> None:
    decision = isp(ted=date(2027, 10, 31), prison_code="NHI", womens_prison=True, sex="F",
                   category="T", category_active_since=None)
    assert dates(decision) == (date(2026, 10, 31), date(2026, 10, 31))


def test_4_6_isp_open_welsh_prescoed_pilot() -> None:
    decision = isp(ted=date(2027, 10, 31), prison_code="UPI", country="Wales",
                   provider_code="N03")
    assert dates(decision) == (date(2025, 3, 2), date(2026, 10, 31))


def test_4_6_isp_closed_prison_has_no_window() -> None:
    decision = isp(ted=date(2027, 10, 31))
    assert decision.reason == "indeterminate"
    assert dates(decision) == (date(2026, 10, 31), date(2026, 10, 31))


def test_4_6_determinate_in_open_prison_has_no_window() -> None:
    assert dates(decide(prison_code="HDI")) == (date(2026, 2, 14), date(2026, 2, 14))
