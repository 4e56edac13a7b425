"""Hostile and careless input through every entry path — ``decide``, ``import``, the forms
and the API: a line that cannot be read is that line's error naming its field, every good
line is kept, no exception escapes, and the API answers JSON naming the field, never an
HTML server error. Every date accepted lies in the stated range (docs/interchange.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from omp.cli import app
from omp.interchange.decide import run_decide
from tests.conftest import case_object

runner = CliRunner()
FAR = {"custody.sentence_start_date": "9999-11-01",
       "custody.conditional_release_date": "9999-12-31"}


def _write(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join((json.dumps(x) if not isinstance(x, str) else x) + "\n"
                            for x in lines))
    return path


def _decide(tmp_path: Path, lines: list[Any]) -> list[dict[str, Any]]:
    out = tmp_path / "out.jsonl"
    run_decide(_write(tmp_path / "in.jsonl", lines), out, date(2026, 11, 22))
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.mark.parametrize(("changes", "field"), [
    (FAR, "custody.sentence_start_date"),
    ({"as_of": "0001-01-02"}, "as_of"),
    ({"person.date_of_birth": "1899-12-31"}, "person.date_of_birth"),
    ({"person.sex": "Q"}, "person.sex"),
    ({"case_ref": 123456}, "case_ref"),
    ({"case_ref": "X" * 100_000}, "case_ref"),
    ({"event.sentence.length": "P99999999Y"}, "event.sentence.length"),
    ({"risk.rsr_percent": "1_0"}, "risk.rsr_percent"),
    ({"risk.rsr_percent": "１０"}, "risk.rsr_percent"),
    ({"custody.tariff_date": "2027-W01-1"}, "custody.tariff_date"),
])
def test_a_line_that_cannot_be_read_is_its_own_error(tmp_path: Path, changes: dict[str, Any],
                                                     field: str) -> None:
    lines = [case_object(case_ref="G1"), case_object(**{"case_ref": "BAD", **changes}),
             case_object(case_ref="G2")]
    first, bad, last = _decide(tmp_path, lines)
    assert "error" not in first and "error" not in last
    assert bad["error"]["field"] == field and bad["error"]["message"]


def test_the_accepted_range_is_decided_at_its_bounds(tmp_path: Path) -> None:
    """Dates at both ends of the range go through every rule without overflowing."""
    for start, release in (("1900-01-01", "1900-06-01"), ("2199-01-01", "2199-12-31")):
        [decided] = _decide(tmp_path, [case_object(**{
            "as_of": start, "event.sentence.date": start, "event.sentence.length": "P200Y",
            "custody.sentence_start_date": start,
            "custody.conditional_release_date": release,
            "custody.licence_expiry_date": release})])
        assert "error" not in decided, decided


DATES = st.one_of(st.dates(), st.sampled_from([date(1, 1, 1), date(9999, 12, 31),
                                               date(1899, 12, 31), date(2200, 1, 1)]))
ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                     st.text(max_size=30), DATES.map(date.isoformat))
FIELDS = ["as_of", "person.date_of_birth", "person.sex", "risk.rsr_percent", "risk.tier",
          "risk.rosh", "risk.mappa_level", "event.sentence.length", "event.sentence.date",
          "custody.sentence_start_date", "custody.conditional_release_date",
          "custody.tariff_date", "custody.home_detention_curfew_actual_date",
          "custody.parole_eligibility_date", "custody.licence_expiry_date", "resourcing"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FIELDS), ANYTHING, min_size=1, max_size=6))
def test_decide_keeps_every_good_line_whatever_one_line_holds(changes: dict[str, Any]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        hostile = case_object(**{"case_ref": "H1", **changes})
        first, decided, last = _decide(Path(folder), [case_object(case_ref="G1"), hostile,
                                                      case_object(case_ref="G2")])
    assert "error" not in first and "error" not in last
    if "error" in decided:
        assert decided["error"]["field"] and decided["error"]["message"]
    else:
        assert decided["allocation"]["outcome"] in ("RETAINED_ENHANCED", "ALLOCATED_NORMAL")
        assert all(w["field"] and w["message"] for w in decided["warnings"])


@pytest.mark.django_db
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(FIELDS), ANYTHING, min_size=1, max_size=6))
def test_import_keeps_every_good_line_whatever_one_line_holds(
        tmp_path_factory: Any, changes: dict[str, Any]) -> None:
    from django.db import transaction

    from omp.cases.models import Person
    from omp.decisions.importer import run_import

    folder = tmp_path_factory.mktemp("import")
    with transaction.atomic():
        hostile = case_object(**{"case_ref": "H1", **changes})
        report = run_import(_write(folder / "in.jsonl", [
            case_object(case_ref="G1"), hostile, case_object(case_ref="G2")]))
        kept = set(Person.objects.values_list("case_ref", flat=True))
        assert {"G1", "G2"} <= kept
        assert all(e.line == 2 and e.field for e in report.errors)
        assert ("H1" in kept) == (not report.errors)
        transaction.set_rollback(True)


def test_import_refuses_what_decide_refuses(tmp_path: Path, db: Any) -> None:
    from omp.decisions.importer import run_import

    report = run_import(_write(tmp_path / "in.jsonl", [
        case_object(case_ref="A1", as_of="0001-01-02"), case_object(case_ref="A2", **FAR)]))
    assert [(e.case_ref, e.field) for e in report.errors] == [
        ("A1", "as_of"), ("A2", "custody.sentence_start_date")]


def test_command_line_dates_are_checked_and_named(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.jsonl", [case_object()])
    for value in ("9999-12-31", "16/09/2027"):
        result = runner.invoke(app, ["decide", "--input", str(source), "--output",
                                     str(tmp_path / "out.jsonl"), "--today", value])
        assert result.exit_code == 2 and "--today" in result.output


# --- The forms and the API: a person typing is refused, naming the field ---------------


@pytest.fixture
def in_custody(make_case: Any) -> Any:
    return make_case(**{"custody.sentence_start_date": "2026-03-01",
                        "custody.conditional_release_date": "2028-03-01"})


@pytest.mark.django_db
def test_far_future_dates_are_refused_by_the_custody_form_and_api(
        client_for: Any, in_custody: Any) -> None:
    client = client_for("pom_far", "pom")
    page = client.post(f"/cases/{in_custody.case_ref}/custody/",
                       {"conditional_release_date": "9999-12-31"})
    assert page.status_code == 400 and b"between 1900-01-01 and 2199-12-31" in page.content
    answer = client.post(f"/api/v1/cases/{in_custody.case_ref}/custody",
                         {"conditional_release_date": "9999-12-31"},
                         content_type="application/json")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "custody.conditional_release_date"


@pytest.mark.django_db
def test_far_future_what_if_is_refused_as_json_and_on_the_page(client_for: Any,
                                                              in_custody: Any) -> None:
    client = client_for("pom_wi", "pom")
    answer = client.get("/api/v1/handovers/what-if", {"version": "E", "start": "9999-12-31"})
    assert answer.status_code == 422 and answer["Content-Type"].startswith("application/json")
    assert answer.json()["detail"][0]["field"] == "start"
    page = client.get("/handovers/what-if/", {"version": "E", "start": "9999-12-31"})
    assert page.status_code == 400 and b"between 1900-01-01 and 2199-12-31" in page.content


@pytest.mark.django_db
def test_the_api_refuses_fields_it_does_not_know(client_for: Any, in_custody: Any) -> None:
    client = client_for("court_x", "court_staff")
    answer = client.post(f"/api/v1/cases/{in_custody.case_ref}/scores",
                         {"rsr_percent": 5, "rsr_pecrent": 9}, content_type="application/json")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "rsr_pecrent"
    for text in ("1_0", "１０"):
        answer = client.post(f"/api/v1/cases/{in_custody.case_ref}/scores",
                             {"rsr_percent": text}, content_type="application/json")
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["field"] == "rsr_percent"
