"""The referral a change locks is read through a prepared read (omp.prepared_reads): SQL
built once, run with each call's values. It must give exactly what the queryset gives —
the same referral with its service, contract and person already read, the case's lists
flag — for every value, and refuse what it cannot prepare."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet

from omp.cases.models import LimitedAccessEntry
from omp.prepared_reads import PreparedRead
from omp.referrals.actions import save_draft, send_referral, start_referral
from omp.referrals.models import Referral
from omp.referrals.queries import _LOCKED_FOR_CHANGE, _locked_for_change
from tests.referrals.conftest import complete_changes

pytestmark = pytest.mark.django_db


def _sent(pp: Any, person: Any, service: Any) -> Referral:
    referral = start_referral(pp, person, service)
    save_draft(pp, referral, complete_changes(service))
    return send_referral(pp, referral)


def test_the_prepared_read_gives_what_the_queryset_gives(
        make_user: Any, person: Any, service: Any, provider_user: Any,
        django_assert_num_queries: Any) -> None:
    pp = make_user("pp", "com")
    mine, draft = _sent(pp, person, service), start_referral(pp, person, service)
    keyworker, stranger = provider_user("kw", "NWH"), provider_user("other", "SCR")
    LimitedAccessEntry.objects.create(person=person, kind="restriction", user=pp,
                                      reason="Named practitioner")
    cases = [(True, (mine.pk,)), (True, (draft.pk,)), (False, (keyworker.pk, mine.pk)),
             (False, (keyworker.pk, draft.pk)), (False, (stranger.pk, mine.pk)),
             (True, (10**12,)), (False, (keyworker.pk, 10**12))]
    for shape, ids in cases * 2:  # the second time from the compiled SQL
        with transaction.atomic():
            expected = list(_locked_for_change(shape, *ids))
            with django_assert_num_queries(1):
                got = _LOCKED_FOR_CHANGE.all(shape, *ids)
            assert [r.pk for r in got] == [r.pk for r in expected], (shape, ids)
            for prepared, plain in zip(got, expected, strict=True):
                assert prepared.omp_listed is plain.omp_listed is True
                with django_assert_num_queries(0):  # read with it, as select_related does
                    related = (prepared.person.case_ref, prepared.service.title,
                               prepared.service.contract.prime_provider_id)
                assert related == (plain.person.case_ref, plain.service.title,
                                   plain.service.contract.prime_provider_id)
                assert {f.attname: getattr(prepared, f.attname)
                        for f in Referral._meta.concrete_fields} == {
                    f.attname: getattr(plain, f.attname) for f in Referral._meta.concrete_fields}
    # A draft is never the provider's to see (REF-9), nor another provider's referral.
    with transaction.atomic():
        assert _LOCKED_FOR_CHANGE.first(False, keyworker.pk, draft.pk) is None
        assert _LOCKED_FOR_CHANGE.first(False, stranger.pk, mine.pk) is None
        assert _LOCKED_FOR_CHANGE.first(False, keyworker.pk, mine.pk).pk == mine.pk


def test_an_id_beyond_any_column_reads_nothing_without_asking_the_database(
        django_assert_num_queries: Any) -> None:
    with transaction.atomic(), django_assert_num_queries(0):
        assert _LOCKED_FOR_CHANGE.all(True, 2**63) == []
        assert _LOCKED_FOR_CHANGE.all(False, 1, -(2**63) - 1) == []


@pytest.mark.django_db(transaction=True)  # autocommit outside the atomic blocks
def test_what_cannot_be_prepared_is_refused() -> None:
    def unused(shape: Any, pk: int) -> QuerySet[Referral]:
        return Referral.objects.filter(pk=1)  # the value is not a parameter

    with pytest.raises(ValueError, match="not parameters"):
        PreparedRead(unused).all("shape", 5)
    with pytest.raises(TypeError, match="whole numbers and strings"):
        PreparedRead(unused).all("shape", 1.5)
    with pytest.raises(RuntimeError, match="inside a transaction"):
        _LOCKED_FOR_CHANGE.all(True, 1)


_REFERRAL_BY_ID: PreparedRead[Any] = PreparedRead(
    lambda shape, pk: Referral.objects.filter(pk=pk).values_list("pk", "person__case_ref"))
_USER_BY_ID: PreparedRead[Any] = PreparedRead(
    lambda shape, pk: get_user_model().objects.filter(pk=pk).values_list("pk", "username"))


@pytest.mark.django_db(transaction=True)  # the threads read committed rows
def test_threads_share_a_compiled_read_each_on_its_own_connection() -> None:
    import threading

    from django.db import connection

    names = {get_user_model().objects.create_user(name).pk: name
             for name in ("ann", "bob", "cy")}
    ids = list(names)
    assert _USER_BY_ID.all(None, ids[0]) == [(ids[0], "ann")]  # compiled here
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database is not shared between threads")
    answers: dict[tuple[int, int], Any] = {}
    failures: list[BaseException] = []

    def read(worker: int) -> None:
        try:
            for round_ in range(20):
                pk = ids[(worker + round_) % len(ids)]
                answers[(worker, round_)] = (pk, _USER_BY_ID.all(None, pk))
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            from django.db import connections

            connections.close_all()

    threads = [threading.Thread(target=read, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(answers) == 80
    assert all(rows == [(pk, names[pk])] for pk, rows in answers.values())


def test_on_postgresql_only_the_prepared_reads_are_prepared_on_the_server(
        make_user: Any, person: Any, service: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    if not connection.settings_dict["OPTIONS"].get("cursor_factory"):
        pytest.skip("prepared reads are switched off (OMP_DB_PREPARED_READS)")
    pp = make_user("pp", "com")
    sent = _sent(pp, person, service)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    for _ in range(3):  # psycopg prepares a statement run this often, unless told not to
        assert _REFERRAL_BY_ID.all(None, sent.pk) == [(sent.pk, person.case_ref)]
        assert Referral.objects.filter(person__case_ref=person.case_ref).count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"referrals_referral"."id" = $1' in sql and "case_ref" in sql
               for sql in prepared), prepared
    assert not any("COUNT(" in sql for sql in prepared), prepared
