"""The admin app with the portal's own site (loaded before the models, so it only names it)."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`babel_pug.admin_site.PortalAdminSite` as
    ``admin.site``: only the provincial admin role enters the admin."""

    default_site = "babel_pug.admin_site.PortalAdminSite"
