"""Payment by results: the Doncaster contract (OUT-3) and the TR mechanism (OUT-4).

Every expected figure below was worked by hand from the contract's rules; the comment on
each case shows the sum.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from omp.rules.payment import (
    CurveStep,
    DoncasterContract,
    OutcomeCurve,
    PaymentParameterError,
    PerformanceTarget,
    TRContract,
    TRYear,
    curve_from_data,
    doncaster_statement,
    parse_curve,
    pounds,
    tr_statement,
)

# A core contract value of £10,000,000 a year, outcome payments up to £500,000: 10% at risk
# is £1,000,000, and each point beyond the 5-point threshold earns £500,000 ÷ 5 = £100,000.
DONCASTER = DoncasterContract(contract_value=D("10000000"), max_outcome_payment=D("500000"))


@pytest.mark.parametrize(
    ("rate", "reduction", "reclaimed", "outcome", "net", "total"),
    [
        # 58.2 − 58.2 = 0 points < 5: reclaim 10% × £10m = £1m; total £9m.
        ("58.2", "0.0", "1000000.00", "0.00", "-1000000.00", "9000000.00"),
        # 58.2 − 53.2 = 5.0 points: exactly the threshold, full value kept, no outcome payment.
        ("53.2", "5.0", "0.00", "0.00", "0.00", "10000000.00"),
        # 58.2 − 52.5 = 5.7: (5.7 − 5) ÷ (10 − 5) × £500,000 = 0.14 × £500,000 = £70,000.
        ("52.5", "5.7", "0.00", "70000.00", "70000.00", "10070000.00"),
        # 58.2 − 48.2 = 10.0: exactly the cap, (10 − 5) ÷ 5 × £500,000 = £500,000.
        ("48.2", "10.0", "0.00", "500000.00", "500000.00", "10500000.00"),
        # 58.2 − 45.0 = 13.2: only 10 points count, so £500,000 again.
        ("45.0", "13.2", "0.00", "500000.00", "500000.00", "10500000.00"),
    ],
)
def test_out_3_doncaster_worked_examples(rate: str, reduction: str, reclaimed: str,
                                         outcome: str, net: str, total: str) -> None:
    """OUT-3: the worked examples at 58.2, 53.2, 52.5, 48.2 and 45.0%."""
    statement = doncaster_statement(DONCASTER, D(rate))
    figures = statement.figures()
    assert figures["reduction_points"] == reduction
    assert figures["reclaimed"] == reclaimed
    assert figures["outcome_payment"] == outcome
    assert figures["net"] == net
    assert figures["total_payment"] == total
    assert statement.net == statement.outcome_payment - statement.reclaimed


def test_out_3_just_short_of_the_threshold_reclaims_ten_percent() -> None:
    """OUT-3: 4.9 points is not "at least five": £1,000,000 is reclaimed."""
    statement = doncaster_statement(DONCASTER, D("53.3"))
    assert statement.reduction_points == D("4.9")
    assert not statement.threshold_met
    assert statement.reclaimed == D("1000000.00")
    assert statement.outcome_payment == 0


def test_out_3_just_beyond_the_threshold_and_the_cap() -> None:
    """OUT-3: 5.1 points earns 0.1 ÷ 5 × £500,000 = £10,000; 10.1 points is capped."""
    assert doncaster_statement(DONCASTER, D("53.1")).outcome_payment == D("10000.00")
    capped = doncaster_statement(DONCASTER, D("48.1"))
    assert capped.counted_points == D("10.0")
    assert capped.outcome_payment == D("500000.00")
    assert "Only 10 points count" in capped.lines[-2].text


def test_out_3_reoffending_rising_reclaims_the_same_ten_percent() -> None:
    """OUT-3: a rise above the baseline reclaims 10%, no more; the statement says it rose."""
    statement = doncaster_statement(DONCASTER, D("61.0"))
    assert statement.reduction_points == D("-2.8")
    assert statement.reclaimed == D("1000000.00")
    assert statement.counted_points == 0
    assert any("reconviction rose by 2.8 points" in line.text for line in statement.lines)


def test_out_3_statement_shows_the_arithmetic_in_order() -> None:
    """OUT-3: the lines go baseline, rate, reduction, reclaim, outcome payment, net."""
    lines = [line.text for line in doncaster_statement(DONCASTER, D("52.5")).lines]
    assert lines[0].startswith("OUT-3: the baseline reconviction rate is 58.2% (January to "
                               "December 2009)")
    assert lines[1] == "The cohort's reconviction rate is 52.5%."
    assert lines[2] == "Reduction: 58.2 − 52.5 = 5.7 percentage points."
    assert "nothing is reclaimed" in lines[3]
    assert lines[4].endswith("(5.7 − 5) ÷ (10 − 5) × £500,000.00 = £70,000.00.")
    assert lines[5] == ("Net: £70,000.00 outcome payment − £0.00 reclaimed = £70,000.00, so "
                        "the year pays £10,000,000.00 + £70,000.00 = £10,070,000.00.")
    reclaim = [line.text for line in doncaster_statement(DONCASTER, D("58.2")).lines]
    assert reclaim[3].endswith("10% × £10,000,000.00 = £1,000,000.00.")
    assert reclaim[-1].endswith("£10,000,000.00 − £1,000,000.00 = £9,000,000.00.")


def test_out_3_rate_is_judged_at_one_decimal_place() -> None:
    """OUT-3: a measured 53.249…% is the published 53.2%: exactly 5 points, value kept."""
    statement = doncaster_statement(DONCASTER, D("53.2499"))
    assert statement.rate == D("53.2")
    assert statement.threshold_met and statement.reclaimed == 0
    assert statement.lines[1].text == ("The cohort's reconviction rate is 53.2% (measured as "
                                       "53.2499%, judged to 1 decimal place).")


def test_out_3_stepped_curve_as_data() -> None:
    """OUT-3: a stepped curve pays the share of the highest step reached: 5.7 points reaches
    no step (first at 6) so £0; 7.4 reaches 40% × £500,000 = £200,000; 13 reaches 100%."""
    stepped = DoncasterContract(D("10000000"), D("500000"),
                                curve=parse_curve("6:20,7:40,8:60,9:80,10:100"))
    assert doncaster_statement(stepped, D("52.5")).outcome_payment == 0
    statement = doncaster_statement(stepped, D("50.8"))
    assert statement.outcome_payment == D("200000.00")
    assert "40% × £500,000.00 = £200,000.00" in statement.lines[4].text
    assert doncaster_statement(stepped, D("45.2")).outcome_payment == D("500000.00")
    from_file = curve_from_data({"kind": "stepped", "steps": [
        {"from_points": 6, "share": 0.2}, {"from_points": "10", "share": "1"}]})
    assert from_file == OutcomeCurve("stepped", (CurveStep(D(6), D("0.2")),
                                                 CurveStep(D(10), D(1))))
    assert curve_from_data("linear") == OutcomeCurve()


def test_out_3_adjusted_baseline_replaces_the_contract_baseline() -> None:
    """OUT-5 into OUT-3: against an adjusted baseline of 55.2%, 52.5% is only 2.7 points
    below, so £1,000,000 is reclaimed."""
    statement = doncaster_statement(DONCASTER, D("52.5"), adjusted_baseline=D("55.2"),
                                    adjustment_note="lower-risk cohort")
    assert statement.baseline_rate == D("55.2")
    assert statement.reduction_points == D("2.7")
    assert statement.reclaimed == D("1000000.00")
    assert statement.lines[1].text.startswith("OUT-5: the baseline is adjusted")


def test_out_3_parameters_from_a_mapping() -> None:
    """OUT-3: a parameters file's numbers may be strings or numbers."""
    contract = DoncasterContract.from_mapping({
        "contract_value": "10,000,000", "max_outcome_payment": 500000, "baseline_rate": 58.2,
        "curve": "6:50,10:100"})
    assert contract.contract_value == D("10000000")
    assert contract.baseline_rate == D("58.2")
    assert contract.curve.kind == "stepped"


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"contract_value": D(-1)}, ["contract_value"]),
        ({"max_outcome_payment": D("NaN")}, ["max_outcome_payment"]),
        ({"baseline_rate": D("101")}, ["baseline_rate"]),
        ({"threshold_points": D(0)}, ["threshold_points"]),
        ({"cap_points": D(5)}, ["cap_points"]),
        ({"at_risk_share": D("1.5")}, ["at_risk_share"]),
        ({"rate_places": 9}, ["rate_places"]),
        ({"contract_value": D(-1), "cap_points": D(4)}, ["contract_value", "cap_points"]),
        ({"curve": OutcomeCurve("stepped", ())}, ["curve"]),
        ({"curve": OutcomeCurve("stepped", (CurveStep(D(4), D("0.5")),))},
         ["curve.steps[0].from_points"]),
        ({"curve": OutcomeCurve("stepped", (CurveStep(D(6), D("0.5")),
                                            CurveStep(D(7), D("0.4"))))},
         ["curve.steps[1].share"]),
        ({"curve": OutcomeCurve("stepped", (CurveStep(D(7), D("0.5")),
                                            CurveStep(D(6), D("0.6"))))},
         ["curve.steps[1].from_points"]),
    ],
)
def test_out_3_bad_parameters_name_their_fields(changes: dict[str, object],
                                                fields: list[str]) -> None:
    """OUT-3: each bad parameter is named, all of them at once."""
    values: dict[str, object] = {"contract_value": D("10000000"),
                                 "max_outcome_payment": D("500000"), **changes}
    with pytest.raises(PaymentParameterError) as raised:
        DoncasterContract(**values)  # type: ignore[arg-type]
    assert [error.field for error in raised.value.errors] == fields


def test_out_3_bad_parameters_from_a_mapping() -> None:
    """OUT-3: unknown, missing and non-numeric entries of a parameters file are all named."""
    with pytest.raises(PaymentParameterError) as raised:
        DoncasterContract.from_mapping({"contract_valu": 1, "baseline_rate": "high",
                                        "curve": "6-20"})
    assert {error.field for error in raised.value.errors} == {
        "contract_valu", "baseline_rate", "contract_value", "max_outcome_payment", "curve"}
    with pytest.raises(PaymentParameterError, match="curve.steps"):
        curve_from_data({"kind": "stepped", "steps": [{"from_points": "x", "share": 1}]})
    with pytest.raises(PaymentParameterError, match="curve"):
        curve_from_data(12)


@pytest.mark.parametrize("rate", [D("-0.1"), D("100.1"), D("Infinity")])
def test_out_3_bad_rate_is_named(rate: D) -> None:
    """OUT-3: a rate outside 0–100 is refused on the field ``rate``."""
    with pytest.raises(PaymentParameterError) as raised:
        doncaster_statement(DONCASTER, rate)
    assert raised.value.field == "rate"


def test_pounds_writes_money_as_a_statement_does() -> None:
    assert pounds(D("1234567.895")) == "£1,234,567.90"
    assert pounds(D("-1000000")) == "−£1,000,000.00"


# ------------------------------------------------------------------------------ OUT-4

ORDERS = "Court orders started on time"
REPORTS = "Reports to quality"
TR = TRContract(
    annual_price=D("20000000"), maximum_annual_payment=D("24000000"),
    baseline_binary_rate=D("36.0"), baseline_frequency=D("3.00"),
    binary_price_per_point=D("400000"), frequency_price_per_reoffence=D("500"),
    performance_targets=(PerformanceTarget(ORDERS, D(90), D("0.01")),
                         PerformanceTarget(REPORTS, D(85), D("0.005"))))
TR_PLAIN = TRContract(
    annual_price=D("20000000"), maximum_annual_payment=D("24000000"),
    baseline_binary_rate=D("36.0"), baseline_frequency=D("3.00"),
    binary_price_per_point=D("400000"), frequency_price_per_reoffence=D("500"))


def test_out_4_worked_example_year_two() -> None:
    """OUT-4, year 2, worked by hand:
    price £20m × (1 − 0.02) = £19,600,000; volume 1,100 of 1,000 → ×1.1 = £21,560,000;
    orders on time 88% < 90%: 1% × £21,560,000 = £215,600; reports 90% ≥ 85%: nothing;
    fee for service £21,344,400 = 12 × £1,778,700; pot £24m − £19.6m = £4,400,000.
    Binary target 36.0 − 0.5 = 35.5; rate 33.0 in 10,000 is 2.5 below; natural variation
    1.96 × √(0.33 × 0.67 ÷ 10,000) = 0.92 points, so the hurdle is met: 2.5 × £400,000 =
    £1,000,000. Frequency target 3.00 − 0.05 = 2.95, actual 2.80: (0.15) × 3,300 = 495
    reoffences avoided × £500 = £247,500. Payment by results £1,247,500; no penalty;
    total £21,344,400 + £1,247,500 = £22,591,900."""
    statement = tr_statement(TR, TRYear(
        year=2, cohort_size=10_000, binary_rate=D("33.0"), reoffenders=3_300,
        frequency_per_reoffender=D("2.80"), predicted_volume=D(1000), actual_volume=D(1100),
        performance={ORDERS: D(88), REPORTS: D(90)}))
    figures = statement.figures()
    assert figures["year_price"] == "19600000.00"
    assert figures["fee_before_deductions"] == "21560000.00"
    assert figures["performance_deductions"] == "215600.00"
    assert figures["fee_for_service"] == "21344400.00"
    assert figures["monthly_payment"] == "1778700.00"
    assert figures["pbr_pot"] == "4400000.00"
    assert figures["binary_target"] == "35.5"
    assert figures["significance_margin"] == "0.92"
    assert figures["hurdle_met"] is True
    assert figures["binary_payment"] == "1000000.00"
    assert figures["frequency_target"] == "2.95"
    assert figures["reoffences_avoided"] == "495"
    assert figures["frequency_payment"] == "247500.00"
    assert figures["outcome_payment"] == "1247500.00"
    assert figures["penalty"] == "0.00"
    assert figures["reclaimed"] == "215600.00"
    assert figures["net"] == "1031900.00"
    assert figures["total_payment"] == "22591900.00"
    texts = [line.text for line in statement.lines]
    assert texts[0].startswith("OUT-4 fee for service")
    assert any(f"Performance target missed: {ORDERS} was 88%" in text for text in texts)
    assert texts[-1] == ("Total: £21,344,400.00 fee for service + £1,247,500.00 payment by "
                         "results − £0.00 penalty = £22,591,900.00.")


def test_out_4_binary_hurdle_not_met_pays_no_frequency_either() -> None:
    """OUT-4: year 1, 35.5% in 2,000 is 0.5 below the 36.0 target, but natural variation
    is 1.96 × √(0.355 × 0.645 ÷ 2,000) = 2.10 points: no binary and no frequency payment,
    even though frequency fell (2.0 against 3.0)."""
    statement = tr_statement(TR_PLAIN, TRYear(1, 2_000, D("35.5"), 710, D("2.0")))
    assert statement.significance_margin == D("2.10")
    assert not statement.hurdle_met
    assert statement.outcome_payment == 0 and statement.frequency_payment == 0
    assert statement.total_payment == D("20000000.00")


@pytest.mark.parametrize(("rate", "words"), [
    ("31.0", "reoffended at 31.0%, 5.0 points below target;"),
    ("41.0", "reoffended at 41.0%, 5.0 points above target;"),
    ("36.0", "reoffended at 36.0%, on target;"),
])
def test_out_4_the_distance_from_target_is_worded_by_its_direction(rate: str,
                                                                  words: str) -> None:
    """A rate above target reads "points above target", never "-5.0 points below", in the
    statement's text and so in its CSV and JSON, which carry the same lines."""
    statement = tr_statement(TR_PLAIN, TRYear(1, 10_000, D(rate), 3_600, D("3.0")))
    text = " ".join(line.text for line in statement.lines)
    assert words in text and "-" not in text.split("reoffended at")[1].split(";")[0]


def test_out_4_stretch_tightens_the_target_each_year() -> None:
    """OUT-4: the same 35.0% in 10,000 (margin 0.93) is 1.0 below the year-1 target of 36.0
    (met: £400,000) but only 0.0 below year 3's 36.0 − 2 × 0.5 = 35.0 (not met)."""
    year1 = tr_statement(TR_PLAIN, TRYear(1, 10_000, D("35.0"), 3_500, D("3.0")))
    assert year1.hurdle_met and year1.binary_payment == D("400000.00")
    year3 = tr_statement(TR_PLAIN, TRYear(3, 10_000, D("35.0"), 3_500, D("3.0")))
    assert year3.binary_target == D("35.0")
    assert not year3.hurdle_met
    # Year 3's price: £20m × 0.98² = £19,208,000.
    assert year3.year_price == D("19208000.00")


def test_out_4_penalty_when_reoffending_rises_significantly() -> None:
    """OUT-4: 38.0% in 10,000 is 2.0 points above the 36.0 baseline, beyond the 0.95 of
    natural variation: penalty 2.0 × £400,000 = £800,000 (under the 10% cap of £2m)."""
    statement = tr_statement(TR_PLAIN, TRYear(1, 10_000, D("38.0"), 3_800, D("3.1")))
    assert statement.penalty == D("800000.00")
    assert not statement.termination_point_reached
    assert statement.total_payment == D("19200000.00")
    assert statement.reclaimed == D("800000.00")


def test_out_4_penalty_capped_and_termination_point() -> None:
    """OUT-4: 42.0% is 6.0 points up: 6 × £400,000 = £2.4m, capped at 10% × £20m = £2m;
    6 ≥ 5 points reaches the termination point."""
    statement = tr_statement(TR_PLAIN, TRYear(1, 10_000, D("42.0"), 4_200, D("3.1")))
    assert statement.penalty == D("2000000.00")
    assert statement.termination_point_reached
    assert any("termination point" in line.text for line in statement.lines)


def test_out_4_a_small_rise_within_natural_variation_is_not_penalised() -> None:
    """OUT-4: 37.0% in 1,000 is 1.0 up, within ±2.99 points: no penalty."""
    statement = tr_statement(TR_PLAIN, TRYear(1, 1_000, D("37.0"), 370, D("3.0")))
    assert statement.penalty == 0


def test_out_4_payment_by_results_capped_at_the_pot() -> None:
    """OUT-4: 30.0% in 10,000 is 6.0 below target: 6 × £1m = £6m, capped at the
    £24m − £20m = £4m pot."""
    generous = TRContract(D("20000000"), D("24000000"), D("36.0"), D("3.0"), D("1000000"),
                          D("500"))
    statement = tr_statement(generous, TRYear(1, 10_000, D("30.0"), 3_000, D("3.0")))
    assert statement.outcome_payment == D("4000000.00")
    assert any("capped at the pot" in line.text for line in statement.lines)


def test_out_4_volume_band_and_deduction_cap() -> None:
    """OUT-4: twice the predicted volume pays at most +50% (£30m); a missed target worth 20%
    is capped at 10% of the fee (£3m)."""
    contract = TRContract(D("20000000"), D("24000000"), D("36.0"), D("3.0"), D("400000"),
                          D("500"), performance_targets=(PerformanceTarget("x", D(90),
                                                                           D("0.2")),))
    statement = tr_statement(contract, TRYear(1, 10_000, D("36.0"), 3_600, D("3.0"),
                                              D(1000), D(2000), {"x": D(50)}))
    assert statement.volume_ratio == D("1.5")
    assert statement.fee_before_deductions == D("30000000.00")
    assert statement.performance_deductions == D("3000000.00")
    low = tr_statement(contract, TRYear(1, 10_000, D("36.0"), 3_600, D("3.0"), D(1000),
                                        D(100), {"x": D(95)}))
    assert low.volume_ratio == D("0.70")  # −30% at most


def test_out_4_contract_from_a_mapping_with_defaults() -> None:
    """OUT-4: a parameters file needs only the six money and baseline figures; the rest are
    the documented defaults (2% learning curve, 0.5-point stretch…)."""
    contract = TRContract.from_mapping({
        "annual_price": "20000000", "maximum_annual_payment": 24000000,
        "baseline_binary_rate": 36, "baseline_frequency": "3", "binary_price_per_point": 1,
        "frequency_price_per_reoffence": 1,
        "performance_targets": [{"name": ORDERS, "target_percent": 90,
                                 "deduction_share": 0.01}]})
    assert contract.learning_curve_discount == D("0.02")
    assert contract.binary_stretch_points == D("0.5")
    assert contract.performance_targets == (PerformanceTarget(ORDERS, D(90), D("0.01")),)


def test_out_4_bad_contract_parameters_are_named() -> None:
    """OUT-4: every bad parameter is named at once."""
    with pytest.raises(PaymentParameterError) as raised:
        TRContract(D("20000000"), D("19000000"), D("136"), D("-1"), D("1"), D("1"),
                   learning_curve_discount=D("0.9"),
                   performance_targets=(PerformanceTarget("", D(90), D("2")),))
    assert [error.field for error in raised.value.errors] == [
        "maximum_annual_payment", "baseline_binary_rate", "baseline_frequency",
        "learning_curve_discount", "performance_targets[0].name",
        "performance_targets[0].deduction_share"]
    with pytest.raises(PaymentParameterError) as raised:
        TRContract.from_mapping({"annual_price": "lots", "performance_targets": "x"})
    fields = {error.field for error in raised.value.errors}
    assert {"annual_price", "maximum_annual_payment", "performance_targets"} <= fields


@pytest.mark.parametrize(
    ("results", "field"),
    [
        (TRYear(0, 100, D(30), 30, D(3)), "year"),
        (TRYear(1, 0, D(30), 0, D(3)), "cohort_size"),
        (TRYear(1, 100, D(130), 30, D(3)), "binary_rate"),
        (TRYear(1, 100, D(30), 130, D(3)), "reoffenders"),
        (TRYear(1, 100, D(30), 30, D(-3)), "frequency_per_reoffender"),
        (TRYear(1, 100, D(30), 30, D(3), predicted_volume=D(5)), "actual_volume"),
        (TRYear(1, 100, D(30), 30, D(3), D(0), D(5)), "predicted_volume"),
        (TRYear(1, 100, D(30), 30, D(3), performance={"y": D(5)}), "performance.y"),
    ],
)
def test_out_4_bad_year_figures_are_named(results: TRYear, field: str) -> None:
    """OUT-4: a year's bad figure is named."""
    with pytest.raises(PaymentParameterError) as raised:
        tr_statement(TR_PLAIN, results)
    assert raised.value.field == field


def test_out_4_missing_performance_figure_is_named() -> None:
    with pytest.raises(PaymentParameterError) as raised:
        tr_statement(TR, TRYear(1, 100, D(30), 30, D(3), performance={ORDERS: D(95)}))
    assert raised.value.field == f"performance.{REPORTS}"


def test_parameter_edge_cases_are_named() -> None:
    """Less common bad parameters: a boolean for a number, a curve object of an unknown kind
    or with a step that is not an object, a duplicated or malformed performance target, a
    bad penalty price, bad rate places, negative reoffenders."""
    with pytest.raises(PaymentParameterError, match="contract_value: must be a number"):
        DoncasterContract.from_mapping({"contract_value": True, "max_outcome_payment": 1})
    assert curve_from_data({"kind": "linear"}) == OutcomeCurve()
    with pytest.raises(PaymentParameterError, match="kind must be"):
        curve_from_data({"kind": "wavy", "steps": []})
    with pytest.raises(PaymentParameterError, match=r"curve.steps\[0\]"):
        curve_from_data({"kind": "stepped", "steps": [7]})
    with pytest.raises(PaymentParameterError) as raised:
        DoncasterContract(D(1), D(1), curve=OutcomeCurve("wavy"))  # type: ignore[arg-type]
    assert raised.value.field == "curve"
    with pytest.raises(PaymentParameterError) as raised:
        DoncasterContract(D(1), D(1), curve=OutcomeCurve(
            "stepped", (CurveStep(D("NaN"), D(1)), CurveStep(D(8), D(1)))))
    assert raised.value.field == "curve.steps[0].from_points"
    contract = DoncasterContract.from_mapping({"contract_value": 1, "max_outcome_payment": 1,
                                               "rate_places": 2, "baseline_label": "2009"})
    assert contract.rate_places == 2 and contract.baseline_label == "2009"
    with pytest.raises(PaymentParameterError) as raised:
        TRContract(D(1), D(2), D(30), D(3), D(1), D(1), penalty_per_point=D(-1), rate_places=7,
                   performance_targets=(PerformanceTarget("x", D(90), D("0.1")),
                                        PerformanceTarget("x", D(90), D("0.1"))))
    assert [error.field for error in raised.value.errors] == [
        "penalty_per_point", "performance_targets[1].name", "rate_places"]
    with pytest.raises(PaymentParameterError) as raised:
        TRContract.from_mapping({
            "annual_price": 1, "maximum_annual_payment": 2, "baseline_binary_rate": 30,
            "baseline_frequency": 3, "binary_price_per_point": 1,
            "frequency_price_per_reoffence": 1, "rate_places": 2,
            "performance_targets": ["x", {"name": "y", "target_percent": "z",
                                          "deduction_share": 0}]})
    assert [error.field for error in raised.value.errors] == [
        "performance_targets[0]", "performance_targets[1].target_percent"]
    with pytest.raises(PaymentParameterError) as raised:
        tr_statement(TR_PLAIN, TRYear(1, 100, D(30), -1, D(3)))
    assert raised.value.field == "reoffenders"
