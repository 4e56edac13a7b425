"""Plain-words labels and values for facts and decision reasons (ALLOC-4: show WHY)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from omp.rules.durations import duration_words as words_of_duration

#: Interchange field names in words, for the reasons and missing-data lists.
FIELD_LABELS = {
    "risk.tier": "Supervision tier",
    "risk.rosh": "RoSH level",
    "risk.rsr_percent": "RSR score",
    "risk.osp": "OSP level",
    "risk.mappa_level": "MAPPA level",
    "risk.registrations": "Registrations",
    "event.offences": "Offences on the current event",
    "event.offences.schedule_15": "Schedule 15 flag of an offence",
    "event.sentence.kind": "Sentence type",
    "event.sentence.date": "Sentence date",
    "event.sentence.length": "Sentence length",
    "event.sentence.indeterminate": "Indeterminate sentence",
    "person.nationalities": "Nationalities",
    "probation.provider_code": "Probation provider",
    "probation.country": "Country of the Probation Delivery Unit",
    "policy_version": "Policy version",
    "resourcing": "Resourcing supplied by another system",
    "custody.sentence_start_date": "Sentence start date",
    "custody.conditional_release_date": "Conditional release date (CRD)",
    "custody.automatic_release_date": "Automatic release date (ARD)",
    "custody.parole_eligibility_date": "Parole eligibility date (PED)",
    "custody.home_detention_curfew_eligibility_date": "HDC eligibility date (HDCED)",
    "custody.home_detention_curfew_actual_date": "HDC approved date (HDCAD)",
    "custody.tariff_date": "Tariff expiry date (TED)",
    "custody.target_hearing_date": "Parole target hearing date (THD)",
    "custody.licence_expiry_date": "Licence expiry date (LED)",
}
_OFFENCE_FLAG = re.compile(r"event\.offences\[(\d+)\]\.schedule_15")
LEVELS = {"LOW": "Low", "MEDIUM": "Medium", "HIGH": "High", "VERY_HIGH": "Very high"}
NOT_RECORDED = "Not recorded"


def field_label(field: str) -> str:
    """The field in words, e.g. ``risk.rsr_percent`` is "RSR score"."""
    match = _OFFENCE_FLAG.fullmatch(field)
    if match:
        return f"Schedule 15 flag of offence {int(match.group(1)) + 1}"
    return FIELD_LABELS.get(field, field)


def duration_words(length: str | None) -> str:
    """An ISO 8601 sentence length in words: ``P2Y6M`` is "2 years 6 months"."""
    return words_of_duration(length) if length else NOT_RECORDED


def value_words(field: str, value: Any) -> str:
    """A reason's value as a reader would say it."""
    if value is None:
        return NOT_RECORDED
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "None recorded"
    if field == "risk.rsr_percent":
        return f"{value:g}%" if isinstance(value, int | float) else f"{value}%"
    if field == "risk.rosh":
        return LEVELS.get(str(value), str(value))
    if field == "event.sentence.length":
        return duration_words(str(value))
    return str(value)


def percent_words(value: Decimal | None) -> str | None:
    """A stored percentage without trailing zeros (``3.20`` is "3.2%"); ``None`` stays."""
    return None if value is None else f"{value.normalize():f}%"


def iso_date(value: Any) -> date | None:
    """A date from a stored ``YYYY-MM-DD`` string (reasons keep dates as text)."""
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
