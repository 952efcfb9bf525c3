"""The KLA rules listed on /metode/ (predicate bands, indicator list, weights, scales)."""

from pathlib import Path

from django.db import migrations

from penilaian import catalog

CATALOG = Path(__file__).resolve().parent.parent / "data" / "catalog.json"


def forwards(apps, schema_editor):
    catalog.set_rules(apps, catalog.read_json(CATALOG))


class Migration(migrations.Migration):
    dependencies = [("kla", "0001_catalog"), ("penilaian", "0004_rules_award_score")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
