"""PostgreSQL gets the prefix indexes that case search needs at national scale."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_prefix_indexes_exist_on_postgresql(db: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prefix indexes are made on PostgreSQL only; SQLite's LIKE cannot use them")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'cases_person'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"cases_person_case_ref_prefix", "cases_person_last_name_prefix",
            "cases_person_first_name_prefix"} <= names
