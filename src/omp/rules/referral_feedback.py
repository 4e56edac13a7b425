"""The person's own feedback on a referral (REF-6): a few questions they answer on paper or
on a page that needs no staff account, opened by a one-time link.

- REF-6e The questions: how helpful the service was (a five-point scale), whether they
  would recommend it, and anything they want to say. The scale and the answer are required;
  the words are not.
- REF-6f A link is single use and expires: it opens the form until feedback is given through
  it, or until it expires, whichever comes first; a new link replaces an unused one; a
  referral takes one person's feedback, on paper or through a link.
- REF-6g The page a link opens is rate-limited by address: past a number of attempts in a
  window it refuses, so tokens cannot be guessed by trying.

Pure Python: the facts come in, the problems come out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

#: REF-6e: how helpful, 5 the best.
HELPFULNESS_WORDS = {5: "Very helpful", 4: "Quite helpful", 3: "Neither helpful nor unhelpful",
                     2: "Not very helpful", 1: "Not helpful at all"}
#: REF-6e: would they recommend the service to someone in their position.
RECOMMEND_WORDS = {"yes": "Yes", "not_sure": "Not sure", "no": "No"}
#: How the feedback came in.
CHANNEL_WORDS = {"online": "Online, through a one-time link",
                 "paper": "On a paper form, typed in by staff"}
#: REF-6f: how long a link stays open.
LINK_LIFETIME = timedelta(days=28)
#: REF-6g: at most this many attempts from one address in the window.
ATTEMPT_LIMIT = 30
ATTEMPT_WINDOW = timedelta(minutes=10)
#: The most characters of free text.
COMMENTS_LIMIT = 2000

USED = "used"
EXPIRED = "expired"
#: What the person is told when a link cannot be used, in plain words.
LINK_WORDS = {
    USED: "This link has already been used to give feedback, so it cannot be used again. "
          "Thank you: your answers were kept.",
    EXPIRED: "This link has expired. Ask your keyworker or probation practitioner for a "
             "new one, or for a paper form.",
}


def link_problem(expires_at: datetime, used_at: datetime | None, already_given: bool,
                 now: datetime) -> str | None:
    """REF-6f: why a link cannot be used now (``USED`` or ``EXPIRED``), or ``None``."""
    if used_at is not None or already_given:
        return USED
    if now >= expires_at:
        return EXPIRED
    return None


def answer_problems(helpfulness: Any, recommend: Any, comments: Any
                    ) -> list[tuple[str, str]]:
    """REF-6e: each answer that cannot be accepted, with the field it belongs to."""
    problems = []
    if str(helpfulness or "") not in {str(k) for k in HELPFULNESS_WORDS}:
        problems.append(("helpfulness", "Choose how helpful the service was"))
    if str(recommend or "") not in RECOMMEND_WORDS:
        problems.append(("would_recommend", "Say whether you would recommend the service"))
    text = "" if comments is None else str(comments)
    if len(text) > COMMENTS_LIMIT or not all(c.isprintable() or c in "\r\n\t" for c in text):
        problems.append(("comments", f"Write at most {COMMENTS_LIMIT} characters"))
    return problems


def over_limit(recent_attempts: int) -> bool:
    """REF-6g: whether another attempt from an address that made ``recent_attempts`` in the
    window is refused."""
    return recent_attempts >= ATTEMPT_LIMIT
