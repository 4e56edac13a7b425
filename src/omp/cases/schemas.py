"""Shapes of the case record in the JSON API (published in its OpenAPI document).

Case facts use the field names of the interchange format (``docs/interchange.md``), so a
provider's system reads the API and the files the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

Outcome = Literal["RETAINED_ENHANCED", "ALLOCATED_NORMAL"]


class CaseSummary(Schema):
    """One search result. A case the caller may not open (LAO-1, LAO-2) carries its
    reference and ``limited_access`` (why) only; every other field is null."""

    case_ref: str
    first_name: str | None
    last_name: str | None
    prison_number: str | None
    date_of_birth: dt.date | None
    pdu_code: str | None
    outcome: Outcome | None
    limited_access: str | None = Field(None, description=(
        "Why the caller may not open this case (its exclusion or restriction list), or "
        "null when they may"))


class CaseList(Schema):
    """A page of search results."""

    query: str
    count: int = Field(description="Cases matching, counted up to 1,000")
    more_matches: bool = Field(description=(
        "More than 1,000 cases match: only the first 1,000 are paged through; narrow the "
        "query (add a first name, or use a case reference or prison number)"))
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


class Identity(Schema):
    """Names and numbers that are not part of the interchange facts."""

    first_name: str
    last_name: str
    prison_number: str
