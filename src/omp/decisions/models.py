"""Stored decisions. ``AllocationDecision`` rows are never updated or deleted: a change of
outcome or reasons appends a row, and ``CurrentDecision`` points at the latest one."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from omp.cases.models import Person
from omp.clock import today
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
    #: ``allocation`` or ``handover``: the nightly run recomputes each part in turn.
    part = models.CharField(max_length=10, default="allocation")
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

    @classmethod
    def to_resume(cls, as_of: date, part: str) -> RecomputeRun:
        """The unfinished run of ``part`` for ``as_of`` to resume, or a new one."""
        run = (cls.objects.filter(as_of=as_of, part=part, finished_at__isnull=True)
               .order_by("-id").first())
        return run or cls.objects.create(as_of=as_of, part=part)


class AllocationDecision(models.Model):
    """One allocation decision with its reasons, append-only (ALLOC-1, ALLOC-4, ALLOC-5)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="allocation_decisions")
    outcome = models.CharField(max_length=17, choices=OUTCOMES)
    source = models.CharField(max_length=8, default="computed")
    reasons = models.JSONField(default=list)
    missing = models.JSONField(default=list)
    #: Data that contradicts itself or that the rules cannot use: ``{"field", "message"}``.
    warnings = models.JSONField(default=list, blank=True)
    #: PATH-1: the pathway of a person in custody (``None`` out of custody or undecidable),
    #: decided from the same facts as the allocation, and why.
    pathway = models.PositiveSmallIntegerField(null=True, blank=True)
    pathway_reason = models.JSONField(null=True, blank=True)
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
        indexes = [models.Index(fields=["person", "-id"]),
                   # A nightly chunk moves the heads to the rows its run wrote for the
                   # chunk's people. An index on the run alone made each chunk visit every
                   # row the run had written so far: about 0.2 s a chunk late in a first
                   # night of 1,000,000 cases, 4 ms with the person beside the run.
                   models.Index(fields=["run", "person"])]

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
    as_of = models.DateField(default=today)
    #: The inputs digest the nightly run last saw give this decision; a change to the case
    #: sets a one-off token, so the next run decides the case afresh.
    inputs = models.CharField(max_length=32, blank=True, default="")


RESPONSIBILITIES = [("POM_RESPONSIBLE", "POM responsible"),
                    ("POM_RESPONSIBLE_COM_SUPPORTING", "POM responsible, COM supporting"),
                    ("COM_RESPONSIBLE", "COM responsible")]
OVERRIDE_VALUES = [("Prison", "Prison (POM responsible, COM supporting)"),
                   ("Probation", "Probation (COM responsible, POM supporting)")]


class ResponsibilityOverride(models.Model):
    """A head of offender management's manual responsibility (HANDOVER §1.1). While active it
    wins over the calculation; ending it keeps the row, and every change is in history."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="responsibility_overrides")
    value = models.CharField(max_length=9, choices=OVERRIDE_VALUES)
    reason = models.CharField(max_length=30)
    reason_text = models.CharField(max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["person", "-id"])]

    @property
    def reason_words(self) -> str:
        """The reason as shown: the chosen reason, and the free text for "other"."""
        from omp.rules.handover_terms import OVERRIDE_REASONS

        words = OVERRIDE_REASONS.get(self.reason, self.reason)
        return f"{words}: {self.reason_text}" if self.reason_text else words


class HandoverRecord(models.Model):
    """One responsibility and handover decision (HAND-1..3), append-only like the
    allocation decisions: a change appends a row and ``CurrentHandover`` moves to it."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="handover_records")
    #: Blank when not calculated (outside the OMiC policy).
    responsibility = models.CharField(max_length=30, blank=True, default="",
                                      choices=RESPONSIBILITIES)
    start_date = models.DateField(null=True, blank=True)
    handover_date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=40)
    rule = models.CharField(max_length=40)
    explanation = models.TextField()
    era = models.CharField(max_length=1)
    policy_version = models.CharField(max_length=30)
    earliest_release_name = models.CharField(max_length=6, blank=True, default="")
    earliest_release_date = models.DateField(null=True, blank=True)
    handover_type = models.CharField(max_length=10, blank=True, default="")
    pom_type = models.CharField(max_length=9, blank=True, default="")
    override = models.ForeignKey(ResponsibilityOverride, on_delete=models.PROTECT, null=True,
                                 blank=True)
    as_of = models.DateField()
    decided_at = models.DateTimeField(auto_now_add=True)
    trigger = models.CharField(max_length=8, choices=TRIGGERS)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    run = models.ForeignKey(RecomputeRun, on_delete=models.PROTECT, null=True, blank=True)
    fingerprint = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["person", "-id"]),
                   # The run's heads moved chunk by chunk, as for allocation decisions.
                   models.Index(fields=["run", "person"])]

    @property
    def label(self) -> str:
        """The responsibility in words."""
        return dict(RESPONSIBILITIES).get(self.responsibility, "Not calculated")

    @property
    def reason_title(self) -> str:
        """The reason in plain words (the code stays in the API and the files)."""
        from omp.rules.handover_terms import REASON_TITLES

        return REASON_TITLES.get(self.reason, self.reason.replace("_", " "))


class CurrentHandover(models.Model):
    """The latest handover decision of each case in custody, with its dates copied out so
    the staff lists (upcoming handovers, in handover, COM overdue) are index lookups."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, primary_key=True,
                                  related_name="current_handover")
    record = models.ForeignKey(HandoverRecord, on_delete=models.PROTECT)
    fingerprint = models.CharField(max_length=32)
    as_of = models.DateField()
    responsibility = models.CharField(max_length=30, blank=True, default="")
    start_date = models.DateField(null=True, blank=True)
    handover_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["responsibility", "handover_date"]),
                   # The cases a POM holds, by id: the what-if reads them a range of ids at
                   # a time, and without it each range read every POM-held case's row.
                   models.Index(fields=["person"], name="decisions_handover_pom_held",
                                condition=models.Q(responsibility__in=(
                                    "POM_RESPONSIBLE", "POM_RESPONSIBLE_COM_SUPPORTING")))]
