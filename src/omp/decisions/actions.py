"""The actions that change a case or its decisions, each in one transaction with the
recompute of the case's decisions: recording RSR/OSP (ALLOC-6), an import line, correcting
custody dates, responsibility overrides (HANDOVER §1.1), and policy versions (ALLOC-7),
scheduled, corrected before they start, or withdrawn before they start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from omp.access import CUSTODY_EDITORS, OVERRIDE_EDITORS, RSR_OSP_EDITORS, require_role
from omp.cases.actions import apply_case_facts, write_custody_dates, write_rsr_osp
from omp.cases.models import CustodySpell, Person, Region
from omp.clock import today
from omp.decisions.models import AllocationDecision, PolicyVersionRecord, ResponsibilityOverride
from omp.decisions.recompute import recompute_case
from omp.rules.facts import CaseFacts
from omp.rules.handover import HANDOVER_ERAS
from omp.rules.policy import ALLOCATION_CRITERIA, COUNTRIES


@transaction.atomic
def record_rsr_osp(user: Any, person: Person, rsr: Any = None, osp: str | None = None,
                   assessed_on: date | None = None) -> AllocationDecision:
    """Record a new RSR score and/or OSP level (ALLOC-6: court staff and admins only), and
    recompute the decision in the same transaction."""
    require_role(user, RSR_OSP_EDITORS)
    write_rsr_osp(user, person, rsr, osp, assessed_on)
    return recompute_case(person, today(), "change", user)


@dataclass
class UpsertResult:
    """What an upsert did to one case, and the warnings about its data: what could not be
    recorded, and what the decision was made despite (they are on the decision too)."""

    person: Person
    created: bool
    decision: AllocationDecision
    warnings: list[tuple[str, str]]


def upsert_case(user: Any, facts: CaseFacts, recompute_on: date | None = None) -> UpsertResult:
    """Make the record of one case say what ``facts`` say (one line of an import) and
    recompute its decisions. Runs in the caller's transaction (the importer's savepoint)."""
    person, created, warnings = apply_case_facts(user, facts)
    decision = recompute_case(person, recompute_on or today(), "import", user)
    warnings += [(w["field"], w["message"]) for w in decision.warnings]
    return UpsertResult(person, created, decision, warnings)


@transaction.atomic
def record_custody_dates(user: Any, person: Person, changes: dict[str, Any]) -> CustodySpell:
    """Correct the dates of the current custody spell (the prison's offender management
    unit) and recompute the case in the same transaction. Contradictory dates are refused
    with the field named, and nothing is saved."""
    require_role(user, CUSTODY_EDITORS)
    spell = write_custody_dates(user, person, changes)
    recompute_case(person, today(), "change", user)
    return spell


class PolicyInputError(ValueError):
    """A policy version that cannot be scheduled; ``field`` names the input at fault.
    ``problems`` holds every (field, message) found at once, the first of them included."""

    def __init__(self, field: str, message: str,
                 problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.problems = problems or [(field, message)]


def check_policy(name: str, effective_from: str | date, scope: str | None, handover_era: str,
                 criteria: list[str] | None, existing: PolicyVersionRecord | None = None
                 ) -> tuple[date, list[str]]:
    """Check a policy version's inputs; return its first day and its sorted criteria.

    Raises :class:`PolicyInputError` naming the first input at fault. ``existing`` is the
    version being revised, whose own name does not count as taken.
    """
    if not name or len(name) > 30:
        raise PolicyInputError("name", "Give the version a name of 1 to 30 characters")
    taken = PolicyVersionRecord.objects.filter(name=name)
    if existing is not None:
        taken = taken.exclude(pk=existing.pk)
    if taken.exists():
        raise PolicyInputError("name", f"A policy version called {name!r} already exists")
    try:
        start = (effective_from if isinstance(effective_from, date)
                 else date.fromisoformat(effective_from))
    except ValueError:
        raise PolicyInputError("effective_from", "Enter a date as YYYY-MM-DD") from None
    if scope and scope not in COUNTRIES and not Region.objects.filter(code=scope).exists():
        raise PolicyInputError("scope", f"{scope!r} is neither England, Wales nor a region code")
    if handover_era not in HANDOVER_ERAS:
        raise PolicyInputError("handover_era", "Handover era must be "
                               f"{', '.join(HANDOVER_ERAS[:-1])} or {HANDOVER_ERAS[-1]}")
    chosen = criteria or list(ALLOCATION_CRITERIA)
    unknown = sorted(set(chosen) - set(ALLOCATION_CRITERIA))
    if unknown:
        raise PolicyInputError("criteria", f"Unknown criteria: {', '.join(unknown)}")
    return start, sorted(chosen)


def _save(record: PolicyVersionRecord, user: Any) -> None:
    record._history_user = user if getattr(user, "pk", None) else None
    record.save()


@transaction.atomic
def schedule_policy(user: Any, name: str, effective_from: str | date, scope: str | None = None,
                    levelled_up: bool = False, handover_era: str = "E", description: str = "",
                    criteria: list[str] | None = None) -> PolicyVersionRecord:
    """Add a policy version in force from ``effective_from`` for ``scope`` (national when
    ``None``). Past decisions keep the version they were made under."""
    start, chosen = check_policy(name, effective_from, scope, handover_era, criteria)
    record = PolicyVersionRecord(name=name, effective_from=start, scope=scope or "",
                                 criteria=chosen, levelled_up=levelled_up,
                                 handover_era=handover_era, description=description)
    _save(record, user)
    return record


def _not_yet_in_force(record: PolicyVersionRecord, doing: str) -> None:
    # A version in force has decided cases; changing it would rewrite what those
    # decisions were made under (ALLOC-7), so only scheduled versions may change.
    if record.effective_from <= today():
        raise PolicyInputError("effective_from", f"Policy {record.name} is already in force, "
                                                 f"so it cannot be {doing}: schedule a new "
                                                 "version instead")


@transaction.atomic
def revise_policy(user: Any, record: PolicyVersionRecord, name: str, effective_from: str | date,
                  scope: str | None = None, levelled_up: bool = False, handover_era: str = "E",
                  description: str = "", criteria: list[str] | None = None
                  ) -> PolicyVersionRecord:
    """Change a policy version that is not yet in force (a correction before its start)."""
    stored = PolicyVersionRecord.objects.select_for_update().get(pk=record.pk)
    _not_yet_in_force(stored, "changed")
    start, chosen = check_policy(name, effective_from, scope, handover_era, criteria, stored)
    stored.name, stored.effective_from, stored.scope = name, start, scope or ""
    stored.criteria, stored.levelled_up = chosen, levelled_up
    stored.handover_era, stored.description = handover_era, description
    _save(stored, user)
    return stored


@transaction.atomic
def withdraw_policy(user: Any, record: PolicyVersionRecord) -> None:
    """Delete a policy version that is not yet in force; its history row keeps it."""
    stored = PolicyVersionRecord.objects.select_for_update().get(pk=record.pk)
    _not_yet_in_force(stored, "withdrawn")
    stored._history_user = user if getattr(user, "pk", None) else None
    stored.delete()


# --- responsibility overrides (HANDOVER §1.1) -----------------------------------------------

def _override_inputs(value: str, reason: str, reason_text: str) -> str:
    from omp.rules.handover_terms import OVERRIDE_REASONS

    # Every problem at once, so that the person typing corrects them in one go.
    problems = []
    if value not in ("Prison", "Probation"):
        problems.append(("value", "Choose Prison or Probation"))
    if reason not in OVERRIDE_REASONS:
        problems.append(("reason", "Choose a reason for the override"))
    text = (reason_text or "").strip()
    if any(not ch.isprintable() and ch not in "\n\r\t" for ch in text):
        problems.append(("reason_text", "Remove the control characters from the details"))
    elif reason == "other" and not text:
        problems.append(("reason_text", "Say why: a reason of \"other\" needs details"))
    elif len(text) > 500:
        problems.append(("reason_text", "Keep the details to 500 characters or fewer"))
    if problems:
        raise PolicyInputError(*problems[0], problems=problems)
    return text


@transaction.atomic
def record_override(user: Any, person: Any, value: str, reason: str, reason_text: str = ""
                    ) -> Any:
    """A head of offender management sets who is responsible (§1.1); it wins over the
    calculation until ended, replaces any active override, and the case is recomputed in
    the same transaction so the history shows it."""

    require_role(user, OVERRIDE_EDITORS)
    text = _override_inputs(value, reason, reason_text)
    if not person.custody_spells.filter(is_current=True).exists():
        raise PolicyInputError("value", "The person is not in custody, so there is no "
                                        "handover to override")
    now = timezone.now()
    for active in ResponsibilityOverride.objects.select_for_update().filter(
            person=person, ended_at__isnull=True):
        active.ended_at, active.ended_by = now, user
        _save(active, user)
    override = ResponsibilityOverride(person=person, value=value, reason=reason,
                                      reason_text=text, recorded_by=user)
    _save(override, user)
    recompute_case(person, today(), "change", user)
    return override


@transaction.atomic
def end_override(user: Any, person: Any) -> None:
    """End the case's active override: the calculation holds again (kept in history)."""

    require_role(user, OVERRIDE_EDITORS)
    active = list(ResponsibilityOverride.objects.select_for_update().filter(
        person=person, ended_at__isnull=True))
    if not active:
        raise PolicyInputError("value", "There is no override to end")
    for override in active:
        override.ended_at, override.ended_by = timezone.now(), user
        _save(override, user)
    recompute_case(person, today(), "change", user)
