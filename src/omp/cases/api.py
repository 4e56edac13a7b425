"""``/api/v1/cases``: search the case record. The routes that return one case with its
decisions are :mod:`omp.decisions.api`'s; each opens the case through
:func:`omp.cases.access.open_case`, which checks the role and logs the access."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router
from ninja.params.functions import Query

from omp.access import CASE_READERS, require_role
from omp.api_errors import INPUT_ERRORS, field_errors
from omp.cases.access import refusals_for
from omp.cases.actions import log_people_listed
from omp.cases.models import Person
from omp.cases.queries import MAX_QUERY, SearchPaginator, clean_query
from omp.cases.schemas import CaseList
from omp.rules.limited_access import Refusal

router = Router(tags=["cases"])
#: Results a page: the most an answer lists, and how many unless fewer are asked for.
PAGE_SIZE = 50


@router.get("", response={200: CaseList, **INPUT_ERRORS}, summary="Search cases",
            operation_id="omp_web_api_cases_list_cases")
def list_cases(
        request: HttpRequest,
        q: Annotated[str, Query(min_length=1, description=(
            "A case reference, prison number or name: required, as in the web search (no "
            f"query lists nobody); the first {MAX_QUERY} characters are used"))],
        page: Annotated[int, Query(ge=1, description="Past the last page: the last page")] = 1,
        page_size: Annotated[int, Query(ge=1, le=PAGE_SIZE, description=(
            f"Results a page, at most {PAGE_SIZE}"))] = PAGE_SIZE,
) -> Any:
    """Cases whose reference or prison number starts with ``q`` or whose names start with
    its words, ``page_size`` a page (at most 50), with their current outcome. A query is
    required: listing everyone is not a search."""
    require_role(request.user, CASE_READERS)
    query = clean_query(q)
    if not query:
        return field_errors(("q", "Enter a case reference, prison number or name"))
    paginator = SearchPaginator(query, page_size)
    current = paginator.get_page(page)
    people = list(current.object_list)
    refused = refusals_for(request.user, [p.pk for p in people])
    # Every person a result page gives is logged, as a read or (shown by reference only)
    # as refused by the case's list.
    log_people_listed(request.user, people, "api_search", request.get_full_path(),
                      {pk: why.rule for pk, why in refused.items()})
    return 200, {"query": query, "count": paginator.count,
                 "more_matches": paginator.more_matches, "page": current.number,
                 "pages": paginator.num_pages,
                 "results": [_summary(p, refused.get(p.pk)) for p in people]}


def _summary(person: Person, refused: Refusal | None) -> dict[str, Any]:
    """One result: the case reference and why, nothing more, for a case the caller may
    not open (LAO-1, LAO-2)."""
    if refused is not None:
        return {"case_ref": person.case_ref, "first_name": None, "last_name": None,
                "prison_number": None, "date_of_birth": None, "pdu_code": None,
                "outcome": None, "limited_access": refused.words}
    return {"case_ref": person.case_ref, "first_name": person.first_name,
            "last_name": person.last_name, "prison_number": person.prison_number,
            "date_of_birth": person.date_of_birth,
            "pdu_code": person.pdu.code if person.pdu else None,
            "outcome": person.outcome, "limited_access": None}
