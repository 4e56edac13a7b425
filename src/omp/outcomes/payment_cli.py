"""``omp payment``: payment-by-results statements from the command line.

``omp payment doncaster`` applies the HMP Doncaster contract (OUT-3) and ``omp payment tr``
the Transforming Rehabilitation mechanism (OUT-4) to a rate given by hand or to a measured
cohort (``--cohort NAME --data DIR``), optionally adjusted for case mix (OUT-5). Contract
parameters come from options, a parameters file (JSON or TOML, ``--parameters``) or both
(options win). ``--json`` prints one JSON object; ``--csv FILE`` writes the statement's
arithmetic; otherwise a readable statement is printed. Bad input exits with status 2 and a
message naming the option (or the parameters file's field).
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from omp.rules.casemix import Method
from omp.rules.payment import (
    DoncasterContract,
    DoncasterStatement,
    PaymentParameterError,
    TRContract,
    TRYear,
    doncaster_statement,
    pounds,
    to_decimal,
    tr_statement,
)

app = typer.Typer(help="Payment by results: Doncaster (OUT-3) and TR (OUT-4) statements.",
                  no_args_is_help=True, add_completion=False)
# Messages are never wrapped: a path or an option name split over two lines is hard to read
# and impossible to search for.
errors = Console(stderr=True, soft_wrap=True)

ENGINES = ("duckdb", "spark")
METHODS = ("difference", "ratio")
KINDS = ("binary_court", "proven")
MONEY_FIGURES = frozenset({
    "contract_value", "reclaimed", "outcome_payment", "net", "total_payment", "year_price",
    "fee_before_deductions", "performance_deductions", "fee_for_service", "monthly_payment",
    "pbr_pot", "binary_payment", "frequency_payment", "penalty"})
COMMON_OPTIONS = {"rate": "--rate", "cohort": "--cohort", "adjust_case_mix": "--adjust-case-mix",
                  "adjusted_baseline": "--adjust-case-mix", "baseline_cohort": "--baseline-cohort",
                  "method": "--method"}
DONCASTER_OPTIONS = {**COMMON_OPTIONS, "contract_value": "--contract-value",
                     "max_outcome_payment": "--max-outcome-payment", "baseline_rate": "--baseline",
                     "threshold_points": "--threshold", "cap_points": "--cap",
                     "at_risk_share": "--at-risk-percent", "curve": "--curve"}
TR_OPTIONS = {**COMMON_OPTIONS, "annual_price": "--annual-price",
              "maximum_annual_payment": "--maximum-annual-payment",
              "baseline_binary_rate": "--baseline-binary",
              "baseline_frequency": "--baseline-frequency",
              "binary_price_per_point": "--binary-price-per-point",
              "frequency_price_per_reoffence": "--frequency-price-per-reoffence",
              "learning_curve_discount": "--learning-curve-discount-percent",
              "binary_stretch_points": "--stretch-points",
              "frequency_stretch": "--frequency-stretch",
              "penalty_per_point": "--penalty-per-point", "performance_targets": "--target",
              "year": "--year", "cohort_size": "--cohort-size", "binary_rate": "--rate",
              "reoffenders": "--reoffenders", "frequency_per_reoffender": "--frequency",
              "predicted_volume": "--predicted-volume", "actual_volume": "--actual-volume"}


def _fail(option: str, message: str) -> NoReturn:
    errors.print(f"[red]Error: {option}: {message}[/red]", highlight=False)
    raise typer.Exit(2)


def _fail_on(error: PaymentParameterError, options: Mapping[str, str], contract: type,
             given: set[str], parameters: Path | None) -> NoReturn:
    """Report every bad field under the option that set it, or as the parameters file's
    field when the file set it."""
    contract_fields = {field.name for field in dataclasses.fields(contract)}
    for item in error.errors:
        root = item.field.split(".")[0].split("[")[0]
        if root == "performance":
            where = "--performance"
        elif parameters is None or root in given or (root in options
                                                     and root not in contract_fields):
            where = options.get(root, item.field)
        else:  # set, or left out, by the parameters file
            where = f"{parameters}: {item.field}"
        errors.print(f"[red]Error: {where}: {item.message}[/red]", highlight=False)
    raise typer.Exit(2)


def _measure_options(engine: str, kind: str, method: str) -> Method:
    """Check the options of a measured cohort; the case-mix method chosen."""
    _choice("--engine", engine, ENGINES)
    _choice("--kind", kind, KINDS)
    return "ratio" if _choice("--method", method, METHODS) == "ratio" else "difference"


def _given(values: dict[str, Any], options: tuple[tuple[str, Any], ...]) -> set[str]:
    """Put the parameters given as options over those of the file; their names."""
    given = {name for name, value in options if value is not None}
    values.update((name, value) for name, value in options if value is not None)
    return given


def _read_parameters(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        _fail("--parameters", f"cannot read {path}: {error.strerror or error}")
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        _fail("--parameters", f"{path} is not valid {path.suffix.lstrip('.') or 'JSON'}: "
                              f"{error}")
    if not isinstance(data, dict):
        _fail("--parameters", f"{path} must hold one object of contract parameters")
    return data


def _choice(option: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        _fail(option, f"must be one of {', '.join(choices)}, not {value!r}")
    return value


def _number(option: str, value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return to_decimal(option, value)
    except PaymentParameterError:
        _fail(option, f"{value!r} is not a number")


def _source(rate: str | None, cohort: str | None, data: Path | None) -> None:
    """Exactly one of a rate by hand or a measured cohort (with its data directory)."""
    if rate is not None and cohort is not None:
        _fail("--rate", "give either --rate or --cohort, not both")
    if rate is None and cohort is None:
        _fail("--rate", "give the cohort's rate, or --cohort NAME --data DIR to measure it")
    if cohort is not None and data is None:
        _fail("--data", "--cohort needs --data DIR, the analytics data directory")
    if data is not None and not data.is_dir():
        _fail("--data", f"{data} is not a directory")


def _emit(result: Any, as_json: bool, csv_file: Path | None) -> None:
    from omp.outcomes.statements import statement_csv, statement_json

    if csv_file is not None:
        try:
            csv_file.write_text(statement_csv(result), encoding="utf-8")
        except OSError as error:
            _fail("--csv", f"cannot write {csv_file}: {error.strerror or error}")
        errors.print(f"Statement written to {csv_file}", highlight=False)
    if as_json:
        typer.echo(json.dumps(statement_json(result), ensure_ascii=False, indent=2))
        return
    _print_statement(result)


def _print_statement(result: Any) -> None:
    """A readable statement: the figures, then each step of the arithmetic."""
    out = Console()
    statement = result.statement
    doncaster = isinstance(statement, DoncasterStatement)
    title = ("OUT-3 HMP Doncaster payment statement" if doncaster
             else f"OUT-4 TR payment statement, contract year {statement.results.year}")
    if result.cohort:
        title += f" — cohort {result.cohort}"
    out.print(f"[bold]{title}[/bold]", highlight=False)
    table = Table("figure", "value")
    for name, value in statement.figures().items():
        shown = ("yes" if value else "no") if isinstance(value, bool) else \
            pounds(Decimal(value)) if name in MONEY_FIGURES else value
        table.add_row(name.replace("_", " "), shown)
    out.print(table)
    if result.case_mix is not None:
        out.print("\n[bold]Case mix (OUT-5)[/bold]")
        for text in result.case_mix.lines:
            out.print(f"  • {text}", highlight=False)
    out.print("\n[bold]How it is worked out[/bold]")
    for index, line in enumerate(statement.lines, start=1):
        out.print(f"  {index}. {line.text}", highlight=False)


@app.command()
def doncaster(
    rate: Annotated[str | None, typer.Option(help="The cohort's reconviction rate, percent")]
    = None,
    cohort: Annotated[str | None, typer.Option(help="Measure this cohort instead, e.g. "
                                                    "doncaster-2012")] = None,
    data: Annotated[Path | None, typer.Option(help="Analytics data directory (Parquet)")]
    = None,
    engine: Annotated[str, typer.Option(help="duckdb or spark")] = "duckdb",
    kind: Annotated[str, typer.Option(help="binary_court (the pilot's measure) or proven")]
    = "binary_court",
    adjust_case_mix: Annotated[bool, typer.Option(help="Adjust the baseline for case mix "
                                                       "(OUT-5)")] = False,
    baseline_cohort: Annotated[str, typer.Option(help="Cohort whose case mix the baseline "
                                                      "describes")] = "doncaster-2009",
    method: Annotated[str, typer.Option(help="Case-mix method: difference or ratio")]
    = "difference",
    baseline: Annotated[str | None, typer.Option(help="Baseline rate, percent (58.2)")] = None,
    contract_value: Annotated[str | None, typer.Option(help="Core contract value for the "
                                                            "year, £")] = None,
    max_outcome_payment: Annotated[str | None, typer.Option(help="Maximum outcome payment, "
                                                                 "£")] = None,
    threshold: Annotated[str | None, typer.Option(help="Threshold, points (5)")] = None,
    cap: Annotated[str | None, typer.Option(help="Cap, points (10)")] = None,
    at_risk_percent: Annotated[str | None, typer.Option(help="Share of the core contract "
                                                             "value at risk, percent (10)")]
    = None,
    curve: Annotated[str | None, typer.Option(help="'linear' or steps POINTS:PERCENT, e.g. "
                                                   "6:20,7:40,8:60,9:80,10:100")] = None,
    parameters: Annotated[Path | None, typer.Option(help="Contract parameters, JSON or TOML")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Also write the statement as "
                                                                "CSV to this file")] = None,
) -> None:
    """OUT-3: what the Doncaster contract pays for a cohort's reconviction rate."""
    _source(rate, cohort, data)
    given_rate = _number("--rate", rate)
    chosen_method = _measure_options(engine, kind, method)
    values = _read_parameters(parameters)
    given = _given(values, (("contract_value", contract_value),
                        ("max_outcome_payment", max_outcome_payment),
                        ("baseline_rate", baseline), ("threshold_points", threshold),
                        ("cap_points", cap), ("curve", curve)))
    if at_risk_percent is not None:
        share = _number("--at-risk-percent", at_risk_percent)
        values["at_risk_share"] = share / 100 if share is not None else None
        given.add("at_risk_share")
    try:
        contract = DoncasterContract.from_mapping(values)
        if cohort is None:
            from omp.outcomes.statements import CohortStatement

            assert given_rate is not None  # _source checked
            result: Any = CohortStatement(doncaster_statement(contract, given_rate))
        else:
            from omp.outcomes.statements import doncaster_for_cohort

            assert data is not None
            result = doncaster_for_cohort(contract, data, cohort, kind=kind, engine=engine,
                                          adjust_case_mix=adjust_case_mix,
                                          baseline_cohort=baseline_cohort,
                                          method=chosen_method)
    except PaymentParameterError as error:
        _fail_on(error, DONCASTER_OPTIONS, DoncasterContract, given, parameters)
    _emit(result, as_json, csv_file)


def _named_values(option: str, items: list[str] | None) -> list[tuple[str, str]]:
    pairs = []
    for item in items or []:
        name, sep, value = item.rpartition("=")
        if not sep or not name.strip():
            _fail(option, f"{item!r} is not NAME=VALUE")
        pairs.append((name.strip(), value.strip()))
    return pairs


@app.command()
def tr(
    year: Annotated[int, typer.Option(help="Contract year, 1 for the first")],
    rate: Annotated[str | None, typer.Option(help="The cohort's binary reoffending rate, "
                                                  "percent")] = None,
    cohort_size: Annotated[int | None, typer.Option(help="People in the cohort")] = None,
    reoffenders: Annotated[int | None, typer.Option(help="People who reoffended")] = None,
    frequency: Annotated[str | None, typer.Option(help="Reoffences per reoffender")] = None,
    cohort: Annotated[str | None, typer.Option(help="Measure this cohort instead, e.g. "
                                                    "cpa-C01-2016")] = None,
    data: Annotated[Path | None, typer.Option(help="Analytics data directory (Parquet)")]
    = None,
    engine: Annotated[str, typer.Option(help="duckdb or spark")] = "duckdb",
    kind: Annotated[str, typer.Option(help="proven (the CRC measure) or binary_court")]
    = "proven",
    adjust_case_mix: Annotated[bool, typer.Option(help="Adjust the binary baseline for case "
                                                       "mix (OUT-5)")] = False,
    baseline_cohort: Annotated[str | None, typer.Option(help="Cohort whose case mix the "
                                                             "baseline describes, e.g. "
                                                             "cpa-C01-2011")] = None,
    method: Annotated[str, typer.Option(help="Case-mix method: difference or ratio")]
    = "difference",
    annual_price: Annotated[str | None, typer.Option(help="Year-1 fee-for-service price, £")]
    = None,
    maximum_annual_payment: Annotated[str | None, typer.Option(help="Maximum annual payment "
                                                                    "(MAP), £")] = None,
    baseline_binary: Annotated[str | None, typer.Option(help="CPA baseline binary rate, "
                                                             "percent")] = None,
    baseline_frequency: Annotated[str | None, typer.Option(help="CPA baseline reoffences per "
                                                                "reoffender")] = None,
    binary_price_per_point: Annotated[str | None, typer.Option(help="£ per point below "
                                                                    "target")] = None,
    frequency_price_per_reoffence: Annotated[str | None, typer.Option(
        help="£ per reoffence avoided")] = None,
    learning_curve_discount_percent: Annotated[str | None, typer.Option(
        help="Annual learning-curve discount, percent (2)")] = None,
    stretch_points: Annotated[str | None, typer.Option(help="Binary stretch per year, points "
                                                            "(0.5)")] = None,
    frequency_stretch: Annotated[str | None, typer.Option(help="Frequency stretch per year "
                                                               "(0.05)")] = None,
    penalty_per_point: Annotated[str | None, typer.Option(help="£ per point of significant "
                                                               "rise (the binary price)")]
    = None,
    target: Annotated[list[str] | None, typer.Option(help="Performance target "
                                                          "NAME=TARGET%:DEDUCTION%, "
                                                          "repeatable")] = None,
    performance: Annotated[list[str] | None, typer.Option(help="Achieved NAME=PERCENT, "
                                                               "repeatable")] = None,
    predicted_volume: Annotated[str | None, typer.Option(help="Predicted weighted annual "
                                                              "volume")] = None,
    actual_volume: Annotated[str | None, typer.Option(help="Delivered weighted annual "
                                                           "volume")] = None,
    parameters: Annotated[Path | None, typer.Option(help="Contract parameters, JSON or TOML")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Also write the statement as "
                                                                "CSV to this file")] = None,
) -> None:
    """OUT-4: one contract year of the TR mechanism for a CPA's cohort."""
    _source(rate, cohort, data)
    given_rate = _number("--rate", rate)
    given_frequency = _number("--frequency", frequency)
    chosen_method = _measure_options(engine, kind, method)
    values = _read_parameters(parameters)
    given = _given(values, (("annual_price", annual_price),
                        ("maximum_annual_payment", maximum_annual_payment),
                        ("baseline_binary_rate", baseline_binary),
                        ("baseline_frequency", baseline_frequency),
                        ("binary_price_per_point", binary_price_per_point),
                        ("frequency_price_per_reoffence", frequency_price_per_reoffence),
                        ("binary_stretch_points", stretch_points),
                        ("frequency_stretch", frequency_stretch),
                        ("penalty_per_point", penalty_per_point)))
    if learning_curve_discount_percent is not None:
        discount = _number("--learning-curve-discount-percent", learning_curve_discount_percent)
        values["learning_curve_discount"] = discount / 100 if discount is not None else None
        given.add("learning_curve_discount")
    if target:
        targets = []
        for name, spec in _named_values("--target", target):
            wanted, sep, deduction = spec.partition(":")
            if not sep:
                _fail("--target", f"{name}={spec} is not NAME=TARGET%:DEDUCTION%")
            share = _number("--target", deduction)
            targets.append({"name": name, "target_percent": wanted,
                            "deduction_share": share / 100 if share is not None else None})
        values["performance_targets"] = targets
        given.add("performance_targets")
    achieved = {name: _number("--performance", value) or Decimal(0)
                for name, value in _named_values("--performance", performance)}
    volumes = (_number("--predicted-volume", predicted_volume),
               _number("--actual-volume", actual_volume))
    try:
        contract = TRContract.from_mapping(values)
        if cohort is None:
            from omp.outcomes.statements import CohortStatement

            missing = [option for option, value in (("--cohort-size", cohort_size),
                                                    ("--reoffenders", reoffenders),
                                                    ("--frequency", frequency))
                       if value is None]
            if missing:
                _fail(missing[0], "is needed with --rate (or measure a --cohort)")
            assert given_rate is not None and given_frequency is not None
            assert cohort_size is not None and reoffenders is not None
            figures = TRYear(year, cohort_size, given_rate, reoffenders, given_frequency,
                             *volumes, achieved)
            result: Any = CohortStatement(tr_statement(contract, figures))
        else:
            from omp.outcomes.statements import tr_for_cohort

            assert data is not None
            result = tr_for_cohort(contract, data, cohort, year, kind=kind, engine=engine,
                                   adjust_case_mix=adjust_case_mix,
                                   baseline_cohort=baseline_cohort, method=chosen_method,
                                   predicted_volume=volumes[0], actual_volume=volumes[1],
                                   performance=achieved)
    except PaymentParameterError as error:
        _fail_on(error, TR_OPTIONS, TRContract, given, parameters)
    _emit(result, as_json, csv_file)
