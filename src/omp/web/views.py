"""Case pages: search, the decision screen, and the RSR/OSP form (ALLOC-4, ALLOC-5, ALLOC-6).

Views only read and call actions; every case they show is opened through
:func:`omp.web.access.open_case`, which checks the role and logs the access.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from omp.cases.actions import ActionError, record_rsr_osp, today
from omp.cases.facts import facts_for_person, facts_known_on
from omp.decisions.models import AllocationDecision
from omp.web import roles
from omp.web.access import open_case
from omp.web.case_facts import fact_sections, in_pairs
from omp.web.display import LEVELS, percent_words
from omp.web.forms import KnownOnForm, ScoresForm
from omp.web.handover_screen import handover_context
from omp.web.roles import CASE_READERS, RSR_OSP_EDITORS, role_required
from omp.web.screen import decision_context, end_of_day
from omp.web.search import clean_query, search_people

RESULTS_PER_PAGE = 25


@require_GET
@role_required(CASE_READERS)
def case_search(request: HttpRequest) -> HttpResponse:
    """Search by case reference, prison number or name; htmx asks for the results only."""
    query = clean_query(request.GET.get("q"))
    context: dict[str, object] = {"query": query, "page": None, "nav_section": "cases"}
    # No query lists nothing: browsing every person's record is not a purpose anyone has.
    if query:
        paginator = Paginator(search_people(query), RESULTS_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        context.update(page=page, page_query=urlencode({"q": query}) + "&",
                       page_range=paginator.get_elided_page_range(page.number, on_each_side=1,
                                                                  on_ends=1))
    # htmx restoring history wants the whole page, not the fragment.
    fragment = request.htmx and not request.htmx.history_restore_request
    response = render(request, "cases/_results.html" if fragment else "cases/search.html",
                      context)
    # One URL, two bodies: caches must keep the fragment and the page apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@role_required(CASE_READERS)
def case_detail(request: HttpRequest, case_ref: str) -> HttpResponse:
    """The decision screen: outcome, why, what is missing, the facts and the history."""
    person = open_case(request, case_ref, "web")
    known = KnownOnForm(request.GET or None)
    known_on = known.cleaned_data["known_on"] if known.is_valid() else None
    at = end_of_day(known_on) if known_on else None
    facts = None
    if at is not None:
        try:
            facts = facts_known_on(person, at)
        except LookupError:
            known.add_error("known_on", f"Nothing was recorded for this case by the end of "
                                        f"{known_on:%-d %B %Y}")
            at = known_on = None
    context = decision_context(person, at)
    context.update(handover_context(person, at, today()))
    decision = context["decision"]
    facts = facts or facts_for_person(person, today())
    context.update({
        "known": known,
        "known_on": known_on,
        "person": person,
        "facts": facts,
        "section_rows": in_pairs(fact_sections(person, facts,
                                               decision.tier if decision else "",
                                               decision.tier_source if decision else "")),
        "nav_section": "cases",
    })
    return render(request, "cases/detail.html", context, status=400 if known.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(RSR_OSP_EDITORS)
def case_scores(request: HttpRequest, case_ref: str) -> HttpResponse:
    """Record a new RSR score and/or OSP level; the decision is recomputed at once."""
    person = open_case(request, case_ref, "web")
    form = ScoresForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        rsr, osp = form.cleaned_data["rsr_percent"], form.cleaned_data["osp"]
        try:
            decision = record_rsr_osp(request.user, person, rsr=rsr, osp=osp or None)
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _saved_message(rsr, osp, decision))
            return redirect("case-detail", case_ref=person.case_ref)
    facts = facts_for_person(person, today())
    current = {"rsr": percent_words(facts.rsr_percent),
               "rsr_on": facts.recorded.get("risk.rsr_percent"),
               "osp": LEVELS.get(facts.osp or "", facts.osp),
               "osp_on": facts.recorded.get("risk.osp")}
    return render(request, "cases/scores.html",
                  {"person": person, "form": form, "current": current, "nav_section": "cases"},
                  status=400 if form.errors else 200)


def _saved_message(rsr: str, osp: str, decision: AllocationDecision) -> str:
    recorded = []
    if rsr.strip():
        recorded.append(f"RSR score {rsr.strip()}%")
    if osp:
        recorded.append(f"OSP level {LEVELS.get(osp, osp).lower()}")
    return f"Recorded {' and '.join(recorded)}. The allocation is now {decision.label}."


def home(request: HttpRequest) -> HttpResponse:
    """The start page is case search; for those who read only aggregates it is the
    outcomes index."""
    if roles.reads_only_aggregates(request.user):
        return redirect("outcomes-index")
    return redirect("case-search")


class SignInView(LoginView):
    """Django's sign-in, landing each role on a start page it may open: case search, the
    default, is replaced by the outcomes index for those who read only aggregates."""

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if url == reverse("case-search") and roles.reads_only_aggregates(self.request.user):
            return reverse("outcomes-index")
        return url

