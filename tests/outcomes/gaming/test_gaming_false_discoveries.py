"""OUT-6 flags that can be acted on: on data with no gaming built in, the transfer check
raises a flag no more often than its false discovery rate allows; with gaming planted, it
flags the prisons that game, and few others.

A run of the check tests every prison at once. When no prison games, every flag is false,
and Benjamini–Hochberg at rate q keeps the chance that a run raises any flag at all at or
below q (with every comparison null, the false discovery rate is that chance). Where some
prisons game, it keeps the expected share of false flags among the flags at or below q.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from omp.outcomes.engine import Engine
from omp.outcomes.gaming import judge_transfers, transfers_before_release
from omp.outcomes.history import generate
from omp.rules.disclosure import MIN_COUNT
from omp.rules.multiple_comparisons import FALSE_DISCOVERY_RATE

RATE = FALSE_DISCOVERY_RATE
RUNS = 1000


def estate(rng: np.random.Generator, *, people: tuple[int, int] = (60, 400),
           share: float = 0.08, gamed: tuple[int, ...] = (), lift: float = 2.0,
           prisons: int = 20, by_outcome: bool = False) -> list[dict[str, Any]]:
    """One run: twenty prisons' high-risk releases, each moving out ``share`` of its people
    (``lift`` times as many at the ``gamed`` prisons), each compared with the rest of the
    estate as the check does. Only the rows the correction reads are built; the interval
    is taken to clear zero everywhere, which can only add flags (the real check asks for
    both), so a bound on these flags is a bound on the real ones.

    ``by_outcome`` tests only the prisons that moved at least ten out, the design rejected
    in :func:`judge_transfers`."""
    sizes = rng.integers(people[0], people[1], prisons)
    rates = np.where(np.isin(np.arange(prisons), gamed), share * lift, share)
    moved = rng.binomial(sizes, rates)
    everyone, everyone_moved = int(sizes.sum()), int(moved.sum())
    return [{"prison": f"P{n:02d}", "risk_band": "high", "people": int(sizes[n]),
             "transferred": int(moved[n]), "baseline_people": everyone - int(sizes[n]),
             "baseline_transferred": everyone_moved - int(moved[n]),
             "compared": bool(moved[n] >= MIN_COUNT) if by_outcome else True,
             "judged": bool(moved[n] >= MIN_COUNT), "exceeds_baseline": True}
            for n in range(prisons)]


def sampling_allowance(rate: float, runs: int) -> float:
    """Three standard errors of a share of ``runs`` runs whose true value is ``rate``.

    The runs are seeded, so each test gives the same answer every time; the allowance is
    for the seed: a method whose true chance of a flag is at most ``rate`` exceeds
    ``rate`` plus this on fewer than about one seed in 700. It is narrow enough to fail a
    method that is not corrected (about three runs in five raise a flag here), and the
    pooled normal approximation in place of the exact test (about one run in twelve)."""
    return 3 * math.sqrt(rate * (1 - rate) / runs)


def any_flag(runs: list[list[dict[str, Any]]]) -> float:
    return sum(any(row["flagged"] for row in run) for run in runs) / len(runs)


def test_with_no_gaming_a_run_raises_a_flag_at_most_about_one_time_in_twenty():
    rng = np.random.default_rng(2026)
    runs = [judge_transfers(estate(rng)) for _ in range(RUNS)]
    assert any_flag(runs) <= RATE + sampling_allowance(RATE, RUNS)
    # The same runs, each prison taken alone at 5%: a flag in most runs.
    alone = sum(any(row["judged"] and row["p_value"] <= RATE for row in run)
                for run in runs) / RUNS
    assert alone > 0.4
    assert sum(row["judged"] for run in runs for row in run) > 0.7 * 20 * RUNS  # tested


def test_small_prisons_are_tested_whether_or_not_they_moved_ten_out():
    """Prisons of 40 to 160 high-risk people moving out 8%: about half move fewer than ten.
    Tested all the same (their flag alone withheld), a run flags within the rate; had only
    those that moved ten or more been tested, the ones left would be those that happened to
    move more, and runs would flag more often than the rate allows."""
    rng = np.random.default_rng(7)
    runs = [judge_transfers(estate(rng, people=(40, 160))) for _ in range(RUNS)]
    assert any_flag(runs) <= RATE + sampling_allowance(RATE, RUNS)
    rng = np.random.default_rng(7)
    chosen_by_outcome = [judge_transfers(estate(rng, people=(40, 160), by_outcome=True))
                         for _ in range(RUNS)]
    assert any_flag(chosen_by_outcome) > RATE + sampling_allowance(RATE, RUNS)


def test_with_gaming_planted_the_gaming_prisons_are_flagged_and_few_flags_are_false():
    """Three prisons of twenty move out twice the share: most of them are flagged, and the
    share of flags that fall on the other seventeen is within the rate. A share of flags
    lies between 0 and 1, so its spread is at most the square root of its mean: the
    allowance is three standard errors of a mean of at most ``RATE``."""
    rng = np.random.default_rng(11)
    runs = 500
    false_shares, found = [], 0
    for _ in range(runs):
        flags = [n for n, row in enumerate(judge_transfers(estate(rng, gamed=(0, 1, 2))))
                 if row["flagged"]]
        false_shares.append(sum(n > 2 for n in flags) / max(1, len(flags)))
        found += sum(n <= 2 for n in flags)
    assert sum(false_shares) / runs <= RATE + 3 * math.sqrt(RATE / runs)
    assert found / (3 * runs) > 0.5


# --- The synthetic national history, end to end on DuckDB ----------------------------------


def high_risk_rows(directory: Path) -> list[dict[str, Any]]:
    with Engine("duckdb", directory) as engine:
        rows = judge_transfers(engine.rows(transfers_before_release(
            engine.table("transfers"), engine.table("index_events"))))
    return [row for row in rows if row["risk_band"] == "high"]


@pytest.fixture(scope="module")
def null_histories(tmp_path_factory: pytest.TempPathFactory) -> list[list[dict[str, Any]]]:
    """Eight national histories with no gaming planted, each checked as the page does."""
    runs = []
    for seed in range(8):
        directory = tmp_path_factory.mktemp(f"null{seed}")
        generate(directory, index_events=100_000, outcomes=0, seed=seed, gaming=False)
        runs.append(high_risk_rows(directory))
    return runs


def test_the_history_without_gaming_raises_no_more_flags_than_the_rate_allows(null_histories):
    """Every prison tested in every run; if each run flags with a chance of at most 5%,
    three or more flagging runs of eight happen less than one time in 150."""
    assert all(sum(row["compared"] for row in run) >= 20 for run in null_histories)
    assert sum(any(row["flagged"] for row in run) for run in null_histories) <= 2
    # The correction had work to do: some prison was above its baseline taken alone.
    assert any(row["judged"] and row["exceeds_baseline"]
               for run in null_histories for row in run)


def test_the_history_with_gaming_flags_doncaster(tmp_path):
    generate(tmp_path, index_events=100_000, outcomes=0, seed=2026)
    rows = high_risk_rows(tmp_path)
    assert [row["prison"] for row in rows if row["flagged"]] == ["DNI"]
    (doncaster,) = [row for row in rows if row["prison"] == "DNI"]
    assert doncaster["p_corrected"] < 0.001 and doncaster["tested"] >= 20
