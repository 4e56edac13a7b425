"""PATH-6: a case manager's work is prioritised by need and time to release, never by who
came first. The priority is the need weight times the time weight, both stated here so the
ordering can be explained on the page:

- need: high 3, medium 2, low 1, no need 0; not yet assessed counts as medium (2), so an
  unassessed person is neither buried nor put first;
- time to release: within 8 weeks 4, within 6 months 3, within 12 months 2, later or not
  known 1.

Equal priorities go by the nearer release date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

NEED_WEIGHTS = {"high": 3, "medium": 2, "low": 1, "none": 0}
NEED_WORDS = {"high": "high need", "medium": "medium need", "low": "low need",
              "none": "no need", None: "needs not yet assessed (counted as medium)"}
UNASSESSED_WEIGHT = 2


@dataclass(frozen=True, slots=True)
class Priority:
    """A person's place in the work queue and why."""

    points: int
    days_to_release: int | None
    explanation: str

    @property
    def sort_key(self) -> tuple[int, int]:
        """Highest points first, then the nearest release (unknown last)."""
        return (-self.points, self.days_to_release if self.days_to_release is not None
                else 10**6)


def _time_weight(days: int | None) -> tuple[int, str]:
    if days is None:
        return 1, "release date not known"
    if days <= 8 * 7:
        return 4, "release within 8 weeks"
    if days <= 183:
        return 3, "release within 6 months"
    if days <= 365:
        return 2, "release within 12 months"
    return 1, "release more than 12 months away"


def priority(highest_need: str | None, release: date | None, today: date) -> Priority:
    """The priority of one person: ``highest_need`` is the highest level of their needs
    assessment in force (``None`` when not assessed)."""
    need = NEED_WEIGHTS.get(highest_need, UNASSESSED_WEIGHT) if highest_need is not None \
        else UNASSESSED_WEIGHT
    days = (release - today).days if release is not None else None
    if days is not None and days < 0:
        days = 0  # released or due now: as urgent as it gets
    time, time_words = _time_weight(days)
    words = NEED_WORDS.get(highest_need, highest_need or "")
    return Priority(need * time, days, f"{words.capitalize()} ({need}) × {time_words} "
                                       f"({time}) = {need * time}")


def highest(levels: list[str]) -> str | None:
    """The highest of need levels, or ``None`` when there are none."""
    known = [level for level in levels if level in NEED_WEIGHTS]
    return max(known, key=NEED_WEIGHTS.__getitem__) if known else None


def within(release: date | None, today: date, weeks: int) -> bool:
    """True when the release date falls within ``weeks`` from ``today`` (and not before)."""
    return release is not None and today <= release <= today + timedelta(weeks=weeks)
