"""Case facts: the frozen inputs every rule family reads (CASE-1..3).

A fact that was not recorded is ``None`` (never a default such as ``False`` or ``0``), so a
rule can tell "no" from "not known" and report the latter (ALLOC-4). ``recorded`` maps a
field path (the interchange name, e.g. ``risk.rsr_percent``) to the date the value was
recorded, where the source knows it; explanations quote that date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

SentenceKind = Literal["custodial", "community", "suspended"]
Schedule15 = Literal["violent", "sexual", "none"]
Rosh = Literal["LOW", "MEDIUM", "HIGH", "VERY_HIGH"]
Resourcing = Literal["ENHANCED", "NORMAL"]

@dataclass(frozen=True, slots=True)
class Offence:
    """One offence on the current event; ``schedule_15`` is ``None`` when not recorded."""

    code: str
    description: str | None = None
    schedule_15: Schedule15 | None = None


@dataclass(frozen=True, slots=True)
class Sentence:
    """The sentence on the current event (CASE-2). ``length`` is an ISO 8601 duration."""

    kind: SentenceKind | None = None
    date: date | None = None
    length: str | None = None
    indeterminate: bool | None = None
    ipp: bool | None = None
    breach_of_court_order: bool | None = None
    time_served: bool | None = None


@dataclass(frozen=True, slots=True)
class Custody:
    """Custody spell dates and flags, with the names of ``INTERCHANGE.md``."""

    prison_code: str | None = None
    womens_prison: bool | None = None
    category: str | None = None
    category_active_since: date | None = None
    arrival_date: date | None = None
    remand: bool | None = None
    sentence_start_date: date | None = None
    conditional_release_date: date | None = None
    automatic_release_date: date | None = None
    parole_eligibility_date: date | None = None
    tariff_date: date | None = None
    home_detention_curfew_eligibility_date: date | None = None
    home_detention_curfew_actual_date: date | None = None
    parole_review_date: date | None = None
    target_hearing_date: date | None = None
    licence_expiry_date: date | None = None
    recall: bool | None = None
    immigration_case: bool | None = None
    early_allocation: bool | None = None
    parole_outcome_not_release: bool | None = None
    additional_future_isp: bool | None = None
    civil_sentence: bool | None = None


@dataclass(frozen=True, slots=True)
class TierInputs:
    """Inputs to compute the two-axis supervision tier (HANDOVER.md §8.1–8.2).

    ``needs`` maps an OASys section name (``accommodation``, ``ete``, ``relationships``,
    ``lifestyle``, ``drugs``, ``alcohol``, ``thinking_and_behaviour``, ``attitudes``) to its
    section score (sum of answers); ``None`` means no valid OASys assessment.
    """

    needs: Mapping[str, int | None] | None = None
    san_assessment: bool = False
    parental_responsibilities: int | None = None
    impulsivity: int | None = None
    temper_control: int | None = None
    previous_enforcement: bool | None = None


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """Everything the rules may read about one case, as known on ``as_of``."""

    case_ref: str
    as_of: date
    date_of_birth: date | None = None
    sex: str | None = None
    #: ``None`` or empty: no nationality recorded.
    nationalities: tuple[str, ...] | None = None
    pdu_code: str | None = None
    #: The allocated COM, when known: not a rule input, carried for the record (§4.9).
    com_name: str | None = field(default=None, compare=False)
    com_email: str | None = field(default=None, compare=False)
    provider_code: str | None = None
    country: str | None = None
    region_code: str | None = None
    tier: str | None = None
    rosh: Rosh | None = None
    rsr_percent: Decimal | None = None
    osp: str | None = None
    ogrs3_2yr_percent: Decimal | None = None
    mappa_level: int | None = None
    mappa_category: int | None = None
    registrations: tuple[str, ...] = ()
    offences: tuple[Offence, ...] = ()
    sentence: Sentence | None = None
    custody: Custody | None = None
    resourcing: Resourcing | None = None
    tier_inputs: TierInputs | None = None
    recorded: Mapping[str, date] = field(default_factory=dict, compare=False)

    @property
    def is_welsh(self) -> bool | None:
        """Wales exactly when ``country`` says so, else when the provider is ``N03``."""
        if self.country is not None:
            return self.country == "Wales"
        if self.provider_code is not None:
            return self.provider_code == "N03"
        return None
