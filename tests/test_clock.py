"""The one clock: "today" is the day in Europe/London, and tests set it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from omp import clock


def test_today_is_the_day_in_london() -> None:
    assert clock.today() == datetime.now(ZoneInfo("Europe/London")).date()


def test_a_frozen_day_is_what_every_caller_sees() -> None:
    with clock.frozen_at(date(2031, 2, 28)):
        assert clock.today() == date(2031, 2, 28)
        with clock.frozen_at(date(2031, 3, 1)):
            assert clock.today() == date(2031, 3, 1)
        assert clock.today() == date(2031, 2, 28)
    assert clock.today() != date(2031, 2, 28)


@pytest.mark.django_db
def test_an_rsr_recorded_today_is_dated_by_the_clock(make_case: Any, make_user: Any) -> None:
    from omp.decisions.actions import record_rsr_osp

    person = make_case()
    with clock.frozen_at(date(2026, 12, 24)):
        decision = record_rsr_osp(make_user("court_c", "court_staff"), person, rsr="7.5")
    assert person.assessments.get(kind="RSR", score=7.5).assessed_on == date(2026, 12, 24)
    assert decision.as_of == date(2026, 12, 24)
