"""Payment statements for measured cohorts: the bridge from the reconviction measures
(OUT-2) to the payment arithmetic (OUT-3, OUT-4) and the case-mix adjustment (OUT-5).

The arithmetic lives in :mod:`omp.rules.payment` and :mod:`omp.rules.casemix`; this module
only fetches a cohort's measure, feeds it in, and lays the statement out as JSON and CSV for
the command line and the results pages. The measures are imported when first needed, so
the payment arithmetic works on a machine without the analytics engine.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from omp import csv_safe
from omp.rules.casemix import CaseMixAdjustment, CohortRisk, Method, adjust_for_case_mix
from omp.rules.payment import (
    DoncasterContract,
    DoncasterStatement,
    FieldError,
    PaymentParameterError,
    TRContract,
    TRStatement,
    TRYear,
    doncaster_statement,
    to_decimal,
    tr_statement,
)

#: The cohort whose case mix the Doncaster 58.2% baseline describes.
DONCASTER_BASELINE_COHORT = "doncaster-2009"


@dataclass(frozen=True)
class CohortStatement:
    """A statement with what it was computed from: the measured cohort (``measure``, a
    MeasureResult, or ``None`` for a rate given by hand) and the case-mix adjustment."""

    statement: DoncasterStatement | TRStatement
    cohort: str | None = None
    measure: Any = None
    case_mix: CaseMixAdjustment | None = None


def whole_cohort(data_dir: Path, cohort: str, kind: str, engine: str) -> Any:
    """The ungrouped measure of ``cohort`` (OUT-2); errors name the ``cohort`` field."""
    try:
        from omp.outcomes.measures import measure
    except ImportError as error:
        raise PaymentParameterError([FieldError(
            "cohort", f"the outcomes measures are not available in this build ({error})")]) \
            from None
    try:
        results = measure(Path(data_dir), cohort, kind=kind, engine=engine)
    except (LookupError, ValueError, OSError, RuntimeError) as error:
        raise PaymentParameterError([FieldError("cohort", f"{cohort}: {error}")]) from None
    whole = [result for result in results if result.group is None]
    if not whole:
        raise PaymentParameterError([FieldError("cohort", f"{cohort}: no measure returned")])
    if whole[0].size < 1:
        raise PaymentParameterError([FieldError("cohort", f"{cohort} has nobody in it")])
    return whole[0]


def case_mix_for(cohort_measure: Any, baseline_measure: Any, baseline_rate: Decimal,
                 method: Method = "difference") -> CaseMixAdjustment:
    """OUT-5 for a measured cohort against a contract's baseline rate, with the case mix of
    the measured baseline cohort. The contract's baseline is a fixed figure, so only the
    cohort's own variation counts as natural variation."""
    for name, result in (("cohort", cohort_measure), ("baseline_cohort", baseline_measure)):
        if result.mean_predicted_risk is None:
            raise PaymentParameterError([FieldError(
                "adjust_case_mix", f"{result.cohort} has no predicted risk (OGRS3) to adjust "
                                   f"by ({name})")])
    return adjust_for_case_mix(
        CohortRisk(float(cohort_measure.rate), float(cohort_measure.mean_predicted_risk),
                   int(cohort_measure.size)),
        CohortRisk(float(baseline_rate), float(baseline_measure.mean_predicted_risk)), method)


def adjustment_note(case_mix: CaseMixAdjustment) -> str:
    """The adjustment in one sentence, for the statement's opening lines."""
    return case_mix.lines[1].removeprefix("Adjusted baseline: ")


def doncaster_for_measures(contract: DoncasterContract, result: Any,
                           baseline: Any = None, method: Method = "difference"
                           ) -> CohortStatement:
    """The OUT-3 statement for a measured cohort ``result``; with the measured ``baseline``
    cohort, adjusted for case mix (OUT-5)."""
    rate = to_decimal("rate", result.rate)
    if baseline is None:
        return CohortStatement(doncaster_statement(contract, rate), result.cohort, result)
    case_mix = case_mix_for(result, baseline, contract.baseline_rate, method)
    statement = doncaster_statement(
        contract, rate, adjusted_baseline=to_decimal("adjusted_baseline",
                                                     round(case_mix.adjusted_baseline_rate, 6)),
        adjustment_note=adjustment_note(case_mix))
    return CohortStatement(statement, result.cohort, result, case_mix)


def doncaster_for_cohort(contract: DoncasterContract, data_dir: Path, cohort: str, *,
                         kind: str = "binary_court", engine: str = "duckdb",
                         adjust_case_mix: bool = False,
                         baseline_cohort: str = DONCASTER_BASELINE_COHORT,
                         method: Method = "difference") -> CohortStatement:
    """The OUT-3 statement for a cohort measured from ``data_dir``, adjusted for case mix
    on request."""
    result = whole_cohort(data_dir, cohort, kind, engine)
    baseline = whole_cohort(data_dir, baseline_cohort, kind, engine) if adjust_case_mix \
        else None
    return doncaster_for_measures(contract, result, baseline, method)


def tr_year_from_measure(result: Any, year: int, *, predicted_volume: Decimal | None = None,
                         actual_volume: Decimal | None = None,
                         performance: Mapping[str, Decimal] | None = None) -> TRYear:
    """A TR contract year's figures from a measured cohort (OUT-4)."""
    return TRYear(year, int(result.size), to_decimal("rate", result.rate),
                  int(result.reoffenders),
                  to_decimal("frequency_per_reoffender",
                             round(float(result.frequency_per_reoffender), 4)),
                  predicted_volume, actual_volume, dict(performance or {}))


def tr_for_measures(contract: TRContract, result: Any, year: int, baseline: Any = None,
                    method: Method = "difference", *,
                    predicted_volume: Decimal | None = None,
                    actual_volume: Decimal | None = None,
                    performance: Mapping[str, Decimal] | None = None) -> CohortStatement:
    """The OUT-4 statement for a measured CPA cohort ``result``; with the measured
    ``baseline`` cohort the binary baseline moves with its case mix (OUT-5)."""
    figures = tr_year_from_measure(result, year, predicted_volume=predicted_volume,
                                   actual_volume=actual_volume, performance=performance)
    if baseline is None:
        return CohortStatement(tr_statement(contract, figures), result.cohort, result)
    case_mix = case_mix_for(result, baseline, contract.baseline_binary_rate, method)
    adjusted = dataclasses.replace(
        contract,
        baseline_binary_rate=to_decimal("adjusted_baseline",
                                        round(case_mix.adjusted_baseline_rate, 1)),
        baseline_label=f"{contract.baseline_label}, adjusted for case mix (OUT-5) from "
                       f"{contract.baseline_binary_rate}%")
    return CohortStatement(tr_statement(adjusted, figures), result.cohort, result, case_mix)


def tr_for_cohort(contract: TRContract, data_dir: Path, cohort: str, year: int, *,
                  kind: str = "proven", engine: str = "duckdb",
                  adjust_case_mix: bool = False, baseline_cohort: str | None = None,
                  method: Method = "difference", predicted_volume: Decimal | None = None,
                  actual_volume: Decimal | None = None,
                  performance: Mapping[str, Decimal] | None = None) -> CohortStatement:
    """The OUT-4 statement for a CPA cohort measured from ``data_dir``; with
    ``adjust_case_mix`` the binary baseline moves with the case mix of
    ``baseline_cohort`` (OUT-5)."""
    result = whole_cohort(data_dir, cohort, kind, engine)
    baseline = None
    if adjust_case_mix:
        if not baseline_cohort:
            raise PaymentParameterError([FieldError(
                "baseline_cohort", "name the baseline cohort whose case mix the baseline "
                                   "describes")])
        baseline = whole_cohort(data_dir, baseline_cohort, kind, engine)
    return tr_for_measures(contract, result, year, baseline, method,
                           predicted_volume=predicted_volume, actual_volume=actual_volume,
                           performance=performance)


# ------------------------------------------------------------------------ laying it out


def _contract_inputs(statement: DoncasterStatement | TRStatement) -> dict[str, Any]:
    contract = statement.contract
    inputs: dict[str, Any] = {}
    for field in dataclasses.fields(contract):
        value = getattr(contract, field.name)
        if isinstance(value, Decimal):
            inputs[field.name] = f"{value}"
        elif field.name == "curve":
            inputs["curve"] = {"kind": value.kind, "steps": [
                {"from_points": f"{step.from_points}", "share": f"{step.share}"}
                for step in value.steps]}
        elif field.name == "performance_targets":
            inputs[field.name] = [{"name": target.name,
                                   "target_percent": f"{target.target_percent}",
                                   "deduction_share": f"{target.deduction_share}"}
                                  for target in value]
        else:
            inputs[field.name] = value
    return inputs


def _case_mix_json(case_mix: CaseMixAdjustment) -> dict[str, Any]:
    def comparison(item: Any) -> dict[str, Any]:
        return {"baseline_rate": round(item.baseline_rate, 2),
                "reduction_points": round(item.reduction_points, 2),
                "ci_low": round(item.ci_low, 2), "ci_high": round(item.ci_high, 2),
                "exceeds_natural_variation": item.exceeds_natural_variation}

    return {"method": case_mix.method,
            "cohort_mean_predicted_risk": round(case_mix.cohort.mean_predicted_risk, 2),
            "baseline_mean_predicted_risk": round(case_mix.baseline.mean_predicted_risk, 2),
            "risk_difference": round(case_mix.risk_difference, 2),
            "adjusted_baseline_rate": round(case_mix.adjusted_baseline_rate, 2),
            "unadjusted": comparison(case_mix.unadjusted),
            "adjusted": comparison(case_mix.adjusted), "lines": list(case_mix.lines)}


def statement_json(result: CohortStatement) -> dict[str, Any]:
    """One JSON object: the mechanism, its inputs, every figure (money as decimal strings),
    the arithmetic lines, and the measured cohort and case-mix adjustment when there are."""
    statement = result.statement
    mechanism = ("OUT-3 HMP Doncaster" if isinstance(statement, DoncasterStatement)
                 else "OUT-4 Transforming Rehabilitation")
    out: dict[str, Any] = {"mechanism": mechanism, "inputs": _contract_inputs(statement)}
    if isinstance(statement, TRStatement):
        out["inputs"]["results"] = {
            "year": statement.results.year, "cohort_size": statement.results.cohort_size,
            "binary_rate": f"{statement.results.binary_rate}",
            "reoffenders": statement.results.reoffenders,
            "frequency_per_reoffender": f"{statement.results.frequency_per_reoffender}",
            "performance": {name: f"{value}"
                            for name, value in statement.results.performance.items()}}
    out.update(statement.figures())
    out["lines"] = [line.text for line in statement.lines]
    out["cohort"] = result.cohort
    if result.measure is not None:
        measure = result.measure
        out["measure"] = {"size": measure.size, "reoffenders": measure.reoffenders,
                          "rate": measure.rate, "ci_low": measure.ci_low,
                          "ci_high": measure.ci_high,
                          "mean_predicted_risk": measure.mean_predicted_risk,
                          "excluded": dict(measure.excluded)}
    out["case_mix"] = _case_mix_json(result.case_mix) if result.case_mix else None
    return out


CSV_HEADER = ("step", "explanation", "figure", "value")


def statement_rows(result: CohortStatement) -> list[tuple[str, str, str, str]]:
    """The statement as CSV rows: the case-mix lines (numbered ``M1``…), then each step of
    the arithmetic with the figure it arrives at."""
    rows: list[tuple[str, str, str, str]] = []
    if result.case_mix is not None:
        rows += [(f"M{index}", text, "", "")
                 for index, text in enumerate(result.case_mix.lines, start=1)]
    rows += [(str(index), line.text, line.figure or "", line.value or "")
             for index, line in enumerate(result.statement.lines, start=1)]
    return rows


def statement_csv(result: CohortStatement) -> str:
    """The statement as CSV text (see :func:`statement_rows`)."""
    buffer = io.StringIO()
    writer = csv_safe.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(statement_rows(result))
    return buffer.getvalue()
