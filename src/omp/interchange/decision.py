"""The decision object ``decide`` writes and the API returns (INTERCHANGE.md, "Decision")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from omp.rules.allocation import AllocationDecision, decide_allocation
from omp.rules.facts import CaseFacts
from omp.rules.policy import BUILT_IN_VERSIONS, PolicyVersion, policy_in_force, policy_named


def decide_case(
    facts: CaseFacts, versions: Sequence[PolicyVersion] = BUILT_IN_VERSIONS,
    policy_name: str | None = None,
) -> AllocationDecision:
    """Decide one case under the named policy version, or the one in force on ``as_of``."""
    policy = (policy_named(versions, policy_name) if policy_name
              else policy_in_force(versions, facts.as_of, _country(facts), facts.region_code))
    return decide_allocation(facts, policy)


def _country(facts: CaseFacts) -> str | None:
    welsh = facts.is_welsh
    return None if welsh is None else "Wales" if welsh else "England"


def decision_dict(decision: AllocationDecision) -> dict[str, Any]:
    """The published decision shape. ``handover``, ``pom_type`` and ``pathway`` are ``null``
    until the rule families that fill them are built."""
    return {
        "case_ref": decision.case_ref,
        "as_of": decision.as_of.isoformat(),
        "policy_version": decision.policy_version,
        "allocation": decision.allocation_dict(),
        "tier": decision.tier.code if decision.tier else None,
        "tier_source": decision.tier.source if decision.tier else None,
        "handover": None,
        "pom_type": None,
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
