"""The referral lifecycle rule: the state is derived from the events alone, at any moment,
and withdrawal ends a referral at any stage (cancelled before a session, ended early
after)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from omp.rules.referral_lifecycle import (
    ASSIGNED,
    CONCLUDED,
    END_OF_SERVICE_REPORT,
    EVENT_WORDS,
    INITIAL_ASSESSMENT,
    PLAN_AMENDED,
    PLAN_APPROVED,
    PLAN_SUBMITTED,
    SENT,
    SESSION,
    STATE_WORDS,
    WITHDRAWN,
    LifecycleEvent,
    referral_state,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _events(*kinds: str | tuple[str, int]) -> list[LifecycleEvent]:
    events = []
    for n, kind in enumerate(kinds):
        name, version = kind if isinstance(kind, tuple) else (kind, None)
        events.append(LifecycleEvent(name, T0 + timedelta(hours=n), version))
    return events


def test_each_step_of_the_lifecycle_has_its_state() -> None:
    steps = [SENT, ASSIGNED, INITIAL_ASSESSMENT, (PLAN_SUBMITTED, 1), (PLAN_APPROVED, 1),
             (PLAN_AMENDED, 2), (PLAN_APPROVED, 2), SESSION, END_OF_SERVICE_REPORT, CONCLUDED]
    expected = ["sent", "assigned", "assessed", "plan_submitted",
                "plan_approved", "amendment_submitted", "plan_approved", "in_delivery",
                "report_submitted", "completed"]
    assert referral_state([]).code == "draft"
    for n, code in enumerate(expected, start=1):
        assert referral_state(_events(*steps[:n])).code == code, steps[n - 1]
    final = referral_state(_events(*steps))
    assert final.plan_approved == 2 and final.plan_pending is None and final.ended


def test_an_amendment_waiting_for_approval_keeps_the_approved_plan() -> None:
    state = referral_state(_events(SENT, ASSIGNED, INITIAL_ASSESSMENT, (PLAN_SUBMITTED, 1),
                                   (PLAN_APPROVED, 1), (PLAN_AMENDED, 2)))
    assert (state.plan_approved, state.plan_pending) == (1, 2)
    assert state.words == "Amended action plan waiting for approval"


def test_withdrawal_at_each_stage_before_a_session_cancels_and_after_one_ends_early() -> None:
    steps = [SENT, ASSIGNED, INITIAL_ASSESSMENT, (PLAN_SUBMITTED, 1), (PLAN_APPROVED, 1),
             SESSION, END_OF_SERVICE_REPORT]
    for n in range(1, len(steps) + 1):
        state = referral_state(_events(*steps[:n], WITHDRAWN))
        assert state.ended
        assert state.code == ("ended_early" if n >= 6 else "cancelled"), steps[:n]


def test_events_after_the_end_change_nothing() -> None:
    state = referral_state(_events(SENT, WITHDRAWN, ASSIGNED, (PLAN_SUBMITTED, 1)))
    assert state.code == "cancelled" and not state.keyworker_assigned


def test_the_state_at_a_past_moment_replays_the_events_recorded_by_then() -> None:
    events = _events(SENT, ASSIGNED, INITIAL_ASSESSMENT)
    assert referral_state(events, T0 + timedelta(minutes=90)).code == "assigned"
    assert referral_state(events, T0 - timedelta(seconds=1)).code == "draft"
    assert referral_state(events, T0).code == "sent"


def test_every_state_and_event_has_words() -> None:
    assert all(STATE_WORDS.values()) and all(EVENT_WORDS.values())


_KINDS = st.sampled_from(sorted(EVENT_WORDS))
_EVENT = st.builds(LifecycleEvent, _KINDS,
                   st.integers(0, 1000).map(lambda m: T0 + timedelta(minutes=m)),
                   st.one_of(st.none(), st.integers(1, 4)))


@given(st.lists(_EVENT, max_size=15), st.integers(-1, 1001), st.randoms())
def test_the_state_is_a_function_of_the_events_recorded_by_then(
        events: list[LifecycleEvent], minute: int, random: object) -> None:
    as_at = T0 + timedelta(minutes=minute)
    earlier = [e for e in events if e.at <= as_at]
    # Replaying to a moment equals the state of only the events recorded by then …
    assert referral_state(events, as_at) == referral_state(earlier)
    # … and events recorded at different moments may come in any order.
    distinct = {e.at: e for e in events}
    shuffled = list(distinct.values())
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert referral_state(shuffled, as_at) == referral_state(list(distinct.values()), as_at)
