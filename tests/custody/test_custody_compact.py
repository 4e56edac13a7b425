"""PATH-7: the compact recorded; basic provision when it is not kept, with a reason;
reversible; every change in the history."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from omp.cases.actions import ActionError
from omp.custody.actions import change_provision, record_compact
from omp.custody.models import BASIC, FULL, Compact

pytestmark = pytest.mark.django_db


def test_basic_provision_with_a_reason_and_back_all_in_history(make_case: Any,
                                                              make_user: Any) -> None:
    person, worker = make_case(), make_user("cm", "case_manager")
    record_compact(worker, person)
    change_provision(worker, person, BASIC, "Missed three appointments running")
    compact = change_provision(worker, person, FULL, "Back on track after review")
    assert compact.provision == FULL and compact.reason == "Back on track after review"
    history = [(h.provision, h.reason) for h in compact.history.order_by("history_id")]
    assert history == [(FULL, ""), (BASIC, "Missed three appointments running"),
                       (FULL, "Back on track after review")]


@pytest.mark.parametrize(("provision", "reason", "field"), [
    (BASIC, "  ", "reason"), ("partial", "x", "provision"), (FULL, "x", "provision")])
def test_bad_changes_are_refused_naming_the_field(make_case: Any, make_user: Any,
                                                  provision: str, reason: str,
                                                  field: str) -> None:
    person, worker = make_case(), make_user("cm", "case_manager")
    record_compact(worker, person)
    with pytest.raises(ActionError) as error:
        change_provision(worker, person, provision, reason)
    assert error.value.field == field
    assert Compact.objects.get(person=person).provision == FULL


def test_no_change_before_a_compact_and_no_second_compact(make_case: Any,
                                                         make_user: Any) -> None:
    person, worker = make_case(), make_user("cm", "case_manager")
    with pytest.raises(ActionError) as first:
        change_provision(worker, person, BASIC, "x")
    assert first.value.field == "compact"
    record_compact(worker, person)
    with pytest.raises(ActionError):
        record_compact(worker, person)


def test_the_pages(client_for: Any, make_case: Any) -> None:
    person = make_case()
    client = client_for("cm2", "case_manager")
    url = reverse("custody-compact", args=[person.case_ref])
    assert client.post(url, {"record": "yes"}).status_code == 302
    refused = client.post(url, {"provision": "basic"})
    assert refused.status_code == 400 and 'href="#reason"' in refused.content.decode()
    assert client.post(url, {"provision": "basic", "reason": "Refused work"}).status_code == 302
    page = client.get(reverse("case-detail", args=[person.case_ref])).content.decode()
    assert 'id="compact"' in page and "Basic provision" in page and "Refused work" in page
    assert client_for("court", "court_staff").get(url).status_code == 403
