"""Forms of the custody pages. They carry what the user typed and the errors to show; the
rules about what is valid live in the actions, so the errors are the same everywhere."""

from __future__ import annotations

from typing import Any

from django import forms

from omp.custody.models import NEED_AREAS, NEED_LEVELS


class NeedsForm(forms.Form):
    """A needs assessment (NEED-1): a level and detail for each of the seven pathways,
    checked by ``record_needs_assessment``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        for area, _words in NEED_AREAS:
            self.fields[f"level_{area}"] = forms.CharField(required=False, max_length=10)
            self.fields[f"detail_{area}"] = forms.CharField(
                required=False, max_length=4_000, widget=forms.Textarea)

    def areas(self) -> list[dict[str, Any]]:
        """Each pathway with its level radios (value, label, element id), chosen level,
        detail and errors, for the template."""
        rows = []
        for area, words in NEED_AREAS:
            level, detail = self[f"level_{area}"], self[f"detail_{area}"]
            rows.append({
                "area": area, "words": words, "chosen": str(level.value() or ""),
                "detail": detail.value() or "", "level_errors": level.errors,
                "detail_errors": detail.errors,
                "choices": [(value, label, f"level_{area}" if index == 0
                             else f"level_{area}-{index + 1}")
                            for index, (value, label) in enumerate(NEED_LEVELS)]})
        return rows

    def levels(self) -> dict[str, str]:
        """The level chosen for each pathway."""
        return {area: self.cleaned_data.get(f"level_{area}") or "" for area, _ in NEED_AREAS}

    def details(self) -> dict[str, str]:
        """The detail typed for each pathway."""
        return {area: self.cleaned_data.get(f"detail_{area}") or "" for area, _ in NEED_AREAS}


class AllocationForm(forms.Form):
    """A case manager for a person (PATH-6), checked by ``allocate_case_manager``."""

    kind = forms.CharField(required=False, max_length=10)
    manager = forms.CharField(required=False, max_length=150)
    over_cap_reason = forms.CharField(required=False, max_length=2_000, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class ProvisionForm(forms.Form):
    """PATH-7: full or basic provision, with a reason; checked by ``change_provision``."""

    provision = forms.CharField(required=False, max_length=5)
    reason = forms.CharField(required=False, max_length=4_000, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
