"""Stored responsibility and handover decisions (HAND-1..3): one case on change, inside the
transaction that changed it, and the handover part of the nightly run
(:mod:`omp.decisions.nightly`), which decides every case in custody from the case record's
facts, fed the allocation decided with it, and writes a row only where the decision differs
from the current one. Handover depends on the date itself (a window opens, a handover date
passes), so every case in custody is decided again each night. A Hypothesis test proves the
per-case and nightly paths equal.

:func:`inputs_in_range` reads only what the handover rules use, for the what-if projection
over the cases the POM holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from omp.bulk_sql import insert_rows
from omp.cases.facts import (
    CUSTODY_FIELDS,
    CaseRows,
    assemble,
    custody_from_row,
    parse_db_date,
    rows_in_range,
)
from omp.cases.models import MAPPA_CODE
from omp.decisions.models import (
    CurrentDecision,
    CurrentHandover,
    HandoverRecord,
    RecomputeRun,
    ResponsibilityOverride,
)
from omp.rules.facts import CaseFacts, Sentence
from omp.rules.handover import HandoverDecision
from omp.rules.pipeline import Override, decide_handover_part, policy_for
from omp.rules.policy import PolicyVersion


def active_override(person_id: int) -> Override | None:
    """The case's active responsibility override, if any (the latest wins)."""
    row = (ResponsibilityOverride.objects.filter(person_id=person_id, ended_at__isnull=True)
           .order_by("-id").first())
    return Override(row.pk, row.value, row.reason_words) if row else None


def fingerprint(decision: HandoverDecision, pom_type: str | None, override_id: int | None
                ) -> str:
    """A digest of everything the decision says except the day it was made for."""
    body = decision.to_dict()
    payload = [body, decision.policy_version, pom_type, override_id]
    return hashlib.blake2b(orjson.dumps(payload), digest_size=16).hexdigest()


def _values(decision: HandoverDecision, pom_type: str | None) -> dict[str, Any]:
    release = decision.earliest_release
    return {
        "responsibility": decision.responsibility or "",
        "start_date": decision.start_date, "handover_date": decision.handover_date,
        "reason": decision.reason, "rule": decision.rule, "explanation": decision.explanation,
        "era": decision.era, "policy_version": decision.policy_version,
        "earliest_release_name": release.name if release else "",
        "earliest_release_date": release.date if release else None,
        "handover_type": decision.handover_type or "", "pom_type": pom_type or "",
    }


def store_handover(person_id: int, decision: HandoverDecision | None, pom_type: str | None,
                   override: Override | None, trigger: str, user: Any = None
                   ) -> HandoverRecord | None:
    """Record one case's decision when it differs from the current one; call inside the
    transaction that changed the case. A case that left custody keeps its history."""
    if decision is None:
        return None
    digest = fingerprint(decision, pom_type, override.id if override else None)
    head = CurrentHandover.objects.select_for_update().filter(person_id=person_id).first()
    if head is not None and head.fingerprint == digest:
        CurrentHandover.objects.filter(pk=head.pk).update(as_of=decision.as_of)
        return head.record
    record = HandoverRecord.objects.create(
        person_id=person_id, override_id=override.id if override else None,
        as_of=decision.as_of, trigger=trigger, triggered_by=user if getattr(user, "pk", None)
        else None, fingerprint=digest, **_values(decision, pom_type))
    CurrentHandover.objects.update_or_create(person_id=person_id, defaults={
        "record": record, "fingerprint": digest, "as_of": decision.as_of,
        "responsibility": record.responsibility, "start_date": record.start_date,
        "handover_date": record.handover_date})
    return record


# --- every case in custody, in bulk ---------------------------------------------------------

_ROWS_SQL = f"""
SELECT p.id, p.case_ref, p.date_of_birth, u.code, u.provider_code, r.code, r.country,
       pr.womens, {{allocation}}, {", ".join("c." + name for name in CUSTODY_FIELDS)}
FROM cases_custodyspell c
JOIN cases_person p ON p.id = c.person_id
LEFT JOIN cases_probationdeliveryunit u ON u.id = p.pdu_id
LEFT JOIN cases_region r ON r.id = u.region_id
LEFT JOIN cases_prison pr ON pr.code = c.prison_code
{{allocation_join}}
WHERE c.is_current AND c.person_id BETWEEN %s AND %s {{only}} ORDER BY c.person_id, c.id"""
_ALLOCATION_JOIN = """LEFT JOIN decisions_currentdecision cd ON cd.person_id = p.id
LEFT JOIN decisions_allocationdecision d ON d.id = cd.decision_id"""
#: The what-if reads only the cases whose POM is responsible now.
_POM_HELD = ("AND EXISTS (SELECT 1 FROM decisions_currenthandover h WHERE h.person_id = {}.{} "
             "AND h.responsibility IN ('POM_RESPONSIBLE', 'POM_RESPONSIBLE_COM_SUPPORTING'))")
_INDETERMINATE_SQL = """
SELECT e.person_id, s.indeterminate FROM cases_event e JOIN cases_sentence s ON s.event_id = e.id
WHERE e.is_current AND e.person_id BETWEEN %s AND %s {only} ORDER BY s.id"""
_MAPPA_SQL = """
SELECT person_id, level FROM cases_registration
WHERE code = %s AND person_id BETWEEN %s AND %s AND start_date <= %s
  AND (end_date IS NULL OR end_date > %s)"""
_OVERRIDES_SQL = """
SELECT o.person_id, o.id, o.value, o.reason, o.reason_text FROM decisions_responsibilityoverride o
WHERE o.ended_at IS NULL AND o.person_id BETWEEN %s AND %s ORDER BY o.id"""
_HEADS_SQL = """
SELECT person_id, record_id, fingerprint FROM decisions_currenthandover
WHERE person_id BETWEEN %s AND %s"""


@dataclass(frozen=True, slots=True)
class HandoverInput:
    """What the handover rules read about one case, with the allocation that feeds them."""

    person_id: int
    facts: CaseFacts
    outcome: str | None
    tier: str | None
    override: Override | None


def inputs_in_range(low: int, high: int, as_of: date, pom_held_only: bool = False,
                    outcomes: bool = True) -> Iterator[HandoverInput]:
    """Every case in custody with id in ``low..high``, as the handover rules read it; with
    ``pom_held_only``, only those whose current handover decision has the POM responsible.

    Without ``outcomes``, the allocation's outcome and tier are left unread (``None``): a
    levelled-up policy resources every case as enhanced (ALLOC-7), as the handover rules
    read a case with no decision (HANDOVER §1.2), and the allocation decisions are the
    largest table the read would otherwise visit (1,000,000 cases on SQLite: 1.7 s of a
    cold what-if's 5 s)."""

    with connection.cursor() as cursor:
        cursor.execute(_INDETERMINATE_SQL.format(
            only=_POM_HELD.format("e", "person_id") if pom_held_only else ""), [low, high])
        indeterminate = {pid: bool(flag) for pid, flag in cursor.fetchall()}
        cursor.execute(_MAPPA_SQL, [MAPPA_CODE, low, high, as_of, as_of])
        mappa: dict[int, list[int | None]] = {}
        for pid, level in cursor.fetchall():
            mappa.setdefault(pid, []).append(level)
        cursor.execute(_ROWS_SQL.format(
            only=_POM_HELD.format("p", "id") if pom_held_only else "",
            allocation="d.outcome, d.tier" if outcomes else "NULL, NULL",
            allocation_join=_ALLOCATION_JOIN if outcomes else ""), [low, high])
        rows = cursor.fetchall()
    overrides = overrides_in_range(low, high)
    seen: dict[int, tuple[Any, ...]] = {}
    for row in rows:  # the latest current spell of each person wins, as on change
        seen[row[0]] = row
    for pid, case_ref, dob, pdu, provider, region, country, womens, outcome, tier, *custody \
            in seen.values():
        sentence = Sentence(indeterminate=indeterminate[pid]) if pid in indeterminate else None
        facts = CaseFacts(
            case_ref=case_ref, as_of=as_of, date_of_birth=parse_db_date(dob), pdu_code=pdu,
            provider_code=provider, country=country, region_code=region,
            mappa_level=mappa_level(mappa.get(pid, [])), sentence=sentence,
            custody=custody_from_row(tuple(custody), womens))
        yield HandoverInput(pid, facts, outcome, tier or None, overrides.get(pid))


def mappa_level(levels: Sequence[int | None]) -> int | None:
    """As the case record reads MAPPA: 0 with no active registration, ``None`` when none has
    a level, else the highest level."""
    if not levels:
        return 0
    known = [level for level in levels if level is not None]
    return max(known) if known else None


class PolicyLookup:
    """The policy version in force for a case, remembered per (day, country, region): a
    chunk of cases shares a handful of keys, and finding a version hashes every version."""

    def __init__(self, versions: Sequence[PolicyVersion]) -> None:
        self.versions = versions
        self._known: dict[tuple[date, bool | None, str | None], PolicyVersion] = {}

    def __call__(self, facts: CaseFacts) -> PolicyVersion:
        """The version :func:`policy_for` gives ``facts``."""
        key = (facts.as_of, facts.is_welsh, facts.region_code)
        policy = self._known.get(key)
        if policy is None:
            policy = self._known[key] = policy_for(facts, self.versions)
        return policy


_INSERT = (
    "INSERT INTO decisions_handoverrecord (person_id, responsibility, start_date, "
    "handover_date, reason, rule, explanation, era, policy_version, earliest_release_name, "
    "earliest_release_date, handover_type, pom_type, override_id, as_of, decided_at, trigger, "
    "run_id, fingerprint) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
    "%s, %s, %s, %s)")


@dataclass
class HandoverChunk:
    """What one chunk decided: the cases examined and each decision that differs from the
    head it saw (person id, the head's digest then, the new row's values)."""

    low: int
    high: int
    examined: int
    rows: list[tuple[int, str | None, tuple[Any, ...]]]


def compute_chunk(low: int, high: int, as_of: date, versions: Sequence[PolicyVersion],
                  case_rows_in_chunk: list[CaseRows] | None = None,
                  outcomes: dict[int, tuple[str, str]] | None = None,
                  facts_of: dict[int, CaseFacts] | None = None) -> HandoverChunk:
    """Decide every case in custody with id in ``low..high``; reads only.

    The facts are the case record's (:mod:`omp.cases.facts`), from ``case_rows_in_chunk``
    when the caller read them already; ``outcomes`` are the allocation outcome and tier of
    each case decided for the same day from the same facts (the stored ones when not given);
    ``facts_of`` holds facts another part assembled already, and gets those assembled here."""
    with connection.cursor() as cursor:
        cursor.execute(_HEADS_SQL, [low, high])
        heads = {pid: digest for pid, _record, digest in cursor.fetchall()}
    if case_rows_in_chunk is None:
        case_rows_in_chunk = rows_in_range(low, high, as_of)
    if outcomes is None:
        outcomes = stored_outcomes(low, high)
    overrides = overrides_in_range(low, high)
    result = HandoverChunk(low, high, 0, [])
    policies = PolicyLookup(versions)
    for case_rows in case_rows_in_chunk:
        if case_rows.custody is None:
            continue
        pid = case_rows.person[0]
        facts = (facts_of or {}).get(pid)
        if facts is None:
            facts = assemble(case_rows, as_of)
            if facts_of is not None:
                facts_of[pid] = facts
        outcome, tier = outcomes.get(pid, (None, None))
        result.examined += 1
        override = overrides.get(pid)
        decision, pom_type = decide_handover_part(facts, policies(facts), outcome, tier or None,
                                                  override)
        if decision is None:
            continue
        override_id = override.id if override else None
        digest = fingerprint(decision, pom_type, override_id)
        seen = heads.get(pid)
        if seen == digest:
            continue
        v = _values(decision, pom_type)
        result.rows.append((pid, seen, (
            pid, v["responsibility"], v["start_date"], v["handover_date"],
            v["reason"], v["rule"], v["explanation"], v["era"], v["policy_version"],
            v["earliest_release_name"], v["earliest_release_date"], v["handover_type"],
            v["pom_type"], override_id, as_of, digest)))
    return result


def stored_outcomes(low: int, high: int) -> dict[int, tuple[str, str]]:
    """The current allocation outcome and tier of every case with id in ``low..high``."""
    return {pid: (outcome, tier) for pid, outcome, tier in
            CurrentDecision.objects.filter(person_id__gte=low, person_id__lte=high)
            .values_list("person_id", "decision__outcome", "decision__tier")}


def overrides_in_range(low: int, high: int) -> dict[int, Override]:
    """The active responsibility override of every case with id in ``low..high``."""
    from omp.rules.handover_terms import OVERRIDE_REASONS

    found: dict[int, Override] = {}
    with connection.cursor() as cursor:
        cursor.execute(_OVERRIDES_SQL, [low, high])
        for pid, oid, value, reason, text in cursor.fetchall():  # the latest wins
            words = OVERRIDE_REASONS.get(reason, reason)
            found[pid] = Override(oid, value, f"{words}: {text}" if text else words)
    return found


def commit_chunk(run: RecomputeRun, result: HandoverChunk) -> int:
    """Write a chunk's changed handover decisions, move their heads and the run's
    checkpoint, in one transaction (a savepoint inside the nightly run's)."""
    with transaction.atomic():
        new: list[tuple[Any, ...]] = []
        if result.rows:  # else (most chunks of most nights) there is no head to lock
            with connection.cursor() as cursor:
                new = _new_rows(cursor, run, result)
        run.last_person_id = result.high
        run.examined += result.examined
        run.decided += result.examined
        run.changed += len(new)
        run.save(update_fields=["last_person_id", "examined", "decided", "changed"])
    return len(new)


def _new_rows(cursor: Any, run: RecomputeRun, result: HandoverChunk) -> list[tuple[Any, ...]]:
    """Write the chunk's decisions whose heads are as the chunk saw them, and move those
    heads; returns the rows written."""
    # Locks the heads this chunk may move, so a change committed meanwhile waits.
    cursor.execute(_HEADS_SQL + (" FOR UPDATE" if connection.vendor == "postgresql"
                                 else ""), [result.low, result.high])
    heads = {pid: digest for pid, _record, digest in cursor.fetchall()}
    # A case changed by a user since the chunk was read was recomputed by that
    # change, from newer rows: leave it (its head no longer matches).
    now = timezone.now()
    new = [(*values[:-1], now, "nightly", run.pk, values[-1])
           for pid, seen, values in result.rows if heads.get(pid) == seen]
    insert_rows(cursor, _INSERT, new)
    if new:
        cursor.execute(
            "INSERT INTO decisions_currenthandover (person_id, record_id, fingerprint, "
            "as_of, responsibility, start_date, handover_date) "
            "SELECT person_id, id, fingerprint, as_of, responsibility, start_date, "
            "handover_date FROM decisions_handoverrecord "
            "WHERE run_id = %s AND person_id BETWEEN %s AND %s "
            "ON CONFLICT (person_id) DO UPDATE SET record_id = excluded.record_id, "
            "fingerprint = excluded.fingerprint, as_of = excluded.as_of, "
            "responsibility = excluded.responsibility, "
            "start_date = excluded.start_date, handover_date = excluded.handover_date",
            [run.pk, result.low, result.high])
    return new
