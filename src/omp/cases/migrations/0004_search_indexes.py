"""Indexes that let PostgreSQL answer case search by prefix (``LIKE 'JO%'``) without reading
every person: its ordinary b-tree indexes cannot serve ``LIKE`` under a non-C collation.
SQLite's query planner does not use such indexes for ``LIKE``, so nothing is made there."""

from django.db import migrations

INDEXES = {
    "cases_person_case_ref_prefix": "(case_ref varchar_pattern_ops)",
    "cases_person_last_name_prefix": "(UPPER(last_name::text) text_pattern_ops)",
    "cases_person_first_name_prefix": "(UPPER(first_name::text) text_pattern_ops)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_person {columns}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_prison_transfers")]
    operations = [migrations.RunPython(forwards, backwards)]
