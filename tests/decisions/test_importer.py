"""``import``: each line an upsert; bad lines reported by number and field; none lost."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from omp.cases.models import Person, Registration
from omp.decisions.importer import run_import
from omp.decisions.models import CurrentDecision
from tests.conftest import case_object

pytestmark = pytest.mark.django_db


def _file(tmp_path: Path, lines: list[Any]) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join((json.dumps(x) if not isinstance(x, str) else x) + "\n"
                            for x in lines))
    return path


def test_bad_lines_are_reported_and_good_lines_kept(tmp_path: Path) -> None:
    lines = [case_object(case_ref=f"I{i:03d}") for i in range(8)]
    lines[2] = "{broken"
    lines[4] = case_object(case_ref="I004", **{"risk.rsr_percent": "lots"})
    lines[6] = case_object(case_ref="I006", **{"probation.pdu_code": "ZZZ999"})
    report = run_import(_file(tmp_path, lines), batch=3)
    assert report.lines == 8 and report.created == 5
    assert [(e.line, e.case_ref, e.field) for e in report.errors] == [
        (3, None, "line"), (5, "I004", "risk.rsr_percent"), (7, "I006", "probation.pdu_code")]
    assert sorted(Person.objects.values_list("case_ref", flat=True)) == [
        "I000", "I001", "I003", "I005", "I007"]
    assert CurrentDecision.objects.count() == 5


def test_reimport_is_an_upsert_that_ends_registrations(tmp_path: Path) -> None:
    first = case_object(case_ref="U1", **{"risk.registrations": ["HOI"], "risk.mappa_level": 2})
    run_import(_file(tmp_path, [first]))
    person = Person.objects.get(case_ref="U1")
    assert CurrentDecision.objects.get(person=person).decision.outcome == "RETAINED_ENHANCED"
    second = case_object(case_ref="U1", as_of="2026-11-10",
                         **{"risk.registrations": [], "risk.mappa_level": 0})
    report = run_import(_file(tmp_path, [second]))
    assert report.updated == 1 and not report.errors
    hoi = Registration.objects.get(person=person, code="HOI")
    assert str(hoi.end_date) == "2026-11-10"  # ended, not deleted: history keeps it
    decisions = person.allocation_decisions.order_by("id")
    assert [d.outcome for d in decisions] == ["RETAINED_ENHANCED", "ALLOCATED_NORMAL"]
    assert Person.objects.count() == 1


def test_a_change_of_prison_is_recorded_as_a_transfer(tmp_path: Any) -> None:
    from omp.cases.models import PrisonTransfer

    first = case_object(**{"custody.prison_code": "LEI", "as_of": "2026-05-01"})
    moved = case_object(**{"custody.prison_code": "DNI", "as_of": "2026-06-15"})
    for obj in (first, moved, moved):  # the repeat changes nothing
        path = tmp_path / "cases.jsonl"
        path.write_text(json.dumps(obj) + "\n")
        assert run_import(path, None).errors == []
    transfer = PrisonTransfer.objects.get()
    assert (transfer.from_prison, transfer.to_prison, transfer.transferred_on) == (
        "LEI", "DNI", date(2026, 6, 15))
    assert transfer.spell.prison_code == "DNI"


@pytest.mark.parametrize("field, value", [
    ("case_ref", "X\x00001"), ("person.nationalities", ["Brit\x00ish"]),
    ("event.offences", [{"code": "02700", "description": "Theft\x00"}]),
    ("probation.pdu_code", "N07\x00CAM")])
def test_a_nul_character_is_a_bad_field_not_a_crash(tmp_path: Path, field: str,
                                                    value: Any) -> None:
    path = _file(tmp_path, [case_object(**{field: value}), case_object(case_ref="X000002")])
    report = run_import(path, None)
    assert [(e.line, e.field.split("[")[0]) for e in report.errors] == [(1, field)]
    assert "NUL" in report.errors[0].message or "text" in report.errors[0].message
    assert Person.objects.filter(case_ref="X000002").exists()
