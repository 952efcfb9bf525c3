"""App configs of the project package itself."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`babel_pug.admin_site.PortalAdminSite` as
    ``admin.site``: only the provincial admin role enters the admin.

    Loaded before the models, so it only names the site."""

    default_site = "babel_pug.admin_site.PortalAdminSite"


class BabelPugConfig(AppConfig):
    """The project as an app: it owns the system checks about the deployment."""

    name = "babel_pug"
    verbose_name = "babel_pug"

    def ready(self) -> None:
        from babel_pug import checks  # noqa: F401 (registers the checks)
