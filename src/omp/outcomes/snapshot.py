"""The one adapter between the case store and the outcomes analytics: ``omp snapshot``.

It reads the Django database (Django is imported here and nowhere else in ``outcomes``)
and writes Parquet tables the engines read: the case store's own tables (people with PDU,
region, provider and contract package area; sentences; custody spells; prison transfers;
assessments; registrations) and the ``index_events`` derived from them, in the same shape
as the synthetic history, so every cohort and measure runs on either.

Index events from the case store (OUT-1): a custody spell with an actual release date that
is not a remand spell is a discharge from its prison; a community or suspended sentence
with a date is a supervision start. The exclusion flags come from the recorded facts: a
non-British, non-Irish person whose spell is an immigration case is counted as deported or
moved to an immigration removal centre on release; the sentence's ``time_served`` and
``breach_of_court_order`` flags are the other two. OGRS3 is the latest OGRS assessment on or
before the index date.

The monitoring tables of OUT-6 come from the live work with people: ``need_work`` holds each
sent referral's spell of work on the need its service category meets (``omp.rules.needs``),
by its prime provider, from the day it was sent to the day it was concluded or withdrawn
(open while it goes on: the spells the provider's summary of other services counts as
current), and each support plan action's spell by custody case management, from the day it
was written to the day it was closed, unless it runs through one of those referrals (the
referral's row is that work). ``support_contacts`` holds each referral session that took
place (REF-5a), with its booked minutes, the prison the person was in that day (none in the
community), the person's pathway in the current decision (PATH-1) and the OGRS band on the
day (NEED-2). No names: case references, codes, organisations and dates only.

Everything is read in one transaction (on PostgreSQL repeatable read, read only), so the
tables agree with one another however long the snapshot takes; the monitoring tables are
streamed in chunks, never held whole.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from omp.outcomes.history import BANDS, contract_package_areas
from omp.rules.needs import analytics_need, service_category_need

BRITISH_OR_IRISH = {"british", "irish"}
#: The agency of a support plan action's work in ``need_work``: the case management service
#: that writes the plan (PATH-3, NEED-1). Not the action's owner, which is free text and
#: may name a person.
CASE_MANAGEMENT = "Custody case management"
#: Rows written to a Parquet file at a time by the streamed tables.
WRITE_CHUNK = 50_000


def _band(score: float | None) -> str | None:
    if score is None:
        return None
    return BANDS[2] if score >= 60 else BANDS[1] if score >= 20 else BANDS[0]


def _write(path: Path, rows: list[dict[str, Any]], schema: pa.Schema) -> int:
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, compression="zstd")
    return len(rows)


def _write_stream(path: Path, rows: Iterable[dict[str, Any]], schema: pa.Schema) -> int:
    """Write ``rows`` as they come, ``WRITE_CHUNK`` at a time; an empty table keeps its
    schema."""
    written = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == WRITE_CHUNK:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                written, chunk = written + len(chunk), []
        if chunk or not written:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
        written += len(chunk)
    return written


def _schema(**columns: pa.DataType) -> pa.Schema:
    return pa.schema(list(columns.items()))


S, D, B, N, F = pa.string(), pa.date32(), pa.bool_(), pa.int64(), pa.float64()
SCHEMAS = {
    "people": _schema(case_ref=S, prison_number=S, date_of_birth=D, sex=S, nationality=S,
                      second_nationality=S, pdu_code=S, region_code=S, provider_code=S,
                      cpa_code=S),
    "sentences": _schema(case_ref=S, event_number=N, is_current=B, conviction_date=D,
                         kind=S, sentence_date=D, length=S, indeterminate=B, ipp=B,
                         breach_of_court_order=B, time_served=B, main_offence_code=S),
    "custody_spells": _schema(spell_id=N, case_ref=S, is_current=B, prison_code=S,
                              remand=B, arrival_date=D, sentence_start_date=D,
                              conditional_release_date=D, licence_expiry_date=D,
                              actual_release_date=D, release_address_area=S, recall=B,
                              immigration_case=B),
    "transfers": _schema(case_ref=S, from_prison=S, to_prison=S, transfer_date=D,
                         release_date=D, risk_band=S),
    "assessments": _schema(case_ref=S, kind=S, score=F, value=S, assessed_on=D),
    "registrations": _schema(case_ref=S, code=S, level=N, category=N, start_date=D,
                             end_date=D),
    "index_events": _schema(event_id=N, case_ref=S, index_kind=S, index_date=D,
                            prison_code=S, cpa_code=S, provider=S, sex=S, age=pa.int16(),
                            nationality=S, offence_code=S, ogrs3=F, risk_band=S,
                            deported_or_irc=B, time_served_on_remand=B,
                            breach_of_court_order=B, nps_allocated=B,
                            electronic_monitoring_only=B),
    "need_work": _schema(case_ref=S, need=S, agency=S, start_date=D, end_date=D),
    "support_contacts": _schema(case_ref=S, prison_code=S, pathway=pa.int8(), risk_band=S,
                                contact_date=D, minutes=pa.int32()),
}


def _latest(scores: list[tuple[date, float]], on: date) -> float | None:
    """The latest score on or before ``on`` (scores sorted by date)."""
    position = bisect.bisect_right([day for day, _ in scores], on)
    return scores[position - 1][1] if position else None


def _age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@contextmanager
def _consistent_read() -> Iterator[None]:
    """One transaction for every read of the snapshot, so its tables agree with one another
    however long it takes and whatever is written meanwhile: on PostgreSQL repeatable read
    and read only (the database as at its first query); on SQLite a deferred transaction,
    which in WAL mode sees the database as at its first read and, unlike the immediate
    transactions the writers begin, does not hold other writers off while it reads. Inside
    a transaction already begun (a test's), that one is used as it is."""
    from django.db import connection, transaction

    if connection.in_atomic_block:
        yield
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")  # read only: nothing to keep
    else:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield


def write_snapshot(output: Path, progress: Callable[[str], None] | None = None
                   ) -> dict[str, int]:
    """Write the case store's tables, its index events and the monitoring tables of OUT-6
    to ``output`` as Parquet, all read in one transaction; return the rows written per
    table. One query per table, never one per case."""
    output.mkdir(parents=True, exist_ok=True)
    with _consistent_read():
        return _write_tables(output, progress or (lambda _name: None))


def _write_tables(output: Path, step: Callable[[str], None]) -> dict[str, int]:
    from omp.cases.models import (
        Assessment,
        CustodySpell,
        Offence,
        Person,
        PrisonTransfer,
        Registration,
        Sentence,
    )

    cpa_of_pdu = {str(pdu): str(cpa["code"]) for cpa in contract_package_areas()
                  for pdu in cpa["pdus"]}  # type: ignore[attr-defined]
    counts: dict[str, int] = {}

    people = list(Person.objects.values(
        "id", "case_ref", "prison_number", "date_of_birth", "sex", "nationality",
        "second_nationality", "pdu__code", "pdu__region__code", "pdu__provider_code"))
    ref = {p["id"]: p["case_ref"] for p in people}
    person_of_ref = {p["case_ref"]: p for p in people}
    counts["people"] = _write(output / "people.parquet", [
        {"case_ref": p["case_ref"], "prison_number": p["prison_number"],
         "date_of_birth": p["date_of_birth"], "sex": p["sex"], "nationality": p["nationality"],
         "second_nationality": p["second_nationality"], "pdu_code": p["pdu__code"],
         "region_code": p["pdu__region__code"], "provider_code": p["pdu__provider_code"],
         "cpa_code": cpa_of_pdu.get(p["pdu__code"] or "")} for p in people],
        SCHEMAS["people"])
    step("people")

    main_offence: dict[int, str] = {}
    for event_id, code, main in Offence.objects.values_list("event_id", "code", "main"):
        if main or event_id not in main_offence:
            main_offence[event_id] = code
    sentences = [{
        "case_ref": ref[s["event__person_id"]], "event_number": s["event__number"],
        "is_current": s["event__is_current"], "conviction_date": s["event__conviction_date"],
        "kind": s["kind"], "sentence_date": s["date"], "length": s["length"],
        "indeterminate": s["indeterminate"], "ipp": s["ipp"],
        "breach_of_court_order": s["breach_of_court_order"], "time_served": s["time_served"],
        "main_offence_code": main_offence.get(s["event_id"])}
        for s in Sentence.objects.values(
            "event_id", "event__person_id", "event__number", "event__is_current",
            "event__conviction_date", "kind", "date", "length", "indeterminate", "ipp",
            "breach_of_court_order", "time_served")]
    counts["sentences"] = _write(output / "sentences.parquet", sentences,
                                 SCHEMAS["sentences"])
    step("sentences")

    spells = [{**{k: v for k, v in s.items() if k not in ("id", "person_id")},
               "spell_id": s["id"], "case_ref": ref[s["person_id"]]}
              for s in CustodySpell.objects.values(
                  "id", "person_id", "is_current", "prison_code", "remand", "arrival_date",
                  "sentence_start_date", "conditional_release_date", "licence_expiry_date",
                  "actual_release_date", "release_address_area", "recall",
                  "immigration_case")]
    counts["custody_spells"] = _write(output / "custody_spells.parquet", spells,
                                      SCHEMAS["custody_spells"])
    step("custody spells")

    assessments = [{"case_ref": ref[a["person_id"]], "kind": a["kind"],
                    "score": float(a["score"]) if a["score"] is not None else None,
                    "value": a["value"], "assessed_on": a["assessed_on"]}
                   for a in Assessment.objects.values("person_id", "kind", "score", "value",
                                                      "assessed_on")]
    counts["assessments"] = _write(output / "assessments.parquet", assessments,
                                   SCHEMAS["assessments"])
    ogrs: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for a in assessments:
        if a["kind"] == "OGRS" and a["score"] is not None:
            ogrs[a["case_ref"]].append((a["assessed_on"], a["score"]))
    for scores in ogrs.values():
        scores.sort()
    step("assessments")

    counts["registrations"] = _write(output / "registrations.parquet", [
        {"case_ref": ref[r["person_id"]], **{k: v for k, v in r.items() if k != "person_id"}}
        for r in Registration.objects.values("person_id", "code", "level", "category",
                                             "start_date", "end_date")],
        SCHEMAS["registrations"])
    step("registrations")

    spell_by_id = {s["spell_id"]: s for s in spells}
    transfers = []
    moves: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for t in PrisonTransfer.objects.values("spell_id", "from_prison", "to_prison",
                                           "transferred_on"):
        spell = spell_by_id[t["spell_id"]]
        moves[t["spell_id"]].append((t["transferred_on"], t["from_prison"]))
        score = _latest(ogrs.get(spell["case_ref"], []), t["transferred_on"])
        transfers.append({"case_ref": spell["case_ref"], "from_prison": t["from_prison"],
                          "to_prison": t["to_prison"], "transfer_date": t["transferred_on"],
                          "release_date": spell["actual_release_date"],
                          "risk_band": _band(score)})
    counts["transfers"] = _write(output / "transfers.parquet", transfers,
                                 SCHEMAS["transfers"])
    step("transfers")

    counts["index_events"] = _write(output / "index_events.parquet",
                                    _index_events(person_of_ref, sentences, spells, ogrs,
                                                  cpa_of_pdu),
                                    SCHEMAS["index_events"])
    step("index events")

    counts["need_work"] = _write_stream(output / "need_work.parquet", _need_work(ref),
                                        SCHEMAS["need_work"])
    step("need work")
    for spell_moves in moves.values():
        spell_moves.sort()
    counts["support_contacts"] = _write_stream(
        output / "support_contacts.parquet",
        _support_contacts(ref, _Whereabouts(spells, moves), ogrs), SCHEMAS["support_contacts"])
    step("support contacts")
    return counts


def _need_work(ref: dict[int, str]) -> Iterator[dict[str, Any]]:
    """OUT-6: the rows of ``need_work``: each sent referral's spell on its category's need,
    then each support plan action's spell unless it runs through a sent referral. A
    referral in a category that meets no known need (``omp.rules.needs``) is left out, and
    its category named in a warning."""
    import structlog

    from omp.custody.queries import support_action_work
    from omp.referrals.models import Referral
    from omp.referrals.queries import referral_work

    unknown: dict[str, int] = defaultdict(int)
    for work in referral_work():
        need = service_category_need(work.category_code)
        if need is None:
            unknown[work.category_code] += 1
            continue
        yield {"case_ref": ref[work.person_id], "need": need, "agency": work.provider,
               "start_date": work.start, "end_date": work.end}
    if unknown:
        structlog.get_logger("omp.snapshot").warning(
            "need_work: referrals left out, their service category meets no known need",
            categories=dict(unknown))
    sent = Referral.objects.filter(sent_at__isnull=False).values("reference")
    for action in support_action_work(leaving_out=sent):
        need = analytics_need(action.area)
        if need is None:
            continue
        yield {"case_ref": ref[action.person_id], "need": need, "agency": CASE_MANAGEMENT,
               "start_date": action.start, "end_date": action.end}


class _Whereabouts:
    """Which prison a person was in on a day, from their custody spells (arrival to
    release, both days in prison) and the transfers out of each spell's earlier prisons."""

    def __init__(self, spells: list[dict[str, Any]],
                 moves: dict[int, list[tuple[date, str]]]) -> None:
        self.spells: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for spell in spells:
            if spell["arrival_date"] is not None:
                self.spells[spell["case_ref"]].append(spell)
        self.moves = moves  # by spell, in date order

    def prison_on(self, case_ref: str, day: date) -> str | None:
        """The prison code on ``day``; ``None`` out of custody (or not known)."""
        for spell in self.spells.get(case_ref, ()):
            released = spell["actual_release_date"]
            if day < spell["arrival_date"] or (released is not None and day > released):
                continue
            # Before a transfer the person was in the prison they were moved out of.
            for moved_on, from_prison in self.moves.get(spell["spell_id"], ()):
                if moved_on > day:
                    return from_prison or None
            return spell["prison_code"] or None
        return None


def _support_contacts(ref: dict[int, str], whereabouts: _Whereabouts,
                      ogrs: dict[str, list[tuple[date, float]]]) -> Iterator[dict[str, Any]]:
    """OUT-6: the rows of ``support_contacts``: each referral session that took place
    (REF-5a), with the person's pathway in the current decision (PATH-1; none out of
    custody) and OGRS band on the day (NEED-2)."""
    from omp.decisions.models import CurrentDecision
    from omp.referrals.queries import session_contacts

    pathway = dict(CurrentDecision.objects.filter(decision__pathway__isnull=False)
                   .values_list("person_id", "decision__pathway").iterator(chunk_size=5_000))
    for contact in session_contacts():
        case_ref = ref[contact.person_id]
        yield {"case_ref": case_ref, "prison_code": whereabouts.prison_on(case_ref, contact.day),
               "pathway": pathway.get(contact.person_id),
               "risk_band": _band(_latest(ogrs.get(case_ref, []), contact.day)),
               "contact_date": contact.day, "minutes": contact.minutes}


def _index_events(people: dict[str, dict[str, Any]], sentences: list[dict[str, Any]],
                  spells: list[dict[str, Any]], ogrs: dict[str, list[tuple[date, float]]],
                  cpa_of_pdu: dict[str, str]) -> list[dict[str, Any]]:
    current = {s["case_ref"]: s for s in sentences if s["is_current"]}
    events: list[dict[str, Any]] = []

    def add(case_ref: str, kind: str, on: date, prison: str | None,
            sentence: dict[str, Any] | None, deported: bool) -> None:
        person = people[case_ref]
        score = _latest(ogrs.get(case_ref, []), on)
        nationality = person["nationality"] or ""
        events.append({
            "event_id": len(events) + 1, "case_ref": case_ref, "index_kind": kind,
            "index_date": on, "prison_code": prison,
            "cpa_code": cpa_of_pdu.get(person["pdu__code"] or ""),
            "provider": person["pdu__provider_code"], "sex": person["sex"] or None,
            "age": _age(person["date_of_birth"], on), "nationality": nationality or None,
            "offence_code": (sentence or {}).get("main_offence_code"), "ogrs3": score,
            "risk_band": _band(score), "deported_or_irc": deported,
            "time_served_on_remand": bool((sentence or {}).get("time_served")),
            "breach_of_court_order": bool((sentence or {}).get("breach_of_court_order")),
            # Not recorded in the case store: nobody is left out for these.
            "nps_allocated": False, "electronic_monitoring_only": False})

    for spell in spells:
        if spell["actual_release_date"] is None or spell["remand"]:
            continue
        person = people[spell["case_ref"]]
        nationalities = {(person["nationality"] or "").lower(),
                         (person["second_nationality"] or "").lower()} - {""}
        foreign = bool(nationalities) and not nationalities & BRITISH_OR_IRISH
        add(spell["case_ref"], "discharge", spell["actual_release_date"],
            spell["prison_code"] or None, current.get(spell["case_ref"]),
            foreign and bool(spell["immigration_case"]))
    for sentence in sentences:
        if sentence["kind"] in ("community", "suspended") and sentence["sentence_date"]:
            add(sentence["case_ref"], "supervision_start", sentence["sentence_date"], None,
                sentence, False)
    return events
