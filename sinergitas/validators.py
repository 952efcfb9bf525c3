"""Bounds of a meeting record, shared by the models (and so every form and the admin) and tests.

* Free text (purpose, other issues, notes, a follow-up's what and note) holds at most
  :data:`TEXT_MAX_LENGTH` characters: enough for minutes of a meeting, far below what a
  pasted document would be. The models enforce it (``max_length`` for the form fields, a
  validator for ``full_clean``) and so does the database (a check constraint on the length).
* A meeting date or a follow-up's due date lies between 1 January 2000 and 31 December of
  five years after next year, computed when the value is validated (:func:`date_bounds`). The
  database checks the fixed part only (2000–2100): a constraint cannot depend on today.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

JAKARTA = ZoneInfo("Asia/Jakarta")
TEXT_MAX_LENGTH = 5000
FIRST_DATE = datetime.date(2000, 1, 1)
YEARS_AFTER_NEXT = 5
DB_FIRST_DATE = FIRST_DATE
DB_LAST_DATE = datetime.date(2100, 12, 31)


def jakarta_today() -> datetime.date:
    """Today's date in Asia/Jakarta (WIB), whatever the server's clock zone."""
    return timezone.localdate(timezone=JAKARTA)


def date_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last date a meeting or a due date may have, seen from ``today``."""
    return FIRST_DATE, datetime.date(today.year + 1 + YEARS_AFTER_NEXT, 12, 31)


def validate_record_date(value: datetime.date) -> None:
    """Refuse a date outside :func:`date_bounds` of today (Asia/Jakarta), in the UI language."""
    if value is None:
        return
    start, end = date_bounds(jakarta_today())
    if not start <= value <= end:
        raise ValidationError(
            _("Enter a date between %(start)s and %(end)s.")
            % {"start": f"{start:%d-%m-%Y}", "end": f"{end:%d-%m-%Y}"},
            code="date_out_of_range",
        )
