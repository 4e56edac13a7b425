"""Supervision tier, two axes: protect level A–D and change level 0–3 (HANDOVER.md §8.1–8.2).

Two readings may exist: the tier recorded by the system of record, and the tier computed
here when its essential inputs exist (an RSR score and a RoSH level). The recorded tier may
rest on data this service does not hold (complexity registrations, OASys needs), and the
computed one on data newer than the recording, so neither is thrown away: the tier used is
the reading with the more serious protect level (A before D), and both are kept beside it so
a disagreement can be shown. Either way the result says where it came from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from omp.rules.facts import CaseFacts, TierInputs

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


def rsr_points(rsr: Decimal) -> int:
    """§8.1: 7.00–99.99 scores 20, 3.00–6.99 scores 10 (closed ranges), otherwise 0."""
    if Decimal("7.00") <= rsr <= Decimal("99.99"):
        return 20
    if Decimal("3.00") <= rsr <= Decimal("6.99"):
        return 10
    return 0


def mappa_points(level: int | None) -> int:
    """§8.1: MAPPA level 2 or 3 scores 150, level 1 scores 5."""
    return {2: 150, 3: 150, 1: 5}.get(level or 0, 0)


def protect_points(facts: CaseFacts) -> int | None:
    """Protect points (§8.1), or ``None`` when RSR or RoSH is not recorded."""
    if facts.rsr_percent is None or facts.rosh is None:
        return None
    from_rsr = rsr_points(facts.rsr_percent)
    from_rosh = ROSH_POINTS[facts.rosh]
    complexity = 2 * len(COMPLEXITY_REGISTRATIONS.intersection(facts.registrations))
    total = from_rsr + from_rosh + mappa_points(facts.mappa_level) + complexity
    total += _women_points(facts)
    # Only the larger of the RSR and RoSH points counts.
    return total - min(from_rsr, from_rosh)


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
    if points >= 150:
        return "A"
    if points >= 20:
        return "B"
    if points >= 10:
        return "C"
    return "D"


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
    if not mandate_for_change(facts):
        return 0, None
    inputs: TierInputs | None = facts.tier_inputs
    if inputs is None or inputs.needs is None:
        return 2, None  # no valid OASys assessment
    points = needs_points(inputs.needs, inputs.san_assessment)
    if facts.ogrs3_2yr_percent is not None:
        points += math.floor(facts.ogrs3_2yr_percent / 10)
    if "IIOM" in facts.registrations:
        points += 2
    level = 3 if points >= 20 else 2 if points >= 10 else 1
    return level, points


#: Protect levels from the most serious.
PROTECT_ORDER = "ABCD"


def computed_tier(facts: CaseFacts) -> Tier | None:
    """The tier computed from the facts held here, or ``None`` without an RSR and a RoSH.

    The protect level needs an RSR score and a RoSH level; the change level needs a
    mandate for change and an OASys needs assessment. Where the assessment is absent but a
    tier was recorded, the recorded change level stands rather than the service's default 2.
    """
    points = protect_points(facts)
    if points is None:
        return None
    recorded = _recorded(facts.tier)
    change, change_pts = change_level(facts)
    if change_pts is None and change != 0 and recorded is not None and recorded.change is not None:
        return Tier(protect_level(points), recorded.change, "computed protect level, recorded "
                    "change level", points, None)
    return Tier(protect_level(points), change, "computed", points, change_pts)


def recorded_tier(facts: CaseFacts) -> Tier | None:
    """The tier as the system of record recorded it, or ``None``."""
    return _recorded(facts.tier)


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
    return more_serious(recorded_tier(facts), computed_tier(facts))


def tiers_disagree(facts: CaseFacts) -> bool:
    """True when a recorded and a computed tier both exist and their protect levels differ."""
    recorded, computed = recorded_tier(facts), computed_tier(facts)
    return recorded is not None and computed is not None and \
        recorded.protect != computed.protect


def _recorded(tier: str | None) -> Tier | None:
    if not tier:
        return None
    letter, digits = tier[0].upper(), tier[1:]
    return Tier(letter, int(digits) if digits.isdigit() else None, "recorded")
