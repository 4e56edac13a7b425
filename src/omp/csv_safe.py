"""The one CSV writer for downloads: no cell a spreadsheet would run as a formula.

OWASP's rule for CSV injection: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with a single quote, so a spreadsheet shows it as text instead of
running it (a COM name ``=HYPERLINK(...)`` or an email ``@SUM(1+1)`` loaded by import). A cell
that is only a number (``-12.5``, ``+3``) is left alone: a spreadsheet reads it as that number,
not as a formula, and quoting it would turn every negative figure into text. Numbers given as
numbers are written as they are. The csv module quotes any cell holding a separator, a quote
or a line break, so no cell can spill into the next.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

#: What a spreadsheet takes as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class _Stream(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralise(value: object) -> object:
    """``value``, with a leading single quote if it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every cell goes through :func:`neutralise`."""

    def __init__(self, stream: _Stream, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: _Stream, **options: Any) -> SafeWriter:
    """A CSV writer for a download (a Django ``HttpResponse`` or any text stream)."""
    return SafeWriter(stream, **options)


def chunks(header: Iterable[object], rows: Iterable[Iterable[object]],
           every: int = 2_000) -> Iterator[str]:
    """The CSV text of ``header`` and ``rows`` in pieces of ``every`` rows, for a streamed
    download (a Django ``StreamingHttpResponse``): a large file never sits in memory."""
    buffer = io.StringIO()
    safe = writer(buffer)
    safe.writerow(header)
    for number, row in enumerate(rows, 1):
        safe.writerow(row)
        if number % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
