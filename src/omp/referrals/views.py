"""Referral pages (REF-1, REF-2, REF-9): the person's referrals on the case page, choosing a
service, completing and sending a referral, amending it after sending, the summary for the
person, and the list of referrals (incoming ones for a provider). Views read and call
actions only; a referral a user may not see answers 404, as one that does not exist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from omp.access import PROVIDER, REFERRAL_READERS, REFERRERS, has_role, role_required
from omp.cases.access import open_case
from omp.cases.sections import CasePage, CasePagePart
from omp.clock import today
from omp.referrals.actions import (
    ReferralError,
    amend_referral,
    save_draft,
    send_referral,
    start_referral,
)
from omp.referrals.forms import ReferralForm, StartReferralForm
from omp.referrals.models import READINESS, Referral, Service
from omp.referrals.queries import (
    FIELD_LABELS,
    is_provider_only,
    missing,
    open_referral,
    outcome_names,
    services_for,
    versions,
    visible_referrals,
)


def _referrals_part(page: CasePage) -> dict[str, Any]:
    user = page.request.user
    if not has_role(user, REFERRAL_READERS):
        return {"referrals_shown": False}
    referrals = (visible_referrals(user).filter(person=page.person)
                 .order_by("-created_at"))
    return {"referrals_shown": True, "person_referrals": list(referrals),
            "can_refer": has_role(user, REFERRERS)}


#: The person's referrals, after the facts and before the decision history.
CASE_PAGE_PART = CasePagePart("referrals", 35, "referrals/_case_referrals.html",
                              _referrals_part)


def _detail(referral: Referral) -> dict[str, Any]:
    """What every page about one referral shows."""
    return {"referral": referral, "person": referral.person,
            "outcomes": outcome_names(referral.desired_outcome_ids),
            "readiness_words": dict(READINESS).get(referral.readiness, ""),
            "contract": referral.service.contract}


@require_http_methods(["GET", "POST"])
@role_required(REFERRERS)
def referral_start(request: HttpRequest, case_ref: str) -> HttpResponse:
    """Choose the service to refer the person to; the draft is filled from the case record."""
    person = open_case(request, case_ref, "web")
    services = services_for(person, today())
    form = StartReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["service"]
        service = Service.objects.select_related("contract", "category").filter(
            pk=chosen if chosen.isdigit() else -1).first()
        if service is None:
            form.add_error("service", "Choose the service to refer the person to")
        else:
            try:
                referral = start_referral(request.user, person, service)
            except ReferralError as error:
                for _field, message in error.problems:
                    form.add_error("service", message)
            else:
                return redirect("referral-edit", pk=referral.pk)
    return render(request, "referrals/start.html",
                  {"person": person, "services": services, "form": form,
                   "nav_section": "cases"}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(REFERRERS)
def referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete a draft: save it, or send it once nothing is missing (REF-1)."""
    referral = open_referral(request, pk, "web")
    if referral.is_sent:
        return redirect("referral-detail", pk=referral.pk)
    form = ReferralForm(referral, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            referral = save_draft(request.user, referral, form.changes())
            if request.POST.get("send"):
                send_referral(request.user, referral)
                messages.success(request, f"Referral {referral.reference} sent to "
                                          f"{referral.service.contract.prime_provider}")
                return redirect("referral-detail", pk=referral.pk)
        except ReferralError as error:
            form.show_problems(error.problems)
        else:
            messages.success(request, "Draft saved")
            return redirect("referral-edit", pk=referral.pk)
    return render(request, "referrals/edit.html", {
        **_detail(referral), "form": form, "amending": False,
        "still_needed": missing(referral, today()), "labels": FIELD_LABELS,
        "nav_section": "cases"}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(REFERRERS)
def referral_amend(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a sent referral with a reason; the change is shown to both sides."""
    referral = open_referral(request, pk, "web")
    if not referral.is_sent:
        return redirect("referral-edit", pk=referral.pk)
    form = ReferralForm(referral, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            amend_referral(request.user, referral, form.changes(),
                           request.POST.get("reason", ""))
        except ReferralError as error:
            form.show_problems(error.problems)
        else:
            messages.success(request, f"Referral {referral.reference} amended")
            return redirect("referral-detail", pk=referral.pk)
    return render(request, "referrals/edit.html", {
        **_detail(referral), "form": form, "amending": True, "still_needed": [],
        "labels": FIELD_LABELS, "nav_section": "cases"},
        status=400 if form.errors else 200)


@require_GET
@role_required(REFERRAL_READERS | {PROVIDER})
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A referral as sent, with every amendment and what it changed (both sides)."""
    referral = open_referral(request, pk, "web")
    return render(request, "referrals/detail.html", {
        **_detail(referral), "versions": versions(referral),
        "can_refer": has_role(request.user, REFERRERS),
        "provider_view": is_provider_only(request.user), "nav_section": "referrals"})


@require_GET
@role_required(REFERRAL_READERS | {PROVIDER})
def referral_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The summary for the person, in plain words, to print (REF-2)."""
    referral = open_referral(request, pk, "web")
    if not referral.explanation_for_person:
        raise Http404("The referral has no explanation for the person yet")
    return render(request, "referrals/summary.html", _detail(referral))


@require_GET
@role_required(REFERRAL_READERS | {PROVIDER})
def referral_list(request: HttpRequest) -> HttpResponse:
    """A practitioner's own referrals (drafts first); a provider's incoming referrals."""
    provider = is_provider_only(request.user)
    referrals = visible_referrals(request.user)
    if not provider:
        referrals = referrals.filter(created_by=request.user)
    rows = list(referrals.order_by("sent_at", "-created_at")[:500])
    return render(request, "referrals/list.html", {
        "referrals": rows, "provider_view": provider, "nav_section": "referrals"})
