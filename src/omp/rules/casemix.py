"""Case-mix adjustment of a payment-by-results baseline (OUT-5), and whether a change in
reoffending is more than natural variation.

Seed 003 ("Parking, cherry-picking and transfers"): "if a PbR cohort is less likely to
reoffend than the baseline cohort of offenders (based on the average OGRS scores of the
cohorts), then the baseline will be adjusted retrospectively to reflect that fact". So a
provider that takes on, or is sent, people at lower risk cannot earn from that alone, and
one sent people at higher risk is not penalised for it.

The adjustment: the baseline rate moves by the difference between the cohorts' mean
predicted risk (OGRS3, percent), ``difference`` method (the default):
``adjusted baseline = baseline rate + (cohort mean risk − baseline mean risk)``; or in
proportion to it, ``ratio`` method: ``baseline rate × cohort mean risk ÷ baseline mean
risk`` (for a measure on a different scale from the predictor). Natural variation is the
95% interval of the reduction (baseline − cohort) by Newcombe's method from the two Wilson
intervals; a baseline given without a size is taken as fixed, so the interval is the
cohort's own. Pure Python: no Django, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from omp.rules.payment import FieldError, PaymentParameterError

Z_95 = 1.959963984540054
Method = Literal["difference", "ratio"]


@dataclass(frozen=True, slots=True)
class CohortRisk:
    """A cohort as the adjustment sees it: its reconviction ``rate`` (percent), its mean
    predicted risk (OGRS3, percent) and its ``size`` (``None`` for a published baseline
    whose size is not known: it is then treated as exact)."""

    rate: float
    mean_predicted_risk: float
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    """The cohort against one baseline: ``reduction_points`` = baseline − cohort rate
    (positive when fewer reoffended), its 95% interval, and whether the interval leaves
    out zero, i.e. the change is more than natural variation."""

    baseline_rate: float
    reduction_points: float
    ci_low: float
    ci_high: float

    @property
    def exceeds_natural_variation(self) -> bool:
        """True when the 95% interval of the reduction does not include zero."""
        return self.ci_low > 0 or self.ci_high < 0

    def in_words(self) -> str:
        """The comparison as a sentence."""
        side = "below" if self.reduction_points > 0 else "above"
        size = abs(self.reduction_points)
        if size < 0.05:
            head = f"the same as the baseline of {self.baseline_rate:.1f}%"
        else:
            head = f"{size:.1f} percentage points {side} the baseline of {self.baseline_rate:.1f}%"
        verdict = ("more than natural variation" if self.exceeds_natural_variation
                   else "within natural variation")
        return (f"{head}; the 95% interval of the reduction is {_signed(self.ci_low)} to "
                f"{_signed(self.ci_high)} points, so the change is {verdict}")


@dataclass(frozen=True, slots=True)
class CaseMixAdjustment:
    """OUT-5: the unadjusted and the adjusted comparison of a cohort with its baseline."""

    cohort: CohortRisk
    baseline: CohortRisk
    method: Method
    risk_difference: float
    adjusted_baseline_rate: float
    unadjusted: Comparison
    adjusted: Comparison
    lines: tuple[str, ...]


def _signed(points: float) -> str:
    """Points to one decimal place with a true minus sign: "−0.1"."""
    text = f"{points:.1f}"
    return "−" + text[1:] if text.startswith("-") and text != "-0.0" else text.lstrip("-")


def wilson_interval(rate: float, size: int | None) -> tuple[float, float]:
    """The 95% Wilson score interval of a rate (percent) observed in ``size`` people; a
    rate with no size is exact."""
    if size is None:
        return rate, rate
    share = rate / 100
    denominator = 1 + Z_95**2 / size
    centre = (share + Z_95**2 / (2 * size)) / denominator
    half = Z_95 * math.sqrt(share * (1 - share) / size + Z_95**2 / (4 * size**2)) / denominator
    return max(centre - half, 0.0) * 100, min(centre + half, 1.0) * 100


def reduction_interval(baseline_rate: float, baseline_size: int | None, cohort_rate: float,
                       cohort_size: int | None) -> tuple[float, float]:
    """95% interval (Newcombe's hybrid score method) of baseline − cohort rate, in points."""
    base_low, base_high = wilson_interval(baseline_rate, baseline_size)
    low, high = wilson_interval(cohort_rate, cohort_size)
    reduction = baseline_rate - cohort_rate
    return (reduction - math.hypot(baseline_rate - base_low, high - cohort_rate),
            reduction + math.hypot(base_high - baseline_rate, cohort_rate - low))


def _check(cohort: CohortRisk, baseline: CohortRisk, method: str) -> None:
    errors: list[FieldError] = []
    for prefix, group in (("", cohort), ("baseline_", baseline)):
        for name in ("rate", "mean_predicted_risk"):
            value = getattr(group, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or \
                    not math.isfinite(value) or not 0 <= value <= 100:
                errors.append(FieldError(f"{prefix}{name}", "must be a percentage from 0 to "
                                                             "100"))
        size = group.size
        if size is not None and (isinstance(size, bool) or not isinstance(size, int)
                                 or size < 1):
            errors.append(FieldError(f"{prefix}size", "must be a whole number of at least 1"))
    if cohort.size is None:
        errors.append(FieldError("size", "the cohort's size is needed for natural variation"))
    if method not in ("difference", "ratio"):
        errors.append(FieldError("method", "must be 'difference' or 'ratio'"))
    elif method == "ratio" and not errors and baseline.mean_predicted_risk == 0:
        errors.append(FieldError("baseline_mean_predicted_risk",
                                 "must be more than 0 for the ratio method"))
    if errors:
        raise PaymentParameterError(errors)


def adjust_for_case_mix(cohort: CohortRisk, baseline: CohortRisk,
                        method: Method = "difference") -> CaseMixAdjustment:
    """OUT-5: adjust ``baseline``'s rate for the difference in mean predicted risk between
    ``cohort`` and ``baseline``, and compare the cohort with both baselines.

    Raises :class:`PaymentParameterError` naming the field when a figure is missing or out
    of range.
    """
    _check(cohort, baseline, method)
    risk_difference = cohort.mean_predicted_risk - baseline.mean_predicted_risk
    if method == "difference":
        adjusted = baseline.rate + risk_difference
        how = (f"the baseline moves by the difference in mean predicted risk: "
               f"{baseline.rate:.1f}% {'+' if risk_difference >= 0 else '−'} "
               f"{abs(risk_difference):.1f} = {min(max(adjusted, 0.0), 100.0):.1f}%")
    else:
        adjusted = baseline.rate * cohort.mean_predicted_risk / baseline.mean_predicted_risk
        how = (f"the baseline moves in proportion to mean predicted risk: {baseline.rate:.1f}% "
               f"× {cohort.mean_predicted_risk:.1f} ÷ {baseline.mean_predicted_risk:.1f} = "
               f"{min(max(adjusted, 0.0), 100.0):.1f}%")
    adjusted = min(max(adjusted, 0.0), 100.0)

    def compare(baseline_rate: float) -> Comparison:
        low, high = reduction_interval(baseline_rate, baseline.size, cohort.rate, cohort.size)
        return Comparison(baseline_rate, baseline_rate - cohort.rate, low, high)

    unadjusted = compare(baseline.rate)
    adjusted_comparison = compare(adjusted)
    if abs(risk_difference) < 0.05:
        mix = "the cohort's people were as likely to reoffend as the baseline's"
    elif risk_difference < 0:
        mix = ("the cohort's people were less likely to reoffend than the baseline's, so the "
               "baseline is lowered: a lower-risk intake earns nothing by itself")
    else:
        mix = ("the cohort's people were more likely to reoffend than the baseline's, so the "
               "baseline is raised: a higher-risk intake is not penalised")
    known = "" if baseline.size is not None else (
        " The baseline's size is not known, so it is taken as exact and the interval comes "
        "from the cohort alone.")
    lines = (
        f"OUT-5: the cohort's mean predicted risk (OGRS3) is {cohort.mean_predicted_risk:.1f}%"
        f" against {baseline.mean_predicted_risk:.1f}% for the baseline cohort: {mix}.",
        f"Adjusted baseline: {how}.",
        f"Unadjusted: the cohort of {cohort.size:,} people reoffended at {cohort.rate:.1f}%, "
        f"{unadjusted.in_words()}.",
        f"Adjusted for case mix: {adjusted_comparison.in_words()}.{known}",
    )
    return CaseMixAdjustment(cohort, baseline, method, risk_difference, adjusted, unadjusted,
                             adjusted_comparison, lines)
