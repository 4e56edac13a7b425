"""Session time-outs with a controlled clock: signed out after the idle time-out and after
the absolute lifetime, pages sent to the signed-out page (htmx through HX-Redirect), the API
answering 401, and the timeout warning's status endpoint."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from omp.config import Settings

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
START = 1_800_000_000.0


class Clock:
    """What ``omp.clock.timestamp`` answers in these tests."""

    def __init__(self) -> None:
        self.now = START

    def advance(self, *, hours: float = 0, minutes: float = 0, seconds: float = 0) -> None:
        self.now += hours * 3600 + minutes * 60 + seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    controlled = Clock()
    monkeypatch.setattr("omp.clock.timestamp", lambda: controlled.now)
    return controlled


@pytest.fixture
def signed_in(client: Client, make_user: Any, clock: Clock) -> Client:
    """A court clerk signed in through the sign-in page at START."""
    make_user("clerk", "court_staff", password=PASSWORD)
    assert client.post(reverse("login"), {"username": "clerk", "password": PASSWORD}).url \
        == reverse("case-search")
    return client


SEARCH = "/cases/"


def _signed_out_url(reason: str, next_url: str | None = None) -> str:
    query = {"reason": reason} | ({"next": next_url} if next_url else {})
    return f"{reverse('signed-out')}?{urlencode(query)}"


def test_a_request_within_the_idle_time_keeps_the_session(signed_in: Client,
                                                          clock: Clock) -> None:
    for _ in range(3):
        clock.advance(minutes=29)
        assert signed_in.get(SEARCH).status_code == 200


def test_thirty_idle_minutes_sign_out(signed_in: Client, clock: Clock) -> None:
    clock.advance(minutes=29, seconds=59)
    assert signed_in.get(SEARCH).status_code == 200
    clock.advance(minutes=30)
    response = signed_in.get(SEARCH + "?q=smith")
    assert response.status_code == 302
    assert response.url == "/accounts/signed-out/?reason=idle&next=%2Fcases%2F%3Fq%3Dsmith"
    page = signed_in.get(response.url)
    body = page.content.decode()
    assert page.status_code == 200 and "You have been signed out" in body
    assert "you did not use the service for 30 minutes" in body
    assert 'href="/accounts/login/?next=/cases/%3Fq%3Dsmith"' in body
    # Signed out for good: the next page asks for sign-in.
    assert signed_in.get(SEARCH).url == f"{reverse('login')}?next={SEARCH}"


def test_the_lifetime_ends_a_busy_session(signed_in: Client, clock: Clock) -> None:
    for _ in range(11 * 4 + 3):  # a request every 15 minutes for 11 hours 45 minutes
        clock.advance(minutes=15)
        assert signed_in.get(SEARCH).status_code == 200
    clock.advance(minutes=15)  # 12 hours after sign-in
    response = signed_in.get(SEARCH)
    assert response.url == _signed_out_url("lifetime", SEARCH)
    body = signed_in.get(response.url).content.decode()
    assert "we sign everyone out 12 hours after they sign in" in body


def test_the_api_answers_401_after_the_time_out(signed_in: Client, clock: Clock) -> None:
    assert signed_in.get("/api/v1/cases?q=smith").status_code == 200
    clock.advance(minutes=31)
    response = signed_in.get("/api/v1/cases?q=smith")
    assert response.status_code == 401 and response.json() == {"detail": "Unauthorized"}


def test_htmx_is_told_to_go_to_the_signed_out_page(signed_in: Client, clock: Clock) -> None:
    clock.advance(minutes=31)
    response = signed_in.get(SEARCH + "?q=smith", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == _signed_out_url("idle")


def test_asking_the_time_left_is_not_activity(signed_in: Client, clock: Clock) -> None:
    clock.advance(minutes=20)
    assert signed_in.get(reverse("session-status")).json() == {
        "signed_in": True, "seconds_left": 600, "can_stay": True}
    clock.advance(minutes=10)
    assert signed_in.get(reverse("session-status")).json() == {"signed_in": False}
    assert signed_in.get(SEARCH).status_code == 302


def test_stay_signed_in_restarts_the_idle_time(signed_in: Client, clock: Clock) -> None:
    clock.advance(minutes=29)
    stayed = signed_in.post(reverse("session-status"))
    assert stayed.json() == {"signed_in": True, "seconds_left": 1800, "can_stay": True}
    clock.advance(minutes=29)
    assert signed_in.get(SEARCH).status_code == 200


def test_staying_cannot_pass_the_lifetime(signed_in: Client, clock: Clock) -> None:
    for _ in range(24):  # "Stay signed in" every 29 minutes for 11 hours 36 minutes
        clock.advance(minutes=29)
        signed_in.post(reverse("session-status"))
    clock.advance(minutes=11)  # 11 hours 47 minutes after sign-in
    assert signed_in.post(reverse("session-status")).json() == {
        "signed_in": True, "seconds_left": 13 * 60, "can_stay": False}
    clock.advance(minutes=13)
    assert signed_in.get(reverse("session-status")).json() == {"signed_in": False}


def test_stay_signed_in_needs_the_csrf_token(signed_in: Client, make_user: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = signed_in.cookies
    assert strict.post(reverse("session-status")).status_code == 403


def test_signed_in_pages_carry_the_timeout_warning(signed_in: Client) -> None:
    body = signed_in.get(SEARCH).content.decode()
    assert 'data-idle-seconds="1800" data-warning-seconds="120"' in body
    assert "You’re about to be signed out" in body
    assert re.search(r'<script type="module" src="/static/dist/js/app(\.[0-9a-f]+)?\.js">', body)


def test_the_sign_in_page_has_no_timeout_warning(client: Client) -> None:
    body = client.get(reverse("login")).content.decode()
    assert "timeout-warning" not in body


def test_the_idle_time_out_is_a_setting(signed_in: Client, clock: Clock,
                                        settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT = 300
    body = signed_in.get(SEARCH).content.decode()
    assert 'data-idle-seconds="300" data-warning-seconds="120"' in body
    clock.advance(minutes=5)
    assert signed_in.get(SEARCH).url == _signed_out_url("idle", SEARCH)


def test_the_time_outs_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (Settings().session_idle_minutes, Settings().session_lifetime_hours) == (30, 12)
    monkeypatch.setenv("OMP_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("OMP_SESSION_LIFETIME_HOURS", "8")
    assert (Settings().session_idle_minutes, Settings().session_lifetime_hours) == (15, 8)


def test_the_signed_out_page_keeps_no_foreign_next(client: Client) -> None:
    body = client.get(reverse("signed-out"),
                      {"reason": "idle", "next": "https://example.org/"}).content.decode()
    assert "example.org" not in body
    assert 'href="/accounts/login/"' in body


def test_a_signed_in_user_is_not_shown_the_signed_out_page(signed_in: Client) -> None:
    assert signed_in.get(reverse("signed-out")).url == reverse("home")
