"""The kla catalog (groups, indicators, levels, parameters) as editions for 2021–2026."""

from pathlib import Path

from django.db import migrations

from penilaian import catalog

CATALOG = Path(__file__).resolve().parent.parent / "data" / "catalog.json"


def forwards(apps, schema_editor):
    catalog.load_catalog(apps, catalog.read_json(CATALOG))


def backwards(apps, schema_editor):
    catalog.unload_catalog(apps, catalog.read_json(CATALOG))


class Migration(migrations.Migration):
    dependencies = [("penilaian", "0001_initial"), ("regions", "0002_reference_data")]
    operations = [migrations.RunPython(forwards, backwards)]
