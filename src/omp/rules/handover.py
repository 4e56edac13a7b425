"""Responsibility and handover from custody to the community (HAND-1..3, ``HANDOVER.md``).

Who holds a case in custody (the Prison Offender Manager, POM, or the Community Offender
Manager, COM), when the COM starts supporting (the *start date*) and when the COM becomes
responsible (the *handover date*). The rules changed over time; each era of ``HANDOVER.md``
is a handover era of a policy version (ALLOC-7), so a decision "as of" a date is made under
the era in force then, and a what-if may name any era:

- **B** (the seed's policy, to 2022-10-18): enhanced resourcing (NPS) hands over 7.5 months
  before release, normal resourcing (CRC) 12 weeks before; §2.
- **C** (from 2022-10-19): as B, but enhanced determinate cases hand over at 7.5 months,
  floored at the sentence start; §3.
- **D** (from 2023-04-01): the April 2023 policy; resourcing no longer moves dates; §5.
- **E** (from 2024-10-16): the current rules; §4.

"Today" is always ``facts.as_of``: no rule reads the clock, so any decision can be replayed.
Each decision names the row that fired (``rule``), a short ``reason`` code and a plain-words
explanation with the dates it used.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal, cast

from omp.rules.expressions import (
    Family,
    Item,
    all_,
    eq,
    fact,
    iso_day,
    lit,
    lt,
    present,
    text,
)
from omp.rules.facts import CaseFacts, Custody, Resourcing
from omp.rules.handover_tables import ERA_FAMILIES, POM_TYPE_FAMILY
from omp.rules.handover_terms import (
    COM,
    POM_ONLY,
    POM_WITH_COM,
    REASON_TITLES,
    RESPONSIBILITY_LABELS,
    SUPPORTING,
    OverrideValue,
    PomType,
    Responsibility,
)
from omp.rules.policy import PolicyVersion


class HandoverError(ValueError):
    """Case facts the handover rules cannot use; ``field`` names the interchange field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class ReleaseDate:
    """The release date a handover is counted back from, with its name (``CRD``, ``TED``…)."""

    name: str
    date: date

    def to_dict(self) -> dict[str, str]:
        """The interchange shape ``{"name": ..., "date": ...}``."""
        return {"name": self.name, "date": self.date.isoformat()}


@dataclass(frozen=True, slots=True)
class HandoverDecision:
    """Who holds a case on ``as_of`` and when that changes (HAND-3).

    ``responsibility`` is ``None`` only when the case is outside the OMiC policy and no
    handover is calculated; ``handover_type`` is set in eras D and E (§4.8).
    """

    case_ref: str
    as_of: date
    era: str
    policy_version: str
    responsibility: Responsibility | None
    start_date: date | None
    handover_date: date | None
    reason: str
    rule: str
    explanation: str
    earliest_release: ReleaseDate | None = None
    handover_type: str | None = None
    override_reason: str | None = None

    @property
    def supporting(self) -> str | None:
        """``POM``, ``COM`` or ``None`` (nobody supports yet)."""
        return SUPPORTING.get(self.responsibility) if self.responsibility else None

    @property
    def responsible(self) -> str | None:
        """``POM`` or ``COM``."""
        if self.responsibility is None:
            return None
        return "COM" if self.responsibility == COM else "POM"

    @property
    def label(self) -> str:
        """The responsibility in words, e.g. "POM responsible, COM supporting"."""
        if self.responsibility is None:
            return "Not calculated"
        return RESPONSIBILITY_LABELS[self.responsibility]

    def to_dict(self) -> dict[str, Any]:
        """The ``handover`` object of the interchange decision (INTERCHANGE.md)."""
        return {
            "responsibility": self.responsibility,
            "start_date": _iso(self.start_date),
            "handover_date": _iso(self.handover_date),
            "reason": self.reason,
            "earliest_release": self.earliest_release.to_dict() if self.earliest_release
            else None,
            "rule": self.rule,
            "explanation": self.explanation,
            "era": self.era,
            "type": self.handover_type,
            "override_reason": self.override_reason,
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _custody(facts: CaseFacts) -> Custody:
    assert facts.custody is not None
    return facts.custody


# --- the decision, by the era's table -----------------------------------------------------------

def decide_handover(facts: CaseFacts, policy: PolicyVersion,
                    resourcing: Resourcing | None) -> HandoverDecision | None:
    """Responsibility and handover dates for one case under ``policy``'s era (HAND-1, HAND-2).

    ``resourcing`` is the allocation outcome (``ENHANCED`` = NPS, ``NORMAL`` = CRC), or
    ``None`` when not known, which era B treats as enhanced (HANDOVER §1.2). Returns ``None``
    for a case with no custody.
    """
    if facts.custody is None:
        return None
    era = policy.handover_era
    (responsibility, start, handover, reason, rule, release_name, release_date, explanation,
     handover_type, _) = _TABLES[era](*handover_inputs(facts, policy, resourcing))
    release = ReleaseDate(release_name, release_date) if release_name is not None else None
    return HandoverDecision(
        facts.case_ref, facts.as_of, era, policy.name, responsibility, start, handover,
        reason, rule, explanation, release, handover_type)


#: Every era's table, compiled to Python once (omp.rules.handover_tables).
_TABLES = {era: family.compile() for era, family in ERA_FAMILIES.items()}


def handover_inputs(facts: CaseFacts, policy: PolicyVersion, resourcing: Resourcing | None
                    ) -> tuple[object, ...]:
    """The inputs of an era table (:data:`omp.rules.handover_tables.HANDOVER_INPUTS`)."""
    custody = _custody(facts)
    return (
        facts.as_of, policy.name, facts.date_of_birth, facts.is_welsh is True, resourcing,
        facts.mappa_level, facts.sentence.indeterminate if facts.sentence else None,
        custody.prison_code, custody.womens_prison, custody.category,
        custody.category_active_since, custody.arrival_date, custody.sentence_start_date,
        custody.conditional_release_date, custody.automatic_release_date,
        custody.parole_eligibility_date, custody.tariff_date,
        custody.home_detention_curfew_eligibility_date,
        custody.home_detention_curfew_actual_date, custody.parole_review_date,
        custody.target_hearing_date, custody.recall, custody.immigration_case,
        custody.early_allocation, custody.parole_outcome_not_release,
        custody.additional_future_isp, custody.civil_sentence)


#: Every era is a table (omp.rules.handover_tables).
HANDOVER_ERAS = tuple(ERA_FAMILIES)


# --- overrides, recommendations, windows and checks ----------------------------------------

def with_override(decision: HandoverDecision, value: OverrideValue, reason: str
                  ) -> HandoverDecision:
    """A head of offender management's manual responsibility (§1.1) wins over the
    calculation; the calculated dates are kept for reference."""
    responsibility, code = ((POM_WITH_COM, "override_prison") if value == "Prison"
                            else (COM, "override_probation"))
    explanation = (f"{REASON_TITLES[code]}: {reason}. The calculation said: "
                   f"{decision.label} ({decision.reason}).")
    return replace(decision, responsibility=responsibility, reason=code,
                   rule="HAND-3 override", explanation=explanation, override_reason=reason)


def recommend_pom_type(facts: CaseFacts, decision: HandoverDecision | None, tier: str | None,
                       strategy: Literal["tier", "rosh"] = "tier") -> PomType | None:
    """§4.10: a probation POM or a prison POM. ``None`` when there is no calculated handover,
    or the RoSH strategy finds no RoSH."""
    if decision is None or decision.responsibility is None:
        return None
    immigration = bool(facts.custody and facts.custody.immigration_case)
    if strategy == "tier" or decision.era == "B":  # era B knows only the tier strategy
        pom_type, _ = _pom_type(decision.responsibility, immigration, tier)
        return cast(PomType | None, pom_type)
    if immigration or decision.responsibility == COM:
        return "PRISON"
    letter = tier[0].upper() if tier else None
    if letter == "A" or facts.rosh in ("HIGH", "VERY_HIGH"):
        return "PROBATION"
    return None if facts.rosh is None else "PRISON"


_pom_type = POM_TYPE_FAMILY.compile()


def upcoming_handover(decision: HandoverDecision, as_of: date) -> bool:
    """§4.9: POM responsible and the handover date within the next 56 days."""
    return (decision.responsibility == POM_ONLY and decision.handover_date is not None
            and decision.handover_date - timedelta(days=56) <= as_of < decision.handover_date)


def in_handover(decision: HandoverDecision) -> bool:
    """§4.9 "in progress": the COM is responsible and there is a handover date."""
    return decision.responsibility == COM and decision.handover_date is not None


def com_allocation_overdue(decision: HandoverDecision, as_of: date, com_allocated: bool
                           ) -> bool:
    """§4.9: in handover, no COM allocated, two days or more after the handover date."""
    return (in_handover(decision) and not com_allocated and decision.handover_date is not None
            and as_of >= decision.handover_date + timedelta(days=2))


_RELEASE_FIELDS = (
    ("conditional_release_date", "conditional release date"),
    ("automatic_release_date", "automatic release date"),
    ("parole_eligibility_date", "parole eligibility date"),
    ("home_detention_curfew_eligibility_date", "home detention curfew eligibility date"),
    ("home_detention_curfew_actual_date", "home detention curfew date"),
    ("tariff_date", "tariff expiry date"),
    ("licence_expiry_date", "licence expiry date"),
)


_START = fact("sentence_start_date")
_HDCED, _HDCAD = fact("home_detention_curfew_eligibility_date"), fact(
    "home_detention_curfew_actual_date")

#: Custody dates that contradict each other, as a table (omp.rules.expressions): a release
#: date before the sentence start leaves nothing sound to count a handover back from
#: ("blocking"); the others are decided with a warning.
DATE_CHECKS = Family(
    "date_checks",
    inputs=("sentence_start_date", *(name for name, _ in _RELEASE_FIELDS),
            "sentence_indeterminate"),
    items=(
        *(Item("HAND-2", "blocking", f"custody.{name}", lt(fact(name), _START), text(
            f"The {words} (", iso_day(fact(name)), ") is before the sentence start date (",
            iso_day(_START), ")")) for name, words in _RELEASE_FIELDS),
        Item("HAND-2", "warning", "custody.tariff_date",
             all_(present(fact("tariff_date")), eq(fact("sentence_indeterminate"), False)),
             lit("A tariff expiry date is recorded but the sentence is determinate "
                 "(event.sentence.indeterminate is false)")),
        Item("HAND-2", "warning", "custody.home_detention_curfew_actual_date", lt(_HDCAD, _HDCED),
             text("The home detention curfew date (", iso_day(_HDCAD), ") is before the "
                  "eligibility date (", iso_day(_HDCED), ")")),
    ),
)
_date_checks = DATE_CHECKS.compile()


def _date_problems(facts: CaseFacts) -> list[tuple[str, str, str]]:
    custody = facts.custody
    if custody is None:
        return []
    (items,) = _date_checks(
        custody.sentence_start_date, *(getattr(custody, name) for name, _ in _RELEASE_FIELDS),
        facts.sentence.indeterminate if facts.sentence is not None else None)
    return [(kind, field, message) for _, kind, field, _, _, message, _ in items]


def releases_before_start(facts: CaseFacts) -> list[tuple[str, str]]:
    """Release dates recorded before the sentence start date, as ``(field, message)``
    pairs. Such a date cannot be counted back from, so no handover can be decided."""
    return [(field, message) for kind, field, message in _date_problems(facts)
            if kind == "blocking"]


def check_custody_dates(facts: CaseFacts) -> list[tuple[str, str]]:
    """Contradictory custody dates, as ``(field, message)`` pairs naming interchange fields;
    empty when the dates are consistent. A person typing them is refused; an extract from
    another system is decided with each as a warning (see :mod:`omp.rules.pipeline`)."""
    return [(field, message) for _, field, message in _date_problems(facts)]


def com_take_on(baseline_handover: date | None, scenario: HandoverDecision | None,
                start: date) -> date | None:
    """HAND-4: the day the COM would take on a case now held by the POM, when a policy
    change comes into force on ``start``.

    A handover due before ``start`` happens as planned under the policy in force. Otherwise
    ``scenario`` (the case decided under the new policy as of ``start``) gives the day: at
    once on ``start`` if it makes the COM responsible by then, else its handover date.
    ``None`` means no take-on is known (no release date, or outside the policy).
    """
    if baseline_handover is not None and baseline_handover < start:
        return baseline_handover
    if scenario is None or scenario.responsibility is None:
        return baseline_handover
    if scenario.responsibility == COM:
        return start
    return scenario.handover_date
