"""``/api/v1/commissioning``: the commissioned contracts with their stage in the
commissioning cycle (filterable by region, contract package area and provider), one
contract in depth, its KPIs month by month (COM-3, the figures of its page and CSV), and
moving a contract through the cycle (COM-1). Aggregates only: no route names a person.
Refused inputs answer 422 naming each field."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from omp.access import COMMISSIONING_READERS, require_role
from omp.api_errors import CASE_BODY_ERRORS, CASE_ERRORS, INPUT_ERRORS, field_errors
from omp.commissioning.actions import CommissioningError, move_stage
from omp.commissioning.kpi_report import contract_kpis
from omp.commissioning.queries import Filters, contracts, open_contract, stage_history
from omp.commissioning.schemas import (
    ContractDetailOut,
    ContractOut,
    KpiOut,
    MoveIn,
    StageMoveOut,
    contract_body,
    detail_body,
    kpi_body,
    move_body,
)

router = Router(tags=["commissioning"])


@router.get("/commissioning/contracts", response={200: list[ContractOut], **INPUT_ERRORS},
            operation_id="list_commissioned_contracts")
def list_contracts(request: HttpRequest, region: str = "", cpa: str = "",
                   provider: str = "") -> Any:
    """Every commissioned contract (or those of a region, a contract package area or a prime
    provider, by code) with its stage in the commissioning cycle."""
    require_role(request.user, COMMISSIONING_READERS)
    return [contract_body(cc) for cc in contracts(Filters(region, cpa, provider))]


@router.get("/commissioning/contracts/{reference}",
            response={200: ContractDetailOut, **CASE_ERRORS},
            operation_id="get_commissioned_contract")
def get_contract(request: HttpRequest, reference: str) -> Any:
    """One contract: its specification, unit costs, stage plans and stage history."""
    require_role(request.user, COMMISSIONING_READERS)
    cc = open_contract(reference)
    return detail_body(cc, stage_history(cc))


@router.get("/commissioning/contracts/{reference}/kpis",
            response={200: list[KpiOut], **CASE_ERRORS},
            operation_id="list_contract_kpis")
def list_contract_kpis(request: HttpRequest, reference: str) -> Any:
    """COM-3: the contract's KPIs, each with its definition in words, its target and its
    figures month by month with their RAG rating: the same figures as the contract's page
    and its CSV download. For a role without case access a figure over too few people is
    withheld (COM-4), and says so."""
    require_role(request.user, COMMISSIONING_READERS)
    return [kpi_body(kpi) for kpi in contract_kpis(open_contract(reference), request.user)]


@router.post("/commissioning/contracts/{reference}/stage",
             response={201: StageMoveOut, **CASE_BODY_ERRORS},
             operation_id="move_contract_stage")
def move_contract(request: HttpRequest, reference: str, payload: MoveIn) -> Any:
    """COM-1: move the contract to the next stage of the cycle, or back one with a reason;
    the evidence seen for the stage it leaves is required."""
    require_role(request.user, COMMISSIONING_READERS)
    cc = open_contract(reference)
    try:
        move = move_stage(request.user, cc, payload.to_stage, payload.evidence, payload.reason)
    except CommissioningError as error:
        return field_errors(*error.problems)
    return 201, move_body(move)
