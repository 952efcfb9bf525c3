"""Who may use the API at all. What each user sees is decided by ``regions.scoping.scope_for``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from regions.scoping import scope_for


class HasRole(BasePermission):
    """An authenticated, active user with a role (an unassigned account may read nothing)."""

    message = _("Your account has no role yet. Ask the provincial admin to assign one.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return not scope_for(user).is_anonymous
