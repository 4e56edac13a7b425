"""Commissioning (COM-1..4): what a commissioner holds about each contract of the referral
catalogue (``omp.referrals.models.Contract``), by reference: where it runs (a contract
package area), its service specification (mandatory minimum outcomes and outputs), its
KPIs with their targets, its unit costs, its stage in the commissioning cycle with each
stage's dates, owner and evidence expected, its market-engagement and tender windows, and
its supply chain (which organisation carries what share of the value and the referrals,
month by month). Stage moves are rows added, never changed: the stage now is the latest.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from omp.cases.models import ProbationDeliveryUnit, Region
from omp.referrals.models import Contract, Provider
from omp.rules.commissioning_cycle import STAGE_WORDS
from omp.rules.kpi import KpiDefinitionError, parse_definition, target_problems

STAGE_CHOICES = list(STAGE_WORDS.items())
SPECIFICATION_KINDS = [("outcome", "Outcome"), ("output", "Output")]
WINDOW_KINDS = [("market_engagement", "Market engagement"), ("tender", "Tender")]


class ContractPackageArea(models.Model):
    """One of the 21 contract package areas (seed 002): a region's PDUs grouped for
    commissioning."""

    code = models.CharField(max_length=5, unique=True)
    name = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cpas")
    pdus = models.ManyToManyField(ProbationDeliveryUnit, blank=True, related_name="cpas")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "contract package area"

    def __str__(self) -> str:
        return self.name


class ProviderProfile(models.Model):
    """What a commissioner records about a provider organisation: whether it is a small
    organisation or a specialist one (seed 001 §3: an obligation to subcontract to them)."""

    provider = models.OneToOneField(Provider, on_delete=models.PROTECT,
                                    related_name="commissioning_profile")
    small_organisation = models.BooleanField(
        default=False, help_text="Fewer than 50 staff and a turnover under £10 million.")
    specialist = models.BooleanField(default=False)
    specialism = models.CharField(max_length=150, blank=True, default="")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.provider}"


class CommissionedContract(models.Model):
    """A contract as its commissioner holds it (one per catalogue contract)."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT,
                                    related_name="commissioning")
    cpa = models.ForeignKey(ContractPackageArea, on_delete=models.PROTECT, null=True,
                            blank=True, related_name="contracts",
                            verbose_name="contract package area")
    annual_value = models.DecimalField("annual value (£)", max_digits=12, decimal_places=2)
    #: Seed 001 §3: the share of the contract's value the prime must pass to small or
    #: specialist organisations.
    specialist_share_target = models.PositiveSmallIntegerField(
        "share of value for small or specialist organisations (%)", null=True, blank=True)
    commissioner = models.CharField(max_length=100, blank=True, default="")
    contract_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                         null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract__reference"]

    def __str__(self) -> str:
        return str(self.contract)


class SpecificationItem(models.Model):
    """One line of the service specification: a mandatory minimum outcome or output (what
    must be delivered, never how, seed 004)."""

    contract = models.ForeignKey(CommissionedContract, on_delete=models.CASCADE,
                                 related_name="specification")
    kind = models.CharField(max_length=7, choices=SPECIFICATION_KINDS)
    description = models.CharField(max_length=300)
    minimum = models.CharField("mandatory minimum", max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "kind", "order", "id"]

    def __str__(self) -> str:
        return self.description


class UnitCost(models.Model):
    """What the contract pays for one unit of something it buys."""

    contract = models.ForeignKey(CommissionedContract, on_delete=models.CASCADE,
                                 related_name="unit_costs")
    item = models.CharField(max_length=150)
    unit = models.CharField(max_length=60, help_text="For example: per session.")
    price = models.DecimalField("price (£)", max_digits=10, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "item"]

    def __str__(self) -> str:
        return f"{self.item}: £{self.price} {self.unit}"


class StagePlan(models.Model):
    """A stage of the commissioning cycle as planned for a contract: its dates, who owns
    it, and the evidence expected before the contract moves on."""

    contract = models.ForeignKey(CommissionedContract, on_delete=models.CASCADE,
                                 related_name="stage_plans")
    stage = models.CharField(max_length=6, choices=STAGE_CHOICES)
    starts_on = models.DateField()
    ends_on = models.DateField()
    owner = models.CharField(max_length=100)
    evidence_expected = models.TextField()
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "stage"],
                                               name="one_plan_per_stage")]

    def __str__(self) -> str:
        return f"{self.contract}: {self.get_stage_display()}"


class CommissioningWindow(models.Model):
    """A market-engagement or tender window of the buy stage, with its dates (seed 001 §3:
    a longer window and more robust market engagement)."""

    contract = models.ForeignKey(CommissionedContract, on_delete=models.CASCADE,
                                 related_name="windows")
    kind = models.CharField(max_length=17, choices=WINDOW_KINDS)
    opens_on = models.DateField()
    closes_on = models.DateField()
    notes = models.CharField(max_length=300, blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "opens_on"]

    @property
    def weeks(self) -> int:
        """How many whole weeks the window is open."""
        return (self.closes_on - self.opens_on).days // 7


class StageMove(models.Model):
    """A move of a contract to a stage of the cycle: who, when, the evidence seen for the
    stage left and, for a move back, why. Rows are only ever added."""

    contract = models.ForeignKey(CommissionedContract, on_delete=models.PROTECT,
                                 related_name="stage_moves")
    from_stage = models.CharField(max_length=6, choices=STAGE_CHOICES, blank=True,
                                  default="")
    to_stage = models.CharField(max_length=6, choices=STAGE_CHOICES)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                           blank=True, related_name="+")
    evidence = models.TextField(blank=True, default="")
    reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["contract", "at"])]

    def __str__(self) -> str:
        return f"{self.contract}: {self.get_to_stage_display()} at {self.at:%Y-%m-%d}"


class SupplyChainMember(models.Model):
    """An organisation in a contract's supply chain: the prime (for the work it keeps) or a
    subcontractor, with what it delivers and when it joined and left."""

    contract = models.ForeignKey(CommissionedContract, on_delete=models.CASCADE,
                                 related_name="supply_chain")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    delivers = models.CharField(max_length=200)
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "provider"],
                                               name="one_member_per_provider")]
        ordering = ["contract", "joined_on", "id"]

    def __str__(self) -> str:
        return f"{self.provider} in {self.contract}"


class SupplyChainMonth(models.Model):
    """What a member of the supply chain was paid and the referrals it took in a month."""

    member = models.ForeignKey(SupplyChainMember, on_delete=models.CASCADE,
                               related_name="months")
    month = models.DateField(help_text="The first day of the month.")
    value = models.DecimalField("value (£)", max_digits=12, decimal_places=2)
    referrals = models.PositiveIntegerField()
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "month"],
                                               name="one_row_per_member_month")]
        ordering = ["member", "month"]


class KpiDefinition(models.Model):
    """A KPI as data (COM-3: one definition in every region): what it counts, over which
    source, as the JSON read by ``omp.rules.kpi``."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField()
    definition = models.JSONField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = "KPI definition"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The definition is checked by ``omp.rules.kpi``; each problem names its field."""
        try:
            parse_definition(self.definition)
        except KpiDefinitionError as error:
            raise ValidationError({"definition": [f"{field}: {message}"
                                                  for field, message in error.problems]}
                                  ) from None


class ContractKpi(models.Model):
    """A KPI a contract is held to, with its target (a percentage for a rate) and how far
    below the target is still amber rather than red."""

    contract = models.ForeignKey(CommissionedContract, on_delete=models.CASCADE,
                                 related_name="kpis")
    definition = models.ForeignKey(KpiDefinition, on_delete=models.PROTECT,
                                   related_name="contract_kpis")
    target = models.DecimalField(max_digits=6, decimal_places=2)
    amber_margin = models.DecimalField(
        max_digits=6, decimal_places=2, default=5,
        help_text="Points below the target that are amber rather than red.")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "definition"],
                                               name="one_target_per_kpi")]
        ordering = ["contract", "definition__code"]
        verbose_name = "contract KPI"

    def __str__(self) -> str:
        return f"{self.contract}: {self.definition}"

    def clean(self) -> None:
        """A rate's target is a percentage from 0 to 100 (and so on: ``omp.rules.kpi``)."""
        if self.definition_id is None or self.target is None or self.amber_margin is None:
            return
        try:
            spec = parse_definition(self.definition.definition)
        except KpiDefinitionError:
            return  # the definition's own page says what is wrong with it
        problems = target_problems(spec, Decimal(self.target), Decimal(self.amber_margin))
        if problems:
            raise ValidationError({field: message for field, message in problems})


class KpiFigure(models.Model):
    """A KPI's figure for one contract and month as last computed (``omp commissioning
    kpis``): the counts it came from, the figure (or why there is none), the target and
    RAG rating it was rated against, when and on which engine. Each recomputation that
    changes a row is kept in its history."""

    contract_kpi = models.ForeignKey(ContractKpi, on_delete=models.CASCADE,
                                     related_name="figures")
    month = models.DateField(help_text="The first day of the month.")
    #: The figure: a percentage for a rate, a number for a count or a mean; null for none.
    value = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)
    no_data = models.CharField(max_length=200, blank=True, default="")
    denominator = models.PositiveIntegerField(default=0)
    numerator = models.PositiveIntegerField(default=0)
    #: For a mean: how many values were averaged.
    values = models.PositiveIntegerField(default=0)
    target = models.DecimalField(max_digits=6, decimal_places=2)
    amber_margin = models.DecimalField(max_digits=6, decimal_places=2)
    rag = models.CharField(max_length=5, blank=True, default="")
    computed_at = models.DateTimeField()
    engine = models.CharField(max_length=10)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract_kpi", "month"],
                                               name="one_figure_per_kpi_month")]
        ordering = ["contract_kpi", "month"]
        verbose_name = "KPI figure"

    def __str__(self) -> str:
        return f"{self.contract_kpi}: {self.month:%B %Y}"


class SegmentationFigures(models.Model):
    """The segmentation's figures (COM-2) for one filter, as last computed: by the KPI run
    and ``omp commissioning segmentation`` for the filters every commissioner starts from,
    or by the first page that asked for another filter. At national scale they take
    seconds to compute (every person's latest scores), so pages read them from here, with
    the time they were computed. Aggregates only: no row names a person."""

    where = models.CharField(max_length=10)
    #: A contract package area's code, or blank for every area.
    cpa = models.CharField(max_length=20, blank=True, default="")
    #: A provider's code (the people referred to its services), or blank for everyone.
    provider = models.CharField(max_length=20, blank=True, default="")
    #: The day the figures are for (spend and outcomes count the year to it).
    computed_on = models.DateField()
    computed_at = models.DateTimeField()
    #: The figures, as ``omp.commissioning.segmentation.figures_json`` writes them.
    figures = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["where", "cpa", "provider"],
                                               name="one_segmentation_per_filter")]
        verbose_name = "segmentation figures"
        verbose_name_plural = "segmentation figures"

    def __str__(self) -> str:
        return f"Segmentation {self.where} {self.cpa or 'all areas'} {self.provider or ''}"


class ContractReferralFigures(models.Model):
    """A commissioned contract's sent referrals by where they stand, how many initial
    assessments are overdue and the desired outcomes rated at conclusion, as last computed
    for a day: by the KPI run (from its referrals source) for every contract, or by the
    first contract manager's dashboard that asked on a day without them. At national volume
    they take seconds to derive (every referral's events), so the dashboard reads them from
    here, with the time they were computed. Aggregates only: no row names a person or a
    referral."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE,
                                    related_name="referral_figures")
    #: The day the figures are for (overdue counts working days up to it).
    computed_on = models.DateField()
    computed_at = models.DateTimeField()
    #: Referrals by state code (``rules.referral_lifecycle``), the codes with none left out.
    states = models.JSONField(default=dict)
    late_assessments = models.PositiveIntegerField(default=0)
    #: The desired outcomes rated at conclusion, by level (REF-6a), the levels with none
    #: left out.
    outcomes = models.JSONField(default=dict)

    class Meta:
        verbose_name = "contract referral figures"
        verbose_name_plural = "contract referral figures"

    def __str__(self) -> str:
        return f"Referral figures for contract {self.contract_id} on {self.computed_on}"
