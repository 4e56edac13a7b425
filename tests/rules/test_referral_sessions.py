"""REF-5 scenarios: activities and RAR days counted apart (two activities on one day are one
RAR day; a late attendance counts; a session that did not happen does not; voluntary days
apart, beyond the enforceable days or outside them), sessions used against the action
plan, and what may not be booked; a property that RAR days never exceed either the
enforceable days or the activities."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from omp.rules.referral_sessions import (
    ACCEPTABLE_ABSENCE,
    ATTENDED,
    DID_NOT_ATTEND,
    LATE,
    LOGISTICS,
    NON_COMPLIANCE,
    SessionFacts,
    booking_problems,
    count_rar_days,
    next_session_number,
)

MONDAY = date(2027, 3, 1)


def _took_place(number: int, day: date, enforceable: bool = True,
                attendance: str = ATTENDED) -> SessionFacts:
    return SessionFacts(number, day, enforceable, attendance, True)


def test_two_activities_on_one_day_are_one_rar_day() -> None:
    count = count_rar_days([_took_place(1, MONDAY), _took_place(2, MONDAY)], 10)
    assert (count.activities, count.days_of_activity, count.rar_days) == (2, 1, 1)
    assert count.voluntary_days == 0 and count.rar_days_left == 9
    assert any("fell on a day that already had one" in r for r in count.reasons)


def test_a_late_attendance_counts() -> None:
    count = count_rar_days([_took_place(1, MONDAY, attendance=LATE)], 10)
    assert (count.activities, count.rar_days) == (1, 1)


def test_a_session_that_did_not_happen_does_not_count() -> None:
    sessions = [SessionFacts(1, MONDAY, True, ATTENDED, False, LOGISTICS),
                SessionFacts(2, MONDAY + timedelta(days=1), True, DID_NOT_ATTEND, False,
                             NON_COMPLIANCE)]
    count = count_rar_days(sessions, 10)
    assert (count.activities, count.rar_days, count.voluntary_days) == (0, 0, 0)


def test_voluntary_sessions_make_voluntary_days_apart_from_rar_days() -> None:
    sessions = [_took_place(1, MONDAY), _took_place(2, MONDAY + timedelta(days=2), False)]
    count = count_rar_days(sessions, 10)
    assert count.rar_dates == (MONDAY,)
    assert count.voluntary_dates == (MONDAY + timedelta(days=2),)
    assert count.activities == 2


def test_enforceable_activity_beyond_the_enforceable_days_is_voluntary() -> None:
    sessions = [_took_place(n, MONDAY + timedelta(days=n)) for n in range(1, 5)]
    count = count_rar_days(sessions, 3)
    assert count.rar_days == 3 and count.rar_days_left == 0
    assert count.voluntary_dates == (MONDAY + timedelta(days=4),)
    assert any("after the 3 enforceable days were used" in r for r in count.reasons)


def test_no_enforceable_days_means_no_rar_day() -> None:
    count = count_rar_days([_took_place(1, MONDAY)], None)
    assert count.rar_days == 0 and count.voluntary_days == 1
    assert any("no enforceable days" in r for r in count.reasons)


def test_an_enforceable_activity_and_a_voluntary_one_on_one_day_make_one_rar_day() -> None:
    count = count_rar_days([_took_place(1, MONDAY, False), _took_place(2, MONDAY)], 10)
    assert (count.rar_days, count.voluntary_days, count.activities) == (1, 0, 2)


def test_sessions_used_against_the_plan() -> None:
    sessions = [
        _took_place(1, MONDAY),
        SessionFacts(2, MONDAY, True, DID_NOT_ATTEND, False, NON_COMPLIANCE),  # used
        SessionFacts(3, MONDAY, True, DID_NOT_ATTEND, False, ACCEPTABLE_ABSENCE),  # back
        SessionFacts(4, MONDAY, True, ATTENDED, False, LOGISTICS),  # given back
        SessionFacts(5, MONDAY, True, rescheduled=True),  # replaced by the next booking
        SessionFacts(5, MONDAY + timedelta(days=7), True),  # booked, holds its session
    ]
    assert count_rar_days(sessions, 10).sessions_used == 3
    assert next_session_number(sessions) == 3


def test_booking_needs_an_approved_plan_with_a_session_left() -> None:
    assert booking_problems([], MONDAY, True, None, 10)[0][0] == "referral"
    full = [_took_place(1, MONDAY), SessionFacts(2, MONDAY + timedelta(days=1), True)]
    problems = booking_problems(full, MONDAY + timedelta(days=3), True, 2, 10)
    assert problems == [("referral", "REF-5e: all 2 sessions of the approved action plan "
                                     "are booked or used: propose a change to the action "
                                     "plan to add sessions")]
    # Rescheduling session 2 gives up its booking for the new one.
    assert booking_problems(full, MONDAY + timedelta(days=3), True, 2, 10, replacing=2) == []


def test_an_enforceable_booking_beyond_the_rar_days_is_refused_naming_the_field() -> None:
    booked = [_took_place(1, MONDAY), SessionFacts(2, MONDAY + timedelta(days=1), True)]
    later = MONDAY + timedelta(days=5)
    problems = booking_problems(booked, later, True, 6, 2)
    assert [field for field, _ in problems] == ["enforceable"]
    assert "2 enforceable (RAR) days are all used or booked" in problems[0][1]
    assert booking_problems(booked, later, False, 6, 2) == []  # voluntary is fine
    assert booking_problems(booked, MONDAY, True, 6, 2) == []  # a day already counted
    assert booking_problems([], MONDAY, True, 6, 0)[0][0] == "enforceable"


def test_a_missed_enforceable_session_gives_back_its_rar_day() -> None:
    booked = [SessionFacts(1, MONDAY, True, DID_NOT_ATTEND, False, NON_COMPLIANCE)]
    assert booking_problems(booked, MONDAY + timedelta(days=1), True, 6, 1) == []


_sessions = st.lists(st.builds(
    SessionFacts, number=st.integers(1, 12),
    day=st.dates(MONDAY, MONDAY + timedelta(days=30)), enforceable=st.booleans(),
    attendance=st.sampled_from([None, ATTENDED, LATE, DID_NOT_ATTEND]),
    happened=st.sampled_from([None, True, False]),
    no_session_reason=st.sampled_from(["", NON_COMPLIANCE, ACCEPTABLE_ABSENCE, LOGISTICS]),
    rescheduled=st.booleans()), max_size=30)


@given(_sessions, st.integers(0, 40))
def test_rar_days_never_exceed_the_enforceable_days_or_the_days_of_activity(
        sessions: list[SessionFacts], allowed: int) -> None:
    count = count_rar_days(sessions, allowed)
    assert count.rar_days <= min(allowed, count.days_of_activity)
    assert count.days_of_activity <= count.activities
    assert count.rar_days + count.voluntary_days == count.days_of_activity
    assert not set(count.rar_dates) & set(count.voluntary_dates)
    # Adding a second activity on a day already counted changes no day count.
    if count.rar_dates:
        again = count_rar_days([*sessions, _took_place(99, count.rar_dates[0])], allowed)
        assert (again.rar_days, again.voluntary_days) == (count.rar_days,
                                                          count.voluntary_days)
        assert again.activities == count.activities + 1
