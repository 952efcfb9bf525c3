"""API tokens (``Authorization: Token <key>``): one per user, created and revoked by its owner.

Tokens are DRF's ``authtoken`` tokens. A user creates (or replaces) and revokes their own on the
``/api/token/`` page; admins revoke any in the Django admin; operators of the portal can issue
one from the command line with ``manage.py api_token <username>``.
"""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token


def token_for(user) -> Token | None:
    """The user's current token, if any."""
    return Token.objects.filter(user=user).first()


def create_token(user) -> Token:
    """A new token for ``user``; an existing one is revoked first (so it stops working at once)."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def revoke_token(user) -> bool:
    """Delete the user's token; True when there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0


def masked(key: str) -> str:
    """A token shown without its secret part: its first 4 characters and a mask."""
    return f"{key[:4]}…"
