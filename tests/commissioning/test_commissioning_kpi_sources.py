"""The KPI sources read in bulk (``kpi_sources``: each table one query, a referral's events
summarised in SQL) give the rows a plain reading gives — every referral's events replayed
through ``rules.referral_lifecycle.referral_state`` — over referrals at every stage of their
lifecycle, written by the bench's bulk writer, and over hand-made events that the rules
treat with care (events after the end, a plan amended and awaiting approval, two events at
the same moment)."""

from __future__ import annotations

import importlib.util
import sys
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

_PATH = Path(__file__).resolve().parents[2] / "bench" / "referral_volume.py"


def _volume() -> Any:
    spec = importlib.util.spec_from_file_location("bench_referral_volume", _PATH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _day(moment: Any) -> date | None:
    from django.utils import timezone

    return None if moment is None else timezone.localtime(moment).date()


def _plain_referral_rows() -> list[dict[str, Any]]:
    """The referrals source read the plain way: every event in Python."""
    from omp.referrals.models import ActionPlan, Appointment, Referral, ReferralEvent
    from omp.rules.kpi import working_days
    from omp.rules.referral_lifecycle import LifecycleEvent, referral_state

    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event in ReferralEvent.objects.values("referral_id", "kind", "at", "happened_on",
                                              "action_plan__version").order_by("at", "id"):
        events[event["referral_id"]].append(event)
    planned = {}
    for plan in ActionPlan.objects.filter(approved_at__isnull=False).order_by("version"):
        planned[plan.referral_id] = plan.number_of_sessions
    attended: dict[int, int] = defaultdict(int)
    for referral_id in Appointment.objects.filter(
            attendance__in=("yes", "late")).values_list("referral_id", flat=True):
        attended[referral_id] += 1
    rows = []
    for referral in Referral.objects.filter(sent_at__isnull=False).values(
            "pk", "sent_at", "location", "desired_outcome_ids",
            "service__contract__reference", "service__category__code",
            "complexity_level__complexity"):
        mine = events[referral["pk"]]
        state = referral_state([LifecycleEvent(e["kind"], e["at"], e["action_plan__version"])
                                for e in mine])
        assigned = next((_day(e["at"]) for e in mine if e["kind"] == "assigned"), None)
        assessed = next((e["happened_on"] or _day(e["at"]) for e in mine
                         if e["kind"] == "initial_assessment"), None)
        ended = next((_day(e["at"]) for e in mine
                      if e["kind"] in ("concluded", "withdrawn")), None)
        rows.append({
            "contract": referral["service__contract__reference"],
            "sent_on": _day(referral["sent_at"]),
            "category": referral["service__category__code"],
            "complexity": referral["complexity_level__complexity"],
            "location": referral["location"],
            "keyworker_assigned_on": assigned, "initial_assessment_on": assessed,
            "assessment_working_days": (float(working_days(assigned, assessed))
                                        if assigned and assessed else None),
            "state": state.code, "ended_on": ended if state.ended else None,
            "sessions_planned": (float(planned[referral["pk"]])
                                 if referral["pk"] in planned else None),
            "sessions_attended": float(attended[referral["pk"]]),
            "desired_outcomes": float(len(referral["desired_outcome_ids"] or []))})
    return rows


def _plain_rows(source: str) -> list[dict[str, Any]]:
    from omp.referrals.models import Appointment, EndOfServiceReport, PersonFeedback
    from omp.rules.referral_outcomes import ACHIEVEMENT_SCORES

    if source == "referrals":
        return _plain_referral_rows()
    if source == "sessions":
        return [{"contract": a.referral.service.contract.reference,
                 "starts_on": _day(a.starts_at), "category": a.referral.service.category.code,
                 "attendance": a.attendance or None, "happened": a.happened,
                 "enforceable": a.enforceable, "method": a.method}
                for a in Appointment.objects.filter(rescheduled_to__isnull=True)
                .select_related("referral__service__contract", "referral__service__category")]
    if source == "end_of_service":
        rows = []
        reports = EndOfServiceReport.objects.select_related(
            "referral__service__contract", "referral__service__category")
        for referral_id in set(reports.values_list("referral_id", flat=True)):
            versions = list(reports.filter(referral_id=referral_id).order_by("version"))
            latest = versions[-1]
            for outcome in latest.outcomes.order_by("position"):
                rows.append({"contract": latest.referral.service.contract.reference,
                             "reported_on": _day(versions[0].submitted_at),
                             "category": latest.referral.service.category.code,
                             "achievement": outcome.achievement,
                             "score": ACHIEVEMENT_SCORES.get(outcome.achievement)})
        return rows
    assert source == "feedback"
    return [{"contract": f.referral.service.contract.reference,
             "given_on": _day(f.recorded_at), "category": f.referral.service.category.code,
             "score": float(f.helpfulness)}
            for f in PersonFeedback.objects.select_related("referral__service__contract",
                                                           "referral__service__category")]


def _key(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(repr(row[name]) for name in sorted(row))


def _same(source: str) -> None:
    from omp.commissioning.kpi_sources import rows

    read, plain = rows(source), _plain_rows(source)
    assert len(read) == len(plain)
    assert sorted(map(_key, read)) == sorted(map(_key, plain))


@pytest.fixture
def volume(make_case: Any, make_user: Any) -> dict[str, int]:
    """Four hundred referrals of one person over three years, at every stage."""
    make_case()
    make_user("volume-practitioner", "com")
    return _volume().write_referrals(400, years=3, seed=7, chunk=150,
                                     practitioner_name="volume-practitioner")


def test_the_bulk_writer_takes_referrals_through_every_stage(volume: dict[str, int]) -> None:
    from omp.referrals.models import Appointment, Referral
    from omp.referrals.queries import lifecycle

    assert volume["referrals"] == 400 and Referral.objects.count() == 400
    assert volume["events"] > 400 * 5 and volume["appointments"] > 400
    assert volume["ratings"] and volume["feedback"] and volume["links"]
    states = {lifecycle(r).code for r in Referral.objects.all()}
    assert {"completed", "cancelled", "ended_early", "in_delivery"} <= states
    # Moved sessions point at their new booking; attendance only on sessions that started.
    assert Appointment.objects.filter(rescheduled_to__isnull=False, attendance="").exists()
    assert not Appointment.objects.exclude(attendance="").filter(
        starts_at__gt=datetime.now(UTC)).exists()
    # The sequences were moved on: the next referral made the ordinary way gets a new id.
    top = Referral.objects.order_by("-pk").first()
    assert top is not None
    again = Referral.objects.create(
        reference="ZZ9999ZZ", person=top.person, service=top.service,
        created_by=top.created_by, created_at=top.created_at)
    assert again.pk > top.pk


@pytest.mark.parametrize("source", ["referrals", "sessions", "end_of_service", "feedback"])
def test_the_sources_read_in_bulk_are_the_rows_read_plainly(volume: dict[str, int],
                                                            source: str) -> None:
    _same(source)


def test_the_referral_summary_follows_the_lifecycle_rules_at_their_edges(
        make_case: Any, make_user: Any) -> None:
    from omp.referrals.models import ActionPlan, Referral, ReferralEvent, Service

    person = make_case()
    user = make_user("edge-practitioner", "com")
    service = Service.objects.get(title="Housing support in London")
    moment = datetime(2026, 3, 2, 10, tzinfo=UTC)

    def referral(reference: str, *events: tuple[str, int, int | None]) -> None:
        made = Referral.objects.create(reference=reference, person=person, service=service,
                                       created_by=user, created_at=moment, sent_by=user,
                                       sent_at=moment)
        plans: dict[int, ActionPlan] = {}
        for kind, hours, version in events:
            at = moment.replace(hour=10 + hours)
            plan = None
            if version is not None:
                plan = plans.get(version) or ActionPlan.objects.create(
                    referral=made, version=version, number_of_sessions=4,
                    submitted_by=user, submitted_at=at)
                plans[version] = plan
                if kind == "plan_approved":
                    ActionPlan.objects.filter(pk=plan.pk).update(approved_at=at,
                                                                 approved_by=user)
            ReferralEvent.objects.create(referral=made, kind=kind, at=at, by=user,
                                         action_plan=plan)

    # Events after the end change nothing; an amended plan awaits approval; version 1's
    # approval, recorded at the same moment as version 2's proposal but after it, leaves
    # version 2 awaiting approval; withdrawn and concluded at the same moment.
    referral("EE0001AA", ("sent", 0, None), ("assigned", 1, None),
             ("withdrawn", 2, None), ("session", 3, None), ("concluded", 4, None))
    referral("EE0002AA", ("sent", 0, None), ("assigned", 1, None),
             ("initial_assessment", 2, None), ("plan_submitted", 3, 1),
             ("plan_approved", 4, 1), ("session", 5, None), ("plan_amended", 6, 2))
    referral("EE0003AA", ("sent", 0, None), ("assigned", 1, None),
             ("initial_assessment", 2, None), ("plan_submitted", 3, 1),
             ("plan_submitted", 4, 2), ("plan_approved", 4, 1))
    referral("EE0004AA", ("sent", 0, None), ("plan_submitted", 3, 1), ("session", 4, None),
             ("withdrawn", 5, None), ("concluded", 5, None))
    referral("EE0005AA", ("sent", 0, None), ("plan_submitted", 3, 1),
             ("plan_approved", 4, 1), ("plan_amended", 5, 2), ("plan_approved", 6, 2),
             ("session", 7, None), ("end_of_service_report", 8, None))
    referral("EE0006AA", ("sent", 0, None), ("assigned", 1, None),
             ("initial_assessment", 2, None), ("plan_submitted", 3, 1))
    from omp.commissioning.kpi_sources import rows

    states = {row["state"] for row in rows("referrals")}
    assert states == {"cancelled", "amendment_submitted", "plan_submitted", "ended_early",
                      "report_submitted"}
    _same("referrals")
