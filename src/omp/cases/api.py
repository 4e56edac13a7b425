"""``/api/v1/cases``: search the case record. The routes that return one case with its
decisions are :mod:`omp.decisions.api`'s; each opens the case through
:func:`omp.cases.access.open_case`, which checks the role and logs the access."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Router
from ninja.params.functions import Query

from omp.access import CASE_READERS, require_role
from omp.api_errors import INPUT_ERRORS, field_errors
from omp.cases.queries import MAX_QUERY, clean_query, search_people
from omp.cases.schemas import CaseList

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
    paginator = Paginator(search_people(query), page_size)
    current = paginator.get_page(page)
    return 200, {"query": query, "count": paginator.count, "page": current.number,
                 "pages": paginator.num_pages,
                 "results": [{"case_ref": p.case_ref, "first_name": p.first_name,
                              "last_name": p.last_name, "prison_number": p.prison_number,
                              "date_of_birth": p.date_of_birth,
                              "pdu_code": p.pdu.code if p.pdu else None,
                              "outcome": p.outcome}
                             for p in current.object_list]}
