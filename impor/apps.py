from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImporConfig(AppConfig):
    name = "impor"
    verbose_name = _("Excel import")
