"""``ogrs3``: people in, OGRS3 scores out (NEED-2), one object per line in input order, in
the interchange style (docs/interchange.md). A line that cannot be scored gets
``{"ref": ..., "error": {"field": ..., "message": ...}}`` and the run goes on."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omp.interchange.files import Line, read_records, write_records
from omp.interchange.schema import FieldError, parse_date
from omp.rules.inputs import plain_decimal
from omp.rules.ogrs3 import Ogrs3Error, Ogrs3Inputs, score

REQUIRED_DATES = ("date_of_birth", "date_of_current_conviction", "date_at_start_of_followup")


@dataclass
class Ogrs3Summary:
    """What a run did: lines read, people scored, lines in error."""

    lines: int = 0
    scored: int = 0
    errors: int = 0


def _whole_number(obj: Mapping[str, Any], field: str) -> int:
    value = obj.get(field)
    if isinstance(value, bool) or value is None or value == "":
        raise FieldError(field, "is required, as a whole number")
    number = plain_decimal(value) if isinstance(value, str) else (
        value if isinstance(value, int) else None)
    if number is None or number != int(number):
        raise FieldError(field, f"must be a whole number, not {value!r}")
    return int(number)


def parse_person(obj: Any) -> Ogrs3Inputs:
    """One decoded object as OGRS3's inputs; :class:`FieldError` names the field at fault."""
    if not isinstance(obj, dict):
        raise FieldError("line", "each line must be a JSON object")
    dates = {}
    for field in REQUIRED_DATES:
        day = parse_date(obj.get(field), field)
        if day is None:
            raise FieldError(field, "is required, as YYYY-MM-DD")
        dates[field] = day
    sex = obj.get("sex")
    category = obj.get("offence_category")
    if not isinstance(category, str) or not category:
        raise FieldError("offence_category", "is required, as a category name of the "
                                             "OGRS3 table")
    return Ogrs3Inputs(sex=sex.upper() if isinstance(sex, str) else "", **dates,
                       total_sanctions=_whole_number(obj, "total_sanctions"),
                       age_at_first_sanction=_whole_number(obj, "age_at_first_sanction"),
                       offence_category=category)


def score_line(line: Line) -> dict[str, Any]:
    """The output object for one input line: its score, or its error."""
    ref = line.obj.get("ref") if isinstance(line.obj, dict) else None
    if line.error is not None:
        return {"ref": None, "error": {"field": "line",
                                       "message": f"line {line.number}: {line.error}"}}
    try:
        result = score(parse_person(line.obj))
    except (FieldError, Ogrs3Error) as error:
        return {"ref": ref, "error": {"field": error.field, "message": error.message}}
    return {"ref": ref, "one_year_percent": result.one_year_percent,
            "two_year_percent": result.two_year_percent, "band": result.band,
            "seed_band": result.seed_band}


def run_ogrs3(input_path: Path, output_path: Path,
              progress: Callable[[int], None] | None = None) -> Ogrs3Summary:
    """Score every line of ``input_path`` into ``output_path``, in input order."""
    summary = Ogrs3Summary()

    def results() -> Iterator[dict[str, Any]]:
        for line in read_records(input_path):
            result = score_line(line)
            summary.lines += 1
            summary.errors += "error" in result
            if progress:
                progress(1)
            yield result

    write_records(output_path, results())
    summary.scored = summary.lines - summary.errors
    return summary
