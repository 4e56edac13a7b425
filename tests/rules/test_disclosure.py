"""COM-4: small counts are suppressed, and so are rates that would reveal them."""

from __future__ import annotations

from omp.rules.disclosure import MIN_COUNT, count_shown, rate_suppression


def test_com_4_counts_below_ten_are_not_shown() -> None:
    assert MIN_COUNT == 10
    assert not count_shown(9) and count_shown(10)


def test_com_4_rate_suppressed_with_a_small_count_on_either_side() -> None:
    assert rate_suppression(9, 5) == ("COM-4: fewer than 10 people in this group, so nothing "
                                      "is shown")
    assert rate_suppression(100, 9) is not None  # 9 reoffended
    assert rate_suppression(100, 91) is not None  # 9 did not
    assert rate_suppression(100, 90) is None
    assert rate_suppression(20, 10) is None
