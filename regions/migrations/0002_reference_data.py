"""Reference data: province 19, its 7 kab/kota, 47 kecamatan, 393 desa/kelurahan, standard OPD."""

from django.db import migrations

from regions import reference


def forwards(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    Kecamatan = apps.get_model("regions", "Kecamatan")
    Desa = apps.get_model("regions", "Desa")
    reference.load_wilayah(Region, Kecamatan, Desa)
    reference.load_opd(
        Region, apps.get_model("regions", "OpdKind"), apps.get_model("regions", "Opd")
    )


def backwards(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    reference.unload_opd(
        Region, apps.get_model("regions", "OpdKind"), apps.get_model("regions", "Opd")
    )
    reference.unload_wilayah(
        Region, apps.get_model("regions", "Kecamatan"), apps.get_model("regions", "Desa")
    )


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
