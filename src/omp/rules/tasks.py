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
- PATH-5, pathways 1-3: through-the-gate support on the release date: community case
  management for up to 12 months after a local release, arms-length support otherwise.

A sentence of less than 8 weeks gets the triage only (PATH-3). No task is due before the
arrival date; a task whose dates are unknown (no arrival, no release date) is not set.
Times the seed leaves open (3 days, 8 weeks, 4 weeks) are recorded in docs/decisions.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from omp.rules.durations import parse_duration
from omp.rules.facts import CaseFacts


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


def _short_sentence(facts: CaseFacts) -> bool:
    """Less than 8 weeks (PATH-3: triage only)."""
    sentence = facts.sentence
    if sentence is None or sentence.length is None or sentence.indeterminate:
        return False
    start = sentence.date or (facts.custody.sentence_start_date if facts.custody else None)
    if start is None:
        return False
    return parse_duration(sentence.length).added_to(start) < start + timedelta(weeks=8)


def plan_tasks(facts: CaseFacts, pathway: int | None, release: date | None
               ) -> tuple[TaskPlan, ...]:
    """The tasks for a person in custody on ``pathway`` whose earliest release date is
    ``release`` (``None`` when unknown)."""
    custody = facts.custody
    if custody is None or pathway is None:
        return ()
    arrival = custody.arrival_date
    tasks: list[TaskPlan] = []

    def add(key: str, rule: str, title: str, owner: str, due: date,
            opens: date | None = None) -> None:
        floor = arrival or due
        due, opens = max(due, floor), max(opens or floor, floor)
        tasks.append(TaskPlan(key, rule, title, owner, due, min(opens, due)))

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
        add("through_the_gate", "PATH-5",
            "Through-the-gate support: community case management for up to 12 months after "
            "a local release, arms-length support after an out-of-area one",
            "Community case manager", release)
    return tuple(tasks)

