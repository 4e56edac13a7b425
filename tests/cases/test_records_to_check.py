"""A release date passed while the record still says "in custody" (issue 12): the case page
warns, naming the date and how long ago; the prison's records to check list it, longest
passed first; a recall past its release date, a remand and a case before its release date
are not listed; a limited-access case is left out for those its lists refuse."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from omp.cases.models import LimitedAccessEntry, Person
from omp.clock import frozen_at

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 10)


def _case(named_case: Any, ref: str, last: str, crd: date | None, **changes: Any) -> Person:
    person: Person = named_case(last=last, prison_number=f"A{ref[-4:]}BC", case_ref=ref, **{
        "custody.sentence_start_date": "2025-06-01", "custody.arrival_date": "2025-06-02",
        "custody.conditional_release_date": crd.isoformat() if crd else None,
        "custody.licence_expiry_date": "2027-12-01", **changes})
    return person


@pytest.fixture
def records(named_case: Any) -> dict[str, Person]:
    return {
        "stale": _case(named_case, "S0001", "Stale", TODAY - timedelta(days=30)),
        "older": _case(named_case, "S0002", "Older", TODAY - timedelta(days=200),
                       **{"custody.prison_code": "LEI"}),
        "ahead": _case(named_case, "S0003", "Ahead", TODAY + timedelta(days=90)),
        # A recall is back in custody after a release: its CRD has passed by design.
        "recall": _case(named_case, "S0004", "Recalled", TODAY - timedelta(days=60),
                        **{"custody.recall": True}),
    }


def test_the_case_page_warns_with_the_date_passed(records: Any, client_for: Any) -> None:
    client = client_for("pom", "pom")
    with frozen_at(TODAY):
        stale = client.get("/cases/S0001/").content.decode()
        ahead = client.get("/cases/S0003/").content.decode()
        recall = client.get("/cases/S0004/").content.decode()
    assert 'id="release-passed"' in stale
    assert "conditional release date (CRD) was 10 November 2026, 30 days ago" in stale
    assert 'id="release-passed"' not in ahead and 'id="release-passed"' not in recall
    # Offences in words, with their codes after them.
    assert "Theft (02700)" in stale


def test_the_records_to_check_list_each_prison(records: Any, client_for: Any) -> None:
    client = client_for("pom", "pom")
    with frozen_at(TODAY):
        everyone = client.get("/records-to-check/").content.decode()
        doncaster = client.get("/records-to-check/?prison=DNI").content.decode()
    assert "2 records to check" in everyone
    # Longest passed first, the prison by name.
    assert everyone.index("S0002") < everyone.index("S0001")
    assert "HMP Leeds" in everyone and "LEI</td>" not in everyone
    assert "S0003" not in everyone and "S0004" not in everyone
    assert "1 record to check at HMP Doncaster" in doncaster and "S0002" not in doncaster


def test_a_limited_case_is_left_out_and_roles_are_checked(
        records: Any, client_for: Any, make_user: Any) -> None:
    pom = client_for("pom", "pom")
    LimitedAccessEntry.objects.create(person=records["stale"], kind="restriction",
                                      user=make_user("named", "pom"), reason="Witness")
    with frozen_at(TODAY):
        body = pom.get("/records-to-check/").content.decode()
        assert "1 record to check" in body and "S0001" not in body
        assert client_for("provider", "provider").get("/records-to-check/").status_code == 403
