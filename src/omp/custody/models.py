"""Custody case management: the pathway's tasks (PATH-2..5), with their history, needs
assessments across the seven pathways (NEED-1), every version kept, and the allocation of
case managers (PATH-6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from omp.cases.models import Person

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
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "key"],
                                               name="one_task_of_a_kind_per_person")]
        indexes = [models.Index(fields=["status", "due"])]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due:%-d %B %Y})"


#: NEED-1: the seven needs pathways, in the seed's order.
NEED_AREAS = (
    ("accommodation", "Accommodation"),
    ("ete", "Education, training and employment"),
    ("health", "Health"),
    ("substance_misuse", "Substance misuse"),
    ("families", "Families"),
    ("finance", "Finance and debt"),
    ("thinking", "Thinking skills"),
)
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
