"""What the service accepts as input, stated once for every entry path: the files
(``decide``, ``import``), the forms, the API and the commands.

- Every date lies between :data:`EARLIEST_DATE` and :data:`LATEST_DATE`. The rules add and
  subtract at most a few decades to dates (a sentence length, a handover window), so inside
  this range their arithmetic can never leave the calendar.
- A date is written ``YYYY-MM-DD``. A number is plain ASCII digits with at most one decimal
  point: ``"1_0"`` and full-width digits, which Python's own parsing reads as numbers, are
  refused.
- A sentence length is at most :data:`LONGEST_SENTENCE_YEARS` years.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from omp.rules.durations import Duration

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
LONGEST_SENTENCE_YEARS = 200
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def iso_date(text: str) -> date | None:
    """``text`` as a date when it is a real date written ``YYYY-MM-DD`` (ASCII digits only;
    not the week dates and compact forms Python's own parser also reads), else ``None``."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def date_problem(day: date) -> str | None:
    """``None`` when ``day`` is in the accepted range, else what to do about it."""
    if EARLIEST_DATE <= day <= LATEST_DATE:
        return None
    return (f"must be a date between {EARLIEST_DATE.isoformat()} and "
            f"{LATEST_DATE.isoformat()}, not {day.isoformat()}")


def plain_decimal(text: str) -> Decimal | None:
    """``text`` as a number when it is plain ASCII digits with an optional sign and decimal
    point (surrounding spaces allowed); ``None`` otherwise."""
    text = text.strip()
    return Decimal(text) if _PLAIN_NUMBER.fullmatch(text) else None


def sentence_length_problem(length: Duration) -> str | None:
    """``None`` when the length is one a court could give, else why not."""
    months = length.years * 12 + length.months + (length.weeks * 7 + length.days) / 30.4
    if months > LONGEST_SENTENCE_YEARS * 12:
        return f"is longer than any sentence (at most {LONGEST_SENTENCE_YEARS} years)"
    return None
