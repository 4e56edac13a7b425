"""Forms of the case pages, and the GOV.UK date input every page's dates are typed in."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from omp.clock import today
from omp.rules.inputs import date_problem, iso_date

#: Month names and their first three letters, as people type them in the month box.
_MONTHS = {name: number for number in range(1, 13)
           for name in (date(2000, number, 1).strftime("%B").lower(),
                        date(2000, number, 1).strftime("%b").lower())}
_SEPARATORS = re.compile(r"[\s/.\-]+")
_PARTS = ("day", "month", "year")


def _number(text: str, part: str) -> int | None:
    """A day, month or year box as a number (a month may be a name, as typed)."""
    text = text.strip().lower()
    if part == "month" and text in _MONTHS:
        return _MONTHS[text]
    if not text.isascii() or not text.isdigit():
        return None
    if part == "year" and len(text) != 4:
        return None
    return int(text)


def _whole_date(text: str) -> dict[str, str] | None:
    """A whole date typed in one place, ``16/09/2027``, ``16 9 2027`` or ``2027-09-16``, as
    its three boxes; ``None`` when it is not three parts."""
    parts = [p for p in _SEPARATORS.split(text) if p]
    if len(parts) != 3:
        return None
    if len(parts[0]) == 4 and len(parts[2]) <= 2:  # year first, as ISO writes it
        parts.reverse()
    return dict(zip(_PARTS, parts, strict=True))


class DateBoxes(forms.Widget):
    """The GOV.UK date input's three boxes, ``<name>-day``, ``<name>-month`` and
    ``<name>-year``. A single ``<name>`` (a link or bookmark, ``?known_on=2026-03-01``) is
    read too, and so is a whole date typed into one box."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        boxes = {part: str(data.get(f"{name}-{part}", "") or "").strip() for part in _PARTS}
        filled = [value for value in boxes.values() if value]
        whole = str(data.get(name, "") or "").strip()
        if not filled and whole:
            boxes = _whole_date(whole) or {"day": whole, "month": "", "year": "",
                                           "unreadable": "yes"}
        elif len(filled) == 1 and (split := _whole_date(filled[0])) is not None:
            boxes = split
        return boxes

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and not any(f"{name}-{part}" in data for part in _PARTS)


class DateBoxesField(forms.Field):
    """A date typed as day, month and year (GOV.UK's date input), in the range every entry
    path accepts (:func:`omp.rules.inputs.date_problem`). Its errors name the field by
    ``error_name`` and say the format, as the Design System asks."""

    widget = DateBoxes
    #: An example in the format the boxes take, shown in the hints and errors.
    EXAMPLE = "27 3 2027"

    def __init__(self, *, error_name: str, **kwargs: Any) -> None:
        self.error_name = error_name
        #: The boxes the last error was about (highlighted on the page).
        self.boxes_at_fault: tuple[str, ...] = ()
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date) or value is None:
            return value
        boxes = {part: str(value.get(part, "")) for part in _PARTS}
        missing = [] if value.get("unreadable") else [p for p in _PARTS if not boxes[p]]
        if len(missing) == 3:
            return None
        if missing:
            self.boxes_at_fault = tuple(missing)
            raise forms.ValidationError(
                f"{self.error_name} must include a {' and '.join(missing)}", code="incomplete")
        numbers = {part: _number(boxes[part], part) for part in _PARTS}
        self.boxes_at_fault = tuple(part for part in _PARTS if numbers[part] is None) or _PARTS
        try:
            day = date(numbers["year"], numbers["month"], numbers["day"])  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise forms.ValidationError(
                f"{self.error_name} must be a real date, with the day, month and year as "
                f"numbers, for example {self.EXAMPLE}", code="invalid") from None
        if (problem := date_problem(day)) is not None:
            raise forms.ValidationError(f"{self.error_name} {problem}", code="out_of_range")
        self.boxes_at_fault = ()
        return day

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            self.boxes_at_fault = _PARTS
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def get_bound_field(self, form: Any, field_name: str) -> DateBoxesBoundField:
        return DateBoxesBoundField(form, self, field_name)


class DateBoxesBoundField(BoundField):
    """What ``includes/date_input.html`` shows: the three boxes with what was typed, or the
    accepted date filled in, and which boxes are at fault."""

    field: DateBoxesField

    @property
    def anchor(self) -> str:
        """The id the error summary links to: the first box at fault."""
        return f"{self.name}-{(self.field.boxes_at_fault or _PARTS)[0]}"

    @property
    def boxes(self) -> list[dict[str, Any]]:
        """Each box: part, label, value shown, width and whether it is at fault."""
        if self.form.is_bound and not self.errors:
            value = self.form.cleaned_data.get(self.name)
        elif self.form.is_bound:
            value = DateBoxes().value_from_datadict(self.form.data, {}, self.html_name)
        else:
            value = self.initial
            if isinstance(value, str):
                value = iso_date(value)
        if isinstance(value, date):
            shown = {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        else:
            shown = value or {}
        at_fault = (self.field.boxes_at_fault or _PARTS) if self.errors else ()
        return [{"part": part, "label": part.capitalize(), "value": shown.get(part, ""),
                 "width": 4 if part == "year" else 2, "error": part in at_fault}
                for part in _PARTS]


class KnownOnForm(forms.Form):
    """A past day to see the case as recorded by its end (CASE-4)."""

    known_on = DateBoxesField(required=False, label="What was known on a past day",
                              error_name="The past day")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def clean_known_on(self) -> Any:
        """A day that is not in the future: nothing is known about tomorrow yet."""
        day = self.cleaned_data.get("known_on")
        if day is not None and day > today():
            raise forms.ValidationError("The past day must be today or earlier, not in the "
                                        "future")
        return day


class AccessLogForm(forms.Form):
    """What an auditor asks of the case-access log: one person's case, one user, or both,
    between two days (each optional; the days are inclusive)."""

    case_ref = forms.CharField(label="Case reference", required=False, max_length=20)
    username = forms.CharField(label="User name", required=False, max_length=150)
    start = DateBoxesField(required=False, label="From", error_name="The first day")
    end = DateBoxesField(required=False, label="To", error_name="The last day")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def clean_case_ref(self) -> str:
        """The reference as stored: printable, capitals."""
        typed = self.cleaned_data.get("case_ref") or ""
        return "".join(ch for ch in typed if ch.isprintable()).strip().upper()

    def clean_username(self) -> str:
        """The user name, printable characters only."""
        typed = self.cleaned_data.get("username") or ""
        return "".join(ch for ch in typed if ch.isprintable()).strip()

    def clean(self) -> dict[str, Any]:
        """The last day is not before the first."""
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The last day must be the same as or after the first day")
        return data
