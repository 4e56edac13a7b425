"""COM-4: small counts are suppressed, and so are rates that would reveal them; in a table
with totals, no withheld count can be worked out from the published figures."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omp.rules.disclosure import (
    MIN_COUNT,
    PRIMARY,
    SECONDARY,
    ProtectedTable,
    count_shown,
    protect_table,
    rate_suppression,
)


def test_com_4_counts_below_ten_are_not_shown() -> None:
    assert MIN_COUNT == 10
    assert not count_shown(9) and count_shown(10)
    assert not count_shown(4, threshold=5) and count_shown(5, threshold=5)


def test_com_4_rate_suppressed_with_a_small_count_on_either_side() -> None:
    assert rate_suppression(9, 5) == ("COM-4: fewer than 10 people in this group, so nothing "
                                      "is shown")
    assert rate_suppression(100, 9) is not None  # 9 reoffended
    assert rate_suppression(100, 91) is not None  # 9 did not
    assert rate_suppression(100, 90) is None
    assert rate_suppression(20, 10) is None
    assert rate_suppression(20, 4, threshold=3) is None


# --- The attacker: everything a reader can work out from what is published. -------------

def _equations(table: ProtectedTable) -> list[list[tuple[int, int]]]:
    """Each line of the extended table: the body cells of a row sum to the row total, and
    so on. A line is a list of positions; the last is the total (counted negatively)."""
    rows, columns = table.row_count, table.column_count
    lines = [[(r, c) for c in range(columns + 1)] for r in range(rows + 1)]
    lines += [[(r, c) for r in range(rows + 1)] for c in range(columns + 1)]
    return lines


def _linear_system(table: ProtectedTable) -> tuple[list[tuple[int, int]], list[list[Fraction]]]:
    unknowns = sorted(table.withheld)
    index = {position: k for k, position in enumerate(unknowns)}
    system = []
    for line in _equations(table):
        *parts, total = line
        row = [Fraction(0)] * (len(unknowns) + 1)
        constant = Fraction(0)
        for position, sign in [*((p, 1) for p in parts), (total, -1)]:
            if position in index:
                row[index[position]] += sign
            else:
                constant -= sign * table.counts[position[0]][position[1]]
        row[-1] = constant
        system.append(row)
    return unknowns, system


def recovered_by_algebra(table: ProtectedTable) -> dict[tuple[int, int], Fraction]:
    """The withheld counts fixed by the published totals alone: Gaussian elimination of the
    row and column sums over the rationals; an unknown is fixed when a reduced row names it
    alone."""
    unknowns, system = _linear_system(table)
    width = len(unknowns)
    pivot_row = 0
    pivots: list[int] = []
    for column in range(width):
        found = next((r for r in range(pivot_row, len(system)) if system[r][column] != 0), None)
        if found is None:
            continue
        system[pivot_row], system[found] = system[found], system[pivot_row]
        lead = system[pivot_row][column]
        system[pivot_row] = [value / lead for value in system[pivot_row]]
        for r in range(len(system)):
            if r != pivot_row and system[r][column] != 0:
                factor = system[r][column]
                system[r] = [a - factor * b for a, b in zip(system[r], system[pivot_row],
                                                              strict=True)]
        pivots.append(column)
        pivot_row += 1
    fixed = {}
    for r, column in enumerate(pivots):
        if all(system[r][k] == 0 for k in range(width) if k != column):
            fixed[unknowns[column]] = system[r][-1]
    return fixed


def recovered_by_bounds(table: ProtectedTable) -> dict[tuple[int, int], int]:
    """The withheld counts pinned by bounds: every withheld count is at least 1 (zeros are
    shown), and each line's sum bounds each of its unknowns by the others' bounds; tightened
    until nothing moves. A count is recovered when its lowest and highest possible agree."""
    biggest = sum(sum(row) for row in table.counts)
    low = {position: 1 for position in table.withheld}
    high = {position: biggest for position in table.withheld}
    changed = True
    while changed:
        changed = False
        for line in _equations(table):
            *parts, total = line
            signed = [*((p, 1) for p in parts), (total, -1)]
            known = sum(sign * table.counts[p[0]][p[1]] for p, sign in signed
                        if p not in table.withheld)
            unknown = [(p, sign) for p, sign in signed if p in table.withheld]
            for position, sign in unknown:
                # sign * x = -known - sum(others)
                others_low = sum(low[p] if s > 0 else -high[p] for p, s in unknown
                                 if p != position)
                others_high = sum(high[p] if s > 0 else -low[p] for p, s in unknown
                                  if p != position)
                if sign > 0:
                    new_low, new_high = -known - others_high, -known - others_low
                else:
                    new_low, new_high = known + others_low, known + others_high
                if new_low > low[position]:
                    low[position], changed = new_low, True
                if new_high < high[position]:
                    high[position], changed = new_high, True
    return {p: low[p] for p in table.withheld if low[p] == high[p]}


def assert_nothing_recovered(table: ProtectedTable) -> None:
    assert not recovered_by_algebra(table), recovered_by_algebra(table)
    assert not recovered_by_bounds(table), recovered_by_bounds(table)


# --- The tables. ----------------------------------------------------------------------

def test_com_4_one_small_cell_takes_a_rectangle_with_it() -> None:
    table = protect_table([[20, 30, 40], [25, 4, 50], [60, 35, 45]])
    assert table.withheld[(1, 1)] == PRIMARY
    assert table.cell(1, 1) is None
    assert table.reason(1, 1) == "COM-4: fewer than 10, so not shown"
    secondary = [p for p, kind in table.withheld.items() if kind == SECONDARY]
    assert len(secondary) == 3  # the cheapest rectangle: 20 + 30 + 25 is withheld too
    assert sorted(secondary) == [(0, 0), (0, 1), (1, 0)]
    assert table.reason(0, 0) == ("COM-4: not shown, so that a smaller figure cannot be "
                                  "worked out from the totals")
    assert table.total == 309 and table.row_total(1) == 79 and table.column_total(1) == 69
    assert table.cell(2, 2) == 45 and table.reason(2, 2) is None
    assert_nothing_recovered(table)


def test_com_4_without_secondary_suppression_the_attack_recovers_the_small_cell() -> None:
    """The attacker is not toothless: primary suppression alone gives the 4 away."""
    protected = protect_table([[20, 30, 40], [25, 4, 50], [60, 35, 45]])
    primary_only = ProtectedTable(protected.counts, protected.threshold,
                                  {p: k for p, k in protected.withheld.items() if k == PRIMARY})
    assert recovered_by_algebra(primary_only) == {(1, 1): 4}
    assert recovered_by_bounds(primary_only) == {(1, 1): 4}


def test_com_4_a_small_total_is_withheld_and_protected() -> None:
    table = protect_table([[3, 2], [40, 50]])
    assert table.withheld[(0, 2)] == PRIMARY  # the first row's total, 5
    assert table.row_total(0) is None
    assert_nothing_recovered(table)


def test_com_4_ones_are_not_moved_below_one() -> None:
    """Two 1s in a row and its total 2: a rectangle of 1s cannot move without making one
    of them 0, which a reader knows a withheld count is not; so more is withheld."""
    table = protect_table([[1, 1, 30], [1, 1, 30], [30, 30, 30]])
    assert_nothing_recovered(table)


def test_com_4_zeros_are_shown_and_never_withheld() -> None:
    table = protect_table([[0, 5, 30], [0, 20, 30], [0, 30, 30]])
    assert all(table.cell(r, 0) == 0 for r in range(3))
    assert all(table.counts[r][c] > 0 for r, c in table.withheld)
    assert_nothing_recovered(table)


def test_com_4_a_table_with_nothing_small_is_published_whole() -> None:
    table = protect_table([[10, 20], [30, 40]])
    assert table.withheld == {}
    assert table.total == 100


def test_com_4_the_threshold_is_a_parameter() -> None:
    assert protect_table([[5, 20], [30, 40]], threshold=5).withheld == {}
    assert protect_table([[5, 20], [30, 40]], threshold=6).withheld[(0, 0)] == PRIMARY


@pytest.mark.parametrize(("counts", "message"), [
    ([], "at least one row"),
    ([[1, 2], [3]], "same number of columns"),
    ([[1, -2]], "cannot be negative"),
])
def test_com_4_a_malformed_table_is_refused(counts: list[list[int]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        protect_table(counts)


def test_com_4_a_threshold_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="threshold must be at least 1"):
        protect_table([[1]], threshold=0)


def test_com_4_a_single_row_is_protected_through_its_column_totals() -> None:
    table = protect_table([[4, 30, 25]])
    assert_nothing_recovered(table)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5).flatmap(lambda columns: st.lists(
    st.lists(st.integers(0, 40), min_size=columns, max_size=columns), min_size=1, max_size=5)),
    st.integers(1, 12))
def test_com_4_no_withheld_count_is_ever_recovered(counts: list[list[int]],
                                                  threshold: int) -> None:
    table = protect_table(counts, threshold)
    # Every small count, totals included, is withheld, and nothing published is small.
    for r, row in enumerate(table.counts):
        for c, value in enumerate(row):
            shown = table.shown(r, c)
            assert shown is None or shown == 0 or shown >= threshold
            assert (value == 0) or (value >= threshold) or shown is None
    assert_nothing_recovered(table)
