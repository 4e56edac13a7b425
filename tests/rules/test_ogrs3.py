"""NEED-2: OGRS3 exactly as REFERENCE.md §3 gives it."""

from __future__ import annotations

import dataclasses
import math
from datetime import date

import pytest

from omp.rules.ogrs3 import (
    AGE_GENDER,
    OFFENCE_CATEGORIES,
    Ogrs3Error,
    Ogrs3Inputs,
    oasys_band,
    score,
    seed_band,
    whole_years,
)

EXAMPLE = Ogrs3Inputs("M", date(1975, 4, 29), date(2009, 2, 19), date(2020, 1, 14), 22, 17,
                      "Drug import/export/production")


def test_reference_worked_example_exactly() -> None:
    """Male, born 29 April 1975, convicted 19 February 2009, follow-up from 14 January 2020,
    22 sanctions, first at 17, drug import/export → 35% / 52%, MEDIUM."""
    result = score(EXAMPLE)
    assert (result.one_year_percent, result.two_year_percent, result.band) == (35, 52,
                                                                              "MEDIUM")
    assert result.seed_band == "MEDIUM"


def _total(inputs: Ogrs3Inputs) -> float:
    """The linear total written out from the formula, independently of the module."""
    age_fu = whole_years(inputs.date_of_birth, inputs.date_at_start_of_followup)
    age_cc = whole_years(inputs.date_of_birth, inputs.date_of_current_conviction)
    band = [row for row in AGE_GENDER if age_fu >= row[0]][-1]
    age_sex = band[1] if inputs.sex == "M" else band[2]
    status = 0.12614 if inputs.total_sanctions == 1 else 0.46306
    copas = math.log(inputs.total_sanctions / (10 + age_cc - inputs.age_at_first_sanction))
    return age_sex + status + copas * 1.25112 + OFFENCE_CATEGORIES[inputs.offence_category]


@pytest.mark.parametrize(("follow_up", "band_age"), [
    (date(1985, 4, 28), 9), (date(1985, 4, 29), 10), (date(1987, 4, 28), 11),
    (date(1987, 4, 29), 12), (date(1989, 4, 29), 14), (date(1991, 4, 29), 16),
    (date(1993, 4, 28), 17), (date(1993, 4, 29), 18), (date(1996, 4, 29), 21),
    (date(2000, 4, 29), 25), (date(2005, 4, 29), 30), (date(2010, 4, 29), 35),
    (date(2015, 4, 29), 40), (date(2025, 4, 28), 49), (date(2025, 4, 29), 50),
])
@pytest.mark.parametrize("sex", ["M", "F"])
def test_every_age_band_edge_the_birthday_counts(follow_up: date, band_age: int,
                                                 sex: str) -> None:
    """The birthday on the follow-up date puts the person in the older band."""
    assert whole_years(date(1975, 4, 29), follow_up) == band_age
    inputs = dataclasses.replace(EXAMPLE, sex=sex, date_of_current_conviction=date(1985, 5, 1),
                                 date_at_start_of_followup=follow_up, total_sanctions=3,
                                 age_at_first_sanction=10)
    if band_age < 10:
        with pytest.raises(Ogrs3Error) as error:
            score(inputs)
        assert error.value.field == "date_at_start_of_followup"
        return
    expected = round(100 * (1 / (1 + math.exp(-(2.1217 + _total(inputs))))))
    assert abs(score(inputs).two_year_percent - min(99, max(1, expected))) <= 1


def test_first_time_and_repeat() -> None:
    first = dataclasses.replace(EXAMPLE, total_sanctions=1, age_at_first_sanction=33)
    repeat = dataclasses.replace(EXAMPLE, total_sanctions=2, age_at_first_sanction=33)
    assert score(first).two_year_percent < score(repeat).two_year_percent


def test_a_leap_day_birthday_is_reached_on_1_march() -> None:
    assert whole_years(date(2000, 2, 29), date(2018, 2, 28)) == 17
    assert whole_years(date(2000, 2, 29), date(2018, 3, 1)) == 18


def test_percentages_stay_within_1_and_99() -> None:
    young = dataclasses.replace(EXAMPLE, sex="F", date_of_birth=date(2000, 1, 1),
                                date_of_current_conviction=date(2011, 1, 1),
                                date_at_start_of_followup=date(2011, 1, 2),
                                total_sanctions=60, age_at_first_sanction=10,
                                offence_category="Soliciting or prostitution")
    assert score(young).two_year_percent == 99 and score(young).band == "VERY_HIGH"
    old = dataclasses.replace(EXAMPLE, date_of_birth=date(1930, 1, 1), total_sanctions=1,
                              date_of_current_conviction=date(2010, 1, 1),
                              date_at_start_of_followup=date(2010, 1, 1),
                              age_at_first_sanction=80)
    assert 1 <= score(old).one_year_percent <= 5


@pytest.mark.parametrize(("percent", "oasys", "seed"), [
    (0, "LOW", "LOW"), (19, "LOW", "LOW"), (20, "LOW", "MEDIUM"), (49, "LOW", "MEDIUM"),
    (50, "MEDIUM", "MEDIUM"), (59, "MEDIUM", "MEDIUM"), (60, "MEDIUM", "HIGH"),
    (74, "MEDIUM", "HIGH"), (75, "HIGH", "HIGH"), (89, "HIGH", "HIGH"),
    (90, "VERY_HIGH", "HIGH"), (99, "VERY_HIGH", "HIGH"),
])
def test_bands_at_their_edges(percent: int, oasys: str, seed: str) -> None:
    assert (oasys_band(percent), seed_band(percent)) == (oasys, seed)


@pytest.mark.parametrize(("changes", "field"), [
    ({"sex": "X"}, "sex"),
    ({"offence_category": "Shoplifting"}, "offence_category"),
    ({"total_sanctions": 0}, "total_sanctions"),
    ({"date_of_current_conviction": date(1984, 4, 28)}, "date_of_current_conviction"),
    ({"age_at_first_sanction": 34}, "age_at_first_sanction"),
    ({"date_at_start_of_followup": date(1984, 1, 1),
      "date_of_current_conviction": date(1986, 1, 1), "age_at_first_sanction": 10},
     "date_at_start_of_followup"),
])
def test_each_validation_error_names_its_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(Ogrs3Error) as error:
        score(dataclasses.replace(EXAMPLE, **changes))  # type: ignore[arg-type]
    assert error.value.field == field and error.value.message
