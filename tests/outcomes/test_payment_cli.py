"""``omp payment doncaster`` and ``omp payment tr`` (OUT-3, OUT-4, OUT-5) through Typer's
CliRunner: one JSON object, a readable statement, CSV, parameters files, measured cohorts
and errors that name the option (exit status 2)."""

from __future__ import annotations

import csv
import json
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from omp.cli import app

runner = CliRunner()
THE_CALL = ["payment", "doncaster", "--baseline", "58.2", "--rate", "52.5",
            "--contract-value", "10000000", "--max-outcome-payment", "500000"]
TR_CONTRACT = ["--annual-price", "20000000", "--maximum-annual-payment", "24000000",
               "--baseline-binary", "36.0", "--baseline-frequency", "3.00",
               "--binary-price-per-point", "400000", "--frequency-price-per-reoffence", "500"]


def test_out_3_the_documented_call_prints_one_json_object() -> None:
    """OUT-3: the exact documented call; money as decimal strings; (5.7 − 5) ÷ 5 × £500,000
    = £70,000."""
    result = runner.invoke(app, [*THE_CALL, "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)  # one object, nothing else on stdout
    assert out["reduction_points"] == "5.7"
    assert out["reclaimed"] == "0.00"
    assert out["outcome_payment"] == "70000.00"
    assert out["net"] == "70000.00"
    assert out["total_payment"] == "10070000.00"
    assert out["inputs"]["contract_value"] == "10000000"
    assert out["lines"][2] == "Reduction: 58.2 − 52.5 = 5.7 percentage points."
    assert out["mechanism"].startswith("OUT-3")
    assert out["threshold_met"] is True  # a JSON true, never the string "yes"


def test_out_3_readable_statement_without_json() -> None:
    result = runner.invoke(app, THE_CALL)
    assert result.exit_code == 0
    assert "OUT-3 HMP Doncaster payment statement" in result.stdout
    assert "£70,000.00" in result.stdout
    assert "How it is worked out" in result.stdout
    assert re.search(r"threshold met\W+yes", result.stdout)


def test_out_3_csv_of_the_statement(tmp_path: Path) -> None:
    target = tmp_path / "statement.csv"
    result = runner.invoke(app, ["payment", "doncaster", "--rate", "58.2", "--contract-value",
                                 "10000000", "--max-outcome-payment", "500000", "--csv",
                                 str(target)])
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert list(rows[0]) == ["step", "explanation", "figure", "value"]
    by_figure = {row["figure"]: row["value"] for row in rows if row["figure"]}
    assert by_figure["reclaimed"] == "1000000.00"  # 10% of £10m: 0 points < 5
    assert by_figure["total_payment"] == "9000000.00"
    assert rows[0]["explanation"].startswith("OUT-3")


def test_out_3_stepped_curve_option() -> None:
    """OUT-3: 7.4 points reaches the 7-point step, 40% × £500,000 = £200,000."""
    result = runner.invoke(app, ["payment", "doncaster", "--rate", "50.8", "--contract-value",
                                 "10000000", "--max-outcome-payment", "500000", "--curve",
                                 "6:20,7:40,8:60,9:80,10:100", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["outcome_payment"] == "200000.00"


def test_out_3_parameters_file_json_and_toml_with_options_winning(tmp_path: Path) -> None:
    """A parameters file sets the contract; an option overrides the file."""
    parameters = tmp_path / "doncaster.json"
    parameters.write_text(json.dumps({
        "contract_value": "10000000", "max_outcome_payment": "500000",
        "curve": {"kind": "stepped", "steps": [{"from_points": 6, "share": 0.5},
                                               {"from_points": 10, "share": 1}]}}))
    result = runner.invoke(app, ["payment", "doncaster", "--rate", "51.5", "--parameters",
                                 str(parameters), "--json"])
    assert json.loads(result.stdout)["outcome_payment"] == "250000.00"  # 6.7 → 50%
    result = runner.invoke(app, ["payment", "doncaster", "--rate", "51.5", "--parameters",
                                 str(parameters), "--max-outcome-payment", "100000", "--json"])
    assert json.loads(result.stdout)["outcome_payment"] == "50000.00"
    toml = tmp_path / "doncaster.toml"
    toml.write_text('contract_value = 2000000\nmax_outcome_payment = "0"\n'
                    'at_risk_share = "0.2"\n')
    result = runner.invoke(app, ["payment", "doncaster", "--rate", "58.2", "--parameters",
                                 str(toml), "--json"])
    assert json.loads(result.stdout)["reclaimed"] == "400000.00"  # 20% × £2m


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate", "52,5x"], "--rate: '52,5x' is not a number"),
        (["--rate", "101"], "--rate: must be at most 100"),
        (["--rate", "52.5", "--contract-value", "-5"], "--contract-value: must be at least 0"),
        (["--rate", "52.5", "--cap", "4"], "--cap: must be more than the threshold"),
        (["--rate", "52.5", "--curve", "6-20"], "--curve: '6-20' is not POINTS:PERCENT"),
        (["--rate", "52.5", "--curve", "4:20"], "--curve: must be more than the threshold"),
        (["--rate", "52.5", "--at-risk-percent", "150"], "--at-risk-percent: must be at most"),
        (["--rate", "52.5", "--engine", "oracle"], "--engine: must be one of duckdb, spark"),
        ([], "--rate: give the cohort's rate, or --cohort NAME --data DIR"),
        (["--rate", "52.5", "--cohort", "doncaster-2012"], "--rate: give either --rate or "
                                                           "--cohort"),
        (["--cohort", "doncaster-2012"], "--data: --cohort needs --data DIR"),
    ],
)
def test_out_3_bad_input_names_the_option_and_exits_2(args: list[str], message: str) -> None:
    base = ["payment", "doncaster", "--contract-value", "10000000",
            "--max-outcome-payment", "500000"]
    result = runner.invoke(app, [*base, *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_out_3_missing_contract_value_is_named() -> None:
    result = runner.invoke(app, ["payment", "doncaster", "--rate", "52.5"])
    assert result.exit_code == 2
    assert "--contract-value: is required" in result.stderr
    assert "--max-outcome-payment: is required" in result.stderr


def test_bad_parameters_file_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = runner.invoke(app, ["payment", "doncaster", "--rate", "52.5", "--parameters",
                                 str(broken)])
    assert result.exit_code == 2 and "--parameters:" in result.stderr
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"contract_value": "ten", "max_outcome_payment": 1,
                                 "colour": "red"}))
    result = runner.invoke(app, ["payment", "doncaster", "--rate", "52.5", "--parameters",
                                 str(wrong)])
    assert result.exit_code == 2
    assert f"{wrong}: contract_value: must be a number" in result.stderr
    assert f"{wrong}: colour: is not a parameter of this contract" in result.stderr
    result = runner.invoke(app, ["payment", "doncaster", "--rate", "52.5", "--parameters",
                                 str(tmp_path / "absent.json")])
    assert result.exit_code == 2 and "--parameters: cannot read" in result.stderr


# ---------------------------------------------------------------------------- OUT-4


def test_out_4_tr_worked_example_as_json() -> None:
    """OUT-4: the year-2 worked example of tests/rules/test_payment.py from the command
    line: total £22,591,900."""
    result = runner.invoke(app, [
        "payment", "tr", "--year", "2", "--rate", "33.0", "--cohort-size", "10000",
        "--reoffenders", "3300", "--frequency", "2.80", *TR_CONTRACT,
        "--target", "Court orders started on time=90:1", "--target", "Reports to quality=85:0.5",
        "--performance", "Court orders started on time=88", "--performance",
        "Reports to quality=90", "--predicted-volume", "1000", "--actual-volume", "1100",
        "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["fee_for_service"] == "21344400.00"
    assert out["outcome_payment"] == "1247500.00"
    assert out["reclaimed"] == "215600.00"
    assert out["reduction_points"] == "3.0"
    assert out["total_payment"] == "22591900.00"
    assert out["inputs"]["performance_targets"][0]["deduction_share"] == "0.01"


def test_out_4_tr_readable_and_errors() -> None:
    result = runner.invoke(app, ["payment", "tr", "--year", "1", "--rate", "38.0",
                                 "--cohort-size", "10000", "--reoffenders", "3800",
                                 "--frequency", "3.1", *TR_CONTRACT])
    assert result.exit_code == 0, result.stderr
    assert "penalty" in result.stdout and "£800,000.00" in result.stdout
    result = runner.invoke(app, ["payment", "tr", "--year", "0", "--rate", "38.0",
                                 "--cohort-size", "10000", "--reoffenders", "3800",
                                 "--frequency", "3.1", *TR_CONTRACT])
    assert result.exit_code == 2 and "--year: must be a whole number from 1" in result.stderr
    result = runner.invoke(app, ["payment", "tr", "--year", "1", "--rate", "38.0",
                                 *TR_CONTRACT])
    assert result.exit_code == 2 and "--cohort-size: is needed with --rate" in result.stderr
    result = runner.invoke(app, ["payment", "tr", "--year", "1", "--rate", "38.0",
                                 "--cohort-size", "10", "--reoffenders", "3",
                                 "--frequency", "3", *TR_CONTRACT, "--performance", "x=5"])
    assert result.exit_code == 2
    assert "--performance: is not a performance target of this contract" in result.stderr
    result = runner.invoke(app, ["payment", "tr", "--year", "1", "--rate", "38.0",
                                 "--cohort-size", "10", "--reoffenders", "3",
                                 "--frequency", "3", *TR_CONTRACT[:-2]])
    assert result.exit_code == 2
    assert "--frequency-price-per-reoffence: is required" in result.stderr


# ------------------------------------------------------------------ measured cohorts


@dataclass(frozen=True)
class FakeMeasure:
    """The shape of ``omp.outcomes.measures.MeasureResult``."""

    cohort: str
    group: str | None
    size: int
    reoffenders: int
    rate: float
    ci_low: float = 0.0
    ci_high: float = 0.0
    reoffences: int = 0
    frequency_per_offender: float = 0.0
    frequency_per_reoffender: float = 0.0
    mean_predicted_risk: float | None = None
    excluded: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def fake_measures(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """A stand-in for the measures module: two Doncaster cohorts and a CPA, and a record of
    every call (so the tests see the cohort, kind and engine passed through)."""
    calls: list[tuple[Any, ...]] = []
    cohorts = {
        "doncaster-2012": FakeMeasure("doncaster-2012", None, 1200, 630, 52.5,
                                      mean_predicted_risk=45.0),
        "doncaster-2009": FakeMeasure("doncaster-2009", None, 1300, 757, 58.2,
                                      mean_predicted_risk=48.0),
        "cpa-C01-2016": FakeMeasure("cpa-C01-2016", None, 10_000, 3_300, 33.0,
                                    frequency_per_reoffender=2.8, mean_predicted_risk=40.0),
        "cpa-C01-2011": FakeMeasure("cpa-C01-2011", None, 10_000, 3_600, 36.0,
                                    frequency_per_reoffender=3.0, mean_predicted_risk=41.0),
    }

    def measure(data_dir: Path, cohort: str, kind: str = "binary_court",
                by: str | None = None, engine: str = "duckdb") -> list[FakeMeasure]:
        calls.append((cohort, kind, engine))
        if cohort not in cohorts:
            raise KeyError(f"no cohort named {cohort}")
        return [cohorts[cohort]]

    module = types.ModuleType("omp.outcomes.measures")
    module.measure = measure  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "omp.outcomes.measures", module)
    return calls


def test_out_3_measured_cohort(tmp_path: Path, fake_measures: list[tuple[Any, ...]]) -> None:
    result = runner.invoke(app, ["payment", "doncaster", "--cohort", "doncaster-2012",
                                 "--data", str(tmp_path), "--engine", "spark",
                                 "--contract-value", "10000000",
                                 "--max-outcome-payment", "500000", "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["outcome_payment"] == "70000.00"
    assert out["cohort"] == "doncaster-2012" and out["measure"]["size"] == 1200
    assert fake_measures == [("doncaster-2012", "binary_court", "spark")]


def test_out_5_adjusted_for_case_mix(tmp_path: Path,
                                     fake_measures: list[tuple[Any, ...]]) -> None:
    """OUT-5 into OUT-3: mean OGRS3 45.0 against 48.0 lowers the 58.2% baseline to 55.2%;
    52.5% is then 2.7 points below: 10% reclaimed."""
    result = runner.invoke(app, ["payment", "doncaster", "--cohort", "doncaster-2012",
                                 "--data", str(tmp_path), "--adjust-case-mix",
                                 "--contract-value", "10000000",
                                 "--max-outcome-payment", "500000", "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["baseline_rate"] == "55.2"
    assert out["reduction_points"] == "2.7"
    assert out["reclaimed"] == "1000000.00"
    assert out["case_mix"]["unadjusted"]["reduction_points"] == 5.7
    assert out["case_mix"]["adjusted"]["exceeds_natural_variation"] is False
    assert out["lines"][1].startswith("OUT-5: the baseline is adjusted for the cohort's case "
                                      "mix to 55.2%")
    assert [call[0] for call in fake_measures] == ["doncaster-2012", "doncaster-2009"]
    readable = runner.invoke(app, ["payment", "doncaster", "--cohort", "doncaster-2012",
                                   "--data", str(tmp_path), "--adjust-case-mix",
                                   "--contract-value", "10000000",
                                   "--max-outcome-payment", "500000"])
    assert "Case mix (OUT-5)" in readable.stdout


def test_out_4_measured_cpa_cohort_with_case_mix(tmp_path: Path,
                                                 fake_measures: list[tuple[Any, ...]]) -> None:
    """OUT-4 with OUT-5: mean risk 40.0 against 41.0 lowers the 36.0 baseline to 35.0 (year 1
    target 35.0); 33.0 is 2.0 below: 2 × £400,000 = £800,000; frequency 3.00 − 2.8 = 0.2 ×
    3,300 = 660 avoided × £500 = £330,000."""
    result = runner.invoke(app, ["payment", "tr", "--year", "1", "--cohort", "cpa-C01-2016",
                                 "--data", str(tmp_path), "--adjust-case-mix",
                                 "--baseline-cohort", "cpa-C01-2011", *TR_CONTRACT, "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["binary_target"] == "35.0"
    assert out["binary_payment"] == "800000.00"
    assert out["frequency_payment"] == "330000.00"
    assert fake_measures[0] == ("cpa-C01-2016", "proven", "duckdb")


def test_unknown_cohort_and_missing_baseline_cohort(
        tmp_path: Path, fake_measures: list[tuple[Any, ...]]) -> None:
    result = runner.invoke(app, ["payment", "doncaster", "--cohort", "doncaster-1066",
                                 "--data", str(tmp_path), "--contract-value", "1",
                                 "--max-outcome-payment", "1"])
    assert result.exit_code == 2 and "--cohort: doncaster-1066:" in result.stderr
    result = runner.invoke(app, ["payment", "tr", "--year", "1", "--cohort", "cpa-C01-2016",
                                 "--data", str(tmp_path), "--adjust-case-mix", *TR_CONTRACT])
    assert result.exit_code == 2 and "--baseline-cohort: name the baseline" in result.stderr


def test_no_measures_module_is_a_named_error(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the analytics engine is installed, --cohort says so instead of crashing."""
    monkeypatch.setitem(sys.modules, "omp.outcomes.measures", None)  # import fails
    result = runner.invoke(app, ["payment", "doncaster", "--cohort", "doncaster-2012",
                                 "--data", str(tmp_path), "--contract-value", "1",
                                 "--max-outcome-payment", "1"])
    assert result.exit_code == 2
    assert "--cohort: the outcomes measures are not available" in result.stderr


# ------------------------------------------------------- measured by the real engines


def test_out_3_and_out_5_on_each_engine(data: Any, engine_name: str) -> None:
    """OUT-3 with OUT-5 from real measures, on DuckDB and on Spark. Pilot cohort 1: 20
    people discharged in January 2012, 9 reconvicted within the year: 45.0%, mean OGRS3
    60. Unadjusted: 58.2 − 45.0 = 13.2 points, capped at 10: £500,000. The 2009 cohort's
    mean OGRS3 is 66, so the baseline moves to 58.2 + (60 − 66) = 52.2%: 7.2 points,
    (7.2 − 5) ÷ 5 × £500,000 = £220,000."""
    from datetime import date

    for number in range(20):
        data.event(f"P{number:02}", date(2012, 1, 10), ogrs3=60.0)
        data.event(f"B{number:02}", date(2009, 3, 1), ogrs3=66.0)
        if number < 9:
            data.outcome(f"P{number:02}", date(2012, 6, 1), date(2012, 8, 1))
    data.event("DEPORTED", date(2012, 2, 1), deported_or_irc=True)
    directory = data.write()
    common = ["payment", "doncaster", "--cohort", "doncaster-pilot-1", "--data",
              str(directory), "--engine", engine_name, "--contract-value", "10000000",
              "--max-outcome-payment", "500000", "--json"]
    plain = runner.invoke(app, common)
    assert plain.exit_code == 0, plain.stderr
    out = json.loads(plain.stdout)
    assert (out["rate"], out["reduction_points"], out["outcome_payment"]) == (
        "45.0", "13.2", "500000.00")
    assert out["measure"]["size"] == 20
    assert out["measure"]["excluded"] == {"deported_or_irc": 1}
    adjusted = runner.invoke(app, [*common, "--adjust-case-mix"])
    assert adjusted.exit_code == 0, adjusted.stderr
    out = json.loads(adjusted.stdout)
    assert (out["baseline_rate"], out["reduction_points"], out["outcome_payment"]) == (
        "52.2", "7.2", "220000.00")
    assert out["case_mix"]["risk_difference"] == -6.0
