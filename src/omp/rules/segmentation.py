"""Segmentation (COM-2, seed 004): the population's risk of general reoffending (OGRS3, two
years) against its risk of violent reoffending (an OVP-style two-year violent score), cut
into named segments so that a commissioner sees where investment would reduce most
reoffending.

The segments are the OASys bands of each score, the top two merged so that each segment is
big enough to plan for: general risk low below 50%, medium 50–74%, high 75% and over
(REFERENCE.md §3's bands, HIGH and VERY_HIGH together); violent risk low below 30%, medium
30–59%, high 60% and over (OVP's bands, high and very high together). A score on a boundary
belongs to the band above it, as in OASys.

The chart draws people in bins of ``BIN`` points on each axis. Every bin shown passes COM-4:
a bin with fewer than the threshold is withheld, and where a segment would have exactly one
withheld bin (which its published total would give away) the next smallest is withheld too.
Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from omp.rules.disclosure import MIN_COUNT, primary_suppressed

#: (lowest score, words) of each band, lowest first.
GENERAL_BANDS: tuple[tuple[float, str], ...] = ((0, "Low"), (50, "Medium"), (75, "High"))
VIOLENT_BANDS: tuple[tuple[float, str], ...] = ((0, "Low"), (30, "Medium"), (60, "High"))
#: The width of a chart bin, in percentage points, on each axis.
BIN = 5
SEGMENT_WITHHELD = ("COM-4: not shown, so that a bin with fewer people cannot be worked out "
                    "from the segment's total")


def band(score: float, bands: tuple[tuple[float, str], ...]) -> str:
    """The band ``score`` (a percentage) falls in: the last whose lowest score it reaches."""
    if not 0 <= score <= 100:
        raise ValueError(f"a score is a percentage from 0 to 100, not {score}")
    return [words for low, words in bands if score >= low][-1]


def segment_name(general: str, violent: str) -> str:
    """A segment in words: "High general, medium violent risk"."""
    return f"{general} general, {violent.lower()} violent risk"


def segment_of(general_score: float, violent_score: float) -> tuple[str, str]:
    """The (general band, violent band) of a person's two scores."""
    return band(general_score, GENERAL_BANDS), band(violent_score, VIOLENT_BANDS)


def bin_of(score: float) -> int:
    """The lower edge of the chart bin ``score`` falls in (100 goes in the last bin)."""
    return int(min(score, 100 - BIN) // BIN * BIN)


@dataclass(frozen=True)
class Bin:
    """A chart bin: its lower edges, people in it, and why withheld (``None`` when shown)."""

    general: int
    violent: int
    people: int
    withheld: str | None


def protect_bins(counts: Mapping[tuple[int, int], int], threshold: int = MIN_COUNT
                 ) -> list[Bin]:
    """COM-4 for the chart: each bin (keyed by its lower edges) with fewer than
    ``threshold`` people withheld, and, in a segment left with exactly one withheld bin,
    the smallest other bin of that segment withheld too, so that no withheld bin is the
    segment's total less the bins shown. Empty bins are left out (a zero identifies
    nobody, and the chart draws nothing there)."""
    withheld: dict[tuple[int, int], str] = {
        key: f"COM-4: fewer than {threshold} people, so not shown"
        for key, people in counts.items() if primary_suppressed(people, threshold)}
    by_segment: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for key, people in counts.items():
        if people > 0:
            # A bin lies wholly inside one segment: every band boundary is a multiple of BIN.
            by_segment.setdefault(segment_of(*key), []).append(key)
    for keys in by_segment.values():
        hidden = [key for key in keys if key in withheld]
        if len(hidden) == 1:
            others = sorted((counts[key], key) for key in keys if key not in withheld)
            if others:
                withheld[others[0][1]] = SEGMENT_WITHHELD
    return [Bin(general, violent, people, withheld.get((general, violent)))
            for (general, violent), people in sorted(counts.items()) if people > 0]


def count_bins(scores: Iterable[tuple[float, float]]) -> dict[tuple[int, int], int]:
    """People per bin, from each person's (general, violent) scores."""
    counts: dict[tuple[int, int], int] = {}
    for general, violent in scores:
        key = (bin_of(general), bin_of(violent))
        counts[key] = counts.get(key, 0) + 1
    return counts


def segment_counts(counts: Mapping[tuple[int, int], int]) -> list[list[int]]:
    """People per segment from the bins: rows are general bands (low first), columns
    violent bands (low first)."""
    table = [[0] * len(VIOLENT_BANDS) for _ in GENERAL_BANDS]
    general_words = [words for _, words in GENERAL_BANDS]
    violent_words = [words for _, words in VIOLENT_BANDS]
    for (general, violent), people in counts.items():
        g, v = segment_of(general, violent)
        table[general_words.index(g)][violent_words.index(v)] += people
    return table
