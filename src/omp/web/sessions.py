"""Session time-outs: a signed-in session ends ``SESSION_IDLE_TIMEOUT`` seconds after its last
request, and ``SESSION_LIFETIME`` seconds after sign-in however busy it is.

Time is :func:`omp.clock.timestamp`, so tests move it on. Pages warn before the idle time-out
(GOV.UK's timeout-warning pattern, ``frontend/timeout-warning.js``); the warning asks
:func:`omp.web.views.session_status` how long is left, which does not itself count as
activity, so a session kept busy in another tab is not signed out by this one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from omp import clock
from omp.web.api_auth import presents_token

log = logging.getLogger("omp.sessions")

SIGNED_IN_AT = "omp_signed_in_at"
LAST_SEEN = "omp_last_seen"
#: Activity is written to the session at most once in this many seconds, so a busy session
#: is not saved on every request; the idle time-out is measured to within this.
ACTIVITY_RESOLUTION = 60
#: API answers to a session that has just ended are the API's own 401, not a redirect.
API_PREFIX = "/api/"
SESSION_STATUS = "session-status"
IDLE = "idle"
LIFETIME = "lifetime"


def warning_seconds() -> int:
    """How long before the idle time-out pages warn: two minutes, or half a short time-out."""
    return min(120, int(settings.SESSION_IDLE_TIMEOUT) // 2)


def seconds_left(session: SessionBase, now: float) -> tuple[float, float]:
    """Seconds until the idle time-out and until the end of the session's lifetime."""
    last_seen = float(session.get(LAST_SEEN, now))
    signed_in_at = float(session.get(SIGNED_IN_AT, now))
    return (last_seen + settings.SESSION_IDLE_TIMEOUT - now,
            signed_in_at + settings.SESSION_LIFETIME - now)


def expired(session: SessionBase, now: float) -> str | None:
    """Why the session has ended (``"lifetime"`` or ``"idle"``), or ``None``."""
    idle_left, lifetime_left = seconds_left(session, now)
    if lifetime_left <= 0:
        return LIFETIME
    if idle_left <= 0:
        return IDLE
    return None


def record_activity(session: SessionBase, now: float) -> None:
    """The session was used now (written at most once per ``ACTIVITY_RESOLUTION``)."""
    if SIGNED_IN_AT not in session:
        session[SIGNED_IN_AT] = now
    if now - float(session.get(LAST_SEEN, 0)) >= ACTIVITY_RESOLUTION:
        session[LAST_SEEN] = now


def not_activity(request: HttpRequest) -> None:
    """Mark a request that must not keep the session alive (the warning asking the time)."""
    request.omp_not_activity = True  # type: ignore[attr-defined]


@receiver(user_logged_in)
def start_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Sign-in starts both clocks."""
    if request is not None and hasattr(request, "session"):
        now = clock.timestamp()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now


class SessionTimeoutMiddleware:
    """Signs out a session that has been idle or alive too long, then sends pages to the
    signed-out page (htmx requests through ``HX-Redirect``); the API answers 401."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = expired(request.session, clock.timestamp())
            if reason is not None:
                log.info("Session of %r ended: %s time-out", request.user.get_username(),
                         reason)
                logout(request)
                # The API and the warning's status answer JSON to whoever is signed in now.
                if not (request.path.startswith(API_PREFIX)
                        or request.path == reverse(SESSION_STATUS)):
                    return self._signed_out(request, reason)
        response = self.get_response(request)
        # A provider's system presenting a bearer token has no session: recording activity
        # would start one, and write a session row, on every API call it makes.
        if request.user.is_authenticated and not getattr(request, "omp_not_activity", False) \
                and not presents_token(request):
            record_activity(request.session, clock.timestamp())
        return response

    @staticmethod
    def _signed_out(request: HttpRequest, reason: str) -> HttpResponse:
        # django-htmx's middleware runs later, so the header is read here.
        htmx = request.headers.get("HX-Request") == "true"
        query = {"reason": reason}
        if request.method == "GET" and not htmx:
            query["next"] = request.get_full_path()
        url = f"{reverse('signed-out')}?{urlencode(query)}"
        if htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)
