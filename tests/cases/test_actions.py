"""Actions: ALLOC-6 (only court staff and admins enter RSR/OSP), validation, history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from omp.cases.actions import ActionError
from omp.cases.facts import facts_known_on
from omp.cases.models import Assessment
from omp.decisions.actions import record_rsr_osp
from omp.decisions.models import CurrentDecision

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["pom", "com", "case_manager", "provider", "commissioner",
                                  "analyst"])
def test_alloc_6_only_court_staff_and_admins_enter_rsr(make_case: Any, make_user: Any,
                                                      role: str) -> None:
    person = make_case()
    with pytest.raises(PermissionDenied):
        record_rsr_osp(make_user("u", role), person, rsr="7")
    assert not Assessment.objects.filter(person=person, kind="RSR", score=7).exists()


@pytest.mark.parametrize("role", ["court_staff", "admin"])
def test_alloc_6_court_staff_change_rsr_and_decision_follows(make_case: Any, make_user: Any,
                                                            role: str) -> None:
    person = make_case()
    user = make_user("clerk", role)
    decision = record_rsr_osp(user, person, rsr="6.9", osp="LOW")
    assert decision.outcome == "RETAINED_ENHANCED" and decision.triggered_by == user
    assert decision.reasons[0]["rule"] == "ALLOC-2a"
    assert decision.reasons[0]["value"] == 6.9
    assert CurrentDecision.objects.get(person=person).decision == decision
    latest = Assessment.history.filter(kind="RSR").latest("history_date")
    assert latest.history_user == user


@pytest.mark.parametrize("rsr, message", [("abc", "as a number"), ("101", "between 0 and 100"),
                                          ("-1", "between 0 and 100"),
                                          ("6.899", "2 decimal places"), ("", "Enter an RSR")])
def test_bad_rsr_names_the_field_and_saves_nothing(make_case: Any, make_user: Any, rsr: str,
                                                   message: str) -> None:
    person = make_case()
    count = Assessment.objects.count()
    with pytest.raises(ActionError) as raised:
        record_rsr_osp(make_user("clerk", "court_staff"), person, rsr=rsr)
    assert raised.value.field == "rsr_percent" and message in raised.value.message
    assert Assessment.objects.count() == count


def test_case_4_what_did_we_know_on_a_past_date(make_case: Any, make_user: Any) -> None:
    person = make_case()
    before = timezone.now()
    record_rsr_osp(make_user("clerk", "court_staff"), person, rsr="9.1")
    then = facts_known_on(person, before)
    now = facts_known_on(person, timezone.now() + timedelta(seconds=1))
    assert str(then.rsr_percent) == "3.20" and str(now.rsr_percent) == "9.10"
    with pytest.raises(LookupError):
        facts_known_on(person, before - timedelta(days=400))
