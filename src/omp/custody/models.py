"""Custody case management: the pathway's tasks (PATH-2..5), with their history, needs
assessments across the seven pathways (NEED-1), every version kept, the individual support
plan and its fortnightly reviews (NEED-1, PATH-6), the allocation of case managers (PATH-6)
and the compact (PATH-7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from omp.cases.models import Person, Prison, ProbationDeliveryUnit
from omp.rules.needs import NEED_AREAS as NEED_AREAS  # NEED-1, kept in one place
from omp.rules.support_plan import ACTION_STATUSES, NOT_STARTED, OPEN_STATUSES, is_review_key

OPEN, DONE, NOT_NEEDED = "open", "done", "not_needed"
STATUSES = [(OPEN, "To do"), (DONE, "Done"), (NOT_NEEDED, "No longer needed")]


class Task(models.Model):
    """One piece of work the pathway calls for, due on a date derived from the arrival and
    release dates. Moves when those dates move; a completed task is never moved or lost; a
    task the pathway no longer calls for is kept as "no longer needed"."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="tasks")
    key = models.CharField(max_length=40)
    rule = models.CharField(max_length=10)
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=60)
    opens = models.DateField()
    due = models.DateField()
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    #: Why the task is set this way, in plain words (PATH-5: why local or out of the area).
    reason = models.TextField(blank=True, default="")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "key"],
                                               name="one_task_of_a_kind_per_person")]
        indexes = [models.Index(fields=["status", "due"]),
                   # A person's open tasks, in order: read on every recompute of the
                   # person. Without it SQLite (no statistics) chose the status index
                   # and read every open task in the country, 0.3 s a case at 100,000.
                   models.Index(fields=["person", "status", "due"])]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due:%-d %B %Y})"

    @property
    def is_plan_review(self) -> bool:
        """A fortnightly review of the support plan (PATH-6), done by recording the review."""
        return is_review_key(self.key)

    @property
    def needs_release_area(self) -> bool:
        """Through-the-gate support not yet decided (PATH-5): done by recording the release
        address area, which turns it into the support that follows."""
        from omp.rules.tasks import SUPPORT_UNDECIDED

        return self.key == SUPPORT_UNDECIDED


class LocalArea(models.Model):
    """PATH-5 reference data: one area a prison serves, its "local area". A release to an
    address in one of them is local (community case management for up to 12 months);
    anywhere else, out of the area (arms-length support). The release address area is
    matched with the area's name, or with the code of its PDU when it has one."""

    prison = models.ForeignKey(Prison, on_delete=models.PROTECT, related_name="local_areas")
    name = models.CharField(max_length=60, help_text=(
        "The area as a release address area is recorded, e.g. a local authority: Doncaster"))
    pdu = models.ForeignKey(ProbationDeliveryUnit, on_delete=models.PROTECT, null=True,
                            blank=True, related_name="+", verbose_name="PDU", help_text=(
                                "The probation delivery unit covering it, when there is one"))
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prison", "name"],
                                               name="one_local_area_of_a_name_per_prison")]
        ordering = ["prison__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} (local to {self.prison.name})"


NEED_LEVELS = (("none", "No need"), ("low", "Low"), ("medium", "Medium"), ("high", "High"))


class NeedsAssessment(models.Model):
    """One needs assessment across the seven pathways (NEED-1). Never changed: a new
    assessment is a new version, and the latest is the one in force."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="needs_assessments")
    assessed_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["person", "-id"])]

    def __str__(self) -> str:
        return f"Needs of {self.person.case_ref} on {self.assessed_on:%-d %B %Y}"


class Need(models.Model):
    """One pathway's level and detail in an assessment."""

    assessment = models.ForeignKey(NeedsAssessment, on_delete=models.PROTECT,
                                   related_name="needs")
    area = models.CharField(max_length=20, choices=NEED_AREAS)
    level = models.CharField(max_length=6, choices=NEED_LEVELS)
    detail = models.TextField(blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "area"],
                                               name="one_level_per_area")]


CUSTODY, COMMUNITY = "custody", "community"
CASE_MANAGER_KINDS = [(CUSTODY, "Custody case manager"), (COMMUNITY, "Community case manager")]


class Allocation(models.Model):
    """A case manager holding a person's case (PATH-6), from a day until it ends. One of
    each kind at a time; an allocation past the caseload cap carries a manager's reason."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="allocations")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="case_allocations")
    kind = models.CharField(max_length=10, choices=CASE_MANAGER_KINDS)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    over_cap_reason = models.TextField(blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["manager", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.person.case_ref}"


FULL, BASIC = "full", "basic"
PROVISIONS = [(FULL, "Full provision"), (BASIC, "Basic provision")]


class Compact(models.Model):
    """PATH-7: the compact agreed between the person and the case management service, and
    the provision they receive: full while it is kept, basic (with a reason) when it is not;
    reversible, every change kept in the history."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="compact")
    agreed_on = models.DateField()
    provision = models.CharField(max_length=5, choices=PROVISIONS, default=FULL)
    reason = models.TextField(blank=True, default="")
    changed_on = models.DateField()
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Compact of {self.person.case_ref}: {self.get_provision_display()}"


class SupportAction(models.Model):
    """NEED-1: one action of the person's individual support plan, for a pathway the needs
    assessment found a need in: what will be done, who does it, by when, how it stands, and
    the referral it runs through (by its reference). Every change is kept in the history."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="support_actions")
    area = models.CharField(max_length=20, choices=NEED_AREAS)
    #: The needs assessment the action was written from.
    assessment = models.ForeignKey(NeedsAssessment, on_delete=models.PROTECT,
                                   related_name="actions")
    action = models.TextField()
    owner = models.CharField(max_length=100)
    due = models.DateField()
    status = models.CharField(max_length=12, choices=ACTION_STATUSES, default=NOT_STARTED)
    notes = models.TextField(blank=True, default="")
    #: The referral the action runs through (its reference, e.g. AB1234AC), when there is one.
    referral_reference = models.CharField(max_length=10, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["person", "status"]),
                   models.Index(fields=["status", "due"])]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.action[:60]}"

    @property
    def is_open(self) -> bool:
        """Not started or in progress."""
        return self.status in OPEN_STATUSES


class PlanReview(models.Model):
    """PATH-6: a fortnightly review of the support plan: the day it was held, who held it,
    a summary and the progress of each open action. Never changed once recorded."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="plan_reviews")
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    summary = models.TextField(blank=True, default="")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["person", "-reviewed_on"])]

    def __str__(self) -> str:
        return f"Review of {self.person.case_ref}'s plan on {self.reviewed_on:%-d %B %Y}"


class ActionProgress(models.Model):
    """What a review found for one action: the progress in words and the status after."""

    review = models.ForeignKey(PlanReview, on_delete=models.PROTECT, related_name="progress")
    action = models.ForeignKey(SupportAction, on_delete=models.PROTECT,
                               related_name="progress")
    status = models.CharField(max_length=12, choices=ACTION_STATUSES)
    progress = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "action"],
                                               name="one_progress_per_action_per_review")]
