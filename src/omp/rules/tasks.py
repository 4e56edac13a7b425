"""PATH-2..5: the work that follows from a person's pathway, as tasks with due dates
derived from the arrival and release dates (the Doncaster "Alliance" model, seed 003 §3.1).

- PATH-2/4, every pathway: an immediate-needs triage (pathway 4: tenancy at risk first),
  due 3 days after arrival.
- PATH-3, pathways 2 and 3: allocate a custody case manager, 2 weeks after arrival.
- PATH-2, pathway 2: OASys assessment and sentence plan by the custody case manager, 8 weeks
  after arrival.
- PATH-3, pathway 3: full needs assessment (NEED-1) and individual support plan, 4 weeks
  after arrival.
- PATH-2, pathways 1-3: full needs assessment before release, 8 weeks before release.
- PATH-5, pathways 1-3: allocate a community case manager and hold the three-way handover
  meeting, between 8 and 6 weeks before release (due at 6).
- PATH-5, pathways 1-3: through-the-gate support from the release date. A release is local
  when the area of the release address is one of the areas the releasing prison serves (its
  "local area", reference data): then voluntary community case management for up to 12
  months (the period ends on the same day 12 months after release); out of that area,
  arms-length support (help to arrange accommodation, signposting to local services and
  periodic phone calls) for the same period. When the release address area or the prison's
  local area is not recorded, nothing is guessed: the task asks for the release address, due
  with the community case manager's (6 weeks before release), and says what is missing.

A sentence of less than 8 weeks gets the triage only (PATH-3). No task is due before the
arrival date; a task whose dates are unknown (no arrival, no release date) is not set.
Times the seed leaves open (3 days, 8 weeks, 4 weeks) are recorded in docs/decisions.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from omp.rules.durations import parse_duration, shift_months
from omp.rules.facts import CaseFacts

#: PATH-5: through-the-gate support lasts up to this many months after release.
SUPPORT_MONTHS = 12
#: The keys of the through-the-gate task: after a local release, after an out-of-area one,
#: and not yet known which (one of them at a time).
LOCAL_SUPPORT, ARMS_LENGTH, SUPPORT_UNDECIDED = (
    "community_case_management", "arms_length_support", "through_the_gate")
THROUGH_THE_GATE_KEYS = frozenset({LOCAL_SUPPORT, ARMS_LENGTH, SUPPORT_UNDECIDED})


@dataclass(frozen=True, slots=True)
class TaskPlan:
    """One task the pathway calls for: a stable key, the rule, what to do, who does it, the
    day it is due and the day its window opens."""

    key: str
    rule: str
    title: str
    owner: str
    due: date
    opens: date
    #: Why the task is set this way, in plain words (empty when the title says it all).
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ReleasePlace:
    """Where a person will live after release, and the releasing prison's local area.

    ``address_area`` is the release address area as recorded (``None`` or empty when not);
    ``local_areas`` the names of the areas the prison serves (``None`` when the prison has
    no local area recorded) and ``local_codes`` their codes (e.g. a PDU's), either of which
    the address area may be recorded as."""

    prison: str
    address_area: str | None
    local_areas: tuple[str, ...] | None
    local_codes: tuple[str, ...] = ()


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def release_is_local(place: ReleasePlace | None) -> tuple[bool | None, str]:
    """PATH-5: whether the release is local (``True``), out of the area (``False``) or not
    known (``None``), with the reason in plain words. Nothing is guessed: a release address
    area or a local area not recorded leaves it unknown, and the reason says which."""
    if place is None or not (place.address_area or "").strip():
        return None, ("The release address area is not recorded, so it is not known whether "
                      "the release is local or out of the area (PATH-5)")
    area = " ".join(place.address_area.split())  # type: ignore[union-attr]
    if not place.local_areas:
        return None, (f"{place.prison} has no local area recorded, so it is not known "
                      f"whether a release to {area} is local (PATH-5)")
    served = ", ".join(place.local_areas)
    known = {_normal(name) for name in (*place.local_areas, *place.local_codes)}
    if _normal(area) in known:
        return True, (f"The release address is in {area}, in {place.prison}'s local area "
                      f"({served}): a local release (PATH-5)")
    return False, (f"The release address is in {area}, outside {place.prison}'s local area "
                   f"({served}): an out-of-area release (PATH-5)")


def support_end(release: date) -> date:
    """PATH-5: the last day of through-the-gate support, 12 calendar months after release
    (clamped to the month's end: released on 29 February, it ends on 28 February)."""
    return shift_months(release, SUPPORT_MONTHS)


def through_the_gate(release: date, place: ReleasePlace | None) -> TaskPlan:
    """PATH-5: the through-the-gate support for a release on ``release`` to ``place``."""
    local, why = release_is_local(place)
    if local is None:
        return TaskPlan(SUPPORT_UNDECIDED, "PATH-5",
                        "Record the release address area to decide the through-the-gate "
                        "support", "Community case manager", release - timedelta(weeks=6),
                        release - timedelta(weeks=8),
                        f"{why}. After a local release the person is offered community case "
                        "management for up to 12 months; after an out-of-area one, "
                        "arms-length support.")
    end = support_end(release)
    period = f"from release on {release:%-d %B %Y} until {end:%-d %B %Y}"
    if local:
        return TaskPlan(LOCAL_SUPPORT, "PATH-5",
                        "Community case management after a local release (voluntary, up to "
                        "12 months)", "Community case manager", end, release,
                        f"{why}. Offered {period}; taking it up is voluntary.")
    return TaskPlan(ARMS_LENGTH, "PATH-5",
                    "Arms-length support after an out-of-area release: help to arrange "
                    "accommodation, signposting to local services, periodic phone calls",
                    "Community case manager", end, release, f"{why}. Offered {period}.")


def _short_sentence(facts: CaseFacts) -> bool:
    """Less than 8 weeks (PATH-3: triage only)."""
    sentence = facts.sentence
    if sentence is None or sentence.length is None or sentence.indeterminate:
        return False
    start = sentence.date or (facts.custody.sentence_start_date if facts.custody else None)
    if start is None:
        return False
    return parse_duration(sentence.length).added_to(start) < start + timedelta(weeks=8)


def plan_tasks(facts: CaseFacts, pathway: int | None, release: date | None,
               place: ReleasePlace | None = None) -> tuple[TaskPlan, ...]:
    """The tasks for a person in custody on ``pathway`` whose earliest release date is
    ``release`` (``None`` when unknown), to be released to ``place`` (``None`` when not
    known)."""
    custody = facts.custody
    if custody is None or pathway is None:
        return ()
    arrival = custody.arrival_date
    tasks: list[TaskPlan] = []

    def add(key: str, rule: str, title: str, owner: str, due: date,
            opens: date | None = None, reason: str = "") -> None:
        floor = arrival or due
        due, opens = max(due, floor), max(opens or floor, floor)
        tasks.append(TaskPlan(key, rule, title, owner, due, min(opens, due), reason))

    if arrival is not None:
        triage = ("Immediate-needs triage, tenancy at risk first" if pathway == 4
                  else "Immediate-needs triage")
        add("triage", "PATH-4" if pathway == 4 else "PATH-2", triage, "Case support worker",
            arrival + timedelta(days=3))
    if pathway == 4 or _short_sentence(facts):
        return tuple(tasks)
    if arrival is not None and pathway in (2, 3):
        add("custody_case_manager", "PATH-3", "Allocate a custody case manager",
            "Custody case manager lead", arrival + timedelta(weeks=2))
    if arrival is not None and pathway == 2:
        add("oasys_sentence_plan", "PATH-2", "OASys assessment and sentence plan",
            "Custody case manager", arrival + timedelta(weeks=8))
    if arrival is not None and pathway == 3:
        add("needs_and_support_plan", "PATH-3",
            "Full needs assessment and individual support plan", "Custody case manager",
            arrival + timedelta(weeks=4))
    if release is not None:
        add("needs_before_release", "PATH-2", "Full needs assessment before release",
            "Custody case manager", release - timedelta(weeks=8))
        add("community_case_manager", "PATH-5",
            "Allocate a community case manager and hold the three-way handover meeting",
            "Community case manager lead", release - timedelta(weeks=6),
            release - timedelta(weeks=8))
        support = through_the_gate(release, place)
        add(support.key, support.rule, support.title, support.owner, support.due,
            support.opens, support.reason)
    return tuple(tasks)

