"""The end-of-service report pages and API routes (REF-6): the provider writes the report
(each outcome's problems named at once, each linked to its field, nothing saved), both sides
read the outcomes on the referral's progress, the practitioner concludes on the newest
version; a correction is a new version; another provider's keyworker finds nothing on any
page or route (REF-9: 404, as a referral that does not exist); reading is logged."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from omp.cases.models import CaseAccess
from omp.referrals.models import EndOfServiceReport, Referral
from omp.referrals.queries import lifecycle
from tests.referrals.test_referral_outcomes_actions import delivered_referral

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def world(make_user: Any, provider_user: Any, person: Any, service: Any) -> dict[str, Any]:
    pp, kw = make_user("pp", "com"), provider_user("kw", "NWH")
    other = provider_user("other", "SCR")
    referral = delivered_referral(pp, kw, person, service)
    clients = {}
    for name, user in (("pp", pp), ("kw", kw), ("other", other)):
        clients[name] = Client()
        clients[name].force_login(user)
    return {"referral": referral, **clients}


def _form(referral: Referral, level: str = "achieved", **changes: str) -> dict[str, str]:
    data = {}
    for i in referral.desired_outcome_ids:
        data[f"achievement-{i}"] = level
        data[f"notes-{i}"] = f"Progress on {i}"
    return {**data, **changes}


def test_the_provider_writes_the_report_and_the_practitioner_concludes(
        world: dict[str, Any]) -> None:
    referral: Referral = world["referral"]
    base = f"/referrals/{referral.pk}/"
    detail = world["kw"].get(base).content.decode()
    assert "Write the end-of-service report" in detail
    page = world["kw"].get(f"{base}end-of-service-report/new/").content.decode()
    first, second = referral.desired_outcome_ids
    assert f'id="achievement-{first}"' in page and f'id="notes-{second}"' in page
    sent = world["kw"].post(f"{base}end-of-service-report/new/",
                            _form(referral, **{f"achievement-{second}": "partly"}))
    assert sent.status_code == 302 and sent.url == f"{base}end-of-service-report/"
    for side in ("pp", "kw"):
        progress = world[side].get(base).content.decode()
        assert 'id="outcomes-table"' in progress and "Partly achieved" in progress
        assert 'id="achievement-score">1.5 of 2<' in progress
    report = world["pp"].get(f"{base}end-of-service-report/").content.decode()
    assert "Conclude the referral on version 1" in report
    assert "Conclude the referral" not in world["kw"].get(
        f"{base}end-of-service-report/").content.decode()
    concluded = world["pp"].post(f"{base}end-of-service-report/conclude/", {"version": "1"})
    assert concluded.status_code == 302
    assert lifecycle(referral).code == "completed"
    assert "Completed" in world["kw"].get(base).content.decode()
    assert CaseAccess.objects.filter(path=f"{base}end-of-service-report/").exists()


def test_every_problem_named_and_linked_and_nothing_saved(world: dict[str, Any]) -> None:
    referral: Referral = world["referral"]
    first, second = referral.desired_outcome_ids
    response = world["kw"].post(f"/referrals/{referral.pk}/end-of-service-report/new/",
                                {f"achievement-{first}": "achieved"})
    body = response.content.decode()
    assert response.status_code == 400
    assert f'href="#notes-{first}"' in body and f'href="#achievement-{second}"' in body
    assert f'href="#notes-{second}"' in body
    assert 'value="achieved" checked' in body  # what was typed stays
    assert not EndOfServiceReport.objects.exists()


def test_a_correction_is_a_new_version_with_a_reason(world: dict[str, Any]) -> None:
    referral: Referral = world["referral"]
    url = f"/referrals/{referral.pk}/end-of-service-report/new/"
    world["kw"].post(url, _form(referral, "partly"))
    again = world["kw"].post(url, _form(referral))
    assert again.status_code == 400 and 'href="#reason"' in again.content.decode()
    world["kw"].post(url, _form(referral, reason="Both met since"))
    page = world["pp"].get(f"/referrals/{referral.pk}/end-of-service-report/").content.decode()
    assert 'id="report-version-2"' in page and 'id="report-version-1"' in page
    assert "Both met since" in page
    stale = world["pp"].post(f"/referrals/{referral.pk}/end-of-service-report/conclude/",
                             {"version": "1"})
    assert stale.status_code == 400 and "Version 1 is not the newest" in stale.content.decode()


def test_another_provider_finds_nothing(world: dict[str, Any]) -> None:
    referral: Referral = world["referral"]
    base = f"/referrals/{referral.pk}/end-of-service-report/"
    other: Client = world["other"]
    assert other.get(base).status_code == 404
    assert other.get(f"{base}new/").status_code == 404
    assert other.post(f"{base}new/", _form(referral)).status_code == 404
    api = f"/api/v1/referrals/{referral.pk}/end-of-service-reports"
    assert other.get(api).status_code == 404
    assert other.post(api, {"outcomes": []}, content_type=JSON).status_code == 404
    assert world["kw"].post(f"{base}conclude/", {"version": "1"}).status_code == 403
    assert world["pp"].get(f"{base}new/").status_code == 403


def test_the_api_submits_lists_and_concludes(world: dict[str, Any]) -> None:
    referral: Referral = world["referral"]
    api = f"/api/v1/referrals/{referral.pk}"
    first, second = referral.desired_outcome_ids
    bad = world["kw"].post(f"{api}/end-of-service-reports", {"outcomes": [
        {"desired_outcome_id": first, "achievement": "maybe", "notes": "x"}]},
        content_type=JSON)
    assert bad.status_code == 422
    assert [p["field"] for p in bad.json()["detail"]] == [
        f"achievement-{first}", f"achievement-{second}", f"notes-{second}"]
    twice = world["kw"].post(f"{api}/end-of-service-reports", {"outcomes": [
        {"desired_outcome_id": first, "achievement": "achieved", "notes": "x"}] * 2},
        content_type=JSON)
    assert twice.status_code == 422
    good = world["kw"].post(f"{api}/end-of-service-reports", {"outcomes": [
        {"desired_outcome_id": first, "achievement": "achieved", "notes": "Housed"},
        {"desired_outcome_id": second, "achievement": "not_achieved", "notes": "No"}],
        "further_information": "Nothing"}, content_type=JSON)
    assert good.status_code == 201
    assert good.json()["achievement_score"] == 1.0 and good.json()["version"] == 1
    listed = world["pp"].get(f"{api}/end-of-service-reports").json()
    assert [o["achievement_words"] for o in listed[0]["outcomes"]] == ["Achieved",
                                                                        "Not achieved"]
    assert world["kw"].post(f"{api}/conclusion", {"version": 1},
                            content_type=JSON).status_code == 403
    done = world["pp"].post(f"{api}/conclusion", {"version": 1}, content_type=JSON)
    assert done.status_code == 200 and done.json()["state"]["code"] == "completed"
    again = world["pp"].post(f"{api}/conclusion", {"version": 1}, content_type=JSON)
    assert again.status_code == 422
