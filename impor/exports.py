"""Exports in the import's own columns (they re-import unchanged), and the error file.

Every export is limited to what the user may see (``scope_for(user)``) and is read with one
query. Text cells that a spreadsheet would run as a formula get the leading ``'`` guard
(:func:`impor.coerce.escape`); the import removes exactly that one character.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import QuerySet
from openpyxl import Workbook

from impor.coerce import ESCAPE_START, escape
from impor.readers import ERROR_COLUMN, Table
from impor.validation import DESA_RECORD_FIELDS, Plan
from kampung_kb.models import DesaRecord
from penilaian.models import Answer, Program
from regions.models import Desa
from regions.scoping import Scope

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

NILAI_COLUMNS = ("kode_wilayah", "tahun", "kode_indikator", "nilai", "catatan")
KAMPUNG_KB_COLUMNS = ("kode_desa", "tahun", *DESA_RECORD_FIELDS)
DESA_COLUMNS = ("kode_desa", "nama", "kode_kecamatan", "jenis")


def cell(value: object) -> object:
    """A value as written to a cell: guarded text, plain numbers, ISO dates."""
    if value is None:
        return None
    if isinstance(value, str):
        return escape(_ILLEGAL.sub("", value))
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time | int | float):
        return value
    return escape(_ILLEGAL.sub("", str(value)))


def raw_cell(value: object) -> object:
    """A cell of the error file: what was read, guarded only where it would run as a formula
    (text that already starts with the ``'`` guard is kept as it was)."""
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
        return "'" + value if value.startswith(ESCAPE_START[:-1]) else value
    return value


def write_xlsx(
    sheet_name: str, headers: Sequence[str], rows: Iterable[Sequence[object]], convert=cell
) -> bytes:
    """A one-sheet workbook, streamed (openpyxl write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    sheet.append(list(headers))
    for row in rows:
        sheet.append([convert(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the data ---


def nilai_queryset(scope: Scope, base: QuerySet | None = None) -> QuerySet:
    queryset = Answer.objects.all() if base is None else base
    queryset = queryset.filter(assessment__edition__program__in=(Program.APE, Program.KLA))
    return scope.filter(queryset, "assessment__region")


def nilai_rows(queryset: QuerySet) -> Iterable[tuple]:
    return queryset.order_by(
        "assessment__region__code",
        "assessment__edition__year",
        "assessment__edition__program",
        "indicator__group__order",
        "indicator__order",
    ).values_list(
        "assessment__region__code",
        "assessment__edition__year",
        "indicator__code",
        "value",
        "note",
    )


def kampung_kb_queryset(scope: Scope, base: QuerySet | None = None) -> QuerySet:
    queryset = DesaRecord.objects.all() if base is None else base
    return scope.filter(queryset, "assessment__region")


def kampung_kb_rows(queryset: QuerySet) -> Iterable[tuple]:
    return queryset.order_by("desa__code", "assessment__edition__year").values_list(
        "desa__code", "assessment__edition__year", *DESA_RECORD_FIELDS
    )


def desa_queryset(scope: Scope, base: QuerySet | None = None) -> QuerySet:
    queryset = Desa.objects.all() if base is None else base
    return scope.filter(queryset, "region")


def desa_rows(queryset: QuerySet) -> Iterable[tuple]:
    return queryset.order_by("code").values_list("code", "name", "kecamatan__code", "jenis")


EXPORTS = {
    "nilai": (NILAI_COLUMNS, nilai_queryset, nilai_rows),
    "kampung_kb": (KAMPUNG_KB_COLUMNS, kampung_kb_queryset, kampung_kb_rows),
    "desa": (DESA_COLUMNS, desa_queryset, desa_rows),
}


def export_rows(resource: str, scope: Scope, base: QuerySet | None = None):
    """(columns, rows) of ``resource`` limited to ``scope`` (and to ``base`` when given)."""
    columns, make_queryset, make_rows = EXPORTS[resource]
    return columns, make_rows(make_queryset(scope, base))


def export_workbook(resource: str, scope: Scope, base: QuerySet | None = None) -> bytes:
    columns, rows = export_rows(resource, scope, base)
    return write_xlsx(resource, columns, rows)


# --- the error file ---


def error_workbook(plan: Plan) -> bytes:
    """The failing rows as they were read, plus a ``pesan_kesalahan`` column per row.

    The file can be corrected and uploaded again: the message column is ignored on import.
    """
    table: Table = plan.table
    names = [plan.importer.canonical(header) if header else None for header in table.headers]
    keep = [i for i, name in enumerate(names) if name and name != ERROR_COLUMN]
    messages: dict[int, list[str]] = {}
    for error in plan.errors:
        text = f"{error.column}: {error.message}" if error.column else error.message
        messages.setdefault(error.row, []).append(text)

    def rows():
        for number, cells in table.rows:
            if number in messages:
                values = [cells[i] if i < len(cells) else None for i in keep]
                yield [*values, f"[{number}] " + " | ".join(messages[number])]

    headers = [names[i] for i in keep] + [ERROR_COLUMN]
    return write_xlsx(plan.importer.sheet, headers, rows(), convert=raw_cell)
