"""REF-6 rules: the achievement score, and when a report and a conclusion are allowed."""

from __future__ import annotations

from omp.rules.referral_lifecycle import ReferralState
from omp.rules.referral_outcomes import (
    achievement_score,
    achievement_share,
    conclusion_problems,
    report_problems,
)


def test_ref_6d_score_and_share() -> None:
    assert achievement_score(["achieved", "partly", "not_achieved"]) == 1.5
    assert achievement_share(["achieved", "partly"]) == 0.75
    assert achievement_share([]) is None


def test_ref_6b_a_report_needs_an_approved_plan_and_a_session() -> None:
    assert report_problems(ReferralState("draft"), None, "")[0][0] == "referral"
    assert "ended" in report_problems(ReferralState("cancelled", ended=True), None, "")[0][1]
    assert "approved" in report_problems(ReferralState("assessed"), None, "")[0][1]
    assert "withdraw" in report_problems(ReferralState("plan_approved", plan_approved=1),
                                         None, "")[0][1]
    delivering = ReferralState("in_delivery", plan_approved=1, sessions=1)
    assert report_problems(delivering, None, "") == []


def test_ref_6c_a_correction_needs_a_reason_and_conclusion_the_newest() -> None:
    reported = ReferralState("report_submitted", plan_approved=1, sessions=2,
                             report_submitted=True)
    assert report_problems(reported, 1, "")[0][0] == "reason"
    assert report_problems(reported, 1, "A mistake") == []
    assert conclusion_problems(reported, 2, "2") == []
    assert conclusion_problems(reported, 2, "1")[0][0] == "version"
    assert conclusion_problems(ReferralState("in_delivery", sessions=1), None, "1")[0][0] \
        == "version"
    assert "ended" in conclusion_problems(ReferralState("completed", ended=True), 1, "1")[0][1]
    assert "not been sent" in conclusion_problems(ReferralState("draft"), None, "1")[0][1]
