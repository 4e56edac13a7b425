"""Writers of decision-side data: policy versions (ALLOC-7)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from omp.cases.models import Region
from omp.decisions.models import PolicyVersionRecord
from omp.rules.policy import ALLOCATION_CRITERIA, COUNTRIES


class PolicyInputError(ValueError):
    """A policy version that cannot be scheduled; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@transaction.atomic
def schedule_policy(user: Any, name: str, effective_from: str | date, scope: str | None = None,
                    levelled_up: bool = False, handover_era: str = "E", description: str = "",
                    criteria: list[str] | None = None) -> PolicyVersionRecord:
    """Add a policy version in force from ``effective_from`` for ``scope`` (national when
    ``None``). Past decisions keep the version they were made under."""
    if not name or len(name) > 30:
        raise PolicyInputError("name", "Give the version a name of 1 to 30 characters")
    if PolicyVersionRecord.objects.filter(name=name).exists():
        raise PolicyInputError("name", f"A policy version called {name!r} already exists")
    try:
        start = (effective_from if isinstance(effective_from, date)
                 else date.fromisoformat(effective_from))
    except ValueError:
        raise PolicyInputError("effective_from", "Enter a date as YYYY-MM-DD") from None
    if scope and scope not in COUNTRIES and not Region.objects.filter(code=scope).exists():
        raise PolicyInputError("scope", f"{scope!r} is neither England, Wales nor a region code")
    if handover_era not in ("B", "C", "D", "E"):
        raise PolicyInputError("handover_era", "Handover era must be B, C, D or E")
    chosen = criteria or list(ALLOCATION_CRITERIA)
    unknown = sorted(set(chosen) - set(ALLOCATION_CRITERIA))
    if unknown:
        raise PolicyInputError("criteria", f"Unknown criteria: {', '.join(unknown)}")
    record = PolicyVersionRecord(name=name, effective_from=start, scope=scope or "",
                                 criteria=sorted(chosen), levelled_up=levelled_up,
                                 handover_era=handover_era, description=description)
    record._history_user = user if getattr(user, "pk", None) else None  # type: ignore[attr-defined]
    record.save()
    return record
