from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from dashboard import tasks
        from penilaian.versions import on_assessments_changed

        on_assessments_changed(tasks.assessments_changed)
