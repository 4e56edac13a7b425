"""Webhooks for providers' systems (REF-8): events on a provider's referrals, written to a
durable outbox in the transaction of the change (``enqueue``) and delivered later by a
worker (``deliver_due``, run by ``omp referrals deliver-webhooks``) with retries and
exponential backoff, so no event is lost while a receiver is down.

Each delivery is a POST of a JSON body with the headers

- ``X-OMP-Event``: the event's name, e.g. ``referral.sent``;
- ``X-OMP-Delivery``: the delivery's id (a UUID), the same on every attempt: a receiver
  that has seen it already ignores the repeat (delivery is at least once);
- ``X-OMP-Timestamp``: when the attempt was signed, in Unix seconds;
- ``X-OMP-Signature``: ``sha256=`` and the hex HMAC-SHA256, keyed by the subscription's
  secret, of ``<timestamp>.<body>``: the timestamp is signed, so a receiver refuses an old
  message replayed (say, older than five minutes).

An event goes only to subscriptions of the providers that deliver the referral's contract,
the same ones that may read the referral (REF-9), and carries only ids, the reference, the
event's name and when it happened: never notes.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from omp.referrals.models import (
    WEBHOOK_EVENTS,
    Contract,
    OutboxEvent,
    Referral,
    WebhookSubscription,
)

#: Attempts before an event is marked failed (shown in the admin, to retry by hand): with
#: the backoff below, about a day and a half of trying.
MAX_ATTEMPTS = 16
#: The wait after the first failed attempt; it doubles after each, up to ``MAX_BACKOFF``.
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=6)
#: How long one attempt waits for the receiver.
TIMEOUT_SECONDS = 10


def lease(limit: int) -> timedelta:
    """How long a batch of ``limit`` claimed events is not claimed again: long enough for
    the worker to try each in turn, so two workers do not send one at once; a worker that
    dies mid-batch leaves its events to be retried when the lease ends."""
    return timedelta(seconds=TIMEOUT_SECONDS * (limit + 2))

#: Schemes a target may use; production targets must be https (see the README).
SCHEMES = frozenset({"http", "https"})
_ERROR_LIMIT = 1000
log = logging.getLogger("omp.webhooks")


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt, after ``attempts`` failed ones: 30 s, 1 min,
    2 min, … doubling up to 6 hours."""
    doublings = min(max(0, attempts - 1), 20)  # past the cap anyway; no overflow
    return min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** doublings)


def new_secret() -> str:
    """A new shared secret for a subscription (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-OMP-Signature`` value: ``sha256=`` and the hex HMAC of ``timestamp.body``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def target_problem(url: str) -> str | None:
    """Why ``url`` cannot be a webhook target, or None: only http(s) with a host."""
    parts = urlsplit(str(url or "").strip())
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        return "Enter the target as an https:// address (http:// only for testing)"
    return None


def delivering_provider_ids(referral: Referral) -> set[int]:
    """The providers that deliver ``referral``'s contract (the prime provider and its
    subcontractors): the only ones that may read it (REF-9), so the only ones told."""
    contract = referral.service.contract
    return {contract.prime_provider_id, *contract.subcontractors.values_list("pk", flat=True)}


def payload_for(delivery_id: uuid.UUID, kind: str, referral: Referral, occurred_at: datetime,
                **ids: Any) -> dict[str, Any]:
    """The JSON body of an event: what the referral shares with its provider, no notes."""
    return {"id": str(delivery_id), "event": kind, "occurred_at": occurred_at.isoformat(),
            "referral": {"id": referral.pk, "reference": referral.reference}, **ids}


def enqueue(referral: Referral, kind: str, occurred_at: datetime,
            **ids: Any) -> list[OutboxEvent]:
    """Write ``kind`` for every active subscription of the referral's providers that chose
    it. Called by the actions inside their transaction: the event is kept exactly when the
    change is."""
    if kind not in WEBHOOK_EVENTS:
        raise ValueError(f"Unknown webhook event {kind!r}")
    # The providers of delivering_provider_ids, in the same query as their subscriptions.
    contract = referral.service.contract
    subcontractors = Contract.subcontractors.through.objects.filter(
        contract_id=contract.pk).values("provider_id")
    subscriptions = [s for s in WebhookSubscription.objects.filter(
        Q(provider_id=contract.prime_provider_id) | Q(provider_id__in=subcontractors),
        active=True).order_by("pk")
        if kind in (s.events or [])]
    now = timezone.now()
    rows = []
    for subscription in subscriptions:
        delivery_id = uuid.uuid4()
        rows.append(OutboxEvent(
            delivery_id=delivery_id, kind=kind, referral=referral,
            provider_id=subscription.provider_id, subscription=subscription,
            payload=payload_for(delivery_id, kind, referral, occurred_at, **ids),
            created_at=now, next_attempt_at=now))
    return OutboxEvent.objects.bulk_create(rows)


@dataclass
class Attempts:
    """What one pass of the worker did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def tried(self) -> int:
        return self.delivered + self.retrying + self.failed


def _due(now: datetime) -> Any:
    return (OutboxEvent.objects
            .filter(delivered_at__isnull=True, failed_at__isnull=True,
                    next_attempt_at__lte=now, subscription__active=True)
            .order_by("next_attempt_at", "id"))


def claim(limit: int, now: datetime | None = None) -> list[OutboxEvent]:
    """Claim up to ``limit`` due events: each gets its attempt counted and a lease, so
    another worker does not take it meanwhile. On PostgreSQL rows other workers have
    locked are skipped (``SKIP LOCKED``); everywhere, a claim is a conditional update that
    only one worker can win."""
    now = now or timezone.now()
    until = now + lease(limit)
    claimed = []
    with transaction.atomic():
        due = _due(now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        for event in due.select_related("subscription")[:limit]:
            won = OutboxEvent.objects.filter(
                pk=event.pk, attempts=event.attempts, delivered_at__isnull=True,
                failed_at__isnull=True).update(attempts=event.attempts + 1,
                                               next_attempt_at=until)
            if won:
                event.attempts += 1
                event.next_attempt_at = until
                claimed.append(event)
    return claimed


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: an event goes to its target and nowhere else."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(event: OutboxEvent, now: datetime | None = None) -> str | None:
    """Send one attempt of ``event``; None when the receiver answered 2xx, otherwise what
    went wrong (for ``last_error``)."""
    url = event.subscription.target_url
    problem = target_problem(url)
    if problem:
        return problem
    body = json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int((now or timezone.now()).timestamp())
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": "omp-webhooks/1",
        "X-OMP-Event": event.kind,
        "X-OMP-Delivery": str(event.delivery_id),
        "X-OMP-Timestamp": str(timestamp),
        "X-OMP-Signature": sign(event.subscription.secret, timestamp, body)})
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        error.close()
        return f"The receiver answered {error.code} {error.reason}"
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return f"Could not reach the receiver: {reason}"
    if not 200 <= status < 300:
        return f"The receiver answered {status}"
    return None


def record(event: OutboxEvent, error: str | None, now: datetime | None = None,
           final: bool = False) -> str:
    """Keep the result of an attempt: delivered; or the error, with the next attempt backed
    off; or, after the last attempt (or an error no retry mends, ``final``), failed.
    Returns which of the three."""
    now = now or timezone.now()
    if error is None:
        OutboxEvent.objects.filter(pk=event.pk).update(delivered_at=now, last_error="")
        log.info("webhook delivered: %s %s attempt %s", event.kind, event.delivery_id,
                 event.attempts)
        return "delivered"
    fields: dict[str, Any] = {"last_error": error[:_ERROR_LIMIT]}
    if final or event.attempts >= MAX_ATTEMPTS:
        fields["failed_at"] = now
        outcome = "failed"
    else:
        fields["next_attempt_at"] = now + backoff(event.attempts)
        outcome = "retrying"
    OutboxEvent.objects.filter(pk=event.pk).update(**fields)
    log.warning("webhook %s: %s %s attempt %s: %s", outcome, event.kind, event.delivery_id,
                event.attempts, error)
    return outcome


def deliver_due(limit: int = 10, now: datetime | None = None) -> Attempts:
    """One pass of the worker: claim the due events and try each once. Each attempt is
    signed at the moment it is sent (``now`` fixes the clock, for tests)."""
    done = Attempts()
    for event in claim(limit, now):
        final = target_problem(event.subscription.target_url) is not None
        error = post(event, now)
        outcome = record(event, error, now, final=final)
        setattr(done, outcome, getattr(done, outcome) + 1)
    return done


def waiting() -> int:
    """Events neither delivered nor failed."""
    return OutboxEvent.objects.filter(delivered_at__isnull=True,
                                      failed_at__isnull=True).count()


def retry(events: Any, now: datetime | None = None) -> int:
    """Give failed (or waiting) events a fresh set of attempts, due now; delivered ones are
    left alone. The number changed."""
    now = now or timezone.now()
    return events.filter(Q(delivered_at__isnull=True)).update(
        failed_at=None, attempts=0, next_attempt_at=now)
