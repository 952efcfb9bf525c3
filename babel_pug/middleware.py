"""Project-wide middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class PrivateCacheControlMiddleware:
    """``Cache-Control: private, no-store`` on every response to a logged-in request.

    A page, export, evidence download or API answer for a logged-in user shows that user's scope:
    no shared proxy may keep it, and the browser must not keep it on disk after logout. The user
    is read after the view ran, so DRF token authentication (which sets ``request.user`` inside
    the view) counts too. Anonymous responses (the public page, /healthz, login) keep their own
    caching; static files are answered by whitenoise before this middleware runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
