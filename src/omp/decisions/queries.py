"""What the decision screen shows about the current decision: the criteria that held and
the data behind them, what is missing, the checklist of ALLOC-2 a–g, and the history.

Everything here reads stored decisions; nothing is decided again for display, so the
screen shows exactly what was recorded (ALLOC-4, ALLOC-5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from omp.cases.display import field_label, iso_date, value_words
from omp.cases.models import Person
from omp.decisions.models import (
    OUTCOMES,
    AllocationDecision,
    CurrentDecision,
    PolicyVersionRecord,
)
from omp.rules.allocation import CRITERIA_TITLES
from omp.rules.policy import ALLOCATION_CRITERIA, BUILT_IN_VERSIONS, PolicyVersion

HELD, NOT_HELD, MISSING, NOT_IN_POLICY, NOT_USED = (
    "held", "not_held", "missing", "not_in_policy", "not_used")
STATUS_LABELS = {HELD: "Held", NOT_HELD: "Not held", MISSING: "Missing data",
                 NOT_IN_POLICY: "Not in this policy", NOT_USED: "Not used"}
STATUS_TAGS = {HELD: "govuk-tag--purple", NOT_HELD: "govuk-tag--grey",
               MISSING: "govuk-tag--yellow", NOT_IN_POLICY: "govuk-tag--grey",
               NOT_USED: "govuk-tag--grey"}


@dataclass(frozen=True)
class ReasonRow:
    """A criterion that held, with the field, value and date it came from."""

    rule: str
    title: str
    field: str
    field_label: str
    value: str
    date: date | None
    explanation: str


@dataclass(frozen=True)
class MissingRow:
    """A criterion that could not be checked, and the data it lacked."""

    rule: str
    title: str
    field: str
    field_label: str
    explanation: str


@dataclass(frozen=True)
class CriterionRow:
    """One line of the ALLOC-2 checklist."""

    rule: str
    letter: str
    title: str
    status: str
    details: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        """The status in words."""
        return STATUS_LABELS[self.status]

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag colour for the status."""
        return STATUS_TAGS[self.status]


@dataclass(frozen=True)
class HistoryRow:
    """A stored decision and how its outcome compares with the one before it."""

    decision: AllocationDecision
    previous_outcome: str | None

    @property
    def outcome_changed(self) -> bool:
        """True for the first decision and for every change of outcome."""
        return self.previous_outcome != self.decision.outcome

    @property
    def change(self) -> str:
        """What changed, in words."""
        if self.previous_outcome is None:
            return "First decision"
        if self.outcome_changed:
            return f"Changed from {dict(OUTCOMES)[self.previous_outcome]}"
        return "Outcome unchanged; the reasons or data changed"


def current_decision(person: Person) -> AllocationDecision | None:
    """The case's current decision, or ``None`` if it has never been decided."""
    head = (CurrentDecision.objects.select_related("decision__triggered_by")
            .filter(person_id=person.pk).first())
    return head.decision if head else None


def decision_in_force(person: Person, moment: datetime) -> AllocationDecision | None:
    """The decision that was current at ``moment``: the latest made before it (decisions
    are never changed, so the history answers this exactly)."""
    return (AllocationDecision.objects.select_related("triggered_by")
            .filter(person_id=person.pk, decided_at__lt=moment)
            .order_by("-decided_at", "-id").first())


def reason_rows(decision: AllocationDecision) -> list[ReasonRow]:
    """Every criterion that held, in the order the rules report them."""
    return [ReasonRow(r["rule"], CRITERIA_TITLES.get(r["rule"], r["rule"]), r["field"],
                      field_label(r["field"]), value_words(r["field"], r.get("value")),
                      iso_date(r.get("date")), r.get("explanation", ""))
            for r in decision.reasons]


def missing_rows(decision: AllocationDecision) -> list[MissingRow]:
    """Every criterion that could not be checked for want of data."""
    return [MissingRow(m["rule"], CRITERIA_TITLES.get(m["rule"], m["rule"]), m["field"],
                       field_label(m["field"]), m.get("explanation", ""))
            for m in decision.missing]


def policy_version(name: str) -> PolicyVersion | None:
    """The policy version a decision names, from the database or the built-in eras."""
    record = PolicyVersionRecord.objects.filter(name=name).first()
    if record is not None:
        return record.as_rule()
    return next((v for v in BUILT_IN_VERSIONS if v.name == name), None)


def checklist(decision: AllocationDecision, policy: PolicyVersion | None) -> list[CriterionRow]:
    """All seven ALLOC-2 criteria: held, not held, or not checkable for missing data.

    A criterion both held and short of data (ALLOC-2f with no nationality recorded) is
    held, and its missing data is listed with it.
    """
    in_force = policy.criteria if policy else frozenset(ALLOCATION_CRITERIA)
    rows = []
    for rule in ALLOCATION_CRITERIA:
        held = [r["explanation"] for r in decision.reasons if r["rule"] == rule]
        lacking = [m["explanation"] for m in decision.missing if m["rule"] == rule]
        if decision.source == "supplied":
            status = NOT_USED
        elif rule not in in_force:
            status = NOT_IN_POLICY
        else:
            status = HELD if held else MISSING if lacking else NOT_HELD
        rows.append(CriterionRow(rule, rule[-1], CRITERIA_TITLES[rule], status, held + lacking))
    return rows


def history(person: Person) -> list[HistoryRow]:
    """Every stored decision of the case, newest first, each compared with the one before."""
    decisions = list(person.allocation_decisions.select_related("triggered_by").order_by("id"))
    rows = []
    previous: str | None = None
    for decision in decisions:
        rows.append(HistoryRow(decision, previous))
        previous = decision.outcome
    return rows[::-1]


def decision_context(person: Person, at: datetime | None = None) -> dict[str, Any]:
    """Template context for the decision part of the case page: the current decision, or
    with ``at`` the one in force at that moment."""
    decision = decision_in_force(person, at) if at else current_decision(person)
    if decision is None:
        return {"decision": None, "history": history(person),
                "manual_cas": list(person.manual_cas.all())}
    policy = policy_version(decision.policy_version)
    return {
        "decision": decision,
        "warnings": [(field_label(w["field"]), w["message"]) for w in decision.warnings],
        "policy": policy,
        "reasons": reason_rows(decision),
        "missing": missing_rows(decision),
        "checklist": checklist(decision, policy),
        "history": history(person),
        "manual_cas": list(person.manual_cas.all()),
    }
