"""Supervision tier, two axes: protect level A–D and change level 0–3 (HANDOVER.md §8.1–8.2).

Two readings may exist: the tier recorded by the system of record, and the tier computed
here when its essential inputs exist (an RSR score and a RoSH level). The recorded tier may
rest on data this service does not hold (complexity registrations, OASys needs), and the
computed one on data newer than the recording, so neither is thrown away: the tier used is
the reading with the more serious protect level (A before D), and both are kept beside it so
a disagreement can be shown. Either way the result says where it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from omp.rules.expressions import (
    Expr,
    Family,
    add,
    after_first,
    all_,
    all_digits,
    any_,
    count_distinct_in,
    eq,
    fact,
    first_letter,
    ge,
    has,
    is_null,
    le,
    least,
    lt,
    ne,
    not_,
    one_of,
    present,
    sub,
    tens_of,
    to_int,
    upper,
    when,
)
from omp.rules.facts import CaseFacts

#: §8.1 complexity factors: 2 points for each distinct registration present.
COMPLEXITY_REGISTRATIONS = frozenset(
    {"RMDO", "ALSH", "RVLN", "RCCO", "RCPR", "RCHD", "RPIR", "RVAD", "STRG", "RTAO"}
)
ROSH_POINTS = {"VERY_HIGH": 150, "HIGH": 20, "MEDIUM": 10, "LOW": 0}
#: §8.2 section weights and (standard, severe) thresholds; SAN thresholds where they differ.
NEED_WEIGHTS = {
    "accommodation": 1, "ete": 1, "relationships": 1, "lifestyle": 1, "drugs": 1,
    "alcohol": 1, "thinking_and_behaviour": 2, "attitudes": 2,
}
NEED_THRESHOLDS = {
    "accommodation": (2, 7), "ete": (3, 7), "relationships": (2, 5), "lifestyle": (2, 5),
    "drugs": (2, 8), "alcohol": (4, 7), "thinking_and_behaviour": (4, 7), "attitudes": (2, 7),
}
SAN_THRESHOLDS = {
    "accommodation": (3, 5), "drugs": (2, 6), "alcohol": (2, 4),
    "thinking_and_behaviour": (3, 5), "attitudes": (1, 5),
}


@dataclass(frozen=True, slots=True)
class Tier:
    """A tier such as ``B2`` with the points behind it and where it came from."""

    protect: str
    change: int | None
    source: str  # "computed" or "recorded"
    protect_points: int | None = None
    change_points: int | None = None

    @property
    def code(self) -> str:
        """The tier as staff write it: ``B2``, or just ``B`` when the change level is unknown."""
        return f"{self.protect}{'' if self.change is None else self.change}"


# The rules of §8.1–8.2 as one table of expressions (omp.rules.expressions): the per-case
# evaluator and the column evaluator of ``decide`` both read it.
_RSR, _ROSH, _MAPPA = fact("rsr_percent"), fact("rosh"), fact("mappa_level")
_REGISTRATIONS = fact("registrations")


def _rsr_points(rsr: Expr) -> Expr:
    return when(all_(ge(rsr, Decimal("7.00")), le(rsr, Decimal("99.99"))), 20,
                when(all_(ge(rsr, Decimal("3.00")), le(rsr, Decimal("6.99"))), 10, 0))


def _mappa_points(level: Expr) -> Expr:
    return when(one_of(level, (2, 3)), 150, when(eq(level, 1), 5, 0))


def _rosh_points(rosh: Expr) -> Expr:
    return when(eq(rosh, "VERY_HIGH"), 150, when(eq(rosh, "HIGH"), 20,
                                                 when(eq(rosh, "MEDIUM"), 10, 0)))


def _protect_level(points: Expr) -> Expr:
    return when(ge(points, 150), "A", when(ge(points, 20), "B", when(ge(points, 10), "C", "D")))


def _change_of(points: Expr) -> Expr:
    return when(ge(points, 20), 3, when(ge(points, 10), 2, 1))


#: Inputs: the facts above, ``sex``-specific points and OASys needs points worked out in
#: Python from :class:`~omp.rules.facts.TierInputs` (which the interchange format does not
#: carry), the sentence type (the mandate for change) and the recorded tier.
TIER_FAMILY = Family(
    "tier",
    inputs=("rsr_percent", "rosh", "mappa_level", "registrations", "women_points",
            "needs_points", "ogrs3_2yr_percent", "sentence_kind", "tier_recorded"),
    derived=(
        ("rsr_pts", _rsr_points(_RSR)),
        ("rosh_pts", _rosh_points(_ROSH)),
        ("protect_points", when(
            all_(present(_RSR), present(_ROSH)),
            sub(add(fact("rsr_pts"), fact("rosh_pts"), _mappa_points(_MAPPA),
                    count_distinct_in(_REGISTRATIONS, COMPLEXITY_REGISTRATIONS),
                    count_distinct_in(_REGISTRATIONS, COMPLEXITY_REGISTRATIONS),
                    fact("women_points")),
                least(fact("rsr_pts"), fact("rosh_pts"))))),
        ("computed_protect", when(present(fact("protect_points")),
                                  _protect_level(fact("protect_points")))),
        ("change_points", when(
            all_(present(fact("sentence_kind")), present(fact("needs_points"))),
            add(fact("needs_points"),
                when(present(fact("ogrs3_2yr_percent")),
                     tens_of(fact("ogrs3_2yr_percent")), 0),
                when(has(_REGISTRATIONS, "IIOM"), 2, 0)))),
        ("scored_change", when(not_(present(fact("sentence_kind"))), 0,
                               when(present(fact("change_points")),
                                    _change_of(fact("change_points")), 2))),
        ("recorded_protect", when(present(fact("tier_recorded")),
                                  upper(first_letter(fact("tier_recorded"))))),
        ("recorded_change", when(all_(present(fact("tier_recorded")),
                                      all_digits(after_first(fact("tier_recorded")))),
                                 to_int(after_first(fact("tier_recorded"))))),
        ("keeps_recorded_change", all_(present(fact("computed_protect")),
                                       is_null(fact("change_points")),
                                       ne(fact("scored_change"), 0),
                                       present(fact("recorded_change")))),
        ("computed_change", when(present(fact("computed_protect")), when(
            fact("keeps_recorded_change"), fact("recorded_change"), fact("scored_change")))),
        ("computed_source", when(present(fact("computed_protect")), when(
            fact("keeps_recorded_change"), "computed protect level, recorded change level",
            "computed"))),
        ("computed_change_points", when(not_(fact("keeps_recorded_change")),
                                        fact("change_points"))),
        # The reading used: the more serious protect level (A first), the computed one
        # when they agree, else whichever exists.
        ("uses_recorded", all_(present(fact("recorded_protect")), any_(
            is_null(fact("computed_protect")),
            lt(fact("recorded_protect"), fact("computed_protect"))))),
    ),
    outputs=("computed_protect", "computed_change", "computed_source", "protect_points",
             "computed_change_points", "recorded_protect", "recorded_change", "uses_recorded",
             "change_points", "scored_change"),
)
_tier = TIER_FAMILY.compile()


def tier_inputs(facts: CaseFacts) -> tuple[Any, ...]:
    """The inputs of :data:`TIER_FAMILY` for one case, in order."""
    inputs = facts.tier_inputs
    needs = None if inputs is None or inputs.needs is None else \
        needs_points(inputs.needs, inputs.san_assessment)
    return (facts.rsr_percent, facts.rosh, facts.mappa_level, facts.registrations,
            _women_points(facts), needs, facts.ogrs3_2yr_percent,
            facts.sentence.kind if facts.sentence else None, facts.tier or None)


def tier_readings(facts: CaseFacts) -> tuple[Tier | None, Tier | None, Tier | None]:
    """The recorded reading, the computed one and the one the rules use."""
    return tier_readings_from(_tier(*tier_inputs(facts)))


def tier_readings_from(outputs: tuple[Any, ...]
                       ) -> tuple[Tier | None, Tier | None, Tier | None]:
    """:func:`tier_readings` from the outputs of the compiled :data:`TIER_FAMILY`."""
    (protect, change, source, points, change_points, recorded_protect, recorded_change,
     uses_recorded, *_) = outputs
    computed = None if protect is None else Tier(protect, change, source, points,
                                                 change_points)
    recorded = None if recorded_protect is None else Tier(recorded_protect, recorded_change,
                                                          "recorded")
    return recorded, computed, recorded if uses_recorded else computed


def _single(name: str, expr: Expr, *inputs: str) -> Callable[..., Any]:
    function = Family(name, inputs, (("result", expr),), (), ("result",)).compile()
    return lambda *values: function(*values)[0]


_rsr_points_of = _single("rsr_points", _rsr_points(_RSR), "rsr_percent")
_mappa_points_of = _single("mappa_points", _mappa_points(_MAPPA), "mappa_level")
_protect_level_of = _single("protect_level", _protect_level(fact("points")), "points")


def rsr_points(rsr: Decimal) -> int:
    """§8.1: 7.00–99.99 scores 20, 3.00–6.99 scores 10 (closed ranges), otherwise 0."""
    points: int = _rsr_points_of(rsr)
    return points


def mappa_points(level: int | None) -> int:
    """§8.1: MAPPA level 2 or 3 scores 150, level 1 scores 5."""
    points: int = _mappa_points_of(level)
    return points


def protect_points(facts: CaseFacts) -> int | None:
    """Protect points (§8.1), or ``None`` when RSR or RoSH is not recorded."""
    computed = tier_readings(facts)[1]
    return None if computed is None else computed.protect_points


def _women_points(facts: CaseFacts) -> int:
    if facts.sex != "F" or facts.tier_inputs is None:
        return 0
    inputs = facts.tier_inputs
    points = 0
    if (inputs.parental_responsibilities or 0) > 0:
        points += 2
    if (inputs.impulsivity or 0) > 0 or (inputs.temper_control or 0) > 0:
        points += 2
    if inputs.previous_enforcement:
        points += 2
    return points


def protect_level(points: int) -> str:
    """§8.1 bands: 150+ A, 20–149 B, 10–19 C, below 10 D."""
    level: str = _protect_level_of(points)
    return level


def mandate_for_change(facts: CaseFacts, unpaid_work_only: bool = False) -> bool:
    """§8.2: a custodial sentence, or a community order with more than unpaid work."""
    if facts.sentence is None or facts.sentence.kind is None:
        return False
    if facts.sentence.kind == "custodial":
        return True
    return not unpaid_work_only


def needs_points(needs: Mapping[str, int | None], san: bool = False) -> int:
    """§8.2: sum over sections of weight × severity (standard 1, severe 2)."""
    total = 0
    for section, score in needs.items():
        if score is None or section not in NEED_WEIGHTS:
            continue  # a section whose answers are all missing scores no need
        standard, severe = (SAN_THRESHOLDS if san else NEED_THRESHOLDS).get(
            section, NEED_THRESHOLDS[section]
        )
        severity = 2 if score >= severe else 1 if score >= standard else 0
        total += NEED_WEIGHTS[section] * severity
    return total


def change_level(facts: CaseFacts) -> tuple[int, int | None]:
    """§8.2: the change level and, when scored, its points."""
    *_, points, scored, _ = _tier(*tier_inputs(facts))
    return scored, points


#: Protect levels from the most serious.
PROTECT_ORDER = "ABCD"


def computed_tier(facts: CaseFacts) -> Tier | None:
    """The tier computed from the facts held here, or ``None`` without an RSR and a RoSH.

    The protect level needs an RSR score and a RoSH level; the change level needs a
    mandate for change and an OASys needs assessment. Where the assessment is absent but a
    tier was recorded, the recorded change level stands rather than the service's default 2.
    """
    return tier_readings(facts)[1]


def recorded_tier(facts: CaseFacts) -> Tier | None:
    """The tier as the system of record recorded it, or ``None``."""
    return tier_readings(facts)[0]


def more_serious(recorded: Tier | None, computed: Tier | None) -> Tier | None:
    """Of the two readings, the one with the more serious protect level (the computed one
    when they agree), else whichever exists."""
    if computed is None or recorded is None:
        return computed or recorded
    if PROTECT_ORDER.index(recorded.protect) < PROTECT_ORDER.index(computed.protect):
        return recorded
    return computed


def supervision_tier(facts: CaseFacts) -> Tier | None:
    """The tier the rules use: of the recorded and the computed readings, the one with the
    more serious protect level (the computed one when they agree), else whichever exists.

    So a case recorded as tier B stays tier B for ALLOC-2a, the handover and the POM type
    even when the inputs held here compute C, and a computed A is not hidden by a stale
    recorded C.
    """
    return tier_readings(facts)[2]


def tiers_disagree(facts: CaseFacts) -> bool:
    """True when a recorded and a computed tier both exist and their protect levels differ."""
    recorded, computed, _ = tier_readings(facts)
    return recorded is not None and computed is not None and \
        recorded.protect != computed.protect
