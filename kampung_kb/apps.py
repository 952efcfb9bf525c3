from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KampungKbConfig(AppConfig):
    name = "kampung_kb"
    verbose_name = _("Kampung KB")

    def ready(self) -> None:
        from kampung_kb.models import DesaPotensial, DesaRecord
        from penilaian.models import Program
        from penilaian.versions import track_region_year, track_rows

        track_rows(DesaRecord)
        track_region_year(DesaPotensial, Program.KAMPUNG_KB)
