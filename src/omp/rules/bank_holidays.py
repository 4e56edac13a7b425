"""England and Wales bank holidays, as published on GOV.UK (www.gov.uk/bank-holidays),
2024 to 2028, for counting working days (``omp.rules.kpi.working_days``). Pure Python.

A table, not a rule: the dates are set by proclamation (a substitute day when Christmas
or New Year falls at a weekend, an extra day for a royal occasion), so they are copied from
the published list and a new year is added as it is published. Outside the years held only
weekends are taken out (:func:`covered` says whether a day's year is held).
"""

from __future__ import annotations

from datetime import date

#: Year → that year's bank holidays in England and Wales.
BANK_HOLIDAYS: dict[int, tuple[date, ...]] = {
    2024: (date(2024, 1, 1), date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 6),
           date(2024, 5, 27), date(2024, 8, 26), date(2024, 12, 25), date(2024, 12, 26)),
    2025: (date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5),
           date(2025, 5, 26), date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26)),
    2026: (date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
           date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25),
           date(2026, 12, 28)),  # Boxing Day is a Saturday: substitute Monday
    2027: (date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3),
           date(2027, 5, 31), date(2027, 8, 30),
           date(2027, 12, 27), date(2027, 12, 28)),  # Christmas falls at a weekend
    2028: (date(2028, 1, 3),  # New Year's Day is a Saturday: substitute Monday
           date(2028, 4, 14), date(2028, 4, 17), date(2028, 5, 1), date(2028, 5, 29),
           date(2028, 8, 28), date(2028, 12, 25), date(2028, 12, 26)),
}
#: Every bank holiday held, for a quick look-up.
ALL: frozenset[date] = frozenset(day for days in BANK_HOLIDAYS.values() for day in days)


def covered(day: date) -> bool:
    """True when ``day``'s year is in the table (outside it only weekends are skipped)."""
    return day.year in BANK_HOLIDAYS


def is_bank_holiday(day: date) -> bool:
    """True when ``day`` is a bank holiday in England and Wales."""
    return day in ALL


def bank_holidays_between(start: date, end: date) -> list[date]:
    """The bank holidays after ``start`` up to and including ``end``, in order."""
    return sorted(day for day in ALL if start < day <= end)
