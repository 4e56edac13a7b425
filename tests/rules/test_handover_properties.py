"""Properties of the handover decision for random consistent case facts, in every era (HAND-2).

The facts are consistent in the sense of ``check_custody_dates``: every release date on or
after the sentence start, a tariff date only on an indeterminate sentence, HDCAD on or after
HDCED. Everything else (flags, prison, population, MAPPA, resourcing, "today") is random.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omp.rules.facts import CaseFacts, Custody, Sentence
from omp.rules.handover import HandoverDecision, check_custody_dates, decide_handover
from omp.rules.policy import BUILT_IN_VERSIONS, PolicyVersion

ERAS = {v.handover_era: v for v in BUILT_IN_VERSIONS}
STATES = {"POM_RESPONSIBLE", "POM_RESPONSIBLE_COM_SUPPORTING", "COM_RESPONSIBLE"}
#: Public, private, hub, men's open (English and Welsh), women's, Welsh closed.
PRISONS = ["LEI", "DNI", "IWI", "HDI", "UPI", "NHI", "CFI"]
#: §4.1 rows 2 and 4: POM responsible with the COM supporting, and deliberately no dates.
NO_DATE_SUPPORTING = {"recall_thd_over_12_months", "thd_over_12_months"}

FLAG = st.one_of(st.none(), st.booleans())
#: True about one time in ten, so that most cases reach the general rules.
RARE = st.sampled_from([False] * 9 + [True])
SOMETIMES = st.sampled_from([False, False, False, True])


#: Offsets in days, built once: strategies made inside every draw make generation slow.
SHORT = st.integers(0, 1_500)
MEDIUM = st.one_of(st.none(), st.integers(0, 3_000))
LONG = st.one_of(st.none(), st.integers(0, 6_000))
DAYS = st.integers(0, 3_000)
LONG_DAYS = st.integers(0, 6_000)
SENTENCE_DAYS = st.integers(0, 4_382)
BIRTH_DAYS = st.integers(0, 21_549)


def plus(start: date | None, days: int | None) -> date | None:
    return None if start is None or days is None else start + timedelta(days=days)


@st.composite
def case_facts(draw: Any) -> tuple[CaseFacts, str | None]:
    ssd = date(2016, 1, 1) + timedelta(days=draw(SENTENCE_DAYS))  # to the end of 2027
    isp = draw(st.booleans())
    womens = draw(st.booleans())
    prison = "NHI" if womens else draw(st.sampled_from(PRISONS[:-2] + ["CFI"]))
    category = draw(st.sampled_from(["T", "R"] if womens else ["C", "D"]))
    # A woman in open conditions has the date her category became T (the era B/C window
    # start); what a missing date would mean there is not a question these properties ask.
    category_since = plus(ssd, draw(SHORT if category == "T" else MEDIUM))
    hdced = None if isp else plus(ssd, draw(MEDIUM))
    hdcad = None if isp else plus(hdced or ssd, draw(MEDIUM))  # never before HDCED
    custody = Custody(
        prison_code=prison,
        womens_prison=womens,
        category=category,
        category_active_since=category_since,
        arrival_date=plus(ssd, draw(SHORT)),
        remand=False,
        sentence_start_date=ssd,
        conditional_release_date=None if isp or draw(RARE) else plus(ssd, draw(DAYS)),
        automatic_release_date=None if isp else plus(ssd, draw(MEDIUM)),
        parole_eligibility_date=plus(ssd, draw(MEDIUM)) if draw(SOMETIMES) else None,
        # A tariff only on an ISP (a tariff on a determinate sentence is contradictory).
        tariff_date=None if not isp or draw(RARE) else plus(ssd, draw(LONG_DAYS)),
        home_detention_curfew_eligibility_date=hdced,
        home_detention_curfew_actual_date=hdcad,
        parole_review_date=plus(ssd, draw(MEDIUM)),
        target_hearing_date=plus(ssd, draw(LONG)),
        licence_expiry_date=plus(ssd, draw(LONG)),
        recall=draw(RARE),
        immigration_case=draw(RARE),
        early_allocation=draw(SOMETIMES),
        parole_outcome_not_release=draw(FLAG),
        additional_future_isp=draw(RARE),
        civil_sentence=draw(st.one_of(st.none(), RARE)),
    )
    facts = CaseFacts(
        case_ref="P000001",
        as_of=ssd + timedelta(days=draw(st.integers(-30, 4_000))),
        date_of_birth=date(1950, 1, 1) + timedelta(days=draw(BIRTH_DAYS)),  # to 2008
        sex="F" if womens else "M",
        country=draw(st.sampled_from(["England", "Wales"])),
        mappa_level=draw(st.sampled_from([None, 0, 1, 2, 3])),
        sentence=Sentence(kind="custodial", date=ssd, indeterminate=isp),
        custody=custody,
    )
    resourcing = draw(st.sampled_from(["ENHANCED", "NORMAL", None]))
    return facts, resourcing


def decide(era: str, drawn: tuple[CaseFacts, str | None]) -> HandoverDecision:
    facts, resourcing = drawn
    assert check_custody_dates(facts) == []  # the generator makes only consistent facts
    decision = decide_handover(facts, ERAS[era], resourcing)  # type: ignore[arg-type]
    assert decision is not None
    return decision


def policy(era: str) -> PolicyVersion:
    return ERAS[era]


@pytest.mark.parametrize("era", ["B", "C", "D", "E"])
@settings(max_examples=100, deadline=None)
@given(drawn=case_facts())
def test_responsibility_is_one_of_three_states_when_calculated(era: str,
                                                               drawn: Any) -> None:
    decision = decide(era, drawn)
    assert (decision.era, decision.policy_version) == (era, policy(era).name)
    if decision.reason == "outside_omic_policy":
        assert decision.responsibility is None
        assert (decision.start_date, decision.handover_date) == (None, None)
    else:
        assert decision.responsibility in STATES


@pytest.mark.parametrize("era", ["B", "C", "D", "E"])
@settings(max_examples=100, deadline=None)
@given(drawn=case_facts())
def test_start_is_never_after_handover(era: str, drawn: Any) -> None:
    # Eras D/E take the earlier date as the start; eras B/C move the handover to the start.
    decision = decide(era, drawn)
    if decision.start_date is not None and decision.handover_date is not None:
        assert decision.start_date <= decision.handover_date


@pytest.mark.parametrize("era", ["B", "C", "D", "E"])
@settings(max_examples=100, deadline=None)
@given(drawn=case_facts())
def test_start_and_handover_come_together(era: str, drawn: Any) -> None:
    decision = decide(era, drawn)
    assert (decision.start_date is None) == (decision.handover_date is None)


@settings(max_examples=200, deadline=None)
@given(drawn=case_facts())
def test_era_c_nps_determinate_handover_never_before_sentence_start(drawn: Any) -> None:
    decision = decide("C", drawn)
    facts = drawn[0]
    if decision.reason == "nps_determinate":
        assert decision.handover_date is not None
        assert decision.handover_date >= facts.custody.sentence_start_date
        assert decision.start_date == decision.handover_date  # no window in era C


@settings(max_examples=200, deadline=None)
@given(drawn=case_facts())
def test_era_e_no_handover_date_is_not_com_supporting(drawn: Any) -> None:
    # §4.7: no handover date means the COM is responsible. Rows 2 and 4 of §4.1 are the
    # deliberate exceptions: POM responsible with the COM supporting, and no dates.
    decision = decide("E", drawn)
    if decision.handover_date is None and decision.reason not in NO_DATE_SUPPORTING:
        assert decision.responsibility != "POM_RESPONSIBLE_COM_SUPPORTING"


@pytest.mark.parametrize("era", ["B", "C"])
@settings(max_examples=100, deadline=None)
@given(drawn=case_facts())
def test_eras_b_c_responsibility_follows_the_dates(era: str, drawn: Any) -> None:
    decision = decide(era, drawn)
    start, handover, today = decision.start_date, decision.handover_date, decision.as_of
    if start is None or handover is None:
        return
    if start > today and handover > today:
        assert decision.responsibility == "POM_RESPONSIBLE"
    elif handover > today:
        assert decision.responsibility == "POM_RESPONSIBLE_COM_SUPPORTING"
    else:
        assert decision.responsibility == "COM_RESPONSIBLE"
    assert decision.handover_type is None


@pytest.mark.parametrize("era", ["D", "E"])
@settings(max_examples=100, deadline=None)
@given(drawn=case_facts())
def test_eras_d_e_responsibility_follows_the_dates(era: str, drawn: Any) -> None:
    decision = decide(era, drawn)
    start, handover, today = decision.start_date, decision.handover_date, decision.as_of
    assert decision.handover_type in {"enhanced", "standard", "none", "missing"}
    if start is None or handover is None:
        return
    if today < start:
        assert decision.responsibility == "POM_RESPONSIBLE"
    elif today < handover:
        assert decision.responsibility == "POM_RESPONSIBLE_COM_SUPPORTING"
    else:
        assert decision.responsibility == "COM_RESPONSIBLE"


@pytest.mark.parametrize("era", ["D", "E"])
@settings(max_examples=100, deadline=None)
@given(drawn=case_facts())
def test_eras_d_e_resourcing_never_moves_the_dates(era: str, drawn: Any) -> None:
    facts, _ = drawn
    enhanced = decide(era, (facts, "ENHANCED"))
    normal = decide(era, (facts, "NORMAL"))
    assert (normal.responsibility, normal.start_date, normal.handover_date, normal.reason) == (
        enhanced.responsibility, enhanced.start_date, enhanced.handover_date, enhanced.reason)
