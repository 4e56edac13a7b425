"""``/api/v1``: a case with its decisions, the allocation decision and its history,
recording RSR/OSP (ALLOC-1..7), and responsibility and handover (HAND-1..4) — a case's
handover and its history, recording or ending an override, correcting custody dates, the
staff lists and the what-if projection. Case routes open the case through
:func:`omp.cases.access.open_case` (role check and access log)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import orjson
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from omp.access import (
    CASE_READERS,
    CUSTODY_EDITORS,
    EXPORTERS,
    OVERRIDE_EDITORS,
    RSR_OSP_EDITORS,
    require_role,
)
from omp.api_errors import (
    CASE_BODY_ERRORS,
    CASE_ERRORS,
    CASE_INPUT_ERRORS,
    ERRORS,
    INPUT_ERRORS,
    field_errors,
)
from omp.cases.access import open_case, without_withheld
from omp.cases.actions import ActionError, log_people_listed
from omp.cases.facts import facts_for_person, facts_known_on
from omp.cases.queries import end_of_day
from omp.clock import today
from omp.decisions.actions import (
    PolicyInputError,
    end_override,
    record_custody_dates,
    record_override,
    record_rsr_osp,
)
from omp.decisions.handover_lists import ListQuery, handover_list
from omp.decisions.handover_queries import handover_history, handover_in_force, reason_title
from omp.decisions.models import HandoverRecord
from omp.decisions.queries import current_decision, decision_in_force, history
from omp.decisions.schemas import (
    Case,
    Decision,
    Handover,
    HistoryEntry,
    ScoresIn,
    decision_body,
    history_body,
)
from omp.interchange.facts import facts_dict
from omp.rules.inputs import date_problem

#: The case routes (tag "cases"), mounted at ``/cases`` after the search.
case_router = Router(tags=["cases"])
#: The handover routes (tag "handover").
router = Router(tags=["handover"])


def handover_body(record: HandoverRecord, case_ref: str) -> dict[str, Any]:
    """A stored handover decision in the API's shape."""
    user = record.triggered_by
    return {
        "id": record.pk, "case_ref": case_ref, "responsibility": record.responsibility or None,
        "responsibility_label": record.label, "start_date": record.start_date,
        "handover_date": record.handover_date, "reason": record.reason,
        "reason_title": reason_title(record.reason), "rule": record.rule,
        "explanation": record.explanation, "era": record.era,
        "policy_version": record.policy_version,
        "earliest_release": {"name": record.earliest_release_name,
                             "date": record.earliest_release_date}
        if record.earliest_release_name else None,
        "handover_type": record.handover_type or None, "pom_type": record.pom_type or None,
        "override": record.override.reason_words if record.override else None,
        "as_of": record.as_of, "decided_at": record.decided_at, "trigger": record.trigger,
        "triggered_by": user.get_username() if user else None,
    }


@case_router.get("/{case_ref}", response={200: Case, **CASE_INPUT_ERRORS},
                 summary="One case",
                 operation_id="omp_web_api_cases_get_case")
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
            return field_errors(("known_on", "Enter a date that is not in the future"))
        if (problem := date_problem(known_on)) is not None:
            return field_errors(("known_on", f"The date {problem}"))
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


@case_router.get("/{case_ref}/decision", response={200: Decision, **CASE_ERRORS},
                 summary="Current decision",
                 operation_id="omp_web_api_cases_get_decision")
def get_decision(request: HttpRequest, case_ref: str) -> tuple[int, dict[str, Any]]:
    """The current allocation decision: outcome, source, policy version, the reasons with
    the field, value and date each came from, and what is missing (ALLOC-4)."""
    person = open_case(request, case_ref, "api")
    decision = current_decision(person)
    if decision is None:
        return 404, {"detail": "This case has no allocation decision yet"}
    return 200, decision_body(decision, person.case_ref)


@case_router.get("/{case_ref}/decisions",
                 response={200: list[HistoryEntry], **CASE_ERRORS},
                 summary="Decision history", operation_id="omp_web_api_cases_get_history")
def get_history(request: HttpRequest, case_ref: str) -> list[dict[str, Any]]:
    """Every stored decision of the case, newest first (ALLOC-5)."""
    person = open_case(request, case_ref, "api")
    return [history_body(row, person.case_ref) for row in history(person)]


@case_router.post("/{case_ref}/scores",
                  response={200: Decision, **CASE_BODY_ERRORS},
                  summary="Record RSR and/or OSP",
                  operation_id="omp_web_api_cases_post_scores")
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
        return field_errors((error.field, error.message))
    return 200, decision_body(decision, person.case_ref)


@router.get("/cases/{case_ref}/handover",
            response={200: Handover, **CASE_ERRORS}, summary="Current handover",
            operation_id="omp_web_api_handovers_get_handover")
def get_handover(request: HttpRequest, case_ref: str) -> tuple[int, dict[str, Any]]:
    """Who is responsible and who supports, the start and handover dates, the reason and
    the policy version (HAND-3). The read is logged."""
    person = open_case(request, case_ref, "api")
    record = handover_in_force(person)
    if record is None:
        return 404, {"detail": "This case has no handover decision (not in custody, or not "
                               "decided yet)"}
    return 200, handover_body(record, person.case_ref)


@router.get("/cases/{case_ref}/handovers", response={200: list[Handover], **CASE_ERRORS},
            summary="Handover history",
            operation_id="omp_web_api_handovers_get_handover_history")
def get_handover_history(request: HttpRequest, case_ref: str) -> list[dict[str, Any]]:
    """Every stored handover decision of the case, newest first."""
    person = open_case(request, case_ref, "api")
    return [handover_body(row.record, person.case_ref) for row in handover_history(person)]


class OverrideIn(Schema):
    """A responsibility override (HANDOVER §1.1): heads of offender management only."""

    # A person typing into the API is refused a field it does not know, not ignored.
    model_config = ConfigDict(extra="forbid")

    value: Literal["Prison", "Probation"] | None = Field(None, examples=["Probation"])
    reason: str = Field("", description="less_than_10_months, community_team, recalled, "
                                        "open_prison or other", examples=["community_team"])
    reason_text: str = Field("", description="Required when the reason is other")
    end: bool = Field(False, description="True ends the override in force instead")


@router.post("/cases/{case_ref}/handover/override",
             response={200: Handover, **CASE_BODY_ERRORS},
             summary="Record or end a responsibility override",
             operation_id="omp_web_api_handovers_post_override")
def post_override(request: HttpRequest, case_ref: str, payload: OverrideIn
                  ) -> tuple[int, dict[str, Any]]:
    """Set who is responsible by hand, or end the override; the case is recomputed in the
    same transaction and the new handover decision returned."""
    require_role(request.user, OVERRIDE_EDITORS)
    person = open_case(request, case_ref, "api")
    try:
        if payload.end:
            end_override(request.user, person)
        else:
            record_override(request.user, person, payload.value or "", payload.reason,
                            payload.reason_text)
    except PolicyInputError as error:
        return field_errors(*error.problems)
    record = handover_in_force(person)
    assert record is not None  # the person is in custody, so a decision was just made
    return 200, handover_body(record, person.case_ref)


class CustodyDatesIn(Schema):
    """Custody dates to correct; a date left out is unchanged, ``null`` clears it."""

    # A person typing into the API is refused a field it does not know, not ignored.
    model_config = ConfigDict(extra="forbid")

    sentence_start_date: dt.date | None = None
    conditional_release_date: dt.date | None = None
    automatic_release_date: dt.date | None = None
    parole_eligibility_date: dt.date | None = None
    home_detention_curfew_eligibility_date: dt.date | None = None
    home_detention_curfew_actual_date: dt.date | None = None
    tariff_date: dt.date | None = None
    target_hearing_date: dt.date | None = None
    licence_expiry_date: dt.date | None = None


@router.post("/cases/{case_ref}/custody",
             response={200: Handover, **CASE_BODY_ERRORS},
             summary="Correct custody dates",
             operation_id="omp_web_api_handovers_post_custody")
def post_custody(request: HttpRequest, case_ref: str, payload: CustodyDatesIn
                 ) -> tuple[int, dict[str, Any]]:
    """Correct the current custody spell's dates and return the recomputed handover.
    Contradictory dates are refused with 422 naming the field, and nothing is saved."""
    require_role(request.user, CUSTODY_EDITORS)
    person = open_case(request, case_ref, "api")
    try:
        record_custody_dates(request.user, person, payload.dict(exclude_unset=True))
    except ActionError as error:
        return field_errors((error.field, error.message))
    record = handover_in_force(person)
    if record is None:
        return 404, {"detail": "This case has no handover decision"}
    return 200, handover_body(record, person.case_ref)


class ListRow(Schema):
    """One case in a staff list."""

    case_ref: str
    name: str
    prison_code: str | None
    pdu_code: str | None
    responsibility: str
    start_date: dt.date | None
    handover_date: dt.date | None
    reason: str
    com_name: str | None


@router.get("/handovers", response={200: list[ListRow], **INPUT_ERRORS},
            summary="Staff lists",
            operation_id="omp_web_api_handovers_get_handover_list")
def get_handover_list(request: HttpRequest,
                      list: Literal["upcoming", "in_handover", "com_overdue"] = "upcoming",
                      prison: str = "", pdu: str = "") -> list[dict[str, Any]]:
    """Upcoming handovers (next 8 weeks), cases in handover, or COM allocation overdue
    (HANDOVER §4.9), for one prison or PDU, in handover-date order, at most 5,000. Not a
    case read (no facts beyond the list's columns), but every person listed is logged as
    read through the list."""
    require_role(request.user, CASE_READERS)
    # LAO-1, LAO-2: a case the user may not open is left out of the list.
    rows = without_withheld(request.user,
                            handover_list(ListQuery(list, prison[:5], pdu[:10]), today()))
    listed = [*rows[:5_000]]  # ("list" is the query parameter here)
    # Names and COM names of everyone listed: each person logged as read through the list.
    log_people_listed(request.user, [r.person for r in listed], "api_list",
                      request.get_full_path())
    return [{"case_ref": r.person.case_ref, "name": r.person.full_name,
             "prison_code": r.prison_code or None,
             "pdu_code": r.person.pdu.code if r.person.pdu else None,
             "responsibility": r.responsibility, "start_date": r.start_date,
             "handover_date": r.handover_date, "reason": r.record.reason,
             "com_name": r.person.com_name or None} for r in listed]


@router.get("/decisions/export", response=ERRORS, tags=["exports"],
            summary="Every case's current decision (an export)",
            operation_id="omp_web_api_decisions_export",
            openapi_extra={"responses": {"200": {
                "description": "One decision object a line, as `omp export` writes them "
                               "(docs/interchange.md)",
                "content": {"application/x-ndjson": {"schema": {"type": "string"}}}}}})
def get_export(request: HttpRequest) -> StreamingHttpResponse:
    """The whole population's current decisions as JSON Lines, for the roles that may
    export. Listing everyone is an export, not a search: it is logged as one read of that
    many people, and leaves out every case the user's limited-access lists refuse."""
    from omp.cases.actions import log_export
    from omp.decisions.export import current_decisions
    from omp.decisions.models import CurrentDecision

    require_role(request.user, EXPORTERS)
    heads = without_withheld(request.user, CurrentDecision.objects.all())
    log_export(request.user, heads.count(), request.path)
    lines = (orjson.dumps(decision) + b"\n" for decision in current_decisions(heads=heads))
    response = StreamingHttpResponse(lines, content_type="application/x-ndjson")
    response["Content-Disposition"] = (
        f'attachment; filename="decisions-{today().isoformat()}.jsonl"')
    return response


class MonthCount(Schema):
    """Cases COMs take on in one month, under the policy in force and the scenario."""

    month: str = Field(examples=["2027-04"])
    baseline: int
    scenario: int


class PduProjection(Schema):
    """One PDU's projection over the 24 months."""

    pdu_code: str
    pdu_name: str
    baseline: int
    scenario: int
    first_change: str | None
    months: list[MonthCount]


class ProjectionOut(Schema):
    """HAND-4: month by month, how many cases each PDU's COMs would take on."""

    policy_version: str
    handover_era: str
    levelled_up: bool
    scope: str | None
    start: str
    cases_examined: int
    cases_moved: int
    months: list[MonthCount]
    pdus: list[PduProjection]


@router.get("/handovers/what-if", response={200: ProjectionOut, **INPUT_ERRORS},
            summary="What-if projection",
            operation_id="omp_web_api_handovers_get_what_if")
def get_what_if(request: HttpRequest, version: str, start: dt.date, handover_era: str = "",
                levelled_up: bool = False, scope: str = "") -> tuple[int, dict[str, Any]]:
    """Project COM take-ons for the next 24 months if policy ``version`` (changed by the
    other parameters) came into force on ``start``, against the policy in force."""
    from omp.decisions.forms import WhatIfForm
    from omp.decisions.recompute import policy_versions
    from omp.decisions.what_if import project

    require_role(request.user, CASE_READERS)
    form = WhatIfForm({"version": version, "start": start, "handover_era": handover_era,
                       "levelled_up": levelled_up, "scope": scope},
                      versions=policy_versions())
    if not form.is_valid():
        return field_errors(*((name, str(errors[0])) for name, errors in form.errors.items()))
    return 200, project(form.scenario(), form.cleaned_data["start"], today()).to_dict()
