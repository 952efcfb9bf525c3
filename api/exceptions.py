"""Error bodies of the API, in the UI language (Bahasa Indonesia).

* ``400``: the validation errors keyed like the request body or the query parameters, e.g.
  ``{"values": {"KLA-1-01": ["Nilai di luar rentang 0–40."]}}`` or ``{"year": ["…"]}``;
* every other error: ``{"detail": "<message>", "code": "<machine-readable code>"}``.

DRF's own English or half-translated messages for the standard errors are replaced by the
project's translated ones; messages raised on purpose by the views are kept.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class Conflict(exceptions.APIException):
    """The request clashes with the resource's state (locked by the workflow, or stale)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the current state of the data.")
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    """``If-Match`` names a version that is no longer current."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy(
        "The data changed since you read it. Read it again and repeat your change."
    )
    default_code = "precondition_failed"


def _standard_message(exc: exceptions.APIException) -> str | None:
    """The project's message for a standard DRF error raised with its default text."""
    if isinstance(exc, exceptions.NotAuthenticated):
        return _("Log in or send an API token in the header: Authorization: Token <token>.")
    if isinstance(exc, exceptions.AuthenticationFailed):
        return _("The API token is invalid or has been revoked.")
    if isinstance(exc, exceptions.ParseError):
        return _("The request body is not valid JSON.")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return _("Unsupported content type; send JSON (Content-Type: application/json).")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _("This method is not allowed here.")
    if isinstance(exc, exceptions.NotAcceptable):
        return _("The requested response format is not available; ask for JSON.")
    if isinstance(exc, exceptions.Throttled):
        if exc.wait is not None:
            return _("Too many requests. Try again in %(seconds)d seconds.") % {
                "seconds": max(1, int(exc.wait + 0.999))
            }
        return _("Too many requests. Try again later.")
    if str(exc.detail) != str(exc.default_detail):
        return None  # a message chosen by the view: keep it
    if isinstance(exc, exceptions.PermissionDenied):
        return _("You are not allowed to do this.")
    if isinstance(exc, exceptions.NotFound):
        return _("Not found.")
    return None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler with the project's messages and a ``code`` on every non-400 error."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        if not isinstance(response.data, dict):  # a bare list: key it like a form-wide error
            response.data = {"non_field_errors": response.data}
        return response
    message = _standard_message(exc)
    detail = message if message is not None else str(exc.detail)
    code = exc.detail.code if hasattr(exc.detail, "code") else exc.default_code
    response.data = {"detail": detail, "code": code or exc.default_code}
    return response
