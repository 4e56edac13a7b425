"""The contract manager's dashboard (their contracts: KPIs with rating and trend, ratings
month by month, referrals by where they stand, supply chain, what is overdue) and the OMiC
lead's dashboard (handovers per prison and PDU, caseloads, pathways): figures worked out
by hand, COM-4 for roles without case access, no case reference shown, role checks."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.commissioning.test_commissioning_kpis import (  # noqa: F401 - fixtures by name
    CONTRACT,
    activity,
    computed,
)
from tests.decisions.test_views_handover import _due_in

pytestmark = pytest.mark.django_db

DASHBOARD = "/commissioning/contract-manager/"


def _manage(user: Any, reference: str = CONTRACT) -> None:
    from omp.commissioning.models import CommissionedContract

    CommissionedContract.objects.filter(contract__reference=reference).update(
        contract_manager=user)


def _client(make_user: Any, username: str, *roles: str) -> tuple[Any, Any]:
    from django.test import Client

    user = make_user(username, *roles)
    client = Client()
    client.force_login(user)
    return client, user


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.usefixtures("computed")
def test_the_contract_managers_dashboard_by_hand(make_user: Any) -> None:
    # An administrator reads cases, so nothing is withheld: the figures by hand.
    admin, _ = _client(make_user, "cm-admin", "admin")
    page = admin.get(DASHBOARD, {"contract": CONTRACT}).content.decode()
    assert "Housing support in London" in page or CONTRACT in page
    # Feedback: March 4.0 (r3), April 3.5 ((5 + 2) / 2); referrals: March 4, April 0.
    assert "Down 0.5 on the month before (worse)" in page
    assert "Down 4 on the month before (worse)" in page
    # Completion: nothing ended in March, 50% in April.
    assert "No figure the month before" in page
    assert 'id="ratings-chart"' in page and 'id="ratings-chart-table"' in page
    # Referrals by where they stand: r1 completed, r2 ended early, r3 cancelled, r4 sent.
    rows = {r["state"]: r for r in _csv(admin.get(DASHBOARD, {"contract": CONTRACT,
                                                              "format": "referrals.csv"}))}
    assert rows["Completed"]["Referrals"] == "1"
    assert rows["Ended early"]["Referrals"] == "1"
    assert rows["Cancelled before the service started"]["Referrals"] == "1"
    assert rows["Sent, waiting for a keyworker"]["Referrals"] == "1"
    assert rows["Sessions under way"]["Referrals"] == "0"
    assert 'id="referral-states"' in page and 'id="referral-states-table"' in page
    assert 'id="supply-chain"' in page


@pytest.mark.usefixtures("computed")
def test_a_contract_manager_sees_their_contract_with_com_4_and_no_case(
        make_user: Any, activity: dict[str, Any]) -> None:  # noqa: F811
    manager, user = _client(make_user, "cm-own", "contract_manager")
    _manage(user)
    response = manager.get(DASHBOARD)
    assert response.status_code == 200
    page = response.content.decode()
    # Their one contract is shown without choosing it; no case reference or referral
    # reference reaches the page (COM-4).
    assert 'id="kpi-trends"' in page
    assert activity["person"].case_ref not in page and "AA0001AA" not in page
    # Each state holds one referral: below the threshold, so withheld, totals too.
    rows = _csv(manager.get(DASHBOARD, {"format": "referrals.csv"}))
    assert all(r["Referrals"] in ("", "0") for r in rows)
    assert "[c]" in page and "are not shown (COM-4)" in page


@pytest.mark.usefixtures("computed")
def test_another_contract_manager_cannot_choose_a_contract_not_theirs(
        make_user: Any) -> None:
    other, _ = _client(make_user, "cm-other", "contract_manager")
    empty = other.get(DASHBOARD)
    assert empty.status_code == 200 and 'id="no-contracts"' in empty.content.decode()
    _, owner = _client(make_user, "cm-owner", "contract_manager")
    _manage(owner)
    refused = other.get(DASHBOARD, {"contract": CONTRACT})
    assert refused.status_code == 400
    assert "Choose a contract from the list" in refused.content.decode()


@pytest.mark.parametrize("role", ["commissioner", "analyst", "pom", "com", "provider",
                                  "omic_lead"])
def test_the_contract_managers_dashboard_is_refused_to_other_roles(
        client_for: Any, role: str) -> None:
    assert client_for(f"cm-{role}", role).get(DASHBOARD).status_code == 403


@pytest.mark.usefixtures("activity")
def test_an_initial_assessment_is_overdue_after_5_working_days_skipping_easter(
        make_user: Any) -> None:
    from omp.clock import frozen_at
    from omp.referrals.models import Referral, ReferralEvent, Service

    admin, user = _client(make_user, "cm-easter", "admin")
    person = Referral.objects.get(reference="AA0004AA").person
    service = Service.objects.get(title="Housing support in London")
    late = Referral.objects.create(
        reference="AA0005AA", person=person, service=service, created_by=user,
        created_at=datetime(2026, 4, 1, 9, tzinfo=UTC), sent_by=user,
        sent_at=datetime(2026, 4, 1, 10, tzinfo=UTC))
    ReferralEvent.objects.create(referral=late, kind="sent",
                                 at=datetime(2026, 4, 1, 10, tzinfo=UTC), by=user)
    # Assigned on Thursday 2 April 2026; Good Friday and Easter Monday are not working days.
    ReferralEvent.objects.create(referral=late, kind="assigned",
                                 at=datetime(2026, 4, 2, 11, tzinfo=UTC), by=user,
                                 keyworker=user)
    with frozen_at(date(2026, 4, 13)):  # 5 working days on: not yet overdue
        page = admin.get(DASHBOARD, {"contract": CONTRACT}).content.decode()
        assert "Initial assessments overdue" not in page
    with frozen_at(date(2026, 4, 14)):  # 6 working days on
        page = admin.get(DASHBOARD, {"contract": CONTRACT}).content.decode()
        assert "Initial assessments overdue" in page
        assert "1 referral with a keyworker assigned more than 5 working days ago" in page
    manager, owner = _client(make_user, "cm-easter-manager", "contract_manager")
    _manage(owner)
    with frozen_at(date(2026, 4, 14)):  # one referral: the count is withheld (COM-4)
        page = manager.get(DASHBOARD).content.decode()
        assert "Initial assessments overdue" in page and "COM-4: fewer than" in page


OMIC = "/omic/dashboard/"


def test_the_omic_dashboard_counts_handovers_by_hand(client_for: Any,
                                                     make_case: Any) -> None:
    from omp.cases.models import Person

    _due_in(make_case, "H0001", 10)
    _due_in(make_case, "H0002", 50, **{"custody.prison_code": "LEI"})
    _due_in(make_case, "H0003", 60)  # beyond eight weeks
    _due_in(make_case, "H0004", -5, **{"probation.com_name": "", "probation.com_email": ""})
    _due_in(make_case, "H0005", -5)
    Person.objects.filter(case_ref="H0005").update(com_name="Anna Price")
    head = client_for("omic-head", "head_of_offender_management")  # reads cases
    page = head.get(OMIC).content.decode()
    for ref in ("H0001", "H0002", "H0003", "H0004", "H0005"):
        assert ref not in page  # counts only, never a case
    rows = {r["prison"]: r for r in _csv(head.get(OMIC, {"format":
                                                          "handovers-by-prison.csv"}))}
    leeds = rows["HMP Leeds"]
    assert leeds["Due in 8 weeks"] == "1"
    upcoming = sum(int(r["Due in 8 weeks"]) for r in rows.values())
    in_handover = sum(int(r["In handover"]) for r in rows.values())
    overdue = sum(int(r["COM overdue"]) for r in rows.values())
    # H0004 is in handover with its COM overdue: counted once, as overdue.
    assert (upcoming, in_handover, overdue) == (2, 1, 1)
    pdus = _csv(head.get(OMIC, {"format": "handovers-by-pdu.csv"}))
    assert sum(int(r["total"]) for r in pdus) == 4
    # Filtered to Leeds: only its case.
    only = _csv(head.get(OMIC, {"prison": "LEI", "format": "handovers-by-prison.csv"}))
    assert [(r["prison"], r["total"]) for r in only] == [("HMP Leeds", "1")]
    # Everyone here is sentenced to 5 years: pathway 2, in words.
    pathways = {r["pathway"]: r for r in _csv(head.get(OMIC, {"format": "pathways.csv"}))}
    assert pathways["Pathway 2: sentenced to 12 months or more"]["People in custody"] == "5"
    assert 'id="handovers-by-prison"' in page and 'id="handovers-by-prison-table"' in page
    assert 'id="caseload-bands-table"' in page and 'id="pathways-table"' in page
    # A prison not in the list is named.
    bad = head.get(OMIC, {"prison": "ATLANTIS"})
    assert bad.status_code == 400 and "Choose a prison from the list" in bad.content.decode()


def test_an_omic_lead_reads_the_counts_under_com_4(client_for: Any, make_case: Any) -> None:
    _due_in(make_case, "L0001", 10)
    lead = client_for("omic-lead", "omic_lead")
    response = lead.get(OMIC)
    assert response.status_code == 200
    page = response.content.decode()
    assert "L0001" not in page and "[c]" in page
    pathways = _csv(lead.get(OMIC, {"format": "pathways.csv"}))
    assert all(r["People in custody"] in ("", "0") for r in pathways)
    # An OMiC lead opens no case.
    assert lead.get("/cases/L0001/").status_code in (403, 404)


@pytest.mark.parametrize("role", ["commissioner", "contract_manager", "analyst", "pom",
                                  "com", "provider"])
def test_the_omic_dashboard_is_refused_to_other_roles(client_for: Any, role: str) -> None:
    assert client_for(f"omic-{role}", role).get(OMIC).status_code == 403


@pytest.mark.usefixtures("computed")
def test_the_dashboards_read_in_few_queries(make_user: Any, make_case: Any,
                                            django_assert_max_num_queries: Any) -> None:
    admin, _ = _client(make_user, "cm-queries", "admin")
    admin.get(DASHBOARD)  # warm: sessions, content types
    with django_assert_max_num_queries(25):
        assert admin.get(DASHBOARD, {"contract": CONTRACT}).status_code == 200
    for n in range(3):
        _due_in(make_case, f"Q000{n}", 10 + n)
    admin.get(OMIC)
    with django_assert_max_num_queries(20):
        assert admin.get(OMIC).status_code == 200


@pytest.mark.usefixtures("computed")
def test_the_kpi_run_stores_each_contracts_referral_figures_and_the_page_reads_them(
        make_user: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from omp.clock import frozen_at
    from omp.commissioning.models import ContractReferralFigures
    from omp.referrals.models import Contract
    from tests.commissioning.test_commissioning_kpis import AS_OF

    # The KPI run stored every contract's figures for its day, from its referrals source.
    assert ContractReferralFigures.objects.count() == Contract.objects.count()
    stored = ContractReferralFigures.objects.get(contract__reference=CONTRACT)
    assert stored.computed_on == AS_OF
    # As by hand above: r1 completed, r2 ended early, r3 cancelled, r4 sent.
    assert stored.states == {"cancelled": 1, "completed": 1, "ended_early": 1, "sent": 1}
    assert stored.late_assessments == 0
    admin, _ = _client(make_user, "cm-stored", "admin")
    with frozen_at(AS_OF):
        admin.get(DASHBOARD, {"contract": CONTRACT})  # warm: sessions, content types
        with CaptureQueriesContext(connection) as captured:
            page = admin.get(DASHBOARD, {"contract": CONTRACT}).content.decode()
        assert 'id="referral-figures-computed"' in page
        # Read from the stored figures: no referral's events or ratings are read.
        assert not [q["sql"] for q in captured.captured_queries
                    if "referralevent" in q["sql"] or "endofserviceoutcome" in q["sql"]]
        # What is stored is what the page shows.
        ContractReferralFigures.objects.filter(pk=stored.pk).update(
            states={"completed": 7}, outcomes={"achieved": 3})
        rows = {r["state"]: r for r in _csv(admin.get(
            DASHBOARD, {"contract": CONTRACT, "format": "referrals.csv"}))}
        assert rows["Completed"]["Referrals"] == "7" and rows["Ended early"]["Referrals"] == "0"
        outcomes = _csv(admin.get(DASHBOARD, {"contract": CONTRACT, "format": "outcomes.csv"}))
        assert [r["Desired outcomes"] for r in outcomes][:1] == ["3"]


@pytest.mark.usefixtures("computed")
def test_a_day_without_stored_figures_derives_them_as_the_kpi_run_does() -> None:
    from omp.commissioning.manager_dashboards import referral_standing
    from omp.commissioning.models import CommissionedContract, ContractReferralFigures
    from tests.commissioning.test_commissioning_kpis import AS_OF

    contract = CommissionedContract.objects.get(contract__reference=CONTRACT)
    by_the_run = ContractReferralFigures.objects.get(contract=contract.contract)
    later = date(2026, 5, 4)
    derived = referral_standing(contract, later)
    again = ContractReferralFigures.objects.get(contract=contract.contract)
    assert (again.computed_on, by_the_run.computed_on) == (later, AS_OF)
    assert dict(derived.states) == by_the_run.states == again.states
    assert dict(derived.outcomes) == by_the_run.outcomes == again.outcomes
    # Stored for the day: read back, not derived again.
    assert referral_standing(contract, later).computed_at == again.computed_at
