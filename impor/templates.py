"""Blank xlsx templates: the data sheet with its headers and dropdowns, and a ``kode`` sheet
listing the valid codes (regions in the user's scope, indicators with their ladder points,
desa, kecamatan and the allowed levels)."""

from __future__ import annotations

import io

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from impor.readers import MAX_ROWS
from impor.validation import IMPORTERS
from kampung_kb.models import IndustriRumahan, KelasBkkbn
from penilaian.models import Edition, Indicator, Program
from penilaian.scoring import format_number
from regions.models import Desa, Kecamatan
from regions.scoping import Scope

CODE_SHEET = "kode"
LAST_ROW = MAX_ROWS + 1
YESNO_LIST = '"ya,tidak"'


def blank_template(resource: str, scope: Scope) -> bytes:
    """The blank workbook of ``resource`` for a user with ``scope``."""
    importer = IMPORTERS[resource]
    workbook = Workbook()
    data = workbook.active
    data.title = importer.sheet
    data.append(list(importer.columns))
    for index, column in enumerate(importer.columns, start=1):
        data.cell(row=1, column=index).font = Font(bold=True)
        letter = get_column_letter(index)
        data.column_dimensions[letter].width = max(14, len(column) + 4)
        if column.startswith("kode_") or column in ("catatan", "nama"):
            data.column_dimensions[letter].number_format = "@"
    data.freeze_panes = "A2"
    codes = workbook.create_sheet(CODE_SHEET)
    {"nilai": _nilai, "kampung_kb": _kampung_kb, "desa": _desa}[resource](data, codes, scope)
    for column in codes.columns:
        codes.column_dimensions[column[0].column_letter].width = 18
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column(sheet: Worksheet, column: int, title: str, values: list) -> str:
    """Write ``values`` under ``title`` in ``column`` of the code sheet; their range."""
    sheet.cell(row=1, column=column, value=title).font = Font(bold=True)
    for row, value in enumerate(values, start=2):
        sheet.cell(row=row, column=column, value=value)
    letter = get_column_letter(column)
    return f"{CODE_SHEET}!${letter}$2:${letter}${max(len(values) + 1, 2)}"


def _validate(sheet: Worksheet, column: str, importer_columns: tuple, **kwargs) -> None:
    """A dropdown or range check on every data row of ``column``."""
    validation = DataValidation(allow_blank=True, showErrorMessage=True, **kwargs)
    validation.errorTitle = _("Invalid value")
    validation.error = _("Choose a value from the list (see the sheet kode).")
    letter = get_column_letter(importer_columns.index(column) + 1)
    validation.add(f"{letter}2:{letter}{LAST_ROW}")
    sheet.add_data_validation(validation)


def _regions(scope: Scope) -> QuerySet:
    return scope.regions().values_list("code", "name")


def _option_text(indicator: Indicator) -> str:
    if indicator.kind == Indicator.Kind.LADDER:
        return "; ".join(
            f"{format_number(_points(o))} = {o.get('label', '')}" for o in indicator.options
        )
    if indicator.kind == Indicator.Kind.YESNO:
        return _("1 = yes, 0 = no (ya/tidak also accepted)")
    if indicator.kind == Indicator.Kind.PERCENT:
        return _("a percentage 0–100")
    return _("a score 0–%(max)s") % {"max": format_number(indicator.max_score)}


def _points(option: dict):
    from decimal import Decimal

    return Decimal(str(option.get("points", "0")))


def _nilai(data: Worksheet, codes: Worksheet, scope: Scope) -> None:
    columns = IMPORTERS["nilai"].columns
    regions = list(_regions(scope))
    region_range = _column(codes, 1, "kode_wilayah", [code for code, _name in regions])
    _column(codes, 2, _("region name"), [name for _code, name in regions])
    latest = {}
    for indicator in (
        Indicator.objects.filter(edition__program__in=(Program.APE, Program.KLA))
        .select_related("edition")
        .order_by("edition__program", "edition__year", "group__order", "order")
    ):
        latest[indicator.code] = indicator  # the newest edition's wording wins
    indicators = list(latest.values())
    code_range = _column(codes, 4, "kode_indikator", [i.code for i in indicators])
    _column(codes, 5, _("programme"), [i.edition.get_program_display() for i in indicators])
    _column(codes, 6, _("value kind"), [i.get_kind_display() for i in indicators])
    _column(codes, 7, _("allowed values for nilai"), [_option_text(i) for i in indicators])
    _column(codes, 8, _("indicator"), [i.text for i in indicators])
    years = sorted(
        set(
            Edition.objects.filter(program__in=(Program.APE, Program.KLA)).values_list(
                "year", flat=True
            )
        )
    )
    year_range = _column(codes, 10, "tahun", years)
    _validate(data, "kode_wilayah", columns, type="list", formula1=f"={region_range}")
    _validate(data, "kode_indikator", columns, type="list", formula1=f"={code_range}")
    _validate(data, "tahun", columns, type="list", formula1=f"={year_range}")


def _kampung_kb(data: Worksheet, codes: Worksheet, scope: Scope) -> None:
    columns = IMPORTERS["kampung_kb"].columns
    desa = list(
        scope.filter(Desa.objects.all(), "region").order_by("code").values_list("code", "name")
    )
    _column(codes, 1, "kode_desa", [code for code, _name in desa])
    _column(codes, 2, _("village name"), [name for _code, name in desa])
    ir_range = _column(codes, 4, "industri_rumahan", list(IndustriRumahan.values))
    kelas_range = _column(codes, 5, "kelas_bkkbn", list(KelasBkkbn.values))
    index_range = _column(codes, 6, _("index (indeks_*)"), [1, 2, 3, 4])
    years = sorted(
        Edition.objects.filter(program=Program.KAMPUNG_KB).values_list("year", flat=True)
    )
    year_range = _column(codes, 7, "tahun", years)
    for column in ("kampung_kb", "capaian_kkbpk", "kinerja_patbm"):
        _validate(data, column, columns, type="list", formula1=YESNO_LIST)
    _validate(data, "industri_rumahan", columns, type="list", formula1=f"={ir_range}")
    _validate(data, "kelas_bkkbn", columns, type="list", formula1=f"={kelas_range}")
    for column in ("indeks_input", "indeks_proses", "indeks_output"):
        _validate(data, column, columns, type="list", formula1=f"={index_range}")
    _validate(data, "tahun", columns, type="list", formula1=f"={year_range}")
    _validate(
        data,
        "akta_kelahiran_persen",
        columns,
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
    )
    _validate(
        data,
        "program_lintas_sektor",
        columns,
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
    )


def _desa(data: Worksheet, codes: Worksheet, scope: Scope) -> None:
    columns = IMPORTERS["desa"].columns
    kecamatan = list(
        scope.filter(Kecamatan.objects.all(), "region").order_by("code").values_list("code", "name")
    )
    kecamatan_range = _column(codes, 1, "kode_kecamatan", [code for code, _name in kecamatan])
    _column(codes, 2, _("district name"), [name for _code, name in kecamatan])
    jenis_range = _column(codes, 4, "jenis", list(Desa.Jenis.values))
    _validate(data, "kode_kecamatan", columns, type="list", formula1=f"={kecamatan_range}")
    _validate(data, "jenis", columns, type="list", formula1=f"={jenis_range}")
