"""COM-2 segmentation: the bands of each score at their boundaries, the bins, and COM-4 for
the chart's squares (no withheld square is its segment's total less the squares shown)."""

from __future__ import annotations

import pytest

from omp.rules.segmentation import (
    SEGMENT_WITHHELD,
    bin_of,
    count_bins,
    protect_bins,
    segment_counts,
    segment_name,
    segment_of,
)


@pytest.mark.parametrize(("general", "violent", "segment"), [
    (0, 0, ("Low", "Low")), (49.9, 29.9, ("Low", "Low")),
    (50, 30, ("Medium", "Medium")),  # a boundary belongs to the band above, as in OASys
    (74.9, 59.9, ("Medium", "Medium")), (75, 60, ("High", "High")),
    (100, 100, ("High", "High")), (90, 10, ("High", "Low")),
])
def test_com_2_bands_at_their_boundaries(general, violent, segment):
    assert segment_of(general, violent) == segment


def test_com_2_a_score_outside_0_to_100_is_refused():
    with pytest.raises(ValueError, match="percentage from 0 to 100"):
        segment_of(101, 10)


def test_com_2_bins_and_segment_names():
    assert [bin_of(s) for s in (0, 4.9, 5, 74.9, 75, 100)] == [0, 0, 5, 70, 75, 95]
    assert segment_name("High", "Medium") == "High general, medium violent risk"
    counts = count_bins([(10, 10), (12, 14), (80, 70), (52, 31)])
    assert counts == {(10, 10): 2, (80, 70): 1, (50, 30): 1}
    assert segment_counts(counts) == [[2, 0, 0], [0, 1, 0], [0, 0, 1]]


def test_com_4_a_lone_small_square_takes_its_segments_smallest_with_it():
    counts = {(0, 0): 40, (5, 0): 12, (10, 0): 3, (80, 80): 25}
    shown = {(b.general, b.violent): b for b in protect_bins(counts, threshold=10)}
    assert shown[(10, 0)].withheld.startswith("COM-4: fewer than 10")
    # Alone, the 3 would be the low/low segment's total less 40 and 12: the 12 goes too.
    assert shown[(5, 0)].withheld == SEGMENT_WITHHELD
    assert shown[(0, 0)].withheld is None and shown[(80, 80)].withheld is None


def test_com_4_two_small_squares_in_a_segment_need_nothing_more():
    counts = {(0, 0): 40, (5, 0): 4, (10, 0): 3}
    shown = {(b.general, b.violent): b.withheld for b in protect_bins(counts, threshold=10)}
    assert shown[(0, 0)] is None and shown[(5, 0)] and shown[(10, 0)]
    assert SEGMENT_WITHHELD not in shown.values()
