from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KampungKbConfig(AppConfig):
    name = "kampung_kb"
    verbose_name = _("Kampung KB")
