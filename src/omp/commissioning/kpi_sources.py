"""The rows KPIs are counted over (``omp.rules.kpi.SOURCES``), read from the referrals and
the case store and written as Parquet tables for the engines (``omp.outcomes.kpis``).

A referral belongs to the contract of the service it was sent to (``Referral.service
.contract``, the catalogue contract a ``CommissionedContract`` holds one to one). Each
table is read with one query per model, not one per referral. The rows carry no names or
references of people: only the contract, dates and codes a KPI counts by.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.utils import timezone

from omp.outcomes.kpis import source_schema, source_table_name
from omp.rules.kpi import SOURCES, working_days
from omp.rules.referral_lifecycle import (
    ASSIGNED,
    CONCLUDED,
    INITIAL_ASSESSMENT,
    WITHDRAWN,
    LifecycleEvent,
    referral_state,
)


def _day(moment: Any) -> date | None:
    return None if moment is None else timezone.localtime(moment).date()


def referral_rows() -> list[dict[str, Any]]:
    """One row per sent referral: its contract, category, dates of its lifecycle, its state
    now and its sessions."""
    from omp.referrals.models import ActionPlan, Appointment, Referral, ReferralEvent

    referrals = list(Referral.objects.filter(sent_at__isnull=False).values(
        "pk", "sent_at", "location", "desired_outcome_ids",
        "service__contract__reference", "service__category__code",
        "complexity_level__complexity"))
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
    for referral in referrals:
        mine = events[referral["pk"]]
        state = referral_state([LifecycleEvent(e["kind"], e["at"], e["action_plan__version"])
                                for e in mine])
        assigned = next((_day(e["at"]) for e in mine if e["kind"] == ASSIGNED), None)
        assessed = next((e["happened_on"] or _day(e["at"]) for e in mine
                         if e["kind"] == INITIAL_ASSESSMENT), None)
        ended = next((_day(e["at"]) for e in mine if e["kind"] in (CONCLUDED, WITHDRAWN)),
                     None)
        rows.append({
            "contract": referral["service__contract__reference"],
            "sent_on": _day(referral["sent_at"]),
            "category": referral["service__category__code"],
            "complexity": referral["complexity_level__complexity"],
            "location": referral["location"],
            "keyworker_assigned_on": assigned,
            "initial_assessment_on": assessed,
            "assessment_working_days": (float(working_days(assigned, assessed))
                                        if assigned and assessed else None),
            "state": state.code,
            "ended_on": ended if state.ended else None,
            "sessions_planned": (float(planned[referral["pk"]])
                                 if referral["pk"] in planned else None),
            "sessions_attended": float(attended[referral["pk"]]),
            "desired_outcomes": float(len(referral["desired_outcome_ids"] or [])),
        })
    return rows


def session_rows() -> list[dict[str, Any]]:
    """One row per session booked that was not moved (a moved session counts where it
    went)."""
    from omp.referrals.models import Appointment

    return [{"contract": a["referral__service__contract__reference"],
             "starts_on": _day(a["starts_at"]),
             "category": a["referral__service__category__code"],
             "attendance": a["attendance"] or None, "happened": a["happened"],
             "enforceable": a["enforceable"], "method": a["method"]}
            for a in Appointment.objects.filter(rescheduled_to__isnull=True).values(
                "referral__service__contract__reference", "starts_at",
                "referral__service__category__code", "attendance", "happened",
                "enforceable", "method")]


def outcome_rows() -> list[dict[str, Any]]:
    """One row per support plan action run through a sent referral: its needs pathway, how
    it stands, when it is due and the day a review first found it achieved ("people
    supported into accommodation" counts these; desired outcomes are counted from the
    end-of-service reports, ``end_of_service_rows``)."""
    from omp.custody.models import ActionProgress, SupportAction
    from omp.referrals.models import Referral

    contracts = {r["reference"]: (r["service__contract__reference"],
                                  r["service__category__code"])
                 for r in Referral.objects.filter(sent_at__isnull=False).values(
                     "reference", "service__contract__reference", "service__category__code")}
    achieved: dict[int, date] = {}
    for action_id, day in (ActionProgress.objects.filter(status="achieved")
                           .order_by("review__reviewed_on")
                           .values_list("action_id", "review__reviewed_on")):
        achieved.setdefault(action_id, day)
    rows = []
    for action in SupportAction.objects.exclude(referral_reference="").values(
            "pk", "area", "status", "due", "referral_reference"):
        if action["referral_reference"] not in contracts:
            continue
        contract, category = contracts[action["referral_reference"]]
        rows.append({"contract": contract, "area": action["area"], "category": category,
                     "status": action["status"], "due_on": action["due"],
                     "achieved_on": achieved.get(action["pk"])})
    return rows


def end_of_service_rows() -> list[dict[str, Any]]:
    """One row per desired outcome rated in a referral's end-of-service report (REF-6):
    how far it was achieved (achieved, partly or not) and its part of the achievement
    score. The ratings are the latest version's (a correction replaces them); the row is
    placed on the day the first version was submitted, so a correction changes a month's
    figure without moving it to another month (see docs/decisions.md)."""
    from omp.referrals.models import EndOfServiceOutcome, EndOfServiceReport
    from omp.rules.referral_outcomes import ACHIEVEMENT_SCORES

    reports: dict[int, dict[str, Any]] = {}
    for report in EndOfServiceReport.objects.filter(referral__sent_at__isnull=False).values(
            "pk", "referral_id", "version", "submitted_at",
            "referral__service__contract__reference",
            "referral__service__category__code").order_by("referral_id", "version"):
        first = reports.get(report["referral_id"])
        reports[report["referral_id"]] = {
            **report, "reported_on": first["reported_on"] if first
            else _day(report["submitted_at"])}
    latest = {report["pk"]: report for report in reports.values()}
    return [{"contract": latest[o["report_id"]]["referral__service__contract__reference"],
             "reported_on": latest[o["report_id"]]["reported_on"],
             "category": latest[o["report_id"]]["referral__service__category__code"],
             "achievement": o["achievement"],
             "score": ACHIEVEMENT_SCORES.get(o["achievement"])}
            for o in EndOfServiceOutcome.objects.filter(report_id__in=list(latest)).values(
                "report_id", "achievement").order_by("report_id", "position")]


def feedback_rows() -> list[dict[str, Any]]:
    """One row per person's feedback on the service (REF-6e): the day it was given, the
    service category and how helpful they found it, from 1 (not helpful at all) to 5 (very
    helpful)."""
    from omp.referrals.models import PersonFeedback

    return [{"contract": f["referral__service__contract__reference"],
             "given_on": _day(f["recorded_at"]),
             "category": f["referral__service__category__code"],
             "score": float(f["helpfulness"])}
            for f in PersonFeedback.objects.filter(referral__sent_at__isnull=False).values(
                "referral__service__contract__reference", "recorded_at",
                "referral__service__category__code", "helpfulness").order_by("pk")]


READERS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "referrals": referral_rows, "sessions": session_rows, "outcomes": outcome_rows,
    "end_of_service": end_of_service_rows, "feedback": feedback_rows}


def write_sources(directory: Path, sources: list[str] | None = None) -> dict[str, int]:
    """Write each source's table to ``directory`` as ``kpi_<source>.parquet``; returns how
    many rows each held."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for source in sources or list(SOURCES):
        rows = READERS[source]()
        pq.write_table(pa.Table.from_pylist(rows, schema=source_schema(source)),
                       directory / f"{source_table_name(source)}.parquet")
        written[source] = len(rows)
    return written
