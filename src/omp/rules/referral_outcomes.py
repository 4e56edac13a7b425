"""Outcomes of a referral (REF-6): results, not inputs.

- REF-6a The end-of-service report rates each of the referral's desired outcomes as
  achieved, partly achieved or not achieved, with notes on the progress made; every desired
  outcome is rated once, and no outcome the referral did not aim at.
- REF-6b A report is written once delivery has begun: after an approved action plan and at
  least one session that took place. A referral that never reached a session is withdrawn
  (cancelled), not reported on (as Refer and Monitor's concluder has it).
- REF-6c A submitted report is never changed: a correction before the referral is concluded
  is the next version, with its reason; the practitioner concludes the referral on the
  version they read, which must be the newest.
- REF-6d The achievement score is the sum over outcomes of 1 (achieved), 0.5 (partly) and 0
  (not), as Refer and Monitor exports it for reporting; the share is the score over the
  number of outcomes.

Pure Python: the facts come in, the problems and figures come out.
"""

from __future__ import annotations

from collections.abc import Iterable

from omp.rules.referral_lifecycle import ReferralState

ACHIEVED = "achieved"
PARTLY = "partly"
NOT_ACHIEVED = "not_achieved"
#: Each level in words, as both sides read it.
ACHIEVEMENT_WORDS = {ACHIEVED: "Achieved", PARTLY: "Partly achieved",
                     NOT_ACHIEVED: "Not achieved"}
#: REF-6d: each level's part of the achievement score.
ACHIEVEMENT_SCORES = {ACHIEVED: 1.0, PARTLY: 0.5, NOT_ACHIEVED: 0.0}


def achievement_score(levels: Iterable[str]) -> float:
    """REF-6d: the sum of the outcomes' scores."""
    return sum(ACHIEVEMENT_SCORES[level] for level in levels)


def achievement_share(levels: Iterable[str]) -> float | None:
    """REF-6d: the score over the number of outcomes (``None`` when there are none)."""
    rated = list(levels)
    return achievement_score(rated) / len(rated) if rated else None


def report_problems(state: ReferralState, latest_version: int | None,
                    reason: str) -> list[tuple[str, str]]:
    """REF-6b, REF-6c: why the provider cannot submit an end-of-service report now (empty:
    it can), each with the field it belongs to."""
    if not state.is_sent:
        return [("referral", "The referral has not been sent yet")]
    if state.ended:
        return [("referral", f"The referral has ended ({state.words.lower()}): nothing more "
                             f"can be recorded on it")]
    if state.plan_approved is None:
        return [("referral", "The end-of-service report comes after an approved action plan "
                             "and at least one session")]
    if state.sessions == 0:
        return [("referral", "No session has taken place: ask the probation practitioner to "
                             "withdraw the referral instead")]
    if latest_version is not None and not reason:
        return [("reason", f"Give the reason for changing the report: version "
                           f"{latest_version} stays as it was submitted")]
    return []


def conclusion_problems(state: ReferralState, latest_version: int | None,
                        version: str) -> list[tuple[str, str]]:
    """REF-6c: why the practitioner cannot conclude the referral on report ``version``."""
    if not state.is_sent or state.ended:
        return [("referral", "The referral has ended: it cannot be concluded again"
                 if state.ended else "The referral has not been sent yet")]
    if not state.report_submitted or latest_version is None:
        return [("version", "The provider has not submitted the end-of-service report yet")]
    if str(version) != str(latest_version):
        return [("version", f"Version {version} is not the newest report: version "
                            f"{latest_version} is")]
    return []
