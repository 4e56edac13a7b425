"""Export the current decision of every case as interchange decision objects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from omp.decisions.models import CurrentDecision
from omp.interchange.files import write_records


def current_decisions(chunk: int = 5_000, heads: QuerySet[CurrentDecision] | None = None
                      ) -> Iterator[dict[str, Any]]:
    """The current decision of every case (or of ``heads``) in the published shape, in case
    order."""
    rows = ((CurrentDecision.objects.all() if heads is None else heads)
            .select_related("decision", "person").order_by("person_id").values_list(
                "person__case_ref", "as_of", "decision__policy_version", "decision__outcome",
                "decision__source", "decision__reasons", "decision__missing", "decision__tier",
                "decision__tier_source", "decision__decided_at"))
    for (case_ref, as_of, policy, outcome, source, reasons, missing, tier, tier_source,
         decided_at) in rows.iterator(chunk_size=chunk):
        yield {
            "case_ref": case_ref, "as_of": as_of.isoformat(), "policy_version": policy,
            "allocation": {"outcome": outcome, "source": source, "reasons": reasons,
                           "missing": missing},
            "tier": tier or None, "tier_source": tier_source or None,
            "handover": None, "pom_type": None, "pathway": None,
            "decided_at": decided_at.isoformat(),
        }


def export_decisions(path: Path) -> int:
    """Write current decisions to ``path`` (.jsonl, .jsonl.gz, .csv or .parquet)."""
    return write_records(path, current_decisions())
