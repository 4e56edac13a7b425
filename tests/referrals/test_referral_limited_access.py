"""A referral reads its person's case, so the case's exclusion and restriction lists (LAO-1,
LAO-2) refuse it too, on the pages and the API, with the reason; lists leave it out."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from omp.cases.models import LimitedAccessEntry
from omp.referrals.actions import save_draft, send_referral, start_referral
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(client: Client, make_user: Any, person: Any, service: Any,
         provider_user: Any) -> tuple[Any, Any, Any]:
    """A referral sent by the practitioner ``pp``, and its provider's keyworker signed in
    on ``client``: (practitioner, referral, keyworker)."""
    pp = make_user("pp", "com")
    referral = start_referral(pp, person, service)
    save_draft(pp, referral, complete_changes(service))
    referral = send_referral(pp, referral)
    keyworker = provider_user("kw", "NWH")
    client.force_login(keyworker)
    return pp, referral, keyworker


def test_an_excluded_keyworker_is_refused_the_referral_with_the_reason(
        client: Client, person: Any, sent: tuple[Any, Any, Any]) -> None:
    pp, referral, keyworker = sent
    assert client.get(reverse("referral-detail", args=[referral.pk])).status_code == 200
    LimitedAccessEntry.objects.create(person=person, kind="exclusion", user=keyworker,
                                      reason="Known to the person")
    for name in ("referral-detail", "referral-summary"):
        page = client.get(reverse(name, args=[referral.pk]))
        assert page.status_code == 403
        body = page.content.decode()
        assert "exclusion list" in body and "Smith" not in body
    answer = client.get(f"/api/v1/referrals/{referral.pk}")
    assert answer.status_code == 403 and "exclusion list" in answer.json()["detail"]
    assert referral.reference not in client.get(reverse("referral-list")).content.decode()
    assert client.get("/api/v1/referrals").json() == []
    # The practitioner who is on no list still reads it.
    client.force_login(pp)
    assert client.get(reverse("referral-detail", args=[referral.pk])).status_code == 200


def test_a_change_through_the_api_checks_the_lists_in_its_one_read(
        client: Client, person: Any, sent: tuple[Any, Any, Any]) -> None:
    """A route that changes a referral reads it once, locked, with whether its case has
    lists: refused by an exclusion list (403 with the reason, logged, nothing written);
    let through by a restriction list that names the keyworker; a refused change (422)
    writes nothing but its read stays in the access log."""
    from omp.cases.models import CaseAccess
    from omp.referrals.models import ReferralMessage

    _pp, referral, keyworker = sent
    url = f"/api/v1/referrals/{referral.pk}/messages"

    excluded = LimitedAccessEntry.objects.create(person=person, kind="exclusion",
                                                 user=keyworker, reason="Known to the person")
    answer = client.post(url, {"body": "Booked for Monday"}, content_type="application/json")
    assert answer.status_code == 403 and "exclusion list" in answer.json()["detail"]
    assert not ReferralMessage.objects.filter(referral=referral).exists()
    assert CaseAccess.objects.filter(user=keyworker, person=person, channel="api",
                                     refusal="LAO-1").count() == 1
    assert not CaseAccess.objects.filter(user=keyworker, refusal="").exists()

    excluded.delete()
    LimitedAccessEntry.objects.create(person=person, kind="restriction", user=keyworker,
                                      reason="Named keyworker")
    answer = client.post(url, {"body": "Booked for Monday"}, content_type="application/json")
    assert answer.status_code == 201, answer.json()
    assert list(ReferralMessage.objects.filter(referral=referral).values_list(
        "body", flat=True)) == ["Booked for Monday"]
    assert CaseAccess.objects.filter(user=keyworker, person=person, channel="api",
                                     refusal="").count() == 1

    answer = client.post(url, {"body": "   "}, content_type="application/json")
    assert answer.status_code == 422
    assert ReferralMessage.objects.filter(referral=referral).count() == 1
    assert CaseAccess.objects.filter(user=keyworker, person=person, channel="api",
                                     refusal="").count() == 2
