"""Stored handover decisions (HAND-1..3): recomputed on change in the same transaction,
overrides that win and stay in history, contradictory dates refused whole, and the nightly
handover part: writes only changes, follows the calendar, resumes after a kill."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from omp.cases.actions import ActionError
from omp.cases.facts import facts_for_person
from omp.cases.models import CustodySpell, Person
from omp.decisions.actions import (
    PolicyInputError,
    end_override,
    record_custody_dates,
    record_override,
)
from omp.decisions.models import (
    CurrentHandover,
    HandoverRecord,
    RecomputeRun,
    ResponsibilityOverride,
)
from omp.decisions.nightly import run_nightly
from omp.decisions.recompute import policy_versions
from omp.rules.pipeline import decide_in_force
from tests.conftest import case_object

pytestmark = pytest.mark.django_db

#: Released in 2031: whatever today is, the POM is responsible for years yet.
LONG = {"custody.sentence_start_date": "2026-03-01",
        "custody.conditional_release_date": "2031-03-01",
        "event.sentence.length": "P10Y"}


def run_nightly_handover(as_of: date, versions: Any, **kwargs: Any) -> RecomputeRun:
    """The nightly run, as its handover part counted it (under the stored ``versions``)."""
    assert tuple(versions) == tuple(policy_versions())
    return run_nightly(as_of, **kwargs).handover


def _long_case(make_case: Any, ref: str = "H0001", **changes: Any) -> Person:
    person: Person = make_case(case_object(case_ref=ref, **{**LONG, **changes}))
    return person


def test_a_change_records_the_handover_with_its_history(make_case: Any,
                                                        make_user: Any) -> None:
    person = _long_case(make_case)
    head = CurrentHandover.objects.get(person=person)
    # Era E, determinate: 8 months 14 days before the CRD of 1 March 2031 (HANDOVER §4.5).
    assert (head.responsibility, head.start_date, head.handover_date) == (
        "POM_RESPONSIBLE", date(2030, 6, 17), date(2030, 6, 17))
    assert head.record.reason == "determinate" and head.record.era == "E"
    assert head.record.earliest_release_name == "CRD"
    pom = make_user("pom1", "pom")
    record_custody_dates(pom, person, {"conditional_release_date": "2031-04-30"})
    head.refresh_from_db()
    # 30 April 2031 less 8 months is 30 August 2030, less 14 days 16 August 2030.
    assert head.handover_date == date(2030, 8, 16)
    assert head.record.trigger == "change" and head.record.triggered_by == pom
    assert list(person.handover_records.order_by("id").values_list(
        "handover_date", flat=True)) == [date(2030, 6, 17), date(2030, 8, 16)]


def test_the_stored_decision_is_the_one_decide_gives(make_case: Any) -> None:
    person = _long_case(make_case, **{"risk.rosh": "HIGH"})  # protect level B
    facts = facts_for_person(person, CurrentHandover.objects.get(person=person).as_of)
    expected = decide_in_force(facts, policy_versions())
    record = CurrentHandover.objects.get(person=person).record
    assert expected.handover is not None
    assert (record.responsibility, record.start_date, record.handover_date, record.reason,
            record.pom_type) == (expected.handover.responsibility, expected.handover.start_date,
                                 expected.handover.handover_date, expected.handover.reason,
                                 expected.pom_type)
    assert record.pom_type == "PROBATION"  # tier B, POM responsible (§4.10)


def test_a_case_with_no_custody_has_no_handover(make_case: Any) -> None:
    person = make_case(case_object(case_ref="H0002", custody=None,
                                   **{"event.sentence.kind": "community"}))
    assert not CurrentHandover.objects.filter(person=person).exists()


def test_an_override_wins_shows_in_history_and_can_be_ended(make_case: Any,
                                                           make_user: Any) -> None:
    person = _long_case(make_case)
    head = make_user("head1", "head_of_offender_management")
    override = record_override(head, person, "Probation", "community_team")
    current = CurrentHandover.objects.get(person=person)
    assert current.responsibility == "COM_RESPONSIBLE"
    assert current.record.reason == "override_probation"
    assert current.record.override == override
    assert "community team" in current.record.explanation
    # The calculated dates stay visible beside the override.
    assert current.handover_date == date(2030, 6, 17)
    end_override(head, person)
    current.refresh_from_db()
    assert current.responsibility == "POM_RESPONSIBLE" and current.record.override is None
    assert HandoverRecord.objects.filter(person=person).count() == 3
    override.refresh_from_db()
    assert override.ended_at is not None and override.ended_by == head
    assert ResponsibilityOverride.history.filter(id=override.pk).count() == 2


def test_only_heads_of_offender_management_override(make_case: Any, make_user: Any) -> None:
    person = _long_case(make_case)
    with pytest.raises(PermissionDenied):
        record_override(make_user("pom2", "pom"), person, "Prison", "other", "why not")
    head = make_user("head2", "head_of_offender_management")
    with pytest.raises(PolicyInputError) as error:
        record_override(head, person, "Prison", "other", "  ")
    assert error.value.field == "reason_text"
    with pytest.raises(PolicyInputError) as error:
        record_override(head, person, "Somewhere", "recalled")
    assert error.value.field == "value"
    assert not ResponsibilityOverride.objects.exists()
    assert CurrentHandover.objects.get(person=person).record.reason == "determinate"


@pytest.mark.parametrize(("changes", "field"), [
    ({"conditional_release_date": "2025-12-31"}, "custody.conditional_release_date"),
    ({"tariff_date": "2035-01-01"}, "custody.tariff_date"),
    ({"home_detention_curfew_eligibility_date": "2030-10-01",
      "home_detention_curfew_actual_date": "2030-09-01"},
     "custody.home_detention_curfew_actual_date"),
    ({"licence_expiry_date": "31/12/2031"}, "custody.licence_expiry_date"),
])
def test_contradictory_dates_are_refused_and_nothing_is_saved(
        make_case: Any, make_user: Any, changes: dict[str, str], field: str) -> None:
    person = _long_case(make_case)
    before = list(CustodySpell.objects.filter(person=person).values())
    records = HandoverRecord.objects.count()
    with pytest.raises(ActionError) as error:
        record_custody_dates(make_user("pom3", "pom"), person, changes)
    assert error.value.field == field
    assert list(CustodySpell.objects.filter(person=person).values()) == before
    assert HandoverRecord.objects.count() == records


def test_nightly_handover_writes_only_changes_and_follows_the_calendar(
        make_case: Any) -> None:
    people = [_long_case(make_case, f"H1{i:03d}") for i in range(7)]
    versions = policy_versions()
    before = HandoverRecord.objects.count()
    run = run_nightly_handover(date(2027, 1, 1), versions, chunk=3)
    assert run.finished and run.examined == 7 and run.changed == 0
    assert HandoverRecord.objects.count() == before
    # On the handover date the COM becomes responsible (§4.7): the night writes it.
    run = run_nightly_handover(date(2030, 6, 17), versions, chunk=3)
    assert run.changed == 7
    for person in people:
        head = CurrentHandover.objects.get(person=person)
        assert head.responsibility == "COM_RESPONSIBLE" and head.record.run == run
        assert head.record.trigger == "nightly" and head.as_of == date(2030, 6, 17)
    # The day before, it would still have been the POM.
    assert run_nightly_handover(date(2030, 6, 16), versions).changed == 7
    assert CurrentHandover.objects.filter(responsibility="POM_RESPONSIBLE").count() == 7


def test_killed_nightly_handover_resumes(make_case: Any) -> None:
    for i in range(6):
        _long_case(make_case, f"H2{i:03d}")
    versions = policy_versions()
    chunk = 3
    run = run_nightly_handover(date(2030, 7, 1), versions, chunk=chunk, stop_after_chunks=1)
    assert not run.finished
    done = CurrentHandover.objects.filter(responsibility="COM_RESPONSIBLE").count()
    assert 0 < done < 6
    resumed = run_nightly_handover(date(2030, 7, 1), versions, chunk=chunk)
    assert resumed.pk == run.pk and resumed.finished
    assert CurrentHandover.objects.filter(responsibility="COM_RESPONSIBLE").count() == 6
    assert RecomputeRun.objects.filter(part="handover").count() == 1


# Committed data, as worker processes read it. Transactional tests run after the others;
# a flush before this one removed the roles, reference data and built-in policies, which
# ``migrated_data`` writes again (serialized rollback would clash with the content types
# that an earlier flush re-created).
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_data")
def test_worker_processes_decide_handover_as_the_single_process_does(make_case: Any) -> None:
    for i in range(9):
        _long_case(make_case, f"H3{i:03d}", **{"custody.conditional_release_date":
                                               f"2031-0{1 + i % 9}-15"})
    versions = policy_versions()
    day = date(2030, 6, 1)  # some have handed over by then, some not
    parallel_run = run_nightly_handover(day, versions, chunk=2, workers=2)
    assert parallel_run.finished and parallel_run.examined == 9 and parallel_run.changed > 0
    parallel = {h.person_id: (h.fingerprint, h.responsibility, h.handover_date)
                for h in CurrentHandover.objects.all()}
    CurrentHandover.objects.all().delete()
    serial = run_nightly_handover(day, versions, chunk=2, workers=1)
    assert serial.changed == 9
    assert {h.person_id: (h.fingerprint, h.responsibility, h.handover_date)
            for h in CurrentHandover.objects.all()} == parallel


def test_a_change_committed_meanwhile_is_not_overwritten(make_case: Any,
                                                         make_user: Any) -> None:
    from omp.decisions.handover import commit_chunk, compute_chunk

    person = _long_case(make_case)
    versions = policy_versions()
    run = RecomputeRun.to_resume(date(2030, 7, 1), "handover")
    stale = compute_chunk(person.pk, person.pk, date(2030, 7, 1), versions)
    assert len(stale.rows) == 1  # by 1 July 2030 the COM would be responsible
    record_override(make_user("head3", "head_of_offender_management"), person, "Prison",
                    "recalled")  # committed after the chunk was read
    assert commit_chunk(run, stale) == 0
    head = CurrentHandover.objects.get(person=person)
    assert head.record.reason == "override_prison"
