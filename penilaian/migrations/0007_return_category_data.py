"""The return reason taxonomy (editable afterwards by the admin; codes are stable)."""

from django.db import migrations

CATEGORIES = [
    ("tidak_relevan", "Dokumen tidak relevan", False),
    ("tahun_tidak_sesuai", "Tahun dokumen tidak sesuai", False),
    ("tanpa_ttd_stempel", "Belum ditandatangani/distempel", False),
    ("sk_tidak_berlaku", "SK sudah tidak berlaku", False),
    ("wilayah_tidak_sesuai", "Wilayah tidak sesuai", False),
    ("angka_tidak_konsisten", "Angka tidak konsisten dengan dokumen", False),
    ("lainnya", "Lainnya", True),
]


def load(apps, schema_editor):
    ReturnCategory = apps.get_model("penilaian", "ReturnCategory")
    for order, (code, name, requires_text) in enumerate(CATEGORIES, start=1):
        ReturnCategory.objects.update_or_create(
            code=code,
            defaults={"name": name, "order": order, "requires_text": requires_text},
        )


def unload(apps, schema_editor):
    apps.get_model("penilaian", "ReturnCategory").objects.filter(
        code__in=[code for code, _name, _text in CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("penilaian", "0006_return_categories_document_metadata")]

    operations = [migrations.RunPython(load, unload)]
