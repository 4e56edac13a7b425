from django.db import migrations


def forwards(apps, schema_editor):
    # OMiC leads read the OMiC dashboard: handovers, caseloads and pathways in aggregate.
    apps.get_model("auth", "Group").objects.get_or_create(name="omic_lead")


class Migration(migrations.Migration):
    dependencies = [("web", "0003_auditor_role")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
