"""``/api/v1/cases``: search, case facts with the current decision, its history, and
recording RSR/OSP. Every route that returns one case opens it through
:func:`omp.web.access.open_case`, which checks the role and logs the access."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Router

from omp.cases.actions import ActionError, record_rsr_osp, today
from omp.cases.facts import facts_for_person, facts_known_on
from omp.interchange.facts import facts_dict
from omp.web.access import open_case
from omp.web.api.bodies import decision_body, history_body
from omp.web.api.handovers import handover_body
from omp.web.api.schemas import (
    Case,
    CaseList,
    Decision,
    HistoryEntry,
    InputErrors,
    Message,
    ScoresIn,
)
from omp.web.handover_screen import handover_in_force
from omp.web.roles import CASE_READERS, RSR_OSP_EDITORS, require_role
from omp.web.screen import current_decision, decision_in_force, end_of_day, history
from omp.web.search import clean_query, search_people

router = Router(tags=["cases"])
PAGE_SIZE = 50
ERRORS: dict[int, Any] = {401: Message, 403: Message}


@router.get("", response={200: CaseList, **ERRORS}, summary="Search cases")
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


@router.get("/{case_ref}", response={200: Case, **ERRORS, 404: Message, 422: InputErrors},
            summary="One case")
def get_case(request: HttpRequest, case_ref: str, known_on: dt.date | None = None
             ) -> tuple[int, dict[str, Any]]:
    """The case's facts as recorded today (interchange field names) and its current
    decision; with ``known_on``, the facts as the record stood at the end of that day and
    the decision in force then (CASE-4). The read is logged."""
    person = open_case(request, case_ref, "api")
    if known_on is None:
        facts, decision = facts_for_person(person, today()), current_decision(person)
    else:
        if known_on > today():
            return 422, {"detail": [{"field": "known_on",
                                     "message": "Enter a date that is not in the future"}]}
        at = end_of_day(known_on)
        try:
            facts = facts_known_on(person, at)
        except LookupError:
            return 404, {"detail": f"{person.case_ref} was not yet recorded on {known_on}"}
        decision = decision_in_force(person, at)
    record = handover_in_force(person, None if known_on is None else end_of_day(known_on))
    return 200, {"case_ref": person.case_ref,
            "identity": {"first_name": person.first_name, "last_name": person.last_name,
                         "prison_number": person.prison_number},
            "facts": facts_dict(facts), "recorded": dict(facts.recorded),
            "decision": decision_body(decision, person.case_ref) if decision else None,
            "handover": handover_body(record, person.case_ref) if record else None}


@router.get("/{case_ref}/decision", response={200: Decision, **ERRORS, 404: Message},
            summary="Current decision")
def get_decision(request: HttpRequest, case_ref: str) -> tuple[int, dict[str, Any]]:
    """The current allocation decision: outcome, source, policy version, the reasons with
    the field, value and date each came from, and what is missing (ALLOC-4)."""
    person = open_case(request, case_ref, "api")
    decision = current_decision(person)
    if decision is None:
        return 404, {"detail": "This case has no allocation decision yet"}
    return 200, decision_body(decision, person.case_ref)


@router.get("/{case_ref}/decisions", response={200: list[HistoryEntry], **ERRORS, 404: Message},
            summary="Decision history")
def get_history(request: HttpRequest, case_ref: str) -> list[dict[str, Any]]:
    """Every stored decision of the case, newest first (ALLOC-5)."""
    person = open_case(request, case_ref, "api")
    return [history_body(row, person.case_ref) for row in history(person)]


@router.post("/{case_ref}/scores",
             response={200: Decision, **ERRORS, 404: Message, 422: InputErrors},
             summary="Record RSR and/or OSP")
def post_scores(request: HttpRequest, case_ref: str, payload: ScoresIn
                ) -> tuple[int, dict[str, Any]]:
    """Record a new RSR score and/or OSP level (ALLOC-6: court staff and admins only) and
    return the decision, recomputed in the same transaction. Session clients send the
    CSRF token in the ``X-CSRFToken`` header."""
    require_role(request.user, RSR_OSP_EDITORS)
    person = open_case(request, case_ref, "api")
    try:
        decision = record_rsr_osp(request.user, person, rsr=payload.rsr_percent,
                                  osp=payload.osp or None)
    except ActionError as error:
        return 422, {"detail": [{"field": error.field, "message": error.message}]}
    return 200, decision_body(decision, person.case_ref)
