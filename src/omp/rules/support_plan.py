"""NEED-1 and PATH-6: the individual support plan and its fortnightly review.

- NEED-1: a support plan links the needs found by the needs assessment to actions, each with
  an owner and a due date, and to referrals. An action is written for a pathway the
  assessment in force found a need in (low, medium or high); it is not due before the
  person arrived in custody (nothing can be done for them here before that), and a new
  action is not due before the day it is written.
- PATH-6: the plan is reviewed fortnightly (the seed: "fortnightly review meetings to
  ensure referrals are progressed"): the first review is due 14 days after the first action
  is written, each next one 14 days after the last review, while any action is open. A
  review records the progress of every open action.
- A review is held on a day not after today, not before its cycle started (the day the
  plan's first action was written, or the plan started again) and after the last review;
  it records the progress and the status after it of every action open when it was held.
- An action is overdue when it is open after its due date; a review is overdue after the
  day it was due.
- A referral an action runs through is named by its reference: two letters, four digits
  and two letters (e.g. AB1234AC), as references are made (REF-1).

The review is a task (:class:`omp.rules.tasks.TaskPlan`) with its own key, so that it sits
in every list of tasks and the pathway's own tasks never touch it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from omp.rules.tasks import TaskPlan

#: PATH-6: the review cycle of a support plan.
REVIEW_INTERVAL = timedelta(days=14)
#: The key of every review task starts so (``plan_review_1``, ``plan_review_2``, ...).
REVIEW_KEY_PREFIX = "plan_review_"
#: Statuses of an action; the first two are open.
NOT_STARTED, IN_PROGRESS, ACHIEVED, DROPPED = "not_started", "in_progress", "achieved", "dropped"
ACTION_STATUSES = ((NOT_STARTED, "Not started"), (IN_PROGRESS, "In progress"),
                   (ACHIEVED, "Achieved"), (DROPPED, "No longer needed"))
OPEN_STATUSES = frozenset({NOT_STARTED, IN_PROGRESS})
#: Need levels an action may be written for (NEED-1: a need was found).
LEVELS_WITH_A_NEED = frozenset({"low", "medium", "high"})
#: A referral's reference: two letters, four digits, two letters.
_REFERENCE = re.compile(r"[A-Z]{2}[0-9]{4}[A-Z]{2}", re.ASCII)


def is_review_key(key: str) -> bool:
    """True for the key of a support plan review task."""
    return key.startswith(REVIEW_KEY_PREFIX)


def review_task(number: int, after: date) -> TaskPlan:
    """PATH-6: the ``number``-th review of the plan, due 14 days after ``after`` (the day the
    plan started, or the last review)."""
    due = next_review_due(after)
    return TaskPlan(f"{REVIEW_KEY_PREFIX}{number}", "PATH-6",
                    "Fortnightly review of the support plan", "Case manager", due, after)


def action_due_problem(due: date, arrival: date | None, written_on: date | None) -> str | None:
    """NEED-1: ``None`` when an action may be due on ``due``, else what is wrong, in words.

    ``arrival`` is the day the person arrived in custody (``None`` when not known);
    ``written_on`` is today for a new action or a due date being changed (``None`` when an
    existing due date is kept as it was)."""
    if arrival is not None and due < arrival:
        return (f"must be on or after {arrival:%-d %B %Y}, the day the person arrived in "
                "custody")
    if written_on is not None and due < written_on:
        return f"must be today or later, not {due:%-d %B %Y}"
    return None


def area_problem(area_words: str, level: str | None) -> str | None:
    """NEED-1: ``None`` when the needs assessment in force found a need in the pathway
    (``level`` its level there, ``None`` when not assessed), else why no action is written."""
    if level is None:
        return "Record a needs assessment first: the support plan is written from it"
    if level not in LEVELS_WITH_A_NEED:
        return (f"The needs assessment in force found no need in {area_words.lower()}: "
                "choose a pathway with a need, or assess needs again")
    return None


def is_overdue(due: date, status: str, today: date) -> bool:
    """An open action (or review) past its due date."""
    return status in OPEN_STATUSES and due < today


def next_review_due(after: date) -> date:
    """PATH-6: the day the review after ``after`` (the day the plan started, or the day of
    the last review) is due."""
    return after + REVIEW_INTERVAL


def review_day_problem(held_on: date, today: date, started: date | None,
                       last_review: date | None) -> str | None:
    """PATH-6: ``None`` when a review may be recorded as held on ``held_on``, else what is
    wrong, in words. ``started`` is the day the review cycle started (the plan's first
    action written, or the plan started again; ``None`` when not known); ``last_review``
    the day of the last review recorded (``None`` before the first)."""
    if held_on > today:
        return f"must be today or earlier, not {held_on:%-d %B %Y}"
    if last_review is not None and held_on <= last_review:
        return f"must be after the last review, held on {last_review:%-d %B %Y}"
    if started is not None and held_on < started:
        return f"must be on or after {started:%-d %B %Y}, when the plan started"
    return None


def normal_reference(text: str) -> str:
    """A referral reference as typed, without spaces and in capitals."""
    return "".join(text.split()).upper()


def referral_reference_problem(reference: str) -> str | None:
    """``None`` when ``reference`` (as :func:`normal_reference` gives it) is empty or has the
    shape of a referral's reference, else what is wrong."""
    if not reference or _REFERENCE.fullmatch(reference):
        return None
    return ("Enter the referral's reference as two letters, four numbers and two letters, "
            "for example AB1234AC, or leave it empty")
