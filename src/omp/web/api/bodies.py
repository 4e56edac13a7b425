"""Stored records in the shapes of :mod:`omp.web.api.schemas`."""

from __future__ import annotations

from typing import Any

from omp.decisions.models import AllocationDecision
from omp.rules.allocation import CRITERIA_TITLES
from omp.web.screen import HistoryRow


def decision_body(decision: AllocationDecision, case_ref: str) -> dict[str, Any]:
    """A stored decision with its reasons and missing data, each with its plain title."""
    user = decision.triggered_by
    return {
        "id": decision.pk, "case_ref": case_ref, "outcome": decision.outcome,
        "outcome_label": decision.label, "source": decision.source,
        "policy_version": decision.policy_version, "as_of": decision.as_of,
        "decided_at": decision.decided_at, "trigger": decision.trigger,
        "triggered_by": user.get_username() if user else None,
        "tier": decision.tier or None, "tier_source": decision.tier_source or None,
        "reasons": [{**reason, "title": CRITERIA_TITLES.get(reason["rule"], reason["rule"])}
                    for reason in decision.reasons],
        "missing": [{**item, "title": CRITERIA_TITLES.get(item["rule"], item["rule"])}
                    for item in decision.missing],
    }


def history_body(row: HistoryRow, case_ref: str) -> dict[str, Any]:
    """A decision in the history with the outcome it replaced."""
    return {**decision_body(row.decision, case_ref), "previous_outcome": row.previous_outcome,
            "outcome_changed": row.outcome_changed}
