"""Referral pages: the Referrals part of the case page, choosing a service, the draft page
listing what is missing (each linked to its field), sending, amending with the change shown
to both sides, the summary for the person (REF-2), and a provider seeing only its own
referrals (REF-9: another's answers 404)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from omp.clock import today
from omp.referrals.actions import assign_keyworker, save_draft, send_referral, start_referral
from omp.referrals.models import Referral, Service
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db


def _form(service: Any, **extra: Any) -> dict[str, Any]:
    changes = complete_changes(service)
    deadline = today() + timedelta(days=90)
    data = {**changes, "completion_deadline-day": str(deadline.day),
            "completion_deadline-month": str(deadline.month),
            "completion_deadline-year": str(deadline.year),
            "rosh_summary": "Medium risk to known adults.",
            "previous_convictions": "Burglary 2019", "additional_orders": "SHPO from 2024"}
    data.pop("completion_deadline")
    data.update(extra)
    return data


def _sent(user: Any, person: Any, service: Any) -> Referral:
    referral = start_referral(user, person, service)
    save_draft(user, referral, complete_changes(service))
    return send_referral(user, referral)


def test_the_case_page_lists_referrals_with_a_link_to_make_one(
        client_for: Any, person: Any, service: Any) -> None:
    client = client_for("pp", "com")
    page = client.get(reverse("case-detail", args=[person.case_ref])).content.decode()
    assert 'id="referrals-title">Referrals<' in page
    assert "No referrals have been made for this person." in page
    assert reverse("referral-start", args=[person.case_ref]) in page
    from django.contrib.auth.models import User

    referral = _sent(User.objects.get(username="pp"), person, service)
    page = client.get(reverse("case-detail", args=[person.case_ref])).content.decode()
    assert referral.reference in page and "Northway Housing Trust" in page


def test_court_staff_see_no_referrals_part(client_for: Any, person: Any) -> None:
    page = client_for("clerk", "court_staff").get(
        reverse("case-detail", args=[person.case_ref])).content.decode()
    assert 'id="referrals-title"' not in page


def test_choosing_a_service_lists_only_eligible_ones_and_starts_a_draft(
        client_for: Any, person: Any, service: Any) -> None:
    client = client_for("pp", "com")
    url = reverse("referral-start", args=[person.case_ref])
    page = client.get(url).content.decode()
    assert "Housing support in London" in page and "Recovery support" in page
    assert "Wellbeing and relationships (Wales)" not in page
    assert "Women&#x27;s wellbeing service" not in page
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert 'href="#service">Choose the service' in refused.content.decode()
    welsh = Service.objects.get(title="Wellbeing and relationships (Wales)")
    assert client.post(url, {"service": welsh.pk}).status_code == 400
    response = client.post(url, {"service": service.pk})
    referral = Referral.objects.get()
    assert response.url == reverse("referral-edit", args=[referral.pk])


def test_the_draft_page_lists_what_is_missing_and_refuses_to_send(
        client_for: Any, make_user: Any, person: Any, service: Any) -> None:
    client = client_for("pp", "com")
    from django.contrib.auth.models import User

    referral = start_referral(User.objects.get(username="pp"), person, service)
    url = reverse("referral-edit", args=[referral.pk])
    page = client.get(url).content.decode()
    assert "Before you can send this referral" in page
    assert 'href="#complexity_level">Choose the complexity level' in page
    assert "Medium risk of serious harm" in page  # filled from the record
    refused = client.post(url, {"send": "yes", "rosh_summary": referral.rosh_summary,
                                "previous_convictions": "x", "additional_orders": "x",
                                "enforceable_days": "5"})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "There is a problem" in body
    assert 'href="#desired_outcomes">Choose at least one desired outcome' in body
    assert 'href="#completion_deadline-day">Enter the date' in body
    assert 'id="completion_deadline-day" name="completion_deadline-day"' in body
    referral.refresh_from_db()
    assert referral.sent_at is None and referral.enforceable_days == 5  # the draft is saved


def test_a_half_typed_date_is_refused_naming_the_field(client_for: Any, person: Any,
                                                       service: Any) -> None:
    client = client_for("pp", "com")
    from django.contrib.auth.models import User

    referral = start_referral(User.objects.get(username="pp"), person, service)
    response = client.post(reverse("referral-edit", args=[referral.pk]),
                           _form(service, **{"completion_deadline-month": "13"}))
    assert response.status_code == 400
    assert 'href="#completion_deadline-day">The date the service should be completed by ' \
           'must be a real date' in response.content.decode()
    referral.refresh_from_db()
    assert referral.enforceable_days is None  # nothing half-saved


def test_a_complete_referral_is_sent_then_amended_with_the_change_shown(
        client_for: Any, person: Any, service: Any, provider_user: Any) -> None:
    client = client_for("pp", "com")
    client.post(reverse("referral-start", args=[person.case_ref]), {"service": service.pk})
    referral = Referral.objects.get()
    response = client.post(reverse("referral-edit", args=[referral.pk]),
                           _form(service, send="yes"))
    assert response.url == reverse("referral-detail", args=[referral.pk])
    referral.refresh_from_db()
    assert referral.is_sent
    amend = reverse("referral-amend", args=[referral.pk])
    refused = client.post(amend, _form(service, enforceable_days="15"))
    assert 'href="#reason">Give the reason for the change' in refused.content.decode()
    client.post(amend, _form(service, enforceable_days="15", reason="Court allowed more"))
    keyworker = Client()
    keyworker.force_login(provider_user("kw", "NWH"))
    for reader in (client, keyworker):
        page = reader.get(reverse("referral-detail", args=[referral.pk])).content.decode()
        assert "Version 2: amended" in page and "Court allowed more" in page
        assert "Enforceable (RAR) days" in page


def test_the_summary_for_the_person_is_in_plain_words(client_for: Any, make_user: Any,
                                                      person: Any, service: Any) -> None:
    referral = _sent(make_user("pp", "com"), person, service)
    client = client_for("other", "com")
    page = client.get(reverse("referral-summary", args=[referral.pk])).content.decode()
    assert "Your referral to Housing support in London" in page
    assert "This service will help you find somewhere to live." in page
    assert "Two activities on the same day count as one day" in page
    assert "Up to 10 days" in page


def test_ref9_a_provider_sees_only_its_own_referrals(client: Client, make_user: Any,
                                                     person: Any, service: Any,
                                                     provider_user: Any) -> None:
    pp = make_user("pp", "com")
    housing = _sent(pp, person, service)
    recovery = _sent(pp, person, Service.objects.get(title="Recovery support"))
    draft = start_referral(pp, person, service)
    client.force_login(provider_user("kw", "NWH"))
    assert client.get(reverse("referral-detail", args=[housing.pk])).status_code == 200
    for other in (recovery, draft):
        for name in ("referral-detail", "referral-summary"):
            assert client.get(reverse(name, args=[other.pk])).status_code == 404
    assert client.get(reverse("referral-detail", args=[999999])).status_code == 404
    listing = client.get(reverse("referral-list")).content.decode()
    assert housing.reference in listing and recovery.reference not in listing
    assert draft.reference not in listing
    # … and providers neither make, amend nor read cases.
    assert client.get(reverse("referral-amend", args=[housing.pk])).status_code == 403
    assert client.get(reverse("case-detail", args=[person.case_ref])).status_code == 403


def test_a_subcontractor_sees_the_contract_s_referrals(client: Client, make_user: Any,
                                                       person: Any, service: Any,
                                                       provider_user: Any) -> None:
    housing = _sent(make_user("pp", "com"), person, service)
    client.force_login(provider_user("haven", "HWS"))  # subcontractor on LDN-ACC-2026
    assert client.get(reverse("referral-detail", args=[housing.pk])).status_code == 200


def test_a_provider_user_of_no_organisation_sees_nothing(client: Client, make_user: Any,
                                                         person: Any, service: Any) -> None:
    housing = _sent(make_user("pp", "com"), person, service)
    client.force_login(make_user("loose", "provider"))
    assert client.get(reverse("referral-detail", args=[housing.pk])).status_code == 404


def test_the_lists_are_in_tabs_by_state_and_pages(client: Client, make_user: Any,
                                                   person: Any, service: Any,
                                                   provider_user: Any,
                                                   monkeypatch: Any) -> None:
    """A practitioner's list opens on the first tab that has referrals, counts each tab,
    and pages through a tab; the provider's has no drafts (it never sees them)."""
    monkeypatch.setattr("omp.referrals.queries.LIST_PAGE_SIZE", 2)
    pp = make_user("pp_tabs", "com")
    sent = [_sent(pp, person, service) for _ in range(3)]
    draft = start_referral(pp, person, service)
    keyworker = provider_user("kw_tabs", "NWH")
    assign_keyworker(keyworker, sent[0], keyworker.username)  # still waiting to start
    client.force_login(pp)
    first = client.get(reverse("referral-list")).content.decode()
    assert "Drafts (1)" in first and "Waiting to start (3)" in first and "Ended (0)" in first
    assert draft.reference in first and sent[0].reference not in first  # drafts first
    waiting = client.get(reverse("referral-list"), {"state": "waiting"}).content.decode()
    assert [r.reference in waiting for r in sent] == [True, True, False]  # 2 a page
    assert "?state=waiting&amp;page=2" in waiting
    second = client.get(reverse("referral-list"), {"state": "waiting", "page": 2})
    assert sent[2].reference in second.content.decode()
    client.force_login(keyworker)
    incoming = client.get(reverse("referral-list")).content.decode()
    assert "Drafts (0)" in incoming and "Waiting to start (3)" in incoming
    assert draft.reference not in incoming
