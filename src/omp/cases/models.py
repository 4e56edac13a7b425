"""The case record (CASE-1..4). Every model keeps its history (who, when, what) so that
"what did we know on date D" can be answered from the ``Historical*`` tables."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

COUNTRIES = [("England", "England"), ("Wales", "Wales")]
SEXES = [("M", "Male"), ("F", "Female"), ("X", "Other / not stated")]
SENTENCE_KINDS = [("custodial", "Custodial"), ("community", "Community"),
                  ("suspended", "Suspended")]
SCHEDULE_15 = [("violent", "Schedule 15 violent"), ("sexual", "Schedule 15 sexual"),
               ("none", "Not schedule 15")]
ROSH_CODES = {"RLRH": "LOW", "RMRH": "MEDIUM", "RHRH": "HIGH", "RVHR": "VERY_HIGH"}
ROSH_REGISTRATION = {level: code for code, level in ROSH_CODES.items()}
MAPPA_CODE = "MAPP"
ASSESSMENT_KINDS = [("RSR", "RSR score (%)"), ("OSP", "OSP level"), ("OGRS", "OGRS3 2-year (%)"),
                    ("TIER", "Supervision tier"), ("OASYS", "OASys needs"),
                    ("OVP", "OVP 2-year violent (%)")]


class Region(models.Model):
    """A probation region (COM-1), in England or Wales."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    country = models.CharField(max_length=10, choices=COUNTRIES)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


class ProbationDeliveryUnit(models.Model):
    """A Probation Delivery Unit; its provider code ``N03`` means Wales (CASE-1)."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="pdus")
    provider_code = models.CharField(max_length=3)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "Probation Delivery Unit"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Prison(models.Model):
    """A prison, with the classes the handover rules need."""

    code = models.CharField(max_length=5, unique=True)
    name = models.CharField(max_length=100)
    womens = models.BooleanField(default=False)
    open_conditions = models.BooleanField(default=False)
    country = models.CharField(max_length=10, choices=COUNTRIES, default="England")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Person(models.Model):
    """A person under sentence (CASE-1). ``case_ref`` is the CRN-like case reference."""

    case_ref = models.CharField("case reference", max_length=20, unique=True)
    prison_number = models.CharField(max_length=10, blank=True, default="")
    first_name = models.CharField(max_length=60, blank=True, default="")
    last_name = models.CharField(max_length=60, blank=True, default="")
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=SEXES, blank=True, default="")
    nationality = models.CharField(max_length=60, blank=True, default="")
    second_nationality = models.CharField(max_length=60, blank=True, default="")
    nationality_recorded_on = models.DateField(null=True, blank=True)
    pdu = models.ForeignKey(ProbationDeliveryUnit, on_delete=models.PROTECT, null=True,
                            blank=True, related_name="people")
    pdu_since = models.DateField(null=True, blank=True)
    #: ENHANCED/NORMAL supplied by another system; blank when computed here.
    supplied_resourcing = models.CharField(max_length=8, blank=True, default="")
    #: The allocated Community Offender Manager, when known (HANDOVER §4.9: a case in
    #: handover with neither is "COM allocation overdue").
    com_name = models.CharField("COM name", max_length=100, blank=True, default="")
    com_email = models.EmailField("COM email", blank=True, default="")
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["last_name", "first_name"]),
                   models.Index(fields=["prison_number"]),
                   # A PDU's people by id from the index alone: the PDU's handover lists
                   # join them to the handover decisions without reading each record.
                   models.Index(fields=["pdu", "id"], name="cases_person_pdu_ids"),
                   # The same for those with no COM recorded: "COM allocation overdue".
                   models.Index(fields=["pdu", "id"], name="cases_person_pdu_no_com",
                                condition=models.Q(com_name="", com_email=""))]

    def __str__(self) -> str:
        return f"{self.case_ref} {self.full_name}".strip()

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()


class Event(models.Model):
    """A conviction event (CASE-2); the allocation rules read the current one."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="events")
    number = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    conviction_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "number"],
                                               name="event_number_per_person")]
        indexes = [models.Index(fields=["person", "is_current"])]


class Offence(models.Model):
    """An offence on an event, with its schedule 15 flag (blank: not recorded)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="offences")
    code = models.CharField(max_length=10)
    description = models.CharField(max_length=200, blank=True, default="")
    schedule_15 = models.CharField(max_length=7, choices=SCHEDULE_15, blank=True, default="")
    main = models.BooleanField(default=False)
    history = HistoricalRecords()


class Sentence(models.Model):
    """The sentence on an event (CASE-2); ``length`` is an ISO 8601 duration."""

    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="sentence")
    kind = models.CharField(max_length=10, choices=SENTENCE_KINDS)
    date = models.DateField(null=True, blank=True)
    length = models.CharField(max_length=20, blank=True, default="")
    indeterminate = models.BooleanField(default=False)
    ipp = models.BooleanField(default=False)
    breach_of_court_order = models.BooleanField(default=False)
    time_served = models.BooleanField(default=False)
    history = HistoricalRecords()


class Registration(models.Model):
    """A register entry (CASE-3): RoSH (RLRH/RMRH/RHRH/RVHR), MAPPA (MAPP, with level and
    category), HOI, SHPO, IIOM and the complexity factors, each with start and end dates."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="registrations")
    code = models.CharField(max_length=10)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    category = models.PositiveSmallIntegerField(null=True, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["person", "code"])]


class Assessment(models.Model):
    """A scored assessment (CASE-3): RSR %, OSP level, OGRS3 %, a recorded tier, or OASys
    section scores (``needs``). The latest on or before a date is the one in force."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(max_length=5, choices=ASSESSMENT_KINDS)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    value = models.CharField(max_length=10, blank=True, default="")
    needs = models.JSONField(null=True, blank=True)
    assessed_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["person", "kind", "assessed_on"])]


class CustodySpell(models.Model):
    """A spell in custody with the dates of ``INTERCHANGE.md`` (CASE-2)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="custody_spells")
    is_current = models.BooleanField(default=True)
    prison_code = models.CharField(max_length=5, blank=True, default="")
    category = models.CharField(max_length=2, blank=True, default="")
    category_active_since = models.DateField(null=True, blank=True)
    arrival_date = models.DateField(null=True, blank=True)
    remand = models.BooleanField(default=False)
    sentence_start_date = models.DateField(null=True, blank=True)
    conditional_release_date = models.DateField(null=True, blank=True)
    automatic_release_date = models.DateField(null=True, blank=True)
    parole_eligibility_date = models.DateField(null=True, blank=True)
    tariff_date = models.DateField(null=True, blank=True)
    home_detention_curfew_eligibility_date = models.DateField(null=True, blank=True)
    home_detention_curfew_actual_date = models.DateField(null=True, blank=True)
    parole_review_date = models.DateField(null=True, blank=True)
    target_hearing_date = models.DateField(null=True, blank=True)
    licence_expiry_date = models.DateField(null=True, blank=True)
    actual_release_date = models.DateField(null=True, blank=True)
    release_address_area = models.CharField(max_length=60, blank=True, default="")
    #: A civil sentence (e.g. fine default, civil contempt) is outside the OMiC policy.
    civil_sentence = models.BooleanField(default=False)
    recall = models.BooleanField(default=False)
    immigration_case = models.BooleanField(default=False)
    early_allocation = models.BooleanField(default=False)
    parole_outcome_not_release = models.BooleanField(default=False)
    additional_future_isp = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["person", "is_current"]),
                   # A prison's current population: its handover lists.
                   models.Index(fields=["prison_code", "person"],
                                name="cases_spell_current_prison",
                                condition=models.Q(is_current=True))]


class PrisonTransfer(models.Model):
    """A move of a person in custody from one prison to another (CASE-2), recorded when a
    custody spell's prison changes; the spell keeps the prison they are in now."""

    spell = models.ForeignKey(CustodySpell, on_delete=models.PROTECT, related_name="transfers")
    from_prison = models.CharField(max_length=5)
    to_prison = models.CharField(max_length=5)
    transferred_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["transferred_on", "id"]


class ManualCasRecord(models.Model):
    """A historic manual CAS assessment, shown beside the automated decision (ALLOC-5)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="manual_cas")
    assessed_on = models.DateField()
    outcome = models.CharField(max_length=20)
    assessor = models.CharField(max_length=100, blank=True, default="")
    notes = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-assessed_on"]

    @property
    def outcome_words(self) -> str:
        """The CAS outcome in words, e.g. ``RETAINED_ENHANCED`` is "Retained / Enhanced
        Resourcing"."""
        from omp.rules.allocation import OUTCOME_LABELS

        return OUTCOME_LABELS.get(self.outcome, self.outcome.replace("_", " ").capitalize())


class AppendOnly(ValueError):
    """An access-log row may be written once, never changed nor deleted."""


class CaseAccessQuerySet(models.QuerySet["CaseAccess"]):
    """The access log's rows: added, never changed nor deleted through the application
    (on PostgreSQL a trigger refuses it too, migration 0008)."""

    def update(self, **kwargs: object) -> int:
        """Refused: the log is append-only."""
        raise AppendOnly("The case-access log cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        """Refused: the log is append-only."""
        raise AppendOnly("The case-access log cannot be deleted from")


#: How a person's data was read (or asked for).
CHANNELS = [("web", "Web page"), ("api", "API"), ("api_search", "API search result"),
            ("admin", "Admin"), ("csv", "CSV download"),
            ("export", "Whole-population export"), ("api_list", "API staff list")]
#: Why an attempt was refused; blank for a read.
REFUSALS = [("", "Read"), ("role", "Refused: role"),
            ("LAO-1", "Refused: on the exclusion list"),
            ("LAO-2", "Refused: not on the restriction list"),
            ("not_found", "Refused: not found or not the user's to see")]


class CaseAccess(models.Model):
    """Who read which person's data, when, through which channel, or was refused it and
    why: special-category data is access-logged, and the log is append-only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    #: The person read; null for a refused attempt that named no person there is.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="accesses",
                               null=True, blank=True)
    #: The case reference asked for, kept also when no such case exists.
    case_ref = models.CharField(max_length=20, blank=True, default="")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    channel = models.CharField(max_length=12, default="web", choices=CHANNELS)
    refusal = models.CharField(max_length=10, blank=True, default="", choices=REFUSALS)
    path = models.CharField(max_length=200, blank=True, default="")

    objects = CaseAccessQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["case_ref", "at"]), models.Index(fields=["user", "at"])]

    def save(self, *args: object, **kwargs: object) -> None:
        """Written once: an existing row is never saved again."""
        if not self._state.adding:
            raise AppendOnly("The case-access log cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        """Refused: the log is append-only."""
        raise AppendOnly("The case-access log cannot be deleted from")


class LimitedAccessEntry(models.Model):
    """One name on a case's exclusion list (LAO-1: may not see it) or restriction list
    (LAO-2: only those named may). Managed by administrators; every change is kept."""

    KINDS = [("exclusion", "Exclusion: may not see the case"),
             ("restriction", "Restriction: one of the only staff who may see the case")]

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="access_entries")
    kind = models.CharField(max_length=11, choices=KINDS)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+", verbose_name="staff member")
    reason = models.CharField(max_length=200, help_text=(
        "Why this person is on the list, for administrators and auditors (never shown to "
        "the staff member refused)"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = "limited-access entry"
        verbose_name_plural = "limited-access cases"
        constraints = [models.UniqueConstraint(fields=["person", "kind", "user"],
                                               name="one_entry_per_list_and_user")]
        indexes = [models.Index(fields=["user", "kind"]), models.Index(fields=["kind", "person"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user}"
