"""What the case page shows about responsibility and handover (HAND-3): who is responsible
and who supports, the start and handover dates, the reason in plain words, the policy
version, any override, and the history. Everything is read from stored decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from omp.cases.models import Person
from omp.decisions.models import CurrentHandover, HandoverRecord, ResponsibilityOverride
from omp.rules.handover_terms import REASON_TITLES


@dataclass(frozen=True)
class HandoverHistoryRow:
    """A stored handover decision and what changed from the one before."""

    record: HandoverRecord
    previous: HandoverRecord | None

    @property
    def change(self) -> str:
        """What changed, in words."""
        if self.previous is None:
            return "First decision"
        before, now = self.previous, self.record
        if before.responsibility != now.responsibility:
            return f"Changed from {before.label}"
        if (before.start_date, before.handover_date) != (now.start_date, now.handover_date):
            return "Dates changed"
        return "Reason or policy changed"


def reason_title(code: str) -> str:
    """A reason code in plain words."""
    return REASON_TITLES.get(code, code.replace("_", " "))


def handover_in_force(person: Person, at: datetime | None = None) -> HandoverRecord | None:
    """The current handover decision, or the one in force at ``at`` (CASE-4)."""
    if at is None:
        head = (CurrentHandover.objects.select_related("record__override__recorded_by")
                .filter(person_id=person.pk).first())
        return head.record if head else None
    return (HandoverRecord.objects.select_related("override__recorded_by")
            .filter(person_id=person.pk, decided_at__lt=at)
            .order_by("-decided_at", "-id").first())


def handover_history(person: Person) -> list[HandoverHistoryRow]:
    """Every stored handover decision, newest first."""
    records = list(person.handover_records.select_related("triggered_by", "override")
                   .order_by("id"))
    rows = [HandoverHistoryRow(record, records[index - 1] if index else None)
            for index, record in enumerate(records)]
    return rows[::-1]


def handover_context(person: Person, at: datetime | None, today: date) -> dict[str, Any]:
    """Template context for the handover part of the case page."""
    record = handover_in_force(person, at)
    overrides = list(ResponsibilityOverride.history.filter(person_id=person.pk)
                     .select_related("history_user").order_by("-history_date"))
    active = (ResponsibilityOverride.objects.filter(person=person, ended_at__isnull=True)
              .select_related("recorded_by").order_by("-id").first())
    return {
        "handover": record,
        "handover_reason": reason_title(record.reason) if record else "",
        "handover_history": handover_history(person),
        "override_active": active,
        "override_history": overrides,
        "days_to_handover": (record.handover_date - today).days
        if record and record.handover_date else None,
    }
