"""``omp snapshot``'s monitoring tables (OUT-6) from the live case store: each referral's work
on the need its service category meets (``need_work``), by its provider, from sent to
concluded or withdrawn, and the support plan's own actions; the sessions that took place as
``support_contacts``. They feed the duplication and intensity checks of ``omp gaming``."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.db.models import F
from django.utils import timezone
from typer.testing import CliRunner

from omp.cli import app
from omp.outcomes.engine import Engine
from omp.outcomes.gaming import TABLES, duplicate_work, support_intensity
from omp.outcomes.snapshot import CASE_MANAGEMENT, SCHEMAS, write_snapshot
from omp.rules.needs import NEED_AREAS, SERVICE_CATEGORY_AREAS, service_category_need
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db
HOUSING = "Housing support in London"  # Northway Housing Trust (NWH), accommodation
MOVE_ON = "Move-on housing"  # Second Chance Recovery (SCR), accommodation, made below


def _day(days_ago: int) -> date:
    return timezone.localdate() - timedelta(days=days_ago)


def _rows(path: Path, table: str) -> list[dict[str, Any]]:
    return pq.read_table(path / f"{table}.parquet").to_pylist()


@pytest.fixture
def pp(make_user: Any) -> Any:
    return make_user("pp", "com")


@pytest.fixture
def move_on_service(db: Any) -> Any:
    """A second accommodation service, by another provider, across England and Wales."""
    from omp.referrals.models import Contract, Provider, Service, ServiceCategory

    contract = Contract.objects.create(
        reference="NAT-ACC-2026", name="Move-on accommodation",
        prime_provider=Provider.objects.get(code="SCR"), starts_on=date(2026, 1, 1))
    return Service.objects.create(contract=contract,
                                  category=ServiceCategory.objects.get(code="ACC"),
                                  title=MOVE_ON, description="Help to move on to a home.")


def _sent(pp: Any, person: Any, title: str, days_ago: int) -> Any:
    """A referral of ``person`` to the service ``title``, sent ``days_ago`` days ago."""
    from omp.referrals.actions import save_draft, send_referral, start_referral
    from omp.referrals.models import Referral, ReferralEvent, Service

    service = Service.objects.select_related("category").get(title=title)
    referral = start_referral(pp, person, service)
    save_draft(pp, referral, complete_changes(service))
    send_referral(pp, referral)
    Referral.objects.filter(pk=referral.pk).update(sent_at=F("sent_at") - timedelta(days=days_ago))
    ReferralEvent.objects.filter(referral=referral).update(at=F("at") - timedelta(days=days_ago))
    referral.refresh_from_db()
    return referral


def _withdrawn(pp: Any, referral: Any, days_ago: int) -> None:
    from omp.referrals.actions import withdraw_referral
    from omp.referrals.models import ReferralEvent

    withdraw_referral(pp, referral, "NEE", "")
    ReferralEvent.objects.filter(referral=referral, kind="withdrawn").update(
        at=F("at") - timedelta(days=days_ago))


def test_two_providers_on_one_persons_accommodation_at_once_are_reported(
        pp: Any, named_case: Any, move_on_service: Any, tmp_path: Path) -> None:
    person = named_case()
    _sent(pp, person, HOUSING, days_ago=30)  # still open
    withdrawn = _sent(pp, person, MOVE_ON, days_ago=20)
    _withdrawn(pp, withdrawn, days_ago=5)
    _sent(pp, person, "Into work and learning", days_ago=25)  # another need: no pair
    other = named_case(first="Al", last="Jones", prison_number="B2345CD", case_ref="X000002")
    _sent(pp, other, HOUSING, days_ago=3)  # another person: no pair

    counts = write_snapshot(tmp_path)
    assert counts["need_work"] == 4
    work = sorted(_rows(tmp_path, "need_work"), key=lambda r: (r["case_ref"], r["start_date"]))
    assert work == [
        {"case_ref": person.case_ref, "need": "accommodation",
         "agency": "Northway Housing Trust", "start_date": _day(30), "end_date": None},
        {"case_ref": person.case_ref, "need": "education_training_employment",
         "agency": "Pathfinder Employment", "start_date": _day(25), "end_date": None},
        # The withdrawn referral's work ends on the day it was withdrawn.
        {"case_ref": person.case_ref, "need": "accommodation",
         "agency": "Second Chance Recovery", "start_date": _day(20), "end_date": _day(5)},
        {"case_ref": "X000002", "need": "accommodation", "agency": "Northway Housing Trust",
         "start_date": _day(3), "end_date": None},
    ]
    with Engine("duckdb", tmp_path) as engine:
        [pair] = engine.rows(duplicate_work(engine.table("need_work")))
    # The open spell runs to the latest day in the table (the withdrawal, 5 days ago): the
    # two overlap from the day the second was sent to the day it was withdrawn.
    assert pair == {"need": "accommodation", "agency_a": "Northway Housing Trust",
                    "agency_b": "Second Chance Recovery", "people": 1, "overlaps": 1,
                    "overlap_days": 16}


def test_support_plan_actions_are_case_managements_work_unless_through_a_referral(
        pp: Any, named_case: Any, make_user: Any, tmp_path: Path) -> None:
    from omp.custody.actions import record_needs_assessment
    from omp.custody.support_plan import add_action, change_action

    person = named_case()
    housing = _sent(pp, person, HOUSING, days_ago=10)
    manager = make_user("cm", "case_manager")
    record_needs_assessment(manager, person, {area: "medium" for area, _ in NEED_AREAS}, {})
    due = _day(-30)
    add_action(manager, person, "accommodation", "Apply to the council", "Case manager", due)
    add_action(manager, person, "accommodation", "Housing support", "Provider", due,
               referral_reference=housing.reference)
    debts = add_action(manager, person, "finance", "Open a bank account", "Case manager", due)
    change_action(manager, person, debts.pk, "achieved", "", due, "")

    write_snapshot(tmp_path)
    ours = sorted((r for r in _rows(tmp_path, "need_work") if r["agency"] == CASE_MANAGEMENT),
                  key=lambda r: r["need"])
    # Written and closed today; the action through the referral is the referral's own row.
    assert ours == [
        {"case_ref": person.case_ref, "need": "accommodation", "agency": CASE_MANAGEMENT,
         "start_date": _day(0), "end_date": None},
        {"case_ref": person.case_ref, "need": "finance_debt", "agency": CASE_MANAGEMENT,
         "start_date": _day(0), "end_date": _day(0)},
    ]
    assert sum(1 for r in _rows(tmp_path, "need_work") if r["agency"] != CASE_MANAGEMENT) == 1


def test_sessions_that_took_place_are_contacts_and_the_others_are_not(
        pp: Any, named_case: Any, make_user: Any, tmp_path: Path) -> None:
    from omp.referrals.actions import (
        approve_action_plan,
        assign_keyworker,
        book_session,
        record_attendance,
        record_initial_assessment,
        submit_action_plan,
    )
    from omp.referrals.models import Provider

    person = named_case()
    keyworker = make_user("kw", "provider")
    Provider.objects.get(code="NWH").staff.add(keyworker)
    referral = _sent(pp, person, HOUSING, days_ago=20)
    assign_keyworker(keyworker, referral, "kw")
    record_initial_assessment(keyworker, referral, _day(18))
    submit_action_plan(keyworker, referral, 8, ["Find a flat"])
    approve_action_plan(pp, referral, 1)
    recorded = [(6, 60, "yes", "yes", ""), (5, 45, "late", "yes", ""),
                (4, 30, "no", "", "non_compliance"), (3, 50, "yes", "no", "logistics")]
    for days_ago, minutes, attended, happened, reason in recorded:
        session = book_session(keyworker, referral, _day(days_ago), "10:00", minutes,
                               "in_person_other", "The hostel", True)
        record_attendance(keyworker, referral, session.pk, attended, happened, reason,
                          "Talked about flats.")
    book_session(keyworker, referral, _day(1), "10:00", 40, "phone", "", False)  # not recorded

    counts = write_snapshot(tmp_path)
    contacts = sorted(_rows(tmp_path, "support_contacts"), key=lambda r: r["contact_date"])
    assert counts["support_contacts"] == 2
    # In custody at HMP Doncaster on pathway 2 (18 months, medium RoSH), OGRS3 52%: medium.
    assert contacts == [
        {"case_ref": person.case_ref, "prison_code": "DNI", "pathway": 2,
         "risk_band": "medium", "contact_date": _day(6), "minutes": 60},
        {"case_ref": person.case_ref, "prison_code": "DNI", "pathway": 2,
         "risk_band": "medium", "contact_date": _day(5), "minutes": 45},
    ]
    with Engine("duckdb", tmp_path) as engine:
        [band] = engine.rows(support_intensity(engine.table("support_contacts")))
    assert (band["pathway"], band["risk_band"], band["people"], band["contacts"],
            band["minutes"]) == (2, "medium", 1, 2, 105)


def test_the_prison_of_a_contact_is_where_the_person_was_that_day() -> None:
    from omp.outcomes.snapshot import _Whereabouts

    # Arrived at Leicester on 2 March, moved to Doncaster on 1 June, released 1 September.
    spells = [{"spell_id": 7, "case_ref": "S1", "prison_code": "DNI",
               "arrival_date": date(2026, 3, 2), "actual_release_date": date(2026, 9, 1)}]
    where = _Whereabouts(spells, {7: [(date(2026, 6, 1), "LEI")]})
    assert where.prison_on("S1", date(2026, 3, 1)) is None  # not yet arrived
    assert where.prison_on("S1", date(2026, 5, 31)) == "LEI"
    assert where.prison_on("S1", date(2026, 6, 1)) == "DNI"
    assert where.prison_on("S1", date(2026, 9, 1)) == "DNI"  # the day of release
    assert where.prison_on("S1", date(2026, 9, 2)) is None  # in the community
    assert where.prison_on("S2", date(2026, 6, 1)) is None  # never in custody


def test_an_empty_case_store_writes_empty_tables_that_omp_gaming_reads(tmp_path: Path
                                                                        ) -> None:
    counts = write_snapshot(tmp_path)
    for table in TABLES:
        assert counts[table] == 0, table
        assert pq.read_schema(tmp_path / f"{table}.parquet") == SCHEMAS[table], table
    result = CliRunner().invoke(app, ["gaming", "--data", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    checks = {check["check"]: check for check in json.loads(result.stdout)}
    assert [row for check in checks.values() for row in check["rows"]] == []
    assert checks["duplication"]["readings"] == [
        "No need was worked on by two agencies at once (OUT-6)."]


def test_every_service_category_of_the_catalogue_meets_a_need(db: Any) -> None:
    from omp.referrals.models import ServiceCategory

    codes = set(ServiceCategory.objects.values_list("code", flat=True))
    assert codes == set(SERVICE_CATEGORY_AREAS)
    assert {service_category_need(code) for code in codes} == {
        "accommodation", "education_training_employment", "finance_debt",
        "substance_misuse", "health"}
    assert service_category_need("NEW") is None


@pytest.mark.django_db(transaction=True)
def test_what_is_written_while_the_snapshot_reads_is_left_for_the_next_one(
        migrated_data: None, make_user: Any, named_case: Any, tmp_path: Path) -> None:
    """The snapshot reads in one transaction of its own: a person referred by another
    connection after the people were read is in none of its tables, and the tables still
    agree (every case reference of need_work is in people)."""
    import threading
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    import_module("omp.referrals.migrations.0002_catalogue").forwards(apps, None)
    pp = make_user("pp", "com")
    _sent(pp, named_case(), HOUSING, days_ago=4)

    def refer_another() -> None:
        try:
            late = named_case(first="Al", last="Jones", prison_number="B2345CD",
                              case_ref="X000009")
            _sent(pp, late, HOUSING, days_ago=1)
        finally:
            connection.close()  # this thread's own connection

    def meanwhile(table: str) -> None:
        if table == "people":
            writer = threading.Thread(target=refer_another)
            writer.start()
            writer.join()

    write_snapshot(tmp_path, progress=meanwhile)
    assert not connection.in_atomic_block
    people = {row["case_ref"] for row in _rows(tmp_path, "people")}
    referred = {row["case_ref"] for row in _rows(tmp_path, "need_work")}
    assert people == referred == {"X000001"}
    # Committed meanwhile, so the next snapshot has it.
    write_snapshot(tmp_path)
    assert {row["case_ref"] for row in _rows(tmp_path, "need_work")} == {"X000001", "X000009"}
