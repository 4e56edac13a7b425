"""Era B handover rules (HAND-1, HAND-2; HANDOVER.md §2), row by row.

The base case is the worked example of INTERCHANGE.md: a Welsh man sentenced on 2021-03-01
with a CRD of 2022-02-28, MAPPA 0, enhanced resourcing, decided on 2021-09-01. Each scenario
changes only what it needs. Every expected date below was worked out by hand from the rule
("7 months 15 days before" = calendar months first, clamped to month end, then days).
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

ERA_B = era("B")


BASE = CaseFacts(
    case_ref="X123456",
    as_of=date(2021, 9, 1),
    date_of_birth=date(1990, 1, 31),
    sex="M",
    nationalities=("British",),
    pdu_code="N03UAT",
    provider_code="N03",
    country="Wales",
    tier="C1",
    rosh="MEDIUM",
    mappa_level=0,
    sentence=Sentence(kind="custodial", date=date(2021, 3, 1), length="P18M",
                      indeterminate=False, ipp=False),
    custody=Custody(
        prison_code="DNI", womens_prison=False, category="C", arrival_date=date(2021, 3, 2),
        remand=False, sentence_start_date=date(2021, 3, 1),
        conditional_release_date=date(2022, 2, 28), recall=False, immigration_case=False,
        early_allocation=False, parole_outcome_not_release=False, additional_future_isp=False,
    ),
)


def case(**changes: Any) -> CaseFacts:
    """The base case changed (see :func:`tests.rules.handover_scenarios.changed`)."""
    return changed(BASE, **changes)


def decide(resourcing: Any = "ENHANCED", policy: PolicyVersion = ERA_B,
           **changes: Any) -> HandoverDecision:
    """The base case changed, decided under era B unless another policy is given."""
    return decided(BASE, policy, resourcing, **changes)


# --- the worked example (INTERCHANGE.md) and what every decision carries -----------------

def test_worked_example_window_from_13_july_to_13_october_2021() -> None:
    decision = decide()
    assert decision.case_ref == "X123456"
    assert decision.as_of == date(2021, 9, 1)
    assert decision.era == "B"
    assert decision.policy_version == ERA_B.name
    assert decision.responsibility == "POM_RESPONSIBLE_COM_SUPPORTING"
    assert dates(decision) == (date(2021, 7, 13), date(2021, 10, 13))
    assert decision.reason == "nps_determinate"
    assert decision.earliest_release == ReleaseDate("CRD", date(2022, 2, 28))
    assert decision.handover_type is None  # eras B/C have no handover type


def test_decision_names_the_rule_and_explains_itself() -> None:
    decision = decide()
    assert decision.rule.startswith("HAND-")
    assert decision.explanation.strip()


def test_no_custody_no_decision() -> None:
    assert decide_handover(dataclasses.replace(BASE, custody=None), ERA_B, "ENHANCED") is None


def test_policy_version_name_is_the_one_used() -> None:
    what_if = PolicyVersion("what-if-B", date(2030, 1, 1), handover_era="B")
    decision = decide(policy=what_if)
    assert (decision.policy_version, decision.era) == ("what-if-B", "B")
    assert dates(decision) == (date(2021, 7, 13), date(2021, 10, 13))


# --- §2.5 responsibility from the dates: on the day, the day before ----------------------

@pytest.mark.parametrize(("as_of", "responsibility"), [
    (date(2021, 7, 12), "POM_RESPONSIBLE"),                 # day before the start date
    (date(2021, 7, 13), "POM_RESPONSIBLE_COM_SUPPORTING"),  # window entered on the start date
    (date(2021, 7, 14), "POM_RESPONSIBLE_COM_SUPPORTING"),
    (date(2021, 10, 12), "POM_RESPONSIBLE_COM_SUPPORTING"),  # day before handover
    (date(2021, 10, 13), "COM_RESPONSIBLE"),                # COM responsible on the day
    (date(2021, 10, 14), "COM_RESPONSIBLE"),
])
def test_2_5_responsibility_follows_the_dates(as_of: date, responsibility: str) -> None:
    decision = decide(as_of=as_of)
    assert decision.responsibility == responsibility
    assert dates(decision) == (date(2021, 7, 13), date(2021, 10, 13))


# --- §2.2 decision order -----------------------------------------------------------------

def test_2_2_row1_under_18_outside_omic_policy() -> None:
    decision = decide(date_of_birth=date(2003, 9, 2))  # 18 tomorrow
    assert_no_dates(decision, None, "outside_omic_policy")


def test_2_2_row1_eighteenth_birthday_is_inside_policy() -> None:
    assert decide(date_of_birth=date(2003, 9, 1)).reason == "nps_determinate"


def test_2_2_row1_civil_sentence_outside_omic_policy() -> None:
    assert_no_dates(decide(civil_sentence=True), None, "outside_omic_policy")


def test_2_2_row1_no_sentence_calculation_outside_omic_policy() -> None:
    # A sentence start date but no release date, PED, HDCED or TED, and not indeterminate.
    decision = decide(crd=None)
    assert_no_dates(decision, None, "outside_omic_policy")


def test_2_2_row1_no_sentence_start_date_outside_omic_policy() -> None:
    assert_no_dates(decide(ssd=None), None, "outside_omic_policy")


def test_2_2_row2_recall_com_responsible_no_dates() -> None:
    assert_no_dates(decide(recall=True), "COM_RESPONSIBLE", "recall_case")


def test_2_2_row2_recall_comes_before_immigration() -> None:
    assert decide(recall=True, immigration_case=True).reason == "recall_case"


def test_2_2_row3_immigration_com_responsible_no_dates() -> None:
    assert_no_dates(decide(immigration_case=True), "COM_RESPONSIBLE", "immigration_case")


def test_2_2_row3_immigration_detainee_without_sentence_is_inside_policy() -> None:
    decision = decide(immigration_case=True, crd=None, ssd=None)
    assert_no_dates(decision, "COM_RESPONSIBLE", "immigration_case")


def test_2_2_row4_no_release_date_pom_responsible_no_dates() -> None:
    # Sentenced (an HDCED), but an NPS determinate release date is PED or CRD/ARD only.
    decision = decide(crd=None, hdced=date(2022, 1, 1))
    assert_no_dates(decision, "POM_RESPONSIBLE", "release_date_unknown")
    assert decision.earliest_release is None


def test_2_2_row4_isp_with_tariff_and_reviews_past_has_no_release_date() -> None:
    # §7.5: TED past and no PRD/PED today or later: POM only, no dates.
    decision = decide(isp=True, crd=None, ted=date(2021, 8, 31), prd=date(2021, 8, 31),
                      ped=date(2021, 6, 1))
    assert_no_dates(decision, "POM_RESPONSIBLE", "release_date_unknown")


def test_2_2_row5_crc_case_12_weeks_before_crd() -> None:
    decision = decide("NORMAL")
    assert decision.reason == "crc_case"
    # 2022-02-28 minus 84 days: -28 -> 31 Jan, -31 -> 31 Dec, -25 -> 6 Dec.
    assert dates(decision) == (date(2021, 12, 6), date(2021, 12, 6))
    assert decision.responsibility == "POM_RESPONSIBLE"
    assert decision.earliest_release == ReleaseDate("CRD", date(2022, 2, 28))


@pytest.mark.parametrize(("as_of", "responsibility"), [
    (date(2021, 12, 5), "POM_RESPONSIBLE"),
    (date(2021, 12, 6), "COM_RESPONSIBLE"),  # 84 days exactly before the CRD
    (date(2021, 12, 7), "COM_RESPONSIBLE"),
])
def test_2_2_row5_crc_case_has_no_window(as_of: date, responsibility: str) -> None:
    decision = decide("NORMAL", as_of=as_of)
    assert decision.responsibility == responsibility


def test_2_2_row5_crc_uses_hdced_when_earliest() -> None:
    decision = decide("NORMAL", hdced=date(2021, 12, 1))
    # 2021-12-01 minus 84 days: -30 -> 1 Nov, -31 -> 1 Oct, -23 -> 8 Sep.
    assert dates(decision) == (date(2021, 9, 8), date(2021, 9, 8))
    assert decision.earliest_release == ReleaseDate("HDCED", date(2021, 12, 1))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_2_2_row5_crc_uses_hdcad_when_present_even_after_hdced() -> None:
    decision = decide("NORMAL", hdced=date(2021, 12, 1), hdcad=date(2022, 1, 10))
    # 2022-01-10 minus 84 days: -10 -> 31 Dec, -31 -> 30 Nov, -30 -> 31 Oct, -13 -> 18 Oct.
    assert dates(decision) == (date(2021, 10, 18), date(2021, 10, 18))
    assert decision.earliest_release == ReleaseDate("HDCAD", date(2022, 1, 10))


def test_2_2_row5_crc_uses_ard_when_earlier_than_crd() -> None:
    decision = decide("NORMAL", ard=date(2022, 1, 31))
    # 2022-01-31 minus 84 days: -31 -> 31 Dec, -31 -> 30 Nov, -22 -> 8 Nov.
    assert dates(decision) == (date(2021, 11, 8), date(2021, 11, 8))
    assert decision.earliest_release == ReleaseDate("ARD", date(2022, 1, 31))


def test_2_2_row5_crc_comes_before_the_10_month_rule() -> None:
    # Seven months to serve: a CRC case still gets 12 weeks, not "less than 10 months".
    decision = decide("NORMAL", crd=date(2021, 10, 1))
    assert decision.reason == "crc_case"
    # 2021-10-01 minus 84 days: -30 -> 1 Sep, -31 -> 1 Aug, -23 -> 9 Jul.
    assert dates(decision) == (date(2021, 7, 9), date(2021, 7, 9))


def test_2_2_row5_crc_comes_before_the_policy_dates() -> None:
    # English, public prison, sentenced and released before the cutoffs: still 12 weeks.
    decision = decide("NORMAL", country="England", provider_code="N07", prison_code="LEI",
                      as_of=date(2020, 1, 1), ssd=date(2019, 1, 1),
                      arrival_date=date(2019, 1, 2), crd=date(2020, 6, 30))
    assert decision.reason == "crc_case"
    # 2020-06-30 minus 84 days: -30 -> 31 May, -31 -> 30 Apr, -23 -> 7 Apr.
    assert dates(decision) == (date(2020, 4, 7), date(2020, 4, 7))


def test_2_2_row5_crc_indeterminate_is_treated_as_nps() -> None:
    decision = decide("NORMAL", isp=True, crd=None, ted=date(2023, 1, 31))
    assert decision.reason == "nps_indeterminate"


def test_1_2_unknown_resourcing_is_treated_as_nps() -> None:
    decision = decide(None)
    assert decision.reason == "nps_determinate"
    assert dates(decision) == (date(2021, 7, 13), date(2021, 10, 13))


def test_2_2_row6_exactly_10_months_to_serve_is_short() -> None:
    # SSD 2021-03-01 + 10 months = 2022-01-01; release on that day is not "more than".
    decision = decide(crd=date(2022, 1, 1), as_of=date(2021, 4, 1))
    assert_no_dates(decision, "COM_RESPONSIBLE", "less_than_10_months_left_to_serve")


def test_2_2_row6_10_months_and_a_day_is_not_short() -> None:
    decision = decide(crd=date(2022, 1, 2), as_of=date(2021, 4, 1))
    assert decision.reason == "nps_determinate"
    # 2022-01-02 - 7 months = 2021-06-02, - 15 days = 2021-05-18;
    # - 4 months = 2021-09-02, - 15 days = 2021-08-18.
    assert dates(decision) == (date(2021, 5, 18), date(2021, 8, 18))


def test_2_2_row6_ten_months_from_30_april_ends_on_28_february() -> None:
    # SSD 2020-04-30 + 10 months = 2021-02-28 (clamped to month end).
    short = decide(ssd=date(2020, 4, 30), arrival_date=date(2020, 5, 1),
                   crd=date(2021, 2, 28), as_of=date(2020, 6, 1))
    assert short.reason == "less_than_10_months_left_to_serve"
    longer = decide(ssd=date(2020, 4, 30), arrival_date=date(2020, 5, 1),
                    crd=date(2021, 3, 1), as_of=date(2020, 6, 1))
    assert longer.reason == "nps_determinate"


def test_2_2_row6_short_comes_before_the_policy_dates() -> None:
    decision = decide(country="England", provider_code="N07", prison_code="LEI",
                      as_of=date(2019, 2, 1), ssd=date(2019, 1, 1),
                      arrival_date=date(2019, 1, 2), crd=date(2019, 10, 1))
    assert decision.reason == "less_than_10_months_left_to_serve"


def test_2_2_row6_short_isp_is_short() -> None:
    # SSD 2021-03-01 + 10 months = 2022-01-01 = TED.
    decision = decide(isp=True, crd=None, ted=date(2022, 1, 1), as_of=date(2021, 4, 1))
    assert decision.reason == "less_than_10_months_left_to_serve"


def test_2_2_row8_pre_omic_com_responsible_no_dates() -> None:
    decision = decide(country="England", provider_code="N07", prison_code="LEI",
                      as_of=date(2020, 6, 1), ssd=date(2019, 9, 30),
                      arrival_date=date(2019, 10, 1), crd=date(2021, 2, 14))
    assert_no_dates(decision, "COM_RESPONSIBLE", "pre_omic_rules")


# --- §2.3 populations: policy start (SSD on or after) and cutoff (release on or after) -----

def english(prison_code: str, ssd: date, crd: date) -> HandoverDecision:
    return decide(country="England", provider_code="N07", prison_code=prison_code,
                  ssd=ssd, arrival_date=ssd, crd=crd, as_of=ssd)


def welsh(ssd: date, crd: date) -> HandoverDecision:
    return decide(prison_code="CFI", ssd=ssd, arrival_date=ssd, crd=crd, as_of=ssd)


def women(ssd: date, crd: date, **changes: Any) -> HandoverDecision:
    """A woman in a (closed, English) women's prison unless ``changes`` say otherwise."""
    woman: dict[str, Any] = {"country": "England", "provider_code": "N07", "prison_code": "NHI",
                             "womens_prison": True, "category": "R", "sex": "F"}
    return decide(**{**woman, "ssd": ssd, "arrival_date": ssd, "crd": crd, "as_of": ssd,
                     **changes})


@pytest.mark.parametrize(("ssd", "crd", "reason"), [
    (date(2019, 10, 1), date(2020, 12, 1), "nps_determinate"),  # SSD on the policy start
    (date(2019, 9, 30), date(2021, 2, 15), "nps_determinate"),  # release on the cutoff
    (date(2019, 9, 30), date(2021, 2, 14), "pre_omic_rules"),   # a day before both
])
def test_2_3_english_public_prison(ssd: date, crd: date, reason: str) -> None:
    assert english("LEI", ssd, crd).reason == reason


@pytest.mark.parametrize("prison_code", ["DNI", "IWI"])  # private, hub
@pytest.mark.parametrize(("ssd", "crd", "reason"), [
    (date(2019, 10, 1), date(2020, 12, 1), "nps_determinate"),
    (date(2019, 9, 30), date(2021, 6, 1), "nps_determinate"),
    (date(2019, 9, 30), date(2021, 5, 31), "pre_omic_rules"),
])
def test_2_3_english_hub_or_private_prison(prison_code: str, ssd: date, crd: date,
                                            reason: str) -> None:
    assert english(prison_code, ssd, crd).reason == reason


def test_2_3_english_public_cutoff_is_earlier_than_private() -> None:
    # Released 2021-05-31: on or after the public cutoff, before the private one.
    assert english("LEI", date(2019, 9, 30), date(2021, 5, 31)).reason == "nps_determinate"


@pytest.mark.parametrize(("ssd", "crd", "reason"), [
    (date(2019, 2, 4), date(2020, 4, 1), "nps_determinate"),
    (date(2019, 2, 3), date(2020, 5, 4), "nps_determinate"),
    (date(2019, 2, 3), date(2020, 5, 3), "pre_omic_rules"),
])
def test_2_3_welsh_offender(ssd: date, crd: date, reason: str) -> None:
    assert welsh(ssd, crd).reason == reason


def test_2_3_welsh_offender_in_an_english_prison_uses_welsh_dates() -> None:
    # The Welsh test is the probation country, not the prison's.
    decision = decide(prison_code="LEI", ssd=date(2019, 2, 4), arrival_date=date(2019, 2, 4),
                      crd=date(2020, 4, 1), as_of=date(2019, 2, 4))
    assert decision.reason == "nps_determinate"


@pytest.mark.parametrize(("ssd", "crd", "reason"), [
    (date(2021, 4, 30), date(2022, 6, 1), "nps_determinate"),
    (date(2021, 4, 29), date(2022, 9, 30), "nps_determinate"),
    (date(2021, 4, 29), date(2022, 9, 29), "pre_omic_rules"),
])
def test_2_3_womens_prison(ssd: date, crd: date, reason: str) -> None:
    assert women(ssd, crd).reason == reason


def test_2_3_womens_prison_comes_before_welsh() -> None:
    # A Welsh woman sentenced after the Welsh start but before the women's start.
    decision = women(date(2020, 1, 1), date(2022, 1, 1), country="Wales", provider_code="N03")
    assert decision.reason == "pre_omic_rules"


# --- §2.3 open conditions ----------------------------------------------------------------

def in_open(prison_code: str, arrival: date, **changes: Any) -> HandoverDecision:
    return decide(prison_code=prison_code, arrival_date=arrival, ssd=date(2020, 1, 1),
                  crd=date(2022, 6, 1), as_of=date(2021, 6, 1), **changes)


def test_2_3_english_men_open_prison_from_31_march_2021() -> None:
    assert in_open("HDI", date(2021, 3, 31), country="England",
                   provider_code="N07").reason == "nps_determinate"


def test_2_3_english_men_open_prison_before_31_march_2021_is_pre_omic() -> None:
    decision = in_open("HDI", date(2021, 3, 30), country="England", provider_code="N07")
    assert_no_dates(decision, "COM_RESPONSIBLE", "pre_omic_rules")


def test_2_3_welsh_prescoed_pilot_from_19_october_2020() -> None:
    assert in_open("UPI", date(2020, 10, 19)).reason == "nps_determinate"


def test_2_3_welsh_prescoed_before_19_october_2020_is_pre_omic() -> None:
    assert in_open("UPI", date(2020, 10, 18)).reason == "pre_omic_rules"


def test_2_3_english_in_prescoed_before_31_march_2021_is_pre_omic() -> None:
    decision = in_open("UPI", date(2020, 11, 1), country="England", provider_code="N07")
    assert decision.reason == "pre_omic_rules"


def test_2_3_english_in_prescoed_from_31_march_2021_follows_open_prison_rules() -> None:
    decision = in_open("UPI", date(2021, 3, 31), country="England", provider_code="N07")
    assert decision.reason == "nps_determinate"


def test_2_3_welsh_pilot_is_prescoed_only() -> None:
    assert in_open("HDI", date(2020, 11, 1)).reason == "pre_omic_rules"


def test_2_3_women_in_open_conditions_category_t() -> None:
    decision = women(date(2021, 5, 1), date(2022, 10, 1), category="T",
                     category_active_since=date(2021, 6, 1))
    assert decision.reason == "nps_determinate"


# --- §2.4 NPS handover and start dates ---------------------------------------------------

def test_2_4_early_allocation_15_months_before_release() -> None:
    decision = decide(ea=True, crd=date(2022, 5, 31), ssd=date(2020, 6, 1),
                      arrival_date=date(2020, 6, 2), as_of=date(2021, 3, 1))
    assert decision.reason == "nps_early_allocation"
    # 2022-05-31 - 15 months = 2021-02-28 (no 31 February).
    assert dates(decision) == (date(2021, 2, 28), date(2021, 2, 28))
    assert decision.responsibility == "COM_RESPONSIBLE"


def test_2_4_early_allocation_day_before_is_pom_responsible() -> None:
    decision = decide(ea=True, crd=date(2022, 5, 31), ssd=date(2020, 6, 1),
                      arrival_date=date(2020, 6, 2), as_of=date(2021, 2, 27))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_2_4_early_allocation_15_months_lands_on_29_february() -> None:
    decision = decide(ea=True, ssd=date(2023, 6, 1), arrival_date=date(2023, 6, 2),
                      crd=date(2025, 5, 31), as_of=date(2023, 7, 1))
    # 2025-05-31 - 15 months = 2024-02-29.
    assert dates(decision) == (date(2024, 2, 29), date(2024, 2, 29))


def test_2_4_indeterminate_8_months_before_future_tariff() -> None:
    decision = decide(isp=True, crd=None, ted=date(2023, 1, 31))
    assert decision.reason == "nps_indeterminate"
    # 2023-01-31 - 8 months = 2022-05-31.
    assert dates(decision) == (date(2022, 5, 31), date(2022, 5, 31))
    assert decision.earliest_release == ReleaseDate("TED", date(2023, 1, 31))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_2_4_indeterminate_8_months_lands_on_29_february() -> None:
    decision = decide(isp=True, crd=None, ted=date(2024, 10, 29))
    # 2024-10-29 - 8 months = 2024-02-29.
    assert dates(decision) == (date(2024, 2, 29), date(2024, 2, 29))


def test_2_1_indeterminate_tariff_today_is_not_future_so_parole_date_used() -> None:
    decision = decide(isp=True, crd=None, ted=date(2021, 9, 1), ped=date(2022, 12, 31))
    assert decision.earliest_release == ReleaseDate("PED", date(2022, 12, 31))
    # 2022-12-31 - 8 months = 2022-04-30.
    assert dates(decision) == (date(2022, 4, 30), date(2022, 4, 30))


def test_2_1_indeterminate_parole_review_today_counts() -> None:
    decision = decide(isp=True, crd=None, ted=date(2021, 8, 1), prd=date(2021, 9, 1),
                      ssd=date(2020, 1, 1), arrival_date=date(2020, 1, 2))
    assert decision.earliest_release == ReleaseDate("PRD", date(2021, 9, 1))
    # 2021-09-01 - 8 months = 2021-01-01: handover passed, COM responsible.
    assert dates(decision) == (date(2021, 1, 1), date(2021, 1, 1))
    assert decision.responsibility == "COM_RESPONSIBLE"


def test_2_1_indeterminate_earliest_of_prd_and_ped() -> None:
    decision = decide(isp=True, crd=None, prd=date(2023, 3, 1), ped=date(2022, 12, 31))
    assert decision.earliest_release == ReleaseDate("PED", date(2022, 12, 31))


def test_2_1_indeterminate_prd_wins_a_tie_with_ped() -> None:
    decision = decide(isp=True, crd=None, prd=date(2022, 12, 31), ped=date(2022, 12, 31))
    assert decision.earliest_release == ReleaseDate("PRD", date(2022, 12, 31))


def test_2_4_indeterminate_open_men_window_from_arrival() -> None:
    decision = decide(isp=True, crd=None, ted=date(2023, 1, 31), country="England",
                      provider_code="N07", prison_code="HDI", arrival_date=date(2021, 5, 1),
                      ssd=date(2020, 1, 1))
    assert decision.reason == "nps_indeterminate_open"
    assert dates(decision) == (date(2021, 5, 1), date(2022, 5, 31))
    assert decision.responsibility == "POM_RESPONSIBLE_COM_SUPPORTING"


def test_2_4_indeterminate_open_women_window_from_category_t() -> None:
    decision = decide(isp=True, crd=None, ted=date(2023, 1, 31), country="England",
                      provider_code="N07", prison_code="NHI", womens_prison=True, sex="F",
                      category="T", category_active_since=date(2021, 10, 1),
                      arrival_date=date(2021, 5, 1), ssd=date(2021, 5, 1))
    assert decision.reason == "nps_indeterminate_open"
    assert dates(decision) == (date(2021, 10, 1), date(2022, 5, 31))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_2_4_tie_break_isp_arrives_in_open_conditions_after_8_month_point() -> None:
    decision = decide(isp=True, crd=None, ted=date(2023, 1, 31), prison_code="UPI",
                      arrival_date=date(2022, 7, 1), ssd=date(2020, 1, 1),
                      as_of=date(2022, 7, 1))
    # Start (arrival 2022-07-01) is after the 8-month point (2022-05-31): handover moves.
    assert dates(decision) == (date(2022, 7, 1), date(2022, 7, 1))
    assert decision.responsibility == "COM_RESPONSIBLE"


def test_2_4_determinate_with_ped_8_months_before_ped() -> None:
    decision = decide(ped=date(2022, 6, 30), crd=date(2023, 3, 1))
    assert decision.reason == "nps_determinate_parole_case"
    # 2022-06-30 - 8 months = 2021-10-30.
    assert dates(decision) == (date(2021, 10, 30), date(2021, 10, 30))
    assert decision.earliest_release == ReleaseDate("PED", date(2022, 6, 30))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_2_4_mappa_unknown_same_as_mappa_0() -> None:
    decision = decide(mappa_level=None)
    assert decision.reason == "nps_determinate"
    assert dates(decision) == (date(2021, 7, 13), date(2021, 10, 13))


def test_2_4_mappa_1_same_as_mappa_0() -> None:
    assert dates(decide(mappa_level=1)) == (date(2021, 7, 13), date(2021, 10, 13))


def test_2_4_months_are_taken_before_days() -> None:
    decision = decide(crd=date(2021, 9, 30), ssd=date(2020, 9, 1), arrival_date=date(2020, 9, 2),
                      as_of=date(2020, 10, 1))
    # 2021-09-30 - 7 months = 2021-02-28, - 15 days = 2021-02-13 (days first would give 15th);
    # 2021-09-30 - 4 months = 2021-05-30, - 15 days = 2021-05-15.
    assert dates(decision) == (date(2021, 2, 13), date(2021, 5, 15))


def test_2_4_window_across_29_february() -> None:
    decision = decide(crd=date(2024, 9, 29), ssd=date(2023, 6, 1), arrival_date=date(2023, 6, 2),
                      as_of=date(2023, 7, 1))
    # 2024-09-29 - 7 months = 2024-02-29, - 15 days = 2024-02-14;
    # 2024-09-29 - 4 months = 2024-05-29, - 15 days = 2024-05-14.
    assert dates(decision) == (date(2024, 2, 14), date(2024, 5, 14))


def test_2_4_handover_4_months_15_days_lands_in_leap_february() -> None:
    decision = decide(crd=date(2024, 6, 30), ssd=date(2023, 6, 1), arrival_date=date(2023, 6, 2),
                      as_of=date(2023, 7, 1))
    # 2024-06-30 - 7 months = 2023-11-30, - 15 days = 2023-11-15;
    # 2024-06-30 - 4 months = 2024-02-29, - 15 days = 2024-02-14.
    assert dates(decision) == (date(2023, 11, 15), date(2024, 2, 14))


def test_2_4_ard_earlier_than_crd_is_used() -> None:
    decision = decide(ard=date(2022, 1, 31))
    assert decision.earliest_release == ReleaseDate("ARD", date(2022, 1, 31))
    # 2022-01-31 - 7 months = 2021-06-30, - 15 = 2021-06-15; - 4 months = 2021-09-30, - 15
    # = 2021-09-15.
    assert dates(decision) == (date(2021, 6, 15), date(2021, 9, 15))


def test_2_1_ard_wins_a_tie_with_crd() -> None:
    decision = decide(ard=date(2022, 2, 28))
    assert decision.earliest_release == ReleaseDate("ARD", date(2022, 2, 28))


def test_2_4_hdcad_is_the_handover_even_after_the_4_5_month_point() -> None:
    decision = decide(hdcad=date(2021, 11, 1), hdced=date(2021, 9, 15))
    assert dates(decision) == (date(2021, 7, 13), date(2021, 11, 1))
    assert decision.reason == "nps_determinate"
    assert decision.earliest_release == ReleaseDate("CRD", date(2022, 2, 28))


def test_2_4_hdced_earlier_than_the_4_5_month_point_is_the_handover() -> None:
    decision = decide(hdced=date(2021, 9, 15))
    assert dates(decision) == (date(2021, 7, 13), date(2021, 9, 15))


def test_2_4_hdced_later_than_the_4_5_month_point_is_ignored() -> None:
    decision = decide(hdced=date(2021, 11, 20))
    assert dates(decision) == (date(2021, 7, 13), date(2021, 10, 13))


def test_2_4_tie_break_hdced_before_the_window_opens() -> None:
    decision = decide(hdced=date(2021, 6, 1))
    assert dates(decision) == (date(2021, 7, 13), date(2021, 7, 13))
    assert decision.responsibility == "COM_RESPONSIBLE"


def test_2_4_tie_break_hdcad_before_the_window_opens() -> None:
    decision = decide(hdcad=date(2021, 7, 1), hdced=date(2021, 6, 1), as_of=date(2021, 6, 1))
    assert dates(decision) == (date(2021, 7, 13), date(2021, 7, 13))
    assert decision.responsibility == "POM_RESPONSIBLE"


@pytest.mark.parametrize("mappa", [2, 3])
def test_2_4_mappa_2_3_hands_over_on_the_7_5_month_date(mappa: int) -> None:
    decision = decide(mappa_level=mappa, as_of=date(2021, 6, 1))
    assert decision.reason == "nps_determinate_mappa_2_3"
    assert dates(decision) == (date(2021, 7, 13), date(2021, 7, 13))
    assert decision.responsibility == "POM_RESPONSIBLE"


@pytest.mark.parametrize(("as_of", "handover", "responsibility"), [
    (date(2021, 7, 12), date(2021, 7, 13), "POM_RESPONSIBLE"),
    (date(2021, 7, 13), date(2021, 7, 13), "COM_RESPONSIBLE"),
    (date(2021, 7, 14), date(2021, 7, 14), "COM_RESPONSIBLE"),  # later of today and 7.5 months
    (date(2021, 9, 1), date(2021, 9, 1), "COM_RESPONSIBLE"),
])
def test_2_4_mappa_2_3_handover_is_never_before_today(as_of: date, handover: date,
                                                       responsibility: str) -> None:
    decision = decide(mappa_level=2, as_of=as_of)
    assert dates(decision) == (date(2021, 7, 13), handover)
    assert decision.responsibility == responsibility
