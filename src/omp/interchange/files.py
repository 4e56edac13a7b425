"""Read and write interchange files: JSON Lines (optionally gzipped), CSV and Parquet.

CSV and Parquet carry the same field names flattened with dots; list values (offences,
nationalities, registrations, reasons) are JSON text in one cell.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast

import orjson

from omp.interchange.decision import flatten, keys_in_order, unflatten


class Line:
    """One input record: its 1-based line number and either the object or a decode error."""

    __slots__ = ("number", "obj", "error")

    def __init__(self, number: int, obj: Any = None, error: str | None = None) -> None:
        self.number, self.obj, self.error = number, obj, error


def file_format(path: Path) -> str:
    """``jsonl``, ``csv`` or ``parquet`` from the file name (``.jsonl.gz`` is JSON Lines)."""
    name = path.name.lower()
    for suffix, kind in ((".jsonl", "jsonl"), (".jsonl.gz", "jsonl"), (".ndjson", "jsonl"),
                         (".json", "jsonl"), (".csv", "csv"), (".parquet", "parquet")):
        if name.endswith(suffix):
            return kind
    raise ValueError(f"{path}: cannot tell the format; use .jsonl, .jsonl.gz, .csv or .parquet")


def _open_text(path: Path, mode: str) -> IO[Any]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[Any], gzip.open(path, mode + "t", encoding="utf-8", newline=""))
    return open(path, mode, encoding="utf-8", newline="")


def read_raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of a JSON Lines file with their numbers, undecoded (fast path)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield number, raw


def decode(number: int, raw: bytes) -> Line:
    """Decode one JSON line, keeping a syntax error as the line's error."""
    try:
        # Without its line break, so that an error names the same column on every path
        # (the parallel path splits the file on line breaks, the others read whole lines).
        return Line(number, orjson.loads(raw.rstrip(b"\r\n")))
    except orjson.JSONDecodeError as error:
        return Line(number, error=f"not valid JSON: {error}")


def _cell(value: str) -> Any:
    if value == "":
        return None
    if value[:1] in "[{":
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def read_records(path: Path) -> Iterator[Line]:
    """Every record of an interchange file, as nested objects, with line numbers."""
    kind = file_format(path)
    if kind == "jsonl":
        for number, raw in read_raw_lines(path):
            yield decode(number, raw)
    elif kind == "csv":
        with _open_text(path, "r") as handle:
            # Line 1 is the header, so the first record is line 2, as a spreadsheet shows it.
            for number, row in enumerate(csv.DictReader(handle), start=2):
                yield Line(number, unflatten({k: _cell(v) for k, v in row.items()}))
    else:
        import pyarrow.parquet as pq

        number = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=10_000):
            for row in batch.to_pylist():
                number += 1
                yield Line(number, unflatten({k: _parquet_cell(v) for k, v in row.items()}))


def _parquet_cell(value: Any) -> Any:
    return _cell(value) if isinstance(value, str) else value


def _cell_text(value: Any) -> Any:
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    return value


def write_records(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write nested records in the format the file name asks for; returns the count."""
    kind = file_format(path)
    count = 0
    if kind == "jsonl":
        with _open_text(path, "w") as handle:
            for record in records:
                handle.write(orjson.dumps(record).decode() + "\n")
                count += 1
        return count
    rows = [{k: _cell_text(v) for k, v in flatten(record).items()} for record in records]
    if kind == "csv":
        with _open_text(path, "w") as handle:
            writer = csv.DictWriter(handle, fieldnames=keys_in_order(rows))
            writer.writeheader()
            writer.writerows(rows)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = keys_in_order(rows)
        table = pa.table({c: [_as_text(row.get(c)) for row in rows] for c in columns})
        pq.write_table(table, path)
    return len(rows)


def _as_text(value: Any) -> str | None:
    # One type per column: Parquet readers then need no schema negotiation.
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def jsonl_text(record: dict[str, Any]) -> bytes:
    """One record as a JSON Lines line (with its newline)."""
    return orjson.dumps(record) + b"\n"


__all__ = ["Line", "decode", "file_format", "io", "jsonl_text", "read_records",
           "read_raw_lines", "write_records"]
