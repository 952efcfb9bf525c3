"""The APE rules listed on /metode/, and the older category scale for APE 2021 and 2022.

Before APE 2023 there was no Nindya: the scale was Pratama, Madya, Utama, Mentor [C2: S26, S30,
S31, S32] (domain.md §2.3). The catalog's ``levels_by_year`` says so; this migration makes the
existing 2021/2022 editions match it (and puts Nindya back when reversed).
"""

from pathlib import Path

from django.db import migrations

from penilaian import catalog

CATALOG = Path(__file__).resolve().parent.parent / "data" / "catalog.json"


def forwards(apps, schema_editor):
    data = catalog.read_json(CATALOG)
    catalog.set_rules(apps, data)
    for year in data.get("levels_by_year", {}):
        if year.isdigit():
            catalog.set_levels(
                apps, data["program"], int(year), catalog.levels_for(data, int(year))
            )


def backwards(apps, schema_editor):
    data = catalog.read_json(CATALOG)
    for year in data.get("levels_by_year", {}):
        if year.isdigit():
            catalog.set_levels(apps, data["program"], int(year), data["levels"])


class Migration(migrations.Migration):
    dependencies = [("prasyarat", "0001_catalog"), ("penilaian", "0004_rules_award_score")]
    operations = [migrations.RunPython(forwards, backwards)]
