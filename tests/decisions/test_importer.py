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
    assert report.lines == 8 and report.created == 6
    assert [(e.line, e.case_ref, e.field) for e in report.errors] == [
        (3, None, "line"), (5, "I004", "risk.rsr_percent")]
    # An unknown PDU code keeps the case, without a PDU, and lists the code for review.
    assert [(w.line, w.case_ref, w.field) for w in report.warnings] == [
        (7, "I006", "probation.pdu_code")]
    assert report.unknown_pdus == {"ZZZ999"}
    assert Person.objects.get(case_ref="I006").pdu is None
    assert sorted(Person.objects.values_list("case_ref", flat=True)) == [
        "I000", "I001", "I003", "I005", "I006", "I007"]
    assert CurrentDecision.objects.count() == 6


@pytest.mark.parametrize(("custody", "field", "handover"), [
    ({"custody.sentence_start_date": "2026-03-01", "custody.tariff_date": "2030-01-01"},
     "custody.tariff_date", True),
    ({"custody.sentence_start_date": "2026-03-01",
      "custody.conditional_release_date": "2026-02-01"},
     "custody.conditional_release_date", False),
])
def test_an_extracts_contradictory_dates_are_kept_and_decided_with_a_warning(
        tmp_path: Path, custody: dict[str, str], field: str, handover: bool) -> None:
    """ALLOC-1 through import: the case is recorded and decided, the warning names the
    field and is stored on the decision; a release before the start leaves the handover
    undecided."""
    from omp.decisions.models import CurrentHandover

    report = run_import(_file(tmp_path, [case_object(case_ref="W1", **custody)]))
    assert report.errors == [] and report.created == 1
    assert [w.field for w in report.warnings] == [field]
    decision = CurrentDecision.objects.get(person__case_ref="W1").decision
    assert [w["field"] for w in decision.warnings] == [field]
    assert CurrentHandover.objects.filter(person__case_ref="W1").exists() == handover


def test_whatever_one_line_raises_costs_no_other_line(tmp_path: Path, monkeypatch: Any) -> None:
    from omp.decisions import actions

    real = actions.apply_case_facts

    def failing(user: Any, facts: Any) -> Any:
        if facts.case_ref == "E002":
            raise RuntimeError("disk on fire")
        return real(user, facts)

    monkeypatch.setattr(actions, "apply_case_facts", failing)
    lines = [case_object(case_ref=f"E{i:03d}") for i in range(5)]
    report = run_import(_file(tmp_path, lines), batch=5)
    assert [(e.line, e.case_ref, e.field) for e in report.errors] == [(3, "E002", "line")]
    assert "RuntimeError" in report.errors[0].message
    assert Person.objects.count() == 4


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
