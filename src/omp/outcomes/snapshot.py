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
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from omp.outcomes.history import BANDS, contract_package_areas

BRITISH_OR_IRISH = {"british", "irish"}


def _band(score: float | None) -> str | None:
    if score is None:
        return None
    return BANDS[2] if score >= 60 else BANDS[1] if score >= 20 else BANDS[0]


def _write(path: Path, rows: list[dict[str, Any]], schema: pa.Schema) -> int:
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, compression="zstd")
    return len(rows)


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
}


def _latest(scores: list[tuple[date, float]], on: date) -> float | None:
    """The latest score on or before ``on`` (scores sorted by date)."""
    position = bisect.bisect_right([day for day, _ in scores], on)
    return scores[position - 1][1] if position else None


def _age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def write_snapshot(output: Path, progress: Callable[[str], None] | None = None
                   ) -> dict[str, int]:
    """Write the case store's tables and its index events to ``output`` as Parquet; return
    the rows written per table. One query per table, never one per case."""
    from omp.cases.models import (
        Assessment,
        CustodySpell,
        Offence,
        Person,
        PrisonTransfer,
        Registration,
        Sentence,
    )

    step = progress or (lambda _name: None)
    output.mkdir(parents=True, exist_ok=True)
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
    for t in PrisonTransfer.objects.values("spell_id", "from_prison", "to_prison",
                                           "transferred_on"):
        spell = spell_by_id[t["spell_id"]]
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
    return counts


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
