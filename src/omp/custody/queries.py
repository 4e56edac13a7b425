"""Reading custody case management: a person's tasks, needs and support plan, and the tasks
due across cases."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Prefetch, QuerySet

from omp.access import CASE_MANAGER, COM
from omp.cases.models import CustodySpell, Person, Prison
from omp.custody.models import (
    COMMUNITY,
    CUSTODY,
    DONE,
    NEED_AREAS,
    NEED_LEVELS,
    OPEN,
    ActionProgress,
    Allocation,
    LocalArea,
    Need,
    NeedsAssessment,
    PlanReview,
    SupportAction,
    Task,
)
from omp.id_sets import rows_of
from omp.rules.support_plan import LEVELS_WITH_A_NEED, REVIEW_KEY_PREFIX, is_overdue
from omp.rules.tasks import ReleasePlace
from omp.rules.workqueue import Priority, highest, priority


def tasks_of(person: Person) -> tuple[list[Task], list[Task]]:
    """The person's open tasks by due date, and the done ones, newest first."""
    tasks = list(Task.objects.filter(person=person).exclude(status="not_needed")
                 .select_related("completed_by").order_by("due", "id"))
    return ([t for t in tasks if t.status == OPEN],
            sorted((t for t in tasks if t.status == DONE),
                   key=lambda t: t.completed_at or t.due, reverse=True))


@dataclass(frozen=True)
class ReleaseState:
    """Where a person will live (or lives) after release, seen from their latest custody
    spell, and whether they have been released: the spell ended, or its actual release
    date has come. ``released_on`` is ``None`` when a spell ended without that date."""

    place: ReleasePlace
    released: bool
    released_on: date | None


def local_areas() -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """PATH-5 reference data: each prison (by code) with its name, the names of the areas it
    serves and their PDU codes. Every prison is there, an empty local area included."""
    table: dict[str, tuple[str, list[str], list[str]]] = {
        code: (name, [], []) for code, name in Prison.objects.values_list("code", "name")}
    for code, name, pdu in (LocalArea.objects.order_by("name")
                            .values_list("prison__code", "name", "pdu__code")):
        table[code][1].append(name)
        if pdu:
            table[code][2].append(pdu)
    return {code: (name, tuple(names), tuple(codes))
            for code, (name, names, codes) in table.items()}


def release_states(person_ids: Collection[int], on: date,
                   areas: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] | None = None
                   ) -> dict[int, ReleaseState]:
    """:class:`ReleaseState` of each person with a custody spell, in two queries (one when
    ``areas``, :func:`local_areas`, is given): their current spell, or their latest."""
    areas = local_areas() if areas is None else areas
    latest: dict[int, tuple[Any, ...]] = {}
    # Ended spells first, then current ones, each by id: the last row of a person wins.
    wanted = person_ids if isinstance(person_ids, (set, frozenset)) else set(person_ids)
    for row in (CustodySpell.objects.filter(rows_of("person_id", wanted))
                .order_by("person_id", "is_current", "id")
                .values_list("person_id", "is_current", "prison_code",
                             "release_address_area", "actual_release_date")):
        if row[0] in wanted:
            latest[row[0]] = row
    states = {}
    for pid, current, prison, address, actual in latest.values():
        name, names, codes = areas.get(prison, (prison or "The prison", (), ()))
        released = not current or (actual is not None and actual <= on)
        states[pid] = ReleaseState(ReleasePlace(name, address or None, names or None, codes),
                                   released, actual if released else None)
    return states


def tasks_due(today: date, days: int = 14, prison: str | None = None) -> QuerySet[Task]:
    """Open tasks overdue or due within ``days`` of ``today`` for people in custody (at
    ``prison`` when given), the most overdue first."""
    tasks = (Task.objects.filter(status=OPEN, due__lte=today + timedelta(days=days),
                                 person__custody_spells__is_current=True)
             .select_related("person").order_by("due", "id"))
    if prison:
        tasks = tasks.filter(person__custody_spells__prison_code=prison)
    return tasks.distinct()


def needs_of(person: Person) -> tuple[NeedsAssessment | None, int]:
    """The needs assessment in force (the latest) with its needs in the seed's order, and
    how many assessments there are."""
    assessments = NeedsAssessment.objects.filter(person=person)
    latest = (assessments.select_related("recorded_by").order_by("-id").first())
    if latest is not None:
        order = {area: index for index, (area, _) in enumerate(NEED_AREAS)}
        latest.ordered_needs = sorted(latest.needs.all(),
                                      key=lambda need: order[need.area])
    return latest, assessments.count()


@dataclass(frozen=True)
class Caseload:
    """One case manager's caseload now: custody and community cases held, and the total."""

    manager: Any
    custody: int
    community: int

    @property
    def total(self) -> int:
        """Both kinds together, as the cap counts them."""
        return self.custody + self.community

    @property
    def name(self) -> str:
        """The manager's name, or username."""
        return str(self.manager.get_full_name() or self.manager.get_username())


def caseloads() -> list[Caseload]:
    """Every case manager (and COM) with their caseload, the least loaded first: the
    balancing suggestion when allocating (PATH-6)."""
    managers = (User.objects.filter(is_active=True, groups__name__in=(CASE_MANAGER, COM))
                .distinct().order_by("username"))
    counts = {(row["manager"], row["kind"]): row["n"] for row in
              Allocation.objects.filter(ended_on__isnull=True)
              .values("manager", "kind").annotate(n=Count("id"))}
    loads = [Caseload(m, counts.get((m.pk, CUSTODY), 0), counts.get((m.pk, COMMUNITY), 0))
             for m in managers]
    return sorted(loads, key=lambda load: (load.total, load.name))


def case_managers_of(person: Person) -> list[Allocation]:
    """The person's case managers now, custody first."""
    return list(Allocation.objects.filter(person=person, ended_on__isnull=True)
                .select_related("manager").order_by("kind"))


@dataclass(frozen=True)
class CaseloadRow:
    """One person a case manager holds, as their dashboard shows them."""

    allocation: Allocation
    pathway: int | None
    release: date | None
    highest_need: str | None
    priority: Priority
    due_this_week: int
    overdue: int

    @property
    def pathway_words(self) -> str:
        """The pathway in words (PATH-1), as the dashboard shows it."""
        from omp.rules.pathway import PATHWAY_TITLES

        return PATHWAY_TITLES.get(self.pathway, "No pathway decided") if self.pathway \
            else "Not in custody"


def my_caseload(manager: Any, today: date) -> list[CaseloadRow]:
    """The people ``manager`` holds now, in work-queue order (PATH-6: need × time to
    release), each with their pathway, release date, highest need and tasks due."""
    from omp.decisions.models import CurrentDecision, CurrentHandover

    allocations = list(Allocation.objects.filter(manager=manager, ended_on__isnull=True)
                       .select_related("person"))
    ids = [a.person_id for a in allocations]
    pathways = dict(CurrentDecision.objects.filter(person_id__in=ids)
                    .values_list("person_id", "decision__pathway"))
    releases = dict(CurrentHandover.objects.filter(person_id__in=ids)
                    .values_list("person_id", "record__earliest_release_date"))
    latest: dict[int, int] = {}
    for pid, assessment_id in (NeedsAssessment.objects.filter(person_id__in=ids)
                               .order_by("id").values_list("person_id", "id")):
        latest[pid] = assessment_id
    levels: dict[int, list[str]] = {}
    for assessment_id, level in Need.objects.filter(assessment_id__in=latest.values()
                                                    ).values_list("assessment_id", "level"):
        levels.setdefault(assessment_id, []).append(level)
    week = today + timedelta(days=7)
    due: dict[int, tuple[int, int]] = {}
    for pid, when in Task.objects.filter(person_id__in=ids, status=OPEN, due__lte=week
                                         ).values_list("person_id", "due"):
        this_week, overdue = due.get(pid, (0, 0))
        due[pid] = (this_week + (when >= today), overdue + (when < today))
    rows = []
    for allocation in allocations:
        pid = allocation.person_id
        need = highest(levels.get(latest[pid], [])) if pid in latest else None
        release = releases.get(pid)
        this_week, overdue = due.get(pid, (0, 0))
        rows.append(CaseloadRow(allocation, pathways.get(pid), release, need,
                                priority(need, release, today), this_week, overdue))
    return sorted(rows, key=lambda row: row.priority.sort_key)


@dataclass(frozen=True)
class PlanArea:
    """One pathway of the support plan: the need the assessment in force found there (its
    level and detail; ``None`` when not assessed) and the actions written for it, each
    with ``overdue`` set."""

    area: str
    words: str
    level: str | None
    level_words: str
    detail: str
    actions: list[SupportAction]

    @property
    def has_need(self) -> bool:
        """The assessment in force found a need here (an action may be written for it)."""
        return self.level in LEVELS_WITH_A_NEED


@dataclass(frozen=True)
class SupportPlan:
    """A person's support plan as its page shows it (NEED-1, PATH-6): the pathways with a
    need or an action, in the seed's order; the reviews, newest first, each with the
    progress of its actions; the review task open now."""

    assessment: NeedsAssessment | None
    areas: list[PlanArea]
    reviews: list[PlanReview]
    next_review: Task | None
    today: date

    @property
    def actions(self) -> list[SupportAction]:
        """Every action, in pathway order."""
        return [action for area in self.areas for action in area.actions]

    @property
    def open_count(self) -> int:
        """Actions not started or in progress."""
        return sum(1 for action in self.actions if action.is_open)

    @property
    def overdue_count(self) -> int:
        """Open actions past their due date."""
        return sum(1 for action in self.actions if action.overdue)

    @property
    def review_overdue(self) -> bool:
        """The review due has not been recorded by its day."""
        return self.next_review is not None and self.next_review.due < self.today


#: Stands for "not read yet" where ``None`` is a value (no assessment).
_UNREAD: Any = object()


def support_plan_of(person: Person, today: date, *, assessment: Any = _UNREAD,
                    open_tasks: list[Task] | None = None) -> SupportPlan:
    """The person's support plan on ``today``: actions by pathway beside the needs in force,
    the reviews with their progress, and the next review due.

    A caller that has already read the assessment in force (``needs_of``) and the open
    tasks (``tasks_of``) passes them, so that they are not read again."""
    if assessment is _UNREAD:
        assessment = (NeedsAssessment.objects.filter(person=person)
                      .select_related("recorded_by").order_by("-id").first())
    if assessment is None:
        needs: dict[str, Need] = {}
    elif hasattr(assessment, "ordered_needs"):
        needs = {need.area: need for need in assessment.ordered_needs}
    else:
        needs = {need.area: need for need in Need.objects.filter(assessment=assessment)}
    by_area: dict[str, list[SupportAction]] = {}
    for action in (SupportAction.objects.filter(person=person)
                   .select_related("created_by").order_by("due", "id")):
        action.overdue = is_overdue(action.due, action.status, today)
        by_area.setdefault(action.area, []).append(action)
    level_words = dict(NEED_LEVELS)
    areas = []
    for area, words in NEED_AREAS:
        need = needs.get(area)
        level = need.level if need else None
        if not by_area.get(area) and level not in LEVELS_WITH_A_NEED:
            continue
        areas.append(PlanArea(area, words, level,
                              level_words.get(level or "", "Not assessed"),
                              need.detail if need else "",
                              # Open actions first, then those achieved or dropped.
                              sorted(by_area.get(area, []), key=lambda a: not a.is_open)))
    order = {area: index for index, (area, _) in enumerate(NEED_AREAS)}
    reviews = list(PlanReview.objects.filter(person=person).select_related("reviewed_by")
                   .prefetch_related(Prefetch("progress", queryset=ActionProgress.objects
                                              .select_related("action")))
                   .order_by("-reviewed_on", "-id"))
    for review in reviews:
        review.ordered_progress = sorted(review.progress.all(), key=lambda p: (
            order.get(p.action.area, 99), p.action.due, p.action_id))
    if open_tasks is None:
        next_review = (Task.objects.filter(person=person, key__startswith=REVIEW_KEY_PREFIX,
                                           status=OPEN).order_by("due", "id").first())
    else:  # tasks_of's open tasks are in the same (due, id) order
        next_review = next((task for task in open_tasks
                            if task.key.startswith(REVIEW_KEY_PREFIX)), None)
    return SupportPlan(assessment, areas, reviews, next_review, today)


# The support plan's work on needs, for the duplication check of OUT-6 (``omp snapshot``).


@dataclass(frozen=True)
class ActionWork:
    """One support plan action's spell of work on a need (NEED-1): from the day it was
    written to the day it was closed (achieved or no longer needed), ``None`` while it is
    open; with the referral it runs through, by reference, when there is one."""

    person_id: int
    area: str
    referral_reference: str
    start: date
    end: date | None


#: Rows read from the database at a time when the whole national caseload is streamed.
STREAM_CHUNK = 5_000


def support_action_work(leaving_out: QuerySet[Any] | None = None) -> Iterator[ActionWork]:
    """Every support plan action's spell of work (:class:`ActionWork`), in two queries
    streamed in chunks: the history of the closed actions' statuses, for the day each was
    last closed (an action opened again and closed again ends on the later day), and the
    actions. A closed action whose closing the history does not hold ends the day it was
    written, so it never makes an overlap up. ``leaving_out``, a query of referral
    references, leaves out the actions that run through one of them (a subquery: nothing
    is held in memory)."""
    from django.utils import timezone

    from omp.rules.support_plan import OPEN_STATUSES

    chosen = SupportAction.objects.all()
    if leaving_out is not None:
        chosen = chosen.exclude(referral_reference__in=leaving_out)
    closed = chosen.exclude(status__in=OPEN_STATUSES).values("pk")
    closed_on: dict[int, date | None] = {}
    changes = (SupportAction.history.filter(id__in=closed)
               .order_by("id", "history_date", "history_id")
               .values_list("id", "status", "history_date"))
    for action_id, status, changed_at in changes.iterator(chunk_size=STREAM_CHUNK):
        if status in OPEN_STATUSES:
            closed_on[action_id] = None
        elif closed_on.get(action_id) is None:
            closed_on[action_id] = timezone.localtime(changed_at).date()
    actions = (chosen.order_by("pk")
               .values_list("pk", "person_id", "area", "referral_reference", "created_at",
                            "status"))
    for pk, person_id, area, reference, created_at, status in actions.iterator(
            chunk_size=STREAM_CHUNK):
        start = timezone.localtime(created_at).date()
        end = None if status in OPEN_STATUSES else (closed_on.get(pk) or start)
        yield ActionWork(person_id, area, reference, start, end)
