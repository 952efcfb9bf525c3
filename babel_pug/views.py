"""Project-level views that belong to no app: the health check and the error pages.

The error pages are Indonesian, in the site layout (``templates/errors/``), with a way back. Under
``/api/`` they stay JSON, like the API's own errors. The 500 page is rendered without a request
context, so it needs neither the database nor the session (it is what people see while the
database is down).
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """``200 ok`` when the database answers a trivial query, ``503`` otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


def _render(request: HttpRequest, template: str, response_class, **context) -> HttpResponse:
    body = loader.get_template(template).render(context, request)
    return response_class(body)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json_error(_("The request could not be understood."), 400)
    return _render(request, "400.html", HttpResponseBadRequest)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json_error(_("You do not have permission to do this."), 403)
    return _render(request, "403.html", HttpResponseForbidden)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json_error(_("Not found."), 404)
    return _render(request, "404.html", HttpResponseNotFound, request_path=request.path)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: no request context, so no session, user or database is touched."""
    if _is_api(request):
        return _json_error(_("An error occurred on the server. Please try again later."), 500)
    context = {
        "product_name": settings.PRODUCT_NAME,
        "office_name": settings.OFFICE_NAME,
        "bare": True,
    }
    return HttpResponseServerError(loader.get_template("500.html").render(context))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: usually an expired form (a page left open past the session)."""
    if _is_api(request):
        return _json_error(_("The security check of the form failed (CSRF)."), 403)
    return _render(request, "403_csrf.html", HttpResponseForbidden)
