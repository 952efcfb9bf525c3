"""Explicit type coercion of spreadsheet cells (calamine values or csv text).

Calamine returns every number as a float and dates as ``date``/``datetime``; csv gives text.
Codes are always text: ``19.01`` stays ``"19.01"`` and ``3201.0`` becomes ``"3201"``; a code a
spreadsheet turned into a number is put back into its Kemendagri shape. Each function returns
``(value, None)`` or ``(None, message)``; an empty cell is ``(None, None)``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

YES = frozenset({"ya", "y", "yes", "true", "1", "benar"})
NO = frozenset({"tidak", "t", "no", "false", "0", "salah"})
ESCAPE_START = ("=", "+", "-", "@", "\t", "\r", "'")

_REGION_DIGITS = re.compile(r"^\d{4}$")
_KECAMATAN_DIGITS = re.compile(r"^\d{6}$")
_DESA_DIGITS = re.compile(r"^\d{10}$")


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def unescape(text: str) -> str:
    """Remove exactly one leading ``'`` (the export's formula guard); keep the rest as is.

    Text without the guard is trimmed of surrounding spaces.
    """
    if text.startswith("'"):
        return text[1:]
    return text.strip()


def escape(text: str) -> str:
    """The export's guard: a leading ``'`` before text that a spreadsheet would run as a
    formula (``=``, ``+``, ``-``, ``@``, tab, CR), that starts with ``'`` itself or has
    surrounding spaces, so :func:`unescape` gives back exactly ``text``."""
    if text and (text.startswith(ESCAPE_START) or text != text.strip()):
        return "'" + text
    return text


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def as_text(value: object) -> str:
    """Any cell as text: numbers without a spurious ``.0``, dates in ISO form."""
    if value.__class__ is str:  # the common case, first
        return value[1:] if value[:1] == "'" else value.strip()  # type: ignore[index,union-attr]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, str):
        return unescape(value)
    return str(value).strip()


def as_code(value: object) -> str:
    """A code as text without spaces (``3201.0`` → ``"3201"``); upper case."""
    if isinstance(value, float):
        return _number_text(value)
    return re.sub(r"\s+", "", as_text(value)).upper()


def as_region_code(value: object) -> str:
    """``19.01`` however typed: ``19.01``, ``"19.01"``, ``1901``, ``19.1`` (a number whose
    trailing zero a spreadsheet dropped from ``19.10``)."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}"
    code = as_code(value)
    if _REGION_DIGITS.match(code):
        return f"{code[:2]}.{code[2:]}"
    return code


def as_kecamatan_code(value: object) -> str:
    code = as_code(value)
    if _KECAMATAN_DIGITS.match(code):
        return f"{code[:2]}.{code[2:4]}.{code[4:]}"
    return code


def as_desa_code(value: object) -> str:
    """``19.01.03.2001`` however typed (also ``1901032001``, which a spreadsheet may store)."""
    code = as_code(value)
    if _DESA_DIGITS.match(code):
        return f"{code[:2]}.{code[2:4]}.{code[4:6]}.{code[6:]}"
    return code


def as_year(value: object) -> tuple[int | None, str | None]:
    if is_empty(value):
        return None, _("Required.")
    if isinstance(value, dt.date | dt.datetime):
        return None, _("The year must be a whole number such as 2025, not a date.")
    if isinstance(value, bool):
        return None, _("The year must be a whole number such as 2025.")
    if isinstance(value, int | float):
        number: object = value
    else:
        try:
            number = Decimal(as_text(value))
        except InvalidOperation:
            return None, _("The year must be a whole number such as 2025.")
    if number != int(number) or not 1900 <= int(number) <= 2100:  # type: ignore[call-overload]
        return None, _("The year must be a whole number such as 2025.")
    return int(number), None  # type: ignore[call-overload]


def as_decimal(value: object, *, percent: bool = False) -> tuple[Decimal | None, str | None]:
    """A number: float via its shortest repr (2.5, not 2.4999…), text with a decimal comma
    (``2,5``) or, for percentages, a trailing ``%``. At most 2 decimal places."""
    if is_empty(value):
        return None, None
    if isinstance(value, bool):
        return Decimal(int(value)), None
    if isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta):
        return None, _("Enter a number, not a date.")
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, int):
        text = str(value)
    else:
        text = as_text(value)
        if percent and text.endswith("%"):
            text = text[:-1].strip()
        if "," in text and "." not in text:
            text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, _("The value must be a number.")
    if not number.is_finite():
        return None, _("The value must be a number.")
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        return None, _("Use at most 2 decimal places.")
    if abs(number) >= 10**8:
        return None, _("The number is too large.")
    return number, None


def as_yesno(value: object) -> tuple[bool | None, str | None]:
    """ya/tidak, y/t, 1/0, true/false (any case), or a yes/no cell."""
    if is_empty(value):
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value), None
    text = as_text(value).lower()
    if text in YES:
        return True, None
    if text in NO:
        return False, None
    return None, _("Fill in ya or tidak.")


def as_int(value: object) -> tuple[int | None, str | None]:
    number, error = as_decimal(value)
    if error or number is None:
        return None, error
    if number != number.to_integral_value():
        return None, _("The value must be a whole number.")
    return int(number), None
