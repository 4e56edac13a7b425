"""Listing the whole population is an export (issue 13): only the roles that may export
take it, as JSON Lines of every case's current decision; it is logged as one read of that
many people, and a case the user's limited-access lists refuse is left out."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from omp.cases.models import CaseAccess, LimitedAccessEntry

pytestmark = pytest.mark.django_db
URL = "/api/v1/decisions/export"


def test_an_admin_exports_every_case_it_may_open_logged_as_one(
        client_for: Any, make_case: Any, make_user: Any) -> None:
    for number in range(1, 4):
        make_case(case_ref=f"E000{number}", **{"risk.rsr_percent": 3.0 * number})
    hidden = make_case(case_ref="E0009")
    LimitedAccessEntry.objects.create(person=hidden, kind="restriction",
                                      user=make_user("named", "admin"), reason="Witness")
    admin = client_for("boss", "admin")
    response = admin.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    assert "attachment" in response["Content-Disposition"]
    lines = [orjson.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert [line["case_ref"] for line in lines] == ["E0001", "E0002", "E0003"]
    assert {line["allocation"]["outcome"] for line in lines} == {
        "ALLOCATED_NORMAL", "RETAINED_ENHANCED"}  # RSR 9%: enhanced
    logged = list(CaseAccess.objects.filter(user__username="boss"))
    assert [(row.channel, row.person, row.path) for row in logged] == [
        ("export", None, f"{URL} (3 people)")]


@pytest.mark.parametrize("role", ["pom", "com", "head_of_offender_management", "analyst",
                                  "commissioner", "provider", "auditor"])
def test_no_other_role_takes_the_whole_population(client_for: Any, make_case: Any,
                                                  role: str) -> None:
    make_case(case_ref="E0001")
    response = client_for("someone", role).get(URL)
    assert response.status_code == 403 and b"E0001" not in response.content
    assert not CaseAccess.objects.filter(channel="export").exists()


def test_nobody_signed_in_is_asked_to_sign_in(client: Any) -> None:
    assert client.get(URL).status_code == 401
