from django.db import migrations


def forwards(apps, schema_editor):
    # Contract managers read the outcomes and payment-by-results pages (OUT-3..5).
    apps.get_model("auth", "Group").objects.get_or_create(name="contract_manager")


class Migration(migrations.Migration):
    dependencies = [("web", "0001_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
