"""On PostgreSQL, a trigger refuses UPDATE and DELETE on the case-access log, so not even a
statement written by hand through the application's connection can change or remove a row.
SQLite (the demo database) gets none: the model refuses both there."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION omp_case_access_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The case-access log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER case_access_append_only
    BEFORE UPDATE OR DELETE ON cases_caseaccess
    FOR EACH ROW EXECUTE FUNCTION omp_case_access_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS case_access_append_only ON cases_caseaccess;
DROP FUNCTION IF EXISTS omp_case_access_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)  # no parameters: the % in it is plpgsql's
    return run


class Migration(migrations.Migration):

    dependencies = [("cases", "0007_access_log_refusals")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
