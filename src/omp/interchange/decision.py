"""The decision object ``decide`` writes and the API returns (INTERCHANGE.md, "Decision")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from omp.rules.allocation import RETAINED, AllocationDecision, decide_allocation
from omp.rules.facts import CaseFacts, Resourcing
from omp.rules.handover import HandoverDecision, PomType, decide_handover, recommend_pom_type
from omp.rules.policy import BUILT_IN_VERSIONS, PolicyVersion, policy_in_force, policy_named


@dataclass(frozen=True, slots=True)
class CaseDecision:
    """Everything decided for one case under one policy version: the allocation (ALLOC),
    responsibility and handover (HAND) and the POM type recommended."""

    allocation: AllocationDecision
    handover: HandoverDecision | None
    pom_type: PomType | None


def policy_for(facts: CaseFacts, versions: Sequence[PolicyVersion] = BUILT_IN_VERSIONS,
               policy_name: str | None = None) -> PolicyVersion:
    """The named policy version, or the one in force on the case's ``as_of``."""
    if policy_name:
        return policy_named(versions, policy_name)
    return policy_in_force(versions, facts.as_of, _country(facts), facts.region_code)


def decide_case(
    facts: CaseFacts, versions: Sequence[PolicyVersion] = BUILT_IN_VERSIONS,
    policy_name: str | None = None,
) -> AllocationDecision:
    """Decide one case under the named policy version, or the one in force on ``as_of``."""
    return decide_allocation(facts, policy_for(facts, versions, policy_name))


def handover_for(facts: CaseFacts, allocation: AllocationDecision, policy: PolicyVersion
                 ) -> tuple[HandoverDecision | None, PomType | None]:
    """Handover and POM type, fed by the allocation outcome (a supplied ``resourcing`` is
    already that outcome, as INTERCHANGE.md says)."""
    resourcing: Resourcing = "ENHANCED" if allocation.outcome == RETAINED else "NORMAL"
    handover = decide_handover(facts, policy, resourcing)
    tier = allocation.tier.code if allocation.tier else facts.tier
    return handover, recommend_pom_type(facts, handover, tier)


def decide_everything(
    facts: CaseFacts, versions: Sequence[PolicyVersion] = BUILT_IN_VERSIONS,
    policy_name: str | None = None,
) -> CaseDecision:
    """Allocation, handover and POM type for one case, all under the same policy version."""
    policy = policy_for(facts, versions, policy_name)
    allocation = decide_allocation(facts, policy)
    return CaseDecision(allocation, *handover_for(facts, allocation, policy))


def _country(facts: CaseFacts) -> str | None:
    welsh = facts.is_welsh
    return None if welsh is None else "Wales" if welsh else "England"


def decision_dict(decided: CaseDecision) -> dict[str, Any]:
    """The published decision shape. ``pathway`` is ``null`` until the pathway rules are
    built."""
    decision = decided.allocation
    return {
        "case_ref": decision.case_ref,
        "as_of": decision.as_of.isoformat(),
        "policy_version": decision.policy_version,
        "allocation": decision.allocation_dict(),
        "tier": decision.tier.code if decision.tier else None,
        "tier_source": decision.tier.source if decision.tier else None,
        "tier_recorded": decision.tier_recorded,
        "tier_computed": decision.tier_computed,
        "handover": decided.handover.to_dict() if decided.handover else None,
        "pom_type": decided.pom_type,
        "pathway": None,
    }


def error_dict(case_ref: Any, field: str, message: str) -> dict[str, Any]:
    """The object written in place of a decision for an invalid line."""
    return {"case_ref": case_ref, "error": {"field": field, "message": message}}


def flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects to dotted keys, as CSV and Parquet carry them; lists stay as JSON."""
    flat: dict[str, Any] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def unflatten(row: dict[str, Any]) -> dict[str, Any]:
    """Dotted keys back to nested objects (the inverse of :func:`flatten`)."""
    nested: dict[str, Any] = {}
    for key, value in row.items():
        parts = key.split(".")
        target = nested
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return nested


def keys_in_order(rows: Iterable[dict[str, Any]]) -> list[str]:
    """All keys of ``rows``, in first-seen order (the header of a CSV export)."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)
