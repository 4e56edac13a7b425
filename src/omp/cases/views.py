"""Case pages: search and the case page (ALLOC-4, ALLOC-5, CASE-4).

The case page is put together from the parts each domain registers
(:mod:`omp.cases.sections`); this module adds the facts as recorded. Views only read and call
actions; every case they show is opened through :func:`omp.cases.access.open_case`, which
checks the role and logs the access.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from omp.access import CASE_READERS, role_required
from omp.cases.access import open_case, refusals_for
from omp.cases.fact_sections import fact_sections, in_pairs
from omp.cases.facts import facts_for_person, facts_known_on
from omp.cases.forms import KnownOnForm
from omp.cases.queries import clean_query, end_of_day, search_people
from omp.cases.sections import CasePage, CasePagePart, parts
from omp.clock import today

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
        # LAO-1, LAO-2: a case the user may not open is listed by reference and why only.
        refused = refusals_for(request.user, [person.pk for person in page.object_list])
        for person in page.object_list:
            person.refusal = refused.get(person.pk)
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
    """The case page: each domain's part (the decision, why, what is missing, the
    handover), the facts and the history; or all of them as known at the end of a past day."""
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
    on = today()
    context: dict[str, Any] = {}
    page = CasePage(request, person, at, on, facts or facts_for_person(person, on), context)
    shown = parts()
    for part in shown:
        context.update(part.build(page))
    context.update({
        "known": known,
        "known_on": known_on,
        "person": person,
        "facts": page.facts,
        "parts": shown,
        "nav_section": "cases",
    })
    return render(request, "cases/detail.html", context, status=400 if known.errors else 200)


def _facts_part(page: CasePage) -> dict[str, Any]:
    # The tier the decision used, where a part has put it in the context.
    return {"section_rows": in_pairs(fact_sections(page.person, page.facts,
                                                   page.context.get("tier_used", ""),
                                                   page.context.get("tier_used_source", "")))}


#: The facts as recorded, after the decision and the handover and before the history.
FACTS_PART = CasePagePart("facts", 30, "cases/_facts.html", _facts_part)
