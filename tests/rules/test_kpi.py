"""KPIs as data (COM-3): the definition language, its checks naming the field at fault,
figures on small hand-computed data, RAG against the target and COM-4 suppression."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from omp.rules.kpi import (
    AMBER,
    GREEN,
    RED,
    KpiDefinitionError,
    Tally,
    describe,
    figure,
    parse_definition,
    rag,
    suppression,
    tally,
    target_problems,
    working_days,
)

IA5: dict[str, Any] = {
    "source": "referrals", "kind": "rate", "month": "initial_assessment_on",
    "denominator": [{"field": "keyworker_assigned_on", "op": "recorded"}],
    "numerator": [{"field": "assessment_working_days", "op": "at_most", "value": 5}]}
ROWS = [  # four assessed referrals: 2, 5 and 6 working days, one not assigned
    {"keyworker_assigned_on": date(2026, 3, 2), "assessment_working_days": 2},
    {"keyworker_assigned_on": date(2026, 3, 2), "assessment_working_days": 5},
    {"keyworker_assigned_on": date(2026, 3, 2), "assessment_working_days": 6},
    {"keyworker_assigned_on": None, "assessment_working_days": None},
]


def problems(data: Any) -> dict[str, str]:
    with pytest.raises(KpiDefinitionError) as raised:
        parse_definition(data)
    return dict(raised.value.problems)


def test_a_rate_by_hand() -> None:
    spec = parse_definition(IA5)
    counts = tally(spec, ROWS)
    assert counts == Tally(denominator=3, numerator=2)
    assert figure(spec, counts).value == Decimal("66.7")
    assert spec.unit == "%"


def test_an_empty_denominator_is_no_data_not_a_division_by_zero() -> None:
    spec = parse_definition(IA5)
    found = figure(spec, tally(spec, []))
    assert found.value is None
    assert found.no_data.startswith("No data: no referrals sent")


def test_a_count_of_nothing_is_zero_and_a_count_filters() -> None:
    spec = parse_definition({"source": "referrals", "kind": "count", "month": "sent_on",
                             "numerator": [{"field": "state", "op": "in",
                                            "value": ["completed", "ended_early"]}]})
    assert figure(spec, tally(spec, [])).value == 0
    rows = [{"state": "completed"}, {"state": "ended_early"}, {"state": "cancelled"},
            {"state": None}]
    assert figure(spec, tally(spec, rows)).value == 2


def test_a_mean_by_hand_and_with_no_values() -> None:
    spec = parse_definition({"source": "feedback", "kind": "mean", "month": "given_on",
                             "value": "score"})
    assert figure(spec, tally(spec, [{"score": 4}, {"score": 5}, {"score": 3},
                                     {"score": None}])).value == Decimal("4.0")
    assert figure(spec, tally(spec, [{"score": 5}, {"score": 4}, {"score": 4}])
                  ).value == Decimal("4.3")
    assert figure(spec, Tally()).no_data.startswith("No data")


@pytest.mark.parametrize(("op", "value", "expected"), [
    ("equals", "accommodation", 1), ("not_equals", "accommodation", 2),
    ("in", ["ete", "health"], 2), ("not_in", ["ete"], 2), ("recorded", None, 3),
    ("not_recorded", None, 1)])
def test_each_operation_on_text(op: str, value: Any, expected: int) -> None:
    definition: dict[str, Any] = {"field": "area", "op": op}
    if value is not None:
        definition["value"] = value
    spec = parse_definition({"source": "outcomes", "kind": "count", "month": "due_on",
                             "numerator": [definition]})
    rows = [{"area": "accommodation"}, {"area": "ete"}, {"area": "health"}, {"area": None}]
    assert tally(spec, rows).numerator == expected


@pytest.mark.parametrize(("op", "expected"), [("at_most", 2), ("at_least", 2),
                                              ("less_than", 1), ("more_than", 1)])
def test_each_comparison_on_numbers(op: str, expected: int) -> None:
    spec = parse_definition({"source": "referrals", "kind": "count", "month": "sent_on",
                             "numerator": [{"field": "sessions_attended", "op": op,
                                            "value": 3}]})
    rows = [{"sessions_attended": 2}, {"sessions_attended": 3}, {"sessions_attended": 4},
            {"sessions_attended": None}]
    assert tally(spec, rows).numerator == expected


def test_an_unknown_field_is_named_with_the_fields_there_are() -> None:
    found = problems({**IA5, "numerator": [{"field": "assesment_days", "op": "at_most",
                                            "value": 5}]})
    assert "numerator[0].field" in found
    assert "unknown field 'assesment_days' of referrals" in found["numerator[0].field"]
    assert "assessment_working_days" in found["numerator[0].field"]


def test_an_unknown_source_and_kind_are_named() -> None:
    found = problems({**IA5, "source": "people", "kind": "ratio"})
    assert found["source"].startswith("unknown source 'people'; the sources are referrals")
    assert found["kind"].startswith("unknown kind 'ratio'")


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"month": "state"}, "month", "must name a date field of referrals"),
    ({"numerator": []}, "numerator", "a rate needs at least one filter"),
    ({"numerator": [{"field": "state", "op": "at_most", "value": 5}]}, "numerator[0].op",
     "'at_most' does not apply to state, a text field"),
    ({"numerator": [{"field": "assessment_working_days", "op": "at_most", "value": "5"}]},
     "numerator[0].value", "must be a number"),
    ({"numerator": [{"field": "state", "op": "in", "value": []}]}, "numerator[0].value",
     "needs a list"),
    ({"denominator": [{"field": "state", "op": "between"}]}, "denominator[0].op",
     "unknown operation 'between'"),
    ({"denominator": "all"}, "denominator", "must be a list of filters"),
    ({"unit": "days"}, "unit", "a rate is in '%'"),
    ({"better": "up"}, "better", "must be higher or lower"),
    ({"value": "sessions_attended"}, "value", "only a mean takes a value field"),
    ({"colour": "red"}, "colour", "unknown key"),
])
def test_bad_definitions_name_the_field(change: dict[str, Any], field: str, words: str
                                        ) -> None:
    found = problems({**IA5, **change})
    assert field in found, found
    assert words in found[field]


def test_a_definition_that_is_not_an_object() -> None:
    assert problems([1, 2]) == {"definition": "must be a JSON object"}


def test_a_rate_target_outside_0_to_100_is_named() -> None:
    spec = parse_definition(IA5)
    assert target_problems(spec, Decimal(90), Decimal(5)) == []
    assert dict(target_problems(spec, Decimal(120), Decimal(5)))["target"].startswith(
        "a rate's target is a percentage from 0 to 100, not 120")
    assert "target" in dict(target_problems(spec, Decimal(-1), Decimal(5)))
    assert "amber_margin" in dict(target_problems(spec, Decimal(50), Decimal(-1)))
    mean = parse_definition({"source": "feedback", "kind": "mean", "month": "given_on",
                             "value": "score"})
    assert "from 1 to 5" in dict(target_problems(mean, Decimal(6), Decimal(0)))["target"]


@pytest.mark.parametrize(("value", "expected"), [
    ("90", GREEN), ("95", GREEN), ("85", AMBER), ("84.9", RED), (None, None)])
def test_rag_with_the_amber_margin(value: str | None, expected: str | None) -> None:
    assert rag(Decimal(value) if value else None, Decimal(90), Decimal(5)) == expected


def test_rag_where_lower_is_better() -> None:
    assert rag(Decimal(3), Decimal(5), Decimal(2), "lower") == GREEN
    assert rag(Decimal(6), Decimal(5), Decimal(2), "lower") == AMBER
    assert rag(Decimal(8), Decimal(5), Decimal(2), "lower") == RED


def test_the_definition_in_plain_words() -> None:
    assert describe(parse_definition(IA5)) == (
        "Of the referrals sent where the day a keyworker was assigned is recorded, counted in "
        "the month of the day the initial assessment was held: the percentage where working "
        "days from the keyworker being assigned to the initial assessment is at most 5.")


def test_com_4_small_groups_and_small_parts_are_withheld() -> None:
    spec = parse_definition(IA5)
    assert suppression(spec, Tally(9, 9)) is not None
    assert suppression(spec, Tally(30, 25)) is not None  # 5 missed it
    assert suppression(spec, Tally(30, 20)) is None
    assert suppression(spec, Tally(30, 30)) is None
    assert suppression(spec, Tally(0, 0)) is None  # no data names nobody
    count = parse_definition({"source": "referrals", "kind": "count", "month": "sent_on"})
    assert suppression(count, Tally(4, 4)) is not None
    assert suppression(count, Tally(4, 4), threshold=3) is None


@pytest.mark.parametrize(("start", "end", "days"), [
    (date(2026, 3, 2), date(2026, 3, 2), 0),   # Monday, same day
    (date(2026, 3, 2), date(2026, 3, 6), 4),   # to Friday
    (date(2026, 3, 6), date(2026, 3, 9), 1),   # Friday to Monday
    (date(2026, 3, 2), date(2026, 3, 9), 5),   # a week
    (date(2026, 3, 7), date(2026, 3, 8), 0),   # Saturday to Sunday
    (date(2026, 3, 9), date(2026, 3, 2), -5),
])
def test_working_days(start: date, end: date, days: int) -> None:
    assert working_days(start, end) == days
