from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PenilaianConfig(AppConfig):
    name = "penilaian"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from penilaian import versions

        versions.connect()
