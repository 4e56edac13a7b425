from django.db import migrations


def forwards(apps, schema_editor):
    # Auditors read the case-access log: who read a person's record, what a user read.
    apps.get_model("auth", "Group").objects.get_or_create(name="auditor")


class Migration(migrations.Migration):
    dependencies = [("web", "0002_contract_manager")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
