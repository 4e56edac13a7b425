"""Stored decisions. ``AllocationDecision`` rows are never updated or deleted: a change of
outcome or reasons appends a row, and ``CurrentDecision`` points at the latest one."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from omp.cases.models import Person
from omp.rules.policy import ALLOCATION_CRITERIA, PolicyVersion

OUTCOMES = [("RETAINED_ENHANCED", "Retained / Enhanced Resourcing"),
            ("ALLOCATED_NORMAL", "Allocated / Normal Resourcing")]
TRIGGERS = [("change", "Change to the case"), ("nightly", "Nightly recompute"),
            ("import", "Import"), ("policy", "Policy change")]


class PolicyVersionRecord(models.Model):
    """An effective-dated policy version (ALLOC-7), editable without a code change."""

    name = models.CharField(max_length=30, unique=True)
    effective_from = models.DateField()
    scope = models.CharField(max_length=20, blank=True, default="",
                             help_text="Blank for national, a country (England/Wales) or a "
                                       "region code")
    criteria = models.JSONField(default=list)
    levelled_up = models.BooleanField(default=False)
    handover_era = models.CharField(max_length=1, default="E")
    description = models.CharField(max_length=300, blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        ordering = ["effective_from", "name"]
        verbose_name = "policy version"

    def __str__(self) -> str:
        return f"{self.name} from {self.effective_from} ({self.scope or 'national'})"

    def as_rule(self) -> PolicyVersion:
        """The pure-rules form of this version."""
        criteria = frozenset(self.criteria) if self.criteria else frozenset(ALLOCATION_CRITERIA)
        return PolicyVersion(self.name, self.effective_from, self.scope or None, criteria,
                             self.levelled_up, self.handover_era, self.description)


class RecomputeRun(models.Model):
    """One nightly recompute over all cases; its checkpoint makes a killed run resumable."""

    as_of = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Every person with a smaller id has been recomputed and committed.
    last_person_id = models.BigIntegerField(default=0)
    examined = models.PositiveIntegerField(default=0)
    #: Cases whose inputs had changed, so were decided afresh (the rest were unchanged).
    decided = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)

    @property
    def finished(self) -> bool:
        """True once every case was examined."""
        return self.finished_at is not None


class AllocationDecision(models.Model):
    """One allocation decision with its reasons, append-only (ALLOC-1, ALLOC-4, ALLOC-5)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="allocation_decisions")
    outcome = models.CharField(max_length=17, choices=OUTCOMES)
    source = models.CharField(max_length=8, default="computed")
    reasons = models.JSONField(default=list)
    missing = models.JSONField(default=list)
    tier = models.CharField(max_length=3, blank=True, default="")
    tier_source = models.CharField(max_length=60, blank=True, default="")
    policy_version = models.CharField(max_length=30)
    as_of = models.DateField()
    decided_at = models.DateTimeField(auto_now_add=True)
    trigger = models.CharField(max_length=8, choices=TRIGGERS)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True)
    run = models.ForeignKey(RecomputeRun, on_delete=models.PROTECT, null=True, blank=True)
    fingerprint = models.CharField(max_length=32)
    #: Digest of the case rows, ruleset and policy versions the decision was made from
    #: (blank when made on a change; see ``recompute.inputs_digest``).
    inputs = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["person", "-id"])]

    @property
    def label(self) -> str:
        """The outcome in words."""
        return dict(OUTCOMES)[self.outcome]


class CurrentDecision(models.Model):
    """The latest allocation decision of each case, and its fingerprint for quick compare."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, primary_key=True,
                                  related_name="current_decision")
    decision = models.ForeignKey(AllocationDecision, on_delete=models.PROTECT)
    fingerprint = models.CharField(max_length=32)
    as_of = models.DateField(default=date.today)
    #: The inputs digest the nightly run last saw give this decision; a change to the case
    #: sets a one-off token, so the next run decides the case afresh.
    inputs = models.CharField(max_length=32, blank=True, default="")
