"""The built-in era B version's description without the reference to its source document,
which means nothing to a reader of ``omp policy list``."""

from django.db import migrations

OLD = ("NPS/CRC OMiC rules: 7.5 months enhanced, 12 weeks normal; Welsh cases all enhanced "
       "(seed 000)")
NEW = "NPS/CRC OMiC rules: 7.5 months enhanced, 12 weeks normal; Welsh cases all enhanced"


def forwards(apps, schema_editor):
    record = apps.get_model("decisions", "PolicyVersionRecord")
    record.objects.filter(name="B", description=OLD).update(description=NEW)


def backwards(apps, schema_editor):
    record = apps.get_model("decisions", "PolicyVersionRecord")
    record.objects.filter(name="B", description=NEW).update(description=OLD)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0007_pathway")]
    operations = [migrations.RunPython(forwards, backwards)]
