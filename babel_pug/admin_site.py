"""The Django admin of the portal: only the provincial admin role may enter.

Django's own ``AdminSite`` lets in every active ``is_staff`` user and leaves the rest to model
permissions, so a koordinator made staff with model permissions saw and deleted another
region's users and data. Here the site itself asks for the admin role
(``scope_for(user).is_admin``: a superuser or an ``admin`` assignment) on top of ``is_staff``:

* every admin URL (lists, forms, deletes, history, import/export, autocomplete, logout) answers
  403 to a logged-in user of any other role, whatever permissions they hold;
* the admin login form refuses their credentials like a wrong password (nobody is logged in);
* anonymous visitors are sent to the admin login page, as before.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError

from regions.scoping import scope_for


def may_enter_admin(user) -> bool:
    """Active, staff and of the provincial admin role (superusers count as admin)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and scope_for(user).is_admin
    )


class AdminRoleAuthenticationForm(AdminAuthenticationForm):
    """The admin login: a staff account of another role is refused like a wrong password."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not may_enter_admin(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class PortalAdminSite(AdminSite):
    site_header = "babel_pug — DP3ACSKB Babel"
    site_title = "babel_pug"
    login_form = AdminRoleAuthenticationForm

    def has_permission(self, request) -> bool:
        return may_enter_admin(request.user)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return guarded
