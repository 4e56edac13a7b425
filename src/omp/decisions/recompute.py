"""The recompute of allocation decisions: one case inside the transaction that changed it,
and the allocation part of the nightly run (:mod:`omp.decisions.nightly`), which decides a
chunk's cases whose inputs changed and writes only decisions that changed (ALLOC-5)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from omp.bulk_sql import insert_rows
from omp.cases.facts import CaseRows, assemble, facts_for_person, rows_in_range
from omp.cases.models import Person
from omp.decisions.handover import active_override, store_handover
from omp.decisions.models import (
    AllocationDecision,
    CurrentDecision,
    PolicyVersionRecord,
    RecomputeRun,
)
from omp.decisions.signals import case_decided
from omp.rules.allocation import AllocationDecision as Decided
from omp.rules.allocation import decide_allocation
from omp.rules.facts import CaseFacts
from omp.rules.pathway import decide_pathway
from omp.rules.pipeline import data_warnings, decide_handover_part, policy_for
from omp.rules.policy import BUILT_IN_VERSIONS, PolicyVersion


def policy_versions() -> tuple[PolicyVersion, ...]:
    """The policy versions stored in the database (seeded with the built-in eras)."""
    stored = tuple(record.as_rule() for record in PolicyVersionRecord.objects.all())
    return stored or BUILT_IN_VERSIONS


@dataclass(frozen=True)
class Alongside:
    """What is stored with an allocation decision, decided from the same facts: the
    warnings about the data and the pathway (PATH-1) with its reason."""

    warnings: list[dict[str, str]] = field(default_factory=list)
    pathway: int | None = None
    pathway_reason: dict[str, Any] | None = None


def alongside(facts: CaseFacts) -> Alongside:
    """The warnings and the pathway of ``facts``, as stored."""
    pathway = decide_pathway(facts)
    return Alongside([warning.to_dict() for warning in data_warnings(facts)],
                     pathway.pathway if pathway else None,
                     pathway.to_dict() if pathway else None)


def fingerprint(decided: Decided, body: dict[str, Any] | None = None,
                extra: Alongside | None = None) -> str:
    """A digest of everything a decision says except when it was made: equal digests mean
    there is nothing new to record. ``body`` is ``decided.allocation_dict()`` if the caller
    has it already."""
    body = body or decided.allocation_dict()
    payload = [body["outcome"], body["source"], body["reasons"], body["missing"],
               decided.tier.code if decided.tier else None, decided.policy_version]
    # Appended only when present, so a decision without them keeps its digest.
    if extra is not None and extra.warnings:
        payload.append(extra.warnings)
    if extra is not None and extra.pathway_reason is not None:
        payload.append(extra.pathway_reason)
    return hashlib.blake2b(orjson.dumps(payload), digest_size=16).hexdigest()


#: The modules that turn case rows into a decision: the pipeline (and every rule module it
#: imports, found by :func:`ruleset_modules`), the facts builders and this module.
RULESET_ROOTS = ("omp.rules.pipeline", "omp.cases.facts", "omp.decisions.recompute",
                 "omp.decisions.handover")


def _source(module: str) -> Path | None:
    import omp

    base = Path(omp.__file__).parent.joinpath(*module.split(".")[1:])
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def ruleset_modules() -> list[str]:
    """Every rule and file-format module the decision roots import, directly or not (read
    from the source, so a rule module added to the pipeline is included without a list to
    keep by hand), with the roots themselves."""
    import ast

    seen: set[str] = set()
    queue = list(RULESET_ROOTS)
    while queue:
        name = queue.pop()
        path = _source(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                    ("omp.rules", "omp.interchange")):
                queue.append(node.module)
                queue.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return sorted(seen)


@lru_cache(maxsize=1)
def ruleset_version() -> str:
    """A digest of the source of every module that turns case rows into a decision, so a
    deployment that changes a rule makes the nightly run decide every case afresh."""
    hasher = hashlib.blake2b(digest_size=16)
    for name in ruleset_modules():
        path = _source(name)
        assert path is not None
        hasher.update(name.encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()


def inputs_context(as_of: date, versions: Sequence[PolicyVersion]) -> bytes:
    """What, besides a case's own rows, its decision on ``as_of`` depends on: the ruleset and
    every policy version already in force by then (a version starting tomorrow changes
    tomorrow's context, so every case is decided afresh under it)."""
    # Spelled out field by field: a frozenset's repr changes order from process to process.
    visible = sorted((v.name, v.effective_from.isoformat(), v.scope, sorted(v.criteria),
                      v.levelled_up, v.handover_era, v.description)
                     for v in versions if v.effective_from <= as_of)
    return orjson.dumps([ruleset_version(), visible])


def inputs_digest(rows: CaseRows, context: bytes) -> str:
    """A digest of one case's rows as the nightly run reads them, within ``context``.

    The allocation rules read ``as_of`` only through which registrations and assessments are
    in force, and the rows are already filtered by that, so equal digests mean an equal
    decision and the case need not be decided again.
    """
    payload = orjson.dumps((rows.person, rows.offences, rows.sentence, rows.registrations,
                            rows.assessments, rows.custody, rows.womens_prison), default=str)
    return hashlib.blake2b(payload + context, digest_size=16).hexdigest()


def _new_row(person_id: int, decided: Decided, digest: str, trigger: str, user: Any,
             run: RecomputeRun | None, extra: Alongside) -> AllocationDecision:
    body = decided.allocation_dict()
    return AllocationDecision(
        person_id=person_id, outcome=decided.outcome, source=decided.source,
        reasons=body["reasons"], missing=body["missing"], warnings=extra.warnings,
        pathway=extra.pathway, pathway_reason=extra.pathway_reason,
        tier=decided.tier.code if decided.tier else "",
        tier_source=decided.tier.source if decided.tier else "",
        policy_version=decided.policy_version, as_of=decided.as_of, trigger=trigger,
        triggered_by=user, run=run, fingerprint=digest)


def decide_facts(facts: CaseFacts, versions: Sequence[PolicyVersion]) -> Decided:
    """The allocation decision for ``facts`` under the version in force on its ``as_of``."""
    return decide_allocation(facts, policy_for(facts, versions))


def recompute_case(person: Person, as_of: date, trigger: str = "change", user: Any = None
                   ) -> AllocationDecision:
    """Recompute one case; call inside the transaction that changed its facts.

    Appends a decision only when it differs from the current one; returns the current one.
    """
    facts = facts_for_person(person, as_of)
    policy = policy_for(facts, policy_versions())
    decided = decide_allocation(facts, policy)
    # HAND-1: the allocation outcome feeds the handover, decided in the same transaction.
    handover, pom_type = decide_handover_part(
        facts, policy, decided.outcome, decided.tier.code if decided.tier else facts.tier,
        active_override(person.pk))
    store_handover(person.pk, handover, pom_type, active_override(person.pk) if handover
                   else None, trigger, user)
    extra = alongside(facts)
    # The domains above this one (custody's tasks) follow, in the same transaction.
    release = handover.earliest_release.date if handover and handover.earliest_release \
        else None
    case_decided.send(sender=recompute_case, person=person, facts=facts,
                      pathway=extra.pathway, release=release, user=user)
    digest = fingerprint(decided, None, extra)
    head = CurrentDecision.objects.select_for_update().filter(person_id=person.pk).first()
    # A fresh token tells a nightly run deciding this case from older rows to leave it.
    token = "c" + uuid.uuid4().hex[:31]
    if head is not None and head.fingerprint == digest:
        CurrentDecision.objects.filter(pk=head.pk).update(as_of=as_of, inputs=token)
        return head.decision
    row = _new_row(person.pk, decided, digest, trigger, user, None, extra)
    row.save()
    CurrentDecision.objects.update_or_create(
        person_id=person.pk, defaults={"decision": row, "fingerprint": digest, "as_of": as_of,
                                       "inputs": token})
    return row


def open_run(as_of: date, part: str = "allocation") -> RecomputeRun:
    """The unfinished run of ``part`` for ``as_of`` to resume, or a new one."""
    return RecomputeRun.to_resume(as_of, part)


#: One new decision as computed by a worker: person id, head seen, digest, inputs, values.
NewRow = tuple[int, tuple[int, str] | None, str, str, tuple[Any, ...]]
#: A decision confirmed unchanged from new inputs: person id, head seen, inputs.
Confirmed = tuple[int, tuple[int, str], str]


@dataclass
class ChunkResult:
    """What a worker found in one chunk: how many cases it examined and decided, the
    decisions that differ from the heads it saw, and the heads confirmed from new inputs.
    Each carries the head (decision id, inputs) the worker saw, so the committer can leave
    a case that a user changed in the meantime."""

    low: int
    high: int
    examined: int
    decided: int
    rows: list[NewRow]
    confirmed: list[Confirmed]
    #: Every case's allocation outcome and tier for the day, fresh or confirmed: what the
    #: handover part is fed (HAND-1), decided from the same facts.
    outcomes: dict[int, tuple[str, str]] = field(default_factory=dict)


def _decision_values(decided: Decided, body: dict[str, Any], extra: Alongside
                     ) -> tuple[Any, ...]:
    reason = extra.pathway_reason
    return (decided.outcome, decided.source, orjson.dumps(body["reasons"]).decode(),
            orjson.dumps(body["missing"]).decode(), orjson.dumps(extra.warnings).decode(),
            extra.pathway, None if reason is None else orjson.dumps(reason).decode(),
            decided.tier.code if decided.tier else "",
            decided.tier.source if decided.tier else "", decided.policy_version,
            decided.as_of)


def compute_chunk(low: int, high: int, as_of: date, versions: Sequence[PolicyVersion],
                  case_rows_in_chunk: list[CaseRows] | None = None,
                  facts_of: dict[int, CaseFacts] | None = None,
                  inputs_of: dict[int, str] | None = None) -> ChunkResult:
    """Decide every case with id in ``low..high`` whose inputs changed since the last run,
    and keep the decisions that changed. Reads only; runs in the nightly's workers.

    ``case_rows_in_chunk`` are the chunk's rows when the caller has read them already;
    ``facts_of`` collects the facts assembled here, by person id, for the parts after it,
    and ``inputs_of`` the digest of every case's rows (what its head holds once current)."""
    heads = {pid: (decision_id, fp, inputs, outcome, tier)
             for pid, decision_id, fp, inputs, outcome, tier in
             CurrentDecision.objects.filter(person_id__gte=low, person_id__lte=high)
             .values_list("person_id", "decision_id", "fingerprint", "inputs",
                          "decision__outcome", "decision__tier")}
    context = inputs_context(as_of, versions)
    rows: list[NewRow] = []
    confirmed: list[Confirmed] = []
    outcomes: dict[int, tuple[str, str]] = {}
    examined = decided_count = 0
    if case_rows_in_chunk is None:
        case_rows_in_chunk = rows_in_range(low, high, as_of)
    for case_rows in case_rows_in_chunk:
        examined += 1
        pid = case_rows.person[0]
        inputs = inputs_digest(case_rows, context)
        if inputs_of is not None:
            inputs_of[pid] = inputs
        head = heads.get(pid)
        if head is not None and head[2] == inputs:
            # Same rows, rules and policies as when the head was decided: so is its outcome.
            outcomes[pid] = (head[3], head[4])
            continue
        decided_count += 1
        facts = assemble(case_rows, as_of)
        if facts_of is not None:
            facts_of[pid] = facts
        decided = decide_facts(facts, versions)
        outcomes[pid] = (decided.outcome, decided.tier.code if decided.tier else "")
        body = decided.allocation_dict()
        extra = alongside(facts)
        digest = fingerprint(decided, body, extra)
        seen = (head[0], head[2]) if head is not None else None
        if head is not None and head[1] == digest:
            confirmed.append((pid, (head[0], head[2]), inputs))
        else:
            rows.append((pid, seen, digest, inputs, _decision_values(decided, body, extra)))
    return ChunkResult(low, high, examined, decided_count, rows, confirmed, outcomes)


def cases_with_warnings() -> int:
    """How many cases' current decisions carry warnings about their data."""
    return CurrentDecision.objects.exclude(decision__warnings=[]).count()


_INSERT_DECISION = (
    "INSERT INTO decisions_allocationdecision (person_id, fingerprint, inputs, outcome, "
    "source, reasons, missing, warnings, pathway, pathway_reason, tier, tier_source, "
    "policy_version, as_of, decided_at, trigger, run_id) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")


def commit_chunk(run: RecomputeRun, result: ChunkResult) -> int:
    """Write a chunk's changed allocation decisions, move their heads and the run's
    checkpoint, in one transaction (a savepoint inside the nightly run's)."""
    with transaction.atomic():
        if not result.rows and not result.confirmed:
            # Nothing to write or confirm (most chunks of most nights): no head to lock.
            return _checkpoint(run, result, 0)
        heads = {pid: (decision_id, inputs) for pid, decision_id, inputs in
                 CurrentDecision.objects.select_for_update()
                 .filter(person_id__gte=result.low, person_id__lte=result.high)
                 .values_list("person_id", "decision_id", "inputs")}
        # A case changed by a user since the worker read it was recomputed by that change,
        # from newer rows: leave it (its head no longer matches what the worker saw).
        rows = [row for row in result.rows if heads.get(row[0]) == row[1]]
        now = timezone.now()
        with connection.cursor() as cursor:
            insert_rows(cursor, _INSERT_DECISION, [
                (pid, digest, inputs, *values, now, "nightly", run.pk)
                for pid, _seen, digest, inputs, values in rows])
            cursor.executemany(
                "UPDATE decisions_currentdecision SET inputs = %s WHERE person_id = %s",
                [(inputs, pid) for pid, seen, inputs in result.confirmed
                 if heads.get(pid) == seen])
        _move_heads(run, result, bool(rows))
        return _checkpoint(run, result, len(rows))


def _checkpoint(run: RecomputeRun, result: ChunkResult, changed: int) -> int:
    """Move the run's checkpoint past the chunk and count it; returns ``changed``."""
    run.last_person_id = result.high
    run.examined += result.examined
    run.decided += result.decided
    run.changed += changed
    run.save(update_fields=["last_person_id", "examined", "decided", "changed"])
    return changed


def _move_heads(run: RecomputeRun, result: ChunkResult, any_new: bool) -> None:
    """Point each case's head at the decision this run wrote for it: one set-based upsert.

    Unchanged heads are not touched: the finished run itself records that every case was
    confirmed on its date, which spares a million row writes a night."""
    with connection.cursor() as cursor:
        if any_new:
            cursor.execute(
                "INSERT INTO decisions_currentdecision (person_id, decision_id, fingerprint, "
                "inputs, as_of) SELECT person_id, id, fingerprint, inputs, %s "
                "FROM decisions_allocationdecision "
                "WHERE run_id = %s AND person_id BETWEEN %s AND %s "
                "ON CONFLICT (person_id) DO UPDATE SET decision_id = excluded.decision_id, "
                "fingerprint = excluded.fingerprint, inputs = excluded.inputs, "
                "as_of = excluded.as_of",
                [run.as_of, run.pk, result.low, result.high])
