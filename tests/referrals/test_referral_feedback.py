"""The person's feedback (REF-6e..g): staff make a one-time link (only its hash kept, an
earlier unused link stopped); the person answers on a page with no staff account that shows
their first name and the service's name and nothing else; the link is single use, expires,
and the page refuses a used, expired or unknown link with a plain message and too many
attempts from one address; staff type in a paper form; one feedback per referral; another
provider finds nothing (REF-9)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.utils import timezone

from omp.referrals.actions import (
    ReferralError,
    create_feedback_link,
    give_feedback,
    record_paper_feedback,
    token_hash,
)
from omp.referrals.models import FeedbackLink, PersonFeedback, Referral
from omp.rules.referral_feedback import ATTEMPT_LIMIT, link_problem
from tests.referrals.test_referral_outcomes_actions import delivered_referral
from tests.referrals.test_referral_sessions_actions import approved_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user: Any, provider_user: Any, person: Any, service: Any) -> dict[str, Any]:
    pp, kw = make_user("pp", "com"), provider_user("kw", "NWH")
    other = provider_user("other", "SCR")
    referral = delivered_referral(pp, kw, person, service)
    clients = {}
    for name, user in (("pp", pp), ("kw", kw), ("other", other)):
        clients[name] = Client()
        clients[name].force_login(user)
    return {"referral": referral, "pp_user": pp, "kw_user": kw, "other_user": other,
            **clients}


def test_a_one_time_link_is_kept_hashed_and_used_once(world: dict[str, Any]) -> None:
    referral: Referral = world["referral"]
    link, token = create_feedback_link(world["kw_user"], referral)
    assert link.token_hash == token_hash(token) and token not in link.token_hash
    assert not FeedbackLink.objects.filter(token_hash=token).exists()
    feedback = give_feedback(token, "4", "yes", "My keyworker listened.")
    assert (feedback.channel, feedback.helpfulness, feedback.recorded_by) == ("online", 4, None)
    link.refresh_from_db()
    assert link.used_at is not None
    with pytest.raises(ReferralError) as refused:
        give_feedback(token, "5", "yes")
    assert "already been used" in refused.value.problems[0][1]
    with pytest.raises(ReferralError):
        create_feedback_link(world["pp_user"], referral)
    with pytest.raises(ValueError, match="never changed"):
        feedback.helpfulness = 1
        feedback.save()


def test_a_new_link_stops_the_old_one_and_links_expire(world: dict[str, Any]) -> None:
    referral: Referral = world["referral"]
    _first, old = create_feedback_link(world["kw_user"], referral)
    _second, new = create_feedback_link(world["pp_user"], referral)
    with pytest.raises(ReferralError) as refused:
        give_feedback(old, "3", "no")
    assert "expired" in refused.value.problems[0][1]
    FeedbackLink.objects.filter(token_hash=token_hash(new)).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ReferralError):
        give_feedback(new, "3", "no")
    now = timezone.now()
    assert link_problem(now + timedelta(days=1), None, False, now) is None
    assert link_problem(now, None, False, now) == "expired"


def test_bad_answers_are_named_and_nothing_saved(world: dict[str, Any]) -> None:
    _link, token = create_feedback_link(world["kw_user"], world["referral"])
    with pytest.raises(ReferralError) as refused:
        give_feedback(token, "9", "perhaps", "x" * 3000)
    assert [f for f, _ in refused.value.problems] == ["helpfulness", "would_recommend",
                                                      "comments"]
    assert not PersonFeedback.objects.exists()
    assert FeedbackLink.objects.get().used_at is None


def test_paper_feedback_roles_and_other_providers(world: dict[str, Any], make_user: Any,
                                                  person: Any, service: Any) -> None:
    referral: Referral = world["referral"]
    with pytest.raises(PermissionDenied):
        record_paper_feedback(make_user("head", "head_of_offender_management"), referral,
                              "5", "yes")
    with pytest.raises(Http404):
        record_paper_feedback(world["other_user"], referral, "5", "yes")
    with pytest.raises(Http404):
        create_feedback_link(world["other_user"], referral)
    feedback = record_paper_feedback(world["pp_user"], referral, "2", "not_sure", "Too far")
    assert (feedback.channel, feedback.recorded_by) == ("paper", world["pp_user"])
    with pytest.raises(ReferralError):
        record_paper_feedback(world["kw_user"], referral, "5", "yes")
    # Before any session took place, feedback is not asked for.
    fresh = approved_referral(world["pp_user"], world["kw_user"], person, service)
    with pytest.raises(ReferralError):
        create_feedback_link(world["kw_user"], fresh)


def test_the_persons_page_shows_first_name_and_service_only(world: dict[str, Any]) -> None:
    referral: Referral = world["referral"]
    made = world["kw"].post(f"/referrals/{referral.pk}/feedback/link/")
    assert made.status_code == 200
    body = made.content.decode()
    url = body.split('id="feedback-link-url" type="text" readonly spellcheck="false" value="')[1]
    path = "/feedback/" + url.split("/feedback/")[1].split('"')[0]
    anyone = Client()
    page = anyone.get(path)
    text = page.content.decode()
    assert page.status_code == 200
    person = referral.person
    assert person.first_name in text and referral.service.title in text
    for private in (person.last_name, person.case_ref, person.prison_number, referral.reference,
                    str(person.date_of_birth.year) if person.date_of_birth else "never"):
        assert private and private not in text, private
    bad = anyone.post(path, {"helpfulness": "", "would_recommend": "maybe"})
    assert bad.status_code == 400 and 'href="#helpfulness"' in bad.content.decode()
    sent = anyone.post(path, {"helpfulness": "5", "would_recommend": "yes",
                              "comments": "Thank you"})
    assert sent.status_code == 200 and "Thank you" in sent.content.decode()
    again = anyone.get(path)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert anyone.get("/feedback/not-a-real-token/").status_code == 404
    shown = world["pp"].get(f"/referrals/{referral.pk}/feedback/").content.decode()
    assert "Very helpful (5 of 5)" in shown and "Online, through a one-time link" in shown
    assert "Very helpful" in world["kw"].get(f"/referrals/{referral.pk}/").content.decode()


def test_the_persons_page_is_rate_limited(world: dict[str, Any]) -> None:
    anyone = Client()
    for _ in range(ATTEMPT_LIMIT):
        assert anyone.get("/feedback/guess/").status_code == 404
    refused = anyone.get("/feedback/guess/")
    assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()


def test_staff_pages_and_another_provider(world: dict[str, Any]) -> None:
    referral: Referral = world["referral"]
    base = f"/referrals/{referral.pk}/feedback/"
    assert world["other"].get(base).status_code == 404
    assert world["other"].post(f"{base}link/").status_code == 404
    assert world["other"].post(f"{base}paper/", {"helpfulness": "5"}).status_code == 404
    bad = world["kw"].post(f"{base}paper/", {"helpfulness": "7"})
    assert bad.status_code == 400 and 'href="#would_recommend"' in bad.content.decode()
    done = world["kw"].post(f"{base}paper/", {"helpfulness": "3", "would_recommend": "no"})
    assert done.status_code == 302
    assert "On a paper form" in world["pp"].get(base).content.decode()
