"""Forms of the web pages. They carry what the user typed and the errors to show; the
rules about what is valid live in the actions, so pages and API report the same errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from omp.cases.actions import OSP_LEVELS
from omp.web.display import LEVELS

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
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError("Enter a date that is not in the future")
        return day


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK wording and ids that are the field names, so the
    shared error summary links to the fields."""

    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account cannot sign in: ask the service administrator",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
