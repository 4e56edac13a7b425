"""Each role lands on a start page it may open: a provider's keyworker on its incoming
referrals (it may not open case search), after sign-in and from the start page; and the
primary navigation links to Referrals for the roles that may read them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from omp.access import API_USERS, ROLE_NAMES

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.mark.parametrize("role, start", [("provider", "referral-list"),
                                         ("com", "case-search"),
                                         ("commissioner", "outcomes-index"),
                                         ("omic_lead", "omic-dashboard")])
def test_sign_in_and_the_start_page_land_each_role_where_it_may_go(
        client: Client, make_user: Any, role: str, start: str) -> None:
    make_user("someone", role, password=PASSWORD)
    signed_in = client.post(reverse("login"), {"username": "someone", "password": PASSWORD})
    assert signed_in.url == reverse(start)
    assert client.get(reverse("home")).url == reverse(start)
    assert client.get(reverse(start)).status_code == 200


def test_a_next_page_is_kept_after_sign_in(client: Client, make_user: Any) -> None:
    make_user("kw", "provider", password=PASSWORD)
    signed_in = client.post(f"{reverse('login')}?next=/referrals/1/",
                            {"username": "kw", "password": PASSWORD})
    assert signed_in.url == "/referrals/1/"


@pytest.mark.parametrize("role, page_name, shown", [
    ("provider", "referral-list", True), ("com", "case-search", True),
    ("head_of_offender_management", "case-search", True),
    ("court_staff", "case-search", False), ("commissioner", "outcomes-index", False)])
def test_the_navigation_links_to_referrals_for_those_who_may_read_them(
        client_for: Any, role: str, page_name: str, shown: bool) -> None:
    page = client_for("someone", role).get(reverse(page_name)).content.decode()
    link = f'<a class="moj-primary-navigation__link" href="{reverse("referral-list")}"'
    assert (link in page) is shown
    if role == "provider":
        assert 'aria-current="page">Referrals</a>' in page
        assert ">Cases</a>" not in page


@pytest.mark.parametrize("role", sorted(ROLE_NAMES))
def test_every_navigation_link_opens_for_the_role_that_sees_it(client_for: Any,
                                                               role: str) -> None:
    """No role is shown a link it cannot follow: each opens with 200, and the API link is
    shown only to roles with an API route to call (a commissioner has none)."""
    client = client_for("someone", role)
    start = client.get(reverse("home"), follow=True)
    assert start.status_code == 200
    page = start.content.decode()
    links = re.findall(r'class="moj-primary-navigation__link" href="([^"]+)"', page)
    assert links, page[:300]
    for href in links:
        assert client.get(href, follow=True).status_code == 200, (role, href)
    assert ("/api/v1/docs" in links) is (role in API_USERS)
