from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from dashboard import store
        from penilaian.versions import on_assessments_changed

        on_assessments_changed(store.refresh_quietly)
