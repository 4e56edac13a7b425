"""Admin for decisions. Policy versions are scheduled here (ALLOC-7: a "levelling up"
version for a country or region from a date, with no code change); stored decisions and
recompute runs are read-only (ALLOC-5: the history is append-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from omp.cases.admin import ReadOnly
from omp.clock import today
from omp.decisions.actions import (
    PolicyInputError,
    check_policy,
    revise_policy,
    schedule_policy,
    withdraw_policy,
)
from omp.decisions.models import (
    AllocationDecision,
    CurrentDecision,
    PolicyVersionRecord,
    RecomputeRun,
)
from omp.rules.allocation import CRITERIA_TITLES
from omp.rules.policy import ALLOCATION_CRITERIA

POLICY_FIELDS = ("name", "effective_from", "scope", "criteria", "levelled_up", "handover_era",
                 "description")


class PolicyVersionForm(forms.ModelForm):
    """A policy version, checked by the same rules as ``omp policy schedule``."""

    criteria = forms.MultipleChoiceField(
        choices=[(rule, f"{rule}: {CRITERIA_TITLES[rule]}") for rule in ALLOCATION_CRITERIA],
        widget=forms.CheckboxSelectMultiple, required=False,
        help_text="The ALLOC-2 criteria in force; none ticked means all of them.")

    class Meta:
        model = PolicyVersionRecord
        fields = POLICY_FIELDS

    def clean(self) -> dict[str, Any]:
        """Report the first input ``check_policy`` rejects against its field."""
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            check_policy(data["name"], data["effective_from"], data.get("scope") or None,
                         data["handover_era"], data.get("criteria") or None,
                         self.instance if self.instance.pk else None)
        except PolicyInputError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


@admin.register(PolicyVersionRecord)
class PolicyVersionRecordAdmin(SimpleHistoryAdmin):
    """Schedule, correct or withdraw policy versions; those in force are view-only."""

    form = PolicyVersionForm
    list_display = ("name", "effective_from", "scope", "levelled_up", "handover_era",
                    "description")
    list_filter = ("levelled_up", "scope")
    ordering = ("-effective_from", "name")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A version in force has decided cases, so it stays as it was (ALLOC-7)."""
        if obj is not None and obj.effective_from <= today():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Only a version that has not started may be withdrawn."""
        if obj is not None and obj.effective_from <= today():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: PolicyVersionRecord, form: Any,
                   change: bool) -> None:
        """Write through the policy actions, which record who made the change."""
        values = {name: form.cleaned_data.get(name) for name in POLICY_FIELDS}
        values["scope"] = values["scope"] or None
        values["criteria"] = values["criteria"] or None
        values["description"] = values["description"] or ""
        if change:
            saved = revise_policy(request.user, obj, **values)
        else:
            saved = schedule_policy(request.user, **values)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: PolicyVersionRecord) -> None:
        """Withdraw a version that has not started."""
        withdraw_policy(request.user, obj)

    def delete_queryset(self, request: HttpRequest,
                        queryset: QuerySet[PolicyVersionRecord]) -> None:
        """Withdraw each selected version (each must not have started)."""
        for record in queryset:
            withdraw_policy(request.user, record)


@admin.register(AllocationDecision)
class AllocationDecisionAdmin(ReadOnly, admin.ModelAdmin):
    """Stored decisions: append-only, so view only (ALLOC-5)."""

    list_display = ("id", "person", "outcome", "source", "policy_version", "as_of", "trigger",
                    "triggered_by", "decided_at")
    list_filter = ("outcome", "trigger", "source", "policy_version")
    list_select_related = ("person", "triggered_by")
    search_fields = ("=person__case_ref",)
    show_full_result_count = False


@admin.register(CurrentDecision)
class CurrentDecisionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("person", "decision", "as_of")
    list_select_related = ("person", "decision")
    search_fields = ("=person__case_ref",)
    show_full_result_count = False


@admin.register(RecomputeRun)
class RecomputeRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("id", "as_of", "started_at", "finished_at", "examined", "decided",
                    "changed")
