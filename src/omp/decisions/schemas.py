"""Shapes of decisions in the JSON API (published in its OpenAPI document), and stored
records in those shapes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema

from omp.cases.schemas import CaseFacts, Identity, Outcome
from omp.decisions.models import AllocationDecision
from omp.decisions.queries import HistoryRow
from omp.rules.allocation import CRITERIA_TITLES


class Reason(Schema):
    """A criterion that held, with the data it came from (ALLOC-4)."""

    rule: str = Field(examples=["ALLOC-2a"])
    title: str
    field: str = Field(examples=["risk.rsr_percent"])
    value: Any = Field(description="The value that made the criterion hold")
    date: dt.date | None = Field(description="When the value was recorded, where known")
    explanation: str


class MissingData(Schema):
    """A criterion that could not be checked because data is missing (ALLOC-4)."""

    rule: str
    title: str
    field: str
    explanation: str


class DataWarningOut(Schema):
    """Data that contradicts itself or that the rules cannot use, named by its field."""

    field: str
    message: str


class PathwayReason(Schema):
    """Why a person in custody is on their pathway, or why none could be decided (PATH-1)."""

    rule: str = Field(examples=["PATH-1"])
    field: str = Field(examples=["event.sentence.length"])
    value: Any
    explanation: str


class Decision(Schema):
    """An allocation decision as stored (ALLOC-1, ALLOC-4, ALLOC-7)."""

    id: int
    case_ref: str
    outcome: Outcome
    outcome_label: str
    source: Literal["computed", "supplied"]
    policy_version: str
    as_of: dt.date
    decided_at: dt.datetime
    trigger: str = Field(description="change, nightly, import or policy")
    triggered_by: str | None = Field(description="Username; null for the system")
    tier: str | None
    tier_source: str | None
    reasons: list[Reason]
    missing: list[MissingData]
    pathway: int | None = Field(description="PATH-1: 1–4 for a person in custody, else null")
    pathway_reason: PathwayReason | None
    warnings: list[DataWarningOut] = Field(
        description="Data the decision was made despite: it contradicts itself")


class HistoryEntry(Decision):
    """A decision in the history, with the outcome it replaced (ALLOC-5)."""

    previous_outcome: Outcome | None
    outcome_changed: bool


class ReleaseDateOut(Schema):
    """The release date the handover was counted back from."""

    name: str = Field(examples=["CRD"])
    date: dt.date


class Handover(Schema):
    """A stored responsibility and handover decision (HAND-3)."""

    id: int
    case_ref: str
    responsibility: Literal["POM_RESPONSIBLE", "POM_RESPONSIBLE_COM_SUPPORTING",
                            "COM_RESPONSIBLE"] | None
    responsibility_label: str
    start_date: dt.date | None = Field(description="The COM starts supporting")
    handover_date: dt.date | None = Field(description="The COM becomes responsible")
    reason: str
    reason_title: str
    rule: str
    explanation: str
    era: str
    policy_version: str
    earliest_release: ReleaseDateOut | None
    handover_type: str | None
    pom_type: Literal["PROBATION", "PRISON"] | None
    override: str | None = Field(description="The override's reason, when one applies")
    as_of: dt.date
    decided_at: dt.datetime
    trigger: str
    triggered_by: str | None


class Case(Schema):
    """A case: who, the facts as recorded today, when each was recorded, and its decision."""

    case_ref: str
    identity: Identity
    facts: CaseFacts
    recorded: dict[str, dt.date] = Field(
        description="When each fact was recorded, by interchange field name")
    decision: Decision | None
    handover: Handover | None = Field(description="The handover decision in force")


def _number_as_text(value: Any) -> Any:
    # The action parses the score from text, so 6.9 and "6.9" are read alike and its
    # messages (not pydantic's) say what is wrong with either.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


#: RSR as sent: a JSON number or numeric text, handed to the action as text.
ScoreText = Annotated[
    str | None, BeforeValidator(_number_as_text),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]}),
]


class ScoresIn(Schema):
    """A new RSR score and/or OSP level (ALLOC-6: court staff and admins only)."""

    # A person typing into the API is refused a field it does not know, not ignored.
    model_config = ConfigDict(extra="forbid")

    rsr_percent: ScoreText = Field(
        None, description="RSR as a percentage, 0 to 100, at most 2 decimal places",
        examples=[6.9])
    osp: str | None = Field(None, description="LOW, MEDIUM, HIGH or VERY_HIGH",
                            examples=["LOW"])


def decision_body(decision: AllocationDecision, case_ref: str) -> dict[str, Any]:
    """A stored decision with its reasons and missing data, each with its plain title."""
    user = decision.triggered_by
    return {
        "id": decision.pk, "case_ref": case_ref, "outcome": decision.outcome,
        "outcome_label": decision.label, "source": decision.source,
        "policy_version": decision.policy_version, "as_of": decision.as_of,
        "decided_at": decision.decided_at, "trigger": decision.trigger,
        "triggered_by": user.get_username() if user else None,
        "tier": decision.tier or None, "tier_source": decision.tier_source or None,
        "reasons": [{**reason, "title": CRITERIA_TITLES.get(reason["rule"], reason["rule"])}
                    for reason in decision.reasons],
        "missing": [{**item, "title": CRITERIA_TITLES.get(item["rule"], item["rule"])}
                    for item in decision.missing],
        "pathway": decision.pathway, "pathway_reason": decision.pathway_reason,
        "warnings": decision.warnings,
    }


def history_body(row: HistoryRow, case_ref: str) -> dict[str, Any]:
    """A decision in the history with the outcome it replaced."""
    return {**decision_body(row.decision, case_ref), "previous_outcome": row.previous_outcome,
            "outcome_changed": row.outcome_changed}
