"""Scenario tests of the referral actions: filled from the case record (REF-1), refused
until complete with each missing field named (REF-1, REF-2), eligibility, amendments with a
reason and every version kept, and role checks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from omp.clock import today
from omp.referrals.actions import (
    ReferralError,
    amend_referral,
    save_draft,
    send_referral,
    start_referral,
)
from omp.referrals.models import Referral, Service
from omp.referrals.queries import versions
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db


def test_ref1_a_draft_is_filled_from_the_case_record(make_user: Any, person: Any,
                                                     service: Any) -> None:
    referral = start_referral(make_user("pp", "com"), person, service)
    assert referral.rosh_summary.startswith("Medium risk of serious harm")
    assert "Burglary in a dwelling" in referral.previous_convictions
    assert "Previous conviction, convicted 12 June 2019" in referral.previous_convictions
    assert "Sexual Harm Prevention Order from" in referral.additional_orders
    assert referral.location == "custody"
    assert referral.prison_name  # the prison of the current custody spell
    assert referral.expected_release_date is not None
    assert referral.expected_release_basis
    assert referral.reference[:2].isalpha() and referral.reference.endswith("AC")
    assert not referral.is_sent


def test_ref1_an_incomplete_referral_is_refused_naming_every_missing_field(
        make_user: Any, person: Any, service: Any) -> None:
    user = make_user("pp", "com")
    referral = start_referral(user, person, service)
    with pytest.raises(ReferralError) as refused:
        send_referral(user, referral)
    fields = [field for field, _message in refused.value.problems]
    assert fields == ["complexity_level", "desired_outcomes", "readiness", "enforceable_days",
                      "completion_deadline", "reason_for_referral", "explanation_for_person"]
    referral.refresh_from_db()
    assert referral.sent_at is None


def test_ref1_a_cleared_record_field_is_missing_too(make_user: Any, person: Any,
                                                   service: Any) -> None:
    user = make_user("pp", "pom")  # a pre-release team may refer
    referral = start_referral(user, person, service)
    save_draft(user, referral, {**complete_changes(service), "additional_orders": "  "})
    with pytest.raises(ReferralError) as refused:
        send_referral(user, referral)
    assert [f for f, _ in refused.value.problems] == ["additional_orders"]


def test_ref1_a_person_not_ready_to_engage_cannot_be_referred_yet(
        make_user: Any, person: Any, service: Any) -> None:
    user = make_user("pp", "com")
    referral = start_referral(user, person, service)
    save_draft(user, referral, {**complete_changes(service), "readiness": "not_ready"})
    with pytest.raises(ReferralError) as refused:
        send_referral(user, referral)
    assert refused.value.problems[0][0] == "readiness"


def test_ref1_a_complete_referral_is_sent(make_user: Any, person: Any, service: Any) -> None:
    user = make_user("pp", "case_manager")
    referral = start_referral(user, person, service)
    save_draft(user, referral, complete_changes(service))
    sent = send_referral(user, referral)
    assert sent.sent_at is not None and sent.sent_by == user
    assert [v.number for v in versions(sent)] == [1]
    with pytest.raises(ReferralError):
        send_referral(user, sent)


@pytest.mark.parametrize("changes, field", [
    ({"enforceable_days": "41"}, "enforceable_days"),
    ({"enforceable_days": "ten"}, "enforceable_days"),
    ({"completion_deadline": "2026-02-30"}, "completion_deadline"),
    ({"completion_deadline": (today() - timedelta(days=1)).isoformat()},
     "completion_deadline"),
    ({"complexity_level": 999999}, "complexity_level"),
    ({"desired_outcomes": ["999999"]}, "desired_outcomes"),
    ({"readiness": "maybe"}, "readiness"),
    ({"rosh_summary": "x" * 4001}, "rosh_summary"),
    ({"explanation_for_person": "bad\x00text"}, "explanation_for_person"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
        make_user: Any, person: Any, service: Any, changes: dict[str, Any], field: str) -> None:
    user = make_user("pp", "com")
    referral = start_referral(user, person, service)
    with pytest.raises(ReferralError) as refused:
        save_draft(user, referral, {"reason_for_referral": "kept?", **changes})
    assert [f for f, _ in refused.value.problems] == [field]
    referral.refresh_from_db()
    assert referral.reason_for_referral == ""


def test_an_outcome_of_another_category_is_refused(make_user: Any, person: Any,
                                                   service: Any) -> None:
    from omp.referrals.models import DesiredOutcome

    user = make_user("pp", "com")
    referral = start_referral(user, person, service)
    other = DesiredOutcome.objects.exclude(category=service.category).first()
    with pytest.raises(ReferralError):
        save_draft(user, referral, {"desired_outcomes": [other.pk]})


def test_only_eligible_services_take_a_referral(make_user: Any, person: Any) -> None:
    user = make_user("pp", "com")
    welsh = Service.objects.get(title="Wellbeing and relationships (Wales)")
    womens = Service.objects.get(title="Women's wellbeing service")
    for service in (welsh, womens):  # a man managed in London
        with pytest.raises(ReferralError) as refused:
            start_referral(user, person, service)
        assert refused.value.problems[0][0] == "service"
    assert not Referral.objects.exists()


@pytest.mark.parametrize("role", ["provider", "court_staff", "commissioner", "analyst"])
def test_only_practitioners_and_pre_release_teams_refer(make_user: Any, person: Any,
                                                        service: Any, role: str) -> None:
    with pytest.raises(PermissionDenied):
        start_referral(make_user("someone", role), person, service)


def test_an_amendment_needs_a_reason_keeps_every_version_and_shows_the_change(
        make_user: Any, person: Any, service: Any) -> None:
    user = make_user("pp", "com")
    referral = start_referral(user, person, service)
    save_draft(user, referral, complete_changes(service))
    send_referral(user, referral)
    with pytest.raises(ReferralError) as refused:
        amend_referral(user, referral, {"enforceable_days": "12"}, " ")
    assert refused.value.problems == [("reason", "Give the reason for the change")]
    with pytest.raises(ReferralError) as unchanged:
        amend_referral(user, referral, {"enforceable_days": "10"}, "No change really")
    assert unchanged.value.problems[0][1] == "Nothing has changed"
    amend_referral(user, referral, {"enforceable_days": "12"}, "The order allows more days")
    amend_referral(user, referral, {"readiness": "with_support"}, "Struggling this month")
    shown = versions(referral)
    assert [v.number for v in shown] == [1, 2, 3]
    assert shown[1].reason == "The order allows more days"
    assert shown[1].changes == [("Enforceable (RAR) days", "10", "12")]
    assert shown[2].changes == [("Readiness to engage", "Ready to engage now",
                                 "Ready to engage with support")]
    assert shown[2].by == "pp"
    referral.refresh_from_db()
    assert referral.enforceable_days == 12
    assert referral.history.count() >= 5  # start, draft save, sent and two amendments


def test_an_amendment_cannot_leave_the_referral_incomplete(make_user: Any, person: Any,
                                                           service: Any) -> None:
    user = make_user("pp", "com")
    referral = start_referral(user, person, service)
    save_draft(user, referral, complete_changes(service))
    send_referral(user, referral)
    with pytest.raises(ReferralError) as refused:
        amend_referral(user, referral, {"desired_outcomes": []}, "Oops")
    assert refused.value.problems[0][0] == "desired_outcomes"
    referral.refresh_from_db()
    assert len(referral.desired_outcome_ids) == 2


def test_a_draft_is_not_amended_and_a_sent_referral_is_not_saved_as_a_draft(
        make_user: Any, person: Any, service: Any) -> None:
    user = make_user("pp", "com")
    referral = start_referral(user, person, service)
    with pytest.raises(ReferralError):
        amend_referral(user, referral, {"enforceable_days": "3"}, "why")
    save_draft(user, referral, complete_changes(service))
    send_referral(user, referral)
    with pytest.raises(ReferralError):
        save_draft(user, referral, {"enforceable_days": "3"})
