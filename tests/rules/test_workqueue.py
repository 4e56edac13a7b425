"""PATH-6: the work queue's priority, need × time to release, and its words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from omp.rules.workqueue import highest, priority, within

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(("need", "days", "points"), [
    ("high", 20, 12), ("high", 56, 12), ("high", 57, 9), ("medium", 100, 6),
    ("low", 300, 2), ("none", 10, 0), (None, 10, 8), ("high", None, 3), ("medium", 400, 2),
    ("high", -5, 12),
])
def test_points_are_need_times_time(need: str | None, days: int | None, points: int) -> None:
    release = TODAY + timedelta(days=days) if days is not None else None
    assert priority(need, release, TODAY).points == points


def test_the_explanation_states_the_sum() -> None:
    assert priority("high", TODAY + timedelta(weeks=4), TODAY).explanation == \
        "High need (3) × release within 8 weeks (4) = 12"
    assert "not yet assessed" in priority(None, None, TODAY).explanation.lower()


def test_never_by_arrival_order_but_by_points_then_nearest_release() -> None:
    people = {"first in": priority("low", TODAY + timedelta(days=30), TODAY),
              "urgent": priority("high", TODAY + timedelta(days=30), TODAY),
              "later": priority("high", TODAY + timedelta(days=50), TODAY),
              "unknown": priority("high", None, TODAY)}
    order = sorted(people, key=lambda name: people[name].sort_key)
    assert order == ["urgent", "later", "first in", "unknown"]


def test_highest_and_within() -> None:
    assert highest(["low", "high", "none"]) == "high" and highest([]) is None
    assert within(TODAY + timedelta(weeks=8), TODAY, 8)
    assert not within(TODAY + timedelta(weeks=8, days=1), TODAY, 8)
    assert not within(TODAY - timedelta(days=1), TODAY, 8) and not within(None, TODAY, 8)
