"""The decision object ``decide`` writes (INTERCHANGE.md, "Decision"), and the flattening
that CSV and Parquet need. Deciding is :mod:`omp.rules.pipeline`'s."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from omp.rules.pipeline import CaseDecision


def decision_dict(decided: CaseDecision) -> dict[str, Any]:
    """The published decision shape, with its warnings."""
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
        "pathway": decided.pathway.pathway if decided.pathway else None,
        "pathway_reason": decided.pathway.to_dict() if decided.pathway else None,
        "warnings": [warning.to_dict() for warning in decided.warnings],
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
