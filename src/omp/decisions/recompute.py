"""The recompute service: one case inside the transaction that changed it, or every case
nightly in resumable, idempotent chunks that write only decisions that changed (ALLOC-5)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import orjson
from django.db import transaction
from django.utils import timezone

from omp.cases.facts import facts_for_person, facts_in_bulk
from omp.cases.models import Person
from omp.decisions.models import (
    AllocationDecision,
    CurrentDecision,
    PolicyVersionRecord,
    RecomputeRun,
)
from omp.interchange.decision import decide_case
from omp.rules.allocation import AllocationDecision as Decided
from omp.rules.facts import CaseFacts
from omp.rules.policy import BUILT_IN_VERSIONS, PolicyVersion


def policy_versions() -> tuple[PolicyVersion, ...]:
    """The policy versions stored in the database (seeded with the built-in eras)."""
    stored = tuple(record.as_rule() for record in PolicyVersionRecord.objects.all())
    return stored or BUILT_IN_VERSIONS


def fingerprint(decided: Decided) -> str:
    """A digest of everything a decision says except when it was made: equal digests mean
    there is nothing new to record."""
    body = decided.allocation_dict()
    payload = [body["outcome"], body["source"], body["reasons"], body["missing"],
               decided.tier.code if decided.tier else None, decided.policy_version]
    return hashlib.blake2b(orjson.dumps(payload), digest_size=16).hexdigest()


def _new_row(person_id: int, decided: Decided, digest: str, trigger: str, user: Any,
             run: RecomputeRun | None) -> AllocationDecision:
    body = decided.allocation_dict()
    return AllocationDecision(
        person_id=person_id, outcome=decided.outcome, source=decided.source,
        reasons=body["reasons"], missing=body["missing"],
        tier=decided.tier.code if decided.tier else "",
        tier_source=decided.tier.source if decided.tier else "",
        policy_version=decided.policy_version, as_of=decided.as_of, trigger=trigger,
        triggered_by=user, run=run, fingerprint=digest)


def decide_facts(facts: CaseFacts, versions: Sequence[PolicyVersion]) -> Decided:
    """The allocation decision for ``facts`` under the version in force on its ``as_of``."""
    return decide_case(facts, versions)


def recompute_case(person: Person, as_of: date, trigger: str = "change", user: Any = None
                   ) -> AllocationDecision:
    """Recompute one case; call inside the transaction that changed its facts.

    Appends a decision only when it differs from the current one; returns the current one.
    """
    decided = decide_facts(facts_for_person(person, as_of), policy_versions())
    digest = fingerprint(decided)
    head = CurrentDecision.objects.select_for_update().filter(person_id=person.pk).first()
    if head is not None and head.fingerprint == digest:
        if head.as_of != as_of:
            CurrentDecision.objects.filter(pk=head.pk).update(as_of=as_of)
        return head.decision
    row = _new_row(person.pk, decided, digest, trigger, user, None)
    row.save()
    CurrentDecision.objects.update_or_create(
        person_id=person.pk, defaults={"decision": row, "fingerprint": digest, "as_of": as_of})
    return row


def open_run(as_of: date) -> RecomputeRun:
    """The unfinished run for ``as_of`` to resume, or a new one."""
    run = RecomputeRun.objects.filter(as_of=as_of, finished_at__isnull=True).order_by("-id").first()
    return run or RecomputeRun.objects.create(as_of=as_of)


def run_nightly(as_of: date, chunk: int = 5_000, progress: Callable[[int, int], None] | None = None,
                stop_after_chunks: int | None = None) -> RecomputeRun:
    """Recompute every case for ``as_of``.

    Each chunk commits its new decisions, their heads and the run's checkpoint together, so
    a run killed half way leaves every case's decision either old or new, and the next run
    for the same date resumes after the last committed case.
    """
    run = open_run(as_of)
    versions = policy_versions()
    done = 0
    for batch in facts_in_bulk(as_of, run.last_person_id, chunk):
        changed = _commit_chunk(run, batch, versions)
        done += 1
        if progress:
            progress(len(batch), changed)
        if stop_after_chunks is not None and done >= stop_after_chunks:
            return run
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    return run


def _commit_chunk(run: RecomputeRun, batch: list[tuple[int, CaseFacts]],
                  versions: Sequence[PolicyVersion]) -> int:
    ids = [pid for pid, _ in batch]
    with transaction.atomic():
        heads = dict(CurrentDecision.objects.filter(person_id__in=ids)
                     .values_list("person_id", "fingerprint"))
        rows, digests = [], {}
        for pid, facts in batch:
            decided = decide_facts(facts, versions)
            digest = fingerprint(decided)
            if heads.get(pid) != digest:
                rows.append(_new_row(pid, decided, digest, "nightly", None, run))
                digests[pid] = digest
        AllocationDecision.objects.bulk_create(rows, batch_size=2_000)
        _move_heads(rows, heads, run.as_of)
        CurrentDecision.objects.filter(person_id__in=ids).exclude(as_of=run.as_of).update(
            as_of=run.as_of)
        run.last_person_id = ids[-1]
        run.examined += len(ids)
        run.changed += len(rows)
        run.save(update_fields=["last_person_id", "examined", "changed"])
    return len(rows)


def _move_heads(rows: list[AllocationDecision], heads: dict[int, str], as_of: date) -> None:
    if rows and rows[0].pk is None:
        # Backends that cannot return ids from bulk inserts: look them up by run and person.
        found = dict(AllocationDecision.objects.filter(
            run=rows[0].run, person_id__in=[r.person_id for r in rows]).values_list(
            "person_id", "id"))
        for row in rows:
            row.pk = found[row.person_id]
    existing = [r for r in rows if r.person_id in heads]
    fresh = [r for r in rows if r.person_id not in heads]
    CurrentDecision.objects.bulk_create(
        [CurrentDecision(person_id=r.person_id, decision_id=r.pk, fingerprint=r.fingerprint,
                         as_of=as_of) for r in fresh], batch_size=2_000)
    if existing:
        CurrentDecision.objects.bulk_update(
            [CurrentDecision(person_id=r.person_id, decision_id=r.pk, fingerprint=r.fingerprint,
                             as_of=as_of) for r in existing],
            ["decision", "fingerprint", "as_of"], batch_size=2_000)
