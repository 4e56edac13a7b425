"""The automated allocation decision that replaces the manual CAS (ALLOC-1..7, seed 000).

Retained / Enhanced Resourcing when ANY criterion of ALLOC-2 a–g holds on the current event;
otherwise Allocated / Normal Resourcing (ALLOC-1). "Public interest" is deliberately not a
criterion (ALLOC-3). Every criterion that held is returned with the field, value and date it
came from, and every criterion that could not be evaluated is listed as missing (ALLOC-4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from omp.rules.durations import duration_words
from omp.rules.expressions import (
    Expr,
    Family,
    Item,
    all_,
    any_,
    capitalised,
    day_words,
    each,
    element,
    eq,
    fact,
    ge,
    has,
    int_text,
    is_empty,
    is_null,
    joined,
    keep,
    lit,
    lower_stripped,
    months_reached,
    ne,
    not_,
    number_text,
    one_of,
    part,
    position,
    present,
    text,
    when,
    words_of,
)
from omp.rules.facts import CaseFacts
from omp.rules.policy import PolicyVersion
from omp.rules.tier import (
    Tier,
    computed_tier,
    more_serious,
    recorded_tier,
    tier_inputs,
    tier_readings_from,
)
from omp.rules.tier import _tier as _tier  # the compiled tier family

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


# --- ALLOC-1, ALLOC-2 a–g and ALLOC-7 as one table (omp.rules.expressions) -------------------
# Read by the per-case evaluator below and by the column evaluator of ``decide``.

_TIER_CODE_PARTS = (("recorded_code", "recorded_protect", "recorded_change"),
                    ("computed_code", "computed_protect", "computed_change"))
_ROSH, _RSR, _MAPPA = fact("rosh"), fact("rsr_percent"), fact("mappa_level")
_KIND, _SENTENCED, _LENGTH = fact("sentence_kind"), fact("sentence_date"), fact("sentence_length")
_OFFENCES, _NATIONALITIES = fact("offences"), fact("nationalities")
_PROVIDER, _PDU, _COUNTRY = fact("provider_code"), fact("pdu_code"), fact("country")


def _recorded_on(day: Expr) -> Expr:
    """``, recorded on 1 March 2027`` when the source gave the date, else nothing."""
    return when(present(day), text(", recorded on ", day_words(day)), "")


def _codes(flag: str) -> Expr:
    return each(keep(_OFFENCES, lambda x: eq(part(x, "schedule_15"), flag)),
                lambda x: part(x, "code"))


def _unflagged(rule: str, applies: Expr) -> tuple[Item, ...]:
    """Why a schedule 15 criterion could not be evaluated: no offences, or offences whose
    schedule 15 status is not recorded."""
    return (
        Item(rule, "missing", "event.offences", all_(applies, is_empty(_OFFENCES)),
             lit("No offences recorded on the current event")),
        Item(rule, "missing", text("event.offences[", int_text(position()), "].schedule_15"),
             all_(applies, is_null(part(element(), "schedule_15"))),
             text("Schedule 15 status of offence ", part(element(), "code"), " not recorded"),
             each=_OFFENCES),
    )


_VIOLENT, _SEXUAL = fact("violent_codes"), fact("sexual_codes")
_GATE_2B = all_(not_(all_(present(_KIND), ne(_KIND, "custodial"))),
                not_(is_empty(_VIOLENT)))  # custodial (or not known) and a violent offence
_COUNTED_2B = all_(_GATE_2B, present(_KIND), not_(eq(fact("sentence_indeterminate"), True)),
                   present(_LENGTH))
_TIER_PROTECT = fact("tier_protect")
_WELSH = when(present(_COUNTRY), eq(_COUNTRY, "Wales"), eq(_PROVIDER, "N03"))
_RECORDED_NATIONALITIES = fact("recorded_nationalities")

ALLOCATION_FAMILY = Family(
    "allocation",
    inputs=("computed_protect", "computed_change", "protect_points", "recorded_protect",
            "recorded_change", "uses_recorded", "rosh", "rsr_percent", "mappa_level",
            "registrations", "offences", "sentence_kind", "sentence_date", "sentence_length",
            "sentence_indeterminate", "nationalities", "pdu_code", "provider_code", "country",
            "resourcing", "policy_name", "policy_from", "levelled_up", "on_tier", "on_rosh",
            "on_rsr", "on_mappa", "on_sentence", "on_hoi", "on_nationalities", "on_pdu",
            "on_resourcing"),
    derived=(
        *((code, when(present(fact(protect)), text(fact(protect), when(
            present(fact(change)), int_text(fact(change)), ""))))
          for code, protect, change in _TIER_CODE_PARTS),
        ("tier_code", when(fact("uses_recorded"), fact("recorded_code"),
                           fact("computed_code"))),
        ("tier_protect", when(fact("uses_recorded"), fact("recorded_protect"),
                              fact("computed_protect"))),
        ("violent_codes", _codes("violent")),
        ("sexual_codes", _codes("sexual")),
        ("recorded_nationalities", keep(_NATIONALITIES, lambda x: not_(one_of(
            lower_stripped(x), sorted(NOT_A_NATIONALITY))))),
        ("british_or_irish", not_(is_empty(keep(_RECORDED_NATIONALITIES, lambda x: one_of(
            lower_stripped(x), sorted(BRITISH_OR_IRISH)))))),
    ),
    items=(
        Item("ALLOC-7", "reason", "policy_version", fact("levelled_up"), text(
            "Policy ", fact("policy_name"), " in force from ", day_words(fact("policy_from")),
            " levels up every case to enhanced resourcing (ALLOC-7)"),
             fact("policy_name"), fact("policy_from")),
        # ALLOC-2a, with its parts checked directly so a stale or missing tier hides nothing.
        Item("ALLOC-2a", "missing", "risk.tier", is_null(_TIER_PROTECT), lit(
            "No supervision tier recorded, and it cannot be computed without an RSR score "
            "and a RoSH level")),
        Item("ALLOC-2a", "reason", "risk.tier", one_of(_TIER_PROTECT, ("A", "B")), when(
            fact("uses_recorded"),
            text("Supervision tier ", fact("tier_code"), " as recorded",
                 _recorded_on(fact("on_tier")),
                 when(all_(present(fact("computed_protect")),
                           ne(fact("computed_protect"), fact("recorded_protect"))),
                      text("; the tier computed from the data held here is ",
                           fact("computed_code"), " (", int_text(fact("protect_points")),
                           " protect points), so the recorded tier is used"), "")),
            text("Supervision tier ", fact("tier_code"), " (computed from ",
                 int_text(fact("protect_points")), " protect points)",
                 when(all_(present(fact("recorded_protect")),
                           ne(fact("recorded_protect"), fact("computed_protect"))),
                      text("; the recorded tier is ", fact("recorded_code"),
                           _recorded_on(fact("on_tier"))), ""))),
             fact("tier_code"), fact("on_tier")),
        Item("ALLOC-2a", "missing", "risk.rosh", is_null(_ROSH), lit("No RoSH level recorded")),
        Item("ALLOC-2a", "reason", "risk.rosh", one_of(_ROSH, ("HIGH", "VERY_HIGH")),
             text("RoSH ", words_of(_ROSH), _recorded_on(fact("on_rosh"))),
             _ROSH, fact("on_rosh")),
        Item("ALLOC-2a", "missing", "risk.rsr_percent", is_null(_RSR), lit("No RSR recorded")),
        Item("ALLOC-2a", "reason", "risk.rsr_percent", ge(_RSR, RSR_THRESHOLD),
             text("RSR ", number_text(_RSR), "% is 6.9% or above",
                  _recorded_on(fact("on_rsr"))), _RSR, fact("on_rsr")),
        Item("ALLOC-2a", "reason", "risk.mappa_level", one_of(_MAPPA, (2, 3)),
             text("MAPPA level ", int_text(_MAPPA), _recorded_on(fact("on_mappa"))),
             _MAPPA, fact("on_mappa")),
        # ALLOC-2b: custodial, 12 months or more (calendar), schedule 15 violent offence;
        # a sentence known not to be custodial cannot meet it, whatever the offences.
        *_unflagged("ALLOC-2b", all_(not_(all_(present(_KIND), ne(_KIND, "custodial"))),
                                     is_empty(_VIOLENT))),
        Item("ALLOC-2b", "missing", "event.sentence.kind", all_(_GATE_2B, is_null(_KIND)),
             lit("Sentence type not recorded")),
        Item("ALLOC-2b", "reason", "event.sentence.indeterminate",
             all_(_GATE_2B, present(_KIND), eq(fact("sentence_indeterminate"), True)),
             text("Indeterminate custodial sentence for schedule 15 violent offence ",
                  joined(_VIOLENT, ", "), _recorded_on(fact("on_sentence"))),
             True, fact("on_sentence")),
        Item("ALLOC-2b", "missing", "event.sentence.length",
             all_(_GATE_2B, present(_KIND), not_(eq(fact("sentence_indeterminate"), True)),
                  is_null(_LENGTH)), lit("Sentence length not recorded")),
        Item("ALLOC-2b", "missing", "event.sentence.date", all_(_COUNTED_2B, is_null(_SENTENCED)),
             lit("Sentence date not recorded, so 12 months cannot be counted")),
        Item("ALLOC-2b", "reason", "event.sentence.length",
             all_(_COUNTED_2B, present(_SENTENCED), months_reached(_LENGTH, _SENTENCED, 12)),
             text("Custodial sentence of ", _LENGTH, " from ", day_words(_SENTENCED),
                  " (12 months or more) for schedule 15 violent offence ",
                  joined(_VIOLENT, ", ")), _LENGTH, _SENTENCED),
        # ALLOC-2c: a sentence of any length or type for a schedule 15 sexual offence.
        *_unflagged("ALLOC-2c", is_empty(_SEXUAL)),
        Item("ALLOC-2c", "missing", "event.sentence.kind",
             all_(not_(is_empty(_SEXUAL)), is_null(_KIND)), lit("Sentence not recorded")),
        Item("ALLOC-2c", "reason", "event.offences.schedule_15",
             all_(not_(is_empty(_SEXUAL)), present(_KIND)),
             text(capitalised(_KIND), " sentence for schedule 15 sexual offence ",
                  joined(_SEXUAL, ", ")), "sexual", _SENTENCED),
        # ALLOC-2d: MAPPA level 1, 2 or 3 (level 0 means not MAPPA managed).
        Item("ALLOC-2d", "missing", "risk.mappa_level", is_null(_MAPPA),
             lit("No MAPPA level recorded")),
        Item("ALLOC-2d", "reason", "risk.mappa_level", ge(_MAPPA, 1),
             text("MAPPA level ", int_text(_MAPPA), _recorded_on(fact("on_mappa"))),
             _MAPPA, fact("on_mappa")),
        # ALLOC-2e: a Home Office Interest (HOI) registration.
        Item("ALLOC-2e", "reason", "risk.registrations", has(fact("registrations"), "HOI"),
             text("Home Office Interest registration", _recorded_on(fact("on_hoi"))),
             "HOI", fact("on_hoi")),
        # ALLOC-2f: no recorded nationality is British or Irish, so none recorded counts too.
        Item("ALLOC-2f", "missing", "person.nationalities",
             all_(not_(fact("british_or_irish")), is_empty(_RECORDED_NATIONALITIES)),
             lit("No nationality recorded")),
        Item("ALLOC-2f", "reason", "person.nationalities",
             all_(not_(fact("british_or_irish")), is_empty(_RECORDED_NATIONALITIES)),
             lit("Not recorded as British or Irish: no nationality is recorded"),
             each(_NATIONALITIES, lambda x: x), fact("on_nationalities")),
        Item("ALLOC-2f", "reason", "person.nationalities",
             all_(not_(fact("british_or_irish")), not_(is_empty(_RECORDED_NATIONALITIES))),
             text("Not recorded as British or Irish (recorded: ",
                  joined(_RECORDED_NATIONALITIES, ", "), ")"),
             _RECORDED_NATIONALITIES, fact("on_nationalities")),
        # ALLOC-2g: the COM's PDU is in Wales (provider N03); a case may be Welsh by country
        # alone, so the words name only what is recorded.
        Item("ALLOC-2g", "missing", "probation.provider_code",
             all_(is_null(_COUNTRY), is_null(_PROVIDER)),
             lit("No Probation Delivery Unit or provider recorded")),
        Item("ALLOC-2g", "reason",
             when(eq(_PROVIDER, "N03"), "probation.provider_code", "probation.country"),
             _WELSH,
             text("Managed in Wales", when(
                 any_(present(_PDU), present(_PROVIDER)),
                 text(" (", when(present(_PDU), text("PDU ", _PDU), ""),
                      when(all_(present(_PDU), present(_PROVIDER)), ", ", ""),
                      when(present(_PROVIDER), text("provider ", _PROVIDER), ""), ")"), "")),
             when(eq(_PROVIDER, "N03"), _PROVIDER, "Wales"), fact("on_pdu")),
        # ALLOC-1: a supplied resourcing (a historic manual CAS) is the outcome.
        Item("ALLOC-1", "supplied", "resourcing", present(fact("resourcing")),
             text("Resourcing ", fact("resourcing"), " was supplied, not computed"),
             fact("resourcing"), fact("on_resourcing")),
    ),
    outputs=("tier_code", "recorded_code", "computed_code"),
)
_allocation = ALLOCATION_FAMILY.compile()


def allocation_inputs(facts: CaseFacts, policy: PolicyVersion,
                      tier: tuple[Any, ...]) -> tuple[Any, ...]:
    """The inputs of :data:`ALLOCATION_FAMILY` for one case, in order; ``tier`` is the
    output of :data:`omp.rules.tier.TIER_FAMILY`."""
    on = facts.recorded.get
    sentence = facts.sentence
    (computed_protect, computed_change, _, points, _, recorded_protect, recorded_change,
     uses_recorded, *_) = tier
    return (computed_protect, computed_change, points, recorded_protect, recorded_change,
            uses_recorded, facts.rosh, facts.rsr_percent, facts.mappa_level,
            facts.registrations, facts.offences,
            sentence.kind if sentence else None, sentence.date if sentence else None,
            sentence.length if sentence else None,
            sentence.indeterminate if sentence else None, facts.nationalities,
            facts.pdu_code, facts.provider_code, facts.country, facts.resourcing,
            policy.name, policy.effective_from, policy.levelled_up, on("risk.tier"),
            on("risk.rosh"), on("risk.rsr_percent"), on("risk.mappa_level"),
            on("event.sentence"), on("risk.registrations.HOI"), on("person.nationalities"),
            on("probation.pdu_code"), on("resourcing"))


def decide_allocation(facts: CaseFacts, policy: PolicyVersion) -> AllocationDecision:
    """Decide Retained/Enhanced or Allocated/Normal for one case (ALLOC-1, ALLOC-2, ALLOC-7).

    A supplied ``resourcing`` (e.g. a historic manual CAS) is used as the outcome; the
    computed outcome is still worked out and kept beside it.
    """
    readings = _tier(*tier_inputs(facts))
    recorded, computed_reading, tier = tier_readings_from(readings)
    *_, items = _allocation(*allocation_inputs(facts, policy, readings))
    reasons: list[Reason] = []
    missing: list[Missing] = []
    supplied_reason = None
    criteria = policy.criteria
    for rule, kind, field_name, value, day, explanation, _ in items:
        if kind == "supplied":
            supplied_reason = Reason(rule, field_name, value, day, explanation)
        elif rule.startswith("ALLOC-2") and rule not in criteria:
            continue
        elif kind == "reason":
            reasons.append(Reason(rule, field_name, value, day, explanation))
        else:
            missing.append(Missing(rule, field_name, explanation))
    codes = (recorded.code if recorded else None,
             computed_reading.code if computed_reading else None)
    computed: Outcome = RETAINED if reasons else ALLOCATED
    if supplied_reason is not None:
        supplied: Outcome = RETAINED if facts.resourcing == "ENHANCED" else ALLOCATED
        return AllocationDecision(
            facts.case_ref, facts.as_of, supplied, "supplied", policy.name,
            (supplied_reason,), (), tier, computed, *codes)
    return AllocationDecision(facts.case_ref, facts.as_of, computed, "computed", policy.name,
                              tuple(reasons), tuple(missing), tier, None, *codes)


def _offences_with(facts: CaseFacts, flag: str) -> list[str]:
    return [o.code for o in facts.offences if o.schedule_15 == flag]


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
