"""One decision pipeline for every path — ``decide``, the recompute on change, the nightly
run and the what-if: the policy version, then the allocation (ALLOC), which feeds the
handover (HAND-1..3) and the POM type, the pathway (PATH-1), with the warnings about data
the rules cannot use.

A contradiction in an extract does not cost the case its decision (ALLOC-1: no case is left
without one). It is a warning naming the field; only a part that the contradiction makes
impossible is left out — a release date before the sentence start leaves the handover and
the POM type ``None``, and the warning says why — and every other part is still decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from omp.rules.allocation import RETAINED, AllocationDecision, decide_allocation
from omp.rules.facts import CaseFacts, Resourcing
from omp.rules.handover import (
    HandoverDecision,
    check_custody_dates,
    decide_handover,
    recommend_pom_type,
    releases_before_start,
    with_override,
)
from omp.rules.handover_terms import OverrideValue, PomType
from omp.rules.pathway import PathwayDecision, decide_pathway
from omp.rules.policy import BUILT_IN_VERSIONS, PolicyVersion, policy_in_force, policy_named


@dataclass(frozen=True, slots=True)
class DataWarning:
    """Data that contradicts itself or that the rules cannot use, named by its field."""

    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """The ``{"field", "message"}`` object of the published decision."""
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True, slots=True)
class CaseDecision:
    """Everything decided for one case under one policy version: the allocation (ALLOC),
    responsibility and handover (HAND), the POM type recommended and the pathway (PATH-1),
    with the warnings."""

    allocation: AllocationDecision
    handover: HandoverDecision | None
    pom_type: PomType | None
    warnings: tuple[DataWarning, ...] = ()
    pathway: PathwayDecision | None = None


@dataclass(frozen=True, slots=True)
class Override:
    """A head of offender management's responsibility override (HANDOVER §1.1)."""

    id: int
    value: OverrideValue
    words: str


def policy_for(facts: CaseFacts, versions: Sequence[PolicyVersion] = BUILT_IN_VERSIONS,
               policy_name: str | None = None) -> PolicyVersion:
    """The named policy version, or the one in force on the case's ``as_of``."""
    if policy_name:
        return policy_named(versions, policy_name)
    welsh = facts.is_welsh
    country = None if welsh is None else "Wales" if welsh else "England"
    return policy_in_force(versions, facts.as_of, country, facts.region_code)


def resourcing_for(outcome: str | None, levelled_up: bool = False) -> Resourcing | None:
    """HAND-1: the resourcing an allocation outcome gives the handover (``None`` when there
    is no outcome); a levelled-up policy resources every case as enhanced (ALLOC-7)."""
    if outcome is None:
        return None
    return "ENHANCED" if outcome == RETAINED or levelled_up else "NORMAL"


def data_warnings(facts: CaseFacts) -> tuple[DataWarning, ...]:
    """Every contradiction in the facts, each naming its field; the handover's, when it
    cannot be decided, says so."""
    blocking = {name for name, _ in releases_before_start(facts)}
    return tuple(
        DataWarning(name, f"{message}: the handover is not decided until it is corrected"
                    if name in blocking else message)
        for name, message in check_custody_dates(facts))


def decide_handover_part(facts: CaseFacts, policy: PolicyVersion, outcome: str | None,
                         tier: str | None, override: Override | None = None
                         ) -> tuple[HandoverDecision | None, PomType | None]:
    """The handover decision (with an active override applied) and the POM type, fed by the
    allocation ``outcome`` and the ``tier`` it used; both ``None`` when a release date
    precedes the sentence start (there is nothing sound to count back from)."""
    if releases_before_start(facts):
        return None, None
    decision = decide_handover(facts, policy, resourcing_for(outcome))
    if decision is not None and override is not None:
        decision = with_override(decision, override.value, override.words)
    return decision, recommend_pom_type(facts, decision, tier)


def decide_everything(facts: CaseFacts, policy: PolicyVersion,
                      override: Override | None = None) -> CaseDecision:
    """Allocation, handover, POM type and warnings for one case under ``policy``."""
    allocation = decide_allocation(facts, policy)
    tier = allocation.tier.code if allocation.tier else facts.tier
    handover, pom_type = decide_handover_part(facts, policy, allocation.outcome, tier,
                                              override)
    return CaseDecision(allocation, handover, pom_type, data_warnings(facts),
                        decide_pathway(facts))


def decide_in_force(facts: CaseFacts, versions: Sequence[PolicyVersion] = BUILT_IN_VERSIONS,
                    policy_name: str | None = None) -> CaseDecision:
    """:func:`decide_everything` under the named version, or the one in force on ``as_of``."""
    return decide_everything(facts, policy_for(facts, versions, policy_name))
