"""Sign-in protection (django-axes): failures counted per account and per address lock
sign-in for a time, the right password is refused meanwhile, the lock ends after the
cool-down or when an administrator removes it, and failures and lockouts are logged."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db.models import F
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from omp.config import Settings

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
LOCKED = ("You have entered the wrong username or password too many times. "
          "You cannot sign in for 30 minutes")


def _sign_in(client: Client, username: str, password: str,
             address: str = "192.0.2.1") -> HttpResponse:
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=address)


def _signed_in(client: Client) -> bool:
    return client.get(reverse("case-search")).status_code == 200


def _fail(client: Client, times: int, username: str = "clerk",
          address: str = "192.0.2.1") -> HttpResponse:
    response = HttpResponse()
    for _ in range(times):
        response = _sign_in(client, username, "wrong-password", address)
    return response


def _minutes_pass(minutes: int) -> None:
    """The cool-down is counted from each attempt's time: make every attempt older."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


@pytest.fixture
def clerk(make_user: Any) -> Any:
    return make_user("clerk", "court_staff", password=PASSWORD)


def test_four_failures_leave_sign_in_open(client: Client, clerk: Any) -> None:
    response = _fail(client, 4)
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert _sign_in(client, "clerk", PASSWORD).url == reverse("case-search")
    assert _signed_in(client)


def test_the_fifth_failure_locks_and_the_right_password_is_refused(client: Client,
                                                                    clerk: Any) -> None:
    fifth = _fail(client, 5)
    assert fifth.status_code == 429
    assert f'<a href="#username">{LOCKED}</a>' in fifth.content.decode()

    right = _sign_in(client, "clerk", PASSWORD)
    body = right.content.decode()
    assert right.status_code == 429
    assert "<title>Error: Sign in – Offender management</title>" in body
    assert LOCKED in body and "ask the service administrator to unlock" in body
    assert 'value="clerk"' in body  # the username is kept, as after any error
    assert not _signed_in(client)


def test_failures_on_one_account_from_many_addresses_lock_the_account(client: Client,
                                                                       clerk: Any) -> None:
    for number in range(5):
        _fail(client, 1, address=f"198.51.100.{number}")
    refused = _sign_in(client, "clerk", PASSWORD, address="203.0.113.7")
    assert refused.status_code == 429 and LOCKED in refused.content.decode()


def test_failures_from_one_address_lock_the_address(client: Client, clerk: Any,
                                                    make_user: Any) -> None:
    make_user("pom", "pom", password=PASSWORD)
    for number in range(5):  # a different (unknown) account each time
        _fail(client, 1, username=f"guess{number}", address="198.51.100.9")
    refused = _sign_in(client, "pom", PASSWORD, address="198.51.100.9")
    assert refused.status_code == 429 and LOCKED in refused.content.decode()
    assert not _signed_in(client)
    # The same account from another address, and the guessed names, are not locked.
    assert _sign_in(client, "pom", PASSWORD, address="203.0.113.7").status_code == 302
    assert _signed_in(client)


def test_an_unknown_account_is_locked_in_the_same_words(client: Client) -> None:
    response = _fail(client, 5, username="nobody")
    assert response.status_code == 429 and LOCKED in response.content.decode()


def test_the_lock_ends_after_the_cool_down(client: Client, clerk: Any) -> None:
    _fail(client, 5)
    _minutes_pass(29)
    # Still locked; and this attempt, made while locked, starts the 30 minutes again.
    assert _sign_in(client, "clerk", PASSWORD).status_code == 429
    _minutes_pass(29)
    assert _sign_in(client, "clerk", PASSWORD).status_code == 429
    _minutes_pass(31)
    assert _sign_in(client, "clerk", PASSWORD).url == reverse("case-search")
    assert _signed_in(client)


def test_an_administrator_unlocks_the_account(client: Client, clerk: Any) -> None:
    _fail(client, 5)
    assert _sign_in(client, "clerk", PASSWORD).status_code == 429
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password=PASSWORD))
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "clerk" in listing.content.decode()
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    unlocked = admin.post("/admin/axes/accessattempt/", {
        "action": "delete_selected", "_selected_action": attempts, "post": "yes"})
    assert unlocked.status_code == 302 and not AccessAttempt.objects.exists()
    assert _sign_in(client, "clerk", PASSWORD).url == reverse("case-search")
    assert _signed_in(client)


def test_the_failure_limit_and_lockout_time_are_settings(client: Client, clerk: Any,
                                                         settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(hours=2)
    third = _fail(client, 3)
    assert third.status_code == 429
    assert "You cannot sign in for 2 hours" in third.content.decode()


def test_the_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (Settings().signin_failure_limit, Settings().signin_lockout_minutes) == (5, 30)
    monkeypatch.setenv("OMP_SIGNIN_FAILURE_LIMIT", "3")
    monkeypatch.setenv("OMP_SIGNIN_LOCKOUT_MINUTES", "120")
    assert (Settings().signin_failure_limit, Settings().signin_lockout_minutes) == (3, 120)


def test_failures_and_lockouts_are_logged_without_the_password(
        client: Client, clerk: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="omp.signin"):
        _fail(client, 5)
        _sign_in(client, "clerk", PASSWORD)
    lines = [r.getMessage() for r in caplog.records if r.name == "omp.signin"]
    assert lines.count("Sign-in failed for 'clerk' from 192.0.2.1") == 6
    assert lines.count("Sign-in locked for 'clerk' from 192.0.2.1") == 2  # 5th and 6th
    assert not any("wrong-password" in r.getMessage() or PASSWORD in r.getMessage()
                   for r in caplog.records)
