"""Admin for the catalogue (providers and their staff, contracts, services, categories with
their complexity levels, session caps and desired outcomes), kept by administrators with
history; referrals are read-only here (they change through the actions only). Webhook
subscriptions are made here, their secret shown once; webhook events are listed with their
state, and failed ones can be retried (REF-8)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from omp.cases.admin import ReadOnly
from omp.referrals.actions import (
    create_webhook_subscription,
    renew_webhook_secret,
    retry_webhook_events,
)
from omp.referrals.models import (
    WEBHOOK_EVENTS,
    ComplexityLevel,
    Contract,
    DesiredOutcome,
    OutboxEvent,
    Provider,
    Referral,
    Service,
    ServiceCategory,
    WebhookSubscription,
)
from omp.referrals.webhooks import target_problem


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


class WebhookSubscriptionForm(forms.ModelForm):
    target_url = forms.URLField(max_length=500, assume_scheme="https",
                                help_text="Where events are sent (POST). Use https in "
                                          "production.")
    events = forms.MultipleChoiceField(choices=list(WEBHOOK_EVENTS.items()),
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookSubscription
        fields = ("provider", "target_url", "events", "active")

    def clean_target_url(self) -> str:
        """Only http(s) targets, as the action checks (the form's own check allows ftp)."""
        url = str(self.cleaned_data["target_url"]).strip()
        problem = target_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url


def _show_secret(request: HttpRequest, subscription: WebhookSubscription, secret: str) -> None:
    messages.warning(request, f"The shared secret of {subscription.target_url} is {secret} "
                              f"— copy it now and pass it to the provider securely: it is "
                              f"not shown again.")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """Subscriptions of providers' systems; a new one is given its secret, shown once."""

    form = WebhookSubscriptionForm
    list_display = ("provider", "target_url", "active", "created_at")
    list_select_related = ("provider",)
    list_filter = ("active", "provider")
    actions = ["renew_secret"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        """The provider of a subscription is fixed once made (its events were its own)."""
        return ("provider",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: WebhookSubscription, form: Any,
                   change: bool) -> None:
        """A new subscription goes through the action, which makes its secret."""
        if change:
            super().save_model(request, obj, form, change)
            return
        made, secret = create_webhook_subscription(request.user, obj.provider, obj.target_url,
                                                   form.cleaned_data["events"])
        obj.pk, obj.secret, obj.created_at = made.pk, made.secret, made.created_at
        _show_secret(request, made, secret)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Make a subscription inactive instead: its events are kept."""
        return False

    @admin.action(description="Make a new secret (shown once)")
    def renew_secret(self, request: HttpRequest,
                     queryset: QuerySet[WebhookSubscription]) -> None:
        for subscription in queryset:
            _show_secret(request, subscription, renew_webhook_secret(request.user,
                                                                     subscription))


class DeliveryState(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("waiting", "Waiting"), ("delivered", "Delivered"), ("failed", "Failed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]
                 ) -> QuerySet[OutboxEvent]:
        state = self.value()
        if state == "delivered":
            return queryset.filter(delivered_at__isnull=False)
        if state == "failed":
            return queryset.filter(failed_at__isnull=False)
        if state == "waiting":
            return queryset.filter(delivered_at__isnull=True, failed_at__isnull=True)
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnly, admin.ModelAdmin):
    """Webhook events and their delivery: failed ones can be retried."""

    list_display = ("created_at", "kind", "referral", "provider", "status", "attempts",
                    "next_attempt_at", "delivered_at", "last_error")
    list_select_related = ("referral", "provider")
    list_filter = (DeliveryState, "kind", "provider")
    search_fields = ("=delivery_id", "=referral__reference")
    show_full_result_count = False
    actions = ["retry_now"]

    @admin.action(description="Retry the chosen events now")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        count = retry_webhook_events(request.user, queryset.values_list("pk", flat=True))
        messages.success(request, f"{count} event(s) will be tried again by the worker.")
