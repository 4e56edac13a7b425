"""OUT-6 many comparisons: Benjamini–Hochberg against hand-worked examples, the exact
one-sided test of two shares against exact arithmetic, and their edge cases."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from omp.rules.multiple_comparisons import (
    FALSE_DISCOVERY_RATE,
    benjamini_hochberg,
    flagged,
    share_above_p_value,
)

# --- Benjamini–Hochberg ------------------------------------------------------------------


def test_bh_adjusts_by_rank_then_steps_up():
    # Sorted: 0.005 (k=1), 0.01 (2), 0.03 (3), 0.04 (4); times m/k: 0.02, 0.02, 0.04, 0.04;
    # no larger than any value above it: unchanged; back in the order given.
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx(
        [0.02, 0.04, 0.04, 0.02])
    assert flagged([0.01, 0.04, 0.03, 0.005], rate=0.03) == [True, False, False, True]
    assert flagged([0.01, 0.04, 0.03, 0.005]) == [True, True, True, True]


def test_a_larger_p_value_carries_the_smaller_ones_with_it():
    # 0.04 * 3 = 0.12 and 0.045 * 3/2 = 0.0675 alone, but 0.049 * 3/3 = 0.049 is the
    # largest to clear 5%, so all three are flagged: step-up, where Bonferroni (0.05 / 3)
    # and Holm would flag none.
    assert benjamini_hochberg([0.04, 0.045, 0.049]) == pytest.approx([0.049, 0.049, 0.049])
    assert flagged([0.04, 0.045, 0.049]) == [True, True, True]
    assert flagged([0.04, 0.045, 0.051]) == [False, False, False]


def test_the_fifteen_p_values_of_benjamini_and_hochberg_1995():
    """The worked example of the paper that introduced the method: at 5%, the four smallest
    of these fifteen are discoveries (0.0095 <= 4/15 * 0.05 = 0.0133; 0.0201 > 5/15 * 0.05,
    and no larger p-value is below its own line)."""
    p_values = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
                0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0]
    assert flagged(p_values, rate=0.05) == [True] * 4 + [False] * 11
    adjusted = benjamini_hochberg(p_values)
    assert adjusted[3] == pytest.approx(0.0095 * 15 / 4)
    assert adjusted[4] == pytest.approx(0.0201 * 15 / 5)
    assert adjusted[5] == pytest.approx(0.0298 * 15 / 7)  # carried down from the seventh
    assert adjusted[-1] == 1.0


def test_bh_edge_cases():
    assert benjamini_hochberg([]) == [] and flagged([]) == []
    assert benjamini_hochberg([0.03]) == [0.03]  # one comparison: nothing to correct
    assert benjamini_hochberg([0.01, 0.01]) == [0.01, 0.01]  # ties share a value
    assert benjamini_hochberg([0.9, 0.95]) == [0.95, 0.95]  # never above 1 ...
    assert benjamini_hochberg([0.6, 0.7, 0.8]) == pytest.approx([0.8, 0.8, 0.8])
    assert benjamini_hochberg([1.0, 0.0]) == [1.0, 0.0]
    for bad in ([math.nan], [-0.01], [1.2]):
        with pytest.raises(ValueError, match="p-value: must be between 0 and 1"):
            benjamini_hochberg(bad)
    for rate in (0, 1, -0.1):
        with pytest.raises(ValueError, match="rate: must be between 0 and 1"):
            flagged([0.01], rate=rate)


def test_bh_never_lowers_a_p_value_and_keeps_their_order():
    p_values = [0.2, 0.001, 0.04, 0.5, 0.04, 0.012, 0.3]
    adjusted = benjamini_hochberg(p_values)
    assert all(a >= p for a, p in zip(adjusted, p_values, strict=True))
    pairs = sorted(zip(p_values, adjusted, strict=True))
    assert all(a <= b for (_, a), (_, b) in zip(pairs, pairs[1:], strict=False))
    assert FALSE_DISCOVERY_RATE == 0.05


# --- The one-sided exact test of two shares ------------------------------------------------


def exact_tail(successes: int, trials: int, baseline_successes: int,
               baseline_trials: int) -> Fraction:
    """The same p-value in whole numbers: hypergeometric chances summed exactly."""
    total, hits = trials + baseline_trials, successes + baseline_successes
    return sum((Fraction(math.comb(hits, k) * math.comb(total - hits, trials - k),
                         math.comb(total, trials))
                for k in range(successes, min(trials, hits) + 1)), Fraction(0))


def test_the_exact_test_by_hand():
    # 3 of 3 against 0 of 3: all three successes fell in the first three of six, 1 way in
    # C(6, 3) = 20.
    assert share_above_p_value(3, 3, 0, 3) == pytest.approx(1 / 20)
    # The lady tasting tea: 4 of 4 against 0 of 4 is 1 in C(8, 4) = 70.
    assert share_above_p_value(4, 4, 0, 4) == pytest.approx(1 / 70)
    # 2 of 3 against 1 of 3: (C(3,2) C(3,1) + C(3,3) C(3,0)) / 20 = (9 + 1) / 20.
    assert share_above_p_value(2, 3, 1, 3) == pytest.approx(0.5)
    # Nothing above the baseline is certain: the tail from the least possible count is 1.
    assert share_above_p_value(0, 10, 5, 50) == pytest.approx(1.0)


@pytest.mark.parametrize(("successes", "trials", "baseline_successes", "baseline_trials"), [
    (13, 33, 8, 124), (20, 40, 10, 240), (30, 200, 200, 2000), (9, 12, 0, 200),
    (40, 100, 5, 100), (3, 485, 1810, 1995), (164, 2292, 283, 17904), (0, 50, 0, 500),
])
def test_the_exact_test_matches_whole_number_arithmetic(successes, trials,
                                                        baseline_successes, baseline_trials):
    expected = float(exact_tail(successes, trials, baseline_successes, baseline_trials))
    got = share_above_p_value(successes, trials, baseline_successes, baseline_trials)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_the_p_value_falls_as_the_share_rises():
    values = [share_above_p_value(moved, 100, 50, 1000) for moved in range(0, 31)]
    assert all(a >= b for a, b in zip(values, values[1:], strict=False))
    assert values[5] > 0.5 > values[10] and values[20] < 0.001
    # The same share here and in the baseline is no evidence of anything.
    assert share_above_p_value(10, 100, 100, 1000) > 0.4


def test_with_no_gaming_the_test_errs_on_the_side_of_no_flag():
    """Summed over every possible outcome (not simulated): when a prison of 60 and a
    baseline of 600 move people out at the same rate, the chance that the p-value falls to
    α or below is at most α, at 5% and at the 5%/20 the correction asks of the smallest of
    twenty."""
    for rate in (0.03, 0.1):
        for alpha in (0.05, 0.0025):
            here = [math.comb(60, x) * rate ** x * (1 - rate) ** (60 - x) for x in range(61)]
            there = [math.comb(600, y) * rate ** y * (1 - rate) ** (600 - y)
                     for y in range(601)]
            chance = sum(here[x] * there[y] for x in range(61) for y in range(601)
                         if here[x] * there[y] > 1e-15
                         and share_above_p_value(x, 60, y, 600) <= alpha)
            assert chance <= alpha, (rate, alpha, chance)


def test_exact_test_edge_cases():
    assert share_above_p_value(0, 0, 5, 10) == 1.0
    assert share_above_p_value(5, 10, 0, 0) == 1.0
    assert share_above_p_value(0, 10, 0, 10) == 1.0  # no one moved anywhere
    assert share_above_p_value(10, 10, 10, 10) == 1.0  # everyone moved everywhere
    for args in ((11, 10, 0, 10), (-1, 10, 0, 10), (0, 10, 11, 10)):
        with pytest.raises(ValueError, match="must be between 0 and the number of trials"):
            share_above_p_value(*args)
