"""``/api/v1/commissioning``: the contracts, one contract, and moving it through the cycle
(COM-1), with the roles that may and the 422 that names the field."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_com_1_the_contracts_with_their_stage_and_filters(client_for: Any) -> None:
    client = client_for("analyst", "analyst")
    body = client.get("/api/v1/commissioning/contracts").json()
    by_reference = {row["reference"]: row for row in body}
    assert by_reference["NAT-DNR-2026"]["stage"] == "review"
    assert by_reference["NAT-DNR-2026"]["stage_words"] == "Review"
    assert by_reference["GM-FBD-2026"]["cpa"] == "CGM"
    only = client.get("/api/v1/commissioning/contracts", {"cpa": "CGM"}).json()
    assert [row["reference"] for row in only] == ["GM-FBD-2026"]


def test_com_1_one_contract_in_depth(client_for: Any) -> None:
    client = client_for("manager", "contract_manager")
    body = client.get("/api/v1/commissioning/contracts/GM-FBD-2026").json()
    assert [m["to_stage"] for m in body["history"]] == ["plan", "review", "do", "buy", "plan"]
    assert {p["stage"] for p in body["stage_plans"]} == {"plan", "buy", "do", "review"}
    assert body["specification"][0]["kind"] in {"outcome", "output"}
    assert client.get("/api/v1/commissioning/contracts/NOPE").status_code == 404


def test_com_1_moving_a_contract(client_for: Any) -> None:
    client = client_for("commissioner", "commissioner")
    url = "/api/v1/commissioning/contracts/GM-FBD-2026/stage"
    refused = client.post(url, {"to_stage": "do", "evidence": "x"},
                          content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["detail"] == [{"field": "to_stage", "message": (
        "COM-1: a contract at Plan moves on to Buy (or back one stage), not to Do")}]
    moved = client.post(url, {"to_stage": "buy", "evidence": "Intentions published"},
                        content_type="application/json")
    assert moved.status_code == 201
    assert moved.json()["from_stage"] == "plan" and moved.json()["by"] == "commissioner"


def test_com_1_only_commissioners_move(client_for: Any) -> None:
    client = client_for("manager", "contract_manager")
    response = client.post("/api/v1/commissioning/contracts/GM-FBD-2026/stage",
                           {"to_stage": "buy", "evidence": "x"},
                           content_type="application/json")
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["court_staff", "provider"])
def test_roles_without_commissioning_are_refused(client_for: Any, role: str) -> None:
    client = client_for(f"u-{role}", role)
    assert client.get("/api/v1/commissioning/contracts").status_code == 403
    assert client.get("/api/v1/commissioning/contracts/GM-FBD-2026").status_code == 403
