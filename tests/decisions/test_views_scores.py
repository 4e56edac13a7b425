"""The RSR/OSP form (ALLOC-6): court staff and admins only, errors linked to the field,
nothing saved on bad input, and the decision recomputed at once on good input."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from omp.cases.models import Assessment, CaseAccess
from omp.decisions.models import AllocationDecision

pytestmark = pytest.mark.django_db


def _url(person: Any) -> str:
    return reverse("case-scores", args=[person.case_ref])


def test_form_shows_the_current_scores(client_for: Any, named_case: Any) -> None:
    person = named_case(**{"risk.osp": "MEDIUM"})
    response = client_for("clerk", "court_staff").get(_url(person))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Current score: 3.2%, recorded 1 November 2026" in text
    assert "Current level: medium" in text
    assert '<label class="govuk-label govuk-label--m" for="rsr_percent">RSR score</label>' in text
    assert CaseAccess.objects.filter(person=person, channel="web").count() == 1


@pytest.mark.parametrize("typed, message", [
    ("abc", "Enter the RSR score as a number, like 6.9"),
    ("-1", "RSR score must be between 0 and 100"),
    ("101", "RSR score must be between 0 and 100"),
    ("6.899", "RSR score can have at most 2 decimal places"),
])
def test_bad_rsr_is_rejected_naming_the_field_and_saves_nothing(
        client_for: Any, named_case: Any, typed: str, message: str) -> None:
    person = named_case()
    assessments, decisions = Assessment.objects.count(), AllocationDecision.objects.count()
    response = client_for("clerk", "court_staff").post(_url(person), {"rsr_percent": typed,
                                                                      "osp": "HIGH"})
    text = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Change RSR and OSP" in text
    assert f'<li><a href="#rsr_percent">{message}</a></li>' in text  # error summary
    assert 'id="rsr_percent-error"' in text and "govuk-input--error" in text
    assert f'value="{typed}"' in text  # what the user typed is kept
    assert 'value="HIGH" checked' in text
    assert Assessment.objects.count() == assessments
    assert AllocationDecision.objects.count() == decisions


def test_nothing_entered_is_an_error(client_for: Any, named_case: Any) -> None:
    person = named_case()
    response = client_for("clerk", "court_staff").post(_url(person), {"rsr_percent": "",
                                                                      "osp": ""})
    assert response.status_code == 400
    assert "Enter an RSR score or an OSP level" in response.content.decode()


def test_unknown_osp_level_links_to_the_radios_and_saves_no_rsr(client_for: Any,
                                                                named_case: Any) -> None:
    person = named_case()
    response = client_for("clerk", "court_staff").post(_url(person), {"rsr_percent": "7",
                                                                      "osp": "EXTREME"})
    text = response.content.decode()
    assert response.status_code == 400 and '<li><a href="#osp">OSP level must be' in text
    assert 'id="osp"' in text and not Assessment.objects.filter(kind="OSP").exists()
    assert not Assessment.objects.filter(kind="RSR", score=7).exists()  # one transaction


@pytest.mark.parametrize("role", ["court_staff", "admin"])
def test_new_rsr_changes_the_outcome_and_history(client_for: Any, named_case: Any,
                                                 role: str) -> None:
    person = named_case(**{"risk.rsr_percent": 7.5})
    client = client_for("clerk", role)
    response = client.post(_url(person), {"rsr_percent": "2.1", "osp": "LOW"}, follow=True)
    text = response.content.decode()
    assert response.redirect_chain == [(reverse("case-detail", args=[person.case_ref]), 302)]
    assert "govuk-notification-banner--success" in text
    assert ("Recorded RSR score 2.1% and OSP level low. The allocation is now Allocated / "
            "Normal Resourcing.") in text
    assert "app-outcome--retained" not in text
    assert "Changed from Retained / Enhanced Resourcing" in text
    latest = AllocationDecision.objects.filter(person=person).latest("id")
    assert latest.outcome == "ALLOCATED_NORMAL" and latest.triggered_by.username == "clerk"


@pytest.mark.parametrize("role", ["pom", "com", "case_manager", "analyst"])
def test_other_roles_cannot_change_rsr(client_for: Any, named_case: Any, role: str) -> None:
    person = named_case()
    client = client_for("reader", role)
    assert client.get(_url(person)).status_code == 403
    assert client.post(_url(person), {"rsr_percent": "9"}).status_code == 403
    assert not Assessment.objects.filter(person=person, score=9).exists()
