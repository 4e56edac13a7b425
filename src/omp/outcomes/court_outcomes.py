"""Import court outcome records (convictions and out-of-court disposals) into a data
directory's ``court_outcomes`` table, for the reoffending measures (OUT-2).

Every record is checked; a bad one is never dropped or counted silently: it goes to a
rejects file (JSON Lines, one object per bad record with its line, field and reason) and is
counted by kind, with examples, in the report. Good records are appended to
``<data>/court_outcomes.parquet``; a record already there (same person, dates, disposal and
offence) is reported as a duplicate rather than counted twice.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from omp.outcomes.history import offence_codes
from omp.outcomes.measures import PROVEN_DISPOSALS

FIELDS = ("case_ref", "offence_date", "disposal_date", "disposal_type", "offence_code")
SCHEMA = pa.schema([("case_ref", pa.string()), ("offence_date", pa.date32()),
                    ("disposal_date", pa.date32()), ("disposal_type", pa.string()),
                    ("offence_code", pa.string())])
EXAMPLES_PER_KIND = 5

#: The kinds of bad record, with the words the report uses.
PROBLEMS = {
    "unreadable": "the line is not a JSON object",
    "missing_field": "a required field is empty or absent",
    "bad_date": "a date is not a real YYYY-MM-DD date",
    "offence_after_disposal": "the offence date is after the disposal date",
    "unknown_disposal_type": "the disposal type is not one of " + ", ".join(PROVEN_DISPOSALS),
    "unknown_offence_code": "the offence code is not in the offence-code reference list",
    "unknown_person": "the person is not in the case store (people table)",
    "duplicate": "the same record is already held, or appears twice in the file",
}


class CourtOutcomesFileError(ValueError):
    """The file or data directory cannot be read at all; the message says which and why."""


@dataclass
class Reject:
    """One bad record."""

    line: int
    case_ref: str | None
    problem: str
    field: str
    message: str
    record: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"line": self.line, "case_ref": self.case_ref, "problem": self.problem,
                "field": self.field, "message": self.message, "record": self.record}


@dataclass
class ImportReport:
    """What an import did: records read, accepted, and rejected by kind with examples."""

    read: int = 0
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[Reject]] = field(default_factory=dict)
    rejects_file: Path | None = None

    @property
    def rejected_total(self) -> int:
        """All rejected records."""
        return sum(self.rejected.values())

    def add(self, reject: Reject) -> None:
        """Count a bad record and keep it as an example when there are few so far."""
        self.rejected[reject.problem] += 1
        kept = self.examples.setdefault(reject.problem, [])
        if len(kept) < EXAMPLES_PER_KIND:
            kept.append(reject)


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, record) for each record; CSV lines count the header as line 1."""
    name = path.name.lower()
    if name.endswith((".jsonl", ".ndjson")):
        with path.open(encoding="utf-8") as handle:
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as error:
                    yield number, {"_error": f"not JSON: {error.msg}"}
                    continue
                yield number, value if isinstance(value, dict) else {"_error": "not an object"}
    elif name.endswith(".csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                yield number, dict(row)
    elif name.endswith(".parquet"):
        table = pq.read_table(path)
        for number, row in enumerate(table.to_pylist(), start=1):
            yield number, row
    else:
        raise CourtOutcomesFileError(f"FILE: {path.name} is not .jsonl, .csv or .parquet")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(_text(value))


def known_people(data_dir: Path) -> set[str]:
    """Case references in the data directory's ``people`` table (the case store)."""
    path = data_dir / "people.parquet"
    if not path.exists():
        raise CourtOutcomesFileError(f"--data: {path} not found; write the case store's "
                                     "people first (omp snapshot or omp outcomes generate)")
    column = pq.read_table(path, columns=["case_ref"]).column("case_ref")
    return set(column.to_pylist())


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[name] for name in FIELDS)


def check(line: int, raw: dict[str, Any], people: set[str],
          codes: set[str]) -> tuple[dict[str, Any] | None, Reject | None]:
    """A clean record, or the reason it is bad (the first problem found)."""
    if "_error" in raw:
        return None, Reject(line, None, "unreadable", "line", raw["_error"], {})
    record = {name: raw.get(name) for name in FIELDS}
    shown = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in record.items()}
    case_ref = _text(record["case_ref"]) or None

    def bad(problem: str, name: str, message: str) -> tuple[None, Reject]:
        return None, Reject(line, case_ref, problem, name, message, shown)

    for name in FIELDS:
        if not _text(record[name]):
            return bad("missing_field", name, f"{name} is required")
    dates: dict[str, date] = {}
    for name in ("offence_date", "disposal_date"):
        try:
            dates[name] = _date(record[name])
        except ValueError:
            return bad("bad_date", name, f"{name}: {record[name]!r} is not a YYYY-MM-DD date")
    if dates["offence_date"] > dates["disposal_date"]:
        return bad("offence_after_disposal", "offence_date",
                   f"offence_date {dates['offence_date']} is after disposal_date "
                   f"{dates['disposal_date']}")
    disposal = _text(record["disposal_type"]).lower()
    if disposal not in PROVEN_DISPOSALS:
        return bad("unknown_disposal_type", "disposal_type",
                   f"disposal_type {record['disposal_type']!r} is not one of "
                   + ", ".join(PROVEN_DISPOSALS))
    code = _text(record["offence_code"])
    if code not in codes:
        return bad("unknown_offence_code", "offence_code",
                   f"offence_code {code!r} is not in the offence-code reference list")
    if case_ref not in people:
        return bad("unknown_person", "case_ref",
                   f"case_ref {case_ref!r} is not in the case store")
    return {"case_ref": case_ref, "offence_date": dates["offence_date"],
            "disposal_date": dates["disposal_date"], "disposal_type": disposal,
            "offence_code": code}, None


def import_court_outcomes(path: Path, data_dir: Path, rejects: Path | None = None,
                          progress: Callable[[int], None] | None = None) -> ImportReport:
    """Check every record of ``path`` and append the good ones to
    ``<data_dir>/court_outcomes.parquet``; bad ones go to ``rejects`` (default: next to the
    input, ``<name>.rejects.jsonl``) and are counted by kind in the report."""
    if not path.exists():
        raise CourtOutcomesFileError(f"FILE: {path} not found")
    people = known_people(data_dir)
    codes = {code.code for code in offence_codes()}
    target = data_dir / "court_outcomes.parquet"
    existing = pq.read_table(target).cast(SCHEMA) if target.exists() else SCHEMA.empty_table()
    records = list(_records(path))
    # Only the held records of the people in this file can be duplicates of it.
    refs = pa.array({_text(raw.get("case_ref")) for _, raw in records}, pa.string())
    held = {_key(row) for row in
            existing.filter(pc.is_in(existing.column("case_ref"), refs)).to_pylist()}
    rejects = rejects or path.with_name(path.name.split(".")[0] + ".rejects.jsonl")
    report = ImportReport(rejects_file=rejects)
    accepted: list[dict[str, Any]] = []
    with rejects.open("w", encoding="utf-8") as out:
        for line, raw in records:
            report.read += 1
            record, reject = check(line, raw, people, codes)
            if record is not None and _key(record) in held:
                reject = Reject(line, record["case_ref"], "duplicate", "record",
                                "this record is already held",
                                {k: str(v) for k, v in record.items()})
                record = None
            if reject is not None:
                report.add(reject)
                out.write(json.dumps(reject.to_dict(), default=str) + "\n")
            elif record is not None:
                held.add(_key(record))
                accepted.append(record)
            if progress and report.read % 10_000 == 0:
                progress(10_000)
    if progress:
        progress(report.read % 10_000)
    report.accepted = len(accepted)
    if accepted:
        table = pa.concat_tables([existing, pa.Table.from_pylist(accepted, schema=SCHEMA)])
        temporary = target.with_suffix(".parquet.tmp")
        pq.write_table(table, temporary, compression="zstd")
        # Written aside then moved: a failure midway never loses the records already held.
        temporary.replace(target)
    return report
