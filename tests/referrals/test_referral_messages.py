"""Messages and notifications (REF-7): practitioner and provider message each other on the
referral, every message kept (never changed or deleted); events and messages notify the
other people on the referral, never the one who caused them, and only for the kinds each
user chose; the unread count is in the header; another provider finds nothing (REF-9)."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from django.test import Client

from omp.referrals.actions import (
    ReferralError,
    choose_notifications,
    send_message,
    submit_end_of_service_report,
)
from omp.referrals.models import Notification, ReferralMessage
from omp.rules.referral_notifications import KINDS, notifies
from tests.referrals.test_referral_outcomes_actions import delivered_referral, ratings_for

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


def test_rule_ref_7c_defaults_and_choices() -> None:
    assert notifies("message", {}) and not notifies("session", {})
    assert notifies("session", {"session": True}) and not notifies("message",
                                                                     {"message": False})
    assert not notifies("something else", {"something else": True})


def test_events_notify_the_other_side_not_the_actor(world: dict[str, Any]) -> None:
    pp, kw = world["pp_user"], world["kw_user"]
    # The lifecycle so far: the practitioner was told of the plan proposed, the keyworker of
    # the approval; a session that took place is off by default; nobody of themselves.
    assert set(Notification.objects.filter(user=pp).values_list("kind", flat=True)) == {
        "plan_submitted"}
    assert set(Notification.objects.filter(user=kw).values_list("kind", flat=True)) >= {
        "sent", "plan_approved"}
    assert not Notification.objects.filter(user=world["other_user"]).exists()
    submit_end_of_service_report(kw, world["referral"], ratings_for(world["referral"]))
    told = Notification.objects.get(user=pp, kind="end_of_service_report")
    assert world["referral"].reference in told.text and told.read_at is None


def test_messages_are_kept_and_notify_by_choice(world: dict[str, Any]) -> None:
    referral, pp, kw = world["referral"], world["pp_user"], world["kw_user"]
    message = send_message(kw, referral, "Can we move Thursday's session?")
    assert Notification.objects.filter(user=pp, kind="message").count() == 1
    with pytest.raises(ValueError, match="never changed"):
        message.body = "edited"
        message.save()
    with pytest.raises(ValueError, match="never deleted"):
        message.delete()
    choose_notifications(kw, ["sent"])  # the keyworker turns messages off
    send_message(pp, referral, "Yes, Friday works.")
    assert not Notification.objects.filter(user=kw, kind="message").exists()
    with pytest.raises(ReferralError) as refused:
        send_message(pp, referral, "   ")
    assert refused.value.problems[0][0] == "body"
    with pytest.raises(Http404):
        send_message(world["other_user"], referral, "Hello")
    with pytest.raises(ReferralError):
        choose_notifications(pp, ["nonsense"])
    assert ReferralMessage.objects.count() == 2


def test_pages_header_and_another_provider(world: dict[str, Any], make_user: Any) -> None:
    referral = world["referral"]
    base = f"/referrals/{referral.pk}/messages/"
    sent = world["kw"].post(base, {"body": "Housing offer made today."})
    assert sent.status_code == 302
    page = world["pp"].get(base).content.decode()
    assert "Housing offer made today." in page and "Provider" in page
    empty = world["pp"].post(base, {"body": ""})
    assert empty.status_code == 400 and 'href="#body"' in empty.content.decode()
    header = world["pp"].get("/referrals/").content.decode()
    assert 'id="notifications-count">2<' in header  # the plan proposed and the message
    listed = world["pp"].get("/notifications/").content.decode()
    assert "A message on a referral" in listed or "Message" in listed
    assert 'id="notifications-count"' not in world["pp"].get("/referrals/").content.decode()
    saved = world["pp"].post("/notifications/preferences/", {"kinds": ["message", "session"]})
    assert saved.status_code == 302
    page = world["pp"].get("/notifications/preferences/").content.decode()
    assert 'value="session" checked' in page and 'value="sent" checked' not in page
    assert world["other"].get(base).status_code == 404
    assert world["other"].post(base, {"body": "x"}).status_code == 404
    api = f"/api/v1/referrals/{referral.pk}/messages"
    assert world["other"].get(api).status_code == 404
    assert [m["body"] for m in world["kw"].get(api).json()] == ["Housing offer made today."]
    posted = world["pp"].post(api, {"body": "Thanks"}, content_type="application/json")
    assert posted.status_code == 201 and posted.json()["side"] == "Probation practitioner"
    head = Client()
    head.force_login(make_user("head", "head_of_offender_management"))
    assert head.get(base).status_code == 200
    assert head.post(base, {"body": "x"}).status_code == 403
    assert set(KINDS) >= {"message", "concluded"}


def test_a_message_list_reads_its_authors_roles_at_once(world: dict[str, Any]) -> None:
    """Each message shows its side, read from its author's roles: in one query for all the
    authors, so the list's queries do not grow with its messages."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    referral, pp, kw = world["referral"], world["pp_user"], world["kw_user"]
    url = f"/api/v1/referrals/{referral.pk}/messages"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert world["pp"].get(url).status_code == 200
            assert world["pp"].get(f"/referrals/{referral.pk}/messages/").status_code == 200
        return len(captured)

    send_message(kw, referral, "Can we move Thursday's session?")
    send_message(pp, referral, "Yes, Friday works.")
    few = queries()
    for n in range(6):
        send_message(kw if n % 2 else pp, referral, f"Message {n}")
    assert queries() == few
    sides = [m["side"] for m in world["pp"].get(url).json()]
    assert sides[:2] == ["Provider", "Probation practitioner"]
