from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SinergitasConfig(AppConfig):
    name = "sinergitas"
    verbose_name = _("Coordination meetings")
