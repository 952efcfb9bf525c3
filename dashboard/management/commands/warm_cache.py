"""``manage.py warm_cache``: compute and cache what the dashboard opens on (dashboard.warmup)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dashboard.warmup import warm


class Command(BaseCommand):
    help = "Compute and cache the dashboard's catalogs, readiness and trend for its opening year."

    def handle(self, *args, **options) -> None:
        done = warm()
        years = ", ".join(
            f"{year} ({_('public page') if public else _('dashboard')})"
            for year, public in done["years"]
        )
        self.stdout.write(
            _("Cache filled: %(catalogs)s catalogs, %(regions)s regions, %(years)s, %(seconds)s s.")
            % {
                "catalogs": done["catalogs"],
                "regions": done["regions"],
                "years": years or "—",
                "seconds": done["seconds"],
            }
        )
