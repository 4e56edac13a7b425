from django.db import migrations


def forwards(apps, schema_editor):
    from omp.rules.policy import BUILT_IN_VERSIONS

    record = apps.get_model("decisions", "PolicyVersionRecord")
    for version in BUILT_IN_VERSIONS:
        record.objects.update_or_create(name=version.name, defaults={
            "effective_from": version.effective_from, "scope": version.scope or "",
            "criteria": sorted(version.criteria), "levelled_up": version.levelled_up,
            "handover_era": version.handover_era, "description": version.description})


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
