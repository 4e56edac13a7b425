"""The only writers of custody case management: each in one transaction, with the acting
user and the history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from omp import id_sets
from omp.access import (
    CASE_MANAGER,
    CASELOAD_ALLOCATORS,
    CASELOAD_MANAGERS,
    COM,
    TASK_WORKERS,
    has_role,
    require_role,
)
from omp.cases.actions import ActionError
from omp.cases.models import Person
from omp.clock import today
from omp.config import get_settings
from omp.custody.models import (
    BASIC,
    COMMUNITY,
    CUSTODY,
    DONE,
    FULL,
    NEED_AREAS,
    NEED_LEVELS,
    NOT_NEEDED,
    OPEN,
    Allocation,
    Compact,
    Need,
    NeedsAssessment,
    Task,
)
from omp.custody.queries import ReleaseState, release_states
from omp.id_sets import rows_of
from omp.rules.facts import CaseFacts
from omp.rules.support_plan import is_review_key
from omp.rules.tasks import THROUGH_THE_GATE_KEYS, TaskPlan, plan_tasks, through_the_gate


def _save(task: Task, user: Any) -> None:
    task._history_user = user if getattr(user, "pk", None) else None
    task.save()


def _plans(facts: CaseFacts, pathway: int | None, release: date | None,
           state: ReleaseState | None, existing: dict[str, Task]) -> dict[str, TaskPlan]:
    """What the person's tasks should be: in custody, what the pathway calls for (PATH-2..5);
    once released, only the through-the-gate support, from the day they were released, for
    a person whose pathway called for it (PATH-5)."""
    place = state.place if state is not None else None
    if state is None or not state.released:
        return {plan.key: plan for plan in plan_tasks(facts, pathway, release, place)}
    supported = any(key in THROUGH_THE_GATE_KEYS and task.status != NOT_NEEDED
                    for key, task in existing.items())
    if not supported or state.released_on is None:
        return {}
    plan = through_the_gate(state.released_on, place)
    return {plan.key: plan}


def review_ended(task: Task, state: ReleaseState) -> None:
    """PATH-6: an open review of the support plan is no longer needed once the person is
    released, the plan's custody part having ended; the reason says so."""
    on = f" on {state.released_on:%-d %B %Y}" if state.released_on else ""
    task.status = NOT_NEEDED
    task.reason = (f"Released{on}: the custody part of the support plan has ended, so its "
                   "fortnightly review is no longer needed (PATH-6)")


def _new_task(person_id: int, plan: TaskPlan) -> Task:
    return Task(person_id=person_id, key=plan.key, rule=plan.rule, title=plan.title,
                owner=plan.owner, opens=plan.opens, due=plan.due, reason=plan.reason)


def _reconcile(person_id: int, plans: dict[str, TaskPlan], existing: dict[str, Task],
               state: ReleaseState | None = None) -> tuple[list[TaskPlan], list[Task]]:
    """The tasks to create (their plans) and the tasks changed so that a person's tasks are what
    ``plans`` call for: new ones set, open ones moved with the dates, done ones kept as they
    were, open ones no longer called for marked "no longer needed". Once the person is
    released (``state``), the open review of the support plan ends with its custody part,
    and a through-the-gate task whose release day is not known is kept as it was."""
    released = state is not None and state.released
    created: list[TaskPlan] = []
    changed: list[Task] = []
    for key, plan in plans.items():
        task = existing.get(key)
        if task is None:
            created.append(plan)
            continue
        if task.status == DONE:
            continue  # completed work is never moved or lost
        wanted = {"rule": plan.rule, "title": plan.title, "owner": plan.owner,
                  "opens": plan.opens, "due": plan.due, "status": OPEN,
                  "reason": plan.reason}
        if any(getattr(task, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(task, name, value)
            changed.append(task)
    for key, task in existing.items():
        if key in plans or task.status != OPEN:
            continue
        if is_review_key(key):
            # PATH-6: the support plan's reviews follow the plan, not the pathway, until
            # the plan's custody part ends with the release.
            if released:
                assert state is not None
                review_ended(task, state)
                changed.append(task)
            continue
        if released and key in THROUGH_THE_GATE_KEYS and not plans:
            continue  # released on a day not recorded: the support stays as it was set
        task.status = NOT_NEEDED
        changed.append(task)
    return created, changed


def refresh_tasks(person: Person, facts: CaseFacts, pathway: int | None,
                  release: date | None, user: Any = None) -> list[Task]:
    """Make the person's tasks what their pathway and dates call for (PATH-2..5): new tasks
    are set, open ones move with the dates, done ones are kept as they were, and open ones
    no longer called for become "no longer needed". Runs in the caller's transaction (the
    one that changed the case); returns the open tasks."""
    existing = {task.key: task for task in Task.objects.select_for_update()
                .filter(person=person)}
    state = release_states([person.pk], facts.as_of).get(person.pk)
    plans = _plans(facts, pathway, release, state, existing)
    created, changed = _reconcile(person.pk, plans, existing, state)
    for task in (*(_new_task(person.pk, plan) for plan in created), *changed):
        _save(task, user)
    return list(Task.objects.filter(person=person, status=OPEN).order_by("due", "id"))


#: The fields a refresh may change on a task.
_MOVABLE = ["rule", "title", "owner", "opens", "due", "status", "reason"]


def refresh_tasks_of(cases: list[tuple[int, CaseFacts, int | None, date | None]]) -> int:
    """:func:`refresh_tasks` for many people at once, each ``(person id, facts, pathway,
    release)``: one read of their tasks and bulk writes, with the history, in the caller's
    transaction. The same tasks as one person at a time; returns how many were written."""
    if not cases:
        return 0
    existing: dict[int, dict[str, Task]] = {}
    wanted = {pid for pid, *_ in cases}
    for task in Task.objects.select_for_update().filter(rows_of("person_id", wanted)):
        if task.person_id in wanted:
            existing.setdefault(task.person_id, {})[task.key] = task
    created: list[tuple[int, TaskPlan]] = []
    changed: list[Task] = []
    states = release_states(wanted, cases[0][1].as_of)
    for pid, facts, pathway, release in cases:
        tasks = existing.get(pid, {})
        state = states.get(pid)
        new, moved = _reconcile(pid, _plans(facts, pathway, release, state, tasks), tasks,
                                state)
        created += ((pid, plan) for plan in new)
        changed += moved
    if created:
        _create_with_history(created)
    if changed:
        bulk_update_with_history(changed, Task, _MOVABLE, batch_size=1_000)
    return len(created) + len(changed)


def _create_with_history(created: list[tuple[int, TaskPlan]]) -> None:
    """Insert new tasks, each ``(person id, plan)``, and their "created" history rows as
    plain rows (:func:`omp.bulk_sql.insert_rows`): the rows ``bulk_create_with_history``
    writes, without building a model instance per task and per history row, which cost most
    of a first night. Each history row copies the task's tracked fields with the user the
    request (if any) names, no change reason and one date for the batch."""
    from django.db import connection

    from omp.bulk_sql import insert_rows

    fields = [field for field in Task._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    values = [{**defaults, "person_id": pid, "key": plan.key, "rule": plan.rule,
               "title": plan.title, "owner": plan.owner, "opens": plan.opens, "due": plan.due,
               "reason": plan.reason} for pid, plan in created]
    with connection.cursor() as cursor:
        insert_rows(cursor, _insert_sql(Task._meta.db_table, [f.column for f in fields]),
                    [tuple(task[f.attname] for f in fields) for task in values])
        # Every task of the range: the new ones are found by person and key among them.
        ids = {(pid, key): pk for pid, key, pk in Task.objects.filter(
            rows_of("person_id", {pid for pid, _ in created}))
            .values_list("person_id", "key", "pk")}
        history = Task.history.model
        user = history.get_default_history_user(_new_task(*created[0]))
        when = connection.ops.adapt_datetimefield_value(timezone.now())
        tracked = [field.attname for field in history.tracked_fields]
        rows = []
        for task in values:
            task["id"] = ids[task["person_id"], task["key"]]
            rows.append((*(task[name] for name in tracked), when, None, "+",
                         getattr(user, "pk", None)))
        insert_rows(cursor, _insert_sql(history._meta.db_table, [
            *(f.column for f in history.tracked_fields), "history_date",
            "history_change_reason", "history_type", "history_user_id"]), rows)


def _insert_sql(table: str, columns: list[str]) -> str:
    names = ", ".join(f'"{column}"' for column in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(["%s"] * len(columns))})'


def people_with_open_tasks(person_ids: set[int]) -> set[int]:
    """Which of ``person_ids`` have an open task. The tasks are read by person only (or by
    the range the ids span), and the status kept here: asked for the open ones of a range,
    SQLite, which keeps no statistics, chose the status index and read every open task in
    the country for each chunk of a night, so a first night grew with the square of the
    cases."""
    return {pid for pid, status in Task.objects.filter(rows_of("person_id", person_ids))
            .values_list("person_id", "status") if status == OPEN and pid in person_ids}


def tasks_follow_the_decision(sender: Any, person: Person, facts: CaseFacts,
                              pathway: int | None, release: date | None, user: Any = None,
                              **_: Any) -> None:
    """Receiver of :data:`omp.decisions.signals.case_decided`: the tasks follow the
    pathway and the dates in the transaction that changed them."""
    refresh_tasks(person, facts, pathway, release, user)


def tasks_follow_the_night(sender: Any, as_of: date, low: int, high: int,
                           person_ids: set[int],
                           facts: dict[int, tuple[str, CaseFacts]] | None = None,
                           **_: Any) -> None:
    """Receiver of :data:`omp.decisions.signals.chunk_decided`: in the nightly run, the
    tasks of the cases whose pathway, dates or record moved follow them (PATH-2..5), in the
    chunk's transaction, from the decisions just stored; completed work is kept.

    A case's tasks are set from the facts the night decided it from where its head still
    holds the digest of their rows; any other case's rows (changed by a user since the
    night read them, or out of custody with tasks to settle) are read here."""
    from omp.cases.facts import assemble, rows_in_range
    from omp.decisions.models import CurrentDecision, CurrentHandover

    if not person_ids:
        return
    # Only people in custody, or with tasks to settle, have tasks to follow.
    ids = set(Person.objects.filter(rows_of("pk", person_ids), custody_spells__is_current=True)
              .values_list("pk", flat=True))
    ids |= people_with_open_tasks(person_ids)
    ids &= person_ids
    if not ids:
        return
    shipped = facts or {}
    pathways: dict[int, int | None] = {}
    current: dict[int, CaseFacts] = {}
    for pid, pathway, inputs in CurrentDecision.objects.filter(
            rows_of("person_id", ids)).values_list("person_id", "decision__pathway", "inputs"):
        if pid not in ids:
            continue
        pathways[pid] = pathway
        if pid in shipped and shipped[pid][0] == inputs:
            current[pid] = shipped[pid][1]
    releases = {pid: day for pid, day in CurrentHandover.objects.filter(
        rows_of("person_id", ids)).values_list("person_id", "record__earliest_release_date")
        if pid in ids}
    to_read = ids - current.keys()
    if to_read:
        # Their rows in one query per table, as the night read them: reading each person
        # through the ORM cost about 6 ms a person, most of a night after changes.
        current.update({rows.person[0]: assemble(rows, as_of)
                        for rows in rows_in_range(low, high, as_of, only=_ids_to_read(to_read))
                        if rows.person[0] in to_read})
    refresh_tasks_of([(pid, current[pid], pathways.get(pid), releases.get(pid))
                      for pid in sorted(current)])


def _ids_to_read(ids: set[int]) -> set[int] | None:
    """``ids`` to read them alone, or ``None`` (the whole range, then kept to ``ids``) when
    they are so many that a list of ids would cost more than reading the range (the same
    bound as :func:`omp.id_sets.rows_of`)."""
    return ids if len(ids) <= id_sets.BY_ID else None


def refresh_everyone(chunk: int = 5_000, progress: Callable[[int], None] | None = None
                     ) -> tuple[int, int]:
    """Set every person in custody's tasks from their current decisions (the pathway
    stored with the allocation, the release date the handover counted back from), a chunk
    of people per transaction, read in bulk; returns the people and their open tasks."""
    from omp.cases.facts import assemble, rows_in_range
    from omp.decisions.models import CurrentDecision, CurrentHandover

    ids = list(Person.objects.filter(custody_spells__is_current=True).distinct()
               .order_by("pk").values_list("pk", flat=True))
    on, people = today(), 0
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        wanted = set(part)
        pathways = dict(CurrentDecision.objects.filter(person_id__in=part)
                        .values_list("person_id", "decision__pathway"))
        releases = dict(CurrentHandover.objects.filter(person_id__in=part)
                        .values_list("person_id", "record__earliest_release_date"))
        with transaction.atomic():
            cases = [(rows.person[0], assemble(rows, on), pathways.get(rows.person[0]),
                      releases.get(rows.person[0]))
                     for rows in rows_in_range(part[0], part[-1], on)
                     if rows.person[0] in wanted]
            refresh_tasks_of(cases)
            people += len(cases)
        if progress:
            progress(len(part))
    return people, (Task.objects.filter(status=OPEN, person__custody_spells__is_current=True)
                    .distinct().count())


@transaction.atomic
def complete_task(user: Any, task_id: int, person: Person) -> Task:
    """Mark one of the person's open tasks as done (case managers and offender managers)."""
    require_role(user, TASK_WORKERS)
    task = Task.objects.select_for_update().filter(pk=task_id, person=person).first()
    if task is None:
        raise ActionError("task", "There is no such task for this person")
    if task.status != OPEN:
        raise ActionError("task", "This task is not open")
    if is_review_key(task.key):
        # Done only by recording the review, so that every open action's progress is kept.
        raise ActionError("task", "Record the review on the support plan to complete it")
    task.status, task.completed_at, task.completed_by = DONE, timezone.now(), user
    _save(task, user)
    return task


class InputProblems(ActionError):
    """Several inputs at fault at once, each ``(field, message)``; the first is also the
    error's own field and message."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(*problems[0])
        self.problems = problems


#: The longest detail kept for one need.
DETAIL_LENGTH = 2_000


@transaction.atomic
def record_needs_assessment(user: Any, person: Person, levels: dict[str, str],
                            details: dict[str, str]) -> NeedsAssessment:
    """Record a needs assessment across the seven pathways (NEED-1): a level for every
    pathway and free-text detail. Each is a new version; nothing earlier is changed. A
    missing or unknown level, or a detail too long, is refused naming the field, and
    nothing is saved; every field at fault is named at once."""
    require_role(user, TASK_WORKERS)
    known_levels = {value for value, _ in NEED_LEVELS}
    problems: list[tuple[str, str]] = []
    for area, words in NEED_AREAS:
        level = levels.get(area) or ""
        if level not in known_levels:
            problems.append((f"level_{area}", f"Choose a level for {words.lower()}"
                             if not level else f"Choose one of the levels for {words.lower()}"))
        if len(details.get(area) or "") > DETAIL_LENGTH:
            problems.append((f"detail_{area}", f"Keep the detail for {words.lower()} to "
                                               f"{DETAIL_LENGTH:,} characters"))
    if problems:
        raise InputProblems(problems)
    assessment = NeedsAssessment.objects.create(
        person=person, assessed_on=today(),
        recorded_by=user if getattr(user, "pk", None) else None)
    Need.objects.bulk_create(Need(assessment=assessment, area=area, level=levels[area],
                                  detail=(details.get(area) or "").strip())
                             for area, _ in NEED_AREAS)
    return assessment


#: The key of PATH-3's task "Allocate a custody case manager" (``rules.tasks``).
CUSTODY_CASE_MANAGER_TASK = "custody_case_manager"
#: How near the cap an allocation starts to warn.
CAP_WARNING_MARGIN = 5


@dataclass(frozen=True)
class AllocationResult:
    """The allocation made, the manager's caseload after it, and a warning when it is at
    or near the cap (PATH-6)."""

    allocation: Allocation
    caseload: int
    warning: str | None


def caseload_of(manager: Any) -> int:
    """How many people a case manager holds now (either kind)."""
    return Allocation.objects.filter(manager=manager, ended_on__isnull=True).count()


@transaction.atomic
def allocate_case_manager(user: Any, person: Person, manager: Any, kind: str,
                          over_cap_reason: str = "") -> AllocationResult:
    """Allocate ``manager`` as the person's custody or community case manager (PATH-6),
    ending the one they had of that kind. Past the caseload cap it is refused unless a
    manager (head of offender management) gives a reason; near the cap it warns."""
    require_role(user, CASELOAD_ALLOCATORS)
    if kind not in (CUSTODY, COMMUNITY):
        raise ActionError("kind", "Choose a custody or a community case manager")
    if manager is None or not has_role(manager, frozenset({CASE_MANAGER, COM})):
        raise ActionError("manager", "Choose a case manager from the list")
    cap = get_settings().caseload_cap
    current = Allocation.objects.select_for_update().filter(
        person=person, kind=kind, ended_on__isnull=True).first()
    if current is not None and current.manager_id == manager.pk:
        raise ActionError("manager", f"{_name(manager)} already holds this case")
    load = caseload_of(manager)
    reason = over_cap_reason.strip()
    if load + 1 > cap:
        if not has_role(user, CASELOAD_MANAGERS):
            raise ActionError("manager", f"{_name(manager)} already holds {load} people, the "
                                         f"cap of {cap}: ask a manager to allocate past it, "
                                         "or choose someone with room")
        if not reason:
            raise ActionError("over_cap_reason", f"Say why {_name(manager)} should hold more "
                                                 f"than {cap} people")
    on = today()
    if current is not None:
        current.ended_on = on
        current._history_user = user
        current.save()
    allocation = Allocation(person=person, manager=manager, kind=kind, started_on=on,
                            allocated_by=user if getattr(user, "pk", None) else None,
                            over_cap_reason=reason if load + 1 > cap else "")
    allocation._history_user = user
    allocation.save()
    if kind == CUSTODY:
        # PATH-3's task is this very allocation: done by it, by whoever allocated.
        for task in Task.objects.select_for_update().filter(
                person=person, key=CUSTODY_CASE_MANAGER_TASK, status=OPEN):
            task.status, task.completed_at, task.completed_by = DONE, timezone.now(), user
            _save(task, user)
    after = load + 1
    warning = None
    if after > cap:
        warning = f"{_name(manager)} now holds {after} people, past the cap of {cap}."
    elif after >= cap - CAP_WARNING_MARGIN:  # "near the cap" from there, as the pages say
        warning = f"{_name(manager)} now holds {after} people: the cap is {cap}."
    return AllocationResult(allocation, after, warning)


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


@transaction.atomic
def record_compact(user: Any, person: Person) -> Compact:
    """PATH-7: record the compact as agreed today, with full provision."""
    require_role(user, TASK_WORKERS)
    if Compact.objects.filter(person=person).exists():
        raise ActionError("compact", "A compact is already recorded for this person")
    compact = Compact(person=person, agreed_on=today(), changed_on=today())
    compact._history_user = user
    compact.save()
    return compact


@transaction.atomic
def change_provision(user: Any, person: Person, provision: str, reason: str) -> Compact:
    """PATH-7: move the person to basic provision because the compact was not kept, or back
    to full provision; either way with a reason, kept in the history."""
    require_role(user, TASK_WORKERS)
    compact = Compact.objects.select_for_update().filter(person=person).first()
    if compact is None:
        raise ActionError("compact", "Record the compact first")
    if provision not in (FULL, BASIC):
        raise ActionError("provision", "Choose full or basic provision")
    if provision == compact.provision:
        words = compact.get_provision_display().lower()
        raise ActionError("provision", f"The person already has {words}")
    reason = reason.strip()
    if not reason:
        raise ActionError("reason", "Say why: which part of the compact was not kept, or why "
                                    "full provision is restored")
    if len(reason) > DETAIL_LENGTH:
        raise ActionError("reason", f"Keep the reason to {DETAIL_LENGTH:,} characters")
    compact.provision, compact.reason, compact.changed_on = provision, reason, today()
    compact._history_user = user
    compact.save()
    return compact


#: Longest release address area kept (the spell's field).
AREA_LENGTH = 60


@transaction.atomic
def record_release_address_area(user: Any, person: Person, area: str) -> Any:
    """PATH-5: record where the person will live after release (the area of the release
    address, e.g. a local authority, or ``""`` when not known yet) on their current custody
    spell, and recompute the case in the same transaction, so the through-the-gate task
    becomes community case management (a local release) or arms-length support (out of the
    area). Refused, naming ``area``, when the person is not in custody or the area cannot be
    kept; nothing is saved then."""
    from omp.cases.models import CustodySpell
    from omp.decisions.recompute import recompute_case

    require_role(user, TASK_WORKERS)
    typed = " ".join(str(area or "").split())
    if len(typed) > AREA_LENGTH:
        raise ActionError("area", f"Enter the area in {AREA_LENGTH} characters or fewer")
    if not typed.isprintable():
        raise ActionError("area", "Enter the area in letters, without control characters")
    spell = (CustodySpell.objects.select_for_update().filter(person=person, is_current=True)
             .order_by("-id").first())
    if spell is None:
        raise ActionError("area", "The person is not in custody: there is no release to plan")
    if spell.release_address_area != typed:
        spell.release_address_area = typed
        spell._history_user = user if getattr(user, "pk", None) else None
        spell.save(update_fields=["release_address_area"])
        recompute_case(person, today(), "change", user)
    return spell
