"""Working days skip England and Wales bank holidays (``rules.bank_holidays``): Easter and
Christmas cases, the substitute days, and the table checked against the rules the
moveable holidays follow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.easter import easter

from omp.rules.bank_holidays import (
    BANK_HOLIDAYS,
    bank_holidays_between,
    covered,
    is_bank_holiday,
)
from omp.rules.kpi import working_days


@pytest.mark.parametrize(("start", "end", "days"), [
    # Easter 2026: Thursday 2 April to Tuesday 7 April skips Good Friday (3) and Easter
    # Monday (6): only the Tuesday is a working day.
    (date(2026, 4, 2), date(2026, 4, 7), 1),
    # Easter 2025: assigned Thursday 17 April, assessed Friday 25 April — 6 weekdays, 2 of
    # them bank holidays, so 4 working days: within "5 working days".
    (date(2025, 4, 17), date(2025, 4, 25), 4),
    # Easter 2027 falls in March: Thursday 25 March to Wednesday 31 March.
    (date(2027, 3, 25), date(2027, 3, 31), 2),
    # Christmas 2026: Boxing Day is a Saturday, so Monday 28 December is the substitute:
    # Thursday 24 December to Tuesday 29 December is 1 working day.
    (date(2026, 12, 24), date(2026, 12, 29), 1),
    # Christmas 2027 (Saturday and Sunday): Monday 27 and Tuesday 28 December are off.
    (date(2027, 12, 24), date(2027, 12, 29), 1),
    # New Year 2028 is a Saturday: Monday 3 January is off.
    (date(2027, 12, 31), date(2028, 1, 4), 1),
    # Christmas 2024, on weekdays: Tuesday 24 to Friday 27 December.
    (date(2024, 12, 24), date(2024, 12, 27), 1),
    # Backwards over Easter 2026 is the same count, negative.
    (date(2026, 4, 7), date(2026, 4, 2), -1),
    # From a bank holiday to the next working day.
    (date(2026, 4, 6), date(2026, 4, 7), 1),
    # A week with no bank holiday is still five.
    (date(2026, 3, 2), date(2026, 3, 9), 5),
])
def test_working_days_skip_bank_holidays(start: date, end: date, days: int) -> None:
    assert working_days(start, end) == days


def _mondays(year: int, month: int) -> list[date]:
    day = date(year, month, 1)
    days = [day + timedelta(days=n) for n in range(31)]
    return [d for d in days if d.month == month and d.weekday() == 0]


@pytest.mark.parametrize("year", sorted(BANK_HOLIDAYS))
def test_the_table_follows_the_rules_of_the_moveable_holidays(year: int) -> None:
    held = set(BANK_HOLIDAYS[year])
    sunday = easter(year)
    assert sunday - timedelta(days=2) in held          # Good Friday
    assert sunday + timedelta(days=1) in held          # Easter Monday
    assert _mondays(year, 5)[0] in held                # early May
    assert _mondays(year, 5)[-1] in held               # spring
    assert _mondays(year, 8)[-1] in held               # summer
    assert len(held) == 8
    # Every bank holiday is a weekday (a weekend one moves to a substitute day).
    assert all(day.weekday() < 5 for day in held)


def test_a_day_outside_the_table_is_not_a_bank_holiday_but_says_so() -> None:
    assert is_bank_holiday(date(2026, 12, 25)) and not is_bank_holiday(date(2026, 12, 26))
    assert covered(date(2028, 12, 31)) and not covered(date(2029, 1, 1))
    assert not is_bank_holiday(date(2029, 1, 1))  # not held: only weekends are skipped
    assert bank_holidays_between(date(2026, 12, 24), date(2026, 12, 31)) == [
        date(2026, 12, 25), date(2026, 12, 28)]
