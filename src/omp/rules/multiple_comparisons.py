"""Many comparisons at once (OUT-6): a one-sided exact test of two shares, and the
Benjamini–Hochberg correction that keeps the share of false flags among all flags at or
below a chosen false discovery rate when every prison is tested at once.

Testing twenty prisons' high-risk transfers each at 95% would flag about one prison in
forty by chance alone, and a whole run would flag at least one prison about two times in
five; with the correction, on data where no prison games the measure, a whole run of checks
raises a flag at most about one time in twenty (``FALSE_DISCOVERY_RATE``), and where some
prisons do, on average at most about one flag in twenty is a false one. The choice of
Benjamini–Hochberg over Bonferroni or Holm is recorded in ``docs/decisions.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

#: OUT-6: the share of flags that may be false, on average, across one run of a check.
FALSE_DISCOVERY_RATE = 0.05


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def share_above_p_value(successes: int, trials: int, baseline_successes: int,
                        baseline_trials: int) -> float:
    """The one-sided p-value that a share is no higher than its baseline's: Fisher's exact
    test, the chance that, of all the successes in both groups, at least ``successes`` fall
    among this group's ``trials`` if every trial were equally likely to be one.

    Exact, not the normal approximation (the pooled z test): transfers before release are
    rare (a few in a hundred), and for rare counts the approximation's upper tail is too
    thin. Where the correction looks, at the smallest of twenty p-values (0.05 / 20 =
    0.0025), simulated prisons with no gaming fell below 0.0025 two to three times as often
    as they should with the approximation; with the exact test, less often than 0.0025 (it
    errs the other way, a little). 1.0 when either group is empty."""
    for name, count, of in (("successes", successes, trials),
                            ("baseline_successes", baseline_successes, baseline_trials)):
        if count < 0 or count > max(of, 0):
            raise ValueError(f"{name}: must be between 0 and the number of trials, not {count}")
    if trials <= 0 or baseline_trials <= 0:
        return 1.0
    total, hits = trials + baseline_trials, successes + baseline_successes
    # The hypergeometric chance of exactly k, from k = successes upwards, each term from the
    # one before (a ratio of whole numbers) rather than from factorials every time; in
    # logarithms, as a term far below the mode is too small for a float.
    log_term = (_log_choose(hits, successes) + _log_choose(total - hits, trials - successes)
                - _log_choose(total, trials))
    log_tail = -math.inf
    for k in range(successes, min(trials, hits) + 1):
        high = max(log_tail, log_term)
        log_tail = high + math.log(math.exp(log_tail - high) + math.exp(log_term - high))
        if log_term < log_tail - 40 or k == min(trials, hits):
            break  # the terms only shrink from here (past the mode), or there are no more
        log_term += math.log((hits - k) * (trials - k)
                             / ((k + 1) * (total - hits - trials + k + 1)))
    tail = math.exp(log_tail)
    return min(1.0, tail)


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values, in the order given: a comparison is flagged at
    false discovery rate ``q`` when its adjusted p-value is at most ``q``.

    The k-th smallest of m p-values is multiplied by m / k, then each adjusted value is made
    no larger than any adjusted value of a larger p-value (step-up), and at most 1. Ties
    get the same adjusted value whatever their order.
    """
    for value in p_values:
        if not 0 <= value <= 1:  # NaN fails this too
            raise ValueError(f"p-value: must be between 0 and 1, not {value}")
    count = len(p_values)
    order = sorted(range(count), key=lambda index: p_values[index])
    adjusted = [1.0] * count
    smallest = 1.0
    for rank in range(count, 0, -1):
        index = order[rank - 1]
        smallest = min(smallest, p_values[index] * count / rank)
        adjusted[index] = smallest
    return adjusted


def flagged(p_values: Sequence[float], rate: float = FALSE_DISCOVERY_RATE) -> list[bool]:
    """Which comparisons Benjamini–Hochberg flags at false discovery rate ``rate``."""
    if not 0 < rate < 1:
        raise ValueError(f"rate: must be between 0 and 1, not {rate}")
    return [value <= rate for value in benjamini_hochberg(p_values)]
