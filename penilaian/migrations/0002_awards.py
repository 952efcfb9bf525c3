"""Award history: every published result in shared/reference/reference.json, with sources."""

from django.db import migrations

from penilaian import catalog


def forwards(apps, schema_editor):
    catalog.load_awards(apps)


def backwards(apps, schema_editor):
    catalog.unload_awards(apps)


class Migration(migrations.Migration):
    dependencies = [("penilaian", "0001_initial"), ("regions", "0002_reference_data")]
    operations = [migrations.RunPython(forwards, backwards)]
