"""Other agencies' work (seed 001 §2): on a referral, both sides see which other commissioned
services work with the same person now — service category, provider, the day it was sent and
its state in words — and nothing else of those referrals: no reference, notes, plan, session
or keyworker. Ended referrals, drafts, the referral itself and other people's referrals are
not listed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omp.referrals.actions import (
    approve_action_plan,
    assign_keyworker,
    book_session,
    record_attendance,
    record_initial_assessment,
    save_draft,
    send_referral,
    start_referral,
    submit_action_plan,
    withdraw_referral,
)
from omp.referrals.models import Referral, ReferralEvent, Service
from omp.referrals.queries import OtherService, other_agencies_work
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db
#: What provider B records on its referral: none of it may reach provider A's page.
SECRETS = ("Zebra-reason for the employment referral", "Zebra-assessment held at the hostel",
           "Zebra-activity: forklift licence", "Zebra-session notes: talked about debts",
           "Zebra-room, 7 Hidden Road", "Brianna", "Quillfeather", "bquill")


def _sent(pp: Any, person: Any, title: str, days_ago: int = 0, **changes: Any) -> Referral:
    service = Service.objects.select_related("category").get(title=title)
    referral = start_referral(pp, person, service)
    save_draft(pp, referral, {**complete_changes(service), **changes})
    send_referral(pp, referral)
    if days_ago:
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=F("sent_at") - timedelta(days=days_ago))
        ReferralEvent.objects.filter(referral=referral).update(
            at=F("at") - timedelta(days=days_ago))
    referral.refresh_from_db()
    return referral


def _day(days_ago: int) -> Any:
    return timezone.localdate() - timedelta(days=days_ago)


def _words(day: Any) -> str:
    return f"{day:%-d %B %Y}"


def _section(page: str) -> str:
    start = page.index('id="other-services"')
    return page[start:page.index("</section>", start)]


@pytest.fixture
def pp(make_user: Any) -> Any:
    return make_user("pp", "com")


@pytest.fixture
def two_providers(pp: Any, provider_user: Any, person: Any,
                  service: Any) -> tuple[Referral, Referral, Any, Any]:
    """Provider A (Northway Housing Trust) has the housing referral; provider B (Pathfinder
    Employment) has an employment referral sent ten days ago, with its keyworker, notes,
    an approved plan and a session that took place."""
    kw_a = provider_user("kwa", "NWH")
    kw_b = provider_user("bquill", "PFE")
    kw_b.first_name, kw_b.last_name = "Brianna", "Quillfeather"
    kw_b.save()
    mine = _sent(pp, person, service.title)
    theirs = _sent(pp, person, "Into work and learning", days_ago=10,
                   reason_for_referral=SECRETS[0])
    assign_keyworker(kw_b, theirs, "bquill")
    record_initial_assessment(kw_b, theirs, _day(9), SECRETS[1])
    submit_action_plan(kw_b, theirs, 6, [SECRETS[2]])
    approve_action_plan(pp, theirs, 1)
    session = book_session(kw_b, theirs, _day(2), "10:00", 60, "in_person_other", SECRETS[4],
                           True)
    record_attendance(kw_b, theirs, session.pk, "yes", "yes", "", SECRETS[3])
    return mine, theirs, kw_a, kw_b


def test_a_provider_sees_who_else_works_with_the_person_and_nothing_of_their_work(
        two_providers: tuple[Referral, Referral, Any, Any]) -> None:
    mine, theirs, kw_a, _kw_b = two_providers
    keyworker = Client()
    keyworker.force_login(kw_a)
    response = keyworker.get(reverse("referral-detail", args=[mine.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    section = _section(page)
    assert "Other services working with this person now" in section
    assert "Education, training and employment" in section
    assert "Pathfinder Employment" in section
    assert _words(_day(10)) in section
    assert "Sessions under way" in section
    # The referral itself is not listed among the others.
    assert "Accommodation" not in section and "Northway Housing Trust" not in section
    for secret in (theirs.reference, *SECRETS):
        assert secret not in page, secret


def test_both_sides_see_the_section(pp: Any, two_providers: tuple[Referral, Referral, Any, Any]
                                   ) -> None:
    mine, theirs, _kw_a, kw_b = two_providers
    practitioner, other_keyworker = Client(), Client()
    practitioner.force_login(pp)
    other_keyworker.force_login(kw_b)
    section = _section(practitioner.get(reverse("referral-detail", args=[mine.pk]))
                       .content.decode())
    assert "Pathfinder Employment" in section and "Sessions under way" in section
    # Provider B, on its own referral, sees A's service the same way.
    section = _section(other_keyworker.get(reverse("referral-detail", args=[theirs.pk]))
                       .content.decode())
    assert "Accommodation" in section and "Northway Housing Trust" in section
    assert "Sent, waiting for a keyworker" in section and _words(_day(0)) in section
    assert mine.reference not in section


def test_only_live_referrals_of_the_same_person_are_listed(
        pp: Any, person: Any, named_case: Any,
        two_providers: tuple[Referral, Referral, Any, Any]) -> None:
    mine, theirs, kw_a, _kw_b = two_providers
    concluded = _sent(pp, person, "Recovery support", days_ago=5)
    ReferralEvent.objects.create(referral=concluded, kind="concluded", at=timezone.now(),
                                 by=pp)
    start_referral(pp, person, Service.objects.get(title="Recovery support"))  # a draft
    other_person = named_case("Sam", "Jones", "B2345CD", case_ref="X000002")
    _sent(pp, other_person, "Recovery support")
    assert other_agencies_work(mine) == [
        OtherService("Education, training and employment", "Pathfinder Employment", _day(10),
                     "Sessions under way")]
    keyworker = Client()
    keyworker.force_login(kw_a)
    detail = reverse("referral-detail", args=[mine.pk])
    assert "Dependency and recovery" not in _section(keyworker.get(detail).content.decode())
    # Withdrawn, the employment referral is not listed either: the section says "None".
    withdraw_referral(pp, theirs, "NEE")
    assert other_agencies_work(mine) == []
    section = _section(keyworker.get(detail).content.decode())
    assert "None" in section and "Pathfinder Employment" not in section


def test_a_referral_cancelled_before_any_session_is_not_listed(
        pp: Any, person: Any, service: Any) -> None:
    mine = _sent(pp, person, service.title)
    cancelled = _sent(pp, person, "Into work and learning")
    withdraw_referral(pp, cancelled, "MIS")
    assert other_agencies_work(mine) == []
    assert other_agencies_work(cancelled) == [
        OtherService("Accommodation", "Northway Housing Trust", _day(0),
                     "Sent, waiting for a keyworker")]
