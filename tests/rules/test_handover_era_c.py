"""Era C handover rules (HAND-2; HANDOVER.md §3): era B except NPS determinate cases.

The base case is the worked example of INTERCHANGE.md (a Welsh man sentenced on 2021-03-01,
CRD 2022-02-28, MAPPA 0, enhanced resourcing, decided on 2021-09-01), replayed under the
October 2022 rules. Each scenario changes only what it needs. Every expected date below was
worked out by hand ("7 months 15 days before" = calendar months first, clamped to month end,
then days).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from omp.rules.facts import CaseFacts, Custody, Sentence
from omp.rules.handover import HandoverDecision, ReleaseDate
from omp.rules.policy import PolicyVersion
from tests.rules.handover_scenarios import assert_no_dates, changed, dates, decided, era

ERA_C = era("C")


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


def decide(resourcing: Any = "ENHANCED", policy: PolicyVersion = ERA_C,
           **changes: Any) -> HandoverDecision:
    """The base case changed, decided under era C unless another policy is given."""
    return decided(BASE, policy, resourcing, **changes)


# --- §3 NPS determinate without PED or EA: one date, 7 months 15 days before release -------

def test_3_worked_example_hands_over_on_13_july_2021() -> None:
    decision = decide()
    assert (decision.era, decision.policy_version) == ("C", ERA_C.name)
    assert decision.reason == "nps_determinate"
    # 2022-02-28 - 7 months = 2021-07-28, - 15 days = 2021-07-13; start = handover.
    assert dates(decision) == (date(2021, 7, 13), date(2021, 7, 13))
    assert decision.responsibility == "COM_RESPONSIBLE"
    assert decision.earliest_release == ReleaseDate("CRD", date(2022, 2, 28))
    assert decision.handover_type is None
    assert decision.rule.startswith("HAND-")


@pytest.mark.parametrize(("as_of", "responsibility"), [
    (date(2021, 7, 12), "POM_RESPONSIBLE"),
    (date(2021, 7, 13), "COM_RESPONSIBLE"),  # no window: straight to the COM on the day
    (date(2021, 7, 14), "COM_RESPONSIBLE"),
])
def test_3_no_window_pom_then_com(as_of: date, responsibility: str) -> None:
    assert decide(as_of=as_of).responsibility == responsibility


def test_3_hdced_is_ignored() -> None:
    assert dates(decide(hdced=date(2021, 9, 15))) == (date(2021, 7, 13), date(2021, 7, 13))


def test_3_hdcad_is_ignored() -> None:
    decision = decide(hdcad=date(2021, 11, 1), hdced=date(2021, 9, 15))
    assert dates(decision) == (date(2021, 7, 13), date(2021, 7, 13))


@pytest.mark.parametrize("mappa", [None, 0, 1, 2, 3])
def test_3_mappa_level_is_ignored(mappa: int | None) -> None:
    # Era B's MAPPA 2/3 row (handover = the later of today and 7.5 months) is gone.
    decision = decide(mappa_level=mappa)
    assert decision.reason == "nps_determinate"
    assert dates(decision) == (date(2021, 7, 13), date(2021, 7, 13))


def test_3_ard_earlier_than_crd_is_used() -> None:
    decision = decide(ard=date(2022, 1, 31))
    assert decision.earliest_release == ReleaseDate("ARD", date(2022, 1, 31))
    # 2022-01-31 - 7 months = 2021-06-30, - 15 days = 2021-06-15.
    assert dates(decision) == (date(2021, 6, 15), date(2021, 6, 15))


def test_3_months_are_taken_before_days() -> None:
    decision = decide(crd=date(2021, 9, 30), ssd=date(2020, 9, 1),
                      arrival_date=date(2020, 9, 2), as_of=date(2020, 10, 1))
    # 2021-09-30 - 7 months = 2021-02-28, - 15 days = 2021-02-13.
    assert dates(decision) == (date(2021, 2, 13), date(2021, 2, 13))


def test_3_across_29_february() -> None:
    decision = decide(crd=date(2024, 9, 29), ssd=date(2023, 6, 1),
                      arrival_date=date(2023, 6, 2), as_of=date(2023, 7, 1))
    # 2024-09-29 - 7 months = 2024-02-29, - 15 days = 2024-02-14.
    assert dates(decision) == (date(2024, 2, 14), date(2024, 2, 14))


def test_3_shortest_long_sentence_hands_over_after_sentence_start() -> None:
    # 10 months and a day: 2022-01-02 - 7 months = 2021-06-02, - 15 days = 2021-05-18, which
    # is after the SSD, so the SSD floor is not what sets the date here.
    decision = decide(crd=date(2022, 1, 2), as_of=date(2021, 4, 1))
    assert dates(decision) == (date(2021, 5, 18), date(2021, 5, 18))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_3_exactly_10_months_is_still_short() -> None:
    decision = decide(crd=date(2022, 1, 1), as_of=date(2021, 4, 1))
    assert_no_dates(decision, "COM_RESPONSIBLE", "less_than_10_months_left_to_serve")


# --- §3 what stays as in era B -----------------------------------------------------------

def test_3_crc_still_12_weeks() -> None:
    decision = decide("NORMAL")
    assert decision.reason == "crc_case"
    # 2022-02-28 minus 84 days = 2021-12-06.
    assert dates(decision) == (date(2021, 12, 6), date(2021, 12, 6))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_3_crc_short_sentence_still_12_weeks() -> None:
    decision = decide("NORMAL", crd=date(2021, 10, 1))
    # 2021-10-01 minus 84 days = 2021-07-09.
    assert (decision.reason, dates(decision)) == ("crc_case", (date(2021, 7, 9), date(2021, 7, 9)))


def test_3_unknown_resourcing_is_nps() -> None:
    assert decide(None).reason == "nps_determinate"


def test_3_ped_still_8_months() -> None:
    decision = decide(ped=date(2022, 6, 30), crd=date(2023, 3, 1))
    assert decision.reason == "nps_determinate_parole_case"
    # 2022-06-30 - 8 months = 2021-10-30.
    assert dates(decision) == (date(2021, 10, 30), date(2021, 10, 30))


def test_3_early_allocation_still_15_months() -> None:
    decision = decide(ea=True, crd=date(2022, 5, 31), ssd=date(2020, 6, 1),
                      arrival_date=date(2020, 6, 2), as_of=date(2021, 2, 27))
    assert decision.reason == "nps_early_allocation"
    # 2022-05-31 - 15 months = 2021-02-28.
    assert dates(decision) == (date(2021, 2, 28), date(2021, 2, 28))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_3_indeterminate_still_8_months() -> None:
    decision = decide(isp=True, crd=None, ted=date(2023, 1, 31))
    assert decision.reason == "nps_indeterminate"
    # 2023-01-31 - 8 months = 2022-05-31.
    assert dates(decision) == (date(2022, 5, 31), date(2022, 5, 31))


def test_3_indeterminate_open_window_from_arrival() -> None:
    decision = decide(isp=True, crd=None, ted=date(2023, 1, 31), prison_code="UPI",
                      arrival_date=date(2021, 5, 1), ssd=date(2020, 1, 1))
    assert decision.reason == "nps_indeterminate_open"
    assert dates(decision) == (date(2021, 5, 1), date(2022, 5, 31))
    assert decision.responsibility == "POM_RESPONSIBLE_COM_SUPPORTING"


def test_3_tie_break_open_arrival_after_8_month_point_moves_handover() -> None:
    decision = decide(isp=True, crd=None, ted=date(2023, 1, 31), prison_code="UPI",
                      arrival_date=date(2022, 7, 1), ssd=date(2020, 1, 1),
                      as_of=date(2022, 6, 30))
    assert dates(decision) == (date(2022, 7, 1), date(2022, 7, 1))
    assert decision.responsibility == "POM_RESPONSIBLE"


def test_3_outside_omic_policy() -> None:
    assert_no_dates(decide(date_of_birth=date(2003, 9, 2)), None, "outside_omic_policy")


def test_3_recall() -> None:
    assert_no_dates(decide(recall=True), "COM_RESPONSIBLE", "recall_case")


def test_3_immigration() -> None:
    assert_no_dates(decide(immigration_case=True), "COM_RESPONSIBLE", "immigration_case")


def test_3_release_date_unknown() -> None:
    decision = decide(crd=None, hdced=date(2022, 1, 1))
    assert_no_dates(decision, "POM_RESPONSIBLE", "release_date_unknown")


def test_3_pre_omic_still_applies() -> None:
    decision = decide(country="England", provider_code="N07", prison_code="LEI",
                      as_of=date(2020, 6, 1), ssd=date(2019, 9, 30),
                      arrival_date=date(2019, 10, 1), crd=date(2021, 2, 14))
    assert_no_dates(decision, "COM_RESPONSIBLE", "pre_omic_rules")


def test_3_english_open_prison_before_31_march_2021_is_pre_omic() -> None:
    decision = decide(country="England", provider_code="N07", prison_code="HDI",
                      arrival_date=date(2021, 3, 30), ssd=date(2020, 1, 1),
                      crd=date(2022, 6, 1), as_of=date(2021, 6, 1))
    assert decision.reason == "pre_omic_rules"
