from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KampungKbConfig(AppConfig):
    name = "kampung_kb"
    verbose_name = _("Kampung KB")

    def ready(self) -> None:
        from kampung_kb.models import DesaRecord
        from penilaian.versions import track_rows

        track_rows(DesaRecord)
