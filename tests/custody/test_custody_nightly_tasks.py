"""PATH-2..5 in the nightly run: when a case's dates or pathway move without a change
through the actions (a data fix, a bulk load), the night's run moves its tasks in the same
chunk transaction, keeping completed work; the bulk refresh sets the same tasks as one case
at a time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omp.cases.facts import facts_for_person
from omp.cases.models import CustodySpell, Registration
from omp.custody.actions import complete_task, refresh_tasks, refresh_tasks_of
from omp.custody.models import DONE, NOT_NEEDED, OPEN, Task
from omp.decisions import nightly
from tests.conftest import case_object

pytestmark = pytest.mark.django_db
ARRIVAL = date(2026, 3, 2)
CRD = date(2028, 3, 1)
NIGHT = date(2026, 11, 23)


def _in_custody(make_case: Any, case_ref: str) -> Any:
    return make_case(case_object(**{
        "case_ref": case_ref, "event.sentence.length": "P4Y",
        "event.sentence.date": "2026-03-01", "custody.arrival_date": ARRIVAL.isoformat(),
        "custody.sentence_start_date": "2026-03-01",
        "custody.conditional_release_date": CRD.isoformat(), "risk.rosh": "MEDIUM"}))


def _tasks(person: Any) -> dict[str, tuple[str, date]]:
    return {t.key: (t.status, t.due) for t in Task.objects.filter(person=person)}


def test_a_release_date_moved_behind_the_actions_moves_the_tasks_at_night(
        make_case: Any, make_user: Any) -> None:
    person, other = _in_custody(make_case, "NT001"), _in_custody(make_case, "NT002")
    done = Task.objects.get(person=person, key="needs_before_release")
    complete_task(make_user("cm_n", "case_manager"), done.pk, person)
    untouched = _tasks(other)
    later = CRD + timedelta(days=70)
    CustodySpell.objects.filter(person=person).update(conditional_release_date=later)
    assert _tasks(person)["community_case_manager"][1] == CRD - timedelta(weeks=6)
    nightly.run_nightly(NIGHT, chunk=1)
    tasks = _tasks(person)
    assert tasks["community_case_manager"] == (OPEN, later - timedelta(weeks=6))
    assert tasks["through_the_gate"] == (OPEN, later - timedelta(weeks=6))  # area unknown
    assert tasks["needs_before_release"] == (DONE, CRD - timedelta(weeks=8))  # kept as done
    assert _tasks(other) == untouched


def test_a_pathway_change_at_night_regenerates_the_tasks_keeping_completed_work(
        make_case: Any, make_user: Any) -> None:
    person = _in_custody(make_case, "NT003")
    complete_task(make_user("cm_p", "case_manager"),
                  Task.objects.get(person=person, key="triage").pk, person)
    # A high RoSH registration loaded behind the actions' back: pathway 1 from tonight.
    Registration.objects.filter(person=person, code__in=("RLRH", "RMRH")).update(
        end_date=NIGHT - timedelta(days=1))
    Registration.objects.create(person=person, code="RHRH", start_date=NIGHT - timedelta(
        days=1))
    nightly.run_nightly(NIGHT, chunk=5)
    tasks = _tasks(person)
    assert tasks["triage"][0] == DONE
    assert tasks["custody_case_manager"][0] == NOT_NEEDED
    assert tasks["oasys_sentence_plan"][0] == NOT_NEEDED
    assert tasks["community_case_manager"][0] == OPEN


def test_a_quiet_night_writes_no_task(make_case: Any) -> None:
    _in_custody(make_case, "NT004")
    written = Task.history.count()
    nightly.run_nightly(NIGHT, chunk=5)
    assert Task.history.count() == written


def test_a_night_that_dies_in_the_tasks_keeps_the_chunk_s_decisions_old(
        make_case: Any, monkeypatch: Any) -> None:
    from omp.custody import actions
    from omp.decisions.models import CurrentHandover

    person = _in_custody(make_case, "NT005")
    later = CRD + timedelta(days=70)
    CustodySpell.objects.filter(person=person).update(conditional_release_date=later)

    def dying(*_: Any) -> int:
        raise RuntimeError("killed")

    monkeypatch.setattr(actions, "refresh_tasks_of", dying)
    with pytest.raises(RuntimeError):
        nightly.run_nightly(NIGHT, chunk=5)
    head = CurrentHandover.objects.get(person=person)
    assert head.record.earliest_release_date == CRD  # the chunk rolled back as one
    assert _tasks(person)["through_the_gate"] == (OPEN, CRD - timedelta(weeks=6))


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shifts=st.lists(st.tuples(st.integers(-60, 400), st.integers(-300, 300),
                                 st.sampled_from([None, 1, 2, 3, 4])),
                       min_size=1, max_size=4))
def test_the_bulk_refresh_sets_the_same_tasks_as_one_case_at_a_time(
        make_case: Any, shifts: list[tuple[int, int, int | None]]) -> None:
    from django.db import transaction

    with transaction.atomic():
        people = [_in_custody(make_case, f"NTH{i:02d}") for i in range(2)]
        bulk, single = people
        for arrival_shift, release_shift, pathway in shifts:
            release = CRD + timedelta(days=release_shift)
            CustodySpell.objects.filter(person__in=people).update(
                arrival_date=ARRIVAL + timedelta(days=arrival_shift))
            facts = {p.pk: facts_for_person(p, NIGHT) for p in people}
            refresh_tasks_of([(bulk.pk, facts[bulk.pk], pathway, release)])
            refresh_tasks(single, facts[single.pk], pathway, release)
            assert _tasks(bulk) == _tasks(single)
            # The history too: the bulk path writes its rows as plain rows.
            assert _history(bulk) == _history(single)
            arrival = ARRIVAL + timedelta(days=arrival_shift)
            assert all(due >= arrival for status, due in _tasks(bulk).values()
                       if status == OPEN)
        transaction.set_rollback(True)


def _history(person: Any) -> list[tuple[Any, ...]]:
    """A person's task history rows, each with whether it names its task's id."""
    ids = {task.key: task.pk for task in Task.objects.filter(person=person)}
    return sorted((row.history_type, row.key, row.rule, row.title, row.owner, row.opens,
                   row.due, row.status, row.reason, row.completed_at, row.completed_by_id,
                   row.id == ids[row.key]) for row in Task.history.filter(person=person))


def _everything(person: Any) -> dict[str, tuple[Any, ...]]:
    return {t.key: (t.status, t.rule, t.title, t.owner, t.opens, t.due, t.reason)
            for t in Task.objects.filter(person=person)}


@pytest.mark.parametrize("by_id", [500, 0], ids=["ids listed", "the range read"])
def test_a_night_after_new_scores_leaves_the_tasks_as_one_case_at_a_time_sets_them(
        make_case: Any, make_user: Any, by_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import transaction

    # With 0, every read of the people of a chunk goes by their range (omp.id_sets).
    monkeypatch.setattr("omp.id_sets.BY_ID", by_id)

    from omp.cases.models import Assessment
    from omp.decisions.models import CurrentDecision, CurrentHandover

    people = [_in_custody(make_case, f"NTS{i}") for i in range(5)]
    complete_task(make_user("cm_s", "case_manager"),
                  Task.objects.get(person=people[0], key="triage").pk, people[0])
    nightly.run_nightly(NIGHT - timedelta(days=1), chunk=2)
    before = {p.pk: _everything(p) for p in people}
    quiet = nightly.run_nightly(NIGHT, chunk=2)
    assert quiet.allocation.changed == 0
    assert {p.pk: _everything(p) for p in people} == before  # a quiet night moves nothing
    # New scores behind the actions' back, as a feed from another system writes them, for
    # all but one; one release date moves too.
    for person in people[:4]:
        Assessment.objects.create(person=person, kind="RSR", score=8.5, assessed_on=NIGHT)
    CustodySpell.objects.filter(person=people[3]).update(
        conditional_release_date=CRD + timedelta(days=30))
    night = nightly.run_nightly(NIGHT + timedelta(days=1), chunk=2)
    assert night.allocation.changed == 4
    after = {p.pk: _everything(p) for p in people}
    assert {pid: after[pid] for pid in before if pid != people[3].pk} == {
        pid: tasks for pid, tasks in before.items() if pid != people[3].pk}
    assert after[people[3].pk] != before[people[3].pk]
    # The same as the one-case path sets from the decisions stored: it changes nothing.
    with transaction.atomic():
        for person in people:
            refresh_tasks(person, facts_for_person(person, NIGHT + timedelta(days=1)),
                          CurrentDecision.objects.get(person=person).decision.pathway,
                          CurrentHandover.objects.get(person=person).record
                          .earliest_release_date)
        assert {p.pk: _everything(p) for p in people} == after
        transaction.set_rollback(True)


def test_a_change_committed_while_a_worker_decides_sets_the_tasks_from_its_own_dates(
        make_case: Any, monkeypatch: Any) -> None:
    """The night sends the facts it decided from with the chunk; a case changed in the
    meantime (its change recomputed it, as every action does) has its tasks set from the
    rows as they are, never from the worker's older ones."""
    from omp.decisions.recompute import recompute_case

    person, other = _in_custody(make_case, "NTW1"), _in_custody(make_case, "NTW2")
    nightly.run_nightly(NIGHT - timedelta(days=1))
    fixed, typed = ARRIVAL + timedelta(days=10), ARRIVAL + timedelta(days=20)
    # A data fix behind the actions' back, which the night picks up for both people...
    CustodySpell.objects.filter(person__in=[person, other]).update(arrival_date=fixed)
    real = nightly.compute_chunk
    sent: list[set[int]] = []

    def decided_then_changed(*args: Any) -> Any:
        result = real(*args)
        sent.append(set(result.facts))
        if person.pk in result.facts:  # ...while one of them is corrected again, committed
            CustodySpell.objects.filter(person=person).update(arrival_date=typed)
            recompute_case(person, NIGHT, "change")
        return result

    monkeypatch.setattr(nightly, "compute_chunk", decided_then_changed)
    nightly.run_nightly(NIGHT, chunk=1)
    assert {person.pk, other.pk} <= set().union(*sent)  # both were sent with their facts
    assert _tasks(person)["triage"] == (OPEN, typed + timedelta(days=3))
    assert _tasks(other)["triage"] == (OPEN, fixed + timedelta(days=3))


def test_people_read_by_their_range_are_kept_to_those_asked_for(
        make_case: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The range of the ids asked for holds a person not asked for: the reads by range
    leave that person's release state and tasks alone."""
    from omp.custody.actions import tasks_follow_the_night
    from omp.custody.queries import release_states

    monkeypatch.setattr("omp.id_sets.BY_ID", 0)
    first, between, last = (_in_custody(make_case, f"RNG{i}") for i in range(3))
    assert first.pk < between.pk < last.pk
    nightly.run_nightly(NIGHT, chunk=10)
    asked = {first.pk, last.pk}
    assert set(release_states(sorted(asked), NIGHT)) == asked
    before = {person.pk: _everything(person) for person in (first, between, last)}
    # Arrived later, behind the actions' back: the tasks of those asked for move with it.
    CustodySpell.objects.filter(person__in=[first, between, last]).update(
        arrival_date=ARRIVAL + timedelta(days=20))
    tasks_follow_the_night(None, as_of=NIGHT, low=first.pk, high=last.pk, person_ids=asked)
    assert _everything(between) == before[between.pk]
    assert _everything(first) != before[first.pk]
    assert _everything(last) != before[last.pk]


def test_the_open_tasks_of_a_range_are_read_by_person_not_by_status(
        make_case: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A night asks which people of a chunk have open tasks. Read by the range of the
    chunk with the status as a condition, SQLite (no statistics) chose the status index and
    read every open task in the country for each chunk; the read is by person, and the
    status is kept in Python. The people are those with an open task, and only those
    asked for."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from omp.custody.actions import people_with_open_tasks

    monkeypatch.setattr("omp.id_sets.BY_ID", 0)
    first, done, last = (_in_custody(make_case, f"OPN{i}") for i in range(3))
    user = make_user("cm_o", "case_manager")
    for task in Task.objects.filter(person=done):
        complete_task(user, task.pk, done)
    assert people_with_open_tasks({first.pk, done.pk}) == {first.pk}
    assert people_with_open_tasks({first.pk, last.pk}) == {first.pk, last.pk}
    if connection.vendor == "sqlite":
        with CaptureQueriesContext(connection) as queries:
            people_with_open_tasks({first.pk, last.pk})
        [query] = queries.captured_queries
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = " ".join(str(row[3]) for row in cursor.fetchall())
        assert "person" in plan and "status" not in plan, plan
