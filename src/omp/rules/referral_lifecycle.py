"""The lifecycle of a referral (REF-4, and the lifecycle of Refer and Monitor): its state is
derived from its timestamped events, never kept in a status field, so the state at any past
moment is the same function applied to the events recorded by then.

Events: sent; assigned to a keyworker; the initial assessment; an action plan submitted, an
amended one submitted after approval, a plan approved; sessions that took place (a session
that did not take place is an event both sides see, which does not move the state); the
end-of-service report;
concluded; withdrawn (at any stage, with a reason code). The function takes the events in
any order and sorts them by time, the order they were recorded in breaking ties.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

SENT = "sent"
AMENDED = "amended"
ASSIGNED = "assigned"
INITIAL_ASSESSMENT = "initial_assessment"
PLAN_SUBMITTED = "plan_submitted"
PLAN_AMENDED = "plan_amended"
PLAN_APPROVED = "plan_approved"
SESSION = "session"
SESSION_MISSED = "session_missed"
END_OF_SERVICE_REPORT = "end_of_service_report"
CONCLUDED = "concluded"
WITHDRAWN = "withdrawn"

#: Each event in words, as the timeline names it.
EVENT_WORDS = {
    SENT: "Referral sent",
    AMENDED: "Referral amended",
    ASSIGNED: "Keyworker assigned",
    INITIAL_ASSESSMENT: "Initial assessment",
    PLAN_SUBMITTED: "Action plan submitted",
    PLAN_AMENDED: "Amended action plan submitted",
    PLAN_APPROVED: "Action plan approved",
    SESSION: "Session took place",
    SESSION_MISSED: "Session did not take place",
    END_OF_SERVICE_REPORT: "End-of-service report submitted",
    CONCLUDED: "Concluded",
    WITHDRAWN: "Withdrawn",
}

#: Each state in words, as both sides see it.
STATE_WORDS = {
    "draft": "Draft, not sent",
    "sent": "Sent, waiting for a keyworker",
    "assigned": "Keyworker assigned, initial assessment to hold",
    "assessed": "Initial assessment held, action plan to come",
    "plan_submitted": "Action plan waiting for approval",
    "plan_approved": "Action plan approved, sessions to start",
    "amendment_submitted": "Amended action plan waiting for approval",
    "in_delivery": "Sessions under way",
    "report_submitted": "End-of-service report submitted",
    "completed": "Completed",
    "cancelled": "Cancelled before the service started",
    "ended_early": "Ended early",
}


#: The lists' tabs: each state in one group, in the order of the work.
STATE_GROUPS = (
    ("drafts", "Drafts", frozenset({"draft"})),
    ("waiting", "Waiting to start", frozenset({"sent", "assigned", "assessed"})),
    ("plan", "Action plan waiting for approval",
     frozenset({"plan_submitted", "amendment_submitted"})),
    ("delivery", "In delivery", frozenset({"plan_approved", "in_delivery",
                                           "report_submitted"})),
    ("ended", "Ended", frozenset({"completed", "cancelled", "ended_early"})),
)


def state_group(code: str) -> str:
    """The key of the group of :data:`STATE_GROUPS` the state ``code`` is in."""
    return next(key for key, _title, codes in STATE_GROUPS if code in codes)


@dataclass(frozen=True)
class LifecycleEvent:
    """One event: its kind, when it was recorded and, for a plan event, the plan's version."""

    kind: str
    at: datetime
    plan_version: int | None = None


@dataclass(frozen=True)
class ReferralState:
    """Where a referral stands, derived from its events."""

    code: str
    keyworker_assigned: bool = False
    assessed: bool = False
    #: The latest plan version submitted and not approved (awaiting approval), if any.
    plan_pending: int | None = None
    #: The latest approved plan version, if any.
    plan_approved: int | None = None
    sessions: int = 0
    report_submitted: bool = False
    ended: bool = False

    @property
    def words(self) -> str:
        """The state as a reader would say it."""
        return STATE_WORDS[self.code]

    @property
    def is_sent(self) -> bool:
        """Sent to the provider."""
        return self.code != "draft"


def _code(sent: bool, ended: str, keyworker: bool, assessed: bool, pending: int | None,
          approved: int | None, sessions: int, report: bool) -> str:
    if ended:
        return ended
    if not sent:
        return "draft"
    if report:
        return "report_submitted"
    if pending is not None:
        return "amendment_submitted" if approved is not None else "plan_submitted"
    if sessions:
        return "in_delivery"
    if approved is not None:
        return "plan_approved"
    if assessed:
        return "assessed"
    return "assigned" if keyworker else "sent"


def summary_state(*, sent: bool, ended_by: str | None, keyworker: bool, assessed: bool,
                  pending: int | None, approved: int | None, sessions: int,
                  report: bool) -> ReferralState:
    """The state :func:`referral_state` derives, from a summary of the events recorded
    before the one that ended the referral (all of them when none did): whether it was sent,
    a keyworker assigned, the initial assessment held and a report submitted; the plan
    version awaiting approval and the latest approved; the sessions that took place; and
    ``ended_by``, the kind of the event that ended it (``CONCLUDED``, ``WITHDRAWN`` or
    ``None``). For a reader that summarises many referrals' events in one query."""
    ended = ("" if ended_by is None else "completed" if ended_by == CONCLUDED
             else "ended_early" if sessions else "cancelled")
    code = _code(sent, ended, keyworker, assessed, pending, approved, sessions, report)
    return ReferralState(code, keyworker, assessed, pending, approved, sessions, report,
                         bool(ended))


def referral_state(events: Iterable[LifecycleEvent],
                   as_at: datetime | None = None) -> ReferralState:
    """The state after every event recorded at or before ``as_at`` (all of them when it is
    ``None``). Events after the referral ended (withdrawn or concluded) change nothing."""
    ordered = sorted(enumerate(events), key=lambda pair: (pair[1].at, pair[0]))
    sent = keyworker = assessed = report = False
    pending: int | None = None
    approved: int | None = None
    sessions = 0
    ended_by: str | None = None
    for _position, event in ordered:
        if as_at is not None and event.at > as_at:
            break
        if ended_by:
            continue
        kind = event.kind
        if kind == SENT:
            sent = True
        elif kind == ASSIGNED:
            keyworker = True
        elif kind == INITIAL_ASSESSMENT:
            assessed = True
        elif kind in (PLAN_SUBMITTED, PLAN_AMENDED):
            pending = event.plan_version
        elif kind == PLAN_APPROVED:
            approved = event.plan_version
            if pending is not None and approved is not None and pending <= approved:
                pending = None
        elif kind == SESSION:
            sessions += 1
        elif kind == END_OF_SERVICE_REPORT:
            report = True
        elif kind in (CONCLUDED, WITHDRAWN):
            ended_by = kind
    return summary_state(sent=sent, ended_by=ended_by, keyworker=keyworker,
                         assessed=assessed, pending=pending, approved=approved,
                         sessions=sessions, report=report)
