"""Commissioning pages (COM-1): the contracts with their stage, filters, one contract in
depth with its supply chain (referral counts through COM-4), moving a contract through the
cycle, and who may see what."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def commissioner(client_for: Any) -> Any:
    return client_for("commissioner", "commissioner")


def test_com_1_the_contracts_list_shows_each_stage_in_words(commissioner: Any) -> None:
    page = commissioner.get("/commissioning/").content.decode()
    assert "London accommodation services" in page
    # The national recovery contract is at review; the money advice one in its next plan.
    assert page.count(">Review</strong>") == 1
    assert page.count(">Plan</strong>") == 1


def test_com_1_filters_narrow_the_list_and_a_bad_choice_is_named(commissioner: Any) -> None:
    page = commissioner.get("/commissioning/", {"cpa": "CGM"}).content.decode()
    assert "Finance, benefits and debt" in page
    assert "London accommodation services" not in page
    refused = commissioner.get("/commissioning/", {"region": "ATLANTIS"})
    assert refused.status_code == 400
    assert "Choose a region from the list" in refused.content.decode()


def test_com_1_a_contract_in_depth(commissioner: Any) -> None:
    page = commissioner.get("/commissioning/contracts/LDN-ACC-2026/").content.decode()
    for words in ("People supported into settled accommodation", "60% of people completing",
                  "Initial assessment", "£180.00 per referral", "Head of commissioning",
                  "The market engagement record", "Market engagement: 3 March 2025 to "
                  "23 May 2025 (11 weeks)", "Open Path Housing Co-operative",
                  "Small and specialist", "Obligation: at least 25% of the value"):
        assert words in page, words


def test_com_4_small_referral_counts_in_the_supply_chain_are_withheld(
        commissioner: Any) -> None:
    from omp.commissioning.queries import open_contract, supply_chain

    chain = supply_chain(open_contract("LDN-ACC-2026"))
    table = chain.referrals
    assert table is not None and table.withheld
    for member in chain.members:
        for _value, count, share in member.months:
            assert count is None or count == 0 or count >= 10
            assert (count is None) <= (share is None)
    page = commissioner.get("/commissioning/contracts/LDN-ACC-2026/").content.decode()
    assert "referrals not shown" in page
    assert "Referral counts below 10, and the counts that would let them be worked out" in page


def test_com_4_the_threshold_is_the_setting(commissioner: Any, monkeypatch: Any) -> None:
    from omp.commissioning import queries
    from omp.config import Settings

    monkeypatch.setattr(queries, "get_settings", lambda: Settings(disclosure_threshold=1))
    chain = queries.supply_chain(queries.open_contract("LDN-ACC-2026"))
    assert chain.referrals is not None and chain.referrals.withheld == {}


def test_com_1_a_commissioner_moves_a_contract_and_sees_its_history(
        commissioner: Any) -> None:
    form = commissioner.get("/commissioning/contracts/LDN-ETE-2026/stage/").content.decode()
    assert "Evidence expected for Do" in form
    refused = commissioner.post("/commissioning/contracts/LDN-ETE-2026/stage/",
                                {"to_stage": "review", "evidence": ""})
    assert refused.status_code == 400
    assert "Enter the evidence seen for the Do stage" in refused.content.decode()
    moved = commissioner.post("/commissioning/contracts/LDN-ETE-2026/stage/",
                              {"to_stage": "review", "evidence": "Q3 review minutes"})
    assert moved.status_code == 302
    page = commissioner.get(moved["Location"]).content.decode()
    assert "moved to Review" in page
    assert "Evidence seen: Q3 review minutes" in page
    assert "by commissioner" in page


def test_com_1_a_contract_manager_reads_but_does_not_move(client_for: Any) -> None:
    manager = client_for("manager", "contract_manager")
    assert manager.get("/commissioning/contracts/LDN-ETE-2026/").status_code == 200
    assert "Move through the cycle" not in manager.get(
        "/commissioning/contracts/LDN-ETE-2026/").content.decode()
    assert manager.get("/commissioning/contracts/LDN-ETE-2026/stage/").status_code == 403
    assert manager.post("/commissioning/contracts/LDN-ETE-2026/stage/",
                        {"to_stage": "review", "evidence": "x"}).status_code == 403


def test_com_1_the_organisation_page(commissioner: Any) -> None:
    page = commissioner.get("/commissioning/organisation/").content.decode()
    for words in ("Cheshire and Greater Manchester", "North West", "Haven Women&#x27;s Services",
                  "Recovery Connections"):
        assert words in page, words


@pytest.mark.parametrize("role", ["court_staff", "pom", "com", "provider"])
def test_roles_without_commissioning_are_refused(client_for: Any, role: str) -> None:
    client = client_for(f"user-{role}", role)
    for url in ("/commissioning/", "/commissioning/organisation/",
                "/commissioning/contracts/LDN-ACC-2026/"):
        assert client.get(url).status_code == 403, url


def test_an_unknown_contract_is_404(commissioner: Any) -> None:
    assert commissioner.get("/commissioning/contracts/NOPE/").status_code == 404


@pytest.mark.parametrize("role", ["commissioner", "contract_manager", "analyst"])
def test_com_4_commissioning_roles_never_reach_a_person(client_for: Any, make_case: Any,
                                                        role: str) -> None:
    make_case()
    client = client_for(f"agg-{role}", role)
    assert client.get("/cases/X000001/").status_code == 403
    assert client.get("/api/v1/cases/X000001").status_code == 403
    assert client.get("/cases/", {"q": "X000001"}).status_code == 403
