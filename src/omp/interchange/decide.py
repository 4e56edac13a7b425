"""The ``decide`` command: case facts in, decisions out, in input order, no database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from omp.interchange.columns import Block, ColumnDecider
from omp.interchange.decision import decision_dict, error_dict
from omp.interchange.files import (
    Line,
    decode,
    file_format,
    jsonl_text,
    read_raw_lines,
    read_records,
    write_records,
)
from omp.interchange.schema import FieldError, parse_case
from omp.process_pool import in_order
from omp.rules.pipeline import decide_in_force
from omp.rules.policy import BUILT_IN_VERSIONS, PolicyError, policy_named

CHUNK = 5_000
SPAN_BYTES = 32 << 20


@dataclass
class DecideSummary:
    """What a ``decide`` run did: lines read, decisions written (and how many of them carry
    warnings), lines in error."""

    lines: int = 0
    decided: int = 0
    errors: int = 0
    warned: int = 0


def decide_object(obj: Any, today: date, policy_name: str | None) -> dict[str, Any]:
    """Decide one decoded case object, or describe why it is invalid."""
    case_ref = obj.get("case_ref") if isinstance(obj, dict) else None
    try:
        facts = parse_case(obj, today)
        return decision_dict(decide_in_force(facts, BUILT_IN_VERSIONS, policy_name))
    except FieldError as error:
        return error_dict(case_ref, error.field, error.message)
    except PolicyError as error:
        return error_dict(case_ref, "as_of", str(error))
    except Exception as error:  # noqa: BLE001 - one line's failure is that line's error only
        return error_dict(case_ref if isinstance(case_ref, str) else None, "line",
                          f"could not be decided ({type(error).__name__}: {error})")


def _decide_line(line: Line, today: date, policy_name: str | None) -> dict[str, Any]:
    if line.error is not None:
        return error_dict(None, "line", f"line {line.number}: {line.error}")
    return decide_object(line.obj, today, policy_name)


Counts = tuple[bytes, int, int, int]
_deciders: dict[tuple[int, date, str | None], ColumnDecider] = {}


def _column_decider(today: date, policy_name: str | None) -> ColumnDecider:
    """This process's column decider (one DuckDB connection per worker). Keyed by the
    process too: a worker forked from a process that had one must not use its connection."""
    key = (os.getpid(), today, policy_name)
    if key not in _deciders:
        _deciders[key] = ColumnDecider(today, policy_name)
    return _deciders[key]


def _decide_chunk(args: tuple[list[tuple[int, bytes]], date, str | None, bool]) -> Counts:
    """Decide one chunk in a worker: the encoded output, its line count, its errors and its
    decisions with warnings. With ``columns``, the lines the column path can read are
    decided there (:mod:`omp.interchange.columns`), the others one by one."""
    raw_lines, today, policy_name, columns = args
    block = (_column_decider(today, policy_name).decide_block([raw for _, raw in raw_lines])
             if columns else Block([], b"", [0]))
    errors = 0
    warned = block.warned

    def one_by_one(place: int) -> bytes:
        nonlocal errors, warned
        result = _decide_line(decode(*raw_lines[place]), today, policy_name)
        errors += "error" in result
        warned += bool(result.get("warnings"))
        return jsonl_text(result)

    return block.merged(len(raw_lines), one_by_one), len(raw_lines), errors, warned


def _chunks(path: Path, today: date, policy: str | None,
            columns: bool) -> Iterator[tuple[Any, date, Any, bool]]:
    lines = read_raw_lines(path)
    while chunk := list(islice(lines, CHUNK)):
        yield chunk, today, policy, columns


def spans(path: Path, block: int = SPAN_BYTES) -> Iterator[tuple[int, int, int]]:
    """Split a plain JSON Lines file into (start, end, first line number) byte spans that
    end on a line break, so workers read their own lines and the main process ships only
    three numbers per span."""
    with open(path, "rb") as handle:
        start, line = 0, 1
        while data := handle.read(block):
            if not data.endswith(b"\n"):
                data += handle.readline()
            yield start, start + len(data), line
            line += data.count(b"\n")
            start += len(data)


def _decide_span(args: tuple[Path, int, int, int, date, str | None, bool]) -> Counts:
    """Decide the lines of one span in a worker."""
    path, start, end, first, today, policy_name, columns = args
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    raw_lines = [(first + index, raw) for index, raw in enumerate(data.split(b"\n"))
                 if raw.strip()]
    return _decide_chunk((raw_lines, today, policy_name, columns))


def run_decide(
    input_path: Path, output_path: Path, today: date, policy_name: str | None = None,
    workers: int | None = None, progress: Callable[[int], None] | None = None,
    columns: bool = True,
) -> DecideSummary:
    """Decide every case of ``input_path`` into ``output_path``, one object per input line,
    in input order. JSON Lines input is decided in parallel chunks, the lines the column
    path reads in DuckDB (``columns=False`` decides every line one by one, as a check);
    other formats in-process, one by one.
    """
    if policy_name is not None:
        policy_named(BUILT_IN_VERSIONS, policy_name)  # fail fast on an unknown version
    summary = DecideSummary()
    if file_format(input_path) == "jsonl" and file_format(output_path) == "jsonl" \
            and not output_path.name.endswith(".gz"):
        workers = workers or min(2, os.cpu_count() or 1)
        task: Callable[[Any], Counts]
        jobs: Iterable[Any]
        if input_path.name.lower().endswith(".gz"):
            task, jobs = _decide_chunk, _chunks(input_path, today, policy_name, columns)
        else:
            task = _decide_span
            jobs = ((input_path, start, end, first, today, policy_name, columns)
                    for start, end, first in spans(input_path, SPAN_BYTES))
        with open(output_path, "wb") as out:
            for encoded, count, errors, warned in in_order(
                    task, ((job,) for job in jobs), workers, per_worker=3):
                out.write(encoded)
                summary.lines += count
                summary.errors += errors
                summary.warned += warned
                if progress:
                    progress(count)
        summary.decided = summary.lines - summary.errors
        return summary
    results = []
    for line in read_records(input_path):
        result = _decide_line(line, today, policy_name)
        results.append(result)
        summary.lines += 1
        summary.errors += "error" in result
        summary.warned += bool(result.get("warnings"))
        if progress:
            progress(1)
    write_records(output_path, results)
    summary.decided = summary.lines - summary.errors
    return summary
