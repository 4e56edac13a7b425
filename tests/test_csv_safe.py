"""The one CSV writer: a cell a spreadsheet would run as a formula is prefixed with a single
quote (OWASP); numbers and plain text come out as they went in; every download uses it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from omp import csv_safe


def _written(*cells: object) -> list[str]:
    buffer = io.StringIO()
    csv_safe.writer(buffer).writerow(cells)
    return next(csv.reader(io.StringIO(buffer.getvalue())))


@pytest.mark.parametrize("cell", [
    '=HYPERLINK("http://example.org/x","Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
], ids=["equals", "plus", "minus", "at", "tab", "carriage-return"])
def test_a_cell_starting_a_formula_is_quoted(cell: str) -> None:
    assert _written(cell, "Jo Smith") == ["'" + cell, "Jo Smith"]


@pytest.mark.parametrize("cell, expected", [
    ("-12.5", "-12.5"), ("+3", "+3"), ("-1e5", "-1e5"), ("-.5", "-.5"),
    (-12.5, "-12.5"), (7, "7"), (None, ""), ("", ""),
    ("Smith-Jones", "Smith-Jones"), ("jo@example.org", "jo@example.org"),
    ("a = b", "a = b"), ("3-4", "3-4"), ("-", "'-"), ("--1", "'--1"), ("-1-1", "'-1-1"),
])
def test_numbers_and_plain_text_are_left_alone(cell: object, expected: str) -> None:
    assert _written(cell) == [expected]


def test_writerows_quotes_every_row() -> None:
    buffer = io.StringIO()
    csv_safe.writer(buffer, lineterminator="\n").writerows([["=1", "a"], ["b", "@2"]])
    assert buffer.getvalue() == "'=1,a\nb,'@2\n"


@pytest.mark.django_db
def test_the_handover_download_quotes_a_com_name_and_email(client_for: Any,
                                                           make_case: Any) -> None:
    from omp.cases.models import Person

    today = timezone.localdate()
    crd = today + timedelta(days=24) + relativedelta(months=8)  # handover in about 10 days
    person = make_case(case_ref="U0001", **{
        "custody.sentence_start_date": (today - timedelta(days=400)).isoformat(),
        "custody.conditional_release_date": crd.isoformat(), "event.sentence.length": "P5Y"})
    Person.objects.filter(pk=person.pk).update(com_name='=HYPERLINK("http://x","y")',
                                               com_email="@SUM(1+1)")
    download = client_for("pom", "pom").get("/handovers/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [(row["case_ref"], row["com_name"], row["com_email"]) for row in rows] == [
        ("U0001", '\'=HYPERLINK("http://x","y")', "'@SUM(1+1)")]


def test_chunks_stream_the_same_text_in_pieces_and_neutralise_every_cell() -> None:
    rows = [[f"=row{n}", n] for n in range(5)]
    pieces = list(csv_safe.chunks(["name", "n"], rows, every=2))
    assert len(pieces) == 3  # after rows 2 and 4, then the rest
    assert "".join(pieces).splitlines() == ["name,n", *(f"'=row{n},{n}" for n in range(5))]
    assert list(csv_safe.chunks(["only"], [])) == ["only\r\n"]
