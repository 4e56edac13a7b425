"""``import``: load interchange case facts into the record, one upsert per line.

Lines are committed in batches, each line inside its own savepoint, so a bad line is
reported with its number and field and rolls back only itself: no other line is lost,
whatever the line raised. An extract's contradictions do not cost a case its place: it is
kept and decided, and each contradiction is reported as a warning naming its field (an
unknown PDU code too, listed for review).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import transaction

from omp.cases.actions import ActionError
from omp.clock import today
from omp.decisions.actions import upsert_case
from omp.interchange.files import Line, read_records
from omp.interchange.schema import FieldError, parse_case


@dataclass(frozen=True)
class LineError:
    """One rejected line: where, which case, which field, and why."""

    line: int
    case_ref: str | None
    field: str
    message: str


@dataclass
class ImportReport:
    """What an import did: counts, every rejected line, every warning, and the PDU codes
    that are not in the reference data (for review)."""

    lines: int = 0
    created: int = 0
    updated: int = 0
    errors: list[LineError] = field(default_factory=list)
    warnings: list[LineError] = field(default_factory=list)
    unknown_pdus: set[str] = field(default_factory=set)


def _import_line(line: Line, user: Any, on: date, report: ImportReport) -> None:
    case_ref = line.obj.get("case_ref") if isinstance(line.obj, dict) else None
    if line.error is not None:
        report.errors.append(LineError(line.number, None, "line", line.error))
        return
    if not isinstance(case_ref, str):
        case_ref = None
    try:
        facts = parse_case(line.obj, on)
        with transaction.atomic():  # a savepoint: a failure undoes this line only
            result = upsert_case(user, facts, recompute_on=on)
    except (FieldError, ActionError) as error:
        report.errors.append(LineError(line.number, case_ref, error.field, error.message))
        return
    except Exception as error:  # noqa: BLE001 - whatever one line raises is its own error
        report.errors.append(LineError(line.number, case_ref, "line",
                                       f"could not be imported ({type(error).__name__}: "
                                       f"{error})"))
        return
    for name, message in result.warnings:
        report.warnings.append(LineError(line.number, case_ref, name, message))
        if name == "probation.pdu_code" and facts.pdu_code:
            report.unknown_pdus.add(facts.pdu_code)
    if result.created:
        report.created += 1
    else:
        report.updated += 1


def run_import(path: Path, user: Any = None, batch: int = 500,
               progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import every line of ``path``; returns counts and every rejected line."""
    report = ImportReport()
    on = today()
    records = read_records(path)
    while lines := list(islice(records, batch)):
        with transaction.atomic():
            for line in lines:
                _import_line(line, user, on, report)
        report.lines += len(lines)
        if progress:
            progress(len(lines))
    return report
