"""Admin for the case record. Reference data (regions, PDUs, prisons) is edited here; the
case record itself is read-only, because every change to a case goes through an action
that records who made it and recomputes the decision in the same transaction."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from omp.cases.models import (
    Assessment,
    CaseAccess,
    CustodySpell,
    Event,
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
class PersonAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("case_ref", "last_name", "first_name", "prison_number", "pdu")
    list_select_related = ("pdu",)
    search_fields = ("=case_ref", "=prison_number", "last_name")
    show_full_result_count = False  # a count over a national caseload is slow and unneeded


@admin.register(Event)
class EventAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("person", "number", "is_current", "conviction_date")
    list_select_related = ("person",)
    search_fields = ("=person__case_ref",)
    show_full_result_count = False


@admin.register(Offence)
class OffenceAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("event", "code", "description", "schedule_15", "main")
    list_filter = ("schedule_15",)
    search_fields = ("=event__person__case_ref", "code")
    show_full_result_count = False


@admin.register(Sentence)
class SentenceAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("event", "kind", "date", "length", "indeterminate")
    list_filter = ("kind", "indeterminate")
    search_fields = ("=event__person__case_ref",)
    show_full_result_count = False


@admin.register(Registration)
class RegistrationAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("person", "code", "level", "category", "start_date", "end_date")
    list_filter = ("code",)
    list_select_related = ("person",)
    search_fields = ("=person__case_ref",)
    show_full_result_count = False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("person", "kind", "score", "value", "assessed_on")
    list_filter = ("kind",)
    list_select_related = ("person",)
    search_fields = ("=person__case_ref",)
    show_full_result_count = False


@admin.register(CustodySpell)
class CustodySpellAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("person", "prison_code", "is_current", "arrival_date",
                    "conditional_release_date")
    list_select_related = ("person",)
    search_fields = ("=person__case_ref", "prison_code")
    show_full_result_count = False


@admin.register(PrisonTransfer)
class PrisonTransferAdmin(ReadOnly, SimpleHistoryAdmin):
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
