"""ISO 8601 durations as courts give them, and calendar arithmetic on them."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?$"
)


def shift_months(day: date, months: int) -> date:
    """``day`` moved by calendar ``months``, clamped to the end of the month reached: what
    ``relativedelta(months=...)`` does (the tests prove it), at a fraction of its cost, which
    matters when every case of the nation is decided at night."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if day.day <= 28:
        return date(year, month, day.day)  # every month has a 28th
    return date(year, month, min(day.day, monthrange(year, month)[1]))


class DurationError(ValueError):
    """Raised for a sentence length that is not an ISO 8601 date duration."""


@dataclass(frozen=True, slots=True)
class Duration:
    """A date-only ISO 8601 duration: years, months, weeks and days."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0

    def added_to(self, start: date) -> date:
        """Add to ``start``: calendar years and months first (clamped to month end), then days.

        ``P11M30D`` from 31 January reaches 30 January next year; from 1 March it reaches
        3 March next year, which is why "12 months or more" needs the sentence date.
        """
        shifted = shift_months(start, self.years * 12 + self.months)
        return shifted + timedelta(weeks=self.weeks, days=self.days)


@lru_cache(maxsize=1024)  # courts use few distinct lengths; Duration is immutable
def parse_duration(text: str) -> Duration:
    """Parse ``P18M``, ``P2Y6M``, ``P52W`` or ``P10D``; raise :class:`DurationError` otherwise."""
    match = _DURATION.match(text.strip().upper())
    if match is None:
        raise DurationError(f"{text!r} is not an ISO 8601 duration such as P18M, P2Y6M or P52W")
    parts = {name: int(value) for name, value in match.groupdict(default="0").items()}
    return Duration(**parts)


@lru_cache(maxsize=65_536)  # pure; a national caseload repeats (length, date) pairs a lot
def at_least_months(length: str, start: date, months: int) -> bool:
    """True when ``length`` from ``start`` reaches at least the same day ``months`` later."""
    return parse_duration(length).added_to(start) >= shift_months(start, months)


@lru_cache(maxsize=65_536)  # pure; the reasons of a national run repeat the same days
def day_words(day: date) -> str:
    """A date as the reasons write it: ``1 March 2027``."""
    return day.strftime("%-d %B %Y")


_WORD_PART = re.compile(r"(\d+)([YMWD])")
_WORD_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day"}


@lru_cache(maxsize=1024)  # pure; courts use few distinct lengths
def duration_words(length: str) -> str:
    """An ISO 8601 sentence length in words: ``P2Y6M`` is "2 years 6 months" (the text
    itself when it is not a duration)."""
    parts = _WORD_PART.findall(length.upper())
    if not parts:
        return length
    return " ".join(f"{n} {_WORD_UNITS[u]}{'' if n == '1' else 's'}" for n, u in parts)
