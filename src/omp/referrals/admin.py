"""Admin for the catalogue (providers and their staff, contracts, services, categories with
their complexity levels, session caps and desired outcomes), kept by administrators with
history; referrals are read-only here (they change through the actions only)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from omp.cases.admin import ReadOnly
from omp.referrals.models import (
    ComplexityLevel,
    Contract,
    DesiredOutcome,
    Provider,
    Referral,
    Service,
    ServiceCategory,
)


class ComplexityInline(admin.TabularInline):
    model = ComplexityLevel
    extra = 0


class OutcomeInline(admin.TabularInline):
    model = DesiredOutcome
    extra = 0


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    inlines = [ComplexityInline, OutcomeInline]


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    filter_horizontal = ("staff",)


class ServiceInline(admin.StackedInline):
    model = Service
    extra = 0


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "name", "prime_provider", "area", "starts_on", "ends_on")
    list_select_related = ("prime_provider", "region")
    list_filter = ("region",)
    search_fields = ("reference", "name", "prime_provider__name")
    filter_horizontal = ("subcontractors",)
    inlines = [ServiceInline]


@admin.register(Referral)
class ReferralAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("reference", "person", "service", "created_at", "sent_at")
    list_select_related = ("person", "service")
    search_fields = ("=reference", "=person__case_ref")
    show_full_result_count = False
