"""The shared pages: the start page and sign-in."""

from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from omp.access import reads_only_aggregates


def home(request: HttpRequest) -> HttpResponse:
    """The start page is case search; for those who read only aggregates it is the
    outcomes index."""
    if reads_only_aggregates(request.user):
        return redirect("outcomes-index")
    return redirect("case-search")


class SignInView(LoginView):
    """Django's sign-in, landing each role on a start page it may open: case search, the
    default, is replaced by the outcomes index for those who read only aggregates."""

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if url == reverse("case-search") and reads_only_aggregates(self.request.user):
            return reverse("outcomes-index")
        return url

