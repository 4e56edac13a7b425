"""Scenario tests of the provider's performance report as CSV (REF-5, REF-6, REF-9): one row
per sent referral, by reference only, with figures worked out by hand for two referrals of
Northway Housing Trust (one concluded with a corrected end-of-service report and the
person's feedback, one just sent) and one of Pathfinder Employment; each provider's
keyworker gets its own rows only, a practitioner is refused, a date that is not one is
named, and the number of queries does not grow with the number of referrals."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from omp.referrals.models import (
    ActionPlan,
    Appointment,
    EndOfServiceOutcome,
    EndOfServiceReport,
    PersonFeedback,
    Referral,
    ReferralEvent,
    Service,
)
from omp.referrals.queries import PERFORMANCE_COLUMNS

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
URL = "/referrals/performance.csv"


def at(day: int, hour: int = 10, month: int = 1) -> datetime:
    """A moment of January (or ``month``) 2026 in London (GMT then: no summer time)."""
    return datetime(2026, month, day, hour, 0, tzinfo=LONDON)


class Scenario:
    """Builds referrals with their recorded history at fixed moments, as the actions would
    have written them, so every figure of the report can be worked out by hand."""

    def __init__(self, person: Any, staff: Any) -> None:
        self.person, self.staff = person, staff

    def referral(self, reference: str, service: Any, sent: datetime | None,
                 enforceable_days: int = 3) -> Referral:
        referral = Referral.objects.create(
            reference=reference, person=self.person, service=service, created_by=self.staff,
            created_at=at(2, 9), sent_by=self.staff if sent else None, sent_at=sent,
            enforceable_days=enforceable_days,
            desired_outcome_ids=[o.pk for o in service.category.desired_outcomes.all()[:2]])
        if sent:
            self.event(referral, "sent", sent)
        return referral

    def event(self, referral: Referral, kind: str, when: datetime, **more: Any
              ) -> ReferralEvent:
        return ReferralEvent.objects.create(referral=referral, kind=kind, at=when,
                                            by=self.staff, **more)

    def booking(self, referral: Referral, number: int, starts: datetime, enforceable: bool,
                attendance: str = "", happened: bool | None = None, why: str = ""
                ) -> Appointment:
        booking = Appointment.objects.create(
            referral=referral, session_number=number, starts_at=starts,
            duration_minutes=60, method="phone", enforceable=enforceable,
            booked_by=self.staff, booked_at=at(14), attendance=attendance,
            happened=happened, no_session_reason=why,
            recorded_by=self.staff if attendance else None,
            recorded_at=starts if attendance else None)
        if attendance:
            self.event(referral, "session" if happened else "session_missed", starts,
                       appointment=booking)
        return booking

    def report(self, referral: Referral, version: int, when: datetime,
               achievements: list[str]) -> EndOfServiceReport:
        report = EndOfServiceReport.objects.create(
            referral=referral, version=version, submitted_by=self.staff, submitted_at=when,
            reason_for_change="Corrected" if version > 1 else "")
        for position, (outcome_id, level) in enumerate(
                zip(referral.desired_outcome_ids, achievements, strict=True), 1):
            EndOfServiceOutcome.objects.create(report=report, desired_outcome_id=outcome_id,
                                               position=position, achievement=level,
                                               notes="Progress noted.")
        self.event(referral, "end_of_service_report", when, end_of_service_report=report)
        return report

    def concluded(self, reference: str, service: Any, sent: datetime) -> Referral:
        """A referral through its whole life, the figures worked out in the test."""
        referral = self.referral(reference, service, sent)
        self.event(referral, "assigned", at(6), keyworker=self.staff)
        self.event(referral, "assigned", at(20), keyworker=self.staff)  # a reassignment
        # Recorded on Tuesday 13th, held on Monday 12th: the day it was held counts.
        self.event(referral, "initial_assessment", at(13, 16), happened_on=date(2026, 1, 12))
        plan = ActionPlan.objects.create(referral=referral, version=1, number_of_sessions=8,
                                         activities=["Housing applications"],
                                         submitted_by=self.staff, submitted_at=at(13, 17))
        self.event(referral, "plan_submitted", at(13, 17), action_plan=plan)
        ActionPlan.objects.filter(pk=plan.pk).update(approved_by=self.staff,
                                                     approved_at=at(14, 9))
        self.event(referral, "plan_approved", at(14, 9), action_plan=plan)
        self.booking(referral, 1, at(19, 10), True, "yes", True)
        self.booking(referral, 2, at(19, 14), True, "late", True)  # same day: one RAR day
        self.booking(referral, 3, at(21), True, "no", False, "non_compliance")
        held = self.booking(referral, 4, at(23), True, "yes", False, "logistics")
        moved = self.booking(referral, 4, at(22), True)
        Appointment.objects.filter(pk=moved.pk).update(rescheduled_to=held,
                                                       reschedule_requested_by="person")
        self.booking(referral, 5, at(26), False, "yes", True)  # voluntary
        self.booking(referral, 6, at(27), True, "yes", True)
        self.report(referral, 1, at(28, 11), ["achieved", "not_achieved"])
        self.report(referral, 2, at(29, 9), ["achieved", "partly"])
        self.event(referral, "concluded", at(30, 15))
        PersonFeedback.objects.create(referral=referral, helpfulness=4, would_recommend="yes",
                                      channel="paper", recorded_by=self.staff,
                                      recorded_at=at(30, 16))
        return referral


@pytest.fixture
def housing(db: Any) -> Service:
    """Northway Housing Trust's service (provider A)."""
    return Service.objects.select_related("category", "contract").get(
        title="Housing support in London")


@pytest.fixture
def work(db: Any) -> Service:
    """Pathfinder Employment's service (provider B)."""
    return Service.objects.select_related("category", "contract").get(
        title="Into work and learning")


@pytest.fixture
def scenario(person: Any, make_user: Any, housing: Service, work: Service) -> Scenario:
    """A1 concluded and A2 just sent (provider A), B1 just sent (provider B), and a draft
    of provider A that no report shows."""
    built = Scenario(person, make_user("pp", "com"))
    built.concluded("R-A1", housing, at(5, 9))
    built.referral("R-A2", housing, at(2, 9, month=2))
    built.referral("R-B1", work, at(7, 11))
    built.referral("R-A3", housing, None)
    return built


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download(client: Client, query: str = "") -> tuple[Any, list[list[str]]]:
    response = client.get(URL + query)
    if response.status_code != 200:
        return response, []
    text = b"".join(response.streaming_content).decode("utf-8")
    return response, list(csv.reader(io.StringIO(text)))


A1 = ["R-A1", "Housing support in London", "Northway Housing Trust", "LDN-ACC-2026",
      "2026-01-05", "2026-01-06", "2026-01-12",
      "5",  # Monday 5th to Monday 12th: Tue, Wed, Thu, Fri, Mon
      "2026-01-14",
      "6",  # six bookings: the moved one is counted where it went
      "3", "1", "1", "1",  # attended (19th, 26th, 27th), late, not attended, did not happen
      "2",  # RAR days: the 19th (two sessions) and the 27th; the 26th was voluntary
      "Completed", "2026-01-28",  # the first version of the report
      "1", "1", "0",  # the newest version: achieved, partly achieved
      "2026-01-30", "4"]
A2 = ["R-A2", "Housing support in London", "Northway Housing Trust", "LDN-ACC-2026",
      "2026-02-02", "", "", "", "", "0", "0", "0", "0", "0", "0",
      "Sent, waiting for a keyworker", "", "", "", "", "", ""]
B1 = ["R-B1", "Into work and learning", "Pathfinder Employment", "LDN-ETE-2026",
      "2026-01-07", "", "", "", "", "0", "0", "0", "0", "0", "0",
      "Sent, waiting for a keyworker", "", "", "", "", "", ""]


def test_provider_a_gets_its_two_sent_referrals_every_column_worked_out_by_hand(
        scenario: Scenario, provider_user: Any) -> None:
    response, rows = download(client_of(provider_user("kw-a", "NWH")))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="referral-performance-')
    assert "no-store" in response["Cache-Control"]
    header, *body = rows
    assert header == PERFORMANCE_COLUMNS
    assert header[7].startswith("Working days from sent to initial assessment")
    assert body == [A1, A2]  # oldest sent first; the draft is never in it


def test_the_report_carries_no_name_date_of_birth_or_notes(
        scenario: Scenario, provider_user: Any, person: Any) -> None:
    response = client_of(provider_user("kw-a", "NWH")).get(URL)
    text = b"".join(response.streaming_content).decode("utf-8")
    for secret in (person.first_name, person.last_name, person.case_ref,
                   person.prison_number, person.date_of_birth.isoformat(),
                   "Progress noted.", "Housing applications"):
        assert secret not in text


def test_provider_b_gets_only_its_own_rows(scenario: Scenario, provider_user: Any) -> None:
    _response, (_header, *body) = download(client_of(provider_user("kw-b", "PFE")))
    assert body == [B1]


def test_a_head_of_offender_management_gets_every_provider(
        scenario: Scenario, make_user: Any) -> None:
    _response, (_header, *body) = download(
        client_of(make_user("hom", "head_of_offender_management")))
    assert body == [A1, B1, A2]


def test_a_keyworker_who_is_also_a_practitioner_still_gets_only_its_provider(
        scenario: Scenario, provider_user: Any) -> None:
    from django.contrib.auth.models import Group

    both = provider_user("kw-b", "PFE")
    both.groups.add(Group.objects.get(name="com"))
    _response, (_header, *body) = download(client_of(both))
    assert body == [B1]


def test_a_practitioner_is_refused(scenario: Scenario, make_user: Any) -> None:
    assert client_of(make_user("pp2", "com")).get(URL).status_code == 403


def test_only_get(scenario: Scenario, make_user: Any) -> None:
    client = client_of(make_user("hom", "head_of_offender_management"))
    assert client.post(URL).status_code == 405


def test_the_sent_dates_filter_the_rows_both_days_included(
        scenario: Scenario, make_user: Any) -> None:
    client = client_of(make_user("hom", "head_of_offender_management"))
    _response, (_header, *body) = download(client, "?from=2026-01-05&to=2026-01-05")
    assert [row[0] for row in body] == ["R-A1"]
    _response, (_header, *body) = download(client, "?from=2026-01-06&to=2026-01-31")
    assert [row[0] for row in body] == ["R-B1"]
    _response, (_header, *body) = download(client, "?from=2026-01-06")
    assert [row[0] for row in body] == ["R-B1", "R-A2"]
    _response, (_header, *body) = download(client, "?to=2026-02-01")
    assert [row[0] for row in body] == ["R-A1", "R-B1"]


def test_a_date_that_is_not_one_is_named(scenario: Scenario, make_user: Any) -> None:
    client = client_of(make_user("hom", "head_of_offender_management"))
    response = client.get(URL + "?from=0001-01-01&to=9999-12-31")
    assert response.status_code == 200
    response = client.get(URL + "?from=2026-13-01")
    assert response.status_code == 400
    assert "The &#x27;from&#x27; date must be a real date" in response.content.decode()
    response = client.get(URL + "?from=2026-02-01&to=2026-01-01")
    assert response.status_code == 400
    assert "The &#x27;to&#x27; date must be the same as or after" in response.content.decode()


def test_a_formula_in_a_cell_is_neutralised(scenario: Scenario, provider_user: Any,
                                            housing: Service) -> None:
    Service.objects.filter(pk=housing.pk).update(title="=HYPERLINK(\"http://x\")")
    _response, (_header, *body) = download(client_of(provider_user("kw-a", "NWH")))
    assert body[0][1] == "'=HYPERLINK(\"http://x\")"


def test_the_number_of_queries_does_not_grow_with_the_referrals(
        scenario: Scenario, make_user: Any, housing: Service, work: Service) -> None:
    client = client_of(make_user("hom", "head_of_offender_management"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response, rows = download(client)
        assert response.status_code == 200
        return len(captured), len(rows) - 1

    before, listed = queries()
    assert listed == 3
    for number in range(10):
        scenario.concluded(f"R-X{number}", work if number % 2 else housing, at(5, 9))
    after, listed = queries()
    assert listed == 13
    assert after == before, (before, after)
    # The session, the user and their roles, then the seven reads of performance_rows.
    assert before <= 10, before


def test_the_list_links_to_the_report_for_providers_and_managers_only(
        scenario: Scenario, make_user: Any, provider_user: Any) -> None:
    link = reverse("referral-performance-csv")
    for user in (provider_user("kw-a", "NWH"), make_user("hom", "head_of_offender_management")):
        assert link in client_of(user).get("/referrals/").content.decode()
    assert link not in client_of(make_user("pp2", "com")).get("/referrals/").content.decode()


def test_a_case_the_user_may_not_open_is_left_out(scenario: Scenario, make_user: Any,
                                                  person: Any) -> None:
    from omp.cases.models import LimitedAccessEntry

    hom = make_user("hom", "head_of_offender_management")
    LimitedAccessEntry.objects.create(person=person, kind="exclusion", user=hom,
                                      reason="Works with the person's family")
    _response, (header, *body) = download(client_of(hom))
    assert header == PERFORMANCE_COLUMNS and body == []
