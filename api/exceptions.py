"""Error bodies of the API, in the UI language (Bahasa Indonesia).

* ``400``: the validation errors keyed like the request body or the query parameters, e.g.
  ``{"values": {"KLA-1-01": ["Nilai di luar rentang 0–40."]}}`` or ``{"year": ["…"]}``;
* every other error: ``{"detail": "<message>", "code": "<machine-readable code>"}``, including a
  body that cannot be read (``400`` ``parse_error``/``too_deep``/``not_a_number``/
  ``duplicate_key``), a body that is too large (``413`` ``too_large``, also for Django's own
  ``DATA_UPLOAD_MAX_MEMORY_SIZE``), and a write without a version (``428``).

DRF's own English or half-translated messages for the standard errors are replaced by the
project's translated ones; messages raised on purpose by the views are kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
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


class PreconditionRequired(exceptions.APIException):
    """A write without the version the client read (neither ``If-Match`` nor ``version``)."""

    status_code = 428
    default_detail = gettext_lazy(
        "Send the version you read: the If-Match header with the ETag of your GET (for example "
        'If-Match: "3"), or "version" in the body. Nothing was saved.'
    )
    default_code = "precondition_required"


class PayloadTooLarge(exceptions.APIException):
    """The request body is larger than the API reads."""

    status_code = 413
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"

    def __init__(self, limit: int | None = None):
        detail = None
        if limit is not None:
            detail = _("The request body is too large: at most %(size)s. Nothing was saved.") % {
                "size": _size(limit)
            }
        super().__init__(detail)


def _size(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MB"
    if limit >= 1024:
        return f"{limit // 1024} KB"
    return f"{limit} B"


class BadJson(exceptions.ParseError):
    """A body the API's parser refuses (not JSON, too deep, NaN, a key twice), with why."""


def _standard_message(exc: exceptions.APIException) -> str | None:
    """The project's message for a standard DRF error raised with its default text."""
    if isinstance(exc, exceptions.NotAuthenticated):
        return _("Log in or send an API token in the header: Authorization: Token <token>.")
    if isinstance(exc, exceptions.AuthenticationFailed):
        return _("The API token is invalid or has been revoked.")
    if isinstance(exc, exceptions.ParseError) and not isinstance(exc, BadJson):
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
    elif isinstance(exc, RequestDataTooBig):  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = PayloadTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError()
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
