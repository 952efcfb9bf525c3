"""Request rate limits for the API: one rate for anonymous clients, one per authenticated user.

The rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (``anon`` and ``user``), which the
settings read from ``API_THROTTLE_ANON`` and ``API_THROTTLE_USER``. They are read on every
request, not when this module is imported, so a settings override (tests) or an empty/``off``
rate (the fuzz run) takes effect at once. A rate of ``None`` means no limit.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _LiveRateMixin:
    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_LiveRateMixin, AnonRateThrottle):
    """Limits anonymous clients by IP address (``anon`` rate)."""

    scope = "anon"


class UserThrottle(_LiveRateMixin, UserRateThrottle):
    """Limits each authenticated user, whatever their IP address (``user`` rate)."""

    scope = "user"
