from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AkuntabilitasConfig(AppConfig):
    name = "akuntabilitas"
    verbose_name = _("Accountability and calendar")
