"""Refer and Monitor (REF-1..9): the catalogue of commissioned services and the referrals
made to them.

The catalogue — providers, their contracts (a prime provider and its subcontractors, for a
region or a contract package area, with who is eligible and from when to when), the
services a contract buys, each in a category with its complexity levels (and the session
cap of each), and the desired outcomes a practitioner can choose — is reference data kept in
the admin. A referral keeps every version (django-simple-history): each draft save, the
send, and each amendment after sending with its reason.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from omp.cases.models import Person, Region
from omp.rules.referral_feedback import CHANNEL_WORDS, HELPFULNESS_WORDS, RECOMMEND_WORDS
from omp.rules.referral_lifecycle import EVENT_WORDS
from omp.rules.referral_outcomes import ACHIEVEMENT_WORDS
from omp.rules.referral_sessions import ATTENDANCE_WORDS, NO_SESSION_WORDS

COMPLEXITIES = [("LOW", "Low complexity"), ("MEDIUM", "Medium complexity"),
                ("HIGH", "High complexity")]
#: Readiness to engage (seed 001: referrals arrive when the person is not ready to engage).
READINESS = [("ready", "Ready to engage now"),
             ("with_support", "Ready to engage with support"),
             ("not_ready", "Not ready to engage yet")]
#: Where the person is when the referral is made: the two referral routes of REF-1.
LOCATIONS = [("community", "In the community"), ("custody", "In custody, before release")]


class ServiceCategory(models.Model):
    """A kind of need a service meets, e.g. Accommodation."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "service categories"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ComplexityLevel(models.Model):
    """One of a category's three levels, with who it is for and its session cap (REF-5)."""

    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT,
                                 related_name="complexity_levels")
    complexity = models.CharField(max_length=6, choices=COMPLEXITIES)
    title = models.CharField(max_length=100)
    description = models.TextField()
    session_cap = models.PositiveSmallIntegerField(
        help_text="The most sessions a referral at this level gets before an extension.")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "complexity"],
                                               name="one_level_per_complexity")]
        ordering = ["category", "session_cap"]

    def __str__(self) -> str:
        return f"{self.category}: {self.title}"


class DesiredOutcome(models.Model):
    """A result a referral aims at, in a category (REF-6: results, not inputs); retired
    outcomes stay on the referrals that chose them."""

    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT,
                                 related_name="desired_outcomes")
    description = models.CharField(max_length=300)
    retired_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "id"]

    def __str__(self) -> str:
        return self.description


class Provider(models.Model):
    """A provider organisation. Its ``staff`` (users with the provider role) see the
    referrals sent to the contracts it delivers, and no others (REF-9)."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=150)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                   related_name="providers")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """A contract for commissioned services: the prime provider and its subcontractors,
    where (a region or a contract package area), for whom (ages, sexes) and when."""

    reference = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=150)
    prime_provider = models.ForeignKey(Provider, on_delete=models.PROTECT,
                                       related_name="prime_contracts")
    subcontractors = models.ManyToManyField(Provider, blank=True,
                                            related_name="subcontracts")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="contracts")
    contract_package_area = models.CharField(
        max_length=100, blank=True, default="",
        help_text="The contract package area, where the contract covers one rather than a "
                  "whole region.")
    minimum_age = models.PositiveSmallIntegerField(default=18)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    allows_male = models.BooleanField(default=True)
    allows_female = models.BooleanField(default=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"

    @property
    def area(self) -> str:
        """Where the contract runs, in words."""
        return self.contract_package_area or (self.region.name if self.region else "National")


class Service(models.Model):
    """A service a contract buys, in one category (a need that spans two categories is two
    referrals)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="services")
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT,
                                 related_name="services")
    title = models.CharField(max_length=150)
    description = models.TextField(
        help_text="What the service does, in words the person will understand: it is "
                  "printed in the summary for the person.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Referral(models.Model):
    """A referral of a person to a service (REF-1, REF-2).

    What the system holds is copied in when the draft is started (the RoSH summary, previous
    convictions, additional orders) and the location and release date again when it is sent,
    so nothing is typed twice; the practitioner adds the rest. Sent referrals change only by
    an amendment with a reason; every version is in ``history``.
    """

    reference = models.CharField(max_length=10, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="referrals_made")
    created_at = models.DateTimeField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                null=True, blank=True, related_name="referrals_sent")
    sent_at = models.DateTimeField(null=True, blank=True)
    # From the case record (editable: the practitioner may add what the record lacks).
    rosh_summary = models.TextField("risk of serious harm summary", blank=True, default="")
    previous_convictions = models.TextField(blank=True, default="")
    additional_orders = models.TextField(blank=True, default="")
    # From the custody record, read again when the referral is sent.
    location = models.CharField(max_length=10, choices=LOCATIONS, default="community")
    prison_name = models.CharField(max_length=100, blank=True, default="")
    expected_release_date = models.DateField(null=True, blank=True)
    expected_release_basis = models.CharField(max_length=100, blank=True, default="")
    release_area = models.CharField(max_length=60, blank=True, default="")
    # Added by the practitioner.
    complexity_level = models.ForeignKey(ComplexityLevel, on_delete=models.PROTECT,
                                         null=True, blank=True, related_name="+")
    #: The chosen desired outcomes' ids, in the order chosen (kept in every version).
    desired_outcome_ids = models.JSONField(default=list, blank=True)
    readiness = models.CharField("readiness to engage", max_length=12, choices=READINESS,
                                 blank=True, default="")
    readiness_notes = models.TextField(blank=True, default="")
    enforceable_days = models.PositiveSmallIntegerField(null=True, blank=True)
    completion_deadline = models.DateField(null=True, blank=True)
    reason_for_referral = models.TextField(blank=True, default="")
    explanation_for_person = models.TextField(blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["person", "-created_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_sent(self) -> bool:
        """Sent to the provider (no longer a draft)."""
        return self.sent_at is not None


#: Why a practitioner withdraws a sent referral (Refer and Monitor's withdrawal reasons).
WITHDRAWAL_REASONS = [
    ("INE", "Ineligible referral"),
    ("MIS", "Mistaken or duplicate referral"),
    ("NOT", "The person has not engaged"),
    ("NEE", "Needs met through another route"),
    ("MOV", "Moved out of the service area"),
    ("WOR", "Work, caring commitments or sickness"),
    ("USE", "The person has died"),
    ("ACQ", "Acquitted on appeal"),
    ("RET", "Returned to custody"),
    ("SER", "Sentence revoked"),
    ("SEE", "Sentence expired"),
    ("EAR", "The work has been completed early"),
    ("ANO", "Another change of circumstances"),
]
#: The reason that must be explained in the comments.
OTHER_WITHDRAWAL_REASON = "ANO"


class ActionPlan(models.Model):
    """One version of a referral's action plan (REF-4): proposed by the provider, approved
    by the practitioner. A version is never changed once submitted, but for its approval,
    written once with who approved it and when; an amendment is the next version, with its
    reason."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT,
                                 related_name="action_plans")
    version = models.PositiveSmallIntegerField()
    number_of_sessions = models.PositiveSmallIntegerField()
    #: What the provider will do, one activity a line, in the order given.
    activities = models.JSONField(default=list)
    reason_for_change = models.TextField(blank=True, default="")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "version"],
                                               name="one_action_plan_per_version")]
        ordering = ["referral", "version"]

    def __str__(self) -> str:
        return f"{self.referral} action plan version {self.version}"


#: How a session is delivered (Refer and Monitor's appointment delivery types).
METHODS = [("phone", "By phone"), ("video", "By video call"),
           ("probation_office", "In person at a probation office"),
           ("in_person_other", "In person somewhere else")]
#: Methods that need a place: where the person goes.
IN_PERSON = frozenset({"probation_office", "in_person_other"})
#: Who asked for a session to be moved.
RESCHEDULE_REQUESTERS = [("person", "The person on probation"), ("provider", "The provider"),
                         ("practitioner", "The probation practitioner")]


class Appointment(models.Model):
    """One booking of a session of the approved action plan (REF-5), by the provider:
    when, for how long, how and where, and whether it counts towards the referral's
    enforceable (RAR) days. Attendance is recorded once, after it has started. Moving a
    session is a new booking; the old one keeps who asked for the move and why, so the
    history is never lost."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT,
                                 related_name="appointments")
    session_number = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=20, choices=METHODS)
    location = models.CharField(max_length=300, blank=True, default="")
    #: Counts towards the referral's enforceable (RAR) days; otherwise voluntary.
    enforceable = models.BooleanField()
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    booked_at = models.DateTimeField()
    #: The booking that replaced this one, when the session was moved.
    rescheduled_to = models.OneToOneField("self", on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="rescheduled_from")
    reschedule_requested_by = models.CharField(max_length=12, blank=True, default="",
                                               choices=RESCHEDULE_REQUESTERS)
    reschedule_reason = models.TextField(blank=True, default="")
    # Attendance and engagement, recorded once after the session started.
    attendance = models.CharField(max_length=4, blank=True, default="",
                                  choices=list(ATTENDANCE_WORDS.items()))
    happened = models.BooleanField(null=True, blank=True)
    no_session_reason = models.CharField(max_length=16, blank=True, default="",
                                         choices=list(NO_SESSION_WORDS.items()))
    notes = models.TextField("engagement notes", blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["referral", "starts_at", "id"]
        indexes = [models.Index(fields=["referral", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.referral} session {self.session_number} at {self.starts_at:%Y-%m-%d %H:%M}"


class WrittenOnce(models.Model):
    """A record that is only ever added: saving it again or deleting it is refused, so what
    was submitted stays as it was (REF-6c, REF-7)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.pop("force_insert", False):
            raise ValueError(f"A {self._meta.verbose_name} is never changed once written")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"A {self._meta.verbose_name} is never deleted")


class EndOfServiceReport(WrittenOnce):
    """One version of the provider's end-of-service report (REF-6): how far each desired
    outcome was achieved, and anything further. Never changed once submitted; a correction
    before the referral is concluded is the next version, with its reason."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT,
                                 related_name="end_of_service_reports")
    version = models.PositiveSmallIntegerField()
    further_information = models.TextField(blank=True, default="")
    reason_for_change = models.TextField(blank=True, default="")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "version"],
                                               name="one_report_per_version")]
        ordering = ["referral", "version"]
        verbose_name = "end-of-service report"

    def __str__(self) -> str:
        return f"{self.referral} end-of-service report version {self.version}"


class EndOfServiceOutcome(WrittenOnce):
    """How far one desired outcome was achieved, in one version of the report (REF-6a)."""

    report = models.ForeignKey(EndOfServiceReport, on_delete=models.PROTECT,
                               related_name="outcomes")
    desired_outcome = models.ForeignKey(DesiredOutcome, on_delete=models.PROTECT,
                                        related_name="+")
    position = models.PositiveSmallIntegerField()
    achievement = models.CharField(max_length=12, choices=list(ACHIEVEMENT_WORDS.items()))
    notes = models.TextField("progress notes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "desired_outcome"],
                                               name="one_rating_per_outcome")]
        ordering = ["report", "position"]
        verbose_name = "end-of-service outcome"

    def __str__(self) -> str:
        return f"{self.report}: {self.desired_outcome_id} {self.achievement}"


class ReferralEvent(models.Model):
    """One timestamped event of a referral's lifecycle; the referral's state is derived from
    these (``omp.rules.referral_lifecycle``) and never stored. Rows are only ever added."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=list(EVENT_WORDS.items()))
    #: When the event was recorded: the state on a past date replays events up to it.
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                           related_name="+")
    keyworker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    #: The day something happened, where it is not the day it was recorded (the initial
    #: assessment).
    happened_on = models.DateField(null=True, blank=True)
    action_plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="events")
    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="events")
    end_of_service_report = models.ForeignKey(EndOfServiceReport, on_delete=models.PROTECT,
                                              null=True, blank=True, related_name="events")
    reason_code = models.CharField(max_length=3, blank=True, default="",
                                   choices=WITHDRAWAL_REASONS)
    notes = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"])]

    def __str__(self) -> str:
        return f"{self.referral}: {self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class FeedbackLink(models.Model):
    """A one-time link to the person's feedback form (REF-6f). Only a hash of its token is
    kept: the token itself is shown once, to the member of staff who made it, to pass on."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT,
                                 related_name="feedback_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["referral", "created_at"]

    def __str__(self) -> str:
        return f"{self.referral} feedback link of {self.created_at:%Y-%m-%d %H:%M}"


class PersonFeedback(WrittenOnce):
    """The person's own feedback on the service (REF-6e): how helpful it was (1–5), whether
    they would recommend it, and their words; given through a one-time link or on paper and
    typed in by staff. One per referral, never changed; the scores are for the KPIs."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT,
                                    related_name="person_feedback")
    helpfulness = models.PositiveSmallIntegerField(
        choices=list(HELPFULNESS_WORDS.items()))
    would_recommend = models.CharField(max_length=8, choices=list(RECOMMEND_WORDS.items()))
    comments = models.TextField(blank=True, default="")
    channel = models.CharField(max_length=6, choices=list(CHANNEL_WORDS.items()))
    link = models.OneToOneField(FeedbackLink, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="feedback")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = "person's feedback"
        verbose_name_plural = "people's feedback"

    def __str__(self) -> str:
        return f"{self.referral} feedback ({self.get_channel_display()})"


class FeedbackAttempt(models.Model):
    """One request to the feedback page, by a hash of the address it came from: the rate
    limit counts these (REF-6g). Old rows are removed as new ones come."""

    address = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["address", "at"])]

    def __str__(self) -> str:
        return f"{self.address[:8]} at {self.at:%Y-%m-%d %H:%M}"


class ReferralMessage(WrittenOnce):
    """A message on a referral between the practitioner and the provider (REF-7a): kept as
    sent, never changed or deleted."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    sent_at = models.DateTimeField()
    body = models.TextField()

    class Meta:
        ordering = ["referral", "sent_at", "id"]
        verbose_name = "referral message"

    def __str__(self) -> str:
        return f"{self.referral} message of {self.sent_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """An event or a message a user is told of (REF-7b), until they have read it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="referral_notifications")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.text}"


class NotificationChoice(models.Model):
    """Whether a kind of event notifies a user (REF-7c); a kind with no row notifies as its
    default says."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_choices")
    kind = models.CharField(max_length=24)
    enabled = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="one_choice_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {'on' if self.enabled else 'off'}"


#: The events a provider's system can subscribe to (REF-8), in words.
WEBHOOK_EVENTS = {"referral.sent": "Referral sent",
                  "action_plan.approved": "Action plan approved",
                  "session.recorded": "Session recorded (attendance recorded)",
                  "referral.concluded": "Referral concluded"}


class WebhookSubscription(models.Model):
    """Where a provider's own system is told of events on its referrals (REF-8): a target
    URL, the events chosen and a shared secret that signs each delivery (HMAC-SHA256). The
    secret is kept as it is, because signing needs it; it is shown once, when made."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT,
                                 related_name="webhook_subscriptions")
    target_url = models.URLField(
        max_length=500, help_text="Where events are sent (POST). Use https in production.")
    #: The chosen event names (keys of ``WEBHOOK_EVENTS``).
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["provider", "target_url"]

    def __str__(self) -> str:
        return f"{self.provider}: {self.target_url}"


class OutboxEvent(models.Model):
    """One event to deliver to one subscription (REF-8), written in the same transaction as
    the change it tells of, and delivered later by ``omp referrals deliver-webhooks`` with
    retries and backoff until delivered or, after the last attempt, failed. ``delivery_id``
    is sent with every attempt, so a receiver can ignore a repeat."""

    delivery_id = models.UUIDField(unique=True, editable=False)
    kind = models.CharField(max_length=24, choices=list(WEBHOOK_EVENTS.items()))
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.PROTECT,
                                     related_name="outbox_events")
    payload = models.JSONField()
    created_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "webhook event"
        indexes = [models.Index(fields=["delivered_at", "failed_at", "next_attempt_at"],
                                name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: referral {self.referral_id} to {self.provider_id}"

    @property
    def status(self) -> str:
        """Delivered, failed (after the last attempt) or waiting, in words."""
        if self.delivered_at is not None:
            return "Delivered"
        return "Failed" if self.failed_at is not None else "Waiting"
