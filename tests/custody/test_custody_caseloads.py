"""PATH-6: allocating case managers — caseload counts, a warning near the cap, refusal past
it unless a manager gives a reason, the least loaded suggested first, and the caseloads
chart with its table."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from omp.cases.actions import ActionError
from omp.clock import frozen_at
from omp.config import get_settings
from omp.custody.actions import allocate_case_manager, caseload_of
from omp.custody.models import Allocation
from omp.custody.queries import caseloads

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(get_settings(), "caseload_cap", 3)
    return 3


def _cases(make_case: Any, n: int) -> list[Any]:
    return [make_case(case_ref=f"A{i:04d}") for i in range(n)]


def test_allocating_counts_the_caseload_and_replaces_the_one_of_that_kind(
        make_case: Any, make_user: Any) -> None:
    lead, first, second = (make_user("lead", "case_manager"), make_user("cm1", "case_manager"),
                           make_user("cm2", "case_manager"))
    [person] = _cases(make_case, 1)
    allocate_case_manager(lead, person, first, "custody")
    allocate_case_manager(lead, person, make_user("com1", "com"), "community")
    assert caseload_of(first) == 1
    allocate_case_manager(lead, person, second, "custody")
    assert (caseload_of(first), caseload_of(second)) == (0, 1)
    ended = Allocation.objects.get(person=person, manager=first)
    assert ended.ended_on is not None  # ended, not deleted
    assert Allocation.objects.filter(person=person, ended_on__isnull=True).count() == 2
    with pytest.raises(ActionError) as error:
        allocate_case_manager(lead, person, second, "custody")
    assert error.value.field == "manager"


def test_near_the_cap_warns_and_past_it_needs_a_manager_s_reason(
        make_case: Any, make_user: Any, small_cap: int) -> None:
    lead, head = make_user("lead", "case_manager"), make_user("head", "head_of_offender_management")
    worker = make_user("cm", "case_manager")
    people = _cases(make_case, 5)
    results = [allocate_case_manager(lead, p, worker, "custody") for p in people[:3]]
    assert results[0].warning is not None and "the cap is 3" in results[0].warning
    with pytest.raises(ActionError) as refused:
        allocate_case_manager(lead, people[3], worker, "custody")
    assert refused.value.field == "manager" and "the cap of 3" in refused.value.message
    with pytest.raises(ActionError) as no_reason:
        allocate_case_manager(head, people[3], worker, "custody")
    assert no_reason.value.field == "over_cap_reason"
    assert caseload_of(worker) == 3  # nothing half-saved
    past = allocate_case_manager(head, people[3], worker, "custody", "Covering a vacancy")
    assert past.caseload == 4 and "past the cap" in (past.warning or "")
    assert past.allocation.over_cap_reason == "Covering a vacancy"


def test_only_case_managers_are_allocated_and_only_allocators_allocate(
        make_case: Any, make_user: Any) -> None:
    [person] = _cases(make_case, 1)
    lead = make_user("lead", "case_manager")
    with pytest.raises(ActionError) as error:
        allocate_case_manager(lead, person, make_user("court", "court_staff"), "custody")
    assert error.value.field == "manager"
    with pytest.raises(ActionError) as kind:
        allocate_case_manager(lead, person, make_user("cm", "case_manager"), "somewhere")
    assert kind.value.field == "kind"
    with pytest.raises(PermissionDenied):
        allocate_case_manager(make_user("pom", "pom"), person, lead, "custody")


def test_the_least_loaded_are_suggested_first(make_case: Any, make_user: Any) -> None:
    lead = make_user("lead", "case_manager")
    busy = make_user("busy", "case_manager")
    make_user("free", "case_manager")
    for person in _cases(make_case, 2):
        allocate_case_manager(lead, person, busy, "custody")
    names = [load.manager.username for load in caseloads()]
    assert names.index("free") < names.index("busy")
    assert {load.manager.username: load.total for load in caseloads()}["busy"] == 2


def test_the_allocation_page_and_the_caseloads_page(client_for: Any, make_case: Any,
                                                    make_user: Any) -> None:
    [person] = _cases(make_case, 1)
    worker = make_user("worker", "case_manager")
    client = client_for("lead2", "case_manager")
    url = reverse("custody-allocate", args=[person.case_ref])
    assert "worker: 0 people" in client.get(url).content.decode()
    refused = client.post(url, {"kind": "custody"})
    assert refused.status_code == 400 and 'href="#manager"' in refused.content.decode()
    assert client.post(url, {"kind": "custody", "manager": "worker"}).status_code == 302
    assert Allocation.objects.get(person=person).manager == worker
    page = client.get(reverse("case-detail", args=[person.case_ref])).content.decode()
    assert 'id="case-managers"' in page and "Custody case manager" in page
    caseload_page = client.get(reverse("custody-caseloads")).content.decode()
    assert 'id="caseload-chart"' in caseload_page and 'id="caseload-table"' in caseload_page
    assert "Below the floor" in caseload_page


@pytest.mark.parametrize("role", ["court_staff", "pom", "provider", "commissioner"])
def test_allocation_pages_are_for_allocators(client_for: Any, make_case: Any,
                                             role: str) -> None:
    [person] = _cases(make_case, 1)
    client = client_for(f"x_{role}", role)
    assert client.get(reverse("custody-allocate", args=[person.case_ref])).status_code == 403
    assert client.get(reverse("custody-caseloads")).status_code == 403


def test_the_dashboard_orders_the_work_queue_by_need_and_time_to_release(
        make_case: Any, make_user: Any) -> None:
    from omp.custody.actions import record_needs_assessment
    from omp.custody.models import NEED_AREAS

    me = make_user("me", "case_manager")
    lead = make_user("lead3", "case_manager")
    far = make_case(case_ref="Q0001", **{"custody.conditional_release_date": "2031-01-01",
                                         "custody.sentence_start_date": "2026-03-01"})
    near = make_case(case_ref="Q0002", **{"custody.conditional_release_date": "2027-01-10",
                                          "custody.sentence_start_date": "2026-03-01"})
    for person in (far, near):
        allocate_case_manager(lead, person, me, "custody")
    record_needs_assessment(me, far, {area: "high" for area, _ in NEED_AREAS}, {})
    client = Client()
    client.force_login(me)
    with frozen_at(date(2026, 12, 3)):
        page = client.get(reverse("custody-dashboard")).content.decode()
    assert 'id="work-queue"' in page and 'id="caseload-count">2<' in page
    # The near release with needs not yet assessed (2 × 4 = 8) comes before the far one
    # with high needs (3 × 1 = 3): need × time to release, each explained.
    assert page.index("Q0002") < page.index("Q0001")
    assert "Needs not yet assessed (counted as medium) (2) × release within 8 weeks (4) = 8" \
        in page
    assert "High need (3) ×" in page


def test_the_warning_starts_where_the_pages_say_near_the_cap(
        make_case: Any, make_user: Any, settings: Any, monkeypatch: Any) -> None:
    """The pages tag a caseload "Near the cap" from cap − 5; the allocation that reaches it
    warns too, and the one before does not."""
    from omp.config import get_settings

    monkeypatch.setattr(get_settings(), "caseload_cap", 8)
    lead, worker = make_user("lead", "case_manager"), make_user("cm", "case_manager")
    results = [allocate_case_manager(lead, p, worker, "custody") for p in _cases(make_case, 3)]
    assert [r.caseload for r in results] == [1, 2, 3]
    assert results[1].warning is None  # 2 people: below cap − 5
    assert results[2].warning == "cm now holds 3 people: the cap is 8."
