"""Admin: reference data and policy versions are edited here (ALLOC-7); the case record and
stored decisions are view-only (only actions write; ALLOC-5 history is append-only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from omp.decisions.models import AllocationDecision, PolicyVersionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(make_case: Any) -> Client:
    make_case()
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="a-long-test-password"))
    return client


MODELS = ["cases/region", "cases/probationdeliveryunit", "cases/prison", "cases/person",
          "cases/event", "cases/offence", "cases/sentence", "cases/registration",
          "cases/assessment", "cases/custodyspell", "cases/prisontransfer",
          "cases/manualcasrecord", "cases/caseaccess", "cases/limitedaccessentry",
          "decisions/policyversionrecord", "decisions/allocationdecision",
          "decisions/currentdecision", "decisions/recomputerun"]


@pytest.mark.parametrize("model", MODELS)
def test_every_model_is_listed(admin_client_: Client, model: str) -> None:
    assert admin_client_.get(f"/admin/{model}/").status_code == 200


def test_decisions_are_view_only(admin_client_: Client) -> None:
    decision = AllocationDecision.objects.get()
    url = f"/admin/decisions/allocationdecision/{decision.pk}/change/"
    page = admin_client_.get(url)
    assert page.status_code == 200 and "Save" not in page.content.decode()
    assert admin_client_.get("/admin/decisions/allocationdecision/add/").status_code == 403
    assert admin_client_.post(f"/admin/decisions/allocationdecision/{decision.pk}/delete/",
                              {"post": "yes"}).status_code == 403
    assert AllocationDecision.objects.filter(pk=decision.pk).exists()


def test_case_record_is_view_only(admin_client_: Client) -> None:
    assert admin_client_.get("/admin/cases/person/add/").status_code == 403


def _policy_form(**changes: Any) -> dict[str, Any]:
    start = timezone.localdate() + timedelta(days=30)
    form = {"name": "LU-ENG", "effective_from": start.isoformat(), "scope": "England",
            "criteria": ["ALLOC-2a", "ALLOC-2d"], "levelled_up": "on", "handover_era": "E",
            "description": "Levelling up England"}
    form.update(changes)
    return form


def test_admin_schedules_a_levelling_up_policy(admin_client_: Client) -> None:
    response = admin_client_.post("/admin/decisions/policyversionrecord/add/", _policy_form())
    assert response.status_code == 302
    record = PolicyVersionRecord.objects.get(name="LU-ENG")
    assert record.levelled_up and record.scope == "England"
    assert record.criteria == ["ALLOC-2a", "ALLOC-2d"]
    assert record.history.get().history_user.username == "root"


def test_admin_policy_errors_name_the_field(admin_client_: Client) -> None:
    response = admin_client_.post("/admin/decisions/policyversionrecord/add/",
                                  _policy_form(scope="Atlantis"))
    assert response.status_code == 200
    assert "is neither England, Wales nor a region code" in response.content.decode()
    assert not PolicyVersionRecord.objects.filter(name="LU-ENG").exists()


def test_policy_in_force_cannot_be_changed_but_a_scheduled_one_can(
        admin_client_: Client) -> None:
    in_force = PolicyVersionRecord.objects.get(name="E")
    page = admin_client_.get(f"/admin/decisions/policyversionrecord/{in_force.pk}/change/")
    assert "Save" not in page.content.decode()
    assert admin_client_.post(f"/admin/decisions/policyversionrecord/{in_force.pk}/delete/",
                              {"post": "yes"}).status_code == 403
    admin_client_.post("/admin/decisions/policyversionrecord/add/", _policy_form())
    scheduled = PolicyVersionRecord.objects.get(name="LU-ENG")
    response = admin_client_.post(
        f"/admin/decisions/policyversionrecord/{scheduled.pk}/change/",
        _policy_form(description="Corrected", levelled_up=""))
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.description == "Corrected" and not scheduled.levelled_up
    admin_client_.post(f"/admin/decisions/policyversionrecord/{scheduled.pk}/delete/",
                       {"post": "yes"})
    assert not PolicyVersionRecord.objects.filter(name="LU-ENG").exists()
