"""The lifecycle pages: the provider assigns a keyworker, records the initial assessment
(GOV.UK date input) and proposes a plan; the practitioner approves it and withdraws the
referral; both sides see the state in words and the timeline, now and on a past day; bad
input is refused naming the field with nothing saved; REF-9 on every new page (another
provider's referral answers 404)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from omp.clock import today
from omp.referrals.actions import (
    assign_keyworker,
    record_initial_assessment,
    save_draft,
    send_referral,
    start_referral,
    submit_action_plan,
)
from omp.referrals.models import ActionPlan, ReferralEvent, Service
from omp.referrals.queries import lifecycle
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db
NEW_PAGES = ("referral-assign", "referral-assessment", "referral-action-plan",
             "referral-action-plan-new", "referral-action-plan-approve", "referral-withdraw")


def _sent(user: Any, person: Any, service: Any) -> Any:
    referral = start_referral(user, person, service)
    save_draft(user, referral, complete_changes(service))
    return send_referral(user, referral)


def _date(name: str, day: Any) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month),
            f"{name}-year": str(day.year)}


@pytest.fixture
def sides(make_user: Any, provider_user: Any, person: Any,
          service: Any) -> tuple[Client, Client, Any]:
    pp = make_user("pp", "com")
    practitioner, keyworker = Client(), Client()
    practitioner.force_login(pp)
    keyworker.force_login(provider_user("kw", "NWH"))
    return practitioner, keyworker, _sent(pp, person, service)


def test_the_provider_and_the_practitioner_take_the_referral_through_its_lifecycle(
        sides: tuple[Client, Client, Any]) -> None:
    practitioner, keyworker, referral = sides
    detail = reverse("referral-detail", args=[referral.pk])
    page = keyworker.get(detail).content.decode()
    assert "Sent, waiting for a keyworker" in page and "Assign a keyworker" in page
    assert "Withdraw the referral" not in page  # the practitioner's step
    assert keyworker.post(reverse("referral-assign", args=[referral.pk]),
                          {"keyworker": "kw"}).url == detail
    response = keyworker.post(reverse("referral-assessment", args=[referral.pk]),
                              {**_date("held_on", today()), "notes": "Met at the prison"})
    assert response.url == detail
    plan_url = reverse("referral-action-plan-new", args=[referral.pk])
    assert "Propose an action plan" in keyworker.get(plan_url).content.decode()
    keyworker.post(plan_url, {"number_of_sessions": "6",
                              "activities": "Housing applications\r\nTenancy course"})
    page = practitioner.get(detail).content.decode()
    assert "Action plan waiting for approval" in page and "Review the action plan" in page
    plan_page = practitioner.get(reverse("referral-action-plan", args=[referral.pk]))
    assert "Approve version 1" in plan_page.content.decode()
    approved = practitioner.post(reverse("referral-action-plan-approve", args=[referral.pk]),
                                 {"version": "1"})
    assert approved.url == detail
    keyworker.post(plan_url, {"number_of_sessions": "8", "reason": "Rent arrears found",
                              "activities": "Housing applications\nBudgeting"})
    for reader in (practitioner, keyworker):
        page = reader.get(detail).content.decode()
        assert "Amended action plan waiting for approval" in page
        assert "Version 1 approved on" in page and "Version 2 waiting for approval" in page
        for title in ("Referral sent", "Keyworker assigned", "Initial assessment",
                      "Action plan submitted", "Action plan approved",
                      "Amended action plan submitted"):
            assert title in page
        plans = reader.get(reverse("referral-action-plan", args=[referral.pk])).content \
            .decode()
        assert "Rent arrears found" in plans and "(was 6)" in plans
        assert "<del>Tenancy course</del>" in plans
    assert "Approve version 2" not in keyworker.get(
        reverse("referral-action-plan", args=[referral.pk])).content.decode()
    withdrawn = practitioner.post(reverse("referral-withdraw", args=[referral.pk]),
                                  {"reason_code": "MOV", "comments": "Moved to Leeds"})
    assert withdrawn.url == detail
    page = keyworker.get(detail).content.decode()
    assert "Cancelled before the service started" in page
    assert "Moved out of the service area" in page and "Moved to Leeds" in page
    assert "Propose a change to the action plan" not in page
    assert "Version 2 waiting for approval" not in page  # never approved, now never will be
    plans = keyworker.get(reverse("referral-action-plan", args=[referral.pk])).content.decode()
    assert "Waiting for approval" not in plans


def test_the_lists_show_the_state_in_words(sides: tuple[Client, Client, Any]) -> None:
    practitioner, keyworker, referral = sides
    for reader in (practitioner, keyworker):
        page = reader.get(reverse("referral-list")).content.decode()
        assert "Sent, waiting for a keyworker" in page


def test_the_timeline_on_a_past_day(sides: tuple[Client, Client, Any]) -> None:
    practitioner, _keyworker, referral = sides
    detail = reverse("referral-detail", args=[referral.pk])
    yesterday = today() - timedelta(days=1)
    page = practitioner.get(detail, _date("on", yesterday)).content.decode()
    assert f"At the end of {yesterday:%-d %B %Y} the referral was" in page
    assert "Draft, not sent" in page and "Nothing had happened by then." in page
    page = practitioner.get(detail, _date("on", today())).content.decode()
    assert "Referral sent" in page
    refused = practitioner.get(detail, {"on-day": "31", "on-month": "2", "on-year": "2026"})
    assert refused.status_code == 400
    assert 'href="#on-day">The date must be a real date' in refused.content.decode()
    future = practitioner.get(detail, _date("on", today() + timedelta(days=2)))
    assert 'The date must be today or in the past' in future.content.decode()


@pytest.mark.parametrize("data, field, message", [
    ({"held_on-day": "31", "held_on-month": "2", "held_on-year": "2026"}, "held_on-day",
     "The date the initial assessment was held must be a real date"),
    ({"held_on-day": "1", "held_on-month": "", "held_on-year": "2026"}, "held_on-month",
     "The date the initial assessment was held must include a month"),
    ({}, "held_on-day", "Enter the date the initial assessment was held"),
    ("future", "held_on-day",
     "The date the initial assessment was held cannot be in the future"),
])
def test_a_bad_assessment_date_is_refused_naming_the_field_and_nothing_is_saved(
        sides: tuple[Client, Client, Any], data: Any, field: str, message: str) -> None:
    _practitioner, keyworker, referral = sides
    from django.contrib.auth.models import User

    assign_keyworker(User.objects.get(username="kw"), referral, "kw")
    if data == "future":
        data = _date("held_on", today() + timedelta(days=3))
    response = keyworker.post(reverse("referral-assessment", args=[referral.pk]), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert f'href="#{field}">{message}' in body
    assert not referral.events.filter(kind="initial_assessment").exists()


@pytest.mark.parametrize("data, field", [
    ({"number_of_sessions": "20", "activities": "One"}, "number_of_sessions"),
    ({"number_of_sessions": "4", "activities": "  \r\n "}, "activities"),
])
def test_a_bad_plan_is_refused_naming_the_field_and_nothing_is_saved(
        sides: tuple[Client, Client, Any], data: dict[str, str], field: str) -> None:
    _practitioner, keyworker, referral = sides
    from django.contrib.auth.models import User

    kw = User.objects.get(username="kw")
    assign_keyworker(kw, referral, "kw")
    record_initial_assessment(kw, referral, today())
    response = keyworker.post(reverse("referral-action-plan-new", args=[referral.pk]), data)
    assert response.status_code == 400
    assert f'href="#{field}"' in response.content.decode()
    assert not ActionPlan.objects.exists()


def test_a_withdrawal_without_a_reason_is_refused(sides: tuple[Client, Client, Any]) -> None:
    practitioner, _keyworker, referral = sides
    response = practitioner.post(reverse("referral-withdraw", args=[referral.pk]), {})
    assert response.status_code == 400
    assert 'href="#reason_code">Choose the reason' in response.content.decode()
    assert lifecycle(referral).code == "sent"


def test_approving_a_version_replaced_meanwhile_is_refused(
        sides: tuple[Client, Client, Any]) -> None:
    practitioner, _keyworker, referral = sides
    from django.contrib.auth.models import User

    kw = User.objects.get(username="kw")
    assign_keyworker(kw, referral, "kw")
    record_initial_assessment(kw, referral, today())
    submit_action_plan(kw, referral, 4, ["One"])
    submit_action_plan(kw, referral, 5, ["One"], "One more session")
    response = practitioner.post(reverse("referral-action-plan-approve", args=[referral.pk]),
                                 {"version": "1"})
    assert response.status_code == 400
    assert "version 2 is" in response.content.decode()
    assert not ActionPlan.objects.filter(approved_at__isnull=False).exists()


def test_ref9_another_provider_gets_404_on_every_new_page(
        client: Client, make_user: Any, person: Any, service: Any,
        provider_user: Any) -> None:
    pp = make_user("pp", "com")
    housing = _sent(pp, person, service)
    draft = start_referral(pp, person, Service.objects.get(title="Recovery support"))
    client.force_login(provider_user("rec", "SCR"))
    for referral in (housing, draft):
        for name in ("referral-assign", "referral-assessment", "referral-action-plan",
                     "referral-action-plan-new"):
            url = reverse(name, args=[referral.pk])
            for response in (client.get(url), client.post(url, {"keyworker": "rec"})):
                assert response.status_code in (404, 405), (name, response.status_code)
                assert response.status_code == 404 or name == "referral-action-plan"
                assert referral.reference not in response.content.decode()
    # The practitioner's pages refuse a provider by role, whatever the referral.
    for name in ("referral-action-plan-approve", "referral-withdraw"):
        assert client.post(reverse(name, args=[housing.pk]),
                           {"version": "1"}).status_code == 403
    assert list(ReferralEvent.objects.values_list("kind", flat=True)) == ["sent"]


def test_practitioners_do_not_take_the_provider_s_steps(
        sides: tuple[Client, Client, Any], client_for: Any) -> None:
    practitioner, _keyworker, referral = sides
    for name in ("referral-assign", "referral-assessment", "referral-action-plan-new"):
        assert practitioner.get(reverse(name, args=[referral.pk])).status_code == 403
    reader = client_for("hom", "head_of_offender_management")
    assert reader.get(reverse("referral-action-plan", args=[referral.pk])).status_code == 200
    assert reader.get(reverse("referral-withdraw", args=[referral.pk])).status_code == 403


def test_every_new_page_is_named() -> None:
    assert all(reverse(name, args=[1]) for name in NEW_PAGES)
