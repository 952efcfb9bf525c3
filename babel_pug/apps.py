"""App configs of the project package: the admin with the portal's own site, and the project
itself as an app that owns the system checks about the deployment."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with :class:`babel_pug.admin_site.PortalAdminSite` as
    ``admin.site``: only the provincial admin role enters the admin."""

    # Named in INSTALLED_APPS; BabelPugConfig stays the package's automatic config (Django picks
    # the one AppConfig of apps.py whose `default` is not False, hence the module import above).
    default = False
    default_site = "babel_pug.admin_site.PortalAdminSite"


class BabelPugConfig(AppConfig):
    name = "babel_pug"
    verbose_name = "babel_pug"

    def ready(self) -> None:
        from babel_pug import checks  # noqa: F401 (registers the checks)
