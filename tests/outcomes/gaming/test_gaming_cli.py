"""``omp gaming`` (OUT-6): the same checks, readings and suppression (COM-4) as the page, on
either engine; bad options named."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from omp.cli import app
from omp.outcomes.gaming import SUPPRESSED


def test_json_has_the_figures_and_readings_on_each_engine(engine_name, tmp_path,
                                                          write_monitoring_data):
    data = write_monitoring_data(tmp_path)
    result = CliRunner().invoke(app, ["gaming", "--data", str(data), "--engine", engine_name,
                                      "--json"])
    assert result.exit_code == 0, result.output
    checks = {check["check"]: check for check in json.loads(result.stdout)}
    assert list(checks) == ["intensity", "transfers", "duplication"]
    high = next(row for row in checks["intensity"]["rows"] if row["risk_band"] == "high")
    assert high["people"] == 12 and high["flag"] == "possible parking"
    medium = next(row for row in checks["intensity"]["rows"] if row["risk_band"] == "medium")
    assert medium["people"] is None and "people" in medium["suppressed"]
    assert any("possible transfer gaming" in reading
               for reading in checks["transfers"]["readings"])
    assert checks["duplication"]["examples"] == []  # only with --examples


def test_tables_in_the_terminal_with_examples(tmp_path, write_monitoring_data):
    data = write_monitoring_data(tmp_path)
    result = CliRunner().invoke(app, ["gaming", "--data", str(data), "--examples",
                                      "--weeks", "2"])
    assert result.exit_code == 0, result.output
    assert "Intensity of support by pathway and risk band" in result.stdout
    assert SUPPRESSED in result.stdout
    assert "e.g. Wa000: Accommodation, Catch22 and Probation, 31 days" in result.stdout
    # The transfers happened 20 days before release: outside a two-week window.
    assert "No prison transferred high-risk people out within 2 weeks" in result.stdout


def test_the_terminal_shows_words_and_percentages_not_codes(tmp_path,
                                                           write_monitoring_data):
    """Bands and needs in words and shares as percentages, as on the page: the JSON keeps
    the codes and the raw figures for scripts."""
    data = write_monitoring_data(tmp_path)
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["gaming", "--data", str(data)])
    assert result.exit_code == 0, result.output
    cells = [cell.strip() for line in result.stdout.splitlines() if line.startswith("│")
             for cell in line.strip("│").split("│")]
    assert {"Low", "High", "Accommodation", "50.0%", "133%", "+30.0 points"} <= set(cells)
    assert not {"low", "high", "accommodation", "0.5", "1.33", "0.3"} & set(cells)


@pytest.mark.parametrize(("options", "message"), [
    (["--engine", "oracle"], "must be duckdb or spark"),
    (["--weeks", "0"], "must be 1 or more"),
    (["--threshold", "1.5"], "must be between 0 and 1"),
    (["--baseline-from", "2024-13-01"], "not a date"),
])
def test_bad_options_are_named(tmp_path, write_monitoring_data, options, message):
    data = write_monitoring_data(tmp_path)
    result = CliRunner().invoke(app, ["gaming", "--data", str(data), *options])
    assert result.exit_code == 2
    assert message in result.output


def test_missing_tables_say_how_to_write_them(tmp_path):
    result = CliRunner().invoke(app, ["gaming", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "support_contacts.parquet" in result.output
    assert "omp outcomes generate" in result.output
    half = CliRunner().invoke(app, ["gaming", "--data", str(tmp_path), "--baseline-from",
                                    "2024-01-01"])
    assert half.exit_code == 2 and "baseline: give the baseline period" in half.output
