"""Admins see and revoke API tokens without seeing their secret keys."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin as DrfTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from api.tokens import masked

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(DrfTokenAdmin):
    """DRF's token admin, with the key masked: an admin revokes tokens, never reads them."""

    list_display = ("masked_key", "user", "created")

    @admin.display(description=_("Key"))
    def masked_key(self, obj) -> str:
        return masked(obj.key)
