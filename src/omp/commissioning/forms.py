"""The commissioning pages' forms: the filters of the contract lists and the move of a
contract through the commissioning cycle (what the user typed, and the errors to show)."""

from __future__ import annotations

from typing import Any

from django import forms


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Put each problem an action names on its field (the error summary links to it)."""
        for name, message in problems:
            self.add_error(name if name in self.fields else None, message)


class FilterForm(_Form):
    """Narrow the contracts to a region, a contract package area or a prime provider."""

    region = forms.ChoiceField(required=False, label="Region")
    cpa = forms.ChoiceField(required=False, label="Contract package area")
    provider = forms.ChoiceField(required=False, label="Provider")

    def __init__(self, data: Any, choices: dict[str, list[tuple[str, str]]]) -> None:
        super().__init__(data)
        for name, options in choices.items():
            self.fields[name].choices = [("", "All")] + options
            self.fields[name].error_messages["invalid_choice"] = (
                f"Choose a {self.fields[name].label.lower()} from the list")


class MoveForm(_Form):
    """Where the commissioner moves the contract, the evidence seen for the stage it leaves
    and, going back a stage, why."""

    to_stage = forms.CharField(required=False, label="Stage")
    evidence = forms.CharField(required=False, label="Evidence seen")
    reason = forms.CharField(required=False, label="Why it goes back a stage")

    def __init__(self, data: Any, moves: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.moves = moves

    @property
    def stage_choices(self) -> list[tuple[str, str, str]]:
        """(stage, words, element id) of each stage radio."""
        return [(stage, words, "to_stage" if i == 0 else f"to_stage-{i + 1}")
                for i, (stage, words) in enumerate(self.moves)]


class SegmentFilterForm(FilterForm):
    """Narrow the segmentation to a contract package area, the people referred to a
    provider's services, and where people are."""

    region = None  # type: ignore[assignment]  # segments are drawn per area, not region
    where = forms.ChoiceField(required=False, label="Where people are")


class DashboardFilterForm(FilterForm):
    """The dashboard's filters: region, contract package area, provider and the month of
    the KPIs (blank for the latest month computed that has ended)."""

    month = forms.ChoiceField(required=False, label="Month")

    def __init__(self, data: Any, choices: dict[str, list[tuple[str, str]]]) -> None:
        super().__init__(data, choices)
        self.fields["month"].choices = [("", "Latest month ended"), *choices["month"]]


class ChoiceFilterForm(_Form):
    """A GET form of selects whose choices are given per request: the contract manager's
    contract, the OMiC lead's prison and PDU. A choice not in a list is an error on its
    field, and the page is shown as if it had not been chosen."""

    def __init__(self, data: Any, fields: list[tuple[str, str, str, list[tuple[str, str]]]]
                 ) -> None:
        super().__init__(data)
        for name, label, blank, options in fields:
            field = forms.ChoiceField(required=False, label=label,
                                      choices=([("", blank)] if blank else []) + options)
            field.error_messages["invalid_choice"] = f"Choose a {label.lower()} from the list"
            self.fields[name] = field

    def chosen(self, name: str) -> str:
        """The valid choice of ``name``, or blank."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return str(self.cleaned_data.get(name) or "")
