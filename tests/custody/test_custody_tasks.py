"""PATH-2..5 in the record: tasks set when a case is recorded, moved when its dates move,
regenerated when its pathway changes without losing completed work, done on the case
page, and listed when due."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse

from omp.custody.models import DONE, NOT_NEEDED, OPEN, Task
from omp.decisions.actions import record_custody_dates, record_rsr_osp, upsert_case
from omp.interchange.schema import parse_case
from tests.conftest import case_object

pytestmark = pytest.mark.django_db
ARRIVAL = date(2026, 3, 2)
CRD = date(2028, 3, 1)


def _in_custody(make_case: Any, case_ref: str = "T0001", **changes: Any) -> Any:
    return make_case(case_ref=case_ref, **{
        "event.sentence.length": "P4Y", "event.sentence.date": "2026-03-01",
        "custody.arrival_date": ARRIVAL.isoformat(),
        "custody.sentence_start_date": "2026-03-01",
        "custody.conditional_release_date": CRD.isoformat(), "risk.rosh": "MEDIUM",
        **changes})


def _tasks(person: Any) -> dict[str, tuple[str, date]]:
    return {t.key: (t.status, t.due) for t in Task.objects.filter(person=person)}


def test_recording_a_case_sets_its_pathway_tasks(make_case: Any) -> None:
    person = _in_custody(make_case)
    tasks = _tasks(person)
    assert tasks["triage"] == (OPEN, ARRIVAL + timedelta(days=3))
    assert tasks["custody_case_manager"] == (OPEN, ARRIVAL + timedelta(weeks=2))
    assert tasks["oasys_sentence_plan"][0] == OPEN  # pathway 2
    assert tasks["community_case_manager"][1] == CRD - timedelta(weeks=6)
    assert Task.history.filter(person_id=person.pk).count() == len(tasks)


def test_a_release_date_moved_moves_the_tasks_but_not_the_done_ones(
        make_case: Any, make_user: Any) -> None:
    from omp.custody.actions import complete_task

    person = _in_custody(make_case)
    worker = make_user("cm1", "case_manager")
    done = Task.objects.get(person=person, key="needs_before_release")
    complete_task(worker, done.pk, person)
    later = CRD + timedelta(days=70)
    record_custody_dates(make_user("pom1", "pom"), person,
                         {"conditional_release_date": later.isoformat()})
    tasks = _tasks(person)
    assert tasks["community_case_manager"] == (OPEN, later - timedelta(weeks=6))
    assert tasks["needs_before_release"] == (DONE, CRD - timedelta(weeks=8))  # kept as done


def test_a_pathway_change_regenerates_the_tasks_keeping_completed_work(
        make_case: Any, make_user: Any) -> None:
    from omp.custody.actions import complete_task

    person = _in_custody(make_case)
    complete_task(make_user("cm2", "case_manager"),
                  Task.objects.get(person=person, key="triage").pk, person)
    # RoSH rises to high: pathway 1, so the custody case manager work is no longer needed.
    upsert_case(None, parse_case(case_object(**{
        "case_ref": "T0001", "event.sentence.length": "P4Y",
        "event.sentence.date": "2026-03-01", "custody.arrival_date": ARRIVAL.isoformat(),
        "custody.sentence_start_date": "2026-03-01",
        "custody.conditional_release_date": CRD.isoformat(), "risk.rosh": "HIGH"}),
        date(2026, 11, 22)))
    tasks = _tasks(person)
    assert tasks["triage"][0] == DONE
    assert tasks["custody_case_manager"][0] == NOT_NEEDED
    assert tasks["oasys_sentence_plan"][0] == NOT_NEEDED
    assert tasks["community_case_manager"][0] == OPEN


def test_the_case_page_shows_tasks_and_a_worker_marks_one_done(client_for: Any,
                                                              make_case: Any) -> None:
    person = _in_custody(make_case)
    client = client_for("cm3", "case_manager")
    page = client.get(reverse("case-detail", args=[person.case_ref])).content.decode()
    assert 'id="tasks"' in page and "Immediate-needs triage" in page and "Overdue" in page
    triage = Task.objects.get(person=person, key="triage")
    answer = client.post(reverse("custody-task-done", args=[person.case_ref, triage.pk]))
    assert answer.status_code == 302
    triage.refresh_from_db()
    assert triage.status == DONE and triage.completed_by.username == "cm3"
    again = client.post(reverse("custody-task-done", args=[person.case_ref, triage.pk]),
                        follow=True)
    assert "This task is not open" in again.content.decode()


def test_someone_else_s_task_id_is_refused(client_for: Any, make_case: Any) -> None:
    first, other = _in_custody(make_case, "T0001"), _in_custody(make_case, "T0002")
    task = Task.objects.get(person=other, key="triage")
    client = client_for("cm4", "case_manager")
    answer = client.post(reverse("custody-task-done", args=[first.case_ref, task.pk]),
                         follow=True)
    assert "There is no such task for this person" in answer.content.decode()
    task.refresh_from_db()
    assert task.status == OPEN


@pytest.mark.parametrize(("role", "status"), [
    ("case_manager", 200), ("pom", 200), ("analyst", 403), ("provider", 403),
    ("commissioner", 403)])
def test_the_tasks_page_is_for_staff_who_read_cases(client_for: Any, make_case: Any,
                                                    role: str, status: int) -> None:
    _in_custody(make_case)
    answer = client_for(f"u_{role}", role).get(reverse("custody-tasks"))
    assert answer.status_code == status
    if status == 200:
        assert "Immediate-needs triage" in answer.content.decode()


def test_only_task_workers_mark_tasks_done(client_for: Any, make_case: Any) -> None:
    person = _in_custody(make_case)
    task = Task.objects.get(person=person, key="triage")
    answer = client_for("court_t", "court_staff").post(
        reverse("custody-task-done", args=[person.case_ref, task.pk]))
    assert answer.status_code == 403
    task.refresh_from_db()
    assert task.status == OPEN


def test_refresh_everyone_sets_tasks_from_the_stored_decisions(make_case: Any) -> None:
    from omp.custody.actions import refresh_everyone

    person = _in_custody(make_case)
    Task.objects.filter(person=person).delete()
    people, open_tasks = refresh_everyone()
    assert people == 1 and open_tasks == Task.objects.filter(person=person, status=OPEN).count()
    assert "triage" in _tasks(person)


def test_record_rsr_moves_nothing_for_a_person_out_of_custody(make_case: Any,
                                                              make_user: Any) -> None:
    person = make_case(case_ref="T0009", custody=None)
    record_rsr_osp(make_user("court_x", "court_staff"), person, rsr="8")
    assert not Task.objects.filter(person=person).exists()


def test_the_demo_settles_tasks_due_long_ago(make_case: Any) -> None:
    from omp.demo.cli import settle_old_tasks

    person = _in_custody(make_case)
    settled = settle_old_tasks(ARRIVAL + timedelta(weeks=6))
    tasks = _tasks(person)
    assert settled == 2  # the triage (3 days) and the case manager (2 weeks)
    assert tasks["triage"][0] == DONE and tasks["custody_case_manager"][0] == DONE
    assert tasks["oasys_sentence_plan"][0] == OPEN  # due at 8 weeks: still to do


def test_allocating_a_custody_case_manager_completes_path_3s_task(make_case: Any,
                                                                 make_user: Any) -> None:
    """The task is the allocation: done by it, by whoever allocated; a community case
    manager's allocation leaves it as it was (its own task holds the handover meeting)."""
    from omp.custody.actions import allocate_case_manager

    person = _in_custody(make_case)
    lead, worker = make_user("lead", "case_manager"), make_user("cm", "case_manager")
    allocate_case_manager(lead, person, worker, "community")
    assert _tasks(person)["custody_case_manager"][0] == OPEN
    allocate_case_manager(lead, person, worker, "custody")
    done = Task.objects.get(person=person, key="custody_case_manager")
    assert done.status == DONE and done.completed_by == lead
    assert _tasks(person)["community_case_manager"][0] == OPEN


def test_a_persons_open_tasks_are_read_through_the_person_index(db: Any) -> None:
    """Every recompute reads the person's open tasks in order. SQLite keeps no statistics,
    and with only a (status, due) index it read every open task in the country for each
    person (0.3 s a case at 100,000 cases); the (person, status, due) index serves the
    query alone. PostgreSQL chooses by its statistics, so the plan is checked on SQLite."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner, without statistics, is the one that chose wrongly")
    query = Task.objects.filter(person_id=1, status="open").order_by("due", "id")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    index = next(i.name for i in Task._meta.indexes if i.fields == ["person", "status", "due"])
    assert index in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # the index gives the order as well
