"""Scenario tests of the session actions (REF-5): the provider books sessions of the
approved action plan, records attendance once each has started, and moves a session with
who asked and why; activities and RAR days are counted apart (two sessions on one day, one
of them late, are 2 activities and 1 RAR day); a missed session is an event the
practitioner sees; the plan's sessions and the enforceable days are limits, each refusal
naming its field with nothing saved; another provider's keyworker finds nothing (REF-9)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from omp.referrals.actions import (
    ReferralError,
    approve_action_plan,
    assign_keyworker,
    book_session,
    parse_time,
    record_attendance,
    record_initial_assessment,
    reschedule_session,
    save_draft,
    send_referral,
    start_referral,
    submit_action_plan,
    withdraw_referral,
)
from omp.referrals.models import Appointment, Referral, ReferralEvent
from omp.referrals.queries import appointments_of, lifecycle, rar_count, session_rows, timeline
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db


@pytest.fixture
def pp(make_user: Any) -> Any:
    return make_user("pp", "com")


@pytest.fixture
def kw(provider_user: Any) -> Any:
    return provider_user("kw", "NWH")


def approved_referral(pp: Any, kw: Any, person: Any, service: Any, sessions: int = 6,
                      days_ago: int = 10) -> Referral:
    """A referral sent ``days_ago`` days ago with an approved plan of ``sessions``."""
    referral = start_referral(pp, person, service)
    save_draft(pp, referral, complete_changes(service))
    send_referral(pp, referral)
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=F("sent_at") - timedelta(days=days_ago))
    ReferralEvent.objects.filter(referral=referral).update(at=F("at") - timedelta(days=days_ago))
    referral.refresh_from_db()
    assign_keyworker(kw, referral, "kw")
    record_initial_assessment(kw, referral, timezone.localdate() - timedelta(days=days_ago))
    submit_action_plan(kw, referral, sessions, ["Housing applications"])
    approve_action_plan(pp, referral, 1)
    return referral


@pytest.fixture
def referral(pp: Any, kw: Any, person: Any, service: Any) -> Referral:
    return approved_referral(pp, kw, person, service)


def _day(days_ago: int) -> Any:
    return timezone.localdate() - timedelta(days=days_ago)


def _book(kw: Any, referral: Referral, days_ago: int, at: str = "10:00",
          enforceable: Any = True, method: str = "probation_office") -> Appointment:
    return book_session(kw, referral, _day(days_ago), at, 60, method, "1 High Street",
                        enforceable)


def _fields(error: Any) -> list[str]:
    return [field for field, _message in error.value.problems]


def test_two_sessions_on_one_day_are_two_activities_and_one_rar_day(
        kw: Any, pp: Any, referral: Referral) -> None:
    morning = _book(kw, referral, 2, "10:00")
    afternoon = _book(kw, referral, 2, "2:30pm")
    assert (morning.session_number, afternoon.session_number) == (1, 2)
    record_attendance(kw, referral, morning.pk, "yes", "yes", "", "Engaged well")
    record_attendance(kw, referral, afternoon.pk, "late", "yes", "", "Late, then engaged")
    count = rar_count(referral)
    assert (count.activities, count.rar_days, count.rar_days_left) == (2, 1, 9)
    assert count.sessions_used == 2
    assert lifecycle(referral).code == "in_delivery"
    titles = [e.title for e in timeline(referral)]
    assert titles.count("Session took place") == 2
    # Withdrawn after a session has taken place, the referral has ended early.
    withdraw_referral(pp, referral, "MOV")
    assert lifecycle(referral).code == "ended_early"


def test_attendance_for_a_session_in_the_future_is_refused(kw: Any,
                                                           referral: Referral) -> None:
    future = book_session(kw, referral, _day(-3), "11:00", 60, "phone", "", True)
    with pytest.raises(ReferralError) as refused:
        record_attendance(kw, referral, future.pk, "yes", "yes", "", "Fine")
    assert _fields(refused) == ["attendance"]
    assert "in the future: it starts on" in refused.value.problems[0][1]
    future.refresh_from_db()
    assert future.attendance == "" and future.recorded_at is None
    assert not ReferralEvent.objects.filter(kind__startswith="session").exists()


def test_a_missed_session_is_an_event_for_the_practitioner_and_gives_no_rar_day(
        kw: Any, referral: Referral) -> None:
    missed = _book(kw, referral, 1)
    with pytest.raises(ReferralError) as refused:
        record_attendance(kw, referral, missed.pk, "no", "", "", "")
    assert _fields(refused) == ["no_session_reason"]
    record_attendance(kw, referral, missed.pk, "no", "", "non_compliance", "No reply")
    event = ReferralEvent.objects.get(kind="session_missed")
    assert event.appointment_id == missed.pk
    entry = timeline(referral)[0]
    assert entry.title == "Session did not take place"
    assert "did not attend" in entry.details[0] and "did not comply" in entry.details[0]
    count = rar_count(referral)
    assert (count.activities, count.rar_days, count.sessions_used) == (0, 0, 1)
    assert lifecycle(referral).code == "plan_approved"  # no session has taken place
    with pytest.raises(ReferralError) as again:
        record_attendance(kw, referral, missed.pk, "yes", "yes", "", "Changed my mind")
    assert _fields(again) == ["attendance"]


def test_attended_but_the_session_did_not_happen_needs_a_reason(kw: Any,
                                                               referral: Referral) -> None:
    booked = _book(kw, referral, 1)
    with pytest.raises(ReferralError) as refused:
        record_attendance(kw, referral, booked.pk, "yes", "", "", "")
    assert _fields(refused) == ["happened"]
    record_attendance(kw, referral, booked.pk, "yes", "no", "logistics", "Room double booked")
    assert rar_count(referral).sessions_used == 0  # the session is given back
    rows = session_rows(appointments_of(referral), timezone.now())
    assert rows[0].status == "Attended, but the session did not happen"


def test_rar_days_beyond_the_referrals_are_refused_naming_the_field(
        kw: Any, referral: Referral) -> None:
    Referral.objects.filter(pk=referral.pk).update(enforceable_days=1)
    referral.refresh_from_db()
    first = _book(kw, referral, 3)
    with pytest.raises(ReferralError) as refused:
        _book(kw, referral, 2)
    assert _fields(refused) == ["enforceable"]
    assert "1 enforceable (RAR) days are all used or booked" in refused.value.problems[0][1]
    assert Appointment.objects.count() == 1
    _book(kw, referral, 3, "15:00")  # the same day: no new RAR day
    voluntary = _book(kw, referral, 2, enforceable="no")
    for appointment in (first, voluntary):
        record_attendance(kw, referral, appointment.pk, "yes", "yes", "", "Took part")
    count = rar_count(referral)
    assert (count.rar_days, count.voluntary_days, count.activities) == (1, 1, 2)


def test_the_approved_plans_sessions_are_a_limit(pp: Any, kw: Any, person: Any,
                                                 service: Any) -> None:
    referral = approved_referral(pp, kw, person, service, sessions=2)
    first, second = _book(kw, referral, 3), _book(kw, referral, 2)
    with pytest.raises(ReferralError) as refused:
        _book(kw, referral, 1)
    assert _fields(refused) == ["referral"]
    assert "all 2 sessions of the approved action plan" in refused.value.problems[0][1]
    record_attendance(kw, referral, first.pk, "yes", "yes", "", "Good")
    record_attendance(kw, referral, second.pk, "no", "", "acceptable", "In hospital")
    again = _book(kw, referral, 1)  # the acceptable absence gave its session back
    assert again.session_number == 2


def test_a_session_is_moved_keeping_who_asked_and_why(kw: Any, referral: Referral) -> None:
    booked = book_session(kw, referral, _day(-2), "10:00", 60, "video", "", True)
    with pytest.raises(ReferralError) as refused:
        reschedule_session(kw, referral, booked.pk, _day(-4), "11:00", 45, "phone", "", "",
                           "")
    assert _fields(refused) == ["requested_by", "reason"]
    moved = reschedule_session(kw, referral, booked.pk, _day(-4), "11:00", 45, "phone", "",
                               "person", "Job interview that morning")
    booked.refresh_from_db()
    assert booked.rescheduled_to_id == moved.pk and moved.session_number == 1
    assert booked.reschedule_requested_by == "person"
    assert booked.get_reschedule_requested_by_display() == "The person on probation"
    rows = session_rows(appointments_of(referral), timezone.now())
    assert rows[0].status.startswith("Moved to ") and rows[0].appointment == booked
    assert rows[1].status == "Booked" and rows[1].appointment == moved
    with pytest.raises(ReferralError) as twice:
        record_attendance(kw, referral, booked.pk, "yes", "yes", "", "x")
    assert _fields(twice) == ["appointment"]
    assert rar_count(referral).sessions_used == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"start_time": "25:00"}, "start_time"),
    ({"start_time": "14"}, "start_time"),
    ({"duration": "0"}, "duration_minutes"),
    ({"duration": "two hours"}, "duration_minutes"),
    ({"method": "carrier pigeon"}, "method"),
    ({"location": ""}, "location"),
    ({"day": "2026-02-30"}, "day"),
    ({"day": "2000-01-01"}, "day"),
    ({"enforceable": "maybe"}, "enforceable"),
])
def test_bad_booking_input_names_the_field_and_saves_nothing(
        kw: Any, referral: Referral, change: dict[str, Any], field: str) -> None:
    values = {"day": _day(1), "start_time": "10:00", "duration": "60",
              "method": "in_person_other", "location": "Community hub", "enforceable": True,
              **change}
    with pytest.raises(ReferralError) as refused:
        book_session(kw, referral, **values)
    assert _fields(refused) == [field]
    assert not Appointment.objects.exists()


def test_sessions_need_an_approved_plan(pp: Any, kw: Any, person: Any,
                                        service: Any) -> None:
    referral = start_referral(pp, person, service)
    save_draft(pp, referral, complete_changes(service))
    send_referral(pp, referral)
    assign_keyworker(kw, referral, "kw")
    with pytest.raises(ReferralError) as refused:
        _book(kw, referral, 0, "00:00")
    assert _fields(refused) == ["referral"]


def test_only_the_provider_of_the_referral_books_sessions(
        pp: Any, kw: Any, referral: Referral, provider_user: Any) -> None:
    outsider = provider_user("outsider", "SCR")
    with pytest.raises(Http404):
        _book(outsider, referral, 1)
    booked = _book(kw, referral, 1)
    with pytest.raises(Http404):
        record_attendance(outsider, referral, booked.pk, "yes", "yes", "", "x")
    with pytest.raises(PermissionDenied):
        _book(pp, referral, 1)
    other = approved_referral(pp, kw, referral.person, referral.service)
    with pytest.raises(Http404):  # a booking of another referral is not found on this one
        record_attendance(kw, other, booked.pk, "yes", "yes", "", "x")


@pytest.mark.parametrize(("typed", "expected"), [
    ("14:30", (14, 30)), ("9.05", (9, 5)), ("2:30pm", (14, 30)), ("12am", (0, 0)),
    ("12 pm", (12, 0)), ("9am", (9, 0)), ("13pm", None), ("24:00", None), ("", None),
    ("noon", None)])
def test_times_as_people_type_them(typed: str, expected: tuple[int, int] | None) -> None:
    parsed = parse_time(typed)
    assert ((parsed.hour, parsed.minute) if parsed else None) == expected
