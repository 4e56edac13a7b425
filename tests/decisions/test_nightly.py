"""The nightly recompute: idempotent, writes only what changed, resumes after a kill."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from omp.cases.models import Assessment, Person
from omp.decisions import nightly
from omp.decisions.models import AllocationDecision, CurrentDecision, RecomputeRun
from tests.conftest import case_object

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 22)


def run_nightly(*args: Any, **kwargs: Any) -> RecomputeRun:
    """The nightly run, as its allocation part counted it."""
    return nightly.run_nightly(*args, **kwargs).allocation


def _cases(make_case: Any, n: int) -> list[Person]:
    return [make_case(case_object(case_ref=f"N{i:04d}")) for i in range(n)]


def test_nightly_is_idempotent_and_writes_only_changes(make_case: Any) -> None:
    people = _cases(make_case, 12)
    before = AllocationDecision.objects.count()
    run = run_nightly(AS_OF, chunk=5)
    assert run.finished and run.examined == 12 and run.changed == 0
    assert AllocationDecision.objects.count() == before
    # A change made behind the actions' back (as a data fix would) is caught nightly.
    Assessment.objects.create(person=people[3], kind="RSR", score=8, assessed_on=AS_OF)
    run = run_nightly(date(2026, 11, 23), chunk=5)
    assert run.changed == 1
    head = CurrentDecision.objects.get(person=people[3])
    assert head.decision.outcome == "RETAINED_ENHANCED"
    assert head.decision.trigger == "nightly" and head.decision.run == run


def test_killed_run_leaves_old_or_new_and_rerun_finishes(make_case: Any) -> None:
    people = _cases(make_case, 10)
    for person in people:  # every case's outcome will change tonight
        Assessment.objects.create(person=person, kind="RSR", score=9, assessed_on=AS_OF)
    run = run_nightly(AS_OF, chunk=4, stop_after_chunks=1)  # "killed" after one chunk
    assert not run.finished and run.examined == 4
    outcomes = [CurrentDecision.objects.get(person=p).decision.outcome for p in people]
    assert outcomes == ["RETAINED_ENHANCED"] * 4 + ["ALLOCATED_NORMAL"] * 6
    resumed = run_nightly(AS_OF, chunk=4)
    assert resumed.pk == run.pk and resumed.finished and resumed.examined == 10
    assert {CurrentDecision.objects.get(person=p).decision.outcome for p in people} == {
        "RETAINED_ENHANCED"}
    assert RecomputeRun.objects.filter(part="allocation").count() == 1


def test_failure_inside_a_chunk_rolls_the_chunk_back(make_case: Any, monkeypatch: Any) -> None:
    people = _cases(make_case, 6)
    for person in people:
        Assessment.objects.create(person=person, kind="RSR", score=9, assessed_on=AS_OF)
    from omp.decisions import recompute

    calls = {"n": 0}
    real = recompute._move_heads

    def failing(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed")
        real(*args)

    monkeypatch.setattr(recompute, "_move_heads", failing)
    with pytest.raises(RuntimeError):
        run_nightly(AS_OF, chunk=3)
    outcomes = [CurrentDecision.objects.get(person=p).decision.outcome for p in people]
    assert outcomes == ["RETAINED_ENHANCED"] * 3 + ["ALLOCATED_NORMAL"] * 3
    # The failed chunk's decisions were not kept either: nothing half-written.
    assert AllocationDecision.objects.filter(trigger="nightly").count() == 3
    monkeypatch.setattr(recompute, "_move_heads", real)
    run = run_nightly(AS_OF, chunk=3)
    assert run.finished and run.examined == 6
    assert AllocationDecision.objects.filter(trigger="nightly").count() == 6


def test_recompute_on_change_is_in_the_same_transaction(make_case: Any, make_user: Any) -> None:
    from omp.decisions.actions import record_rsr_osp

    person = make_case()
    clerk = make_user("clerk", "court_staff")
    with pytest.raises(RuntimeError), transaction.atomic():
        record_rsr_osp(clerk, person, rsr="7.5")
        raise RuntimeError("the request failed after the change")
    assert CurrentDecision.objects.get(person=person).decision.outcome == "ALLOCATED_NORMAL"
    assert not Assessment.objects.filter(person=person, kind="RSR", score=7.5).exists()


# Committed data, as worker processes read it. Transactional tests run after the others;
# a flush before this one removed the roles, reference data and built-in policies, which
# ``migrated_data`` writes again (serialized rollback would clash with the content types
# that an earlier flush re-created).
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_data")
def test_worker_processes_decide_as_the_single_process_does(make_case: Any) -> None:
    people = _cases(make_case, 9)
    for index, person in enumerate(people[::2]):
        Assessment.objects.create(person=person, kind="RSR", score=7 + index, assessed_on=AS_OF)
    run = run_nightly(AS_OF, chunk=2, workers=2)
    assert run.finished and run.examined == 9 and run.changed == 5
    parallel = {h.person_id: (h.fingerprint, h.decision.reasons)
                for h in CurrentDecision.objects.select_related("decision")}
    CurrentDecision.objects.all().delete()
    serial = run_nightly(date(2026, 11, 23), chunk=2, workers=1)
    assert serial.changed == 9
    assert {h.person_id: (h.fingerprint, h.decision.reasons)
            for h in CurrentDecision.objects.select_related("decision")} == parallel


def test_unchanged_inputs_are_not_decided_again(make_case: Any) -> None:
    people = _cases(make_case, 6)
    first = run_nightly(AS_OF, chunk=4)
    assert first.decided == 6  # heads written on import carry no inputs digest yet
    quiet = run_nightly(date(2026, 11, 23), chunk=4)
    assert (quiet.examined, quiet.decided, quiet.changed) == (6, 0, 0)
    Assessment.objects.create(person=people[1], kind="RSR", score=2,
                              assessed_on=date(2026, 11, 23))  # same outcome, new inputs
    Assessment.objects.create(person=people[4], kind="RSR", score=9,
                              assessed_on=date(2026, 11, 24))  # in force from the 24th only
    night = run_nightly(date(2026, 11, 24), chunk=4)
    assert (night.decided, night.changed) == (2, 1)  # both decided; only one differs
    head = CurrentDecision.objects.get(person=people[4])
    assert head.decision.outcome == "RETAINED_ENHANCED"


def test_new_policy_version_or_ruleset_decides_every_case_afresh(make_case: Any,
                                                                 monkeypatch: Any) -> None:
    from omp.decisions import recompute
    from omp.decisions.actions import schedule_policy

    _cases(make_case, 5)
    run_nightly(AS_OF)
    schedule_policy(None, "LU-ENG-2027", "2027-04-01", "England", True, "E", "Levelling up")
    before = run_nightly(date(2027, 3, 31))
    assert (before.decided, before.changed) == (0, 0)  # not yet in force
    levelled = run_nightly(date(2027, 4, 1))
    assert (levelled.decided, levelled.changed) == (5, 5)
    assert {h.decision.policy_version for h in CurrentDecision.objects.select_related(
        "decision")} == {"LU-ENG-2027"}
    monkeypatch.setattr(recompute, "ruleset_version", lambda: "a changed ruleset")
    redeployed = run_nightly(date(2027, 4, 2))
    assert (redeployed.decided, redeployed.changed) == (5, 0)


def test_a_change_committed_while_a_worker_decides_is_not_overwritten(
        make_case: Any, make_user: Any) -> None:
    from omp.decisions.actions import record_rsr_osp
    from omp.decisions.recompute import commit_chunk, compute_chunk, open_run, policy_versions

    person = make_case(case_object(case_ref="R0001"))
    Assessment.objects.create(person=person, kind="RSR", score=9, assessed_on=AS_OF)
    run = open_run(AS_OF)
    seen = compute_chunk(person.pk, person.pk, AS_OF, policy_versions())
    assert len(seen.rows) == 1  # the worker would make it Retained (RSR 9)...
    court = make_user("court", "court_staff")
    record_rsr_osp(court, person, rsr="1.5")  # ...but a user lowers the RSR meanwhile
    commit_chunk(run, seen)
    head = CurrentDecision.objects.get(person=person)
    assert head.decision.outcome == "ALLOCATED_NORMAL" and head.decision.run is None
    assert not AllocationDecision.objects.filter(trigger="nightly").exists()
    assert run.changed == 0 and run.last_person_id == person.pk


def test_inputs_context_is_the_same_in_every_process() -> None:
    import subprocess
    import sys

    script = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='omp.web.settings'; "
              "django.setup(); from datetime import date; "
              "from omp.decisions.recompute import inputs_context; "
              "from omp.rules.policy import BUILT_IN_VERSIONS; "
              "print(inputs_context(date(2026, 11, 22), BUILT_IN_VERSIONS).hex())")
    outputs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2", "3")}
    assert len(outputs) == 1


def test_nightly_decides_contradictory_data_with_warnings_and_counts_them(
        make_case: Any) -> None:
    """ALLOC-1 in the nightly run: a case whose extract holds a tariff date on a determinate
    sentence is decided every night, the warning stored on its decision and counted; the
    same per-case and batch paths agree."""
    from omp.cases.models import CustodySpell
    from omp.decisions.recompute import cases_with_warnings

    people = _cases(make_case, 3)
    assert cases_with_warnings() == 0
    # Written behind the actions' back, as a data fix or a sync from another system would.
    CustodySpell.objects.filter(person=people[1]).update(tariff_date=date(2031, 1, 1))
    run = run_nightly(date(2026, 11, 23), chunk=2, workers=1)
    assert run.changed == 1
    head = CurrentDecision.objects.get(person=people[1])
    assert [w["field"] for w in head.decision.warnings] == ["custody.tariff_date"]
    assert head.decision.outcome in ("RETAINED_ENHANCED", "ALLOCATED_NORMAL")
    assert cases_with_warnings() == 1
    # The per-case recompute writes the same warnings and so nothing new.
    from omp.decisions.recompute import recompute_case

    with transaction.atomic():
        again = recompute_case(people[1], date(2026, 11, 23), "change")
    assert again.pk == head.decision.pk


def test_the_ruleset_digest_covers_every_rule_module_the_pipeline_imports() -> None:
    """The nightly run decides every case afresh after a rule change only if the digest
    reads every module the pipeline runs: compare with what importing it really loads."""
    import json
    import subprocess
    import sys

    from omp.decisions.recompute import ruleset_modules

    loaded = json.loads(subprocess.run(
        [sys.executable, "-c", "import json, sys, omp.rules.pipeline; print(json.dumps("
         "sorted(m for m in sys.modules if m.startswith(('omp.rules.', 'omp.interchange.')))))"],
        capture_output=True, text=True, check=True).stdout)
    assert "omp.rules.tier" in loaded and "omp.rules.pipeline" in loaded
    assert set(loaded) <= set(ruleset_modules())


def test_the_cycle_collector_is_paused_for_each_chunk_and_running_again_after(
        make_case: Any, monkeypatch: Any) -> None:
    import gc

    from omp.decisions import handover, recompute

    _cases(make_case, 5)
    seen: list[tuple[str, bool]] = []

    def watching(part: str, real: Any) -> Any:
        def watched(*args: Any, **kwargs: Any) -> Any:
            seen.append((part, gc.isenabled()))
            return real(*args, **kwargs)
        return watched

    monkeypatch.setattr(recompute, "compute_chunk", watching("compute", recompute.compute_chunk))
    monkeypatch.setattr(handover, "commit_chunk", watching("commit", handover.commit_chunk))
    assert gc.isenabled()
    run_nightly(AS_OF, chunk=2)
    # Three chunks, each read, decided and committed with the collector paused...
    assert seen == [("compute", False), ("commit", False)] * 3
    assert gc.isenabled()  # ...and running again after
    gc.disable()
    try:  # a caller that paused it itself finds it paused still
        run_nightly(date(2026, 11, 23), chunk=2)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_chunk_with_nothing_to_write_reads_no_head_to_lock(make_case: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _cases(make_case, 4)
    run_nightly(AS_OF, chunk=2)
    with CaptureQueriesContext(connection) as queries:
        quiet = nightly.run_nightly(date(2026, 11, 23), chunk=2)
    assert (quiet.allocation.examined, quiet.allocation.changed) == (4, 0)
    assert quiet.allocation.finished and quiet.handover.finished
    sql = [q["sql"] for q in queries.captured_queries]
    # Each of the two chunks reads its heads once, to compare, and nothing locks them.
    assert sum("decisions_currentdecision" in q for q in sql) == 2
    assert sum("decisions_currenthandover" in q for q in sql) == 2
    assert not any("FOR UPDATE" in q.upper() for q in sql)


def test_each_chunk_finds_its_run_s_rows_through_the_run_and_person_index(
        make_case: Any) -> None:
    """A chunk moves its people's heads to the rows its run wrote. With an index on the run
    alone, SQLite (no statistics) visited every row the run had written so far, chunk after
    chunk: about 0.2 s a chunk late in a first night of 1,000,000 cases. PostgreSQL chooses
    by its statistics, so the plan is checked on SQLite."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from omp.decisions.models import CurrentHandover

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner, without statistics, is the one that chose wrongly")
    person = make_case(case_object(case_ref="N9001", **{
        "custody.sentence_start_date": "2026-03-01",
        "custody.conditional_release_date": "2028-03-01"}))
    assert person.custody_spells.exists()
    # Decided on creation: without heads, the night writes both decisions afresh.
    CurrentDecision.objects.all().delete()
    CurrentHandover.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        nightly.run_nightly(AS_OF)
    moves = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith(("INSERT INTO decisions_currentdecision",
                                     "INSERT INTO decisions_currenthandover"))]
    assert len(moves) == 2, moves
    with connection.cursor() as cursor:
        for sql in moves:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "(run_id=? AND person_id>? AND person_id<?)" in plan, plan


def test_the_run_commits_with_a_larger_page_cache_and_gives_it_back(
        make_case: Any, monkeypatch: Any) -> None:
    """On SQLite the committing connection's page cache is enlarged while the run commits
    (the chunks insert at scattered places of large indexes) and put back as it was after,
    even when the run fails half way."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page cache")

    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return int(cursor.fetchone()[0])

    _cases(make_case, 3)
    before = cache_size()
    seen: list[int] = []
    real = nightly.recompute.commit_chunk

    def noting(*args: Any) -> Any:
        seen.append(cache_size())
        return real(*args)

    monkeypatch.setattr(nightly.recompute, "commit_chunk", noting)
    run_nightly(AS_OF, chunk=2)
    assert seen and set(seen) == {-nightly.NIGHT_CACHE_KIB}
    assert cache_size() == before

    def failing(*args: Any) -> Any:
        raise RuntimeError("stopped")

    monkeypatch.setattr(nightly.recompute, "commit_chunk", failing)
    with pytest.raises(RuntimeError):
        run_nightly(date(2026, 11, 23), chunk=2)
    assert cache_size() == before
