"""Forms of the decisions pages: RSR/OSP, the override, custody dates and the what-if. They
carry what the user typed and the errors to show; the rules about what is valid live in the
actions, so pages and API report the same errors."""

from __future__ import annotations

from typing import Any

from django import forms

from omp.cases.actions import OSP_LEVELS
from omp.cases.display import LEVELS
from omp.cases.forms import DateBoxesField

#: The OSP radios: keep the current level, or record one of the four levels.
OSP_CHOICES = [("", "Keep the current level"), *((level, LEVELS[level]) for level in OSP_LEVELS)]


class ScoresForm(forms.Form):
    """A new RSR score and/or OSP level (ALLOC-6), validated by ``record_rsr_osp``."""

    # Plain text fields: ``record_rsr_osp`` checks them, with the messages the API uses too.
    rsr_percent = forms.CharField(
        required=False, max_length=20, label="RSR score",
        error_messages={"max_length": "Enter the RSR score as a number, like 6.9"})
    osp = forms.CharField(required=False, max_length=20, label="OSP level")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # GOV.UK ids: the field name itself, so error summary links land on the input.
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    @property
    def osp_choices(self) -> list[tuple[str, str, str]]:
        """(value, label, element id) of each OSP radio; the first has the field's id."""
        return [(value, label, "osp" if index == 0 else f"osp-{index + 1}")
                for index, (value, label) in enumerate(OSP_CHOICES)]

    @property
    def osp_value(self) -> str:
        """The OSP level the user chose (kept when the form is shown again)."""
        return str(self["osp"].value() or "")


class OverrideForm(forms.Form):
    """A head of offender management's responsibility override (HANDOVER §1.1), validated
    by ``record_override``."""

    value = forms.CharField(required=False, label="Who is responsible")
    reason = forms.CharField(required=False, label="Reason")
    reason_text = forms.CharField(required=False, label="Details", max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    @property
    def value_choices(self) -> list[tuple[str, str, str]]:
        """(value, label, id) of each responsibility radio."""
        from omp.decisions.models import OVERRIDE_VALUES

        return [(v, label, "value" if i == 0 else f"value-{i + 1}")
                for i, (v, label) in enumerate(OVERRIDE_VALUES)]

    @property
    def reason_choices(self) -> list[tuple[str, str, str]]:
        """(value, label, id) of each reason radio (§1.1's list)."""
        from omp.rules.handover_terms import OVERRIDE_REASONS

        return [(v, label, "reason" if i == 0 else f"reason-{i + 1}")
                for i, (v, label) in enumerate(OVERRIDE_REASONS.items())]


class CustodyDatesForm(forms.Form):
    """Corrected custody dates, as typed; ``record_custody_dates`` checks them (HAND-2)."""

    def __init__(self, *args: Any, initial_dates: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        from omp.cases.actions import EDITABLE_CUSTODY_DATES
        from omp.cases.display import field_label

        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        for name in EDITABLE_CUSTODY_DATES:
            label = field_label(f"custody.{name}")
            self.fields[name] = DateBoxesField(
                required=False, label=label, error_name=label,
                initial=(initial_dates or {}).get(name))


class WhatIfForm(forms.Form):
    """A policy change to project (HAND-4): a version, optionally changed, from a date."""

    version = forms.CharField(label="Policy version to start from")
    handover_era = forms.ChoiceField(
        label="Handover rules", required=False,
        choices=[("", "As the version says"), ("B", "Era B: 7.5 months enhanced, 12 weeks "
                 "normal"), ("C", "Era C"), ("D", "Era D"), ("E", "Era E (current)")])
    levelled_up = forms.BooleanField(label="Level up: every case resourced as enhanced",
                                     required=False)
    scope = forms.CharField(label="Where", required=False, max_length=20)
    start = DateBoxesField(label="From", error_name="The date the change starts",
                           error_messages={"required": "Enter the date the change starts"})
    pdu = forms.CharField(label="Show one PDU", required=False, max_length=10)

    def __init__(self, *args: Any, versions: Any = (), **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.versions = {v.name: v for v in versions}
        self.fields["version"].error_messages["required"] = "Choose a policy version"

    def clean_version(self) -> str:
        """A version that exists."""
        name = str(self.cleaned_data.get("version") or "")
        if name not in self.versions:
            raise forms.ValidationError("Choose one of the policy versions listed")
        return name

    def clean_scope(self) -> str:
        """National (blank), England, Wales or a region code."""
        from omp.cases.models import Region

        scope = str(self.cleaned_data.get("scope") or "").strip()
        if scope and scope not in ("England", "Wales") and (
                not scope.isprintable() or not Region.objects.filter(code=scope).exists()):
            raise forms.ValidationError("Choose England, Wales, a region or everywhere")
        return scope

    def scenario(self) -> Any:
        """The policy version to project: the chosen one with the changes asked for."""
        from omp.decisions.what_if import scenario

        data = self.cleaned_data
        return scenario(self.versions[data["version"]], data["start"],
                        data.get("handover_era") or None, bool(data.get("levelled_up")),
                        data.get("scope") or None)
