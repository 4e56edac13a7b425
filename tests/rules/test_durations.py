"""Sentence lengths as ISO 8601 durations, and "12 months or more" (INTERCHANGE.md, ALLOC-2b).

"12 months or more" means that adding the length to the sentence date reaches at least the
same day 12 months later: calendar years and months first (clamped to month end), then
weeks and days.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from omp.rules.durations import Duration, DurationError, at_least_months, parse_duration

# Dates well inside the range where adding a few decades cannot overflow.
DATES = st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P18M", Duration(months=18)),
        ("P2Y6M", Duration(years=2, months=6)),
        ("P52W", Duration(weeks=52)),
        ("P10D", Duration(days=10)),
        ("P1Y", Duration(years=1)),
        ("P11M30D", Duration(months=11, days=30)),
        ("P1Y2M3W4D", Duration(years=1, months=2, weeks=3, days=4)),
        ("P0D", Duration()),
        (" p18m ", Duration(months=18)),  # surrounding space and lower case are tolerated
    ],
)
def test_alloc_2b_parse_duration_accepts_court_lengths(text: str, expected: Duration) -> None:
    """ALLOC-2b / INTERCHANGE: the lengths courts give parse into their parts."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", " ", "P", "18M", "PT5H", "P1.5Y", "P1,5Y", "P-1M", "P6M2Y", "P1YT2H", "1Y", "PM",
     "P18 M", "P18MX", "18 months"],
)
def test_alloc_2b_parse_duration_rejects_non_date_durations(text: str) -> None:
    """ALLOC-2b / INTERCHANGE: anything but a date-only ISO 8601 duration is refused."""
    with pytest.raises(DurationError):
        parse_duration(text)


def test_alloc_2b_duration_error_is_a_value_error_naming_the_text() -> None:
    """ALLOC-2b: the error names the bad text so the interchange can report it."""
    with pytest.raises(ValueError, match="18 months"):
        parse_duration("18 months")


@pytest.mark.parametrize(
    ("length", "start", "expected"),
    [
        # 2021-03-01 + 364 days = 2022-02-28, before 2022-03-01.
        ("P52W", date(2021, 3, 1), False),
        # 2021-03-01 + 371 days = 2022-03-07.
        ("P53W", date(2021, 3, 1), True),
        # 2021-03-01 + 11 months = 2022-02-01, + 30 days = 2022-03-03 >= 2022-03-01.
        ("P11M30D", date(2021, 3, 1), True),
        # 2021-01-31 + 11 months = 2021-12-31, + 30 days = 2022-01-30 < 2022-01-31.
        ("P11M30D", date(2021, 1, 31), False),
        ("P12M", date(2021, 3, 1), True),
        ("P12M", date(2020, 2, 29), True),  # both sides clamp to 2021-02-28
        ("P1Y", date(2021, 3, 1), True),
        ("P2Y6M", date(2021, 3, 1), True),
        ("P11M", date(2021, 3, 1), False),
        ("P10D", date(2021, 3, 1), False),
        # 2021-03-01 + 365 days = 2022-03-01: exactly reaches.
        ("P365D", date(2021, 3, 1), True),
        # 2019-03-01 + 365 days = 2020-02-29 (leap year), before 2020-03-01.
        ("P365D", date(2019, 3, 1), False),
    ],
)
def test_alloc_2b_at_least_12_months_by_hand(length: str, start: date, expected: bool) -> None:
    """ALLOC-2b: "12 months or more" worked by hand for each boundary length."""
    assert at_least_months(length, start, 12) is expected


def test_alloc_2b_p11m30d_added_to_matches_docstring() -> None:
    """ALLOC-2b: P11M30D reaches 2022-01-30 from 2021-01-31 and 2022-03-03 from 2021-03-01."""
    length = parse_duration("P11M30D")
    assert length.added_to(date(2021, 1, 31)) == date(2022, 1, 30)
    assert length.added_to(date(2021, 3, 1)) == date(2022, 3, 3)


@given(n=st.integers(min_value=0, max_value=600), start=DATES)
def test_alloc_2b_property_n_months_is_at_least_n_months(n: int, start: date) -> None:
    """ALLOC-2b: a length of exactly n months always reaches n months."""
    assert at_least_months(f"P{n}M", start, n)


@given(n=st.integers(min_value=1, max_value=600), start=DATES)
def test_alloc_2b_property_n_minus_one_months_never_reaches_n(n: int, start: date) -> None:
    """ALLOC-2b: one calendar month short never reaches n months."""
    assert not at_least_months(f"P{n - 1}M", start, n)


@given(years=st.integers(min_value=0, max_value=40), start=DATES)
def test_alloc_2b_property_years_equal_twelve_months(years: int, start: date) -> None:
    """ALLOC-2b: PnY reaches exactly 12n months, including from 29 February."""
    assert at_least_months(f"P{years}Y", start, 12 * years)
    assert parse_duration(f"P{years}Y").added_to(start) == start + relativedelta(months=12 * years)


@given(start=DATES)
def test_alloc_2b_property_13_times_4_weeks_agrees_with_dateutil(start: date) -> None:
    """ALLOC-2b: P52W (13 × 4 weeks) against 12 months, computed with dateutil directly."""
    n = 13
    expected = start + timedelta(weeks=n * 4) >= start + relativedelta(months=12)
    assert at_least_months(f"P{n * 4}W", start, 12) is expected
    assert expected is False  # 364 days never reach a calendar year


@given(
    years=st.integers(min_value=0, max_value=5),
    months=st.integers(min_value=0, max_value=30),
    weeks=st.integers(min_value=0, max_value=60),
    days=st.integers(min_value=0, max_value=400),
    target=st.integers(min_value=0, max_value=60),
    start=DATES,
)
def test_alloc_2b_property_any_length_agrees_with_dateutil(
    years: int, months: int, weeks: int, days: int, target: int, start: date
) -> None:
    """ALLOC-2b: months first (clamped), then weeks and days, compared with the same day
    ``target`` months later, all computed with dateutil directly."""
    text = f"P{years}Y{months}M{weeks}W{days}D"
    reached = start + relativedelta(years=years, months=months) + timedelta(weeks=weeks,
                                                                          days=days)
    assert parse_duration(text).added_to(start) == reached
    assert at_least_months(text, start, target) is (reached >= start + relativedelta(
        months=target))
