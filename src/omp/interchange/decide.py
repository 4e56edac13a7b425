"""The ``decide`` command: case facts in, decisions out, in input order, no database."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

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
from omp.process_pool import in_order, keep_freed_memory
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


#: A block's decisions (as text, or the file a worker wrote them to), its line count, its
#: errors and its decisions with warnings.
Counts = tuple[bytes | Path, int, int, int]
_deciders: dict[tuple[int, date, str | None], ColumnDecider] = {}


def _column_decider(today: date, policy_name: str | None) -> ColumnDecider:
    """This process's column decider (one DuckDB connection per worker). Keyed by the
    process too: a worker forked from a process that had one must not use its connection."""
    key = (os.getpid(), today, policy_name)
    if key not in _deciders:
        _deciders[key] = ColumnDecider(today, policy_name)
    return _deciders[key]


@dataclass(frozen=True)
class Job:
    """What every block of a run shares: the day, the policy version asked for, whether the
    column path decides, and where a worker writes a block's decisions (``None``: they
    come back as text)."""

    today: date
    policy_name: str | None
    columns: bool
    spool: Path | None = None


def _decide_chunk(raw_lines: list[tuple[int, bytes]], job: Job, name: str) -> Counts:
    """Decide one block: the lines the column path can read are decided there
    (:mod:`omp.interchange.columns`), the others one by one. With a spool, the decisions
    are written to a file of it named ``name`` rather than sent back: a block's decisions
    are tens of megabytes, which a pipe would copy twice more in each process."""
    block = (_column_decider(job.today, job.policy_name).decide_block(
        [raw for _, raw in raw_lines]) if job.columns else Block.none())
    errors = 0
    warned = block.warned

    def one_by_one(place: int) -> bytes:
        nonlocal errors, warned
        result = _decide_line(decode(*raw_lines[place]), job.today, job.policy_name)
        errors += "error" in result
        warned += bool(result.get("warnings"))
        return jsonl_text(result)

    pieces = block.merged(len(raw_lines), one_by_one)
    if job.spool is None:
        return b"".join(pieces), len(raw_lines), errors, warned
    path = job.spool / name
    with open(path, "wb") as out:
        out.writelines(pieces)
    return path, len(raw_lines), errors, warned


def _chunks(path: Path, job: Job) -> Iterator[tuple[Any, ...]]:
    lines = read_raw_lines(path)
    number = 0
    while chunk := list(islice(lines, CHUNK)):
        number += 1
        yield chunk, job, f"{number}.jsonl"


def spans(path: Path, block: int = SPAN_BYTES) -> Iterator[tuple[int, int, int]]:
    """Split a plain JSON Lines file into (start, end, first line number) byte spans that
    end on a line break, so workers read their own lines and the main process ships only
    three numbers per span."""
    buffer = bytearray(block)  # one buffer read into again and again: see keep_freed_memory
    with open(path, "rb") as handle:
        start, line = 0, 1
        while size := handle.readinto(buffer):
            rest = b"" if buffer[size - 1] == ord("\n") else handle.readline()
            yield start, start + size + len(rest), line
            line += buffer.count(b"\n", 0, size) + rest.count(b"\n")
            start += size + len(rest)


def _decide_span(path: Path, start: int, end: int, first: int, job: Job) -> Counts:
    """Decide the lines of one span in a worker."""
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    raw_lines = [(first + index, raw) for index, raw in enumerate(data.split(b"\n"))
                 if raw.strip()]
    return _decide_chunk(raw_lines, job, f"{start}.jsonl")


def _append(out: BinaryIO, decided: bytes | Path) -> None:
    """Write a block's decisions to ``out``, from a worker's file copied by the kernel."""
    if isinstance(decided, bytes):
        out.write(decided)
        return
    out.flush()
    with open(decided, "rb") as source:
        size = os.fstat(source.fileno()).st_size
        copied = 0
        try:
            while copied < size:
                sent = os.copy_file_range(source.fileno(), out.fileno(), size - copied)
                if sent == 0:
                    break
                copied += sent
        except OSError:
            pass  # across file systems on an older kernel: copied below
        if copied < size:
            source.seek(copied)
            shutil.copyfileobj(source, out)
    os.unlink(decided)


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
        # A spool only for workers: in one process the decisions need not be handed over.
        with (tempfile.TemporaryDirectory(prefix="omp-decide-") if workers > 1
              else nullcontext(None)) as spool:
            job = Job(today, policy_name, columns, Path(spool) if spool else None)
            task: Callable[..., Counts]
            jobs: Iterable[tuple[Any, ...]]
            if input_path.name.lower().endswith(".gz"):
                task, jobs = _decide_chunk, _chunks(input_path, job)
            else:
                task = _decide_span
                jobs = ((input_path, start, end, first, job)
                        for start, end, first in spans(input_path, SPAN_BYTES))
            with open(output_path, "wb") as out:
                for decided, count, errors, warned in in_order(
                        task, jobs, workers, per_worker=3, setup=keep_freed_memory):
                    _append(out, decided)
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
