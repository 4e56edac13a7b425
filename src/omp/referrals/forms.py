"""Forms of the referral pages. They carry what the practitioner typed and the errors to
show; what is valid is decided by the actions, so the pages and the API report the same
problems."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import Q

from omp.cases.forms import DateBoxesField
from omp.clock import today
from omp.referrals.models import (
    METHODS,
    READINESS,
    RESCHEDULE_REQUESTERS,
    WITHDRAWAL_REASONS,
    Referral,
)
from omp.rules.referral_feedback import HELPFULNESS_WORDS, RECOMMEND_WORDS
from omp.rules.referral_outcomes import ACHIEVEMENT_WORDS
from omp.rules.referral_sessions import ATTENDANCE_WORDS, NO_SESSION_WORDS


class StartReferralForm(forms.Form):
    """The service chosen for a new referral."""

    service = forms.CharField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class ReferralForm(forms.Form):
    """What the practitioner completes or corrects on a referral (REF-1, REF-2). Every
    field is optional here: ``send_referral`` lists what is still missing."""

    rosh_summary = forms.CharField(required=False)
    previous_convictions = forms.CharField(required=False)
    additional_orders = forms.CharField(required=False)
    expected_release_date = forms.CharField(required=False)
    complexity_level = forms.CharField(required=False)
    desired_outcomes = forms.MultipleChoiceField(required=False)
    readiness = forms.CharField(required=False)
    readiness_notes = forms.CharField(required=False)
    enforceable_days = forms.CharField(required=False)
    completion_deadline = DateBoxesField(
        required=False, label="Date the service should be completed by",
        error_name="The date the service should be completed by")
    reason_for_referral = forms.CharField(required=False)
    explanation_for_person = forms.CharField(required=False)
    reason = forms.CharField(required=False, label="Reason for the change")

    def __init__(self, referral: Referral, data: Any = None) -> None:
        initial = {name: getattr(referral, name) for name in (
            "rosh_summary", "previous_convictions", "additional_orders", "readiness",
            "readiness_notes", "enforceable_days", "reason_for_referral",
            "explanation_for_person")}
        initial["complexity_level"] = str(referral.complexity_level_id or "")
        initial["desired_outcomes"] = [str(i) for i in referral.desired_outcome_ids]
        initial["completion_deadline"] = referral.completion_deadline
        super().__init__(data, initial=initial, auto_id="%s")
        category = referral.service.category
        self.referral = referral
        self.levels = list(category.complexity_levels.all())
        # A retired outcome stays on the referrals that chose it.
        self.outcomes = list(category.desired_outcomes.filter(
            Q(retired_on__isnull=True) | Q(pk__in=referral.desired_outcome_ids)))
        outcomes = self.fields["desired_outcomes"]
        outcomes.choices = [(str(o.pk), o.description) for o in self.outcomes]
        outcomes.error_messages["invalid_choice"] = f"Choose desired outcomes of {category}"

    def changes(self) -> dict[str, Any]:
        """What was typed, in the names the actions take (call once the form is valid: the
        date is the one the GOV.UK date input read)."""
        data = self.data
        changes: dict[str, Any] = {name: data.get(name, "") for name in (
            "rosh_summary", "previous_convictions", "additional_orders", "complexity_level",
            "readiness", "readiness_notes", "enforceable_days", "reason_for_referral",
            "explanation_for_person")}
        changes["desired_outcomes"] = data.getlist("desired_outcomes")
        deadline = self.cleaned_data.get("completion_deadline")
        changes["completion_deadline"] = deadline.isoformat() if deadline else ""
        return changes

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Put each problem on its field (the error summary links to it)."""
        for field, message in problems:
            self.add_error(field if field in self.fields else None, message)

    def value(self, name: str) -> Any:
        """What the field shows: as typed, or as saved."""
        return self[name].value()

    @property
    def chosen_outcomes(self) -> list[str]:
        """The desired outcomes ticked, as strings."""
        return [str(v) for v in (self.value("desired_outcomes") or [])]

    @property
    def readiness_choices(self) -> list[tuple[str, str, str]]:
        """(value, label, element id) of each readiness radio."""
        return [(v, label, "readiness" if i == 0 else f"readiness-{i + 1}")
                for i, (v, label) in enumerate(READINESS)]


def show_problems(form: forms.Form, problems: list[tuple[str, str]]) -> None:
    """Put each problem an action names on its field (the error summary links to it); a
    problem about the referral as a whole goes above the form."""
    for field, message in problems:
        form.add_error(field if field in form.fields else None, message)


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class KeyworkerForm(_Form):
    """The keyworker the provider assigns, from its own staff."""

    keyworker = forms.CharField(required=False, label="Keyworker")

    def __init__(self, choices: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: (username, name shown, element id) of each radio.
        self.choices = [(u.get_username(), u.get_full_name() or u.get_username(),
                         "keyworker" if i == 0 else f"keyworker-{i + 1}")
                        for i, u in enumerate(choices)]


class InitialAssessmentForm(_Form):
    """The day the initial assessment was held, and notes."""

    held_on = DateBoxesField(error_name="The date the initial assessment was held",
                             required=False, label="Date the initial assessment was held")
    notes = forms.CharField(required=False, label="Notes")


class ActionPlanForm(_Form):
    """A proposed action plan: sessions, activities (one a line), and the reason for a
    change."""

    number_of_sessions = forms.CharField(required=False, label="Number of sessions")
    activities = forms.CharField(required=False, label="Activities")
    reason = forms.CharField(required=False, label="Reason for the change")


class ApprovalForm(_Form):
    """The version of the action plan approved."""

    version = forms.CharField(required=False)


class WithdrawalForm(_Form):
    """Why the practitioner withdraws the referral."""

    reason_code = forms.CharField(required=False, label="Reason")
    comments = forms.CharField(required=False, label="Comments")

    @property
    def reason_choices(self) -> list[tuple[str, str, str]]:
        """(code, words, element id) of each reason radio."""
        return [(code, words, "reason_code" if i == 0 else f"reason_code-{i + 1}")
                for i, (code, words) in enumerate(WITHDRAWAL_REASONS)]


class AsAtForm(_Form):
    """The day to see the referral's progress as it stood at the end of."""

    on = DateBoxesField(error_name="The date", required=False,
                        label="See the progress as it was on a date")

    def clean_on(self) -> date | None:
        day: date | None = self.cleaned_data.get("on")
        if day is not None and day > today():
            raise forms.ValidationError("The date must be today or in the past")
        return day


def _radios(name: str, choices: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(value, words, element id) of each radio; the first carries the field's own id,
    which the error summary links to."""
    return [(value, words, name if i == 0 else f"{name}-{i + 1}")
            for i, (value, words) in enumerate(choices)]


class SessionForm(_Form):
    """A session booked, or moved: when, for how long, how and where, whether it counts
    towards the enforceable (RAR) days; for a move, who asked and why."""

    day = DateBoxesField(error_name="The date of the session", required=False,
                         label="Date of the session")
    start_time = forms.CharField(required=False, label="Start time")
    duration_minutes = forms.CharField(required=False, label="How long, in minutes")
    method = forms.CharField(required=False, label="How the session is delivered")
    location = forms.CharField(required=False, label="Address")
    enforceable = forms.CharField(required=False, label="Does it count towards the RAR days?")
    requested_by = forms.CharField(required=False, label="Who asked for the move?")
    reason = forms.CharField(required=False, label="Why is the session moved?")

    @property
    def method_choices(self) -> list[tuple[str, str, str]]:
        """The ways a session is delivered, as radios."""
        return _radios("method", METHODS)

    @property
    def enforceable_choices(self) -> list[tuple[str, str, str]]:
        """Enforceable or voluntary, as radios."""
        return _radios("enforceable", [
            ("yes", "Yes, it is an enforceable activity: its day counts as a RAR day"),
            ("no", "No, it is voluntary: recorded apart from the RAR days")])

    @property
    def requester_choices(self) -> list[tuple[str, str, str]]:
        """Who may ask for a session to be moved, as radios."""
        return _radios("requested_by", RESCHEDULE_REQUESTERS)


class AttendanceForm(_Form):
    """Whether the person attended, whether the session happened and why not, and how they
    engaged."""

    attendance = forms.CharField(required=False, label="Did the person attend?")
    happened = forms.CharField(required=False, label="Did the session happen?")
    no_session_reason = forms.CharField(required=False,
                                        label="Why did the session not take place?")
    notes = forms.CharField(required=False, label="How the person engaged")

    @property
    def attendance_choices(self) -> list[tuple[str, str, str]]:
        """Attended, late or not, as radios."""
        return _radios("attendance", list(ATTENDANCE_WORDS.items()))

    @property
    def happened_choices(self) -> list[tuple[str, str, str]]:
        """Whether the session happened, as radios."""
        return _radios("happened", [("yes", "Yes"), ("no", "No")])

    @property
    def reason_choices(self) -> list[tuple[str, str, str]]:
        """Why a session did not take place, as radios."""
        return _radios("no_session_reason", list(NO_SESSION_WORDS.items()))


class EndOfServiceReportForm(_Form):
    """The end-of-service report: for each desired outcome (``achievement-<id>`` and
    ``notes-<id>``) how far it was achieved and the progress made; anything further, and
    the reason when it corrects a version already submitted."""

    further_information = forms.CharField(required=False, label="Anything further")
    reason = forms.CharField(required=False, label="Reason for the change")

    def __init__(self, outcomes: list[tuple[int, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcomes = outcomes
        for outcome_id, description in outcomes:
            self.fields[f"achievement-{outcome_id}"] = forms.CharField(
                required=False, label=f"How far was “{description}” achieved?")
            self.fields[f"notes-{outcome_id}"] = forms.CharField(
                required=False, label=f"Progress towards “{description}”")
        # The outcomes first, as the page shows them, so the error summary is in order.
        for name in ("further_information", "reason"):
            self.fields[name] = self.fields.pop(name)

    @property
    def rows(self) -> list[tuple[int, str, Any, Any, list[tuple[str, str, str]]]]:
        """(outcome id, description, achievement field, notes field, radios) per outcome."""
        return [(outcome_id, description, self[f"achievement-{outcome_id}"],
                 self[f"notes-{outcome_id}"],
                 _radios(f"achievement-{outcome_id}", list(ACHIEVEMENT_WORDS.items())))
                for outcome_id, description in self.outcomes]

    def ratings(self) -> dict[int, dict[str, str]]:
        """What was typed for each outcome, as the action takes it."""
        return {outcome_id: {"achievement": self.data.get(f"achievement-{outcome_id}", ""),
                             "notes": self.data.get(f"notes-{outcome_id}", "")}
                for outcome_id, _description in self.outcomes}


class ConclusionForm(_Form):
    """The version of the end-of-service report the practitioner read and concludes on."""

    version = forms.CharField(required=False)


class FeedbackForm(_Form):
    """The person's answers (REF-6e): how helpful, whether they would recommend it, and
    anything they want to say."""

    helpfulness = forms.CharField(required=False, label="How helpful was the service?")
    would_recommend = forms.CharField(required=False,
                                      label="Would you recommend it to someone like you?")
    comments = forms.CharField(required=False, label="Anything you want to tell us")

    @property
    def helpfulness_choices(self) -> list[tuple[str, str, str]]:
        """The five-point scale, best first, as radios."""
        return _radios("helpfulness", [(str(k), v) for k, v in HELPFULNESS_WORDS.items()])

    @property
    def recommend_choices(self) -> list[tuple[str, str, str]]:
        """Yes, not sure, no, as radios."""
        return _radios("would_recommend", list(RECOMMEND_WORDS.items()))


class MessageForm(_Form):
    """A message on a referral (REF-7)."""

    body = forms.CharField(required=False, label="Your message")
