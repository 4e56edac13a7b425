"""Disclosure control for aggregates shown to commissioners (COM-4).

A count below 10 for a group is never shown: it could identify a person. A rate is a count
in disguise (rate × size), so when the people reoffending, or the people not reoffending,
number fewer than 10, the rate and its interval are withheld too. Pure Python.
"""

from __future__ import annotations

#: The smallest count shown for a group (COM-4).
MIN_COUNT = 10


def count_shown(count: int) -> bool:
    """COM-4: whether a count may be shown (it is at least ``MIN_COUNT``)."""
    return count >= MIN_COUNT


def rate_suppression(size: int, reoffenders: int) -> str | None:
    """COM-4: why a group's size, count and rate may not all be shown, or ``None`` when they
    may. ``size`` is the group's people, ``reoffenders`` those who reoffended."""
    if not count_shown(size):
        return f"COM-4: fewer than {MIN_COUNT} people in this group, so nothing is shown"
    if not count_shown(reoffenders) or not count_shown(size - reoffenders):
        return (f"COM-4: fewer than {MIN_COUNT} people reoffended or did not, so the count "
                f"and the rate are not shown")
    return None
