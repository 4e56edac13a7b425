"""The access audit: every read of a person's data is logged in one place (case pages, API
reads, each person an API search page gives, the admin's person record and its history,
each person in the handover CSV) and so is every refused attempt (a role, a case's lists, a
case not found); auditors answer "who looked at this person's record" and "what did this
user look at" by days, on a page and as CSV; the log cannot be changed or deleted."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from omp.cases.models import AppendOnly, CaseAccess, LimitedAccessEntry
from omp.clock import today
from tests.decisions.test_views_handover import _due_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def reads(make_case: Any, make_user: Any, client_for: Any) -> dict[str, Any]:
    """A001 read by ``reader`` through a case page, the API, an API search and the
    handover CSV, and by ``boss`` in the admin; refused to a provider (role), to
    ``excluded`` (its exclusion list) and asked for by a reference that does not exist."""
    person = _due_in(make_case, "A001", 10)
    reader = client_for("reader", "pom")
    assert reader.get("/cases/A001/").status_code == 200
    assert reader.get("/api/v1/cases/A001").status_code == 200
    assert reader.get("/api/v1/cases", {"q": "A001"}).status_code == 200
    assert reader.get("/handovers/", {"format": "csv"}).status_code == 200
    boss = make_user("boss", "admin")
    boss.is_staff = boss.is_superuser = True
    boss.save()
    admin = Client()
    admin.force_login(boss)
    assert admin.get(f"/admin/cases/person/{person.pk}/change/").status_code == 200
    assert admin.get(f"/admin/cases/person/{person.pk}/history/").status_code == 200
    assert client_for("keyworker", "provider").get("/cases/A001/").status_code == 403
    excluded = make_user("excluded", "com")
    LimitedAccessEntry.objects.create(person=person, kind="exclusion", user=excluded,
                                      reason="Relative")
    shut_out = Client()
    shut_out.force_login(excluded)
    assert shut_out.get("/cases/A001/").status_code == 403
    assert reader.get("/cases/NOSUCH/").status_code == 404
    assert reader.get("/api/v1/cases/NOSUCH/decision").status_code == 404
    return {"person": person, "auditor": client_for("auditor", "auditor")}


def _rows(client: Client, **query: str) -> list[dict[str, str]]:
    response = client.get("/audit/", {**query, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(body)))


def test_who_looked_at_this_person_s_record(reads: dict[str, Any]) -> None:
    page = reads["auditor"].get("/audit/", {"case_ref": "a001"})
    assert page.status_code == 200
    body = page.content.decode()
    for words in ("Web page", "API", "API search result", "Admin", "CSV download",
                  "Refused: role", "Refused: on the exclusion list", "reader", "boss",
                  "keyworker", "excluded"):
        assert words in body, words
    rows = _rows(reads["auditor"], case_ref="A001")
    seen = {(r["user"], r["channel"], r["outcome"], r["outcome_in_words"]) for r in rows}
    assert seen == {("reader", "web", "read", "Read"), ("reader", "api", "read", "Read"),
                    ("reader", "api_search", "read", "Read"), ("reader", "csv", "read", "Read"),
                    ("boss", "admin", "read", "Read"),
                    ("keyworker", "web", "refused", "Refused: role"),
                    ("excluded", "web", "refused", "Refused: on the exclusion list")}
    assert [r["path"] for r in rows if r["user"] == "boss"] == [
        f"/admin/cases/person/{reads['person'].pk}/history/",
        f"/admin/cases/person/{reads['person'].pk}/change/"]  # newest first


def test_what_did_this_user_look_at(reads: dict[str, Any]) -> None:
    rows = _rows(reads["auditor"], username="reader")
    assert {(r["case_ref"], r["channel"], r["outcome"]) for r in rows} == {
        ("A001", "web", "read"), ("A001", "api", "read"), ("A001", "api_search", "read"),
        ("A001", "csv", "read"), ("NOSUCH", "web", "refused"), ("NOSUCH", "api", "refused")}
    assert {r["outcome_in_words"] for r in rows if r["case_ref"] == "NOSUCH"} == {
        "Refused: not found or not the user's to see"}


def test_days_filter_the_log_inclusively(reads: dict[str, Any]) -> None:
    auditor, on = reads["auditor"], today()

    def boxes(name: str, day: Any) -> dict[str, str]:
        return {f"{name}-day": str(day.day), f"{name}-month": str(day.month),
                f"{name}-year": str(day.year)}

    assert len(_rows(auditor, **boxes("start", on), **boxes("end", on))) == 10
    assert _rows(auditor, **boxes("start", on + timedelta(days=1))) == []
    assert _rows(auditor, **boxes("end", on - timedelta(days=1))) == []
    wrong = auditor.get("/audit/", {**boxes("start", on), **boxes("end", on - timedelta(1))})
    assert wrong.status_code == 400
    assert "The last day must be the same as or after the first day" in wrong.content.decode()
    half = auditor.get("/audit/", {"start-day": "3", "start-year": "2026"})
    assert "The first day must include a month" in half.content.decode()


def test_only_auditors_and_admins_read_the_log_and_auditors_read_no_case(
        reads: dict[str, Any], client_for: Any) -> None:
    assert client_for("pom2", "pom").get("/audit/").status_code == 403
    assert client_for("admin2", "admin").get("/audit/").status_code == 200
    auditor = reads["auditor"]
    assert auditor.get("/cases/A001/").status_code == 403
    assert auditor.get("/").url == "/audit/"
    assert "Access log" in auditor.get("/audit/").content.decode()


def test_the_log_cannot_be_changed_or_deleted_through_the_application(
        reads: dict[str, Any]) -> None:
    row = CaseAccess.objects.first()
    assert row is not None
    row.channel = "api"
    with pytest.raises(AppendOnly):
        row.save()
    with pytest.raises(AppendOnly):
        row.delete()
    with pytest.raises(AppendOnly):
        CaseAccess.objects.filter(pk=row.pk).update(channel="api")
    with pytest.raises(AppendOnly):
        CaseAccess.objects.all().delete()
    boss = Client()
    boss.force_login(User.objects.get(username="boss"))
    assert boss.post(f"/admin/cases/caseaccess/{row.pk}/delete/", {"post": "yes"}
                     ).status_code == 403
    assert boss.get(f"/admin/cases/caseaccess/{row.pk}/change/").status_code == 200
    assert CaseAccess.objects.filter(pk=row.pk).exists()


def test_postgresql_refuses_update_and_delete_on_the_log(reads: dict[str, Any]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is made on PostgreSQL only; the model refuses on SQLite")
    row = CaseAccess.objects.first()
    assert row is not None
    for statement in ("UPDATE cases_caseaccess SET channel = 'api' WHERE id = %s",
                      "DELETE FROM cases_caseaccess WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [row.pk])
    assert CaseAccess.objects.get(pk=row.pk).channel == row.channel
