"""Scenario tests of the webhooks for providers' systems (REF-8): the four events are written
to the outbox in the transaction of their change (a refused or rolled-back change leaves
none, and an outbox that cannot be written undoes the change); a receiver on 127.0.0.1 gets
each with a signature it can check with ``hmac`` alone; a receiver that is down or answers
5xx is retried with backoff and gets the event later, with the same delivery id; after the
last attempt the event is failed, listed in the admin and can be retried; an event of
provider A's referral never reaches provider B (REF-9). No network but 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from omp.cli import app
from omp.referrals.actions import (
    ReferralError,
    conclude_referral,
    create_webhook_subscription,
    renew_webhook_secret,
    retry_webhook_events,
    save_draft,
    send_referral,
    start_referral,
    submit_end_of_service_report,
)
from omp.referrals.models import OutboxEvent, Provider, Referral
from omp.referrals.webhooks import MAX_ATTEMPTS, backoff, claim, deliver_due, lease, sign
from tests.referrals.conftest import complete_changes
from tests.referrals.test_referral_outcomes_actions import delivered_referral, ratings_for

pytestmark = pytest.mark.django_db

ALL_EVENTS = ["referral.sent", "action_plan.approved", "session.recorded",
              "referral.concluded"]


class Receiver:
    """A provider's system on 127.0.0.1: keeps what it is sent and answers ``statuses`` in
    turn (then 200). It can be stopped and started again on the same port."""

    def __init__(self, port: int = 0) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        self.port = port
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/omp-events"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()},
                                          body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


def _free_port() -> int:
    """A port on 127.0.0.1 nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def root(db: Any) -> Any:
    return User.objects.create_superuser("root", password="a-long-test-password")


@pytest.fixture
def pp(make_user: Any) -> Any:
    return make_user("pp", "com")


@pytest.fixture
def kw(provider_user: Any) -> Any:
    return provider_user("kw", "NWH")


def subscribe(root: Any, code: str, url: str, events: list[str] | None = None
              ) -> tuple[Any, str]:
    return create_webhook_subscription(root, Provider.objects.get(code=code), url,
                                       events or ALL_EVENTS)


def _sent(pp: Any, person: Any, service: Any) -> Referral:
    referral = start_referral(pp, person, service)
    save_draft(pp, referral, complete_changes(service))
    return send_referral(pp, referral)


def _verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does, with the standard library only (as the README shows)."""
    signed = f"{headers['x-omp-timestamp']}.".encode() + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["x-omp-signature"])


# Written in the transaction of the change.


def test_the_four_events_are_written_with_their_change_and_no_notes(
        root: Any, pp: Any, kw: Any, person: Any, service: Any) -> None:
    subscribe(root, "NWH", "https://nwh.example/hooks")
    referral = delivered_referral(pp, kw, person, service)
    submit_end_of_service_report(kw, referral, ratings_for(referral))
    conclude_referral(pp, referral, 1)
    events = list(OutboxEvent.objects.order_by("id"))
    assert [e.kind for e in events] == ALL_EVENTS
    assert all(e.referral_id == referral.pk and e.delivered_at is None for e in events)
    sent, approved, session, concluded = (e.payload for e in events)
    assert sent["referral"] == {"id": referral.pk, "reference": referral.reference}
    assert sent["event"] == "referral.sent" and sent["id"] == str(events[0].delivery_id)
    assert approved["action_plan"] == {"version": 1}
    assert session["session"]["session_number"] == 1 and session["session"]["happened"]
    assert concluded["end_of_service_report"] == {"version": 1}
    text = json.dumps([e.payload for e in events])
    assert person.last_name and person.case_ref
    for private in ("Engaged well", "Released to no fixed address", "Progress on outcome",
                    "somewhere to live", person.last_name, person.case_ref):
        assert private not in text


def test_a_refused_action_writes_no_event(root: Any, pp: Any, person: Any,
                                          service: Any) -> None:
    subscribe(root, "NWH", "https://nwh.example/hooks")
    draft = start_referral(pp, person, service)
    with pytest.raises(ReferralError):
        send_referral(pp, draft)  # incomplete: refused
    assert not OutboxEvent.objects.exists()


def test_a_rolled_back_change_leaves_no_event(root: Any, pp: Any, person: Any,
                                              service: Any) -> None:
    subscribe(root, "NWH", "https://nwh.example/hooks")
    draft = start_referral(pp, person, service)
    save_draft(pp, draft, complete_changes(service))
    with pytest.raises(RuntimeError), transaction.atomic():
        send_referral(pp, draft)
        assert OutboxEvent.objects.count() == 1
        raise RuntimeError("something later in the same transaction failed")
    assert not OutboxEvent.objects.exists()
    assert Referral.objects.get(pk=draft.pk).sent_at is None


def test_an_outbox_that_cannot_be_written_undoes_the_change(
        root: Any, pp: Any, person: Any, service: Any, monkeypatch: Any) -> None:
    subscribe(root, "NWH", "https://nwh.example/hooks")
    draft = start_referral(pp, person, service)
    save_draft(pp, draft, complete_changes(service))

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the outbox table is not there")

    monkeypatch.setattr(OutboxEvent.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        send_referral(pp, draft)
    assert Referral.objects.get(pk=draft.pk).sent_at is None
    assert not draft.events.exists()


def test_only_chosen_events_of_active_subscriptions_are_written(
        root: Any, pp: Any, person: Any, service: Any) -> None:
    chosen, _ = subscribe(root, "NWH", "https://nwh.example/sent", ["referral.sent"])
    other, _ = subscribe(root, "NWH", "https://nwh.example/concluded", ["referral.concluded"])
    paused, _ = subscribe(root, "NWH", "https://nwh.example/paused")
    paused.active = False
    paused.save()
    _sent(pp, person, service)
    assert [e.subscription_id for e in OutboxEvent.objects.all()] == [chosen.pk]


# REF-9: a provider never sees another provider's referral.


def test_an_event_of_provider_as_referral_never_reaches_provider_b(
        root: Any, pp: Any, person: Any, service: Any, receiver: Receiver) -> None:
    other = Receiver().start()
    try:
        subscribe(root, "NWH", receiver.url)
        subscribe(root, "SCR", other.url)  # Second Chance Recovery: not on the contract
        referral = _sent(pp, person, service)
        assert deliver_due().delivered == 1
        assert other.received == []
        assert not OutboxEvent.objects.filter(provider__code="SCR").exists()
        [(headers, body)] = receiver.received
        assert json.loads(body)["referral"]["reference"] == referral.reference
    finally:
        other.stop()


def test_the_subcontractor_delivering_the_contract_is_told_too(
        root: Any, pp: Any, person: Any, service: Any) -> None:
    subscribe(root, "HWS", "https://haven.example/hooks")  # subcontractor on the contract
    subscribe(root, "SCR", "https://scr.example/hooks")
    _sent(pp, person, service)
    assert list(OutboxEvent.objects.values_list("provider__code", flat=True)) == ["HWS"]


# Delivery.


def test_the_receiver_gets_the_event_signed_and_can_check_it_with_hmac(
        root: Any, pp: Any, person: Any, service: Any, receiver: Receiver) -> None:
    _subscription, secret = subscribe(root, "NWH", receiver.url)
    referral = _sent(pp, person, service)
    done = deliver_due()
    assert (done.delivered, done.retrying, done.failed) == (1, 0, 0)
    [(headers, body)] = receiver.received
    event = OutboxEvent.objects.get()
    assert headers["x-omp-event"] == "referral.sent"
    assert headers["x-omp-delivery"] == str(event.delivery_id)
    assert headers["content-type"] == "application/json"
    assert _verify(secret, headers, body)
    assert not _verify("another-secret", headers, body)
    tampered = body.replace(referral.reference.encode(), b"ZZ9999ZZ")
    assert not _verify(secret, headers, tampered)
    # The timestamp is signed: an old signature cannot be sent again with a new time.
    replayed = dict(headers, **{"x-omp-timestamp": str(int(headers["x-omp-timestamp"]) + 600)})
    assert not _verify(secret, replayed, body)
    assert abs(int(headers["x-omp-timestamp"]) - timezone.now().timestamp()) < 60
    assert json.loads(body)["referral"]["reference"] == referral.reference
    event.refresh_from_db()
    assert event.delivered_at is not None and event.attempts == 1 and event.status == "Delivered"
    assert deliver_due().tried == 0  # delivered once, not again


def test_a_receiver_that_is_down_gets_the_event_later_with_backoff(
        root: Any, pp: Any, person: Any, service: Any) -> None:
    down = Receiver(_free_port())
    subscribe(root, "NWH", down.url)
    _sent(pp, person, service)
    now = timezone.now()
    assert deliver_due(now=now).retrying == 1
    event = OutboxEvent.objects.get()
    assert event.attempts == 1 and event.delivered_at is None and event.failed_at is None
    assert "Could not reach the receiver" in event.last_error
    assert event.next_attempt_at == now + backoff(1) == now + timedelta(seconds=30)
    assert deliver_due(now=now + timedelta(seconds=29)).tried == 0  # not due yet
    later = now + timedelta(seconds=31)
    assert deliver_due(now=later).retrying == 1
    event.refresh_from_db()
    assert event.attempts == 2 and event.next_attempt_at == later + timedelta(seconds=60)
    down.start()
    try:
        assert deliver_due(now=later + timedelta(seconds=61)).delivered == 1
        [(headers, _body)] = down.received
        assert headers["x-omp-delivery"] == str(event.delivery_id)
    finally:
        down.stop()
    event.refresh_from_db()
    assert event.delivered_at is not None and event.attempts == 3 and event.last_error == ""


def test_a_5xx_answer_is_retried_with_the_same_delivery_id(
        root: Any, pp: Any, person: Any, service: Any, receiver: Receiver) -> None:
    _subscription, secret = subscribe(root, "NWH", receiver.url)
    _sent(pp, person, service)
    receiver.statuses = [503]
    now = timezone.now()
    assert deliver_due(now=now).retrying == 1
    event = OutboxEvent.objects.get()
    assert event.last_error == "The receiver answered 503 Service Unavailable"
    assert deliver_due(now=now + timedelta(seconds=31)).delivered == 1
    first, second = receiver.received
    assert first[0]["x-omp-delivery"] == second[0]["x-omp-delivery"] == str(event.delivery_id)
    assert first[1] == second[1] and _verify(secret, *second)


def test_a_redirect_is_not_followed(root: Any, pp: Any, person: Any, service: Any,
                                    receiver: Receiver) -> None:
    subscribe(root, "NWH", receiver.url)
    _sent(pp, person, service)
    receiver.statuses = [302]
    assert deliver_due().retrying == 1
    assert len(receiver.received) == 1
    assert OutboxEvent.objects.get().last_error.startswith("The receiver answered 302")


def test_an_event_of_a_worker_that_died_mid_attempt_is_sent_after_its_lease(
        root: Any, pp: Any, person: Any, service: Any, receiver: Receiver) -> None:
    subscribe(root, "NWH", receiver.url)
    _sent(pp, person, service)
    now = timezone.now()
    [claimed] = claim(1, now)  # and the worker dies before sending it
    assert claimed.attempts == 1
    assert deliver_due(now=now + timedelta(seconds=1)).tried == 0  # still leased
    assert deliver_due(now=now + lease(1) + timedelta(seconds=1)).delivered == 1
    assert OutboxEvent.objects.get().attempts == 2 and len(receiver.received) == 1


def test_a_receiver_answering_nonsense_is_retried(root: Any, pp: Any, person: Any,
                                                   service: Any) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]

        def answer_nonsense() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"NOT HTTP AT ALL\r\n\r\n")

        thread = threading.Thread(target=answer_nonsense, daemon=True)
        thread.start()
        subscribe(root, "NWH", f"http://127.0.0.1:{port}/hooks")
        _sent(pp, person, service)
        assert deliver_due().retrying == 1
        thread.join(timeout=10)
    assert OutboxEvent.objects.get().last_error.startswith("Could not reach the receiver")


def test_after_the_last_attempt_the_event_fails_and_an_administrator_retries_it(
        root: Any, pp: Any, person: Any, service: Any, receiver: Receiver) -> None:
    subscribe(root, "NWH", receiver.url)
    _sent(pp, person, service)
    receiver.statuses = [500] * MAX_ATTEMPTS
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        done = deliver_due(now=now)
        now += backoff(MAX_ATTEMPTS)
    assert (done.retrying, done.failed) == (0, 1)
    event = OutboxEvent.objects.get()
    assert event.status == "Failed" and event.attempts == MAX_ATTEMPTS
    assert deliver_due(now=now + timedelta(days=30)).tried == 0  # failed: left alone
    # The administrator sees it in the list of failed events and retries it.
    admin = Client()
    admin.force_login(root)
    listed = admin.get("/admin/referrals/outboxevent/?state=failed")
    assert listed.status_code == 200 and "The receiver answered 500" in listed.content.decode()
    answer = admin.post("/admin/referrals/outboxevent/",
                        {"action": "retry_now", "_selected_action": [event.pk]})
    assert answer.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("Waiting", 0)
    assert deliver_due().delivered == 1
    assert len(receiver.received) == MAX_ATTEMPTS + 1


def test_a_target_that_is_not_http_is_never_contacted_and_fails_at_once(
        root: Any, pp: Any, person: Any, service: Any) -> None:
    subscription, _ = subscribe(root, "NWH", "https://nwh.example/hooks")
    type(subscription).objects.filter(pk=subscription.pk).update(
        target_url="file:///etc/passwd")  # as if changed behind the action's back
    _sent(pp, person, service)
    assert deliver_due().failed == 1  # no retry would mend it
    event = OutboxEvent.objects.get()
    assert event.status == "Failed" and event.attempts == 1
    assert event.last_error.startswith("Enter the target as an https://")


def test_backoff_doubles_up_to_six_hours() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(MAX_ATTEMPTS) == backoff(50) == timedelta(hours=6)


def test_the_signature_is_hmac_sha256_of_timestamp_and_body() -> None:
    expected = hmac.new(b"s3cret", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign("s3cret", 1700000000, b"{}") == f"sha256={expected}"


def test_the_worker_command_delivers_once(root: Any, pp: Any, person: Any, service: Any,
                                          receiver: Receiver) -> None:
    subscribe(root, "NWH", receiver.url)
    _sent(pp, person, service)
    result = CliRunner().invoke(app, ["referrals", "deliver-webhooks", "--once"])
    assert result.exit_code == 0, result.output
    assert "Delivered 1, to retry 0, failed 0; 0 waiting" in result.output
    assert len(receiver.received) == 1
    started = time.monotonic()
    result = CliRunner().invoke(app, ["referrals", "deliver-webhooks", "--max-seconds", "0.5",
                                      "--poll-seconds", "0.1"])
    assert result.exit_code == 0, result.output
    assert "Delivered 0, to retry 0, failed 0; 0 waiting" in result.output
    assert 0.5 <= time.monotonic() - started < 5


# Subscriptions.


def test_a_subscription_needs_an_http_target_and_chosen_events(root: Any) -> None:
    nwh = Provider.objects.get(code="NWH")
    with pytest.raises(ReferralError) as refused:
        create_webhook_subscription(root, nwh, "file:///etc/passwd", ["no.such.event"])
    assert [field for field, _ in refused.value.problems] == ["target_url", "events"]
    with pytest.raises(ReferralError):
        create_webhook_subscription(root, nwh, "https://nwh.example/hooks", [])
    made, secret = create_webhook_subscription(root, nwh, " https://nwh.example/hooks ",
                                               ["referral.concluded", "referral.sent"])
    assert made.target_url == "https://nwh.example/hooks"
    assert made.events == ["referral.sent", "referral.concluded"]  # in the listed order
    assert made.secret == secret and len(secret) >= 40
    renewed = renew_webhook_secret(root, made)
    made.refresh_from_db()
    assert renewed != secret and made.secret == renewed


def test_only_administrators_keep_subscriptions(kw: Any, pp: Any) -> None:
    nwh = Provider.objects.get(code="NWH")
    for user in (kw, pp):
        with pytest.raises(PermissionDenied):
            create_webhook_subscription(user, nwh, "https://nwh.example/hooks", ALL_EVENTS)
        with pytest.raises(PermissionDenied):
            retry_webhook_events(user, [])


def test_the_admin_shows_a_new_secret_once(root: Any) -> None:
    admin = Client()
    admin.force_login(root)
    nwh = Provider.objects.get(code="NWH")
    answer = admin.post("/admin/referrals/webhooksubscription/add/", {
        "provider": nwh.pk, "target_url": "https://nwh.example/hooks",
        "events": ["referral.sent", "session.recorded"], "active": "on"}, follow=True)
    assert answer.status_code == 200
    made = nwh.webhook_subscriptions.get()
    assert made.events == ["referral.sent", "session.recorded"]
    assert made.secret in answer.content.decode()
    change = admin.get(f"/admin/referrals/webhooksubscription/{made.pk}/change/")
    assert change.status_code == 200 and made.secret not in change.content.decode()
    edited = admin.post(f"/admin/referrals/webhooksubscription/{made.pk}/change/", {
        "target_url": "ftp://nwh.example/hooks", "events": ["referral.sent"], "active": "on"})
    assert edited.status_code == 200
    assert "Enter the target as an https:// address" in edited.content.decode()
    made.refresh_from_db()
    assert made.target_url == "https://nwh.example/hooks"


# Several workers at once (committed data, real transactions, one connection per worker).


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_deliver_each_event_exactly_once(
        transactional_db: Any, migrated_data: None, make_user: Any, named_case: Any) -> None:
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    import_module("omp.referrals.migrations.0002_catalogue").forwards(apps, None)
    from omp.referrals.models import Service

    root = User.objects.create_superuser("root", password="a-long-test-password")
    pp = make_user("pp", "com")
    slow = Receiver()
    slow.delay = 0.1  # each delivery takes a while: the workers overlap
    slow.start()
    try:
        for number in range(6):
            subscribe(root, "NWH", f"{slow.url}?subscription={number}")
        service = Service.objects.select_related("category").get(
            title="Housing support in London")
        _sent(pp, named_case(), service)
        assert OutboxEvent.objects.count() == 6
        tried: list[int] = []

        def worker() -> None:
            try:
                while (done := deliver_due(limit=1)).tried:
                    tried.append(done.delivered)
            finally:
                connection.close()

        workers = [threading.Thread(target=worker) for _ in range(2)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=60)
        ids = [headers["x-omp-delivery"] for headers, _ in slow.received]
        assert len(ids) == len(set(ids)) == 6 and sum(tried) == 6
        assert OutboxEvent.objects.filter(delivered_at__isnull=False, attempts=1).count() == 6
    finally:
        slow.stop()
