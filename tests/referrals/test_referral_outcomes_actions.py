"""Scenario tests of the end-of-service report and the conclusion (REF-6): the provider
rates every desired outcome of the referral, with notes, once delivery has begun; every
problem is named at once with nothing saved; a submitted report is never changed (a
correction is the next version, with its reason); the practitioner concludes the referral
on the newest version and it is completed; another provider finds nothing (REF-9)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from omp.referrals.actions import (
    ReferralError,
    book_session,
    conclude_referral,
    record_attendance,
    submit_end_of_service_report,
    withdraw_referral,
)
from omp.referrals.models import EndOfServiceOutcome, EndOfServiceReport, Referral
from omp.referrals.queries import lifecycle, report_versions, timeline
from tests.referrals.test_referral_sessions_actions import approved_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def pp(make_user: Any) -> Any:
    return make_user("pp", "com")


@pytest.fixture
def kw(provider_user: Any) -> Any:
    return provider_user("kw", "NWH")


def delivered_referral(pp: Any, kw: Any, person: Any, service: Any) -> Referral:
    """An approved referral with one session that took place yesterday."""
    referral = approved_referral(pp, kw, person, service, sessions=4)
    booked = book_session(kw, referral, timezone.localdate() - timedelta(days=1), "10:00", 60,
                          "phone", "", True)
    record_attendance(kw, referral, booked.pk, "yes", "yes", "", "Engaged well.")
    return referral


def ratings_for(referral: Referral, level: str = "achieved") -> dict[int, dict[str, str]]:
    """Every desired outcome of ``referral`` rated ``level``, with notes."""
    return {i: {"achievement": level, "notes": f"Progress on outcome {i}."}
            for i in referral.desired_outcome_ids}


@pytest.fixture
def referral(pp: Any, kw: Any, person: Any, service: Any) -> Referral:
    return delivered_referral(pp, kw, person, service)


def test_the_report_rates_each_outcome_and_the_practitioner_concludes(
        pp: Any, kw: Any, referral: Referral) -> None:
    first, second = referral.desired_outcome_ids
    report = submit_end_of_service_report(kw, referral, {
        first: {"achievement": "achieved", "notes": "Moved into a flat."},
        second: {"achievement": "partly", "notes": "Tenancy course half done."}},
        "Keep in touch with the landlord.")
    assert report.version == 1
    assert lifecycle(referral).code == "report_submitted"
    [shown] = report_versions(referral)
    assert shown.score == 1.5 and shown.out_of == 2
    assert [r.words for r in shown.ratings] == ["Achieved", "Partly achieved"]
    conclude_referral(pp, referral, 1)
    state = lifecycle(referral)
    assert state.code == "completed" and state.ended
    titles = [e.title for e in timeline(referral)]
    assert titles[:2] == ["Concluded", "End-of-service report submitted"]


def test_every_problem_is_named_at_once_and_nothing_saved(kw: Any, referral: Referral) -> None:
    first, second = referral.desired_outcome_ids
    with pytest.raises(ReferralError) as refused:
        submit_end_of_service_report(kw, referral, {
            first: {"achievement": "mostly", "notes": ""}, 99999: {"achievement": "achieved"}})
    fields = [field for field, _ in refused.value.problems]
    assert fields == ["achievement-99999", f"achievement-{first}", f"notes-{first}",
                      f"achievement-{second}", f"notes-{second}"]
    assert not EndOfServiceReport.objects.exists()
    assert not EndOfServiceOutcome.objects.exists()
    assert lifecycle(referral).code == "in_delivery"


def test_a_submitted_report_is_never_changed_a_correction_is_the_next_version(
        pp: Any, kw: Any, referral: Referral) -> None:
    submit_end_of_service_report(kw, referral, ratings_for(referral, "partly"))
    with pytest.raises(ReferralError) as refused:
        submit_end_of_service_report(kw, referral, ratings_for(referral, "achieved"))
    assert refused.value.problems[0][0] == "reason"
    submit_end_of_service_report(kw, referral, ratings_for(referral, "achieved"),
                                 reason="The second outcome was met last week.")
    newest, oldest = report_versions(referral)
    assert (newest.report.version, newest.score) == (2, 2.0)
    assert (oldest.report.version, oldest.score) == (1, 1.0)
    with pytest.raises(ValueError, match="never changed"):
        oldest.report.further_information = "rewritten"
        oldest.report.save()
    with pytest.raises(ValueError, match="never deleted"):
        oldest.report.outcomes.first().delete()
    # The practitioner concludes on the newest version only.
    with pytest.raises(ReferralError) as refused:
        conclude_referral(pp, referral, 1)
    assert refused.value.problems == [("version", "Version 1 is not the newest report: "
                                                  "version 2 is")]
    conclude_referral(pp, referral, 2)
    with pytest.raises(ReferralError):
        submit_end_of_service_report(kw, referral, ratings_for(referral), reason="Late")


def test_no_report_before_a_session_took_place(pp: Any, kw: Any, person: Any,
                                               service: Any) -> None:
    referral = approved_referral(pp, kw, person, service, sessions=4)
    with pytest.raises(ReferralError) as refused:
        submit_end_of_service_report(kw, referral, ratings_for(referral))
    assert "withdraw" in refused.value.problems[0][1]
    with pytest.raises(ReferralError) as refused:
        conclude_referral(pp, referral, 1)
    assert refused.value.problems[0][0] == "version"


def test_after_the_report_no_more_sessions_and_withdrawal_still_ends_it(
        pp: Any, kw: Any, referral: Referral) -> None:
    submit_end_of_service_report(kw, referral, ratings_for(referral))
    with pytest.raises(ReferralError) as refused:
        book_session(kw, referral, timezone.localdate() + timedelta(days=3), "10:00", 60,
                     "phone", "", True)
    assert "end-of-service report" in refused.value.problems[0][1]
    withdraw_referral(pp, referral, "USE")
    assert lifecycle(referral).code == "ended_early"
    with pytest.raises(ReferralError):
        conclude_referral(pp, referral, 1)


def test_roles_and_other_providers(pp: Any, kw: Any, provider_user: Any,
                                   referral: Referral) -> None:
    with pytest.raises(PermissionDenied):
        submit_end_of_service_report(pp, referral, ratings_for(referral))
    with pytest.raises(Http404):
        submit_end_of_service_report(provider_user("other", "SCR"), referral,
                                     ratings_for(referral))
    submit_end_of_service_report(kw, referral, ratings_for(referral))
    with pytest.raises(PermissionDenied):
        conclude_referral(kw, referral, 1)
