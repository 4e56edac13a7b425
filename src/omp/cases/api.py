"""``/api/v1/cases``: search the case record. The routes that return one case with its
decisions are :mod:`omp.decisions.api`'s; each opens the case through
:func:`omp.cases.access.open_case`, which checks the role and logs the access."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Router

from omp.access import CASE_READERS, require_role
from omp.api_errors import ERRORS
from omp.cases.queries import clean_query, search_people
from omp.cases.schemas import CaseList

router = Router(tags=["cases"])
PAGE_SIZE = 50


@router.get("", response={200: CaseList, **ERRORS}, summary="Search cases",
            operation_id="omp_web_api_cases_list_cases")
def list_cases(request: HttpRequest, q: str = "", page: int = 1) -> dict[str, Any]:
    """Cases whose reference or prison number starts with ``q`` or whose names start with
    its words (every case when ``q`` is empty), 50 a page, with their current outcome."""
    require_role(request.user, CASE_READERS)
    query = clean_query(q)
    paginator = Paginator(search_people(query), PAGE_SIZE)
    current = paginator.get_page(page)
    return {"query": query, "count": paginator.count, "page": current.number,
            "pages": paginator.num_pages,
            "results": [{"case_ref": p.case_ref, "first_name": p.first_name,
                         "last_name": p.last_name, "prison_number": p.prison_number,
                         "date_of_birth": p.date_of_birth,
                         "pdu_code": p.pdu.code if p.pdu else None,
                         "outcome": p.outcome}
                        for p in current.object_list]}
