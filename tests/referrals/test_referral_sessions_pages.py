"""The sessions pages (REF-5) through the browser's requests: the provider books a session
(the date typed in the GOV.UK date input), moves it with who asked and why, and records
attendance; every problem of a form is shown at once, each linked to its field, with
nothing saved; the practitioner reads the sessions and RAR days but changes nothing;
another provider's keyworker finds nothing (REF-9)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from omp.referrals.models import Appointment, Referral
from tests.referrals.test_referral_sessions_actions import approved_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user: Any, provider_user: Any, person: Any, service: Any) -> dict[str, Any]:
    pp, kw = make_user("pp", "com"), provider_user("kw", "NWH")
    provider_user("other", "SCR")  # another provider altogether
    referral = approved_referral(pp, kw, person, service, sessions=3)
    clients = {}
    for name, user in (("pp", pp), ("kw", kw)):
        clients[name] = Client()
        clients[name].force_login(user)
    from django.contrib.auth.models import User

    clients["other"] = Client()
    clients["other"].force_login(User.objects.get(username="other"))
    return {"referral": referral, **clients}


def _booking(days_ago: int, **changes: Any) -> dict[str, str]:
    day = timezone.localdate() - timedelta(days=days_ago)
    return {"day-day": str(day.day), "day-month": str(day.month), "day-year": str(day.year),
            "start_time": "10:30", "duration_minutes": "60", "method": "probation_office",
            "location": "1 High Street, Camden", "enforceable": "yes", **changes}


def test_the_provider_books_moves_and_records_attendance(world: dict[str, Any]) -> None:
    referral: Referral = world["referral"]
    kw = world["kw"]
    base = f"/referrals/{referral.pk}/sessions/"
    detail = kw.get(f"/referrals/{referral.pk}/").content.decode()
    assert f'href="{base}"' in detail  # linked once the plan is approved
    booked = kw.post(f"{base}new/", _booking(2))
    assert booked.status_code == 302 and booked.url == base
    first = Appointment.objects.get(referral=referral)
    page = kw.get(base).content.decode()
    assert "Attendance to record" in page and "1 High Street, Camden" in page
    assert 'id="sessions-used">1 of 3' in page

    moved = kw.post(f"{base}{first.pk}/move/", _booking(1, requested_by="person",
                                                        reason="A hospital appointment"))
    assert moved.status_code == 302
    first.refresh_from_db()
    assert first.rescheduled_to is not None and first.reschedule_reason == \
        "A hospital appointment"
    new = first.rescheduled_to
    recorded = kw.post(f"{base}{new.pk}/attendance/", {
        "attendance": "yes", "happened": "yes", "notes": "Completed two housing forms."})
    assert recorded.status_code == 302
    page = kw.get(base).content.decode()
    assert "Moved to" in page and "Asked by" in page and "A hospital appointment" in page
    assert 'id="activities">1<' in page and 'id="rar-days">1 of 10<' in page


def test_every_problem_of_a_booking_is_named_at_once_and_nothing_saved(
        world: dict[str, Any]) -> None:
    referral = world["referral"]
    response = world["kw"].post(f"/referrals/{referral.pk}/sessions/new/", {
        "day-day": "31", "day-month": "2", "day-year": "2027", "start_time": "25:00",
        "duration_minutes": "0", "method": "", "location": ""})
    body = response.content.decode()
    assert response.status_code == 400
    for field in ("day-day", "start_time", "duration_minutes", "method", "enforceable"):
        assert f'href="#{field}' in body, field
    assert not Appointment.objects.exists()


def test_attendance_for_a_session_not_started_is_refused(world: dict[str, Any]) -> None:
    referral = world["referral"]
    world["kw"].post(f"/referrals/{referral.pk}/sessions/new/", _booking(-3))
    ahead = Appointment.objects.get(referral=referral)
    refused = world["kw"].post(f"/referrals/{referral.pk}/sessions/{ahead.pk}/attendance/",
                               {"attendance": "yes", "happened": "yes", "notes": "Early"})
    assert refused.status_code == 400
    assert "cannot be recorded for a session in the future" in refused.content.decode()
    ahead.refresh_from_db()
    assert ahead.attendance == ""


def test_the_practitioner_reads_but_books_nothing(world: dict[str, Any]) -> None:
    referral = world["referral"]
    world["kw"].post(f"/referrals/{referral.pk}/sessions/new/", _booking(2))
    pp = world["pp"]
    page = pp.get(f"/referrals/{referral.pk}/sessions/").content.decode()
    assert "Activities and RAR days" in page and "Book a session" not in page
    assert "Record attendance" not in page
    assert pp.get(f"/referrals/{referral.pk}/sessions/new/").status_code == 403
    assert pp.post(f"/referrals/{referral.pk}/sessions/new/", _booking(1)).status_code == 403
    assert Appointment.objects.count() == 1


def test_another_providers_keyworker_finds_nothing(world: dict[str, Any]) -> None:
    referral = world["referral"]
    world["kw"].post(f"/referrals/{referral.pk}/sessions/new/", _booking(2))
    booking = Appointment.objects.get()
    other = world["other"]
    for url in (f"/referrals/{referral.pk}/sessions/",
                f"/referrals/{referral.pk}/sessions/new/",
                f"/referrals/{referral.pk}/sessions/{booking.pk}/attendance/"):
        response = other.get(url)
        assert response.status_code == 404 and b"High Street" not in response.content
