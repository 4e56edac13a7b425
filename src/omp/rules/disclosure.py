"""Disclosure control for aggregates shown to commissioners (COM-4).

A count below the threshold (10 unless set otherwise: ``OMP_DISCLOSURE_THRESHOLD``) for a
group is never shown: it could identify a person. A rate is a count in disguise
(rate × size), so when the people reoffending, or the people not reoffending, number fewer
than the threshold, the rate and its interval are withheld too.

A table with row and column totals needs more: withholding one small cell is not enough
when the cell can be worked out by subtracting the other cells of its row from the row's
total. ``protect_table`` applies primary suppression (every count from 1 to threshold − 1,
totals included) and then secondary suppression: it withholds further cells until every
withheld one lies on a rectangle of withheld cells along which the table can be changed
(one up, the next down, round the rectangle) without changing any published figure and
without making any withheld cell less than 1. So for every withheld cell there are at
least two tables, differing in that cell, that publish exactly the same figures: it cannot
be worked out from them, however the totals are combined. A zero is shown: it identifies
nobody. Pure Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

#: The smallest count shown for a group (COM-4), unless the setting says otherwise.
MIN_COUNT = 10

PRIMARY = "primary"
SECONDARY = "secondary"


def count_shown(count: int, threshold: int = MIN_COUNT) -> bool:
    """COM-4: whether a count may be shown (it is at least ``threshold``)."""
    return count >= threshold


def rate_suppression(size: int, reoffenders: int, threshold: int = MIN_COUNT) -> str | None:
    """COM-4: why a group's size, count and rate may not all be shown, or ``None`` when they
    may. ``size`` is the group's people, ``reoffenders`` those who reoffended."""
    if not count_shown(size, threshold):
        return f"COM-4: fewer than {threshold} people in this group, so nothing is shown"
    if not count_shown(reoffenders, threshold) or not count_shown(size - reoffenders, threshold):
        return (f"COM-4: fewer than {threshold} people reoffended or did not, so the count "
                f"and the rate are not shown")
    return None


def figure_suppression(size: int, part: int | None = None, threshold: int = MIN_COUNT
                       ) -> str | None:
    """COM-4: why a figure over a group of ``size`` (a count, a mean, or with ``part`` a
    share of it) may not be shown, or ``None`` when it may. A group of none is shown (it
    names nobody); a share is withheld when the part, or the rest, is small too, since
    the share times the size gives either away."""
    if size and not count_shown(size, threshold):
        return f"COM-4: fewer than {threshold} in this group, so the figure is not shown"
    if part is not None and size and (primary_suppressed(part, threshold)
                                      or primary_suppressed(size - part, threshold)):
        return (f"COM-4: fewer than {threshold} met or did not meet it, so the figure is not "
                f"shown")
    return None


def primary_suppressed(count: int, threshold: int = MIN_COUNT) -> bool:
    """COM-4 primary suppression: a count of at least 1 and below ``threshold``."""
    return 0 < count < threshold


Position = tuple[int, int]


@dataclass(frozen=True)
class ProtectedTable:
    """A table of counts after COM-4's disclosure control, as it may be published.

    Positions are on the table extended by its totals: row ``len(rows)`` is the column
    totals, column ``len(columns)`` the row totals, and their corner the grand total.
    ``withheld`` maps each withheld position to ``PRIMARY`` (a small count) or
    ``SECONDARY`` (withheld so that a small count cannot be worked out from the rest).
    """

    counts: tuple[tuple[int, ...], ...]
    threshold: int
    withheld: dict[Position, str]

    @property
    def row_count(self) -> int:
        """Rows of the table, without the totals row."""
        return len(self.counts) - 1

    @property
    def column_count(self) -> int:
        """Columns of the table, without the totals column."""
        return len(self.counts[0]) - 1

    def shown(self, row: int, column: int) -> int | None:
        """The count at a position (totals included) as published: ``None`` if withheld."""
        return None if (row, column) in self.withheld else self.counts[row][column]

    def cell(self, row: int, column: int) -> int | None:
        """A cell of the body of the table, as published."""
        return self.shown(row, column)

    def row_total(self, row: int) -> int | None:
        """A row's total, as published."""
        return self.shown(row, self.column_count)

    def column_total(self, column: int) -> int | None:
        """A column's total, as published."""
        return self.shown(self.row_count, column)

    @property
    def total(self) -> int | None:
        """The grand total, as published."""
        return self.shown(self.row_count, self.column_count)

    def reason(self, row: int, column: int) -> str | None:
        """Why a position is withheld, in words, or ``None`` when it is shown."""
        kind = self.withheld.get((row, column))
        if kind == PRIMARY:
            return f"COM-4: fewer than {self.threshold}, so not shown"
        if kind == SECONDARY:
            return ("COM-4: not shown, so that a smaller figure cannot be worked out from the "
                    "totals")
        return None


def protect_table(counts: Sequence[Sequence[int]], threshold: int = MIN_COUNT
                  ) -> ProtectedTable:
    """COM-4: a table of counts (rows of equal length, each count ≥ 0) with its row and
    column totals, after primary suppression of every count (totals included) from 1 to
    ``threshold`` − 1 and secondary suppression of enough other counts that no withheld
    count can be worked out from the published ones.

    Secondary suppression is chosen greedily: each withheld count not yet protected gets
    the rectangle of counts, through it, that withholds the least extra (the sum of the
    counts newly withheld, a body cell before a total at equal cost).
    """
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, not {threshold}")
    body = [list(row) for row in counts]
    if not body or not body[0]:
        raise ValueError("a table needs at least one row and one column")
    if any(len(row) != len(body[0]) for row in body):
        raise ValueError("every row of the table must have the same number of columns")
    if any(value < 0 for row in body for value in row):
        raise ValueError("counts cannot be negative")
    extended = _with_totals(body)
    withheld = {(r, c): PRIMARY
                for r, row in enumerate(extended) for c, value in enumerate(row)
                if primary_suppressed(value, threshold)}
    for position in sorted(withheld, key=lambda p: (extended[p[0]][p[1]], p)):
        if not _protected(position, extended, withheld):
            for added in _cheapest_rectangle(position, extended, withheld):
                withheld.setdefault(added, SECONDARY)
    return ProtectedTable(tuple(tuple(row) for row in extended), threshold, withheld)


def _with_totals(body: list[list[int]]) -> list[list[int]]:
    rows = [[*row, sum(row)] for row in body]
    totals = [sum(column) for column in zip(*rows, strict=True)]
    return [*rows, totals]


def _sign(position: Position, extended: list[list[int]]) -> int:
    """+1 for a body cell or the grand total, −1 for a row or column total: with totals
    counted negatively, every line of the extended table sums to zero, so a change of
    +1, −1, −1, +1 round a rectangle keeps every published sum."""
    last_row, last_column = len(extended) - 1, len(extended[0]) - 1
    return -1 if (position[0] == last_row) != (position[1] == last_column) else 1


def _rectangle(position: Position, row: int, column: int) -> tuple[Position, ...]:
    return (position, (position[0], column), (row, position[1]), (row, column))


def _movable(corners: tuple[Position, ...], extended: list[list[int]]) -> bool:
    """Whether the counts can move round the rectangle, one way or the other, leaving every
    corner at least 1 (a withheld count is never zero, so a reader knows it is ≥ 1)."""
    steps = [(1, -1, -1, 1)[k] * _sign(corner, extended) for k, corner in enumerate(corners)]
    for direction in (1, -1):
        if all(extended[r][c] + direction * step >= 1
               for (r, c), step in zip(corners, steps, strict=True)):
            return True
    return False


def _rectangles(position: Position, extended: list[list[int]]
                ) -> list[tuple[Position, ...]]:
    rows, columns = len(extended), len(extended[0])
    return [_rectangle(position, r, c) for r, c in product(range(rows), range(columns))
            if r != position[0] and c != position[1]]


def _protected(position: Position, extended: list[list[int]],
               withheld: dict[Position, str]) -> bool:
    return any(all(corner in withheld for corner in corners) and _movable(corners, extended)
               for corners in _rectangles(position, extended))


def _cheapest_rectangle(position: Position, extended: list[list[int]],
                        withheld: dict[Position, str]) -> tuple[Position, ...]:
    last_row, last_column = len(extended) - 1, len(extended[0]) - 1

    def cost(corners: tuple[Position, ...]) -> tuple[int, int]:
        new = [corner for corner in corners if corner not in withheld]
        return (sum(extended[r][c] for r, c in new),
                sum(1 for r, c in new if r == last_row or c == last_column))

    # A zero is never withheld, so a reader knows every withheld count is at least 1.
    candidates = [corners for corners in _rectangles(position, extended)
                  if all(extended[r][c] >= 1 for r, c in corners)
                  and _movable(corners, extended)]
    # The rectangle through a non-zero cell of the row or column, the row total, the column
    # total and the grand total always moves (all four go up, or down, by one), so there is
    # always a candidate.
    return min(candidates, key=cost)
