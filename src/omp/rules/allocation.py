"""The automated allocation decision that replaces the manual CAS (ALLOC-1..7, seed 000).

Retained / Enhanced Resourcing when ANY criterion of ALLOC-2 a–g holds on the current event;
otherwise Allocated / Normal Resourcing (ALLOC-1). "Public interest" is deliberately not a
criterion (ALLOC-3). Every criterion that held is returned with the field, value and date it
came from, and every criterion that could not be evaluated is listed as missing (ALLOC-4).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from omp.rules.durations import at_least_months, day_words, duration_words
from omp.rules.facts import CaseFacts
from omp.rules.policy import PolicyVersion
from omp.rules.tier import Tier, computed_tier, more_serious, recorded_tier

Outcome = Literal["RETAINED_ENHANCED", "ALLOCATED_NORMAL"]
RETAINED: Outcome = "RETAINED_ENHANCED"
ALLOCATED: Outcome = "ALLOCATED_NORMAL"
OUTCOME_LABELS = {RETAINED: "Retained / Enhanced Resourcing",
                  ALLOCATED: "Allocated / Normal Resourcing"}
RSR_THRESHOLD = Decimal("6.9")
BRITISH_OR_IRISH = frozenset({"british", "irish"})
NOT_A_NATIONALITY = frozenset({"unknown", "not known", "not recorded", ""})

#: Plain-words titles of each criterion, shown on the decision screen (ALLOC-4).
CRITERIA_TITLES = {
    "ALLOC-2a": "Supervision tier A or B (or high RoSH, RSR 6.9% or above, MAPPA 2 or 3)",
    "ALLOC-2b": "Custodial sentence of 12 months or more for a schedule 15 violent offence",
    "ALLOC-2c": "Sentence for a schedule 15 sexual offence",
    "ALLOC-2d": "Any MAPPA level",
    "ALLOC-2e": "Home Office Interest registration",
    "ALLOC-2f": "Foreign national: not recorded as British or Irish",
    "ALLOC-2g": "Managed by a Probation Delivery Unit in Wales (provider N03)",
    "ALLOC-7": "Policy levelled up: no distinction between cases",
}


@dataclass(frozen=True, slots=True)
class Reason:
    """A criterion that held, with the data it came from."""

    rule: str
    field: str
    value: Any
    date: date | None
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """The interchange shape: rule, field, value, plus date and explanation."""
        return {"rule": self.rule, "field": self.field, "value": _plain(self.value),
                "date": self.date.isoformat() if self.date else None,
                "explanation": self.explanation}


@dataclass(frozen=True, slots=True)
class Missing:
    """A criterion that could not be evaluated because data is missing (ALLOC-4)."""

    rule: str
    field: str
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """The interchange shape."""
        return {"rule": self.rule, "field": self.field, "explanation": self.explanation}


@dataclass(frozen=True, slots=True)
class AllocationDecision:
    """The outcome for one case on ``as_of`` under ``policy_version``, with its reasons."""

    case_ref: str
    as_of: date
    outcome: Outcome
    source: Literal["computed", "supplied"]
    policy_version: str
    reasons: tuple[Reason, ...] = ()
    missing: tuple[Missing, ...] = ()
    tier: Tier | None = None
    computed_outcome: Outcome | None = field(default=None)
    #: Both readings of the tier, as staff write them (``B2``), where they exist.
    tier_recorded: str | None = None
    tier_computed: str | None = None

    @property
    def label(self) -> str:
        """``Retained / Enhanced Resourcing`` or ``Allocated / Normal Resourcing``."""
        return OUTCOME_LABELS[self.outcome]

    def allocation_dict(self) -> dict[str, Any]:
        """The ``allocation`` object of the interchange decision."""
        body: dict[str, Any] = {
            "outcome": self.outcome, "source": self.source,
            "reasons": [r.to_dict() for r in self.reasons],
            "missing": [m.to_dict() for m in self.missing],
        }
        if self.source == "supplied":
            body["computed_outcome"] = self.computed_outcome
        return body


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _on(facts: CaseFacts, path: str) -> date | None:
    return facts.recorded.get(path)


def _when(day: date | None) -> str:
    return f", recorded on {day_words(day)}" if day else ""


def decide_allocation(facts: CaseFacts, policy: PolicyVersion) -> AllocationDecision:
    """Decide Retained/Enhanced or Allocated/Normal for one case (ALLOC-1, ALLOC-2, ALLOC-7).

    A supplied ``resourcing`` (e.g. a historic manual CAS) is used as the outcome; the
    computed outcome is still worked out and kept beside it.
    """
    recorded, computed_reading = recorded_tier(facts), computed_tier(facts)
    tier = more_serious(recorded, computed_reading)
    readings = (recorded.code if recorded else None,
                computed_reading.code if computed_reading else None)
    reasons: list[Reason] = []
    missing: list[Missing] = []
    for item in _evaluate(facts, tier, recorded, computed_reading):
        if item.rule not in policy.criteria:
            continue
        if isinstance(item, Reason):
            reasons.append(item)
        else:
            missing.append(item)
    if policy.levelled_up:
        reasons.insert(0, Reason(
            "ALLOC-7", "policy_version", policy.name, policy.effective_from,
            f"Policy {policy.name} in force from {policy.effective_from.strftime('%-d %B %Y')} "
            "levels up every case to enhanced resourcing (ALLOC-7)"))
    computed: Outcome = RETAINED if reasons else ALLOCATED
    if facts.resourcing is not None:
        supplied: Outcome = RETAINED if facts.resourcing == "ENHANCED" else ALLOCATED
        return AllocationDecision(
            facts.case_ref, facts.as_of, supplied, "supplied", policy.name,
            (Reason("ALLOC-1", "resourcing", facts.resourcing, _on(facts, "resourcing"),
                    f"Resourcing {facts.resourcing} was supplied, not computed"),),
            (), tier, computed, *readings)
    return AllocationDecision(facts.case_ref, facts.as_of, computed, "computed", policy.name,
                              tuple(reasons), tuple(missing), tier, None, *readings)


def _evaluate(facts: CaseFacts, tier: Tier | None, recorded: Tier | None,
              computed: Tier | None) -> Iterator[Reason | Missing]:
    yield from _tier_a_or_b(facts, tier, recorded, computed)
    yield from _schedule_15_violent(facts)
    yield from _schedule_15_sexual(facts)
    yield from _any_mappa(facts)
    yield from _home_office_interest(facts)
    yield from _foreign_national(facts)
    yield from _wales(facts)


def _tier_a_or_b(facts: CaseFacts, tier: Tier | None, recorded: Tier | None,
                 computed: Tier | None) -> Iterator[Reason | Missing]:
    """ALLOC-2a, with its parts checked directly so a stale or missing tier hides nothing."""
    rule = "ALLOC-2a"
    if tier is None:
        yield Missing(rule, "risk.tier", "No supervision tier recorded, and it cannot be "
                                         "computed without an RSR score and a RoSH level")
    elif tier.protect in ("A", "B"):
        other = computed if tier is recorded else recorded
        yield Reason(rule, "risk.tier", tier.code, _on(facts, "risk.tier"),
                     _tier_explanation(facts, tier, other))
    if facts.rosh is None:
        yield Missing(rule, "risk.rosh", "No RoSH level recorded")
    elif facts.rosh in ("HIGH", "VERY_HIGH"):
        day = _on(facts, "risk.rosh")
        yield Reason(rule, "risk.rosh", facts.rosh, day,
                     f"RoSH {facts.rosh.replace('_', ' ').lower()}{_when(day)}")
    if facts.rsr_percent is None:
        yield Missing(rule, "risk.rsr_percent", "No RSR recorded")
    elif facts.rsr_percent >= RSR_THRESHOLD:
        day = _on(facts, "risk.rsr_percent")
        yield Reason(rule, "risk.rsr_percent", facts.rsr_percent, day,
                     f"RSR {facts.rsr_percent}% is 6.9% or above{_when(day)}")
    if facts.mappa_level in (2, 3):
        day = _on(facts, "risk.mappa_level")
        yield Reason(rule, "risk.mappa_level", facts.mappa_level, day,
                     f"MAPPA level {facts.mappa_level}{_when(day)}")


def _tier_explanation(facts: CaseFacts, tier: Tier, other: Tier | None) -> str:
    """ALLOC-2a's words for the tier: which reading held, and the other where they differ."""
    recorded_on = _when(_on(facts, "risk.tier"))
    if tier.protect_points is None:
        how = f"Supervision tier {tier.code} as recorded{recorded_on}"
        if other is not None and other.protect != tier.protect:
            how += (f"; the tier computed from the data held here is {other.code} "
                    f"({other.protect_points} protect points), so the recorded tier is used")
        return how
    how = f"Supervision tier {tier.code} (computed from {tier.protect_points} protect points)"
    if other is not None and other.protect != tier.protect:
        how += f"; the recorded tier is {other.code}{recorded_on}"
    return how


def _offences_with(facts: CaseFacts, flag: str) -> list[str]:
    return [o.code for o in facts.offences if o.schedule_15 == flag]


def _unflagged(facts: CaseFacts, rule: str) -> Iterator[Missing]:
    if not facts.offences:
        yield Missing(rule, "event.offences", "No offences recorded on the current event")
    for index, offence in enumerate(facts.offences):
        if offence.schedule_15 is None:
            yield Missing(rule, f"event.offences[{index}].schedule_15",
                          f"Schedule 15 status of offence {offence.code} not recorded")


def _schedule_15_violent(facts: CaseFacts) -> Iterator[Reason | Missing]:
    """ALLOC-2b: custodial, 12 months or more (calendar), schedule 15 violent offence."""
    rule = "ALLOC-2b"
    sentence = facts.sentence
    if sentence is not None and sentence.kind is not None and sentence.kind != "custodial":
        return  # not custodial: the criterion cannot hold, whatever the offences
    violent = _offences_with(facts, "violent")
    if not violent:
        yield from _unflagged(facts, rule)
        return
    if sentence is None or sentence.kind is None:
        yield Missing(rule, "event.sentence.kind", "Sentence type not recorded")
        return
    day = _on(facts, "event.sentence")
    if sentence.indeterminate:
        yield Reason(rule, "event.sentence.indeterminate", True, day,
                     f"Indeterminate custodial sentence for schedule 15 violent offence "
                     f"{', '.join(violent)}{_when(day)}")
    elif sentence.length is None:
        yield Missing(rule, "event.sentence.length", "Sentence length not recorded")
    elif sentence.date is None:
        yield Missing(rule, "event.sentence.date",
                      "Sentence date not recorded, so 12 months cannot be counted")
    elif at_least_months(sentence.length, sentence.date, 12):
        yield Reason(rule, "event.sentence.length", sentence.length, sentence.date,
                     f"Custodial sentence of {sentence.length} from "
                     f"{day_words(sentence.date)} (12 months or more) for schedule 15 "
                     f"violent offence {', '.join(violent)}")


def _schedule_15_sexual(facts: CaseFacts) -> Iterator[Reason | Missing]:
    """ALLOC-2c: a sentence of any length or type for a schedule 15 sexual offence."""
    rule = "ALLOC-2c"
    sexual = _offences_with(facts, "sexual")
    if not sexual:
        yield from _unflagged(facts, rule)
    elif facts.sentence is None or facts.sentence.kind is None:
        yield Missing(rule, "event.sentence.kind", "Sentence not recorded")
    else:
        day = facts.sentence.date
        yield Reason(rule, "event.offences.schedule_15", "sexual", day,
                     f"{facts.sentence.kind.capitalize()} sentence for schedule 15 sexual "
                     f"offence {', '.join(sexual)}")


def _any_mappa(facts: CaseFacts) -> Iterator[Reason | Missing]:
    """ALLOC-2d: MAPPA level 1, 2 or 3 (level 0 means not MAPPA managed)."""
    if facts.mappa_level is None:
        yield Missing("ALLOC-2d", "risk.mappa_level", "No MAPPA level recorded")
    elif facts.mappa_level >= 1:
        day = _on(facts, "risk.mappa_level")
        yield Reason("ALLOC-2d", "risk.mappa_level", facts.mappa_level, day,
                     f"MAPPA level {facts.mappa_level}{_when(day)}")


def _home_office_interest(facts: CaseFacts) -> Iterator[Reason]:
    """ALLOC-2e: a Home Office Interest (HOI) registration."""
    if "HOI" in facts.registrations:
        day = _on(facts, "risk.registrations.HOI")
        yield Reason("ALLOC-2e", "risk.registrations", "HOI", day,
                     f"Home Office Interest registration{_when(day)}")


def _foreign_national(facts: CaseFacts) -> Iterator[Reason | Missing]:
    """ALLOC-2f: no recorded nationality is British or Irish — so none recorded counts too."""
    recorded = [n for n in facts.nationalities or () if n.strip().lower() not in NOT_A_NATIONALITY]
    if any(n.strip().lower() in BRITISH_OR_IRISH for n in recorded):
        return
    day = _on(facts, "person.nationalities")
    if not recorded:
        yield Missing("ALLOC-2f", "person.nationalities", "No nationality recorded")
        yield Reason("ALLOC-2f", "person.nationalities", list(facts.nationalities or ()), day,
                     "Not recorded as British or Irish: no nationality is recorded")
    else:
        yield Reason("ALLOC-2f", "person.nationalities", recorded, day,
                     f"Not recorded as British or Irish (recorded: {', '.join(recorded)})")


def _wales(facts: CaseFacts) -> Iterator[Reason | Missing]:
    """ALLOC-2g: the COM's PDU is in Wales (provider ``N03``)."""
    welsh = facts.is_welsh
    if welsh is None:
        yield Missing("ALLOC-2g", "probation.provider_code",
                      "No Probation Delivery Unit or provider recorded")
    elif welsh:
        field_name, value = (("probation.provider_code", facts.provider_code)
                             if facts.provider_code == "N03" else ("probation.country", "Wales"))
        # Name only what is recorded: a case may be Welsh by country alone.
        where = [f"PDU {facts.pdu_code}"] if facts.pdu_code else []
        if facts.provider_code:
            where.append(f"provider {facts.provider_code}")
        detail = f" ({', '.join(where)})" if where else ""
        yield Reason("ALLOC-2g", field_name, value, _on(facts, "probation.pdu_code"),
                     f"Managed in Wales{detail}")


# --- ALLOC-4: why a criterion did not hold ----------------------------------------------------


def why_not_held(facts: CaseFacts, rule: str) -> str:
    """ALLOC-4: what the data checked for ``rule`` shows, in words, for a criterion that did
    not hold on ``facts`` (the figures against the thresholds above, the offences, the
    registrations), so that "Not held" is never said without the reason."""
    if rule == "ALLOC-2a":
        tier = more_serious(recorded_tier(facts), computed_tier(facts))
        parts = [f"supervision tier {tier.code} (not A or B)" if tier
                 else "no supervision tier"]
        if facts.rosh:
            parts.append(f"RoSH {facts.rosh.replace('_', ' ').lower()} (not high or very "
                         "high)")
        if facts.rsr_percent is not None:
            parts.append(f"RSR {facts.rsr_percent}% (below {RSR_THRESHOLD}%)")
        if facts.mappa_level is not None:
            parts.append(f"MAPPA level {facts.mappa_level} (not 2 or 3)")
        return "Recorded: " + "; ".join(parts)
    if rule in ("ALLOC-2b", "ALLOC-2c"):
        flag = "violent" if rule == "ALLOC-2b" else "sexual"
        if rule == "ALLOC-2b" and _offences_with(facts, flag):
            sentence = facts.sentence
            if sentence is not None and sentence.kind not in (None, "custodial"):
                return f"A {sentence.kind} sentence, not a custodial one"
            length = sentence.length if sentence else None
            return f"A custodial sentence of {duration_words(length or '')}, under 12 months"
        return f"No offence on the current event is a schedule 15 {flag} offence"
    if rule == "ALLOC-2d":
        return "MAPPA level 0: not managed under MAPPA"
    if rule == "ALLOC-2e":
        return "No Home Office Interest registration"
    if rule == "ALLOC-2f":
        return f"Recorded as {', '.join(facts.nationalities or ())}"
    if rule == "ALLOC-2g":
        where = ", ".join(filter(None, [facts.pdu_code and f"PDU {facts.pdu_code}",
                                        facts.provider_code and
                                        f"provider {facts.provider_code}"]))
        return f"Not managed in Wales ({where})" if where else "Not managed in Wales"
    raise ValueError(f"rule: {rule!r} is not an ALLOC-2 criterion")
