"""The GOV.UK date input every typed date uses: what people type is read, errors name the
field and say the format, and the accepted range is the one of ``omp.rules.inputs``."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django import forms

from omp.cases.forms import DateBoxesField
from omp.rules.inputs import EARLIEST_DATE, LATEST_DATE, date_problem


class _Form(forms.Form):
    released = DateBoxesField(required=False, label="Release date", error_name="Release date")
    started = DateBoxesField(label="From", error_name="The start date",
                             error_messages={"required": "Enter the start date"})


def _form(**data: str) -> _Form:
    return _Form({"started": "2027-01-01", **data})


@pytest.mark.parametrize("data", [
    {"released-day": "16", "released-month": "9", "released-year": "2027"},
    {"released-day": " 16 ", "released-month": "09", "released-year": "2027"},
    {"released-day": "16", "released-month": "Sep", "released-year": "2027"},
    {"released-day": "16", "released-month": "september", "released-year": "2027"},
    {"released-day": "16/09/2027"},          # a whole date typed in the day box
    {"released-year": "16 9 2027"},
    {"released-day": "2027-09-16"},
    {"released": "2027-09-16"},              # a link or bookmark
    {"released": "16/09/2027"},
    {"released": "16.9.2027"},
])
def test_what_people_type_is_read(data: dict[str, str]) -> None:
    form = _form(**data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["released"] == date(2027, 9, 16)
    # The accepted date comes back filled in, one box each.
    assert [box["value"] for box in form["released"].boxes] == ["16", "9", "2027"]


@pytest.mark.parametrize(("data", "message", "at_fault"), [
    ({"released-day": "31", "released-month": "2", "released-year": "2027"},
     "Release date must be a real date, with the day, month and year as numbers, for "
     "example 27 3 2027", ["day", "month", "year"]),
    ({"released-day": "16", "released-month": "9", "released-year": "27"},
     "Release date must be a real date", ["year"]),
    ({"released-day": "x", "released-month": "9", "released-year": "2027"},
     "Release date must be a real date", ["day"]),
    ({"released-day": "16", "released-year": "2027"}, "Release date must include a month",
     ["month"]),
    ({"released-month": "9"}, "Release date must include a day and year", ["day", "year"]),
    ({"released": "soon"}, "Release date must be a real date", ["day", "month", "year"]),
])
def test_errors_name_the_field_say_the_format_and_mark_the_boxes(
        data: dict[str, str], message: str, at_fault: list[str]) -> None:
    form = _form(**data)
    assert not form.is_valid()
    assert message in form.errors["released"][0]
    assert [box["part"] for box in form["released"].boxes if box["error"]] == at_fault
    assert form["released"].anchor == f"released-{at_fault[0]}"
    # What was typed is shown again, to be corrected.
    typed = {key.removeprefix("released-"): value for key, value in data.items()
             if key.startswith("released-")}
    for box in form["released"].boxes:
        assert box["value"] == typed.get(box["part"], box["value"])


@pytest.mark.parametrize("day", [date(1899, 12, 31), date(2200, 1, 1)])
def test_the_accepted_range_is_the_one_stated_once(day: date) -> None:
    form = _form(**{"released-day": str(day.day), "released-month": str(day.month),
                    "released-year": str(day.year)})
    assert not form.is_valid()
    assert form.errors["released"] == [f"Release date {date_problem(day)}"]
    for edge in (EARLIEST_DATE, LATEST_DATE):
        assert _form(released=edge.isoformat()).is_valid()


def test_a_required_date_left_empty_asks_for_it_and_an_optional_one_is_none() -> None:
    form = _Form({"released-day": "", "released-month": "", "released-year": ""})
    assert not form.is_valid()
    assert form.errors["started"] == ["Enter the start date"]
    assert "released" not in form.errors
    assert form["started"].anchor == "started-day"


def test_an_unbound_form_shows_its_initial_date() -> None:
    form: Any = _Form(initial={"released": date(2030, 1, 5), "started": "2031-02-03"})
    assert [b["value"] for b in form["released"].boxes] == ["5", "1", "2030"]
    assert [b["value"] for b in form["started"].boxes] == ["3", "2", "2031"]
    assert not any(b["error"] for b in form["released"].boxes)
