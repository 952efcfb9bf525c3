"""Reference lists the admin maintains: participant institution kinds and issue topics."""

from django.db import migrations

PARTICIPANT_KINDS = [
    ("opd", "OPD kabupaten/kota"),
    ("camat", "Camat"),
    ("kepala_desa", "Kepala desa"),
    ("lurah", "Lurah"),
    ("perbankan", "Perbankan"),
    ("industri_rumahan", "Pelaku Industri Rumahan (IR)"),
    ("lembaga_masyarakat", "Lembaga masyarakat"),
    ("dunia_usaha", "Dunia usaha"),
    ("forum_anak", "Forum Anak"),
    ("media", "Media massa"),
    ("akademisi", "Perguruan tinggi/akademisi"),
    ("instansi_vertikal", "Instansi vertikal"),
]

ISSUE_TOPICS = [
    ("kekerasan_perempuan_anak", "Kekerasan terhadap perempuan dan anak"),
    ("perkawinan_anak", "Perkawinan anak"),
    ("stunting", "Stunting"),
    ("putus_sekolah", "Anak putus sekolah"),
    ("perceraian", "Perceraian"),
    ("dokumen_kependudukan", "Kepemilikan akta kelahiran dan dokumen kependudukan"),
    ("pekerja_anak", "Pekerja anak"),
    ("perdagangan_orang", "Perdagangan orang (TPPO)"),
    ("anak_berhadapan_hukum", "Anak berhadapan dengan hukum"),
]


def forwards(apps, schema_editor):
    for model_name, rows in (("ParticipantKind", PARTICIPANT_KINDS), ("IssueTopic", ISSUE_TOPICS)):
        model = apps.get_model("sinergitas", model_name)
        for order, (code, name) in enumerate(rows, start=1):
            model.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})


def backwards(apps, schema_editor):
    apps.get_model("sinergitas", "ParticipantKind").objects.filter(
        code__in=[c for c, _ in PARTICIPANT_KINDS], meetings__isnull=True
    ).delete()
    apps.get_model("sinergitas", "IssueTopic").objects.filter(
        code__in=[c for c, _ in ISSUE_TOPICS], meetings__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("sinergitas", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
