"""The published ``decide`` contract (INTERCHANGE.md): order, errors, exit status, policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from omp.cli import app
from tests.conftest import case_object

runner = CliRunner()
EXAMPLE = {
    "case_ref": "X123456", "as_of": "2021-09-01",
    "person": {"date_of_birth": "1990-01-31", "sex": "M", "nationalities": ["British"]},
    "probation": {"pdu_code": "N03UAT", "provider_code": "N03", "country": "Wales"},
    "risk": {"tier": "C1", "rosh": "MEDIUM", "rsr_percent": 3.2, "osp": None,
             "ogrs3_2yr_percent": 52, "mappa_level": 0, "mappa_category": None,
             "registrations": []},
    "event": {"offences": [{"code": "02700", "description": "...", "schedule_15": None}],
              "sentence": {"kind": "custodial", "date": "2021-03-01", "length": "P18M",
                           "indeterminate": False, "ipp": False,
                           "breach_of_court_order": False, "time_served": False}},
    "custody": {"prison_code": "DNI", "womens_prison": False, "category": "C",
                "arrival_date": "2021-03-02", "remand": False,
                "sentence_start_date": "2021-03-01", "conditional_release_date": "2022-02-28",
                "recall": False, "immigration_case": False, "early_allocation": False},
    "resourcing": None,
}


def _write(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join((json.dumps(x) if not isinstance(x, str) else x) + "\n"
                            for x in lines))
    return path


def _decide(tmp_path: Path, lines: list[Any], *args: str) -> tuple[int, list[dict[str, Any]]]:
    source = _write(tmp_path / "cases.jsonl", lines)
    out = tmp_path / "decisions.jsonl"
    result = runner.invoke(app, ["decide", "--input", str(source), "--output", str(out), *args])
    return result.exit_code, [json.loads(line) for line in out.read_text().splitlines()]


def test_worked_example_of_interchange(tmp_path: Path) -> None:
    code, [decision] = _decide(tmp_path, [EXAMPLE])
    assert code == 0
    assert decision["case_ref"] == "X123456" and decision["policy_version"] == "B"
    allocation = decision["allocation"]
    assert allocation["outcome"] == "RETAINED_ENHANCED" and allocation["source"] == "computed"
    assert [(r["rule"], r["field"], r["value"]) for r in allocation["reasons"]] == [
        ("ALLOC-2g", "probation.provider_code", "N03")]
    # schedule 15 status null is "not recorded": reported, never silently false (ALLOC-4)
    assert {m["rule"] for m in allocation["missing"]} == {"ALLOC-2b", "ALLOC-2c"}
    # Era B, enhanced, determinate, MAPPA 0: the window opens 7 months 15 days before the
    # CRD and the COM takes over 4 months 15 days before it (HAND-1, HAND-2).
    handover = decision["handover"]
    assert (handover["responsibility"], handover["start_date"], handover["handover_date"],
            handover["reason"], handover["earliest_release"]) == (
        "POM_RESPONSIBLE_COM_SUPPORTING", "2021-07-13", "2021-10-13", "nps_determinate",
        {"name": "CRD", "date": "2022-02-28"})
    # PATH-1: P18M from 1 March 2021 is 12 months or more, so pathway 2, as INTERCHANGE.md says.
    assert decision["pom_type"] == "PRISON" and decision["pathway"] == 2


def test_output_in_input_order_with_errors_in_place(tmp_path: Path) -> None:
    lines = [case_object(case_ref=f"C{i}") for i in range(7)]
    lines.insert(2, "{not json")
    lines.insert(5, case_object(case_ref="BAD", **{"event.sentence.length": "18 months"}))
    code, out = _decide(tmp_path, lines)
    assert code == 1
    assert [o.get("case_ref") for o in out] == ["C0", "C1", None, "C2", "C3", "BAD", "C4",
                                                "C5", "C6"]
    assert out[2]["error"]["field"] == "line"
    assert out[5]["error"] == {"field": "event.sentence.length",
                               "message": out[5]["error"]["message"]}
    assert "P18M" in out[5]["error"]["message"]


@pytest.mark.parametrize("as_of, version", [("2022-10-18", "B"), ("2022-10-19", "C"),
                                            ("2023-04-01", "D"), ("2024-10-16", "E")])
def test_policy_in_force_on_as_of(tmp_path: Path, as_of: str, version: str) -> None:
    _, [decision] = _decide(tmp_path, [case_object(as_of=as_of)])
    assert decision["policy_version"] == version


def test_named_policy_overrides_and_unknown_policy_fails(tmp_path: Path) -> None:
    _, [decision] = _decide(tmp_path, [case_object(as_of="2026-01-01")], "--policy", "B")
    assert decision["policy_version"] == "B"
    source = _write(tmp_path / "c.jsonl", [case_object()])
    result = runner.invoke(app, ["decide", "-i", str(source), "-o", str(tmp_path / "o.jsonl"),
                                 "--policy", "Z"])
    assert result.exit_code == 2 and "unknown policy version 'Z'" in result.output


@pytest.mark.parametrize("suffix", ["csv", "parquet", "jsonl.gz"])
def test_other_formats_round_trip(tmp_path: Path, suffix: str) -> None:
    from omp.interchange.files import read_records, write_records

    source = tmp_path / f"cases.{suffix}"
    write_records(source, [EXAMPLE, case_object(case_ref="Y1")])
    out = tmp_path / f"decisions.{suffix}"
    result = runner.invoke(app, ["decide", "-i", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    decided = [line.obj for line in read_records(out)]
    assert [d["case_ref"] for d in decided] == ["X123456", "Y1"]
    assert decided[0]["allocation"]["outcome"] == "RETAINED_ENHANCED"
    assert decided[1]["allocation"]["outcome"] == "ALLOCATED_NORMAL"


@pytest.mark.parametrize("field, value", [
    ("risk.rsr_percent", "high"), ("risk.rsr_percent", 101), ("risk.rosh", "SEVERE"),
    ("risk.mappa_level", 4), ("as_of", "2021-02-30"), ("event.sentence.kind", "fine"),
    ("person.nationalities", "British"), ("probation.country", "Scotland"),
    ("custody.recall", "maybe"), ("risk.tier", "E9"),
])
def test_each_bad_field_is_named(tmp_path: Path, field: str, value: Any) -> None:
    if field == "person.nationalities":
        value = [1]
    _, [out] = _decide(tmp_path, [case_object(**{field: value})])
    assert out["error"]["field"] == field


def test_many_spans_give_the_same_output_and_line_numbers(tmp_path: Path,
                                                          monkeypatch: Any) -> None:
    from omp.interchange import decide

    lines: list[Any] = [case_object(case_ref=f"S{i:03d}", **{"risk.rsr_percent": i % 13})
                        for i in range(60)]
    lines[7] = "{not json"
    lines[31] = case_object(case_ref="S031", **{"risk.rsr_percent": "lots"})
    lines.insert(20, "")  # blank lines are skipped but still counted
    _, whole = _decide(tmp_path, lines)
    monkeypatch.setattr(decide, "SPAN_BYTES", 700)  # a span every line or two
    _, split = _decide(tmp_path, lines)
    assert split == whole and len(split) == 60
    assert split[7]["error"]["message"].startswith("line 8:")
    assert split[31]["error"]["field"] == "risk.rsr_percent"
    assert [d["case_ref"] for d in split if "error" not in d][:3] == ["S000", "S001", "S002"]


@pytest.mark.parametrize(("custody", "field", "handover_decided"), [
    ({"sentence_start_date": "2026-03-01", "conditional_release_date": "2026-02-01"},
     "custody.conditional_release_date", False),
    ({"sentence_start_date": "2026-03-01", "tariff_date": "2030-01-01"},
     "custody.tariff_date", True),
    ({"sentence_start_date": "2026-03-01", "conditional_release_date": "2028-03-01",
      "home_detention_curfew_eligibility_date": "2027-06-01",
      "home_detention_curfew_actual_date": "2027-05-01"},
     "custody.home_detention_curfew_actual_date", True),
])
def test_contradictory_custody_dates_in_an_extract_are_decided_with_a_warning(
        tmp_path: Path, custody: dict[str, str], field: str, handover_decided: bool) -> None:
    """ALLOC-1: an extract's contradiction costs the case no decision. The allocation is
    always decided; a release date before the sentence start leaves only the handover (and
    the POM type that follows from it) null, saying why; each contradiction is a warning
    naming its field, and the line is not an error."""
    bad = case_object(case_ref="BAD1", custody=custody)
    code, [good, warned] = _decide(tmp_path, [case_object(case_ref="OK1"), bad])
    assert code == 0
    assert good["warnings"] == [] and good["handover"]["responsibility"] is not None
    assert "error" not in warned and warned["case_ref"] == "BAD1"
    assert warned["allocation"]["outcome"] in ("RETAINED_ENHANCED", "ALLOCATED_NORMAL")
    assert [w["field"] for w in warned["warnings"]] == [field]
    if handover_decided:
        assert warned["handover"]["responsibility"] is not None
    else:
        assert warned["handover"] is None and warned["pom_type"] is None
        assert "handover is not decided" in warned["warnings"][0]["message"]


def test_workers_hand_their_decisions_over_in_files_that_do_not_outlive_the_run(
        tmp_path: Path, monkeypatch: Any) -> None:
    """With two workers, each block's decisions come back through a file the kernel copies
    into the output; where it cannot (another file system on an older kernel), Python
    copies it. Either way the output is the one-process output, and no file is left."""
    import os
    import tempfile
    from datetime import date

    from omp.interchange import decide

    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    monkeypatch.setattr(decide, "SPAN_BYTES", 2_000)  # several blocks for each worker
    source = _write(tmp_path / "cases.jsonl", [
        case_object(case_ref=f"W{i:03d}", **{"risk.rsr_percent": i % 11}) for i in range(40)])
    one, two, copied = (tmp_path / f"{name}.jsonl" for name in ("one", "two", "copied"))
    decide.run_decide(source, one, date(2026, 11, 22), workers=1)
    summary = decide.run_decide(source, two, date(2026, 11, 22), workers=2)
    assert summary.lines == 40 and two.read_bytes() == one.read_bytes()

    def refuse(*args: Any) -> int:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refuse)
    decide.run_decide(source, copied, date(2026, 11, 22), workers=2)
    assert copied.read_bytes() == one.read_bytes()
    assert list(spool.iterdir()) == []
