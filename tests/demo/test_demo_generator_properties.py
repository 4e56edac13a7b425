"""The synthetic caseload holds together as a practitioner expects (issue 12), for any seed
and any day it is generated on: Hypothesis properties over the generator."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from omp.demo.generator import PROFILE_OF, CaseGenerator, DemoCase, sentence_end
from omp.interchange.schema import parse_case
from omp.rules.data_quality import release_date_passed
from omp.rules.durations import shift_months

PRISON_NUMBER = re.compile(r"[A-Z]\d{4}[A-Z]{2}")
seeds = st.integers(min_value=0, max_value=2**31)
days = st.dates(min_value=date(2016, 1, 1), max_value=date(2035, 12, 31))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _cases(seed: int, today: date, n: int = 40) -> list[DemoCase]:
    return list(CaseGenerator(seed, today).cases(n))


@settings(max_examples=40, deadline=None)
@given(seeds, days)
def test_everyone_in_custody_is_part_way_through_and_has_a_prison_number(seed, today):
    for case in _cases(seed, today):
        custody = case.facts["custody"]
        if custody is None:
            continue
        assert PRISON_NUMBER.fullmatch(case.prison_number), case.prison_number
        arrival = _day(custody["arrival_date"])
        assert arrival is not None and arrival <= today
        facts = parse_case(case.facts, today)
        passed = release_date_passed(facts.custody, today)
        # Only the records generated as out of date show a release date passed.
        assert (passed is not None) == (case.stage == "stale"), case.facts["case_ref"]
        if custody.get("remand"):
            assert case.stage == "remand" and case.facts["event"]["sentence"] is None
            continue
        start = _day(custody["sentence_start_date"])
        assert start is not None and start <= arrival
        crd = _day(custody.get("conditional_release_date"))
        if case.stage == "custody" and crd is not None:
            assert arrival < crd and today < crd
            hdc = _day(custody.get("home_detention_curfew_actual_date"))
            assert hdc is None or today < hdc <= crd
        if case.stage == "recall":
            (first,) = case.past_spells
            assert start < _day(first["actual_release_date"]) < arrival
            assert today < _day(custody["licence_expiry_date"])


@settings(max_examples=40, deadline=None)
@given(seeds, days)
def test_released_people_have_left_custody_and_are_on_licence(seed, today):
    for case in _cases(seed, today):
        if case.stage != "released":
            continue
        assert case.facts["custody"] is None
        assert PRISON_NUMBER.fullmatch(case.prison_number)
        (spell,) = case.past_spells
        start, arrival = _day(spell["sentence_start_date"]), _day(spell["arrival_date"])
        released, expiry = _day(spell["actual_release_date"]), _day(spell["licence_expiry_date"])
        assert start <= arrival < released < today < expiry  # the community phase runs on
        assert released <= _day(spell["conditional_release_date"])


@settings(max_examples=40, deadline=None)
@given(seeds, days)
def test_sentences_follow_the_offence_and_start_in_adulthood(seed, today):
    for case in _cases(seed, today):
        offences = case.facts["event"]["offences"]
        main = PROFILE_OF[offences[0]["code"]]
        assert all(PROFILE_OF[o["code"]].severity <= main.severity for o in offences)
        assert all(o["description"] for o in offences)
        sentence = case.facts["event"]["sentence"]
        if sentence is None:
            continue
        sentenced = _day(sentence["date"])
        born = _day(case.facts["person"]["date_of_birth"])
        assert shift_months(born, 12 * 18) <= sentenced <= today
        if main.custodial == 1.0:  # murder, rape, wounding with intent: never a community order
            assert sentence["kind"] == "custodial"
        if main.code == "00100":
            assert sentence["indeterminate"] and sentence["length"] is None
        if sentence["kind"] == "custodial" and sentence["length"]:
            assert sentence["length"] in main.lengths
        if sentence["kind"] in ("community", "suspended"):
            assert main.custodial < 1.0
            assert sentenced < today < sentence_end(sentenced, sentence["length"])


def test_a_caseload_has_the_mix_of_a_real_one():
    cases = _cases(2026, date(2026, 12, 3), 5_000)
    stages = Counter(case.stage for case in cases)
    in_custody = sum(stages[s] for s in ("custody", "remand", "recall", "stale"))
    assert 0.25 < in_custody / len(cases) < 0.4
    assert 0.1 < stages["remand"] / in_custody < 0.3
    assert 0.03 < stages["recall"] / in_custody < 0.12
    assert 0 < stages["stale"] / in_custody < 0.03
    assert stages["released"] > 0.15 * len(cases)
    numbers = [case.prison_number for case in cases if case.prison_number]
    assert len(numbers) == len(set(numbers)) == in_custody + stages["released"]
