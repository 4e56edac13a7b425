"""Notifications of referral events and messages (REF-7), without an email storm: each user
chooses which kinds notify them.

- REF-7a Every message on a referral is kept: never changed, never deleted.
- REF-7b An event or a message notifies the other people on the referral — the practitioners
  who made and sent it, and the provider's keyworker (before one is assigned, the staff of
  the organisations delivering it) — never the person who caused it.
- REF-7c Each kind notifies a user unless they turned it off; the routine ones (a session
  that took place, the initial assessment, a keyworker changed) are off until turned on.

Pure Python: the kinds and the choice are data.
"""

from __future__ import annotations

from collections.abc import Mapping

MESSAGE = "message"
#: Each kind that can notify, in words, and whether it does until the user chooses.
KINDS: dict[str, tuple[str, bool]] = {
    MESSAGE: ("A message on a referral", True),
    "sent": ("A referral is sent", True),
    "amended": ("A referral is amended", True),
    "assigned": ("A keyworker is assigned or changed", False),
    "initial_assessment": ("The initial assessment is recorded", False),
    "plan_submitted": ("An action plan is proposed", True),
    "plan_amended": ("An amended action plan is proposed", True),
    "plan_approved": ("An action plan is approved", True),
    "session": ("A session took place", False),
    "session_missed": ("A session did not take place", True),
    "end_of_service_report": ("The end-of-service report is submitted", True),
    "concluded": ("A referral is concluded", True),
    "withdrawn": ("A referral is withdrawn", True),
}


def notifies(kind: str, choices: Mapping[str, bool]) -> bool:
    """REF-7c: whether ``kind`` notifies a user who made ``choices`` (kind → on or off)."""
    if kind not in KINDS:
        return False
    return choices.get(kind, KINDS[kind][1])
