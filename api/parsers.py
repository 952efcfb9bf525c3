"""The API's JSON parser: bounded in size and depth, exact numbers, no NaN, no duplicate keys.

DRF's ``JSONParser`` reads the whole body (up to ``DATA_UPLOAD_MAX_MEMORY_SIZE``, 12 MB here),
lets Python's decoder recurse until it raises ``RecursionError`` (a 500), reads decimals as
floats and keeps the last of two equal keys. This parser instead:

* refuses a body above :func:`max_body_bytes` with ``413`` before reading it (by its
  ``Content-Length``) or as soon as it has read one byte too many;
* refuses nesting deeper than :data:`MAX_DEPTH` with ``400`` (no request body of this API needs
  more than 3 levels);
* reads numbers with a fraction or exponent as ``Decimal`` (``92.5`` stays 92.5), refuses
  ``NaN``/``Infinity`` and an object with the same key twice.

Every refusal is an :class:`~rest_framework.exceptions.APIException` whose message the API's
exception handler returns as JSON in the UI language.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.parsers import BaseParser

from api.exceptions import BadJson, PayloadTooLarge

MAX_DEPTH = 10
DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024


def max_body_bytes() -> int:
    """The largest request body the API reads: ``API_MAX_BODY_BYTES``, at most Django's limit."""
    limit = getattr(settings, "API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)
    django_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return min(limit, django_limit) if django_limit is not None else limit


def _refuse_constant(name: str) -> Any:
    raise BadJson(
        _("%(name)s is not a number the API accepts; send a finite number.") % {"name": name},
        code="not_a_number",
    )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise BadJson(
                _("The key %(key)s appears twice in one object.") % {"key": json.dumps(key)[:80]},
                code="duplicate_key",
            )
        result[key] = value
    return result


def depth(data: Any) -> int:
    """How deeply ``data`` nests lists and objects (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level) for child in children)
    return deepest


def _too_deep() -> BadJson:
    return BadJson(
        _("The JSON is nested too deeply (at most %(max)s levels).") % {"max": MAX_DEPTH},
        code="too_deep",
    )


class ApiJSONParser(BaseParser):
    """``application/json`` bodies for the API, bounded and strict (see the module docstring)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        request = (parser_context or {}).get("request")
        meta = getattr(request, "META", {}) if request is not None else {}
        try:
            declared = int(meta.get("CONTENT_LENGTH") or 0)
        except (TypeError, ValueError):
            raise BadJson(_("The Content-Length header is not a number.")) from None
        if declared > limit:
            raise PayloadTooLarge(limit)
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(limit)
        try:
            text = raw.decode(settings.DEFAULT_CHARSET)
        except UnicodeDecodeError:
            raise BadJson(_("The request body is not valid UTF-8 text.")) from None
        try:
            data = json.loads(
                text,
                parse_float=Decimal,
                parse_constant=_refuse_constant,
                object_pairs_hook=_no_duplicates,
            )
        except RecursionError:
            raise _too_deep() from None
        except BadJson:
            raise
        except ValueError as error:  # JSONDecodeError, or an integer of too many digits
            raise BadJson(
                _("The request body is not valid JSON (line %(line)s, column %(column)s).")
                % {"line": getattr(error, "lineno", 1), "column": getattr(error, "colno", 1)}
                if isinstance(error, json.JSONDecodeError)
                else _("The request body is not valid JSON."),
                code="parse_error",
            ) from None
        if depth(data) > MAX_DEPTH:
            raise _too_deep()
        return data


__all__ = ["MAX_DEPTH", "ApiJSONParser", "depth", "max_body_bytes"]
