"""The demo's "desired outcomes achieved" KPI reads the end-of-service reports (REF-6):
the share of desired outcomes rated "achieved" in the latest version of each report,
counted in the month the report was first submitted. It read support plan actions until
the reports existed; "people supported into accommodation" still does."""

from django.db import migrations

OUTCOMES = {
    "name": "Desired outcomes achieved",
    "description": "Desired outcomes rated in the contract's end-of-service reports, first "
                   "submitted in the month, that were achieved (partly achieved does not "
                   "count).",
    "definition": {"source": "end_of_service", "kind": "rate", "month": "reported_on",
                   "numerator": [{"field": "achievement", "op": "equals",
                                  "value": "achieved"}]},
}
BEFORE = {
    "name": "Desired outcomes achieved",
    "description": "Support plan actions run through the contract's referrals, due in the "
                   "month, that were achieved.",
    "definition": {"source": "outcomes", "kind": "rate", "month": "due_on",
                   "numerator": [{"field": "status", "op": "equals", "value": "achieved"}]},
}


def _write(values):
    def run(apps, schema_editor):
        KpiDefinition = apps.get_model("commissioning", "KpiDefinition")
        KpiDefinition.objects.filter(code="OUTCOMES").update(**values)
    return run


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0004_demo_kpis")]
    operations = [migrations.RunPython(_write(OUTCOMES), _write(BEFORE))]
