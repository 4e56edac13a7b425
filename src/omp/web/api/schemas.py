"""Request and response shapes of the JSON API (published in its OpenAPI document).

Case facts use the field names of the interchange format (``docs/interchange.md``), so a
provider's system reads the API and the files the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, WithJsonSchema

Outcome = Literal["RETAINED_ENHANCED", "ALLOCATED_NORMAL"]


class Message(Schema):
    """An error with a message only (401, 403, 404)."""

    detail: str


class FieldProblem(Schema):
    """One input that cannot be accepted, named as in the request."""

    field: str
    message: str


class InputErrors(Schema):
    """422: the inputs at fault, each with what to do about it."""

    detail: list[FieldProblem]


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


class HistoryEntry(Decision):
    """A decision in the history, with the outcome it replaced (ALLOC-5)."""

    previous_outcome: Outcome | None
    outcome_changed: bool


class CaseSummary(Schema):
    """One search result."""

    case_ref: str
    first_name: str
    last_name: str
    prison_number: str
    date_of_birth: dt.date | None
    pdu_code: str | None
    outcome: Outcome | None


class CaseList(Schema):
    """A page of search results."""

    query: str
    count: int
    page: int
    pages: int
    results: list[CaseSummary]


class PersonFacts(Schema):
    """``person`` of the interchange case object."""

    date_of_birth: dt.date | None
    sex: str | None
    nationalities: list[str] | None


class ProbationFacts(Schema):
    """``probation``: the Community Offender Manager's PDU and provider."""

    pdu_code: str | None
    provider_code: str | None
    country: str | None
    region_code: str | None


class RiskFacts(Schema):
    """``risk``: scores, levels and registrations."""

    tier: str | None
    rosh: str | None
    rsr_percent: float | None
    osp: str | None
    ogrs3_2yr_percent: float | None
    mappa_level: int | None
    mappa_category: int | None
    registrations: list[str]


class OffenceFacts(Schema):
    """One offence on the current event."""

    code: str
    description: str | None
    schedule_15: str | None


class SentenceFacts(Schema):
    """The sentence on the current event."""

    kind: str | None
    date: dt.date | None
    length: str | None
    indeterminate: bool | None
    ipp: bool | None
    breach_of_court_order: bool | None
    time_served: bool | None


class EventFacts(Schema):
    """``event``: the current conviction."""

    offences: list[OffenceFacts]
    sentence: SentenceFacts | None


class CustodyFacts(Schema):
    """``custody``: the current custody spell's dates and flags."""

    prison_code: str | None
    womens_prison: bool | None
    category: str | None
    category_active_since: dt.date | None
    arrival_date: dt.date | None
    remand: bool | None
    sentence_start_date: dt.date | None
    conditional_release_date: dt.date | None
    automatic_release_date: dt.date | None
    parole_eligibility_date: dt.date | None
    tariff_date: dt.date | None
    home_detention_curfew_eligibility_date: dt.date | None
    home_detention_curfew_actual_date: dt.date | None
    parole_review_date: dt.date | None
    target_hearing_date: dt.date | None
    licence_expiry_date: dt.date | None
    recall: bool | None
    immigration_case: bool | None
    early_allocation: bool | None
    parole_outcome_not_release: bool | None
    additional_future_isp: bool | None
    civil_sentence: bool | None


class CaseFacts(Schema):
    """The interchange case object, as recorded on ``as_of``."""

    case_ref: str
    as_of: dt.date
    person: PersonFacts
    probation: ProbationFacts
    risk: RiskFacts
    event: EventFacts
    custody: CustodyFacts | None
    resourcing: str | None


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


class Identity(Schema):
    """Names and numbers that are not part of the interchange facts."""

    first_name: str
    last_name: str
    prison_number: str


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

    rsr_percent: ScoreText = Field(
        None, description="RSR as a percentage, 0 to 100, at most 2 decimal places",
        examples=[6.9])
    osp: str | None = Field(None, description="LOW, MEDIUM, HIGH or VERY_HIGH",
                            examples=["LOW"])
