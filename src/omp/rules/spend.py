"""What a referral costs under its contract's unit costs (COM-1, seed 004's "current spend
by segment").

A unit cost is free text (an item, a unit such as "per session", and a price). Three units
can be counted from the referral record, so only these are priced:

- "per referral": once, for a referral sent in the period;
- "per session": each session that took place in the period;
- "per completed referral": once, for a referral concluded in the period.

Any other unit is not priced (it cannot be counted from the record) and is named so that the
page can say so; a referral whose contract has no unit costs is counted, but costs nothing.
Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

REFERRAL = "per referral"
SESSION = "per session"
COMPLETED = "per completed referral"
#: The units priced, in the order the page names them.
PRICED_UNITS = (REFERRAL, SESSION, COMPLETED)


def unit_key(unit: str) -> str | None:
    """The priced unit ``unit`` is (case and spaces ignored), or ``None`` when it is not
    one that can be counted from the referral record."""
    words = " ".join(unit.lower().split())
    return words if words in PRICED_UNITS else None


@dataclass(frozen=True)
class ReferralActivity:
    """What one referral did in the period: sent in it, sessions held in it, concluded in
    it."""

    sent: bool
    sessions: int
    completed: bool


def referral_spend(costs: Iterable[tuple[str, Decimal]], activity: ReferralActivity
                   ) -> dict[str, Decimal]:
    """The referral's spend by priced unit, from its contract's (unit, price) costs; a
    unit priced twice is paid twice (two items per session, say)."""
    spend = dict.fromkeys(PRICED_UNITS, Decimal("0"))
    for unit, price in costs:
        key = unit_key(unit)
        if key == REFERRAL and activity.sent:
            spend[key] += price
        elif key == SESSION:
            spend[key] += price * activity.sessions
        elif key == COMPLETED and activity.completed:
            spend[key] += price
    return spend


def unpriced_units(costs: Iterable[tuple[str, Decimal]]) -> list[str]:
    """The units that cannot be priced from the record, each once, in order."""
    found: list[str] = []
    for unit, _ in costs:
        if unit_key(unit) is None and unit not in found:
            found.append(unit)
    return found
