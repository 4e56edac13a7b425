"""The person's timeline: what happened to them in custody and after, in date order, in
words: arrivals, transfers and releases, pathway changes (from the stored decisions), case
managers, needs assessments, tasks (due and done), the support plan's actions and reviews,
the compact, and what other domains add.

Custody may not import the domains above it (``referrals``), so they add their entries the
way they add parts to the case page: each registers a :data:`TimelineSource` from its
``AppConfig.ready`` (:func:`register`), a function of the person and the reader that
answers entries read through its own queries, and shown only as that reader may see them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from omp.cases.models import CustodySpell, Person, Prison, PrisonTransfer
from omp.custody.models import (
    DONE,
    NEED_AREAS,
    NEED_LEVELS,
    OPEN,
    Allocation,
    Compact,
    Need,
    NeedsAssessment,
    PlanReview,
    SupportAction,
    Task,
)
from omp.rules.pathway import PATHWAY_TITLES

#: The kinds of entry, in the order they stand on one day (a person arrives before
#: anything else happens that day, and is released after it).
KINDS = ("Custody", "Pathway", "Case manager", "Needs", "Support plan", "Referral", "Task",
         "Compact", "Release")


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened (or is due) on a day: its kind (one of :data:`KINDS`), a
    title and details in words, who did it, a link to where it is kept, and a tag such as
    "Overdue" or "Due"."""

    on: date
    kind: str
    title: str
    by: str = ""
    details: tuple[str, ...] = ()
    link: str = ""
    tag: str = ""
    tag_colour: str = ""

    @property
    def sort_key(self) -> tuple[date, int]:
        """By day, then by the order of :data:`KINDS` within a day."""
        return (self.on, KINDS.index(self.kind) if self.kind in KINDS else len(KINDS))


#: A domain's entries for a person, as a reader may see them.
TimelineSource = Callable[[Person, Any, date], Iterable[TimelineEntry]]
_SOURCES: dict[str, TimelineSource] = {}


def register(name: str, source: TimelineSource) -> None:
    """Add a domain's entries to every timeline (registering a name again replaces it)."""
    _SOURCES[name] = source


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username()) if user else ""


def _day(moment: datetime | date | None) -> date | None:
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def _custody(person: Person, today: date) -> list[TimelineEntry]:
    spells = list(CustodySpell.objects.filter(person=person).order_by("id"))
    names = dict(Prison.objects.values_list("code", "name"))
    entries = []
    for spell in spells:
        prison = names.get(spell.prison_code, spell.prison_code or "prison")
        transfers = list(PrisonTransfer.objects.filter(spell=spell))
        first = transfers[0].from_prison if transfers else spell.prison_code
        if spell.arrival_date:
            held = "on remand" if spell.remand else "to serve a sentence"
            entries.append(TimelineEntry(spell.arrival_date, "Custody",
                                         f"Arrived at {names.get(first, first)}",
                                         details=(f"Held {held}",)))
        for moved in transfers:
            entries.append(TimelineEntry(
                moved.transferred_on, "Custody",
                f"Moved from {names.get(moved.from_prison, moved.from_prison)} to "
                f"{names.get(moved.to_prison, moved.to_prison)}"))
        area = (f"Release address area: {spell.release_address_area}"
                if spell.release_address_area else "Release address area not recorded")
        if spell.actual_release_date and spell.actual_release_date <= today:
            entries.append(TimelineEntry(spell.actual_release_date, "Release",
                                         f"Released from {prison}", details=(area,)))
        elif spell.is_current and spell.conditional_release_date:
            entries.append(TimelineEntry(spell.conditional_release_date, "Release",
                                         f"Expected release from {prison} (conditional "
                                         "release date)", details=(area,), tag="Expected",
                                         tag_colour="grey"))
    return entries


def _pathways(person: Person) -> list[TimelineEntry]:
    from omp.decisions.models import AllocationDecision

    entries: list[TimelineEntry] = []
    before: int | None = None
    started = False
    for pathway, reason, as_of in (AllocationDecision.objects.filter(person=person)
                                   .order_by("id")
                                   .values_list("pathway", "pathway_reason", "as_of")):
        if started and pathway == before:
            continue
        words = (reason or {}).get("explanation", "")
        if pathway is not None:
            title = (PATHWAY_TITLES[pathway] if not started or before is None else
                     f"{PATHWAY_TITLES[pathway]} (was pathway {before})")
            entries.append(TimelineEntry(as_of, "Pathway", title,
                                         details=(words,) if words else ()))
        elif started and before is not None:
            entries.append(TimelineEntry(as_of, "Pathway", "No longer on a pathway",
                                         details=(words or "Not in custody",)))
        started, before = True, pathway
    return entries


def _case_managers(person: Person) -> list[TimelineEntry]:
    entries = []
    for allocation in (Allocation.objects.filter(person=person)
                       .select_related("manager", "allocated_by").order_by("id")):
        kind = allocation.get_kind_display()
        who = _name(allocation.manager)
        details = ((f"Past the caseload cap: {allocation.over_cap_reason}",)
                   if allocation.over_cap_reason else ())
        entries.append(TimelineEntry(allocation.started_on, "Case manager",
                                     f"{kind} allocated: {who}",
                                     by=_name(allocation.allocated_by), details=details))
        if allocation.ended_on:
            entries.append(TimelineEntry(allocation.ended_on, "Case manager",
                                         f"{kind} {who} no longer holds the case"))
    return entries


def _needs(person: Person) -> list[TimelineEntry]:
    areas, levels = dict(NEED_AREAS), dict(NEED_LEVELS)
    order = {area: index for index, (area, _) in enumerate(NEED_AREAS)}
    found: dict[int, list[Need]] = {}
    for need in Need.objects.filter(assessment__person=person):
        found.setdefault(need.assessment_id, []).append(need)
    entries = []
    for assessment in (NeedsAssessment.objects.filter(person=person)
                       .select_related("recorded_by").order_by("id")):
        needs = sorted(found.get(assessment.pk, []), key=lambda n: order.get(n.area, 99))
        details = tuple(f"{areas.get(n.area, n.area)}: {levels.get(n.level, n.level).lower()}"
                        for n in needs if n.level != "none")
        entries.append(TimelineEntry(assessment.assessed_on, "Needs", "Needs assessed",
                                     by=_name(assessment.recorded_by),
                                     details=details or ("No need found in any pathway",)))
    return entries


def _tasks(person: Person, today: date) -> list[TimelineEntry]:
    entries = []
    for task in (Task.objects.filter(person=person, status__in=(OPEN, DONE))
                 .select_related("completed_by").order_by("due", "id")):
        details = (task.reason,) if task.reason else ()
        if task.status == DONE:
            done_on = _day(task.completed_at) or task.due
            entries.append(TimelineEntry(done_on, "Task", f"Done: {task.title}",
                                         by=_name(task.completed_by), details=details))
        else:
            overdue = task.due < today
            entries.append(TimelineEntry(task.due, "Task", f"Due: {task.title}",
                                         details=(f"For the {task.owner.lower()}", *details),
                                         tag="Overdue" if overdue else "To do",
                                         tag_colour="red" if overdue else "blue"))
    return entries


def _support_plan(person: Person) -> list[TimelineEntry]:
    areas = dict(NEED_AREAS)
    entries = []
    for action in (SupportAction.objects.filter(person=person)
                   .select_related("created_by").order_by("id")):
        details = [f"{action.owner}, due {action.due:%-d %B %Y}",
                   f"Now: {action.get_status_display().lower()}"]
        if action.referral_reference:
            details.append(f"Through referral {action.referral_reference}")
        entries.append(TimelineEntry(_day(action.created_at) or action.due, "Support plan",
                                     f"Action added for {areas[action.area].lower()}: "
                                     f"{action.action}", by=_name(action.created_by),
                                     details=tuple(details)))
    for review in (PlanReview.objects.filter(person=person).select_related("reviewed_by")
                   .order_by("reviewed_on", "id")):
        entries.append(TimelineEntry(review.reviewed_on, "Support plan",
                                     "Support plan reviewed", by=_name(review.reviewed_by),
                                     details=(review.summary,) if review.summary else ()))
    return entries


def _compact(person: Person) -> list[TimelineEntry]:
    compact = Compact.objects.filter(person=person).first()
    if compact is None:
        return []
    entries = []
    before = None
    for row in compact.history.select_related("history_user").order_by("history_id"):
        by = _name(row.history_user)
        if before is None:
            entries.append(TimelineEntry(row.agreed_on, "Compact", "Compact agreed", by=by))
        elif row.provision != before:
            words = "Basic provision" if row.provision == "basic" else "Full provision"
            entries.append(TimelineEntry(row.changed_on, "Compact", f"Moved to "
                                         f"{words.lower()}", by=by,
                                         details=(row.reason,) if row.reason else ()))
        before = row.provision
    return entries


def timeline_of(person: Person, user: Any, today: date) -> list[TimelineEntry]:
    """Everything on the person's timeline as ``user`` may see it, in date order (the
    oldest first; within a day, arrival first and release last)."""
    entries = [*_custody(person, today), *_pathways(person), *_case_managers(person),
               *_needs(person), *_tasks(person, today), *_support_plan(person),
               *_compact(person)]
    for source in _SOURCES.values():
        entries.extend(source(person, user, today))
    return sorted(entries, key=lambda entry: entry.sort_key)
