"""Golden files: 10,000 seeded cases (``cases.jsonl.gz``, one line in 40 altered into a
warning or an error) decided by every path, compared field by field with what was decided
when the files were made (``tests/golden/regenerate.py`` remakes them, deliberately).

- ``decide`` (its parallel JSON Lines path and its in-process path) must write exactly
  ``decide.jsonl.gz``, errors and warnings included;
- the import, which decides each case as it records it (the per-case recompute), must store
  exactly ``record.jsonl.gz``; the nightly run's full re-decision of every case must store
  the same again; and on what does not depend on the path (the record quotes the dates
  facts were recorded, and reads a women's prison from the reference data rather than the
  extract's flag, and keeps MAPPA as registrations, so an extract with no MAPPA level is
  there not MAPPA managed), the record agrees with ``decide``;
- the what-if projection under the policy in force from the same day counts the take-ons
  the recorded handover decisions give.

Run with ``OMP_GOLDEN_WRITE=1`` (``regenerate.py`` does) to write ``record.jsonl.gz``
instead of comparing with it.
"""

from __future__ import annotations

import gzip
import os
from collections import Counter
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from django.db import connection

from omp.clock import frozen_at
from omp.interchange.decide import run_decide

HERE = Path(__file__).resolve().parent
AS_OF = date(2026, 11, 22)
INPUT, DECIDED, RECORD = (HERE / name for name in (
    "cases.jsonl.gz", "decide.jsonl.gz", "record.jsonl.gz"))
WRITE = os.environ.get("OMP_GOLDEN_WRITE") == "1"


def _lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]


def _differences(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Every field at which two decoded JSON values differ, by dotted path."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in dict.fromkeys([*expected, *actual]):
            if key not in actual or key not in expected:
                found.append(f"{where}{key}: {'missing' if key not in actual else 'extra'}")
            else:
                found += _differences(expected[key], actual[key], f"{where}{key}.")
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [d for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for d in _differences(e, a, f"{where}{i}.")]
    return [] if expected == actual else [f"{where.rstrip('.')}: {expected!r} → {actual!r}"]


def assert_same(expected: list[dict[str, Any]], actual: list[dict[str, Any]], what: str
                ) -> None:
    """Line by line and field by field, naming the first differences."""
    assert len(actual) == len(expected), f"{what}: {len(actual)} lines, not {len(expected)}"
    problems = []
    for number, (one, other) in enumerate(zip(expected, actual, strict=True), start=1):
        problems += [f"line {number} ({one.get('case_ref')}): {d}"
                     for d in _differences(one, other)]
    assert not problems, f"{what} differs from the golden file in {len(problems)} fields:\n" \
        + "\n".join(problems[:20])


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_decide_writes_the_golden_file(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_bytes(gzip.decompress(INPUT.read_bytes()))
    out = tmp_path / f"decided{suffix}"  # .jsonl: in parallel; .jsonl.gz: in-process
    summary = run_decide(source, out, AS_OF)
    expected = _lines(DECIDED)
    text = gzip.decompress(out.read_bytes()) if suffix.endswith(".gz") else out.read_bytes()
    assert_same(expected, [orjson.loads(line) for line in text.splitlines()], "decide")
    assert (summary.lines, summary.errors, summary.warned) == (
        len(expected), sum("error" in d for d in expected),
        sum(bool(d.get("warnings")) for d in expected))


# --- the record: the per-case recompute, the nightly run, the what-if -----------------------


def _stored() -> list[dict[str, Any]]:
    """Every case's current allocation and handover decisions as stored, by case number."""
    from omp.decisions.models import CurrentDecision, CurrentHandover

    handovers = {h.person_id: h.record for h in CurrentHandover.objects.select_related("record")}
    out = []
    for head in CurrentDecision.objects.select_related("decision", "person").order_by(
            "person__case_ref"):
        d, h = head.decision, handovers.get(head.person_id)
        out.append({
            "case_ref": head.person.case_ref, "as_of": d.as_of.isoformat(),
            "policy_version": d.policy_version, "outcome": d.outcome, "source": d.source,
            "reasons": d.reasons, "missing": d.missing, "tier": d.tier,
            "tier_source": d.tier_source, "warnings": d.warnings, "pathway": d.pathway,
            "pathway_reason": d.pathway_reason,
            "handover": None if h is None else {
                "responsibility": h.responsibility, "start_date": _iso(h.start_date),
                "handover_date": _iso(h.handover_date), "reason": h.reason, "rule": h.rule,
                "explanation": h.explanation, "era": h.era, "policy_version": h.policy_version,
                "earliest_release": [h.earliest_release_name,
                                     _iso(h.earliest_release_date)],
                "type": h.handover_type, "pom_type": h.pom_type, "as_of": h.as_of.isoformat()},
        })
    return out


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _path_free(decided: dict[str, Any]) -> dict[str, Any]:
    """What a decision says that does not depend on the path that made it, from a line of
    ``decide`` or of the record."""
    if "allocation" in decided:  # a decide line
        allocation, handover = decided["allocation"], decided["handover"]
        flat = {**allocation, "pom_type": decided["pom_type"], "tier": decided["tier"] or "",
                "pathway": decided["pathway"], "warnings": decided["warnings"]}
        release = (handover or {}).get("earliest_release") or {}
        handover = handover and {**handover, "earliest_release": [
            release.get("name", ""), release.get("date")]}
    else:
        flat, handover = decided, decided["handover"]
        flat = {**flat, "pom_type": (handover or {}).get("pom_type") or None}
    return {
        "outcome": flat["outcome"], "source": flat["source"], "tier": flat["tier"],
        "reasons": [(r["rule"], r["field"], r["value"]) for r in flat["reasons"]],
        "missing": [(m["rule"], m["field"]) for m in flat["missing"]],
        "warnings": flat["warnings"], "pathway": flat["pathway"],
        "pom_type": flat["pom_type"] if handover and handover["responsibility"] else None,
        "handover": handover and [handover[k] or None for k in (
            "responsibility", "start_date", "handover_date", "reason", "rule", "era", "type")]
        + [handover["earliest_release"]],
    }


#: Cases whose record, by design, reads something other than the extract: a woman in a
#: women's prison the extract does not flag (the record knows the prison), which moves an
#: indeterminate sentence into open conditions (HANDOVER §1.3).
def _womens_prison_unflagged(case: dict[str, Any]) -> bool:
    custody = case.get("custody") or {}
    return custody.get("womens_prison") is None and (case.get("person") or {}).get("sex") == "F"


_MAPPA_MISSING = ("ALLOC-2d", "risk.mappa_level")


def _mappa_unrecorded(case: dict[str, Any], recorded: dict[str, Any],
                      decided: dict[str, Any]) -> bool:
    """The record keeps MAPPA as registrations, as nDelius does: an extract that records no
    MAPPA level registers nothing, and a person with no MAPPA registration is not MAPPA
    managed (level 0), where ``decide`` says the level is not recorded. Nothing else may
    differ."""
    if (case.get("risk") or {}).get("mappa_level") is not None:
        return False
    one, other = _path_free(recorded), _path_free(decided)
    if _MAPPA_MISSING not in other["missing"] or _MAPPA_MISSING in one["missing"]:
        return False
    other["missing"] = [m for m in other["missing"] if m != _MAPPA_MISSING]
    return one == other


@pytest.mark.django_db
def test_every_path_stores_the_golden_decisions(tmp_path: Path) -> None:
    from omp.decisions.importer import run_import
    from omp.decisions.models import CurrentDecision, CurrentHandover, RecomputeRun
    from omp.decisions.nightly import run_nightly

    # PostgreSQL records the first quarter of the lines (the whole file costs minutes
    # more there, on what the SQLite run already compares in full).
    lines = gzip.decompress(INPUT.read_bytes()).splitlines(keepends=True)
    size = len(lines) if WRITE or connection.vendor == "sqlite" else len(lines) // 4
    source = tmp_path / "cases.jsonl"
    source.write_bytes(b"".join(lines[:size]))
    with frozen_at(AS_OF):
        report = run_import(source)
    decided = _lines(DECIDED)[:size]
    # The import refuses exactly the lines decide cannot read, naming the same field.
    refused = {(e.line, e.field) for e in report.errors}
    assert refused == {(n, d["error"]["field"]) for n, d in enumerate(decided, start=1)
                       if "error" in d}

    # The per-case recompute, as each line was imported.
    record = _stored()
    if WRITE:
        RECORD.write_bytes(gzip.compress(b"\n".join(orjson.dumps(r) for r in record) + b"\n",
                                         9, mtime=0))
    imported = {d["case_ref"] for d in decided if "error" not in d}
    golden = [r for r in _lines(RECORD) if r["case_ref"] in imported]
    assert_same(golden, record, "the per-case recompute (import)")

    # The same facts decided by decide agree on everything the path does not change.
    inputs = {}
    for line in lines[:size]:
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(obj, dict) and isinstance(obj.get("case_ref"), str):
            inputs[obj["case_ref"]] = obj
    by_ref = {d["case_ref"]: d for d in decided if "error" not in d}
    assert set(by_ref) == {r["case_ref"] for r in record}
    differ = [r for r in record if _path_free(r) != _path_free(by_ref[r["case_ref"]])]
    by_design = Counter(
        "women's prison" if _womens_prison_unflagged(inputs[r["case_ref"]])
        else "MAPPA unrecorded" if _mappa_unrecorded(inputs[r["case_ref"]], r,
                                                       by_ref[r["case_ref"]])
        else r["case_ref"] for r in differ)
    assert set(by_design) <= {"women's prison", "MAPPA unrecorded"}, by_design
    assert by_design["women's prison"] < 20 and by_design["MAPPA unrecorded"] < 200

    # The nightly run's full re-decision of every case stores the same decisions again.
    CurrentDecision.objects.all().delete()
    CurrentHandover.objects.all().delete()
    run = run_nightly(AS_OF, chunk=1_000)
    assert run.allocation.changed == len(record) and run.finished
    nightly = _stored()
    for case in nightly:
        assert case["handover"] is None or case["handover"].pop("as_of") == AS_OF.isoformat()
    for case in golden:
        if case["handover"] is not None:
            case["handover"].pop("as_of")
    assert_same(golden, nightly, "the nightly run")
    assert RecomputeRun.objects.filter(as_of=AS_OF, finished_at__isnull=False).count() == 2

    _what_if_counts_the_recorded_take_ons(golden)


def _what_if_counts_the_recorded_take_ons(golden: list[dict[str, Any]]) -> None:
    """The what-if under the policy in force from the same day: the scenario decides each
    case the POM holds again, so each take-on is the recorded handover's."""
    from omp.cases.models import Person
    from omp.decisions.what_if import NO_PDU, horizon, project, scenario
    from omp.rules.handover import com_take_on
    from omp.rules.policy import BUILT_IN_VERSIONS

    policy = scenario(BUILT_IN_VERSIONS[-1], AS_OF)
    projection = project(policy, AS_OF, AS_OF, chunk=2_500)
    months = horizon(AS_OF)
    first, last = months[0], date(months[-1].year + (months[-1].month == 12),
                                  months[-1].month % 12 + 1, 1)
    pdus = dict(Person.objects.values_list("case_ref", "pdu__code"))
    expected: Counter[tuple[str, date]] = Counter()
    examined = 0
    for case in golden:
        handover = case["handover"]
        if handover is None or handover["responsibility"] not in (
                "POM_RESPONSIBLE", "POM_RESPONSIBLE_COM_SUPPORTING"):
            continue
        examined += 1
        day = date.fromisoformat(handover["handover_date"]) if handover["handover_date"] \
            else None
        again = SimpleNamespace(responsibility=handover["responsibility"], handover_date=day)
        taken = com_take_on(day, again, AS_OF)  # type: ignore[arg-type]
        if taken is not None and first <= taken < last:
            expected[(pdus[case["case_ref"]] or NO_PDU, taken.replace(day=1))] += 1
    assert examined > len(golden) // 20
    assert (projection.examined, projection.moved) == (examined, 0)
    assert projection.baseline == projection.scenario == expected
