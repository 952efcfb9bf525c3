"""xlsx export of a (filtered, scoped) meeting list."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from sinergitas.models import Meeting

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME = "pertemuan"


def safe_text(value: str) -> str:
    """Neutralise spreadsheet formulas: text starting with = + - @ tab or CR gets a leading '."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _headers() -> list[str]:
    return [
        _("Date"),
        _("Time"),
        _("Title"),
        _("Region codes"),
        _("Regions"),
        _("Venue"),
        _("Organiser"),
        _("Programmes"),
        _("Participants"),
        _("Issues raised"),
        _("Other issues raised"),
        _("Purpose"),
        _("Notes"),
        _("Open follow-ups"),
        _("Overdue follow-ups"),
    ]


def _participants(meeting: Meeting) -> str:
    parts = []
    for participation in meeting.participations.all():
        count = f" ({participation.count})" if participation.count is not None else ""
        parts.append(f"{participation.kind.name}{count}")
    return "; ".join(parts)


def _row(meeting: Meeting) -> list[object]:
    regions = list(meeting.regions.all())
    text = [
        meeting.title,
        ", ".join(r.code for r in regions),
        ", ".join(r.name for r in regions),
        meeting.venue,
        meeting.organiser,
        ", ".join(meeting.programme_labels),
        _participants(meeting),
        "; ".join(issue.name for issue in meeting.issues.all()),
        meeting.issues_other,
        meeting.purpose,
        meeting.notes,
    ]
    return [
        meeting.date,
        meeting.time.strftime("%H:%M") if meeting.time else "",
        *(safe_text(value) for value in text),
        getattr(meeting, "open_followup_count", 0),
        getattr(meeting, "overdue_followup_count", 0),
    ]


def meetings_workbook(meetings: Iterable[Meeting]) -> bytes:
    """One sheet ``pertemuan``: a header row, then one row per meeting (as given, in order).

    ``meetings`` should come from :func:`sinergitas.queries.meeting_list` (scoped, prefetched).
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.append(_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for meeting in meetings:
        sheet.append(_row(meeting))
        date_cell = sheet.cell(row=sheet.max_row, column=1)
        if isinstance(date_cell.value, datetime.date):
            date_cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    for column, width in zip(
        "ABCDEFGHIJKLMNO", (12, 8, 40, 14, 30, 30, 30, 24, 40, 40, 30, 40, 40, 10, 10), strict=True
    ):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
