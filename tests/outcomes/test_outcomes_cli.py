"""The outcomes commands: generate a history (and the results pages' figures), measure a
cohort as JSON, import outcomes, compute the figures again."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from omp.cli import app
from omp.outcomes import stored_results

runner = CliRunner()


def test_generate_then_measure_as_json_then_import_with_a_bad_record(tmp_path):
    data = tmp_path / "data"
    result = runner.invoke(app, ["outcomes", "generate", "--data", str(data),
                                 "--index-events", "3000", "--outcomes", "20000"])
    assert result.exit_code == 0, result.output
    assert (data / "support_contacts.parquet").exists()
    # The results pages' figures are computed with the data, and kept with the time.
    assert "Results pages: " in result.output
    first = stored_results.current(data)
    assert first.places > 40 and not first.is_stale(data)
    result = runner.invoke(app, ["measure", "--cohort", "national-2012", "--data", str(data),
                                 "--by", "cpa", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 21 and all(row["cohort"] == "national-2012" for row in rows)
    assert sum(row["size"] for row in rows) > 0

    source = tmp_path / "new.jsonl"
    source.write_text(json.dumps({"case_ref": "G0000001", "offence_date": "2017-01-01",
                                  "disposal_date": "2016-12-01", "disposal_type": "court",
                                  "offence_code": "04600"}) + "\n")
    result = runner.invoke(app, ["court-outcomes", "import", str(source), "--data", str(data)])
    assert result.exit_code == 1
    assert "offence_after_disposal" in result.output
    assert stored_results.current(data).folder == first.folder  # nothing added

    result = runner.invoke(app, ["outcomes", "compute", "--data", str(data)])
    assert result.exit_code == 0, result.output
    again = stored_results.current(data)
    assert again.folder != first.folder and again.computed_at >= first.computed_at


def test_compute_without_data_says_how_to_write_it(tmp_path):
    result = runner.invoke(app, ["outcomes", "compute", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "omp outcomes generate" in " ".join(result.output.split())
    result = runner.invoke(app, ["outcomes", "compute", "--data", str(tmp_path), "--engine",
                                 "sqlite"])
    assert result.exit_code == 2 and "engine" in result.output


def test_unknown_cohort_and_grouping_exit_2_naming_the_option(tmp_path):
    result = runner.invoke(app, ["measure", "--cohort", "nowhere-2012", "--data",
                                 str(tmp_path)])
    assert result.exit_code == 2 and "unknown name" in result.output
    result = runner.invoke(app, ["cohort", "show", "doncaster-2009", "--json"])
    assert json.loads(result.stdout)["exclusions"] == [
        "deported_or_irc", "time_served_on_remand", "breach_of_court_order"]
