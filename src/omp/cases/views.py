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
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from omp import csv_safe
from omp.access import AUDITORS, CASE_READERS, role_required
from omp.cases.access import open_case, refusals_for, without_withheld
from omp.cases.data_quality import records_to_check as records_to_check_for
from omp.cases.fact_sections import fact_sections, in_pairs
from omp.cases.facts import facts_for_person, facts_known_on
from omp.cases.forms import AccessLogForm, KnownOnForm
from omp.cases.queries import SearchPaginator, access_log, clean_query, end_of_day
from omp.cases.sections import CasePage, CasePagePart, parts
from omp.clock import today
from omp.rules.data_quality import release_date_passed
from omp.rules.offences import offence_words

RESULTS_PER_PAGE = 25


@require_GET
@role_required(CASE_READERS)
def case_search(request: HttpRequest) -> HttpResponse:
    """Search by case reference, prison number or name; htmx asks for the results only."""
    query = clean_query(request.GET.get("q"))
    context: dict[str, object] = {"query": query, "page": None, "nav_section": "cases"}
    if "q" in request.GET and not query:  # the form sent with nothing typed in it
        context["error"] = "Enter a case reference, prison number or name"
    # No query lists nothing: browsing every person's record is not a purpose anyone has.
    if query:
        paginator = SearchPaginator(query, RESULTS_PER_PAGE)
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
    # open_case has just read the person with its PDU and region: no need to read it again.
    facts = facts or facts_for_person(person, on, fresh=False)
    page = CasePage(request, person, at, on, facts, context)
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
                                                   page.context.get("tier_used_source", ""))),
            "offences": [(offence_words(o.code, o.description), o.schedule_15)
                         for o in page.facts.offences],
            # A release date passed while the record still says "in custody": decided on
            # as recorded, but pointed out so that someone brings the record up to date.
            "release_passed": release_date_passed(page.facts.custody, page.facts.as_of)}


#: The facts as recorded, after the decision and the handover and before the history.
FACTS_PART = CasePagePart("facts", 30, "cases/_facts.html", _facts_part)


_LOG_HEADER = ["at", "user", "user_name", "case_ref", "channel", "channel_in_words",
               "outcome", "outcome_in_words", "path"]


@require_GET
@role_required(CASE_READERS)
def records_to_check(request: HttpRequest) -> HttpResponse:
    """A prison's records to bring up to date: people still recorded in custody after their
    release date (the rule: :mod:`omp.rules.data_quality`), the longest passed first."""
    from omp.cases.models import CustodySpell, Prison

    prisons = list(Prison.objects.order_by("name"))
    names = {p.code: p.name for p in prisons}
    code = request.GET.get("prison", "").strip()[:5]
    spells = CustodySpell.objects.all()
    if code in names:
        spells = spells.filter(prison_code=code)
    # LAO-1, LAO-2: a case the user may not open is left out, as from every list.
    rows = records_to_check_for(without_withheld(request.user, spells), today())
    return render(request, "cases/records_to_check.html", {
        "rows": [(r, names.get(r.prison_code, r.prison_code or "Not recorded")) for r in rows],
        "prisons": prisons, "prison": code if code in names else "",
        "prison_name": names.get(code, ""), "today": today(), "nav_section": "handovers",
    })


@require_GET
@role_required(AUDITORS)
def access_audit(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The case-access log for auditors: who read a person's record, or was refused it,
    when and through which channel; and what a user read. Filtered by case reference,
    user and days (GOV.UK date inputs), downloadable as CSV."""
    form = AccessLogForm(request.GET or None)
    asked = request.GET and form.is_valid()
    context: dict[str, Any] = {"form": form, "page": None, "nav_section": "audit"}
    if asked:
        rows = access_log(**form.cleaned_data)
        if request.GET.get("format") == "csv":
            return _access_log_csv(rows)
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        query = {k: v for k, v in request.GET.items() if k not in ("page", "format")}
        context.update(page=page, page_query=urlencode(query) + "&",
                       csv_link="?" + urlencode({**query, "format": "csv"}),
                       page_range=page.paginator.get_elided_page_range(
                           page.number, on_each_side=1, on_ends=1))
    return render(request, "cases/access_audit.html", context,
                  status=400 if form.errors else 200)


def _access_log_csv(rows: Any) -> StreamingHttpResponse:
    """The chosen rows of the log, streamed through the one CSV writer."""

    lines = ([row.at.isoformat(), row.user.get_username(), row.user.get_full_name(),
              row.case_ref, row.channel, row.get_channel_display(),
              "refused" if row.refusal else "read", row.get_refusal_display(), row.path]
             for row in rows.iterator(chunk_size=2_000))
    response = StreamingHttpResponse(csv_safe.chunks(_LOG_HEADER, lines),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="case-access-log-{today().isoformat()}.csv"')
    return response
