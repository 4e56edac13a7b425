"""The KPI engine end to end (COM-3): hand-built referrals, sessions and support plan
actions of one contract, the KPIs computed by ``omp commissioning kpis`` on DuckDB (and on
Spark, row for row), kept with history, and the same figures on the page and in the CSV;
COM-4 for roles without case access; who may read them."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

CONTRACT = "LDN-ACC-2026"
AS_OF = date(2026, 4, 30)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def activity(make_case: Any, make_user: Any) -> dict[str, Any]:
    """Four referrals to London housing support sent in March 2026 (hand-computed KPIs in
    each test), with their sessions and support plan actions."""
    from omp.custody.models import ActionProgress, NeedsAssessment, PlanReview, SupportAction
    from omp.referrals.models import (
        Appointment,
        DesiredOutcome,
        EndOfServiceOutcome,
        EndOfServiceReport,
        PersonFeedback,
        Referral,
        ReferralEvent,
        Service,
    )

    person = make_case()
    user = make_user("kpi-practitioner", "com")
    service = Service.objects.get(title="Housing support in London")

    def referral(ref: str, sent: date, assigned: date | None = None,
                 assessed: date | None = None) -> Any:
        made = Referral.objects.create(reference=ref, person=person, service=service,
                                       created_by=user, created_at=_at(sent, 9),
                                       sent_by=user, sent_at=_at(sent))
        ReferralEvent.objects.create(referral=made, kind="sent", at=_at(sent), by=user)
        if assigned:
            ReferralEvent.objects.create(referral=made, kind="assigned", at=_at(assigned, 11),
                                         by=user, keyworker=user)
        if assessed:
            ReferralEvent.objects.create(referral=made, kind="initial_assessment",
                                         at=_at(assessed, 12), by=user, happened_on=assessed)
        return made

    # Assigned then assessed after 3, 7 and 5 working days; the fourth is never assigned.
    r1 = referral("AA0001AA", date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 5))
    r2 = referral("AA0002AA", date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 12))
    r3 = referral("AA0003AA", date(2026, 3, 4), date(2026, 3, 4), date(2026, 3, 11))
    referral("AA0004AA", date(2026, 3, 5))

    def session(made: Any, number: int, day: date, attendance: str) -> Any:
        booked = Appointment.objects.create(
            referral=made, session_number=number, starts_at=_at(day, 14),
            duration_minutes=60, method="phone", enforceable=True, booked_by=user,
            booked_at=_at(day, 8), attendance=attendance, happened=attendance != "no")
        if attendance in ("yes", "late"):
            ReferralEvent.objects.create(referral=made, kind="session", at=_at(day, 16),
                                         by=user, appointment=booked)
        return booked

    # r1's sessions in March: came, came late, did not come; one more was moved (counted
    # once, where it went: the third).
    moved = session(r1, 3, date(2026, 3, 20), "")
    session(r1, 1, date(2026, 3, 16), "yes")
    session(r1, 2, date(2026, 3, 18), "late")
    Appointment.objects.filter(pk=moved.pk).update(
        rescheduled_to=session(r1, 3, date(2026, 3, 25), "no"))
    session(r2, 1, date(2026, 3, 19), "yes")
    # April: r1 concluded (completed), r2 withdrawn after a session (ended early), r3
    # withdrawn before any (cancelled, so not in the completion rate).
    ReferralEvent.objects.create(referral=r1, kind="concluded", at=_at(date(2026, 4, 10)),
                                 by=user)
    ReferralEvent.objects.create(referral=r2, kind="withdrawn", at=_at(date(2026, 4, 15)),
                                 by=user, reason_code="NOT")
    ReferralEvent.objects.create(referral=r3, kind="withdrawn", at=_at(date(2026, 4, 16)),
                                 by=user, reason_code="MIS")

    assessment = NeedsAssessment.objects.create(person=person, assessed_on=date(2026, 3, 1))

    def action(area: str, status: str, due: date, made: Any) -> Any:
        return SupportAction.objects.create(person=person, area=area, assessment=assessment,
                                            action="Help", owner="Keyworker", due=due,
                                            status=status,
                                            referral_reference=made.reference)

    housed = action("accommodation", "achieved", date(2026, 4, 30), r1)
    action("accommodation", "in_progress", date(2026, 4, 20), r2)
    action("ete", "dropped", date(2026, 4, 10), r3)
    review = PlanReview.objects.create(person=person, reviewed_on=date(2026, 4, 1))
    ActionProgress.objects.create(review=review, action=housed, status="achieved",
                                  progress="Moved in")

    # End-of-service reports (REF-6): r1's first version in April rates three desired
    # outcomes achieved, partly, not; its correction in May (version 2) rates them
    # achieved, achieved, not — the latest ratings count, in April, when it was first
    # submitted. r2's report in April rates one outcome partly achieved.
    outcomes = list(DesiredOutcome.objects.filter(category=service.category)[:3])
    assert len(outcomes) == 3

    def report(made: Any, version: int, day: date, ratings: list[str]) -> None:
        written = EndOfServiceReport.objects.create(referral=made, version=version,
                                                    submitted_by=user,
                                                    submitted_at=_at(day))
        for position, (outcome, rating) in enumerate(zip(outcomes, ratings, strict=False)):
            EndOfServiceOutcome.objects.create(report=written, desired_outcome=outcome,
                                               position=position, achievement=rating,
                                               notes="Notes")

    report(r1, 1, date(2026, 4, 8), ["achieved", "partly", "not_achieved"])
    report(r1, 2, date(2026, 5, 2), ["achieved", "achieved", "not_achieved"])
    report(r2, 1, date(2026, 4, 14), ["partly"])
    # Feedback (REF-6e): helpfulness 5 and 2 in April, 4 in March.
    for made, score, day in ((r1, 5, date(2026, 4, 11)), (r2, 2, date(2026, 4, 20)),
                             (r3, 4, date(2026, 3, 30))):
        PersonFeedback.objects.create(referral=made, helpfulness=score,
                                      would_recommend="yes", channel="paper",
                                      recorded_by=user, recorded_at=_at(day))
    return {"person": person}


#: (KPI code, month) → the figure worked out by hand from ``activity``.
EXPECTED = {
    ("IA5", date(2026, 3, 1)): Decimal("66.7"),       # 2 of 3 within 5 working days
    ("REFERRALS", date(2026, 3, 1)): Decimal("4"),
    ("REFERRALS", date(2026, 4, 1)): Decimal("0"),
    ("ATTEND", date(2026, 3, 1)): Decimal("75.0"),    # r1: yes, late, no; r2: yes
    ("COMPLETE", date(2026, 4, 1)): Decimal("50.0"),  # completed 1 of 2 (one cancelled)
    # r1's latest ratings (achieved, achieved, not) and r2's (partly), all in April: 2 of 4.
    ("OUTCOMES", date(2026, 4, 1)): Decimal("50.0"),
    ("FEEDBACK", date(2026, 3, 1)): Decimal("4.0"),   # r3's 4
    ("FEEDBACK", date(2026, 4, 1)): Decimal("3.5"),   # (5 + 2) / 2
    ("HOUSED", date(2026, 4, 1)): Decimal("50.0"),    # 1 of 2 accommodation actions
}


def stored() -> dict[tuple[str, date], Any]:
    from omp.commissioning.models import KpiFigure

    return {(f.contract_kpi.definition.code, f.month): f for f in KpiFigure.objects.filter(
        contract_kpi__contract__contract__reference=CONTRACT).select_related(
        "contract_kpi__definition")}


def test_com_3_the_kpis_by_hand(activity: Any) -> None:
    from omp.commissioning.kpis import compute_kpis

    compute_kpis(AS_OF)
    figures = stored()
    for key, value in EXPECTED.items():
        assert figures[key].value == value, key
    assert figures[("IA5", date(2026, 3, 1))].rag == "red"  # 66.7 against 90, margin 5
    assert figures[("IA5", date(2026, 3, 1))].denominator == 3
    # Empty denominators are "no data", never a division by zero.
    assert figures[("IA5", date(2026, 1, 1))].value is None
    assert figures[("IA5", date(2026, 1, 1))].no_data.startswith("No data")
    assert figures[("FEEDBACK", date(2026, 2, 1))].value is None
    assert figures[("FEEDBACK", date(2026, 2, 1))].rag == ""
    assert figures[("OUTCOMES", date(2026, 3, 1))].value is None  # no report in March
    # The outcomes' count is the latest version's, placed in the first version's month.
    assert (figures[("OUTCOMES", date(2026, 4, 1))].denominator,
            figures[("OUTCOMES", date(2026, 4, 1))].numerator) == (4, 2)
    assert figures[("FEEDBACK", date(2026, 4, 1))].rag == "amber"  # 3.5: 0.5 under 4.0
    assert figures[("FEEDBACK", date(2026, 3, 1))].rag == "green"
    # January to April for each of the contract's 7 KPIs.
    assert len(figures) == 7 * 4


def test_com_3_recomputing_keeps_history_only_of_changes(activity: Any) -> None:
    from omp.commissioning.kpis import compute_kpis
    from omp.commissioning.models import ContractKpi, KpiFigure

    compute_kpis(AS_OF)
    first = KpiFigure.history.count()
    compute_kpis(AS_OF)
    assert KpiFigure.history.count() == first  # nothing changed, nothing added
    ContractKpi.objects.filter(contract__contract__reference=CONTRACT,
                               definition__code="IA5").update(target=Decimal(60))
    compute_kpis(AS_OF)
    figure = stored()[("IA5", date(2026, 3, 1))]
    assert figure.rag == "green"
    assert [h.rag for h in figure.history.order_by("history_date")] == ["red", "green"]


def _spark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return shutil.which("java") is not None


@pytest.mark.skipif(not _spark_available(), reason="Spark needs pyspark and Java")
def test_com_3_duckdb_and_spark_give_the_same_counts_row_for_row(activity: Any,
                                                                  tmp_path: Any) -> None:
    from omp.commissioning.kpi_sources import write_sources
    from omp.commissioning.kpis import compute_counts_by_definition, kpis_in_use
    from omp.outcomes.engine import Engine, spark_session
    from omp.rules.kpi import parse_definition

    spark_session(shuffle_partitions=1, quick_start=True)
    write_sources(tmp_path)
    specs = {k.definition.code: parse_definition(k.definition.definition)
             for k in kpis_in_use()}
    with Engine("duckdb", tmp_path) as duck, Engine("spark", tmp_path) as spark:
        on_duckdb = compute_counts_by_definition(duck, specs)
        on_spark = compute_counts_by_definition(spark, specs)
    for code in specs:
        assert sorted(on_duckdb[code].items()) == sorted(on_spark[code].items()), code
    assert on_duckdb["IA5"][(CONTRACT, date(2026, 3, 1))].numerator == 2


@pytest.fixture
def computed(activity: Any) -> None:
    from omp.commissioning.kpis import compute_kpis

    compute_kpis(AS_OF)


def _csv(client: Any) -> list[dict[str, str]]:
    response = client.get(f"/commissioning/contracts/{CONTRACT}/kpis.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_com_3_page_and_csv_give_the_same_figures(computed: None, client_for: Any) -> None:
    analyst = client_for("kpi-admin", "admin")  # reads cases, so nothing is withheld
    page = analyst.get(f"/commissioning/contracts/{CONTRACT}/").content.decode()
    rows = {(r["kpi_code"], r["month"]): r for r in _csv(analyst)}
    for (code, month), value in EXPECTED.items():
        row = rows[(code, month.strftime("%Y-%m"))]
        assert Decimal(row["figure"]) == value, code
    # The latest month (April) beside each KPI's definition in words, with its rating.
    assert "Initial assessment within 5 working days" in page
    assert ("the percentage where working days from the keyworker being assigned to the "
            "initial assessment is at most 5") in page
    assert "50%" in page and "Below target" in page and "govuk-tag--red" in page
    assert "at least 90%" in page
    # The history: a chart with a table under it, each month in words.
    assert 'id="kpi-chart-ia5"' in page and "March 2026" in page
    assert rows[("IA5", "2026-03")]["rating"] == "Below target"
    assert rows[("FEEDBACK", "2026-02")]["why_no_figure"].startswith("No data")
    assert "No data" in page


def test_com_4_figures_about_few_people_are_not_shown_to_commissioners(
        computed: None, client_for: Any, monkeypatch: Any) -> None:
    commissioner = client_for("kpi-commissioner", "commissioner")
    rows = {(r["kpi_code"], r["month"]): r for r in _csv(commissioner)}
    withheld = rows[("IA5", "2026-03")]
    assert withheld["figure"] == "" and withheld["rating"] == "Not shown"
    assert withheld["why_no_figure"].startswith("COM-4: fewer than 10")
    page = commissioner.get(f"/commissioning/contracts/{CONTRACT}/").content.decode()
    assert "66.7" not in page and "Not shown" in page
    # Zero referrals names nobody: shown.
    assert rows[("REFERRALS", "2026-04")]["figure"] == "0"

    from omp.commissioning import kpi_report
    from omp.config import Settings

    monkeypatch.setattr(kpi_report, "get_settings", lambda: Settings(disclosure_threshold=1))
    rows = {(r["kpi_code"], r["month"]): r for r in _csv(commissioner)}
    assert rows[("IA5", "2026-03")]["figure"] == "66.7"


@pytest.mark.parametrize("role", ["commissioner", "contract_manager", "analyst", "admin"])
def test_commissioning_roles_read_the_kpis(computed: None, client_for: Any, role: str
                                           ) -> None:
    client = client_for(f"kpi-{role}", role)
    assert client.get(f"/commissioning/contracts/{CONTRACT}/kpis.csv").status_code == 200


@pytest.mark.parametrize("role", ["court_staff", "pom", "com", "case_manager", "provider",
                                  "head_of_offender_management", "auditor"])
def test_case_only_roles_are_refused_the_kpis(client_for: Any, role: str) -> None:
    client = client_for(f"kpi-{role}", role)
    assert client.get(f"/commissioning/contracts/{CONTRACT}/kpis.csv").status_code == 403
    assert client.get(f"/commissioning/contracts/{CONTRACT}/").status_code == 403


def test_the_kpi_csv_of_an_unknown_contract_is_404(client_for: Any) -> None:
    client = client_for("kpi-nobody", "commissioner")
    assert client.get("/commissioning/contracts/NOPE/kpis.csv").status_code == 404


def test_com_3_the_demo_definitions_are_valid_and_their_targets_in_range(db: Any) -> None:
    from omp.commissioning.models import ContractKpi, KpiDefinition

    assert KpiDefinition.objects.count() == 7
    for definition in KpiDefinition.objects.all():
        definition.full_clean()
    for kpi in ContractKpi.objects.all():
        kpi.full_clean()
    housed = ContractKpi.objects.filter(definition__code="HOUSED")
    assert {k.contract.contract.reference for k in housed} == {CONTRACT}


def test_bad_definitions_and_targets_are_refused_naming_the_field(db: Any) -> None:
    from django.core.exceptions import ValidationError

    from omp.commissioning.models import ContractKpi, KpiDefinition

    bad = KpiDefinition(code="BAD", name="Bad", description="Bad", definition={
        "source": "referrals", "kind": "rate", "month": "sent_on",
        "numerator": [{"field": "housed", "op": "equals", "value": True}]})
    with pytest.raises(ValidationError) as raised:
        bad.full_clean()
    assert "numerator[0].field: unknown field 'housed'" in str(raised.value)
    kpi = ContractKpi.objects.get(contract__contract__reference=CONTRACT,
                                  definition__code="IA5")
    kpi.target = Decimal(150)
    with pytest.raises(ValidationError) as raised:
        kpi.full_clean()
    assert "a rate's target is a percentage from 0 to 100" in str(raised.value)


def test_com_3_the_command_computes_and_keeps_the_figures(activity: Any) -> None:
    from typer.testing import CliRunner

    from omp.cli import app

    result = CliRunner().invoke(app, ["commissioning", "kpis", "--as-of", "2026-04-30"])
    assert result.exit_code == 0, result.output
    assert "KPI figures for" in result.output and "up to April 2026, on duckdb" in result.output
    assert stored()[("IA5", date(2026, 3, 1))].value == Decimal("66.7")
    refused = CliRunner().invoke(app, ["commissioning", "kpis", "--engine", "postgres"])
    assert refused.exit_code == 2 and "--engine" in refused.output


def test_com_3_initial_assessment_over_easter_counts_working_days_only(
        activity: Any, make_user: Any) -> None:
    """Assigned on Thursday 2 April 2026 and assessed on Friday 10 April: 6 weekdays, of
    which Good Friday and Easter Monday are bank holidays, so 4 working days — within 5."""
    from omp.commissioning.kpi_sources import referral_rows
    from omp.commissioning.kpis import compute_kpis
    from omp.referrals.models import Referral, ReferralEvent, Service

    user = make_user("kpi-easter", "com")
    made = Referral.objects.create(
        reference="AA0009AA", person=activity["person"],
        service=Service.objects.get(title="Housing support in London"), created_by=user,
        created_at=_at(date(2026, 4, 1), 9), sent_by=user, sent_at=_at(date(2026, 4, 1)))
    ReferralEvent.objects.create(referral=made, kind="sent", at=_at(date(2026, 4, 1)),
                                 by=user)
    ReferralEvent.objects.create(referral=made, kind="assigned", at=_at(date(2026, 4, 2)),
                                 by=user, keyworker=user)
    ReferralEvent.objects.create(referral=made, kind="initial_assessment",
                                 at=_at(date(2026, 4, 10)), by=user,
                                 happened_on=date(2026, 4, 10))
    row = next(r for r in referral_rows() if r["initial_assessment_on"] == date(2026, 4, 10))
    assert row["assessment_working_days"] == 4.0
    compute_kpis(AS_OF)
    assert stored()[("IA5", date(2026, 4, 1))].value == Decimal("100.0")  # 1 of 1


def _api(client: Any) -> dict[tuple[str, str], dict[str, Any]]:
    response = client.get(f"/api/v1/commissioning/contracts/{CONTRACT}/kpis")
    assert response.status_code == 200, response.content
    return {(kpi["code"], month["month"]): {**month, "definition": kpi["definition"],
                                            "target_text": kpi["target_text"]}
            for kpi in response.json() for month in kpi["months"]}


@pytest.mark.parametrize("role", ["admin", "commissioner", "analyst"])
def test_com_3_the_api_gives_the_figures_of_the_csv(computed: None, client_for: Any,
                                                    role: str) -> None:
    """The same KPI gives the same number on the page, the CSV and the API: for an
    administrator, who reads cases (nothing withheld), and for a commissioner and an analyst,
    who never do (COM-4 withholds the small figures alike)."""
    client = client_for(f"kpi-api-{role}", role)
    by_csv = {(r["kpi_code"], r["month"]): r for r in _csv(client)}
    by_api = _api(client)
    assert by_api.keys() == by_csv.keys() and len(by_api) > 10
    for key, row in by_csv.items():
        given = by_api[key]
        api_figure = None if given["figure"] is None else Decimal(str(given["figure"]))
        assert api_figure == (Decimal(row["figure"]) if row["figure"] else None), key
        assert (given["rating"], given["why_no_figure"], given["definition"],
                given["target_text"]) == (row["rating"], row["why_no_figure"],
                                          row["definition"], row["target"]), key
    if role == "admin":
        for (code, month), value in EXPECTED.items():
            assert Decimal(by_api[(code, month.strftime("%Y-%m"))]["figure"]) == value, code
    else:
        withheld = by_api[("IA5", "2026-03")]
        assert withheld["figure"] is None and withheld["rating"] == "Not shown"
        assert withheld["rag"] == "" and withheld["why_no_figure"].startswith("COM-4")


@pytest.mark.parametrize("role", ["court_staff", "pom", "com", "case_manager", "provider",
                                  "head_of_offender_management", "auditor"])
def test_case_only_roles_are_refused_the_kpis_by_the_api(client_for: Any, role: str) -> None:
    client = client_for(f"kpi-api-{role}", role)
    assert client.get(f"/api/v1/commissioning/contracts/{CONTRACT}/kpis").status_code == 403


def test_the_kpis_of_an_unknown_contract_are_404_by_the_api(client_for: Any) -> None:
    client = client_for("kpi-api-nobody", "commissioner")
    response = client.get("/api/v1/commissioning/contracts/NOPE/kpis")
    assert response.status_code == 404 and response["Content-Type"].startswith(
        "application/json")
