"""The commissioning API's request and response shapes (COM-1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from omp.rules.commissioning_cycle import STAGE_WORDS


class ContractOut(Schema):
    """A commissioned contract: where, who, and its stage in the commissioning cycle."""

    reference: str
    name: str
    prime_provider: str
    region: str | None
    cpa: str | None
    annual_value: Decimal
    stage: str | None = Field(description="plan, buy, do or review; null before the first move")
    stage_words: str


class StagePlanOut(Schema):
    """A stage of the cycle as planned."""

    stage: str
    starts_on: dt.date
    ends_on: dt.date
    owner: str
    evidence_expected: str


class StageMoveOut(Schema):
    """A move through the cycle."""

    from_stage: str | None
    to_stage: str
    at: dt.datetime
    by: str | None
    evidence: str
    reason: str


class SpecificationOut(Schema):
    """A mandatory minimum outcome or output."""

    kind: str
    description: str
    minimum: str


class UnitCostOut(Schema):
    """The price of one unit."""

    item: str
    unit: str
    price: Decimal


class ContractDetailOut(ContractOut):
    """One contract in depth."""

    specification: list[SpecificationOut]
    unit_costs: list[UnitCostOut]
    stage_plans: list[StagePlanOut]
    history: list[StageMoveOut]


class KpiMonthOut(Schema):
    """A KPI's figure for one month, as the page and the CSV show it."""

    month: str = Field(description="YYYY-MM")
    figure: Decimal | None = Field(description="null when there is none or it is withheld")
    figure_text: str = Field(description="the figure as written on the page, e.g. 87.5%")
    rating: str = Field(description="On target, Just below target, Below target, "
                                    "Not shown (COM-4) or No data")
    rag: str = Field(description="green, amber or red; empty without a rating")
    why_no_figure: str


class KpiOut(Schema):
    """One KPI of a contract: its definition in words, its target and its figures month by
    month (COM-3), with COM-4 applied for a role without case access."""

    code: str
    name: str
    definition: str
    unit: str
    target: Decimal
    target_text: str
    better: str = Field(description="higher or lower")
    computed_at: dt.datetime | None
    problem: str = Field(description="why the definition cannot be computed; empty when it can")
    months: list[KpiMonthOut]


def kpi_body(kpi: Any) -> dict[str, Any]:
    """A ``kpi_report.KpiRow`` as the API returns it."""

    return {"code": kpi.code, "name": kpi.name, "definition": kpi.words, "unit": kpi.unit,
            "target": kpi.target, "target_text": kpi.target_text, "better": kpi.better,
            "computed_at": kpi.computed_at, "problem": kpi.problem,
            "months": [{"month": m.month.strftime("%Y-%m"), "figure": m.value,
                        "figure_text": m.text, "rating": m.rag_words, "rag": m.rag,
                        "why_no_figure": m.why_not} for m in kpi.months]}


class MoveIn(Schema):
    """A move through the cycle: the stage, the evidence seen for the stage left and, going
    back a stage, why."""

    model_config = ConfigDict(extra="forbid")
    to_stage: str = Field(max_length=10)
    evidence: str = Field("", max_length=2000)
    reason: str = Field("", max_length=2000)


def contract_body(cc: Any) -> dict[str, Any]:
    """A contract as ``ContractOut``."""
    contract = cc.contract
    return {"reference": contract.reference, "name": contract.name,
            "prime_provider": contract.prime_provider.code,
            "region": contract.region.code if contract.region else None,
            "cpa": cc.cpa.code if cc.cpa else None, "annual_value": cc.annual_value,
            "stage": cc.stage, "stage_words": STAGE_WORDS.get(cc.stage or "", "Not started")}


def detail_body(cc: Any, history: list[Any]) -> dict[str, Any]:
    """A contract as ``ContractDetailOut``."""
    return {**contract_body(cc),
            "specification": [{"kind": s.kind, "description": s.description,
                               "minimum": s.minimum} for s in cc.specification.all()],
            "unit_costs": [{"item": u.item, "unit": u.unit, "price": u.price}
                           for u in cc.unit_costs.all()],
            "stage_plans": [{"stage": p.stage, "starts_on": p.starts_on, "ends_on": p.ends_on,
                             "owner": p.owner, "evidence_expected": p.evidence_expected}
                            for p in cc.stage_plans.all()],
            "history": [move_body(m) for m in history]}


def move_body(move: Any) -> dict[str, Any]:
    """A stage move as ``StageMoveOut``."""
    return {"from_stage": move.from_stage or None, "to_stage": move.to_stage, "at": move.at,
            "by": move.by.get_username() if move.by else None, "evidence": move.evidence,
            "reason": move.reason}
