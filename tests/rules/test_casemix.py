"""Case-mix adjustment (OUT-5): the baseline moves with the cohorts' mean predicted risk,
and a change is judged against natural variation (a 95% interval)."""

from __future__ import annotations

import pytest

from omp.rules.casemix import (
    CohortRisk,
    adjust_for_case_mix,
    reduction_interval,
    wilson_interval,
)
from omp.rules.payment import PaymentParameterError


def test_wilson_interval_known_values() -> None:
    """50 of 100: the textbook Wilson interval is 40.38% to 59.62%."""
    low, high = wilson_interval(50, 100)
    assert low == pytest.approx(40.383, abs=0.001)
    assert high == pytest.approx(59.617, abs=0.001)
    assert wilson_interval(0, 20) == (0.0, pytest.approx(16.113, abs=0.001))
    assert wilson_interval(58.2, None) == (58.2, 58.2)


def test_out_5_lower_risk_cohort_lowers_the_baseline() -> None:
    """OUT-5, worked by hand: a cohort of 1,200 at 52.5% whose mean OGRS3 is 45.0 against
    48.0 for the 2009 cohort. Adjusted baseline 58.2 − 3.0 = 55.2%. The cohort's Wilson
    interval is 49.67% to 55.31%, so against the fixed 58.2% the reduction of 5.7 points has
    the interval 2.89 to 8.53 (more than natural variation); against 55.2% the 2.7-point
    reduction has −0.11 to 5.53 (within natural variation)."""
    result = adjust_for_case_mix(CohortRisk(52.5, 45.0, 1200), CohortRisk(58.2, 48.0))
    assert result.risk_difference == pytest.approx(-3.0)
    assert result.adjusted_baseline_rate == pytest.approx(55.2)
    assert result.unadjusted.reduction_points == pytest.approx(5.7)
    assert result.unadjusted.ci_low == pytest.approx(2.887, abs=0.002)
    assert result.unadjusted.ci_high == pytest.approx(8.529, abs=0.002)
    assert result.unadjusted.exceeds_natural_variation
    assert result.adjusted.reduction_points == pytest.approx(2.7)
    assert result.adjusted.ci_low == pytest.approx(-0.113, abs=0.002)
    assert not result.adjusted.exceeds_natural_variation
    assert result.lines[0].startswith("OUT-5: the cohort's mean predicted risk (OGRS3) is "
                                      "45.0% against 48.0%")
    assert "baseline is lowered" in result.lines[0]
    assert result.lines[1] == ("Adjusted baseline: the baseline moves by the difference in "
                               "mean predicted risk: 58.2% − 3.0 = 55.2%.")
    assert "more than natural variation" in result.lines[2]
    assert "within natural variation" in result.lines[3]
    assert "−0.1 to 5.5 points" in result.lines[3]


def test_out_5_higher_risk_cohort_raises_the_baseline() -> None:
    """OUT-5: a cohort at 58.2% with mean risk 52.0 against 48.0: the baseline becomes
    62.2%, so the unchanged rate is a 4.0-point reduction once case mix is counted."""
    result = adjust_for_case_mix(CohortRisk(58.2, 52.0, 5000), CohortRisk(58.2, 48.0))
    assert result.adjusted_baseline_rate == pytest.approx(62.2)
    assert result.unadjusted.reduction_points == pytest.approx(0.0)
    assert not result.unadjusted.exceeds_natural_variation
    assert result.adjusted.reduction_points == pytest.approx(4.0)
    assert result.adjusted.exceeds_natural_variation
    assert "not penalised" in result.lines[0]
    assert "the same as the baseline of 58.2%" in result.lines[2]


def test_out_5_ratio_method() -> None:
    """OUT-5: in proportion: 58.2 × 40 ÷ 48 = 48.5%."""
    result = adjust_for_case_mix(CohortRisk(50.0, 40.0, 1000), CohortRisk(58.2, 48.0),
                                 method="ratio")
    assert result.adjusted_baseline_rate == pytest.approx(48.5)
    assert "58.2% × 40.0 ÷ 48.0 = 48.5%" in result.lines[1]


def test_out_5_same_mix_changes_nothing() -> None:
    result = adjust_for_case_mix(CohortRisk(50.0, 48.0, 1000), CohortRisk(58.2, 48.0))
    assert result.adjusted == result.unadjusted
    assert "as likely to reoffend" in result.lines[0]


def test_out_5_a_baseline_with_a_size_widens_the_interval() -> None:
    """OUT-5: counting the baseline's own sampling variation (Newcombe) widens the interval
    of the reduction; with equal sizes and rates it is symmetric about the reduction."""
    fixed = reduction_interval(58.2, None, 52.5, 1200)
    sampled = reduction_interval(58.2, 1200, 52.5, 1200)
    assert sampled[0] < fixed[0] and sampled[1] > fixed[1]
    low, high = reduction_interval(50.0, 1000, 50.0, 1000)
    assert low == pytest.approx(-high)
    result = adjust_for_case_mix(CohortRisk(52.5, 45.0, 1200), CohortRisk(58.2, 48.0, 1200))
    assert "taken as exact" not in result.lines[3]


def test_out_5_adjusted_baseline_stays_a_percentage() -> None:
    result = adjust_for_case_mix(CohortRisk(2.0, 1.0, 100), CohortRisk(3.0, 20.0))
    assert result.adjusted_baseline_rate == 0.0


@pytest.mark.parametrize(
    ("cohort", "baseline", "method", "field"),
    [
        (CohortRisk(120.0, 45.0, 100), CohortRisk(58.2, 48.0), "difference", "rate"),
        (CohortRisk(52.5, float("nan"), 100), CohortRisk(58.2, 48.0), "difference",
         "mean_predicted_risk"),
        (CohortRisk(52.5, 45.0, 100), CohortRisk(58.2, -1.0), "difference",
         "baseline_mean_predicted_risk"),
        (CohortRisk(52.5, 45.0, None), CohortRisk(58.2, 48.0), "difference", "size"),
        (CohortRisk(52.5, 45.0, 0), CohortRisk(58.2, 48.0), "difference", "size"),
        (CohortRisk(52.5, 45.0, 10), CohortRisk(58.2, 48.0, 0), "difference",
         "baseline_size"),
        (CohortRisk(52.5, 45.0, 10), CohortRisk(58.2, 48.0), "median", "method"),
        (CohortRisk(52.5, 45.0, 10), CohortRisk(58.2, 0.0), "ratio",
         "baseline_mean_predicted_risk"),
    ],
)
def test_out_5_bad_figures_are_named(cohort: CohortRisk, baseline: CohortRisk, method: str,
                                     field: str) -> None:
    with pytest.raises(PaymentParameterError) as raised:
        adjust_for_case_mix(cohort, baseline, method)  # type: ignore[arg-type]
    assert raised.value.field == field
