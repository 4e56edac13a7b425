"""HANDOVER §1.4 date arithmetic as the era tables compile it to Python: calendar months
clamped to month end, then days (the SQL is held to the same by the tables' tests)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from omp.rules import expressions as e


@cache
def _compiled(months: int, days: int) -> Any:
    return e.Family("dates", ("day",), (
        ("before", e.months_before(e.fact("day"), months, days)),
        ("after", e.months_after(e.fact("day"), months))), outputs=("before", "after")).compile()


def months_before(day: date, months: int, days: int = 0) -> date:
    return _compiled(months, days)(day)[0]  # type: ignore[no-any-return]


def months_after(day: date, months: int) -> date:
    return _compiled(months, 0)(day)[1]  # type: ignore[no-any-return]


@given(st.dates(date(1990, 1, 1), date(2090, 12, 31)), st.integers(0, 240),
       st.integers(0, 31))
def test_months_match_rails_date_arithmetic(day: date, months: int, days: int) -> None:
    # Rails `date - (X.months + Y.days)` is Python's relativedelta months, then days.
    assert months_before(day, months, days) == day - relativedelta(months=months) \
        - timedelta(days=days)
    assert months_after(day, months) == day + relativedelta(months=months)


def test_month_ends_and_leap_days() -> None:
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2023, 3, 31), 1) == date(2023, 2, 28)
    assert months_before(date(2024, 8, 29), 6) == date(2024, 2, 29)
    assert months_before(date(2025, 2, 28), 7, 15) == date(2024, 7, 13)
    assert months_after(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert months_before(date(2027, 1, 15), 8, 14) == date(2026, 5, 1)
