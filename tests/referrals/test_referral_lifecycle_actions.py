"""Scenario tests of the lifecycle actions: the provider assigns a keyworker from its own
staff, holds the initial assessment, proposes an action plan; the practitioner approves it
(who and when recorded); amendments after approval need a reason and keep every version;
withdrawal at each stage; each refusal names its field and saves nothing; REF-9 (another
provider's referral is not found)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from omp.clock import today
from omp.referrals.actions import (
    ReferralError,
    approve_action_plan,
    assign_keyworker,
    record_initial_assessment,
    save_draft,
    send_referral,
    start_referral,
    submit_action_plan,
    withdraw_referral,
)
from omp.referrals.models import ActionPlan, ReferralEvent, Service
from omp.referrals.queries import (
    end_of_day,
    lifecycle,
    plan_versions,
    states_for,
    timeline,
)
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db
ACTIVITIES = ["Help to apply for housing", "Tenancy skills course"]


@pytest.fixture
def pp(make_user: Any) -> Any:
    return make_user("pp", "com")


@pytest.fixture
def kw(provider_user: Any) -> Any:
    return provider_user("kw", "NWH")


@pytest.fixture
def sent(pp: Any, person: Any, service: Any) -> Any:
    referral = start_referral(pp, person, service)
    save_draft(pp, referral, complete_changes(service))
    return send_referral(pp, referral)


def _fields(error: Any) -> list[str]:
    return [field for field, _message in error.value.problems]


def _to_assessed(kw: Any, referral: Any) -> None:
    assign_keyworker(kw, referral, "kw")
    record_initial_assessment(kw, referral, today(), "Met at the prison.")


def test_sending_is_the_first_event(sent: Any) -> None:
    assert [e.kind for e in sent.events.all()] == ["sent"]
    assert lifecycle(sent).code == "sent"
    assert lifecycle(sent).words == "Sent, waiting for a keyworker"


def test_the_provider_assigns_a_keyworker_of_its_own_staff(
        sent: Any, kw: Any, provider_user: Any) -> None:
    colleague = provider_user("kw2", "NWH")
    provider_user("outsider", "SCR")
    with pytest.raises(ReferralError) as refused:
        assign_keyworker(kw, sent, "outsider")  # staff of another provider
    assert _fields(refused) == ["keyworker"]
    assign_keyworker(kw, sent, "kw")
    assert lifecycle(sent).code == "assigned"
    with pytest.raises(ReferralError) as again:
        assign_keyworker(kw, sent, "kw")
    assert "already the keyworker" in again.value.problems[0][1]
    assign_keyworker(kw, sent, "kw2")  # reassigned: both kept
    assert [e.keyworker for e in sent.events.filter(kind="assigned")] == [kw, colleague]


def test_a_subcontractor_assigns_from_its_own_staff_only(sent: Any, provider_user: Any) -> None:
    haven = provider_user("haven", "HWS")
    provider_user("kw", "NWH")
    with pytest.raises(ReferralError):
        assign_keyworker(haven, sent, "kw")
    assign_keyworker(haven, sent, "haven")


def test_ref9_another_provider_cannot_touch_the_referral(sent: Any, provider_user: Any,
                                                         kw: Any) -> None:
    other = provider_user("rec", "SCR")
    for act in (lambda: assign_keyworker(other, sent, "rec"),
                lambda: record_initial_assessment(other, sent, today()),
                lambda: submit_action_plan(other, sent, 4, ACTIVITIES)):
        with pytest.raises(Http404):
            act()
    assert list(sent.events.values_list("kind", flat=True)) == ["sent"]


def test_roles_are_checked(sent: Any, pp: Any, kw: Any, make_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        assign_keyworker(pp, sent, "kw")  # a practitioner does not assign keyworkers
    with pytest.raises(PermissionDenied):
        withdraw_referral(kw, sent, "MIS")  # a provider does not withdraw
    with pytest.raises(PermissionDenied):
        approve_action_plan(make_user("hom", "head_of_offender_management"), sent, 1)


def test_the_initial_assessment_needs_a_keyworker_and_a_sensible_date(
        sent: Any, kw: Any) -> None:
    with pytest.raises(ReferralError) as early:
        record_initial_assessment(kw, sent, today())
    assert _fields(early) == ["referral"]
    assign_keyworker(kw, sent, "kw")
    for held_on in (today() + timedelta(days=1), today() - timedelta(days=1), None,
                    "2026-02-30"):
        with pytest.raises(ReferralError) as refused:
            record_initial_assessment(kw, sent, held_on)
        assert _fields(refused) == ["held_on"], held_on
    record_initial_assessment(kw, sent, today(), "Met at the prison.")
    assert lifecycle(sent).code == "assessed"
    with pytest.raises(ReferralError) as twice:
        record_initial_assessment(kw, sent, today())
    assert _fields(twice) == ["held_on"]
    assert sent.events.filter(kind="initial_assessment").count() == 1


def test_an_action_plan_needs_the_initial_assessment_first(sent: Any, kw: Any) -> None:
    assign_keyworker(kw, sent, "kw")
    with pytest.raises(ReferralError) as refused:
        submit_action_plan(kw, sent, 4, ACTIVITIES)
    assert _fields(refused) == ["referral"]
    assert not ActionPlan.objects.exists()


@pytest.mark.parametrize("sessions, activities, field", [
    (0, ACTIVITIES, "number_of_sessions"),
    (9, ACTIVITIES, "number_of_sessions"),  # medium complexity: up to 8 sessions
    ("four", ACTIVITIES, "number_of_sessions"),
    (4, [], "activities"),
    (4, ["  ", ""], "activities"),
    (4, ["x" * 501], "activities"),
    (4, [f"Activity {n}" for n in range(21)], "activities"),
])
def test_a_bad_action_plan_is_refused_naming_the_field_and_nothing_is_saved(
        sent: Any, kw: Any, sessions: Any, activities: Any, field: str) -> None:
    _to_assessed(kw, sent)
    with pytest.raises(ReferralError) as refused:
        submit_action_plan(kw, sent, sessions, activities)
    assert _fields(refused) == [field]
    assert not ActionPlan.objects.exists()
    assert lifecycle(sent).code == "assessed"


def test_a_plan_is_approved_by_the_practitioner_who_and_when_recorded(
        sent: Any, kw: Any, pp: Any) -> None:
    _to_assessed(kw, sent)
    plan = submit_action_plan(kw, sent, 6, "Help to apply for housing\n\nTenancy course\n")
    assert plan.version == 1 and plan.activities == ["Help to apply for housing",
                                                     "Tenancy course"]
    assert lifecycle(sent).code == "plan_submitted"
    with pytest.raises(ReferralError) as wrong:
        approve_action_plan(pp, sent, 2)
    assert _fields(wrong) == ["version"]
    approved = approve_action_plan(pp, sent, 1)
    assert approved.approved_by == pp and approved.approved_at is not None
    assert lifecycle(sent).code == "plan_approved"
    with pytest.raises(ReferralError) as again:
        approve_action_plan(pp, sent, 1)
    assert again.value.problems == [("version", "No action plan is waiting for approval")]


def test_an_amendment_after_approval_needs_a_reason_and_every_version_is_kept(
        sent: Any, kw: Any, pp: Any) -> None:
    _to_assessed(kw, sent)
    submit_action_plan(kw, sent, 6, ACTIVITIES)
    approve_action_plan(pp, sent, 1)
    with pytest.raises(ReferralError) as no_reason:
        submit_action_plan(kw, sent, 8, ACTIVITIES)
    assert _fields(no_reason) == ["reason"]
    with pytest.raises(ReferralError) as unchanged:
        submit_action_plan(kw, sent, 6, ACTIVITIES, "No change really")
    assert unchanged.value.problems == [("activities", "Nothing has changed from version 1")]
    submit_action_plan(kw, sent, 8, [ACTIVITIES[0], "Budgeting sessions"],
                       "Rent arrears found")
    state = lifecycle(sent)
    assert state.code == "amendment_submitted"
    assert (state.plan_approved, state.plan_pending) == (1, 2)
    newest, first = plan_versions(sent)
    assert newest.plan.version == 2 and not newest.approved and first.approved
    assert newest.added == ["Budgeting sessions"] and newest.removed == [ACTIVITIES[1]]
    assert newest.sessions_before == 6
    assert newest.plan.reason_for_change == "Rent arrears found"
    approve_action_plan(pp, sent, 2)
    assert lifecycle(sent).plan_approved == 2
    assert ActionPlan.objects.filter(referral=sent).count() == 2
    kinds = [e.kind for e in sent.events.all()]
    assert kinds[-4:] == ["plan_submitted", "plan_approved", "plan_amended", "plan_approved"]


def test_a_newer_proposal_replaces_one_waiting_and_only_the_newest_is_approved(
        sent: Any, kw: Any, pp: Any) -> None:
    _to_assessed(kw, sent)
    submit_action_plan(kw, sent, 6, ACTIVITIES)
    submit_action_plan(kw, sent, 5, ACTIVITIES, "One session fewer")
    with pytest.raises(ReferralError) as stale:
        approve_action_plan(pp, sent, 1)
    assert "version 2 is" in stale.value.problems[0][1]
    approve_action_plan(pp, sent, 2)
    assert ActionPlan.objects.get(referral=sent, version=1).approved_at is None


@pytest.mark.parametrize("stage", range(5))
def test_withdrawal_at_each_stage_ends_the_referral(sent: Any, kw: Any, pp: Any,
                                                   stage: int) -> None:
    steps = [lambda: assign_keyworker(kw, sent, "kw"),
             lambda: record_initial_assessment(kw, sent, today()),
             lambda: submit_action_plan(kw, sent, 6, ACTIVITIES),
             lambda: approve_action_plan(pp, sent, 1)]
    for step in steps[:stage]:
        step()
    withdraw_referral(pp, sent, "MOV", "Moved to Leeds")
    state = lifecycle(sent)
    assert state.ended and state.code == "cancelled"
    for step in steps:
        with pytest.raises(ReferralError) as refused:
            step()
        assert _fields(refused)[0] == "referral"
    with pytest.raises(ReferralError):
        withdraw_referral(pp, sent, "MOV")


def test_withdrawal_needs_a_reason_code_and_comments_for_another_reason(
        sent: Any, pp: Any, person: Any, service: Any) -> None:
    with pytest.raises(ReferralError) as refused:
        withdraw_referral(pp, sent, "XXX")
    assert _fields(refused) == ["reason_code"]
    with pytest.raises(ReferralError) as other:
        withdraw_referral(pp, sent, "ANO", "  ")
    assert _fields(other) == ["comments"]
    draft = start_referral(pp, person, service)
    with pytest.raises(ReferralError) as not_sent:
        withdraw_referral(pp, draft, "MIS")
    assert _fields(not_sent) == ["referral"]
    assert not ReferralEvent.objects.filter(kind="withdrawn").exists()


def test_the_state_on_a_past_day_and_the_timeline(sent: Any, kw: Any, pp: Any) -> None:
    _to_assessed(kw, sent)
    yesterday = end_of_day(today() - timedelta(days=1))
    ReferralEvent.objects.filter(referral=sent, kind="sent").update(at=yesterday)
    assert lifecycle(sent, yesterday).code == "sent"
    assert lifecycle(sent).code == "assessed"
    entries = timeline(sent)
    assert [e.title for e in entries] == ["Initial assessment", "Keyworker assigned",
                                          "Referral sent"]
    assert entries[0].details[0].startswith("Held on ")
    assert [e.title for e in timeline(sent, yesterday)] == ["Referral sent"]
    assert states_for([sent])[sent.pk].code == "assessed"


def test_an_amended_referral_shows_on_the_timeline(sent: Any, pp: Any, service: Any) -> None:
    from omp.referrals.actions import amend_referral

    amend_referral(pp, sent, {"enforceable_days": "12"}, "Court allowed more")
    assert timeline(sent)[0].title == "Referral amended"
    assert "Court allowed more" in timeline(sent)[0].details[0]
    assert lifecycle(sent).code == "sent"


def test_states_for_many_referrals_at_once(pp: Any, person: Any, service: Any) -> None:
    other = start_referral(pp, person, Service.objects.get(title="Recovery support"))
    referral = start_referral(pp, person, service)
    save_draft(pp, referral, complete_changes(service))
    send_referral(pp, referral)
    states = states_for([referral, other])
    assert (states[referral.pk].code, states[other.pk].code) == ("sent",
                                                                 "draft")
