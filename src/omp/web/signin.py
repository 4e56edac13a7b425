"""Sign-in protection: the sign-in page a locked-out attempt gets, and a log line for every
failed sign-in and every lockout. django-axes counts the failures and locks (see the
``AXES_*`` settings); the page names no account, so it tells a guesser nothing."""

from __future__ import annotations

import logging
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from omp.web.forms import SignInForm

log = logging.getLogger("omp.signin")


def period(minutes: int) -> str:
    """A number of minutes in words: "30 minutes", "1 hour", "90 minutes", "2 hours"."""
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def lockout_message() -> str:
    """What a locked-out sign-in is told: every attempt while locked starts the time again."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return ("You have entered the wrong username or password too many times. "
            f"You cannot sign in for {period(minutes)}")


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict[str, Any] | None = None) -> HttpResponse:
    """The sign-in page with the lockout in its error summary (429 Too Many Requests). The
    form is not bound: checking it again would count as one more attempt."""
    username = request.POST.get("username", "")
    form = SignInForm(request, initial={"username": username})
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "registration/login.html",
                  {"form": form, "locked_out": lockout_message(), "next": next_url,
                   "redirect_field_name": "next"}, status=429)


def _address(request: HttpRequest | None) -> str:
    if request is None:
        return "unknown"
    return str(getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR"))


@receiver(user_login_failed)
def log_failure(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                **kwargs: Any) -> None:
    """One warning per failed sign-in (Django has already masked the password)."""
    log.warning("Sign-in failed for %r from %s", credentials.get("username"), _address(request))


@receiver(user_locked_out)
def log_lockout(sender: Any, request: HttpRequest | None = None, username: str | None = None,
                ip_address: str | None = None, **kwargs: Any) -> None:
    """One warning per attempt refused because the account or address is locked."""
    log.warning("Sign-in locked for %r from %s", username, ip_address or _address(request))
