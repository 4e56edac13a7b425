"""``facts_dict`` writes the interchange case object that ``parse_case`` reads."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from omp.interchange.facts import facts_dict
from omp.interchange.schema import parse_case
from tests.conftest import case_object

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("changes", [
    {},
    {"person.nationalities": None, "risk.rsr_percent": None, "custody": None},
    {"probation": {"pdu_code": "N03UAT", "provider_code": "N03", "country": "Wales"},
     "risk.mappa_level": 2, "risk.mappa_category": 1, "risk.registrations": ["HOI"],
     "resourcing": "ENHANCED"},
    {"event": {"offences": [{"code": "00101", "schedule_15": None}], "sentence": None}},
])
def test_round_trip(changes: dict[str, Any]) -> None:
    facts = parse_case(case_object(**changes), TODAY)
    written = facts_dict(facts)
    assert parse_case(json.loads(json.dumps(written)), TODAY) == facts


def test_numbers_stay_numbers_and_dates_are_iso() -> None:
    written = facts_dict(parse_case(case_object(), TODAY))
    assert written["risk"]["rsr_percent"] == 3.2
    assert written["event"]["sentence"]["date"] == "2026-03-01"
    assert written["custody"]["arrival_date"] == "2026-03-02"
    assert written["person"]["nationalities"] == ["British"]
