"""Sessions and RAR days of a referral (REF-5): which sessions count as activities, which
calendar days count as Rehabilitation Activity Requirement (RAR) days, which are voluntary,
how many sessions of the approved action plan are used, and what may not be booked.

The seed's complaint is that activities and RAR days are confused: "if a person wants to
attend two activities on the same day, they are not counted in the same way towards RAR".
Here they are two separate counts, shown side by side:

- REF-5a An *activity* is a session that took place: the person attended, on time or late,
  and the session happened.
- REF-5b A *RAR day* is a calendar day with at least one enforceable activity, counted once
  however many activities that day, in date order up to the referral's enforceable days;
  none when the referral has no enforceable days.
- REF-5c A day of activity that is not a RAR day is a *voluntary day*: its activities were
  all voluntary, or the enforceable days were already used.
- REF-5d A session *uses* a session of the action plan when it took place or the person did
  not comply; a session that did not happen for an acceptable reason or a logistics failure
  gives its session back, to book again. A rescheduled session is counted once, as its
  latest booking.
- REF-5e A session is booked only while the approved plan has a session left, and as
  enforceable only while a RAR day is left (or on a day already counted).

Pure Python: the facts come in, the counts and their reasons come out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

ATTENDED = "yes"
LATE = "late"
DID_NOT_ATTEND = "no"
#: Attendance as both sides read it.
ATTENDANCE_WORDS = {ATTENDED: "Attended", LATE: "Attended late",
                    DID_NOT_ATTEND: "Did not attend"}

NON_COMPLIANCE = "non_compliance"
ACCEPTABLE_ABSENCE = "acceptable"
LOGISTICS = "logistics"
#: Why a session did not take place: the person's non-compliance is what enforcement acts
#: on; an acceptable absence or a logistics failure is not held against the person.
NO_SESSION_WORDS = {
    NON_COMPLIANCE: "The person did not comply (an unacceptable absence or refusal)",
    ACCEPTABLE_ABSENCE: "The person had an acceptable reason (for example illness)",
    LOGISTICS: "A logistics failure: the session could not run (for example the room or "
               "the keyworker was not available)",
}
#: Reasons that give the session back to the plan (REF-5d).
SESSION_GIVEN_BACK = frozenset({ACCEPTABLE_ABSENCE, LOGISTICS})


@dataclass(frozen=True)
class SessionFacts:
    """One booking of a session, as the rules need it."""

    number: int
    day: date
    enforceable: bool
    #: ``yes``, ``late``, ``no``, or ``None`` while attendance is not recorded.
    attendance: str | None = None
    #: Whether the session happened (``None`` while not recorded).
    happened: bool | None = None
    no_session_reason: str = ""
    #: Replaced by a later booking (rescheduled): counted as that one instead.
    rescheduled: bool = False

    @property
    def recorded(self) -> bool:
        """Attendance has been recorded."""
        return self.attendance is not None

    @property
    def took_place(self) -> bool:
        """REF-5a: attended, on time or late, and the session happened."""
        return (not self.rescheduled and self.attendance in (ATTENDED, LATE)
                and self.happened is not False)

    @property
    def uses_a_session(self) -> bool:
        """REF-5d: counts against the action plan's number of sessions (a booking still to
        be recorded holds its session)."""
        if self.rescheduled:
            return False
        if not self.recorded:
            return True
        return self.took_place or self.no_session_reason not in SESSION_GIVEN_BACK

    @property
    def holds_a_rar_day(self) -> bool:
        """An enforceable booking still to be recorded, or an enforceable activity: its day
        is counted, or will be, as a RAR day."""
        return self.enforceable and not self.rescheduled and (
            not self.recorded or self.took_place)


@dataclass(frozen=True)
class RarCount:
    """Activities and RAR days side by side (REF-5), with the reasons in words."""

    enforceable_days: int
    activities: int
    days_of_activity: int
    rar_dates: tuple[date, ...]
    voluntary_dates: tuple[date, ...]
    sessions_used: int
    reasons: tuple[str, ...]

    @property
    def rar_days(self) -> int:
        """RAR days used."""
        return len(self.rar_dates)

    @property
    def voluntary_days(self) -> int:
        """Days of activity beyond or outside the enforceable ones."""
        return len(self.voluntary_dates)

    @property
    def rar_days_left(self) -> int:
        """Enforceable days not used yet."""
        return max(self.enforceable_days - self.rar_days, 0)


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def count_rar_days(sessions: Iterable[SessionFacts],
                   enforceable_days: int | None) -> RarCount:
    """Activities, RAR days and voluntary days of a referral's sessions (REF-5a..d)."""
    allowed = enforceable_days or 0
    sessions = list(sessions)
    activities = [s for s in sessions if s.took_place]
    days = sorted({s.day for s in activities})
    enforceable_days_seen = sorted({s.day for s in activities if s.enforceable})
    rar = tuple(enforceable_days_seen[:allowed])
    voluntary = tuple(d for d in days if d not in rar)
    used = sum(1 for s in sessions if s.uses_a_session)
    reasons = [
        f"REF-5a: {_plural(len(activities), 'activity', 'activities')}: sessions attended, "
        f"on time or late, that happened.",
        f"REF-5b: {_plural(len(rar), 'RAR day')} of {allowed}: calendar days with an "
        f"enforceable activity, each counted once however many activities that day.",
    ]
    shared = len(activities) - len(days)
    if shared > 0:
        reasons.append(f"REF-5b: {_plural(shared, 'activity', 'activities')} fell on a day "
                       f"that already had one, so {'it adds' if shared == 1 else 'they add'} "
                       f"no RAR day.")
    if not allowed:
        reasons.append("REF-5b: the referral has no enforceable days, so no day is a RAR "
                       "day.")
    beyond = len(enforceable_days_seen) - len(rar)
    if beyond > 0:
        reasons.append(f"REF-5c: {_plural(beyond, 'day')} of enforceable activity came after "
                       f"the {allowed} enforceable days were used: recorded as voluntary.")
    if voluntary:
        reasons.append(f"REF-5c: {_plural(len(voluntary), 'voluntary day')}, apart from the "
                       f"RAR days.")
    reasons.append(f"REF-5d: {_plural(used, 'session')} of the plan used: those that took "
                   f"place, those the person did not comply with and those booked; an "
                   f"acceptable absence or a logistics failure gives its session back.")
    return RarCount(allowed, len(activities), len(days), rar, voluntary, used,
                    tuple(reasons))


def booking_problems(sessions: Iterable[SessionFacts], day: date, enforceable: bool,
                     plan_sessions: int | None, enforceable_days: int | None,
                     replacing: int | None = None) -> list[tuple[str, str]]:
    """Why a session cannot be booked on ``day`` (REF-5e), each naming its field; empty
    when it can. ``replacing`` is the number of the session being rescheduled, whose
    booking is given up for the new one."""
    others = [s for s in sessions if replacing is None or s.number != replacing
              or s.recorded]
    problems: list[tuple[str, str]] = []
    if plan_sessions is None:
        return [("referral", "Sessions are booked against an approved action plan: none is "
                             "approved yet")]
    used = sum(1 for s in others if s.uses_a_session)
    if replacing is None and used >= plan_sessions:
        problems.append(("referral", f"REF-5e: all {plan_sessions} sessions of the approved "
                                     f"action plan are booked or used: propose a change to "
                                     f"the action plan to add sessions"))
    if enforceable:
        allowed = enforceable_days or 0
        held = {s.day for s in others if s.holds_a_rar_day}
        if not allowed:
            problems.append(("enforceable", "REF-5e: the referral has no enforceable (RAR) "
                                            "days: book the session as voluntary"))
        elif day not in held and len(held) >= allowed:
            problems.append(("enforceable", f"REF-5e: the referral's {allowed} enforceable "
                                            f"(RAR) days are all used or booked: book this "
                                            f"session as voluntary, or on a day already "
                                            f"counted"))
    return problems


def next_session_number(sessions: Iterable[SessionFacts]) -> int:
    """The number of the next session to book: the lowest whose session is not held by a
    booking or used (a session given back is booked again under its number)."""
    held = {s.number for s in sessions if s.uses_a_session}
    number = 1
    while number in held:
        number += 1
    return number
