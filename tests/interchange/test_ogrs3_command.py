"""``omp ogrs3``: people in, scores out, in input order; a bad line is its own error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from omp.cli import app

runner = CliRunner()
EXAMPLE = {"ref": "P1", "sex": "M", "date_of_birth": "1975-04-29",
           "date_of_current_conviction": "2009-02-19", "date_at_start_of_followup": "2020-01-14",
           "total_sanctions": 22, "age_at_first_sanction": 17,
           "offence_category": "Drug import/export/production"}


def _run(tmp_path: Path, lines: list[Any], suffix: str = "jsonl") -> tuple[int, list[Any]]:
    source = tmp_path / "people.jsonl"
    source.write_text("".join((json.dumps(x) if not isinstance(x, str) else x) + "\n"
                              for x in lines))
    out = tmp_path / f"scores.{suffix}"
    result = runner.invoke(app, ["ogrs3", "--input", str(source), "--output", str(out)])
    if suffix != "jsonl":
        return result.exit_code, [out.read_text()]
    return result.exit_code, [json.loads(line) for line in out.read_text().splitlines()]


def test_the_worked_example(tmp_path: Path) -> None:
    code, [scored] = _run(tmp_path, [EXAMPLE])
    assert code == 0
    assert scored == {"ref": "P1", "one_year_percent": 35, "two_year_percent": 52,
                      "band": "MEDIUM", "seed_band": "MEDIUM"}


def test_bad_lines_are_errors_in_place_and_the_run_goes_on(tmp_path: Path) -> None:
    lines = [EXAMPLE, "{not json", {**EXAMPLE, "ref": "P3", "total_sanctions": "1_0"},
             {**EXAMPLE, "ref": "P4", "date_of_birth": "29/04/1975"},
             {**EXAMPLE, "ref": "P5", "offence_category": "Shoplifting"},
             {**EXAMPLE, "ref": "P6", "age_at_first_sanction": 40},
             {**EXAMPLE, "ref": "P7", "sex": "M", "total_sanctions": 1,
              "age_at_first_sanction": 33}]
    code, out = _run(tmp_path, lines)
    assert code == 1 and len(out) == 7
    assert [o.get("ref") for o in out] == ["P1", None, "P3", "P4", "P5", "P6", "P7"]
    assert [o["error"]["field"] for o in out[1:6]] == [
        "line", "total_sanctions", "date_of_birth", "offence_category",
        "age_at_first_sanction"]
    assert out[1]["error"]["message"].startswith("line 2:")
    assert "error" not in out[6] and out[6]["two_year_percent"] < 52


def test_csv_output(tmp_path: Path) -> None:
    code, [text] = _run(tmp_path, [EXAMPLE], "csv")
    assert code == 0
    assert text.splitlines() == ["ref,one_year_percent,two_year_percent,band,seed_band",
                                 "P1,35,52,MEDIUM,MEDIUM"]
