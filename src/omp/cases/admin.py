"""Admin for the case record. Reference data (regions, PDUs, prisons) is edited here; the
case record itself is read-only, because every change to a case goes through an action
that records who made it and recomputes the decision in the same transaction."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from omp.cases.access import check_case, without_withheld
from omp.cases.models import (
    Assessment,
    CaseAccess,
    CustodySpell,
    Event,
    LimitedAccessEntry,
    ManualCasRecord,
    Offence,
    Person,
    Prison,
    PrisonTransfer,
    ProbationDeliveryUnit,
    Region,
    Registration,
    Sentence,
)


class ReadOnly:
    """Admin mixin: view and search only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Records are added by actions and imports, not by hand."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Changes go through actions, which recompute the decision."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Nothing in a case record is deleted; history keeps every state."""
        return False


class CaseRecordAdmin(ReadOnly, SimpleHistoryAdmin):
    """Admin for a part of the case record: read-only, and read like a case page. Viewing a
    row or its history opens its person's case through :func:`omp.cases.access.check_case`
    (refused by the case's exclusion or restriction list, LAO-1/LAO-2, and otherwise logged
    as read through the admin); lists leave out the cases the user may not open."""

    #: The path from a row to its person (``"pk"`` for the person itself).
    person_path = "person"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """The rows of the cases the user may open."""
        return without_withheld(request.user, super().get_queryset(request), self.person_path)

    def _open(self, request: HttpRequest, object_id: str) -> None:
        row = self.model._default_manager.filter(pk=unquote(object_id)).first()
        if row is None:
            return  # the admin answers as for any missing row
        person = row
        if self.person_path != "pk":
            for step in self.person_path.split("__"):
                person = getattr(person, step)
        check_case(request, person, "admin")

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The row, read as its case is."""
        self._open(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request: HttpRequest, object_id: str,
                     extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The row's history, read as its case is."""
        self._open(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """One past version of the row, read as its case is."""
        self._open(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "country")
    list_filter = ("country",)
    search_fields = ("code", "name")


@admin.register(ProbationDeliveryUnit)
class ProbationDeliveryUnitAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "region", "provider_code")
    list_filter = ("region__country", "region")
    list_select_related = ("region",)
    search_fields = ("code", "name")


@admin.register(Prison)
class PrisonAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "country", "womens", "open_conditions")
    list_filter = ("country", "womens", "open_conditions")
    search_fields = ("code", "name")


@admin.register(Person)
class PersonAdmin(CaseRecordAdmin):
    person_path = "pk"
    list_display = ("case_ref", "last_name", "first_name", "prison_number", "pdu")
    list_select_related = ("pdu",)
    search_fields = ("=case_ref", "=prison_number", "last_name")
    show_full_result_count = False  # a count over a national caseload is slow and unneeded


@admin.register(Event)
class EventAdmin(CaseRecordAdmin):
    list_display = ("person", "number", "is_current", "conviction_date")
    list_select_related = ("person",)
    search_fields = ("=person__case_ref",)
    show_full_result_count = False


@admin.register(Offence)
class OffenceAdmin(CaseRecordAdmin):
    person_path = "event__person"
    list_display = ("event", "code", "description", "schedule_15", "main")
    list_filter = ("schedule_15",)
    search_fields = ("=event__person__case_ref", "code")
    show_full_result_count = False


@admin.register(Sentence)
class SentenceAdmin(CaseRecordAdmin):
    person_path = "event__person"
    list_display = ("event", "kind", "date", "length", "indeterminate")
    list_filter = ("kind", "indeterminate")
    search_fields = ("=event__person__case_ref",)
    show_full_result_count = False


@admin.register(Registration)
class RegistrationAdmin(CaseRecordAdmin):
    list_display = ("person", "code", "level", "category", "start_date", "end_date")
    list_filter = ("code",)
    list_select_related = ("person",)
    search_fields = ("=person__case_ref",)
    show_full_result_count = False


@admin.register(Assessment)
class AssessmentAdmin(CaseRecordAdmin):
    list_display = ("person", "kind", "score", "value", "assessed_on")
    list_filter = ("kind",)
    list_select_related = ("person",)
    search_fields = ("=person__case_ref",)
    show_full_result_count = False


@admin.register(CustodySpell)
class CustodySpellAdmin(CaseRecordAdmin):
    list_display = ("person", "prison_code", "is_current", "arrival_date",
                    "conditional_release_date")
    list_select_related = ("person",)
    search_fields = ("=person__case_ref", "prison_code")
    show_full_result_count = False


@admin.register(PrisonTransfer)
class PrisonTransferAdmin(CaseRecordAdmin):
    person_path = "spell__person"
    list_display = ("spell", "from_prison", "to_prison", "transferred_on")
    list_select_related = ("spell__person",)
    search_fields = ("=spell__person__case_ref", "from_prison", "to_prison")
    show_full_result_count = False


@admin.register(ManualCasRecord)
class ManualCasRecordAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("person", "assessed_on", "outcome", "assessor")
    list_select_related = ("person",)
    search_fields = ("=person__case_ref",)
    show_full_result_count = False


@admin.register(CaseAccess)
class CaseAccessAdmin(ReadOnly, admin.ModelAdmin):
    """The access log: who opened which case, when, through the pages or the API."""

    list_display = ("at", "user", "person", "channel", "path")
    list_filter = ("channel",)
    list_select_related = ("user", "person")
    search_fields = ("=person__case_ref", "=user__username")
    date_hierarchy = "at"
    show_full_result_count = False


class LimitedAccessEntryForm(forms.ModelForm):
    """A name on a case's exclusion or restriction list, the case given by its reference
    (no list of every person to choose from)."""

    case_ref = forms.CharField(label="Case reference", max_length=20)

    class Meta:
        model = LimitedAccessEntry
        fields = ("kind", "user", "reason")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["case_ref"].initial = self.instance.person.case_ref

    def clean_case_ref(self) -> Person:
        """The case named, which must exist."""
        person = Person.objects.filter(case_ref=self.cleaned_data["case_ref"].strip().upper()
                                       ).first()
        if person is None:
            raise forms.ValidationError("No case has that reference")
        return person

    def clean(self) -> dict[str, Any]:
        """One entry per case, list and staff member."""
        data = super().clean() or {}
        person, kind, user = data.get("case_ref"), data.get("kind"), data.get("user")
        same = LimitedAccessEntry.objects.filter(person=person, kind=kind, user=user)
        if person and user and same.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"{user} is already on this case's {kind} list")
        return data

    def save(self, commit: bool = True) -> LimitedAccessEntry:
        """The entry, on the case named."""
        self.instance.person = self.cleaned_data["case_ref"]
        return super().save(commit)


@admin.register(LimitedAccessEntry)
class LimitedAccessEntryAdmin(SimpleHistoryAdmin):
    """Limited-access cases (LAO-1, LAO-2): who is on each case's exclusion list (may not
    see it) and restriction list (only they may). Every addition, change and removal is
    kept in the entry's history, with who made it."""

    form = LimitedAccessEntryForm
    fields = ("case_ref", "kind", "user", "reason")
    list_display = ("case_reference", "kind", "user", "reason")
    list_filter = ("kind",)
    list_select_related = ("person", "user")
    search_fields = ("=person__case_ref", "=user__username")
    autocomplete_fields = ("user",)
    show_full_result_count = False

    @admin.display(description="Case reference", ordering="person__case_ref")
    def case_reference(self, entry: LimitedAccessEntry) -> str:
        """The case's reference only: the list names no one's personal details."""
        return entry.person.case_ref
