"""One way to write numbers, percentages, years, dates and times for people (issue #15).

Pure functions of (value, language): the pages (template filters in ``penilaian_tags``), messages,
the print page and exports all go through here, so a score never reads "84,5" on one page and
"84.5" on the next. Indonesian: ``1.234,5``, ``71,57 %``, ``7 Des 2026``, ``14.05 WIB``;
English: ``1,234.5``, ``71.57 %``, ``7 Dec 2026``, ``14:05 WIB``. A year is never grouped.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

EMPTY = "—"
PERCENT_DECIMALS = 2
LOCAL_ZONE = ZoneInfo("Asia/Jakarta")
ZONE_LABEL = "WIB"

_SEPARATORS = {"id": (",", "."), "en": (".", ",")}  # (decimal, thousands)
_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_TIME_SEPARATOR = {"id": ".", "en": ":"}


def _lang(language: str | None) -> str:
    return "en" if (language or "id").lower().startswith("en") else "id"


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


def _render(number: Decimal, places: int, strip: bool, language: str | None) -> str:
    decimal_sep, thousands_sep = _SEPARATORS[_lang(language)]
    quantum = Decimal(1).scaleb(-places)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    text = format(abs(rounded), "f")
    whole, _, fraction = text.partition(".")
    if strip:
        fraction = fraction.rstrip("0")
    sign = "-" if rounded < 0 and (whole.strip("0") or fraction.strip("0")) else ""
    out = sign + _group(whole, thousands_sep)
    return f"{out}{decimal_sep}{fraction}" if fraction else out


def number(value: object, language: str | None = None, places: int = 2) -> str:
    """A score or count: at most ``places`` decimals, no trailing zeros, grouped thousands."""
    parsed = _decimal(value)
    if parsed is None:
        return EMPTY if value in (None, "") else str(value)
    return _render(parsed, places, True, language)


def percent(value: object, language: str | None = None) -> str:
    """A percentage, always with two decimals and a space before the sign: ``71,57 %``."""
    parsed = _decimal(value)
    if parsed is None:
        return EMPTY if value in (None, "") else str(value)
    return f"{_render(parsed, PERCENT_DECIMALS, False, language)}\u00a0%"


def year(value: object) -> str:
    """A year as written: ``2026``, never ``2.026``."""
    if value in (None, ""):
        return EMPTY
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return str(value)


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(LOCAL_ZONE) if value.tzinfo else value


def date(value: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """``7 Des 2026`` (a datetime is first moved to local time, WIB)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return f"{value.day} {_MONTHS[_lang(language)][value.month - 1]} {value.year}"


def time(value: dt.time | dt.datetime | None, language: str | None = None) -> str:
    """``14.05 WIB`` (``14:05 WIB`` in English)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.datetime):
        value = _local(value).time()
    return f"{value.hour:02d}{_TIME_SEPARATOR[_lang(language)]}{value.minute:02d} {ZONE_LABEL}"


def datetime(value: dt.datetime | None, language: str | None = None) -> str:
    """``7 Des 2026, 14.05 WIB``."""
    if value is None or value == "":
        return EMPTY
    return f"{date(value, language)}, {time(value, language)}"


# Excel number formats for exports: real numbers, shown like the pages (Excel localises the
# separators to the reader's own settings).
XLSX_NUMBER = "#,##0.##"
XLSX_INTEGER = "#,##0"
XLSX_PERCENT_VALUE = '0.00" %"'  # a value already in percent (71.57), not a fraction
XLSX_YEAR = "0"
XLSX_DATE = "d mmm yyyy"
