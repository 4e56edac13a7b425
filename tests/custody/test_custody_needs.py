"""NEED-1: needs assessed across the seven pathways, every version kept; bad input refused
naming each field, with nothing half-saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from omp.cases.actions import ActionError
from omp.custody.actions import record_needs_assessment
from omp.custody.models import NEED_AREAS, Need, NeedsAssessment

pytestmark = pytest.mark.django_db
ALL_MEDIUM = {area: "medium" for area, _ in NEED_AREAS}


def test_an_assessment_keeps_every_version(make_case: Any, make_user: Any) -> None:
    person, worker = make_case(), make_user("cm", "case_manager")
    first = record_needs_assessment(worker, person, ALL_MEDIUM,
                                    {"accommodation": "Tenancy at risk: rent arrears"})
    second = record_needs_assessment(worker, person, {**ALL_MEDIUM, "accommodation": "high"},
                                     {})
    assert NeedsAssessment.objects.filter(person=person).count() == 2
    assert Need.objects.get(assessment=first, area="accommodation").level == "medium"
    assert Need.objects.get(assessment=first, area="accommodation").detail == \
        "Tenancy at risk: rent arrears"
    assert Need.objects.get(assessment=second, area="accommodation").level == "high"
    assert second.recorded_by == worker and Need.objects.filter(assessment=second).count() == 7


def test_every_missing_or_unknown_level_is_named_and_nothing_saved(make_case: Any,
                                                                  make_user: Any) -> None:
    person = make_case()
    levels = {**ALL_MEDIUM, "health": "", "finance": "severe"}
    with pytest.raises(ActionError) as error:
        record_needs_assessment(make_user("cm2", "case_manager"), person, levels,
                                {"ete": "x" * 2_001})
    problems = dict(error.value.problems)  # type: ignore[attr-defined]
    assert set(problems) == {"level_health", "level_finance", "detail_ete"}
    assert problems["level_health"] == "Choose a level for health"
    assert not NeedsAssessment.objects.exists()


def test_only_case_and_offender_managers_assess(make_case: Any, make_user: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        record_needs_assessment(make_user("court", "court_staff"), make_case(), ALL_MEDIUM, {})


def test_the_form_and_the_case_page(client_for: Any, make_case: Any) -> None:
    person = make_case()
    client = client_for("cm3", "case_manager")
    url = reverse("custody-needs", args=[person.case_ref])
    assert client.get(url).status_code == 200
    refused = client.post(url, {f"level_{area}": "low" for area, _ in NEED_AREAS[:5]})
    body = refused.content.decode()
    assert refused.status_code == 400 and "There is a problem" in body
    assert 'href="#level_finance"' in body and 'href="#level_thinking"' in body
    assert not NeedsAssessment.objects.exists()
    form = {f"level_{area}": "low" for area, _ in NEED_AREAS}
    form["detail_substance_misuse"] = "Alcohol, daily"
    assert client.post(url, form).status_code == 302
    page = client.get(reverse("case-detail", args=[person.case_ref])).content.decode()
    assert 'id="needs"' in page and "Alcohol, daily" in page and "Substance misuse" in page
    # The form starts from the assessment in force.
    assert "Alcohol, daily" in client.get(url).content.decode()


@pytest.mark.parametrize(("role", "status"), [("court_staff", 403), ("analyst", 403),
                                              ("provider", 403), ("com", 200)])
def test_the_form_checks_the_role(client_for: Any, make_case: Any, role: str,
                                  status: int) -> None:
    person = make_case()
    answer = client_for(f"n_{role}", role).get(reverse("custody-needs",
                                                       args=[person.case_ref]))
    assert answer.status_code == status
