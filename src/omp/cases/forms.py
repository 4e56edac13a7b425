"""Forms of the case pages."""

from __future__ import annotations

from typing import Any

from django import forms

from omp.clock import today
from omp.rules.inputs import date_problem


class KnownOnForm(forms.Form):
    """A past day to see the case as recorded by its end (CASE-4)."""

    known_on = forms.DateField(
        required=False, label="See the case as it was recorded on",
        error_messages={"invalid": "Enter a real date, like 2026-03-01"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def clean_known_on(self) -> Any:
        """A day that is not in the future: nothing is known about tomorrow yet."""
        day = self.cleaned_data.get("known_on")
        if day is not None and day > today():
            raise forms.ValidationError("Enter a date that is not in the future")
        problem = date_problem(day) if day is not None else None
        if problem is not None:
            raise forms.ValidationError(f"The date {problem}")
        return day
