"""The shared pages: the start page, sign-in, the session's time left, signed out, and the
health check."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from omp import clock
from omp.access import (
    audits_only,
    reads_only_aggregates,
    reads_only_omic_dashboard,
    reads_only_referrals,
)
from omp.cases.access import LimitedAccessRefused
from omp.web import sessions
from omp.web.signin import period

health_log = logging.getLogger("omp.health")


def home(request: HttpRequest) -> HttpResponse:
    """The start page is case search; for those who read only aggregates it is the
    outcomes index, for a provider's keyworker its incoming referrals, for an auditor the
    case-access log, and for an OMiC lead the OMiC dashboard."""
    if reads_only_aggregates(request.user):
        return redirect("outcomes-index")
    if reads_only_referrals(request.user):
        return redirect("referral-list")
    if audits_only(request.user):
        return redirect("access-audit")
    if reads_only_omic_dashboard(request.user):
        return redirect("omic-dashboard")
    return redirect("case-search")


class SignInView(LoginView):
    """Django's sign-in, landing each role on a start page it may open: case search, the
    default, is replaced by the outcomes index for those who read only aggregates and by
    the incoming referrals for a provider's keyworker."""

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if url == reverse("case-search") and reads_only_aggregates(self.request.user):
            return reverse("outcomes-index")
        if url == reverse("case-search") and reads_only_referrals(self.request.user):
            return reverse("referral-list")
        if url == reverse("case-search") and audits_only(self.request.user):
            return reverse("access-audit")
        if url == reverse("case-search") and reads_only_omic_dashboard(self.request.user):
            return reverse("omic-dashboard")
        return url



@never_cache
@require_http_methods(["GET", "POST"])
def session_status(request: HttpRequest) -> JsonResponse:
    """How long the session has left, for the timeout warning. Asking (GET) does not keep
    the session alive; "Stay signed in" (POST, with the CSRF token) does."""
    if request.method == "GET":
        sessions.not_activity(request)
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False})
    now = clock.timestamp()
    if request.method == "POST":
        request.session[sessions.LAST_SEEN] = now
    idle_left, lifetime_left = sessions.seconds_left(request.session, now)
    return JsonResponse({"signed_in": True, "seconds_left": int(min(idle_left, lifetime_left)),
                         "can_stay": idle_left < lifetime_left})


def signed_out(request: HttpRequest) -> HttpResponse:
    """The page a timed-out session lands on, saying why (GOV.UK timeout pattern)."""
    if request.user.is_authenticated:
        return redirect("home")
    reason = request.GET.get("reason")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    return render(request, "registration/signed_out.html", {
        "reason": reason if reason in (sessions.IDLE, sessions.LIFETIME) else None,
        "idle": period(int(settings.SESSION_IDLE_TIMEOUT) // 60),
        "lifetime": period(int(settings.SESSION_LIFETIME) // 60),
        "next": next_url})


@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> JsonResponse:
    """For a load balancer or monitor: 200 when the database answers, 503 when it does not.
    Open to anyone, and it says nothing but that."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        health_log.warning("Health check: the database did not answer", exc_info=True)
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403: a case refused by its exclusion or restriction list shows its reference and
    why (LAO-1, LAO-2), nothing more; any other refusal is Django's page (``403.html``)."""
    if isinstance(exception, LimitedAccessRefused):
        return render(request, "cases/limited_access.html",
                      {"case_ref": exception.case_ref, "refusal": exception.refusal},
                      status=403)
    return defaults.permission_denied(request, exception)
