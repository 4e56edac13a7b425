"""Forms of the custody pages. They carry what the user typed and the errors to show; the
rules about what is valid live in the actions, so the errors are the same everywhere."""

from __future__ import annotations

from typing import Any

from django import forms

from omp.cases.forms import DateBoxesField
from omp.custody.models import NEED_AREAS, NEED_LEVELS, SupportAction
from omp.rules.support_plan import ACTION_STATUSES


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


class _Form(forms.Form):
    """Element ids are the field names, as the error summary links to them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class SupportActionForm(_Form):
    """NEED-1: a new action of the support plan, checked by
    ``omp.custody.support_plan.add_action``."""

    area = forms.CharField(required=False, max_length=20, label="Pathway")
    action = forms.CharField(required=False, max_length=4_000, widget=forms.Textarea,
                             label="What will be done")
    owner = forms.CharField(required=False, max_length=200, label="Who will do it")
    due = DateBoxesField(required=False, label="Due by", error_name="The date the action is due")
    referral_reference = forms.CharField(required=False, max_length=40,
                                         label="Referral reference (optional)")
    notes = forms.CharField(required=False, max_length=4_000, widget=forms.Textarea,
                            label="Notes (optional)")

    def area_choices(self, levels: dict[str, str]) -> list[tuple[str, str, str, str]]:
        """Each pathway a need was found in: value, words, its need level in words and the
        radio's element id."""
        rows = [(area, words, levels[area]) for area, words in NEED_AREAS if area in levels]
        return [(area, words, level, "area" if index == 0 else f"area-{index + 1}")
                for index, (area, words, level) in enumerate(rows)]


class ChangeActionForm(_Form):
    """NEED-1: an action's status, notes, due date and referral, checked by
    ``omp.custody.support_plan.change_action``."""

    status = forms.CharField(required=False, max_length=20, label="Status")
    due = DateBoxesField(required=False, label="Due by", error_name="The date the action is due")
    referral_reference = forms.CharField(required=False, max_length=40,
                                         label="Referral reference (optional)")
    notes = forms.CharField(required=False, max_length=4_000, widget=forms.Textarea,
                            label="Notes (optional)")

    def status_choices(self) -> list[tuple[str, str, str]]:
        """Each status: value, words, the radio's element id."""
        return [(value, words, "status" if index == 0 else f"status-{index + 1}")
                for index, (value, words) in enumerate(ACTION_STATUSES)]


class PlanReviewForm(_Form):
    """PATH-6: the fortnightly review, with a progress and a status after the review for
    each open action (``progress_<id>``, ``status_<id>``), checked by
    ``omp.custody.support_plan.record_review``."""

    held_on = DateBoxesField(required=False, label="Date the review was held",
                             error_name="The date the review was held")
    summary = forms.CharField(required=False, max_length=4_000, widget=forms.Textarea,
                              label="Summary (optional)")

    def __init__(self, *args: Any, actions: list[SupportAction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actions = actions
        # The error summary lists the errors in the fields' order: each action's progress
        # then its status, after the date and the summary.
        for action in actions:
            self.fields[f"progress_{action.pk}"] = forms.CharField(
                required=False, max_length=4_000, widget=forms.Textarea)
            self.fields[f"status_{action.pk}"] = forms.CharField(required=False,
                                                                 max_length=20)

    def rows(self) -> list[dict[str, Any]]:
        """Each open action with its progress box and status radios (value, words, element
        id, checked) and their errors, for the template."""
        rows = []
        for action in self.actions:
            progress, status = self[f"progress_{action.pk}"], self[f"status_{action.pk}"]
            chosen = str(status.value() or "")  # never chosen for the user (GOV.UK radios)
            rows.append({
                "action": action, "progress": progress.value() or "",
                "progress_errors": progress.errors, "status_errors": status.errors,
                "choices": [(value, words, f"status_{action.pk}" if index == 0
                             else f"status_{action.pk}-{index + 1}", value == chosen)
                            for index, (value, words) in enumerate(ACTION_STATUSES)]})
        return rows

    def progress(self) -> dict[int, tuple[str, str]]:
        """What was typed and chosen for each action, by its id."""
        return {action.pk: (self.cleaned_data.get(f"progress_{action.pk}") or "",
                            self.cleaned_data.get(f"status_{action.pk}") or "")
                for action in self.actions}


#: The choice for an area that is not one of the prison's local areas, and for "not known".
ELSEWHERE, NOT_KNOWN = "elsewhere", "not-known"


class ReleaseAreaForm(_Form):
    """PATH-5: the release address area, one of the prison's local areas, somewhere else
    (typed), or not known yet; checked by ``record_release_address_area``."""

    choice = forms.CharField(required=False, max_length=80)
    elsewhere = forms.CharField(required=False, max_length=200, label="Area")

    def __init__(self, *args: Any, local_areas: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.local_areas = local_areas

    def clean(self) -> dict[str, Any]:
        """A choice offered, and a typed area when "somewhere else" is chosen."""
        data = super().clean()
        choice = data.get("choice") or ""
        if choice not in (*self.local_areas, ELSEWHERE, NOT_KNOWN):
            self.add_error("choice", "Choose where the person will live after release")
        elif choice == ELSEWHERE and not " ".join((data.get("elsewhere") or "").split()):
            self.add_error("elsewhere", "Enter the area the person will live in, for example "
                                        "a local authority")
        return data

    def area(self) -> str:
        """The area to record: the local area chosen, the one typed, or "" when not known."""
        choice = self.cleaned_data["choice"]
        if choice == NOT_KNOWN:
            return ""
        return self.cleaned_data.get("elsewhere", "") if choice == ELSEWHERE else choice

    def initial_for(self, recorded: str) -> None:
        """Start from what is recorded."""
        if not recorded:
            self.initial = {"choice": NOT_KNOWN}
        elif recorded in self.local_areas:
            self.initial = {"choice": recorded}
        else:
            self.initial = {"choice": ELSEWHERE, "elsewhere": recorded}
