from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrasyaratConfig(AppConfig):
    name = "prasyarat"
    verbose_name = _("APE")
