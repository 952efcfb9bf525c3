from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kampung_kb.models import DesaPotensial, DesaRecord
from penilaian.admin import RegionScopedAdmin


@admin.register(DesaRecord)
class DesaRecordAdmin(SimpleHistoryAdmin):
    list_display = [
        "desa",
        "assessment",
        "kampung_kb",
        "capaian_kkbpk",
        "kinerja_patbm",
        "industri_rumahan",
        "akta_kelahiran_persen",
        "program_lintas_sektor",
        "kelas_bkkbn",
    ]
    list_filter = ["assessment__edition__year", "assessment__region", "kampung_kb"]
    search_fields = ["desa__code", "desa__name"]
    list_select_related = ["desa", "assessment__edition", "assessment__region"]
    raw_id_fields = ["desa", "assessment"]


@admin.register(DesaPotensial)
class DesaPotensialAdmin(SimpleHistoryAdmin, RegionScopedAdmin):
    """The base of the 90 % Kampung KB target per region and year (rule KKB-POTENSIAL)."""

    list_display = ["region", "year", "jumlah", "source", "updated_at"]
    list_filter = ["year", "region"]
    list_select_related = ["region"]
