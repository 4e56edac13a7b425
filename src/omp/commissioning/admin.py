"""Admin for commissioning reference data: contract package areas, provider profiles, and
each contract's specification, unit costs, stage plans, windows, KPIs and supply chain,
kept with history. Stage moves are read-only here: they change through the action only."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from omp.cases.admin import ReadOnly
from omp.commissioning.models import (
    CommissionedContract,
    CommissioningWindow,
    ContractKpi,
    ContractPackageArea,
    KpiDefinition,
    ProviderProfile,
    SpecificationItem,
    StageMove,
    StagePlan,
    SupplyChainMember,
    SupplyChainMonth,
    UnitCost,
)


@admin.register(ContractPackageArea)
class ContractPackageAreaAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "region")
    search_fields = ("code", "name")
    filter_horizontal = ("pdus",)


@admin.register(ProviderProfile)
class ProviderProfileAdmin(SimpleHistoryAdmin):
    list_display = ("provider", "small_organisation", "specialist", "specialism")


class SpecificationInline(admin.TabularInline):
    model = SpecificationItem
    extra = 0


class UnitCostInline(admin.TabularInline):
    model = UnitCost
    extra = 0


class StagePlanInline(admin.TabularInline):
    model = StagePlan
    extra = 0


class WindowInline(admin.TabularInline):
    model = CommissioningWindow
    extra = 0


class KpiInline(admin.TabularInline):
    model = ContractKpi
    extra = 0


class MemberInline(admin.TabularInline):
    model = SupplyChainMember
    extra = 0


@admin.register(CommissionedContract)
class CommissionedContractAdmin(SimpleHistoryAdmin):
    list_display = ("contract", "cpa", "annual_value", "commissioner")
    inlines = [SpecificationInline, KpiInline, UnitCostInline, StagePlanInline, WindowInline,
               MemberInline]


@admin.register(SupplyChainMonth)
class SupplyChainMonthAdmin(SimpleHistoryAdmin):
    list_display = ("member", "month", "value", "referrals")
    list_filter = ("member__contract",)


@admin.register(KpiDefinition)
class KpiDefinitionAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(StageMove)
class StageMoveAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("contract", "from_stage", "to_stage", "at", "by")
