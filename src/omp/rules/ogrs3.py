"""NEED-2: OGRS3, the Offender Group Reconviction Scale version 3 — exactly the formula,
coefficients, rounding and validation of REFERENCE.md §3 (as implemented by MoJ, "matches
OASys spreadsheet"), with the seed's three bands beside OASys's four.

    age at start of follow-up (whole years) and sex  → the age/gender parameter
    total sanctions S (with the current one)          → conviction status: first-time or repeat
    Copas rate = ln(S / (10 + age at conviction − age at first sanction)) × 1.25112
    offence category                                  → the offence parameter
    p = logistic(1.40256 + total) for one year, logistic(2.1217 + total) for two years,
    each rounded half up to 5 places; percent = round half up(100 p), kept within 1–99.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

#: Age at the start of follow-up: (lowest age of the band, male, female parameter).
AGE_GENDER = (
    (10, 0.0, 0.785), (12, 0.08392, 0.61385), (14, 0.07578, 0.66952),
    (16, -0.0616, -0.9592), (18, -0.6251, -0.8975), (21, -1.0515, -1.0285),
    (25, -1.1667, -1.0528), (30, -1.326, -1.1291), (35, -1.368, -1.4219),
    (40, -1.4997, -1.5247), (50, -2.0253, -2.4498),
)
#: The offence categories by their names in REFERENCE.md's table, with their parameters.
OFFENCE_CATEGORIES = {
    "Violence": 0.0,
    "Robbery": -0.6348,
    "Burglary (domestic)": -0.1239,
    "Burglary (other)": 0.2406,
    "Theft (non-motor)": 0.6612,
    "Handling stolen goods": 0.3519,
    "Fraud and forgery": 0.1599,
    "Taking & driving away and related offences": 0.3801,
    "Theft from vehicles": 0.4272,
    "Drink driving and related offences": -0.1214,
    "Other motoring": 0.2622,
    "Criminal damage": 0.205,
    "Drug import/export/production": -0.7956,
    "Drug possession/supply": 0.0772,
    "Public order": 0.1819,
    "Sexual (against child)": -0.6534,
    "Sexual (not against child)": 0.0328,
    "Soliciting or prostitution": 0.7606,
    "Absconding or bail offences": 0.7334,
    "Other offence": -0.0607,
}
FIRST_TIME, REPEAT = 0.12614, 0.46306
COPAS_WEIGHT = 1.25112
ONE_YEAR, TWO_YEAR = 1.40256, 2.1217


class Ogrs3Error(ValueError):
    """Inputs OGRS3 cannot score; ``field`` names the one at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Ogrs3Inputs:
    """What OGRS3 reads about a person."""

    sex: str  # "M" or "F"
    date_of_birth: date
    date_of_current_conviction: date
    date_at_start_of_followup: date
    total_sanctions: int  # including the current one
    age_at_first_sanction: int
    offence_category: str


@dataclass(frozen=True, slots=True)
class Ogrs3Score:
    """The one- and two-year reconviction percentages and their bands."""

    one_year_percent: int
    two_year_percent: int
    band: str  # OASys: LOW, MEDIUM, HIGH, VERY_HIGH (from the two-year percent)
    seed_band: str  # NEED-2: LOW, MEDIUM, HIGH


def whole_years(born: date, on: date) -> int:
    """Age in whole years on ``on``: the birthday itself counts (29 February is reached on
    1 March in a common year)."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def _half_up(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _percent(linear: float) -> int:
    probability = _half_up(Decimal(repr(math.exp(linear) / (1 + math.exp(linear)))), "0.00001")
    return min(99, max(1, int(_half_up(probability * 100, "1"))))


def age_gender_parameter(age: int, sex: str) -> float:
    """The parameter of the age band ``age`` falls in, for ``sex``."""
    parameter = None
    for lowest, male, female in AGE_GENDER:
        if age >= lowest:
            parameter = male if sex == "M" else female
    if parameter is None:
        raise Ogrs3Error("date_at_start_of_followup", "the age at the start of follow-up "
                                                      "must be 10 or more")
    return parameter


def oasys_band(two_year_percent: int) -> str:
    """REFERENCE.md §3: 0–49 LOW, 50–74 MEDIUM, 75–89 HIGH, 90 and over VERY_HIGH."""
    if two_year_percent >= 90:
        return "VERY_HIGH"
    if two_year_percent >= 75:
        return "HIGH"
    if two_year_percent >= 50:
        return "MEDIUM"
    return "LOW"


def seed_band(two_year_percent: int) -> str:
    """NEED-2's bands on the two-year probability as shown (the percent over 100): low below
    0.2, medium from 0.2 to below 0.6, high from 0.6 (each band owns its lower bound)."""
    if two_year_percent >= 60:
        return "HIGH"
    if two_year_percent >= 20:
        return "MEDIUM"
    return "LOW"


def score(inputs: Ogrs3Inputs) -> Ogrs3Score:
    """OGRS3 for one person; :class:`Ogrs3Error` names the input it cannot score."""
    if inputs.sex not in ("M", "F"):
        raise Ogrs3Error("sex", "must be M or F")
    if inputs.offence_category not in OFFENCE_CATEGORIES:
        raise Ogrs3Error("offence_category", f"{inputs.offence_category!r} is not an OGRS3 "
                                             "offence category")
    if inputs.total_sanctions < 1:
        raise Ogrs3Error("total_sanctions", "must be 1 or more (it includes the current one)")
    age_at_conviction = whole_years(inputs.date_of_birth, inputs.date_of_current_conviction)
    if age_at_conviction < 10:
        raise Ogrs3Error("date_of_current_conviction", "the age at conviction must be 10 or "
                                                       "more")
    if inputs.age_at_first_sanction > age_at_conviction:
        raise Ogrs3Error("age_at_first_sanction", "must not be more than the age at the "
                                                  f"current conviction ({age_at_conviction})")
    denominator = 10 + age_at_conviction - inputs.age_at_first_sanction
    if denominator <= 0:
        raise Ogrs3Error("age_at_first_sanction", "gives no Copas rate (10 + age at "
                                                  "conviction − age at first sanction ≤ 0)")
    age_at_followup = whole_years(inputs.date_of_birth, inputs.date_at_start_of_followup)
    total = (age_gender_parameter(age_at_followup, inputs.sex)
             + (FIRST_TIME if inputs.total_sanctions == 1 else REPEAT)
             + math.log(inputs.total_sanctions / denominator) * COPAS_WEIGHT
             + OFFENCE_CATEGORIES[inputs.offence_category])
    one, two = _percent(ONE_YEAR + total), _percent(TWO_YEAR + total)
    return Ogrs3Score(one, two, oasys_band(two), seed_band(two))
